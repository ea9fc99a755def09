// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_test: the test scheduler behind test_kernel_xcr0. A plain global FIFO
 * that calls the XCR0 kfuncs only on request, so each test controls exactly
 * which task gets which mask and when:
 *
 * - xcr0_req[tid] = { mask, seq, flags }: the next time tid runs, set its
 *   mask with those flags (0: pending, for its next program; SCX_XCR0_LIVE:
 *   its current program's too) and record the kfunc's return value and the
 *   pending and applied masks read back in xcr0_res[tid].
 * - error_tid: raise scx_bpf_error() when that tid runs (error ejection).
 * - the first kernel thread and user worker seen running, and the first task
 *   of probe_tgid seen by init_task, are used once to record what the kfunc
 *   says outside its contract.
 * - cpu_online/cpu_offline are implemented so CPU hotplug does not eject it.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define PF_USER_WORKER	0x00004000
#define PF_KTHREAD	0x00200000

struct xcr0_req {
	u64 mask;
	u64 seq;
	u64 flags;
};

struct xcr0_res {
	s64 ret;
	u64 seq;
	u64 pending;
	u64 applied;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct xcr0_req);
} xcr0_req SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct xcr0_res);
} xcr0_res SEC(".maps");

/* The live flag as this kernel's BTF defines it, for the test driver */
const volatile u64 xcr0_live = SCX_XCR0_LIVE;

u32 error_tid;
s64 kthread_ret = 1;
s64 uworker_ret = 1;
s64 init_task_ret = 1;
u32 probe_tgid;

UEI_DEFINE(uei);

void BPF_STRUCT_OPS(xcr0_test_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dispatch(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

/* Every mask change happens here: running() is handed p under its rq lock. */
void BPF_STRUCT_OPS(xcr0_test_running, struct task_struct *p)
{
	struct xcr0_res res = {}, *old;
	struct xcr0_req *req;
	u32 tid = p->pid;

	if (error_tid && tid == error_tid) {
		scx_bpf_error("test: error ejection requested by tid %u", tid);
		return;
	}
	if ((p->flags & PF_KTHREAD) && kthread_ret == 1)
		kthread_ret = scx_bpf_task_set_xcr0(p, 0x3, 0);
	if ((p->flags & PF_USER_WORKER) && uworker_ret == 1)
		uworker_ret = scx_bpf_task_set_xcr0(p, 0x3, 0);

	req = bpf_map_lookup_elem(&xcr0_req, &tid);
	if (!req)
		return;
	old = bpf_map_lookup_elem(&xcr0_res, &tid);
	if (old && old->seq == req->seq)
		return;
	res.seq = req->seq;
	res.ret = scx_bpf_task_set_xcr0(p, req->mask, req->flags);
	res.pending = scx_bpf_task_get_xcr0(p);
	res.applied = scx_bpf_task_get_xcr0_applied(p);
	bpf_map_update_elem(&xcr0_res, &tid, &res, BPF_ANY);
}

/* ops.init_task() does not hold the task's rq lock: the kfunc must refuse. */
s32 BPF_STRUCT_OPS(xcr0_test_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (probe_tgid && p->tgid == probe_tgid && init_task_ret == 1)
		init_task_ret = scx_bpf_task_set_xcr0(p, 0x3, 0);
	return 0;
}

void BPF_STRUCT_OPS(xcr0_test_cpu_online, s32 cpu)
{
}

void BPF_STRUCT_OPS(xcr0_test_cpu_offline, s32 cpu)
{
}

void BPF_STRUCT_OPS(xcr0_test_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(xcr0_test_ops,
	       .enqueue		= (void *)xcr0_test_enqueue,
	       .running		= (void *)xcr0_test_running,
	       .init_task	= (void *)xcr0_test_init_task,
	       .cpu_online	= (void *)xcr0_test_cpu_online,
	       .cpu_offline	= (void *)xcr0_test_cpu_offline,
	       .exit		= (void *)xcr0_test_exit,
	       .name		= "xcr0_test");
