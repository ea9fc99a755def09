/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc says about a task: whether it exists, its process, whether it
 * is a kernel thread, its scheduling policy and the x86_xcr0 lines the
 * scx_xcr0 kernel adds to /proc/<pid>/status.
 */
#ifndef __SCX_XCR0_TASK_H
#define __SCX_XCR0_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#ifndef SCHED_EXT
#define SCHED_EXT	7
#endif

struct task_info {
	pid_t tid;
	pid_t tgid;
	bool kthread;		/* kernel thread or user worker: never masked */
	char comm[64];
};

/*
 * task_lookup - describe thread @tid; records a message and returns
 * -ESRCH if there is no such task.
 */
int task_lookup(pid_t tid, struct task_info *ti);

/*
 * task_stat_field - numeric field @field (from 4, as proc(5) counts) of
 * /proc/@tid/stat: 9 flags, 22 start time. -ESRCH if there is no such task.
 */
int task_stat_field(pid_t tid, int field, unsigned long long *val);

#define TASK_STAT_START	22	/* clock ticks after boot: with the pid, names a process */

/*
 * task_check_target - task_lookup() plus what a policy entry needs: @id
 * names a process (@want_process, so it must be a thread group leader) or
 * a thread, and is not a kernel thread. Records a message saying what to
 * use instead on failure.
 */
int task_check_target(pid_t id, bool want_process, struct task_info *ti);

/*
 * task_xcr0 - the masks the kernel holds for thread @tid, from
 * /proc/<tid>/status: @applied (x86_xcr0, what its program runs with) and
 * @pending (x86_xcr0_pending, what its next program gets at execve(); the
 * kernel prints it only when it differs, so it is @applied otherwise).
 * Both are full masks, never 0. -ENOENT when the kernel has no x86_xcr0
 * line (not the scx_xcr0 kernel), or the -errno of reading the file.
 */
int task_xcr0(pid_t tid, __u64 *applied, __u64 *pending);

/*
 * task_for_each - call @fn for every thread in /proc with its id and its
 * process's, until @fn returns nonzero; returns that value, 0, or the
 * -errno of opening /proc (no message). Threads may come and go meanwhile.
 */
int task_for_each(int (*fn)(pid_t tid, pid_t tgid, void *arg), void *arg);

/* How many threads run with one pair of masks. */
struct task_masks {
	__u64 applied;
	__u64 pending;
	unsigned long nr;
};

/*
 * task_census - count every thread in /proc by its pair of masks, as
 * task_xcr0() reads them, into @out (at most @max pairs; threads of further
 * pairs are not counted). Returns the number of pairs, or -ENOENT (no
 * message) when the kernel has no x86_xcr0 lines.
 */
int task_census(struct task_masks *out, size_t max);

/* task_sched_policy - SCHED_* of @tid, or a negative errno. */
int task_sched_policy(pid_t tid);

/* task_policy_name - "SCHED_OTHER", ..., "SCHED_EXT". */
const char *task_policy_name(int policy);

#endif /* __SCX_XCR0_TASK_H */
