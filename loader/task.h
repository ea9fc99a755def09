/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc says about a task: whether it exists, its process, whether it
 * is a kernel thread, its scheduling policy and the x86_xcr0 line the
 * scx_xcr0 kernel adds to /proc/<pid>/status.
 */
#ifndef __SCX_XCR0_TASK_H
#define __SCX_XCR0_TASK_H

#include <stdbool.h>
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
 * task_check_target - task_lookup() plus what a policy entry needs: @id
 * names a process (@want_process, so it must be a thread group leader) or
 * a thread, and is not a kernel thread. Records a message saying what to
 * use instead on failure.
 */
int task_check_target(pid_t id, bool want_process, struct task_info *ti);

/*
 * task_kernel_xcr0 - the x86_xcr0 value of /proc/<tid>/status: what the
 * kernel holds for the task (its effective mask). -ENOENT when the kernel
 * has no such line (not the scx_xcr0 kernel).
 */
int task_kernel_xcr0(pid_t tid, __u64 *mask);

/* task_sched_policy - SCHED_* of @tid, or a negative errno. */
int task_sched_policy(pid_t tid);

/* task_policy_name - "SCHED_OTHER", ..., "SCHED_EXT". */
const char *task_policy_name(int policy);

#endif /* __SCX_XCR0_TASK_H */
