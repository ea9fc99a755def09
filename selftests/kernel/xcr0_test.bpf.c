// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_test: the test scheduler behind test_kernel_xcr0. A plain global FIFO
 * that calls the XCR0 kfuncs only on request, so each test controls exactly
 * which task gets which mask and when:
 *
 * - xcr0_req[tid] = { mask, seq }: the next time tid runs, set its mask and
 *   record the kfunc's return value and the mask read back in xcr0_res[tid].
 * - error_tid: raise scx_bpf_error() when that tid runs (error ejection).
 * - the first kernel thread seen running and the first task enabled are used
 *   once to record what the kfunc says outside its contract.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define PF_KTHREAD	0x00200000

int scx_bpf_task_set_xcr0(struct task_struct *p, u64 xcr0) __ksym;
u64 scx_bpf_task_get_xcr0(struct task_struct *p) __ksym;

struct xcr0_req {
	u64 mask;
	u64 seq;
};

struct xcr0_res {
	s64 ret;
	u64 seq;
	u64 got;
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

u32 error_tid;
s64 kthread_ret = 1;
s64 enable_ret = 1;
u32 enable_probe_tgid;

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
		kthread_ret = scx_bpf_task_set_xcr0(p, 0x3);

	req = bpf_map_lookup_elem(&xcr0_req, &tid);
	if (!req)
		return;
	old = bpf_map_lookup_elem(&xcr0_res, &tid);
	if (old && old->seq == req->seq)
		return;
	res.seq = req->seq;
	res.ret = scx_bpf_task_set_xcr0(p, req->mask);
	res.got = scx_bpf_task_get_xcr0(p);
	bpf_map_update_elem(&xcr0_res, &tid, &res, BPF_ANY);
}

/* ops.enable() runs before the task is enabled: the kfunc must refuse. */
void BPF_STRUCT_OPS(xcr0_test_enable, struct task_struct *p)
{
	if (enable_probe_tgid && p->tgid == enable_probe_tgid && enable_ret == 1)
		enable_ret = scx_bpf_task_set_xcr0(p, 0x3);
}

void BPF_STRUCT_OPS(xcr0_test_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(xcr0_test_ops,
	       .enqueue		= (void *)xcr0_test_enqueue,
	       .running		= (void *)xcr0_test_running,
	       .enable		= (void *)xcr0_test_enable,
	       .exit		= (void *)xcr0_test_exit,
	       .name		= "xcr0_test");
