/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the scx_xcr0 BPF scheduler and its loader agree on: where the maps
 * are pinned, what they are called and hold, and the stats layout.
 *
 * Builds for BPF (after vmlinux.h) and for userspace. The types it uses
 * (__u32, __u64, __s32) come from vmlinux.h or <linux/types.h>, as in
 * xcr0.h, whose rules check the masks.
 */
#ifndef __SCX_XCR0_H
#define __SCX_XCR0_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "xcr0.h"

/* bpffs directory holding the pinned maps and the struct_ops link. */
#define SCX_XCR0_PIN_DIR	"/sys/fs/bpf/scx_xcr0"
#define SCX_XCR0_PIN(name)	SCX_XCR0_PIN_DIR "/" name

/*
 * Policy maps, pinned under SCX_XCR0_PIN_DIR by these names, which are also
 * the identifiers of the map definitions in bpf/scx_xcr0.bpf.c. Each value
 * is a __u64: an XCR0 mask in bits 0-62 (0 means "no restriction") and
 * SCX_XCR0_VAL_LIVE in bit 63. The scheduler makes the mask the task's
 * pending mask, which its next program gets at execve(); with the live bit
 * the running program gets it too, at its next return to user mode. A
 * value whose mask fails xcr0_check() against the running CPU (a
 * hand-written entry) is never applied: the scheduler counts it in
 * SCX_XCR0_STAT_INVALID. Precedence: tid, then tgid, then the nearest
 * ancestor cgroup with an entry; xcr0_resolve.h has the whole order.
 */
#define SCX_XCR0_MAP_TID	"xcr0_tid"	/* __u32 tid -> __u64 mask */
#define SCX_XCR0_MAP_PID	"xcr0_pid"	/* __u32 tgid -> __u64 mask */
#define SCX_XCR0_MAP_CGROUP	"xcr0_cgroup"	/* __u64 cgroup id -> __u64 mask */

/*
 * Bit 63 of a policy value: apply now, not only at the next exec. No XCR0
 * component will ever be bit 63 (the kernel refuses it in a mask), so the
 * bit is free and a bpftool user can set it by hand.
 */
#define SCX_XCR0_VAL_LIVE	(1ULL << 63)

/* The mask of policy value @val. */
static inline __u64 scx_xcr0_val_mask(__u64 val)
{
	return val & ~SCX_XCR0_VAL_LIVE;
}

/*
 * scx_xcr0_val_check - xcr0_check() of the mask of policy value @val, where
 * a mask of 0 (no restriction) passes: XCR0_OK if the scheduler applies it.
 */
static inline int scx_xcr0_val_check(__u64 val, __u64 supported)
{
	__u64 mask = scx_xcr0_val_mask(val);

	return mask ? xcr0_check(mask, supported) : XCR0_OK;
}

#define SCX_XCR0_MAX_TIDS	65536
#define SCX_XCR0_MAX_PIDS	65536
#define SCX_XCR0_MAX_CGROUPS	4096

/* Per-CPU counters, one BPF_MAP_TYPE_PERCPU_ARRAY slot (__u64) each. */
enum scx_xcr0_stat {
	SCX_XCR0_STAT_RESOLVE,		/* policy lookups (cache misses) */
	SCX_XCR0_STAT_KFUNC_ERR,	/* scx_bpf_task_set_xcr0() failures */
	SCX_XCR0_STAT_INVALID,		/* map entries refused by xcr0_check() */
	SCX_XCR0_STAT_SET,		/* pending masks set through the kfunc */
	SCX_XCR0_STAT_LIVE,		/* of those, with SCX_XCR0_LIVE */
	SCX_XCR0_STAT_INHERIT_FULL,	/* forks whose pid entry did not fit in xcr0_pid */
	SCX_XCR0_STAT_CANCELLED,	/* pid entries removed with a cancelled fork */
	SCX_XCR0_STAT_MASK_CHANGE,	/* a CPU ran a user task of another applied mask */
	SCX_XCR0_STAT_PLACED,		/* tasks run ahead of the queue for their mask */
	SCX_XCR0_NR_STATS,
};

/*
 * The other pinned maps, all under SCX_XCR0_PIN_DIR next to the policy maps,
 * and the pinned struct_ops link whose presence means "attached".
 */
#define SCX_XCR0_MAP_GEN	"xcr0_gen"	/* ARRAY[1] __u64 policy generation */
#define SCX_XCR0_MAP_STATS	"xcr0_stats"	/* PERCPU_ARRAY[NR_STATS] __u64 */
#define SCX_XCR0_MAP_TASK	"xcr0_task"	/* TASK_STORAGE struct scx_xcr0_task */
#define SCX_XCR0_MAP_INFO	"xcr0_info"	/* ARRAY[1] struct scx_xcr0_info */
#define SCX_XCR0_LINK		"link"

/* Deepest cgroup level whose ancestors are searched for an entry. */
#define SCX_XCR0_CGROUP_MAX_DEPTH	64

/* Default for how often a task's policy is looked up again without a bump. */
#define SCX_XCR0_REFRESH_MS_DFL	100

/* Where a task's mask came from, struct scx_xcr0_task.src. */
enum scx_xcr0_src {
	SCX_XCR0_SRC_NONE,		/* no entry applies: no restriction */
	SCX_XCR0_SRC_TID,		/* xcr0_tid[tid] */
	SCX_XCR0_SRC_PID,		/* xcr0_pid[tgid] */
	SCX_XCR0_SRC_CGROUP,		/* xcr0_cgroup[nearest ancestor] */
	SCX_XCR0_SRC_DEFAULT,		/* the daemon's --default mask */
	SCX_XCR0_SRC_PID_KEPT,		/* scx_xcr0_task.kept: xcr0_pid was full */
	SCX_XCR0_NR_SRCS,
};

/*
 * The scheduler's view of one task, kept in task local storage: what it
 * resolved and what the kernel accepted, as policy values (mask and
 * SCX_XCR0_VAL_LIVE). Userspace reads it through the pinned
 * SCX_XCR0_MAP_TASK with a pidfd of the task as the key, and writes
 * @live_once (`scx_xcr0 clear --live`).
 */
struct scx_xcr0_task {
	__u64 set;		/* last value the kernel accepted: the pending mask */
	__u64 want;		/* resolved from the policy maps */
	__u64 gen;		/* policy generation of the last resolution */
	__u64 stamp;		/* the scheduler's clock (ns) at the last resolution */
	__u32 src;		/* enum scx_xcr0_src of @want */
	__s32 err;		/* last kfunc error, 0 if it succeeded */
	__u32 unused;		/* keeps the layout pinned by earlier versions */
	__u32 live_once;	/* make the next resolution live, then forget */
	/*
	 * The parent's pid entry, kept when xcr0_pid had no room for the
	 * child's copy at fork (@kept_valid), and copied by each thread the
	 * process creates: the pid level of the precedence when xcr0_pid has
	 * no entry for the process (xcr0_resolve.h).
	 */
	__u64 kept;
	__u32 kept_valid;
	/*
	 * init_task created the process's xcr0_pid entry (a copy of its
	 * parent's): a cancelled fork removes it again.
	 */
	__u32 pid_entry_copied;
};

/* scx_xcr0_info.flags */
#define SCX_XCR0_INFO_PARTIAL	(1U << 0)	/* only SCHED_EXT tasks */
#define SCX_XCR0_INFO_TEST_HOOKS	(1U << 1)	/* --test-hooks: fault injection armed */

/* How the daemon of scx_xcr0_info came to run the attached scheduler. */
enum scx_xcr0_origin {
	SCX_XCR0_ORIGIN_ATTACHED,	/* it loaded and attached it */
	SCX_XCR0_ORIGIN_ADOPTED,	/* took over the one a dead daemon left attached */
	SCX_XCR0_ORIGIN_REPLACED,	/* detached that one and attached its own */
};

/*
 * What the running daemon was started with, written by it after loading (or
 * adopting) so that the CLI can report it and validate masks against the
 * same set. @daemon_pid with @daemon_start tells a live daemon from a
 * recycled pid; @build_id and the options tell a daemon whether it may take
 * over an attached scheduler unchanged.
 */
struct scx_xcr0_info {
	__u64 daemon_pid;
	__u64 flags;		/* SCX_XCR0_INFO_* */
	__u64 refresh_ms;
	__u64 default_mask;	/* 0: none */
	__u64 supported;	/* XGETBV(0) of the daemon before loading */
	__u64 daemon_start;	/* field 22 of /proc/PID/stat: clock ticks after boot */
	__u64 build_id;		/* FNV-1a of the BPF object the scheduler came from */
	__u64 origin;		/* enum scx_xcr0_origin */
};

#endif /* __SCX_XCR0_H */
