/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned maps under SCX_XCR0_PIN_DIR, as the CLI sees them: opened by
 * path, whether or not the daemon that pinned them still runs.
 */
#ifndef __SCX_XCR0_MAPS_H
#define __SCX_XCR0_MAPS_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "scx_xcr0.h"

enum target_kind {
	TARGET_TID,
	TARGET_PID,
	TARGET_CGROUP,
};

/* One policy entry's key. */
struct target {
	enum target_kind kind;
	__u32 id;		/* tid or tgid */
	__u64 cgid;		/* cgroup id */
};

struct pinned {
	int tid, pid, cgroup;	/* policy maps */
	int gen, stats, task, info;
};

/*
 * maps_open - open every pinned map. Records a message saying how to get
 * them pinned (start the daemon) or that root is needed.
 */
int maps_open(struct pinned *m);
void maps_close(struct pinned *m);

/* maps_pinned - whether the pin directory holds the policy maps (or may: not ENOENT). */
bool maps_pinned(void);

/* The policy generation, and its bump after a change (tasks re-resolve). */
int maps_gen(const struct pinned *m, __u64 *gen);
int maps_bump_gen(const struct pinned *m);

/*
 * Policy entries; a value is a mask and SCX_XCR0_VAL_LIVE. entry_get
 * returns -ENOENT if @t has none (no message); entry_del records one in
 * that case.
 */
int entry_set(const struct pinned *m, const struct target *t, __u64 val);
/*
 * entry_write - a set as the CLI and the daemon do it: entry_set() and
 * maps_bump_gen(); for a thread or process, @pidfd is the task, held by the
 * caller since before the call (-1 for a cgroup): if it is gone once the
 * entry is in, the entry is removed again and -ESRCH recorded ("no task
 * with id ...").
 */
int entry_write(const struct pinned *m, const struct target *t, int pidfd, __u64 val);
int entry_get(const struct pinned *m, const struct target *t, __u64 *val);
int entry_del(const struct pinned *m, const struct target *t);

/*
 * entry_next - iterate over the entries of policy map @kind: start with
 * *@started false; returns 1 with the next key and value, 0 at the end.
 */
int entry_next(const struct pinned *m, enum target_kind kind, bool *started,
	       struct target *t, __u64 *val);

/* The daemon's --refresh-ms range, which xcr0_info's refresh_ms stays in. */
#define REFRESH_MS_MAX	3600000

/* The largest pid the kernel hands out (PID_MAX_LIMIT on 64-bit). */
#define PID_MAX_LIMIT	(4 * 1024 * 1024)

/*
 * maps_info - what the daemon that loaded the scheduler recorded; -ENOENT
 * (no message) if it never did (all zeros), -EBADMSG with a message naming
 * the field if it holds what no daemon writes (bpftool by hand).
 */
int maps_info(const struct pinned *m, struct scx_xcr0_info *info);

/*
 * map_limits - the kernel's id and max_entries of the map behind @map_fd
 * (@name for the message).
 */
int map_limits(int map_fd, const char *name, __u32 *id, size_t *max);

/* map_name - the pinned name of the policy map of @kind (SCX_XCR0_MAP_*). */
const char *map_name(enum target_kind kind);

/* maps_capacity - max_entries of the policy map of @kind. */
int maps_capacity(const struct pinned *m, enum target_kind kind, size_t *max);

/* maps_stats - the per-CPU counters, summed over CPUs. */
int maps_stats(const struct pinned *m, __u64 stats[SCX_XCR0_NR_STATS]);

/*
 * stat_name - the name of counter @idx (enum scx_xcr0_stat) in `status` and
 * `daemon --stats`, text and JSON alike.
 */
const char *stat_name(unsigned int idx);

/*
 * maps_task - the scheduler's cached view of thread @tid (through a pidfd);
 * -ENOENT (no message) if it has none (not managed, or no such task).
 */
int maps_task(const struct pinned *m, pid_t tid, struct scx_xcr0_task *tv);

/*
 * maps_task_live_once - have the scheduler apply thread @tid's next
 * resolution live (SCX_XCR0_LIVE), once, and resolve soon. -ENOENT (no
 * message) if the scheduler does not manage it.
 */
int maps_task_live_once(const struct pinned *m, pid_t tid);

/* origin_name - "attached", "adopted" or "replaced": scx_xcr0_info.origin. */
const char *origin_name(__u64 origin);

/* target_name - "tid", "pid" or "cgroup". */
const char *target_name(enum target_kind kind);

/* src_name - "tid", "pid", "pid-kept", "cgroup", "default" or "none". */
const char *src_name(__u32 src);

#endif /* __SCX_XCR0_MAPS_H */
