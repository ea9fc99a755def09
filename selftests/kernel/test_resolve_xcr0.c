// SPDX-License-Identifier: GPL-2.0
/*
 * The precedence walk built into a BPF program (xcr0_resolve_test.bpf.c)
 * over the cases of selftests/unit/resolve_cases.h, which test_resolve
 * runs through the host build: both must give every case's answer. Needs
 * CAP_BPF (runs in the VM suite; on a host as root too).
 *
 *   ok resolve/bpf_precedence | FAIL resolve/bpf_precedence: CASE: why
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "xcr0_resolve.h"
#include "resolve_cases.h"
#include "xcr0_resolve_test.skel.h"

#define NAME	"resolve/bpf_precedence"

#define RC_NAME(name, ...)	#name,
static const char *const rc_names[] = { RESOLVE_CASES(RC_NAME) };
#undef RC_NAME

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct xcr0_resolve_test *skel;
	unsigned int fails = 0;
	size_t i;
	int err;

	libbpf_set_print(silent);
	skel = xcr0_resolve_test__open_and_load();
	if (!skel) {
		printf("FAIL " NAME ": the verifier refused the walk (or no CAP_BPF): %s\n",
		       strerror(errno));
		return 1;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.resolve_cases), &opts);
	if (err || opts.retval) {
		printf("FAIL " NAME ": BPF_PROG_TEST_RUN: %s, retval %u\n",
		       strerror(err ? errno : 0), opts.retval);
		xcr0_resolve_test__destroy(skel);
		return 1;
	}
	if (skel->bss->nr_run != RC_NR) {
		printf("FAIL " NAME ": the program ran %u of %zu cases\n", skel->bss->nr_run,
		       (size_t)RC_NR);
		fails++;
	}
	for (i = 0; i < RC_NR && !fails; i++) {
		const struct scx_xcr0_resolved *got = &skel->bss->got[i];
		const struct resolve_case *c = &rc_cases[i];

		if (rc_match(c, got))
			continue;
		printf("FAIL " NAME ": %s: got val 0x%llx src %u depth %u invalid %u truncated %u, want 0x%llx %u %u %u %u\n",
		       rc_names[i], (unsigned long long)got->val, got->src, got->depth,
		       got->invalid, got->truncated, (unsigned long long)c->val, c->src,
		       c->depth, c->invalid, c->truncated);
		fails++;
	}
	if (!fails)
		printf("ok " NAME " (%zu cases)\n", (size_t)RC_NR);
	xcr0_resolve_test__destroy(skel);
	return fails ? 1 : 0;
}
