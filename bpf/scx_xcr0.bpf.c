/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_xcr0: a sched_ext scheduler that gives tasks an XCR0 mask.
 *
 * Scheduling is weighted vtime fairness on one shared DSQ, with a task
 * dispatched straight to the local DSQ of an idle CPU when select_cpu finds
 * one. Every CPU consumes the shared DSQ, so whatever is at its front runs
 * soon on a machine with a uniform cache topology.
 *
 * The policy lives in pinned hash maps that userspace (scx_xcr0, or bpftool
 * by hand) writes: a mask per thread, per process and per cgroup, with
 * precedence tid > pid > nearest cgroup ancestor > the --default mask. A task
 * resolves its mask when it starts running or on a tick, but only if the
 * policy generation moved (userspace bumps it after a change) or the refresh
 * interval passed (which covers writes that do not bump it); otherwise the
 * cached result in task local storage stands, so a context switch costs two
 * map lookups and no map walk. A changed mask goes to the kernel through
 * scx_bpf_task_set_xcr0(), effective at the task's next return to user mode.
 *
 * A map value that breaks the XCR0 rules or asks for more than this CPU
 * supports is counted and skipped, never applied: the task falls through to
 * the next precedence level.
 */
#include <scx/common.bpf.h>

#include "xcr0.h"
#include "scx_xcr0.h"

char _license[] SEC("license") = "GPL";

/*
 * The kfuncs of the scx_xcr0 kernel patch. They are weak so that the object
 * still loads on a kernel without them (the loader refuses such a kernel
 * before loading; the checks below keep the verifier content regardless).
 * The declarations match those the patch adds to scx/common.bpf.h exactly,
 * which makes declaring them twice legal.
 */
int scx_bpf_task_set_xcr0(struct task_struct *p, u64 xcr0) __ksym __weak;
u64 scx_bpf_task_get_xcr0(struct task_struct *p) __ksym __weak;

#define PF_USER_WORKER		0x00004000

/* Set by the loader before loading. */
const volatile u64 supported;		/* XGETBV(0) of an unrestricted task */
const volatile u64 default_mask;	/* mask of tasks no entry covers, 0: none */
const volatile u64 refresh_ns = SCX_XCR0_REFRESH_MS_DFL * 1000000ULL;
const volatile u32 daemon_tgid;		/* never masked: it runs on, mid-flight */

UEI_DEFINE(uei);

/* Built-in DSQs are FIFO only; vtime ordering needs a DSQ of our own. */
#define SHARED_DSQ		0

static u64 vtime_now;

/* Policy maps: the value is the mask, 0 meaning "no restriction". */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCX_XCR0_MAX_TIDS);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_tid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCX_XCR0_MAX_PIDS);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCX_XCR0_MAX_CGROUPS);
	__type(key, u64);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_cgroup SEC(".maps");

/* Bumped by userspace after each policy change. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCX_XCR0_NR_STATS);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_stats SEC(".maps");

/* Tasks managed by this scheduler, per effective mask (0: unrestricted). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCX_XCR0_MAX_MASKS);
	__type(key, u64);
	__type(value, s64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scx_xcr0_task);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_task SEC(".maps");

/* Written by the loader only; here so that it is pinned with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scx_xcr0_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xcr0_info SEC(".maps");

static void stat_inc(u32 idx)
{
	u64 *cnt = bpf_map_lookup_elem(&xcr0_stats, &idx);

	if (cnt)
		(*cnt)++;
}

/* Move @delta tasks into the count of @mask. */
static void tasks_add(u64 mask, s64 delta)
{
	s64 zero = 0, *cnt;

	cnt = bpf_map_lookup_elem(&xcr0_tasks, &mask);
	if (!cnt) {
		bpf_map_update_elem(&xcr0_tasks, &mask, &zero, BPF_NOEXIST);
		cnt = bpf_map_lookup_elem(&xcr0_tasks, &mask);
		if (!cnt)
			return;
	}
	__sync_fetch_and_add(cnt, delta);
}

static u64 policy_gen(void)
{
	u32 zero = 0;
	u64 *gen = bpf_map_lookup_elem(&xcr0_gen, &zero);

	return gen ? *gen : 0;
}

/*
 * Look @key up in policy map @map. Returns true with *@mask set if it has a
 * usable entry; an entry that fails the rules is counted and treated as
 * absent, so that the next precedence level decides.
 */
static __always_inline bool policy_lookup(void *map, void *key, u64 *mask)
{
	u64 *val = bpf_map_lookup_elem(map, key);
	u64 m;

	if (!val)
		return false;
	m = *val;
	if (m && xcr0_check(m, supported) != XCR0_OK) {
		stat_inc(SCX_XCR0_STAT_INVALID);
		return false;
	}
	*mask = m;
	return true;
}

/*
 * The entry of the nearest cgroup of @p, its own or an ancestor's, that has
 * one. The cgroup is @p's in the default hierarchy, the directory that
 * /proc/<pid>/cgroup names whatever controllers are enabled there; the
 * scheduler's view (scx_bpf_task_cgroup()) would stop at the nearest cgroup
 * with the cpu controller. Probe reads, as the css_set may change under us:
 * a resolution that raced a move is redone within the refresh interval.
 */
static bool cgroup_lookup(struct task_struct *p, u64 *mask)
{
	struct cgroup *cgrp, *anc;
	int level, i;
	u64 id;

	cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	if (!cgrp)
		return false;
	level = BPF_CORE_READ(cgrp, level);

	bpf_for(i, 0, SCX_XCR0_CGROUP_MAX_DEPTH) {
		if (level - i < 0)
			break;
		if (bpf_probe_read_kernel(&anc, sizeof(anc), &cgrp->ancestors[level - i]) || !anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		if (policy_lookup(&xcr0_cgroup, &id, mask))
			return true;
	}
	return false;
}

/* @p's mask by precedence; *@src says which level gave it. */
static u64 task_resolve(struct task_struct *p, u32 *src)
{
	u32 tid = p->pid, tgid = p->tgid;
	u64 mask;

	stat_inc(SCX_XCR0_STAT_RESOLVE);

	/*
	 * The kernel refuses masks for kernel threads; do not ask. The daemon
	 * chose its code paths at startup and must not lose them to a
	 * --default or a cgroup rule it applies to others.
	 */
	if ((p->flags & (PF_KTHREAD | PF_USER_WORKER)) || (daemon_tgid && tgid == daemon_tgid)) {
		*src = SCX_XCR0_SRC_NONE;
		return 0;
	}
	if (policy_lookup(&xcr0_tid, &tid, &mask)) {
		*src = SCX_XCR0_SRC_TID;
		return mask;
	}
	if (policy_lookup(&xcr0_pid, &tgid, &mask)) {
		*src = SCX_XCR0_SRC_PID;
		return mask;
	}
	if (cgroup_lookup(p, &mask)) {
		*src = SCX_XCR0_SRC_CGROUP;
		return mask;
	}
	*src = default_mask ? SCX_XCR0_SRC_DEFAULT : SCX_XCR0_SRC_NONE;
	return default_mask;
}

/* Hand @mask to the kernel for @p, which the calling op holds under its rq lock. */
static void task_apply(struct task_struct *p, struct scx_xcr0_task *tctx, u64 mask)
{
	int err = -EOPNOTSUPP;

	if (bpf_ksym_exists(scx_bpf_task_set_xcr0))
		err = scx_bpf_task_set_xcr0(p, mask);
	tctx->err = err;
	if (err) {
		stat_inc(SCX_XCR0_STAT_KFUNC_ERR);
		return;
	}
	stat_inc(SCX_XCR0_STAT_SET);
	tasks_add(tctx->mask, -1);
	tasks_add(mask, 1);
	tctx->mask = mask;
}

/*
 * Bring @p's mask up to date if its cached resolution is stale. Only for
 * ops that are handed @p under its rq lock while it is SCX_TASK_ENABLED,
 * which the kfunc requires: running and tick.
 */
static void task_refresh(struct task_struct *p)
{
	struct scx_xcr0_task *tctx;
	u64 gen, now, want;
	u32 src;

	tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
	if (!tctx)
		return;
	gen = policy_gen();
	now = bpf_ktime_get_ns();
	if (!tctx->stale && tctx->gen == gen && now - tctx->stamp < refresh_ns)
		return;

	want = task_resolve(p, &src);
	tctx->stale = 0;
	tctx->gen = gen;
	tctx->stamp = now;
	tctx->want = want;
	tctx->src = src;
	if (want != tctx->mask)
		task_apply(p, tctx, want);
}

/*
 * A new process starts with the entry of the process that forked it, the
 * way the kernel copies the mask itself at fork: a restricted shell keeps
 * its children restricted. Threads share their process's entry anyway.
 */
static void pid_entry_inherit(struct task_struct *child)
{
	struct task_struct *parent = bpf_get_current_task_btf();
	u32 ptgid = parent->tgid, ctgid = child->tgid;
	u64 *mask;

	if (ptgid == ctgid)
		return;
	mask = bpf_map_lookup_elem(&xcr0_pid, &ptgid);
	if (mask)
		bpf_map_update_elem(&xcr0_pid, &ctgid, mask, BPF_NOEXIST);
}

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

s32 BPF_STRUCT_OPS(xcr0_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	/* An idle CPU takes the task at once; the shared queue is for contention. */
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle)
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(xcr0_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;

	/* A task that slept long may bank at most one slice of credit. */
	if (vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

void BPF_STRUCT_OPS(xcr0_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_consume(SHARED_DSQ);
}

void BPF_STRUCT_OPS(xcr0_running, struct task_struct *p)
{
	/*
	 * The clock follows the tasks that start running; racing CPUs may move
	 * it a little out of order, which only blurs fairness briefly.
	 */
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	task_refresh(p);
}

void BPF_STRUCT_OPS(xcr0_tick, struct task_struct *p)
{
	/* A task that never leaves its CPU still sees policy changes. */
	task_refresh(p);
}

void BPF_STRUCT_OPS(xcr0_stopping, struct task_struct *p, bool runnable)
{
	/* Charge the used part of the slice, scaled by the inverse weight. */
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 / p->scx.weight;
}

s32 BPF_STRUCT_OPS(xcr0_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	if (!bpf_task_storage_get(&xcr0_task, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	if (args->fork)
		pid_entry_inherit(p);
	return 0;
}

void BPF_STRUCT_OPS(xcr0_enable, struct task_struct *p)
{
	struct scx_xcr0_task *tctx;

	p->scx.dsq_vtime = vtime_now;

	tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
	if (!tctx)
		return;
	/*
	 * The kfunc may not be called before the task is enabled, so resolve
	 * when it first runs. Until then it keeps the mask the kernel gave
	 * it: a forked child's is its parent's.
	 */
	tctx->mask = bpf_ksym_exists(scx_bpf_task_get_xcr0) ? scx_bpf_task_get_xcr0(p) : 0;
	tctx->err = 0;
	tctx->stale = 1;
	tasks_add(tctx->mask, 1);
}

void BPF_STRUCT_OPS(xcr0_disable, struct task_struct *p)
{
	struct scx_xcr0_task *tctx;

	/* The kernel clears the mask of a task that leaves the scheduler. */
	tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
	if (!tctx)
		return;
	tasks_add(tctx->mask, -1);
	tctx->mask = 0;
}

void BPF_STRUCT_OPS(xcr0_exit_task, struct task_struct *p, struct scx_exit_task_args *args)
{
	u32 id = p->pid;

	/*
	 * An exiting task takes its entries along, so that a recycled id does
	 * not inherit them. On unload every task passes here too, alive: keep
	 * the policy then.
	 */
	if (!(p->flags & PF_EXITING))
		return;
	bpf_map_delete_elem(&xcr0_tid, &id);
	if (p->pid == p->tgid)
		bpf_map_delete_elem(&xcr0_pid, &id);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(xcr0_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(xcr0_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(xcr0_ops,
	       .select_cpu		= (void *)xcr0_select_cpu,
	       .enqueue			= (void *)xcr0_enqueue,
	       .dispatch		= (void *)xcr0_dispatch,
	       .running			= (void *)xcr0_running,
	       .tick			= (void *)xcr0_tick,
	       .stopping		= (void *)xcr0_stopping,
	       .init_task		= (void *)xcr0_init_task,
	       .enable			= (void *)xcr0_enable,
	       .disable			= (void *)xcr0_disable,
	       .exit_task		= (void *)xcr0_exit_task,
	       .init			= (void *)xcr0_init,
	       .exit			= (void *)xcr0_exit,
	       .name			= "xcr0");
