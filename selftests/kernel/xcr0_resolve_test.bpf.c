// SPDX-License-Identifier: GPL-2.0
/*
 * The precedence walk (include/xcr0_resolve.h) built for BPF, as the
 * scheduler builds it (open-coded loop, verifier bound), run over the
 * cases of selftests/unit/resolve_cases.h. test_resolve_xcr0 runs it with
 * BPF_PROG_TEST_RUN and checks @got against the same table.
 */
#include <scx/common.bpf.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "xcr0_resolve.h"
#include "resolve_cases.h"

char _license[] SEC("license") = "GPL";

struct scx_xcr0_resolved got[RC_NR];
__u32 nr_run;

SEC("syscall")
int resolve_cases(void *ctx)
{
	struct scx_xcr0_resolved r;
	int i;

	bpf_for(i, 0, RC_NR) {
		scx_xcr0_resolve((void *)&rc_cases[i], rc_cases[i].exempt, RC_SUP,
				 rc_cases[i].default_mask, &r);
		got[i] = r;
		nr_run++;
	}
	return 0;
}
