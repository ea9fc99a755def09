/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cases both builds of the precedence walk (include/xcr0_resolve.h) are
 * held to: the host one (selftests/unit/test_resolve.c, under ASan/UBSan)
 * and the BPF one (selftests/kernel/xcr0_resolve_test.bpf.c, run with
 * BPF_PROG_TEST_RUN by test_resolve_xcr0). Each case describes the entries
 * a task would find at each level; the fake scx_xcr0_lookup() below hands
 * them to the walk exactly as the real lookups do, and the case says what
 * the walk must answer.
 *
 * Include after xcr0_resolve.h. Builds for BPF and userspace.
 */
#ifndef __RESOLVE_CASES_H
#define __RESOLVE_CASES_H

#include "xcr0_resolve.h"

#define RC_SUP		0x2e7ULL	/* x87, sse, avx, avx512, pkru */
#define RC_V2		0x3ULL
#define RC_V3		0x7ULL
#define RC_AVX512	0xe7ULL
#define RC_BAD		0x27ULL		/* opmask without the ZMM state: refused */
#define RC_AMX		0x60007ULL	/* not in RC_SUP: refused */
#define RC_LIVE		SCX_XCR0_VAL_LIVE
#define RC_NCG		4		/* cgroup entries a case can hold */

/* An entry at one level; @depth only for cgroups. */
struct rc_entry {
	__u32 set;
	__u32 depth;
	__u64 val;
};

struct resolve_case {
	/* what the task finds */
	__u32 exempt;
	__u32 cg_levels;		/* cgroups from its own up to the root */
	struct rc_entry tid, pid, kept;
	struct rc_entry cg[RC_NCG];
	__u64 default_mask;
	/* what the walk must say */
	__u64 val;
	__u32 src;
	__u32 depth;
	__u32 invalid;
	__u32 truncated;
};

#define E(v)		{ .set = 1, .val = (v) }
#define CG(d, v)	{ .set = 1, .depth = (d), .val = (v) }

/* C(name, fields...): every case, named for the rule it shows. */
#define RESOLVE_CASES(C)							\
	C(nothing_applies, .cg_levels = 3,					\
	  .src = SCX_XCR0_SRC_NONE)						\
	C(default_when_nothing_else, .cg_levels = 3, .default_mask = RC_V3,	\
	  .val = RC_V3, .src = SCX_XCR0_SRC_DEFAULT)				\
	C(tid_beats_pid, .cg_levels = 3, .tid = E(RC_V2), .pid = E(RC_V3),	\
	  .val = RC_V2, .src = SCX_XCR0_SRC_TID)				\
	C(pid_beats_kept, .cg_levels = 3, .pid = E(RC_V2), .kept = E(RC_V3),	\
	  .val = RC_V2, .src = SCX_XCR0_SRC_PID)				\
	C(kept_without_pid_entry, .cg_levels = 3, .kept = E(RC_V3),		\
	  .cg = { CG(0, RC_V2) }, .default_mask = RC_V2,			\
	  .val = RC_V3, .src = SCX_XCR0_SRC_PID_KEPT)				\
	C(pid_beats_cgroup, .cg_levels = 3, .pid = E(RC_V3),			\
	  .cg = { CG(0, RC_V2) },						\
	  .val = RC_V3, .src = SCX_XCR0_SRC_PID)				\
	C(own_cgroup_beats_ancestor, .cg_levels = 3,				\
	  .cg = { CG(1, RC_V3), CG(0, RC_V2) },					\
	  .val = RC_V2, .src = SCX_XCR0_SRC_CGROUP)				\
	C(nearest_ancestor, .cg_levels = 5,					\
	  .cg = { CG(3, RC_V3), CG(2, RC_V2), CG(4, RC_AVX512) },		\
	  .val = RC_V2, .src = SCX_XCR0_SRC_CGROUP, .depth = 2)			\
	C(root_cgroup_entry, .cg_levels = 3, .cg = { CG(2, RC_V2) },		\
	  .default_mask = RC_V3,						\
	  .val = RC_V2, .src = SCX_XCR0_SRC_CGROUP, .depth = 2)			\
	C(no_cgroup_past_the_root, .cg_levels = 2, .cg = { CG(2, RC_V2) },	\
	  .default_mask = RC_V3,						\
	  .val = RC_V3, .src = SCX_XCR0_SRC_DEFAULT)				\
	C(invalid_tid_skipped, .cg_levels = 3, .tid = E(RC_BAD),		\
	  .pid = E(RC_V2),							\
	  .val = RC_V2, .src = SCX_XCR0_SRC_PID, .invalid = 1)			\
	C(unsupported_pid_skipped, .cg_levels = 3, .pid = E(RC_AMX),		\
	  .cg = { CG(1, RC_V3) },						\
	  .val = RC_V3, .src = SCX_XCR0_SRC_CGROUP, .depth = 1, .invalid = 1)	\
	C(invalid_cgroup_skipped, .cg_levels = 3,				\
	  .cg = { CG(0, RC_BAD), CG(1, RC_V2) },				\
	  .val = RC_V2, .src = SCX_XCR0_SRC_CGROUP, .depth = 1, .invalid = 1)	\
	C(all_invalid_falls_to_default, .cg_levels = 3, .tid = E(RC_BAD),	\
	  .pid = E(RC_BAD), .kept = E(RC_AMX),					\
	  .cg = { CG(0, RC_BAD), CG(2, RC_BAD | RC_LIVE) },			\
	  .default_mask = RC_V3,						\
	  .val = RC_V3, .src = SCX_XCR0_SRC_DEFAULT, .invalid = 5)		\
	C(exempt_ignores_everything, .exempt = 1, .cg_levels = 3,		\
	  .tid = E(RC_V2), .pid = E(RC_BAD), .default_mask = RC_V3,		\
	  .src = SCX_XCR0_SRC_NONE)						\
	C(live_bit_kept, .cg_levels = 3, .pid = E(RC_V2 | RC_LIVE),		\
	  .val = RC_V2 | RC_LIVE, .src = SCX_XCR0_SRC_PID)			\
	C(none_entry_beats_default, .cg_levels = 3, .pid = E(0),		\
	  .default_mask = RC_V3,						\
	  .val = 0, .src = SCX_XCR0_SRC_PID)					\
	C(deepest_searched_level, .cg_levels = 70,				\
	  .cg = { CG(SCX_XCR0_CGROUP_MAX_DEPTH - 1, RC_V2) },			\
	  .val = RC_V2, .src = SCX_XCR0_SRC_CGROUP,				\
	  .depth = SCX_XCR0_CGROUP_MAX_DEPTH - 1)				\
	C(past_the_depth_bound, .cg_levels = 70,				\
	  .cg = { CG(SCX_XCR0_CGROUP_MAX_DEPTH, RC_V2) },			\
	  .default_mask = RC_V3,						\
	  .val = RC_V3, .src = SCX_XCR0_SRC_DEFAULT, .truncated = 1)		\
	C(exactly_the_bound_not_truncated,					\
	  .cg_levels = SCX_XCR0_CGROUP_MAX_DEPTH,				\
	  .src = SCX_XCR0_SRC_NONE)						\
	C(one_past_the_bound_truncated,						\
	  .cg_levels = SCX_XCR0_CGROUP_MAX_DEPTH + 1,				\
	  .src = SCX_XCR0_SRC_NONE, .truncated = 1)

#define RC_CASE(name, ...)	{ __VA_ARGS__ },
static const struct resolve_case rc_cases[] = { RESOLVE_CASES(RC_CASE) };
#undef RC_CASE

#define RC_NR	(sizeof(rc_cases) / sizeof(rc_cases[0]))

static __always_inline int rc_found(const struct rc_entry *e, __u64 *val)
{
	if (!e->set)
		return SCX_XCR0_FOUND_NONE;
	*val = e->val;
	return SCX_XCR0_FOUND_ENTRY;
}

/* The entries of case @ctx, level by level, as the real lookups find them. */
static __always_inline int scx_xcr0_lookup(void *ctx, enum scx_xcr0_src level, int depth,
					   __u64 *val)
{
	const struct resolve_case *c = ctx;
	int i;

	switch (level) {
	case SCX_XCR0_SRC_TID:
		return rc_found(&c->tid, val);
	case SCX_XCR0_SRC_PID:
		return rc_found(&c->pid, val);
	case SCX_XCR0_SRC_PID_KEPT:
		return rc_found(&c->kept, val);
	case SCX_XCR0_SRC_CGROUP:
		if (depth < 0 || (__u32)depth >= c->cg_levels)
			return SCX_XCR0_FOUND_END;
		for (i = 0; i < RC_NCG; i++)
			if (c->cg[i].set && c->cg[i].depth == (__u32)depth)
				return rc_found(&c->cg[i], val);
		return SCX_XCR0_FOUND_NONE;
	default:
		return SCX_XCR0_FOUND_NONE;
	}
}

/* Whether @got is what case @c says. */
static __always_inline bool rc_match(const struct resolve_case *c,
				     const struct scx_xcr0_resolved *got)
{
	return got->val == c->val && got->src == c->src && got->depth == c->depth &&
	       got->invalid == c->invalid && got->truncated == c->truncated;
}

#endif /* __RESOLVE_CASES_H */
