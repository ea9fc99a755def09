// SPDX-License-Identifier: GPL-2.0
/*
 * The precedence walk (include/xcr0_resolve.h) as the CLI builds it, over
 * the cases of resolve_cases.h; test_resolve_xcr0 runs the same cases
 * through the walk built into a BPF program.
 */
#include <stdbool.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "xcr0_resolve.h"
#include "resolve_cases.h"
#include "unit.h"

#define RC_NAME(name, ...)	#name,
static const char *const rc_names[] = { RESOLVE_CASES(RC_NAME) };
#undef RC_NAME

static void test_resolve_precedence(struct unit *u)
{
	struct scx_xcr0_resolved got;
	size_t i;

	for (i = 0; i < RC_NR; i++) {
		const struct resolve_case *c = &rc_cases[i];

		/* garbage in, so that a field the walk forgets to set shows */
		__builtin_memset(&got, 0xa5, sizeof(got));
		scx_xcr0_resolve((void *)c, c->exempt, RC_SUP, c->default_mask, &got);
		if (!rc_match(c, &got))
			unit_fail(u, "%s: got val 0x%llx src %u depth %u invalid %u truncated %u, want 0x%llx %u %u %u %u",
				  rc_names[i], (unsigned long long)got.val, got.src, got.depth,
				  got.invalid, got.truncated, (unsigned long long)c->val, c->src,
				  c->depth, c->invalid, c->truncated);
	}
}

/* A case table that names every case (the BPF side reports by index). */
static void test_resolve_cases_named(struct unit *u)
{
	if (ARRAY_SIZE(rc_names) != RC_NR)
		unit_fail(u, "%zu names for %zu cases", ARRAY_SIZE(rc_names), (size_t)RC_NR);
}

static const struct unit_test tests[] = {
	{ "resolve_precedence", test_resolve_precedence },
	{ "resolve_cases_named", test_resolve_cases_named },
};

int main(void)
{
	return unit_main(tests, ARRAY_SIZE(tests));
}
