// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for xcr0_bookkeeping's cancel-forks: SIGKILL the process
 * @victim right after sched_cgroup_fork(), where sched_ext has run
 * ops.init_task for the child. copy_process() then sees the fatal signal
 * just before the child would become visible, and cancels the fork:
 * ops.exit_task with args->cancelled. Nothing else makes a fork fail that
 * late (pids.max and RLIMIT_NPROC are checked before init_task).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u32 victim;		/* tgid to kill, 0: none */
__u32 hits;

SEC("fexit/sched_cgroup_fork")
int BPF_PROG(kill_forker, struct task_struct *p, struct kernel_clone_args *kargs, int ret)
{
	struct task_struct *cur = bpf_get_current_task_btf();

	if (!victim || cur->tgid != victim || ret)
		return 0;
	bpf_send_signal(9);
	victim = 0;
	hits++;
	return 0;
}
