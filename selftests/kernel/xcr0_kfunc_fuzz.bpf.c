// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_kfunc_fuzz: the test scheduler behind test_fuzz_xcr0. A global FIFO
 * (partial mode: only the driver's target runs on it) that, when the
 * target task runs with a new batch posted, hands every mask of the batch
 * to scx_bpf_task_set_xcr0() on that task and records what the kfunc
 * returned and the pending mask read back right after, so the driver can
 * check each answer against include/xcr0.h and that nothing was stored
 * that the kfunc refused (or clamped).
 *
 * ops.running() is one of the rq-locked ops whose task argument the kfunc
 * accepts; the whole batch runs under that one call, through bpf_loop().
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

/* Masks per batch: big enough to make 1e6 calls cost few wake-ups */
#define FUZZ_BATCH	16384

struct fuzz_call {
	u64 mask;
	u64 flags;
	s64 ret;
	u64 pending;	/* scx_bpf_task_get_xcr0() right after the call */
};

struct fuzz_call calls[FUZZ_BATCH];

u32 target_tid;
u32 nr_calls;		/* calls[0..nr_calls) make up the posted batch */
u64 batch_seq;		/* the driver bumps it to post a batch */
u64 done_seq;		/* the scheduler sets it to batch_seq when done */

const volatile u64 xcr0_live = SCX_XCR0_LIVE;

UEI_DEFINE(uei);

struct fuzz_ctx {
	struct task_struct *p;
};

static long fuzz_one(u64 i, void *data)
{
	struct fuzz_ctx *ctx = data;
	struct fuzz_call *c;

	if (i >= FUZZ_BATCH)
		return 1;
	c = &calls[i];
	c->ret = scx_bpf_task_set_xcr0(ctx->p, c->mask, c->flags);
	c->pending = scx_bpf_task_get_xcr0(ctx->p);
	return 0;
}

void BPF_STRUCT_OPS(fuzz_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dispatch(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(fuzz_running, struct task_struct *p)
{
	struct fuzz_ctx fc = { .p = p };
	u64 seq = batch_seq;

	if (!target_tid || p->pid != target_tid || seq == done_seq)
		return;
	bpf_loop(nr_calls < FUZZ_BATCH ? nr_calls : FUZZ_BATCH, fuzz_one, &fc, 0);
	done_seq = seq;
}

void BPF_STRUCT_OPS(fuzz_cpu_online, s32 cpu)
{
}

void BPF_STRUCT_OPS(fuzz_cpu_offline, s32 cpu)
{
}

void BPF_STRUCT_OPS(fuzz_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(fuzz_ops,
	       .enqueue		= (void *)fuzz_enqueue,
	       .running		= (void *)fuzz_running,
	       .cpu_online	= (void *)fuzz_cpu_online,
	       .cpu_offline	= (void *)fuzz_cpu_offline,
	       .exit		= (void *)fuzz_exit,
	       .name		= "xcr0_kfunc_fuzz");
