/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The precedence rules: which policy entry decides a task's mask. The one
 * implementation, used by the scheduler (bpf/scx_xcr0.bpf.c, on map
 * lookups) and by the CLI (`scx_xcr0 get`, loader/cmd.c, on the pinned
 * maps), and held to one table of cases on both sides by
 * selftests/unit/test_resolve.c and selftests/kernel/test_resolve_xcr0.c.
 *
 * The first level that has a usable entry decides:
 *
 *  0. Kernel threads, user workers (io_uring, vhost) and the daemon's
 *     process: no restriction, whatever the maps say (scx_xcr0_exempt()).
 *     The kernel refuses masks for kernel threads; the daemon chose its code
 *     paths at startup and must not lose them to a rule it applies to others.
 *  1. xcr0_tid[tid]
 *  2. xcr0_pid[tgid]
 *  3. The pid entry kept in the task's storage (SCX_XCR0_SRC_PID_KEPT):
 *     when a process forks while xcr0_pid is full, its child cannot get its
 *     own copy of the parent's entry, so it keeps the value in task local
 *     storage instead, and the threads it creates copy it. It fails closed:
 *     the child keeps its parent's policy. An xcr0_pid entry written for
 *     the process later takes precedence; the kept value goes with the
 *     process. It sits at the pid level, below a real pid entry.
 *  4. xcr0_cgroup of the task's cgroup (cgroup v2), then of its parent and
 *     so on up to the root: the nearest with an entry. The walk stops after
 *     SCX_XCR0_CGROUP_MAX_DEPTH levels (the task's own cgroup and 63
 *     ancestors): an entry further up does not apply, on either side. The
 *     BPF verifier needs a bound, and cgroups that deep are not a policy
 *     anyone writes; @truncated tells `scx_xcr0 get` to say so.
 *  5. The daemon's --default mask, if it has one.
 *  6. Nothing: no restriction (SCX_XCR0_SRC_NONE, value 0).
 *
 * An entry whose mask fails scx_xcr0_val_check() against the supported set
 * is skipped (counted in @invalid, which the scheduler adds to
 * SCX_XCR0_STAT_INVALID): the next level decides, as if it were absent.
 *
 * The includer defines the lookup this walk calls, after including this
 * header (which declares it):
 *
 *	static int scx_xcr0_lookup(void *ctx, enum scx_xcr0_src level, int depth,
 *				   __u64 *val);
 *
 * It returns SCX_XCR0_FOUND_ENTRY with *@val set to the raw entry (mask and
 * SCX_XCR0_VAL_LIVE) of @level, SCX_XCR0_FOUND_NONE if that level has no
 * entry, or, for SCX_XCR0_SRC_CGROUP, SCX_XCR0_FOUND_END when the task's
 * cgroup has no ancestor @depth levels up (past the root). @depth is 0 for
 * every level but the cgroup one, where it counts the levels above the
 * task's own cgroup; the walk asks for depths 0, 1, 2... in order, and asks
 * for depth SCX_XCR0_CGROUP_MAX_DEPTH only to learn whether it exists.
 *
 * Builds for BPF (after vmlinux.h and, for bpf_for, scx/common.bpf.h) and
 * for userspace, like scx_xcr0.h.
 */
#ifndef __SCX_XCR0_RESOLVE_H
#define __SCX_XCR0_RESOLVE_H

#ifndef __VMLINUX_H__
#include <stdbool.h>
#endif

#include "scx_xcr0.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

/* What scx_xcr0_lookup() found at one level. */
enum scx_xcr0_found {
	SCX_XCR0_FOUND_NONE,		/* no entry at this level */
	SCX_XCR0_FOUND_ENTRY,		/* an entry, in *val */
	SCX_XCR0_FOUND_END,		/* no cgroup this far up: past the root */
};

static int scx_xcr0_lookup(void *ctx, enum scx_xcr0_src level, int depth, __u64 *val);

/* The outcome of scx_xcr0_resolve(). */
struct scx_xcr0_resolved {
	__u64 val;		/* policy value (mask and live bit); 0: none */
	__u32 src;		/* enum scx_xcr0_src of @val */
	__u32 depth;		/* SCX_XCR0_SRC_CGROUP: levels above the own cgroup */
	__u32 invalid;		/* entries skipped: their mask fails the rules */
	__u32 truncated;	/* the cgroup walk stopped at its depth bound */
};

/*
 * scx_xcr0_exempt - whether a task is never masked: a kernel thread or user
 * worker (@kernel_task: PF_KTHREAD or PF_USER_WORKER), or a thread of the
 * daemon (@tgid == @daemon_tgid, 0 when there is no daemon to spare).
 */
static __always_inline bool scx_xcr0_exempt(bool kernel_task, __u32 tgid, __u32 daemon_tgid)
{
	return kernel_task || (daemon_tgid && tgid == daemon_tgid);
}

/*
 * One level of the walk: true if it decides (@r filled in). *@found is
 * what the lookup said.
 */
static __always_inline bool scx_xcr0_level(void *ctx, enum scx_xcr0_src level, int depth,
					   __u64 supported, struct scx_xcr0_resolved *r,
					   int *found)
{
	__u64 val = 0;

	*found = scx_xcr0_lookup(ctx, level, depth, &val);
	if (*found != SCX_XCR0_FOUND_ENTRY)
		return false;
	if (scx_xcr0_val_check(val, supported) != XCR0_OK) {
		r->invalid++;
		return false;
	}
	r->val = val;
	r->src = level;
	r->depth = depth;
	return true;
}

/*
 * The open-coded iterator keeps the verifier to one pass over the body;
 * elsewhere it is a plain loop with the same bound.
 */
#ifdef bpf_for
#define scx_xcr0_for_depth(i)	bpf_for(i, 0, SCX_XCR0_CGROUP_MAX_DEPTH)
#else
#define scx_xcr0_for_depth(i)	for ((i) = 0; (i) < SCX_XCR0_CGROUP_MAX_DEPTH; (i)++)
#endif

/*
 * scx_xcr0_resolve - the policy value of a task by the precedence above,
 * with @ctx handed to scx_xcr0_lookup(). @exempt is scx_xcr0_exempt() of
 * the task; @supported is what masks are checked against; @default_mask is
 * the daemon's --default (0: none), used as it is (the daemon checked it).
 * A cgroup, not a task, resolves with a lookup that finds no tid or pid
 * entries.
 */
static __always_inline void scx_xcr0_resolve(void *ctx, bool exempt, __u64 supported,
					     __u64 default_mask, struct scx_xcr0_resolved *r)
{
	__u64 val;
	int found, i;

	r->val = 0;
	r->src = SCX_XCR0_SRC_NONE;
	r->depth = 0;
	r->invalid = 0;
	r->truncated = 0;
	if (exempt)
		return;
	if (scx_xcr0_level(ctx, SCX_XCR0_SRC_TID, 0, supported, r, &found) ||
	    scx_xcr0_level(ctx, SCX_XCR0_SRC_PID, 0, supported, r, &found) ||
	    scx_xcr0_level(ctx, SCX_XCR0_SRC_PID_KEPT, 0, supported, r, &found))
		return;

	found = SCX_XCR0_FOUND_NONE;
	scx_xcr0_for_depth(i) {
		if (scx_xcr0_level(ctx, SCX_XCR0_SRC_CGROUP, i, supported, r, &found))
			return;
		if (found == SCX_XCR0_FOUND_END)
			break;
	}
	if (found != SCX_XCR0_FOUND_END)
		r->truncated = scx_xcr0_lookup(ctx, SCX_XCR0_SRC_CGROUP, SCX_XCR0_CGROUP_MAX_DEPTH,
					       &val) != SCX_XCR0_FOUND_END;

	if (default_mask) {
		r->val = default_mask;
		r->src = SCX_XCR0_SRC_DEFAULT;
	}
}

#endif /* __SCX_XCR0_RESOLVE_H */
