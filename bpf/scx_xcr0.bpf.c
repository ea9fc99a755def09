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
 * cached result in task local storage stands, so a context switch reads the
 * generation and the task's own record, and walks no policy map.
 *
 * A changed mask goes to the kernel through scx_bpf_task_set_xcr0() as the
 * task's pending mask: the program it runs now keeps its mask, and the next
 * one it execve()s starts under the new one. C libraries pick their SIMD
 * code at startup, so a mask changed under a running program would break
 * it (SIGILL in the AVX memcpy it chose, or an XSAVE past the area it
 * sized). Only a value with SCX_XCR0_VAL_LIVE (bit 63) asks the kernel to
 * apply the mask to the running program too (SCX_XCR0_LIVE).
 *
 * A map value that breaks the XCR0 rules or asks for more than this CPU
 * supports is counted and skipped, never applied: the task falls through to
 * the next precedence level. Nothing here undoes a mask: unloading the
 * scheduler leaves every task's masks as they are.
 */
#include <scx/common.bpf.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "xcr0_resolve.h"

char _license[] SEC("license") = "GPL";

/*
 * The kfuncs of the scx_xcr0 kernel patch. They are weak so that the object
 * still loads on a kernel without them (the loader refuses such a kernel
 * before loading; the checks below keep the verifier content regardless).
 * The declarations match those the patch adds to scx/common.bpf.h exactly,
 * which makes declaring them twice legal. scx_bpf_task_get_xcr0() returns
 * the pending mask, scx_bpf_task_get_xcr0_applied() the one the task runs
 * with; SCX_XCR0_LIVE comes from vmlinux.h.
 */
int scx_bpf_task_set_xcr0(struct task_struct *p, u64 xcr0, u64 flags) __ksym __weak;
u64 scx_bpf_task_get_xcr0(struct task_struct *p) __ksym __weak;
u64 scx_bpf_task_get_xcr0_applied(struct task_struct *p) __ksym __weak;

#define PF_USER_WORKER		0x00004000

/* Set by the loader before loading. */
const volatile u64 supported;		/* XGETBV(0) of an unrestricted task */
const volatile u64 default_mask;	/* mask of tasks no entry covers, 0: none */
const volatile u64 refresh_ns = SCX_XCR0_REFRESH_MS_DFL * 1000000ULL;
const volatile u32 daemon_tgid;		/* never masked: it runs on, mid-flight */

UEI_DEFINE(uei);

/* Built-in DSQs are FIFO only; vtime ordering needs a DSQ of our own. */
#define SHARED_DSQ		0

/* The highest vtime a task started running with, on any CPU. */
static u64 vtime_now;

/* Policy maps: the value is a mask (0: no restriction) and the live bit. */
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

/*
 * The scheduler's own record of a task, beside xcr0_task: what the fast
 * paths read at every switch. It is not pinned, and userspace never writes
 * it: a read-modify-write of xcr0_task by the CLI (live_once) cannot bring
 * back old sums here. A new scheduler starts with fresh records.
 */
struct sched_task {
	u64 cgid;		/* cgroup its weight was added to, 0: none (the root) */
	u64 added;		/* the weight it added there */
	u64 exec_start;		/* its sum_exec_runtime when it last started running */
	u64 cg_cur;		/* its cgroup for the cpu controller, 0: the root */
	u64 policy_gen;		/* policy generation of its last resolution */
	u64 policy_stamp;	/* clock_now() at its last resolution */
	u32 queued;		/* between runnable and quiescent */
	u32 policy_due;		/* resolve at the next chance regardless */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sched_task);
} sched_tasks SEC(".maps");

static struct sched_task *sched_task_get(struct task_struct *p)
{
	return bpf_task_storage_get(&sched_tasks, p, 0, 0);
}

static void stat_add(u32 idx, u64 n)
{
	u64 *cnt = bpf_map_lookup_elem(&xcr0_stats, &idx);

	if (cnt)
		*cnt += n;
}

static void stat_inc(u32 idx)
{
	stat_add(idx, 1);
}

static u64 policy_gen(void)
{
	u32 zero = 0;
	u64 *gen = bpf_map_lookup_elem(&xcr0_gen, &zero);

	return gen ? *gen : 0;
}

/* What scx_xcr0_lookup() needs to know of the task being resolved. */
struct resolve_ctx {
	u32 tid;
	u32 tgid;
	struct scx_xcr0_task *tctx;	/* its storage, for the kept pid value */
	struct cgroup *cgrp;		/* its cgroup in the default hierarchy */
	int level;			/* @cgrp's level, 0 for the root */
};

static __always_inline int found(u64 *v, u64 *val)
{
	if (!v)
		return SCX_XCR0_FOUND_NONE;
	*val = *v;
	return SCX_XCR0_FOUND_ENTRY;
}

/*
 * The map entries of one precedence level (xcr0_resolve.h). The cgroup is
 * the task's in the default hierarchy, the directory that /proc/<pid>/cgroup
 * names whatever controllers are enabled there; the scheduler's view
 * (scx_bpf_task_cgroup()) would stop at the nearest cgroup with the cpu
 * controller. Probe reads, as the css_set may change under us: a resolution
 * that raced a move is redone within the refresh interval.
 */
static __always_inline int scx_xcr0_lookup(void *ctx, enum scx_xcr0_src level, int depth,
					   u64 *val)
{
	struct resolve_ctx *rc = ctx;
	struct cgroup *anc;
	u64 id;

	switch (level) {
	case SCX_XCR0_SRC_TID:
		return found(bpf_map_lookup_elem(&xcr0_tid, &rc->tid), val);
	case SCX_XCR0_SRC_PID:
		return found(bpf_map_lookup_elem(&xcr0_pid, &rc->tgid), val);
	case SCX_XCR0_SRC_PID_KEPT:
		if (!rc->tctx || !rc->tctx->kept_valid)
			return SCX_XCR0_FOUND_NONE;
		*val = rc->tctx->kept;
		return SCX_XCR0_FOUND_ENTRY;
	case SCX_XCR0_SRC_CGROUP:
		if (!rc->cgrp || depth < 0 || depth > rc->level)
			return SCX_XCR0_FOUND_END;
		if (bpf_probe_read_kernel(&anc, sizeof(anc),
					  &rc->cgrp->ancestors[rc->level - depth]) || !anc)
			return SCX_XCR0_FOUND_END;
		id = BPF_CORE_READ(anc, kn, id);
		return found(bpf_map_lookup_elem(&xcr0_cgroup, &id), val);
	default:
		return SCX_XCR0_FOUND_NONE;
	}
}

/* @p's policy value by precedence; *@src says which level gave it. */
static u64 task_resolve(struct task_struct *p, struct scx_xcr0_task *tctx, u32 *src)
{
	struct resolve_ctx rc = { .tid = p->pid, .tgid = p->tgid, .tctx = tctx };
	struct scx_xcr0_resolved r;
	struct cgroup *cgrp;
	bool exempt;

	stat_inc(SCX_XCR0_STAT_RESOLVE);
	exempt = scx_xcr0_exempt(p->flags & (PF_KTHREAD | PF_USER_WORKER), rc.tgid, daemon_tgid);
	if (!exempt) {
		/* a local: BPF_CORE_READ() of a field of rc would relocate rc too */
		cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp);
		if (cgrp)
			rc.level = BPF_CORE_READ(cgrp, level);
		rc.cgrp = cgrp;
	}
	scx_xcr0_resolve(&rc, exempt, supported, default_mask, &r);
	/*
	 * Not under "if (r.invalid)": a branch on it would make the verifier
	 * track the count exactly, and the walk's loop would never converge.
	 */
	stat_add(SCX_XCR0_STAT_INVALID, r.invalid);
	*src = r.src;
	return r.val;
}

/*
 * Hand policy value @val to the kernel for @p, which the calling op holds
 * under its rq lock: its mask becomes @p's pending mask, and with the live
 * bit the mask of the running program too.
 */
static bool task_apply(struct task_struct *p, struct scx_xcr0_task *tctx, u64 val)
{
	bool live = val & SCX_XCR0_VAL_LIVE;
	int err = -EOPNOTSUPP;

	if (bpf_ksym_exists(scx_bpf_task_set_xcr0))
		err = scx_bpf_task_set_xcr0(p, scx_xcr0_val_mask(val), live ? SCX_XCR0_LIVE : 0);
	tctx->err = err;
	if (err) {
		stat_inc(SCX_XCR0_STAT_KFUNC_ERR);
		return false;
	}
	stat_inc(SCX_XCR0_STAT_SET);
	if (live)
		stat_inc(SCX_XCR0_STAT_LIVE);
	tctx->set = val;
	return true;
}

/*
 * Whether @want asks the kernel for something it does not have from @set:
 * another pending mask, or a live change where the last call was not live.
 * A running program's mask only changes at exec or by a live call, so after
 * a live call it equals the pending mask until the pending mask changes:
 * the same live value again has nothing to do, and is not re-sent.
 */
static bool task_needs_set(u64 set, u64 want)
{
	return scx_xcr0_val_mask(want) != scx_xcr0_val_mask(set) ||
	       (want & ~set & SCX_XCR0_VAL_LIVE);
}

/*
 * Resolve @p's policy again and bring its pending mask up to date; task_refresh()
 * decides when. Only for ops that are handed @p under its rq lock while it is
 * SCX_TASK_ENABLED, which the kfunc requires: running and tick.
 */
static void task_policy_update(struct task_struct *p, u64 gen, u64 now)
{
	struct scx_xcr0_task *tctx;
	u64 want;
	u32 src;

	tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
	if (!tctx)
		return;
	want = task_resolve(p, tctx, &src);
	if (tctx->live_once)
		want |= SCX_XCR0_VAL_LIVE;
	tctx->gen = gen;
	tctx->stamp = now;
	tctx->want = want;
	tctx->src = src;
	/* a refused call is retried at the next refresh, live_once included */
	if (task_needs_set(tctx->set, want) && !task_apply(p, tctx, want))
		return;
	tctx->live_once = 0;
}

/*
 * A new task starts with the pid-level policy of the task that forked it,
 * the way the kernel copies the mask itself at fork: a restricted shell
 * keeps its children restricted. A new process gets a copy of its parent's
 * xcr0_pid entry, or of the value its parent kept (below). A new thread
 * shares its process's entry, and copies the kept value of its creator.
 *
 * When xcr0_pid is full the copy cannot be recorded: the child keeps the
 * value in its storage instead (fail closed, the pid level of
 * xcr0_resolve.h) and SCX_XCR0_STAT_INHERIT_FULL counts it. An entry that
 * is already there (written for a pid not yet in use) is left alone.
 */
static void pid_entry_inherit(struct task_struct *child, struct scx_xcr0_task *cctx)
{
	struct task_struct *parent = bpf_get_current_task_btf();
	u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct scx_xcr0_task *pctx;
	u64 *entry, val;
	long err;

	pctx = bpf_task_storage_get(&xcr0_task, parent, 0, 0);
	if (ptgid == ctgid) {
		if (pctx && pctx->kept_valid) {
			cctx->kept = pctx->kept;
			cctx->kept_valid = 1;
		}
		return;
	}
	entry = bpf_map_lookup_elem(&xcr0_pid, &ptgid);
	if (entry)
		val = *entry;
	else if (pctx && pctx->kept_valid)
		val = pctx->kept;
	else
		return;
	err = bpf_map_update_elem(&xcr0_pid, &ctgid, &val, BPF_NOEXIST);
	if (!err) {
		cctx->pid_entry_copied = 1;
	} else if (err != -EEXIST) {
		cctx->kept = val;
		cctx->kept_valid = 1;
		stat_inc(SCX_XCR0_STAT_INHERIT_FULL);
	}
}

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * The clock a task's vtime is measured against. vtime_now follows the
 * tasks of every CPU, which is right for a task that may run anywhere; but
 * a CPU whose tasks are pinned to it shares its time among more of them
 * and its vtimes advance more slowly than the others'. A task confined to
 * some CPUs is measured against their own clocks (the highest vtime each
 * one started a task with, struct cpu_ctx.vtime): against vtime_now, a
 * pinned task that woke would land far behind its CPU's other tasks, and
 * wait until they caught up, however small its weight made their pace.
 */

/* What the scheduler keeps per CPU; written only by that CPU. */
struct cpu_ctx {
	u64 vtime;		/* its clock: the highest vtime it started a task with */
	u64 mask;		/* applied mask of the last user task it ran ... */
	u64 known;		/* ... if it ran one */
	u64 cur_gen;		/* policy generation and ... */
	u64 cur_stamp;		/* ... time of the last resolution ... */
	u32 cur_pid;		/* ... of the task it runs (task_refresh()) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_ctx);
} cpu_ctxs SEC(".maps");

static struct cpu_ctx *cpu_ctx_get(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_ctxs, &zero);
}

static u64 cpu_clock(s32 cpu)
{
	u32 zero = 0;
	struct cpu_ctx *c = bpf_map_lookup_percpu_elem(&cpu_ctxs, &zero, cpu);

	return c ? c->vtime : 0;
}

/* scx_bpf_nr_cpu_ids(), read once by xcr0_init. */
static u32 nr_cpus;

/* The clock of @p's CPUs: the latest of theirs, vtime_now if none is known. */
static u64 task_clock(const struct task_struct *p)
{
	u32 nr = nr_cpus;
	u64 clock = 0, c;
	s32 cpu;

	if (p->nr_cpus_allowed >= nr)
		return vtime_now;
	if (p->nr_cpus_allowed == 1) {
		clock = cpu_clock(bpf_cpumask_first(p->cpus_ptr));
	} else {
		bpf_for(cpu, 0, nr) {
			if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
				continue;
			c = cpu_clock(cpu);
			if (c && (!clock || vtime_before(clock, c)))
				clock = c;
		}
	}
	return clock ?: vtime_now;
}

/*
 * cpu.weight. Each cgroup with the cpu controller gets a share of the CPU
 * in proportion to its weight, whatever number of tasks it runs: a task of
 * a cgroup is charged vtime as if its weight were
 *
 *	task weight * cgroup weight / runnable weight of its cgroup
 *
 * where the runnable weight sums the weights of the cgroup's runnable
 * tasks. The tasks of one cgroup then share its part by their nice weights,
 * and the cgroups share the machine by cpu.weight, all in the one vtime
 * order of the shared DSQ. Tasks of the root cgroup are charged by their
 * own weight, as CFS treats them: each is a peer of the child cgroups.
 *
 * The hierarchy is flat: a nested cgroup competes with every other cgroup
 * as if they were siblings, its parent's weight does not scale it (a full
 * hierarchical share, as scx_flatcg computes, is not needed for the usual
 * one-level container layout). The sums move with runnable/quiescent,
 * cgroup_move and set_weight; each task remembers what it added where, so
 * a missed event costs at most one task's weight until it sleeps again.
 */
#define CG_WEIGHTS_MAX		16384

struct cg_weight {
	u64 weight;		/* cpu.weight, 1..10000 */
	u64 runnable;		/* sum of the weights of its runnable tasks */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, CG_WEIGHTS_MAX);
	__type(key, u64);			/* cgroup id */
	__type(value, struct cg_weight);
} cg_weights SEC(".maps");

#define CG_WEIGHT_DFL		100
#define CG_WEIGHT_MAX		10000

static u64 cg_weight_clamp(u64 weight)
{
	return weight < 1 ? 1 : weight > CG_WEIGHT_MAX ? CG_WEIGHT_MAX : weight;
}

/* The id cg_weights knows @cgrp by; 0 for the root, which has no entry. */
static u64 cgrp_id(struct cgroup *cgrp)
{
	return cgrp && cgrp->level ? cgrp->kn->id : 0;
}

static void cg_runnable_sub(struct sched_task *st)
{
	struct cg_weight *cw;

	if (!st->cgid)
		return;
	cw = bpf_map_lookup_elem(&cg_weights, &st->cgid);
	/* never below zero: a sum that missed an add must not wrap */
	if (cw && __sync_fetch_and_sub(&cw->runnable, st->added) < st->added)
		__sync_fetch_and_add(&cw->runnable, st->added);
	st->cgid = 0;
	st->added = 0;
}

static void cg_runnable_add(struct sched_task *st, u64 id, u64 weight)
{
	struct cg_weight *cw;

	cg_runnable_sub(st);
	st->added = weight;
	if (!id)
		return;
	cw = bpf_map_lookup_elem(&cg_weights, &id);
	if (!cw)
		return;
	__sync_fetch_and_add(&cw->runnable, weight);
	st->cgid = id;
}

/* @p is in cgroup @id now; a runnable task takes its weight along. */
static void task_cgroup_set(struct task_struct *p, struct sched_task *st, u64 id)
{
	st->cg_cur = id;
	if (st->queued)
		cg_runnable_add(st, id, p->scx.weight);
}

/*
 * The vtime that @p's last run costs it: the CPU time it used (from the
 * kernel's sum_exec_runtime, which counts a run that overstayed its slice
 * in full) over its weight.
 */
static u64 vtime_charge(struct task_struct *p)
{
	u64 tw = p->scx.weight ?: 1, sum, used;
	struct sched_task *st;
	struct cg_weight *cw;

	st = sched_task_get(p);
	if (!st)
		return (SCX_SLICE_DFL - p->scx.slice) * 100 / tw;
	used = p->se.sum_exec_runtime - st->exec_start;
	if (!st->cgid)
		return used * 100 / tw;
	cw = bpf_map_lookup_elem(&cg_weights, &st->cgid);
	if (!cw)
		return used * 100 / tw;
	sum = cw->runnable;
	if (sum < tw)
		sum = tw;
	return used * 100 * sum / (tw * cg_weight_clamp(cw->weight));
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
	u64 vtime = p->scx.dsq_vtime, clock;

	/*
	 * A task that slept long may bank at most one slice of credit. Only a
	 * waking task: one that stayed runnable earned its lag, and lifting it
	 * to the clock would undo the weights (the clock runs at the pace of
	 * the most charged task of its CPUs).
	 */
	if (enq_flags & SCX_ENQ_WAKEUP) {
		clock = task_clock(p);
		if (vtime_before(vtime, clock - SCX_SLICE_DFL))
			vtime = clock - SCX_SLICE_DFL;
	}
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

/*
 * Mask-aware placement. Switching between two user tasks with the same
 * applied mask leaves XCR0 alone (once the kernel skips equal masks), so a
 * CPU that picks its next task prefers one whose applied mask equals that
 * of the last user task it ran, if that task is nearly at the front
 * anyway: among the first PLACE_SCAN tasks of the shared DSQ, and with a
 * vtime at most PLACE_WINDOW after the front task's.
 *
 * The bound: a task is passed over only by tasks whose vtime is within
 * PLACE_WINDOW (one slice) of its own, and each of those is charged for
 * the time it runs, so the front task runs before the queue's vtime moves
 * one window past it. That is the slack enqueue already grants a waking
 * task (one slice of credit); the weights, and so the long-run shares, do
 * not change. Kernel threads have no user XCR0 and neither set nor match
 * a CPU's last mask.
 */
#define PLACE_WINDOW		SCX_SLICE_DFL
#define PLACE_SCAN		16

/* Whether placement is on: the loader may clear it (bench, comparisons). */
const volatile bool place_by_mask = true;

static u64 task_applied(struct task_struct *p)
{
	return bpf_ksym_exists(scx_bpf_task_get_xcr0_applied) ?
		scx_bpf_task_get_xcr0_applied(p) : 0;
}

/* A queued task that could run next on @cpu without another XCR0. */
static bool place_match(struct task_struct *p, s32 cpu, u64 mask)
{
	return !(p->flags & PF_KTHREAD) && task_applied(p) == mask &&
	       bpf_cpumask_test_cpu(cpu, p->cpus_ptr);
}

static bool dispatch_same_mask(s32 cpu)
{
	struct cpu_ctx *last = cpu_ctx_get();
	struct task_struct *p;
	u64 front = 0;
	int n = 0;

	if (!place_by_mask || !last || !last->known)
		return false;
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		if (!n)
			front = p->scx.dsq_vtime;
		else if (vtime_before(front + PLACE_WINDOW, p->scx.dsq_vtime))
			break;
		if (++n > PLACE_SCAN)
			break;
		if (!place_match(p, cpu, last->mask))
			continue;
		/* the front task is what consume would take anyway */
		if (n == 1)
			return false;
		if (scx_bpf_dispatch_from_dsq(BPF_FOR_EACH_ITER, p, SCX_DSQ_LOCAL, 0)) {
			stat_inc(SCX_XCR0_STAT_PLACED);
			return true;
		}
	}
	return false;
}

/*
 * A task whose slice ran out is not on the DSQ while its CPU looks for the
 * next one, so the CPU would switch to the front task even when the
 * expired one, charged for this run, still comes first: two tasks on a CPU
 * would alternate slice by slice whatever their weights. Keep @prev, with
 * a new slice, while no queued task that may run here has a lower vtime.
 * Its stopping charges the whole run since it started (sum_exec_runtime).
 */
static bool keep_prev(struct task_struct *prev, s32 cpu)
{
	struct task_struct *p;
	bool keep = true;
	u64 pv;
	int n = 0;

	if (!prev || !(prev->scx.flags & SCX_TASK_QUEUED))
		return false;
	pv = prev->scx.dsq_vtime + vtime_charge(prev);
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		if (++n > PLACE_SCAN)
			break;
		if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			continue;
		keep = !vtime_before(p->scx.dsq_vtime, pv);
		break;
	}
	if (keep)
		prev->scx.slice = SCX_SLICE_DFL;
	return keep;
}

void BPF_STRUCT_OPS(xcr0_dispatch, s32 cpu, struct task_struct *prev)
{
	s32 nr = scx_bpf_dsq_nr_queued(SHARED_DSQ);

	/*
	 * Nothing queued (a CPU going idle): what keep_prev() and the scan
	 * would conclude, without creating an iterator. With one task queued
	 * the scan has nothing to pick but the front task, which consume
	 * takes (ping-pong loads).
	 */
	if (nr <= 0) {
		if (prev && (prev->scx.flags & SCX_TASK_QUEUED))
			prev->scx.slice = SCX_SLICE_DFL;
		return;
	}
	if (keep_prev(prev, cpu))
		return;
	if (nr == 1 || !dispatch_same_mask(cpu))
		scx_bpf_consume(SHARED_DSQ);
}

/*
 * Count a CPU's changes of user mask, the switches that cost XSETBV, and
 * remember the mask for placement.
 */
static void cpu_mask_note(struct cpu_ctx *c, struct task_struct *p)
{
	u64 mask;

	if (p->flags & PF_KTHREAD)
		return;
	mask = task_applied(p);
	if (c->known && c->mask != mask)
		stat_inc(SCX_XCR0_STAT_MASK_CHANGE);
	c->mask = mask;
	c->known = 1;
}

/*
 * The cgroup @p runs in, as cgroup_move last told. Checked again with each
 * resolution of its policy, so that a move the scheduler did not see (none
 * is known) charges the old cgroup for at most one refresh interval.
 */
static void task_cgroup_sync(struct task_struct *p, struct sched_task *st)
{
	struct cgroup *cgrp = scx_bpf_task_cgroup(p);
	u64 id = cgrp_id(cgrp);

	bpf_cgroup_release(cgrp);
	if (id != st->cg_cur)
		task_cgroup_set(p, st, id);
}

/*
 * The time for refresh intervals in running and tick: this CPU's rq clock,
 * which the kernel updated just before either op. It is sched_clock(),
 * kept in step across CPUs, and reading it reads no clock source:
 * bpf_ktime_get_ns() does, and under emulation that made up much of what
 * running cost. A stamp taken on a CPU whose clock runs a little ahead
 * only looks due a little early or late.
 */
static u64 clock_now(void)
{
	return scx_bpf_cpu_rq(bpf_get_smp_processor_id())->clock;
}

static bool refresh_due(u64 then_gen, u64 then, u64 gen, u64 now)
{
	return then_gen != gen || now - then >= refresh_ns;
}

/*
 * Resolve @p's policy again if its last resolution is stale: the policy
 * generation moved (userspace bumps it after a change, and after asking
 * for a live change in xcr0_task), the refresh interval passed (which
 * covers writes that do not bump it), or the task was just enabled. Its
 * own record answers that, so a switch costs no lookup in the policy
 * maps or in xcr0_task. The CPU @c keeps a copy of its running task's
 * last resolution, so that a tick, which comes every few milliseconds to
 * a task that runs on, needs no task storage lookup to find it is not due.
 */
static void task_refresh(struct task_struct *p, struct sched_task *st, struct cpu_ctx *c,
			 u64 gen, u64 now)
{
	if (st->policy_due || refresh_due(st->policy_gen, st->policy_stamp, gen, now)) {
		st->policy_due = 0;
		st->policy_gen = gen;
		st->policy_stamp = now;
		task_cgroup_sync(p, st);
		task_policy_update(p, gen, now);
	}
	if (c) {
		c->cur_pid = p->pid;
		c->cur_gen = st->policy_gen;
		c->cur_stamp = st->policy_stamp;
	}
}

void BPF_STRUCT_OPS(xcr0_running, struct task_struct *p)
{
	struct sched_task *st = sched_task_get(p);
	struct cpu_ctx *c = cpu_ctx_get();

	/*
	 * The clocks follow the tasks that start running; racing CPUs may
	 * move vtime_now a little out of order, which only blurs fairness
	 * briefly. A CPU's own clock is only written by that CPU.
	 */
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	if (c) {
		if (vtime_before(c->vtime, p->scx.dsq_vtime))
			c->vtime = p->scx.dsq_vtime;
		cpu_mask_note(c, p);
	}
	if (st) {
		st->exec_start = p->se.sum_exec_runtime;
		task_refresh(p, st, c, policy_gen(), clock_now());
	}
}

/*
 * Fault injection for selftests/vm/fault_tests: with the loader's
 * --test-hooks (the read-only test_hooks), a nonzero value written to
 * xcr0_fault (bpftool map update name xcr0_fault ...) makes the next tick
 * call scx_bpf_error(), the way a bug in this program would eject it.
 * Without the option the verifier drops the check and a write does
 * nothing. Not pinned: a new scheduler starts with the trigger clear.
 */
const volatile bool test_hooks;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} xcr0_fault SEC(".maps");

static void test_hook_check(void)
{
	u32 zero = 0;
	u64 *req;

	if (!test_hooks)
		return;
	req = bpf_map_lookup_elem(&xcr0_fault, &zero);
	if (req && *req)
		scx_bpf_error("test hook: error ejection requested (xcr0_fault = %llu)", *req);
}

void BPF_STRUCT_OPS(xcr0_tick, struct task_struct *p)
{
	struct cpu_ctx *c = cpu_ctx_get();
	u64 gen = policy_gen(), now = clock_now();
	struct sched_task *st;

	test_hook_check();
	/* A task that never leaves its CPU still sees policy changes. */
	if (c && c->cur_pid == p->pid && !refresh_due(c->cur_gen, c->cur_stamp, gen, now))
		return;
	st = sched_task_get(p);
	if (st)
		task_refresh(p, st, c, gen, now);
}

void BPF_STRUCT_OPS(xcr0_stopping, struct task_struct *p, bool runnable)
{
	/* Charge the time it ran, scaled by the inverse weight. */
	p->scx.dsq_vtime += vtime_charge(p);
}

void BPF_STRUCT_OPS(xcr0_runnable, struct task_struct *p, u64 enq_flags)
{
	struct sched_task *st = sched_task_get(p);

	if (!st)
		return;
	cg_runnable_add(st, st->cg_cur, p->scx.weight);
	st->queued = 1;
}

void BPF_STRUCT_OPS(xcr0_quiescent, struct task_struct *p, u64 deq_flags)
{
	struct sched_task *st = sched_task_get(p);

	if (st) {
		cg_runnable_sub(st);
		st->queued = 0;
	}
}

/*
 * A task whose CPUs change is moved to their clock, keeping at most one
 * slice of lag or credit: its vtime was measured against the clock of the
 * CPUs it had, which may run far ahead of or behind the new ones (a shell
 * on an idle CPU starting a task that it pins to a busy one). The kernel
 * takes the task off the DSQ around this call. A task that disables
 * migration is pinned only while it runs on, and keeps its vtime.
 */
void BPF_STRUCT_OPS(xcr0_set_cpumask, struct task_struct *p, const struct cpumask *cpumask)
{
	u64 clock;

	if (is_migration_disabled(p))
		return;
	clock = task_clock(p);
	if (vtime_before(p->scx.dsq_vtime, clock - SCX_SLICE_DFL))
		p->scx.dsq_vtime = clock - SCX_SLICE_DFL;
	else if (vtime_before(clock + SCX_SLICE_DFL, p->scx.dsq_vtime))
		p->scx.dsq_vtime = clock + SCX_SLICE_DFL;
}

/* A nice change of a runnable task moves its part of the sum. */
void BPF_STRUCT_OPS(xcr0_set_weight, struct task_struct *p, u32 weight)
{
	struct sched_task *st = sched_task_get(p);
	struct cg_weight *cw;

	if (!st || !st->queued)
		return;
	cw = st->cgid ? bpf_map_lookup_elem(&cg_weights, &st->cgid) : NULL;
	if (!cw) {
		st->added = weight;
		return;
	}
	__sync_fetch_and_add(&cw->runnable, weight);
	if (__sync_fetch_and_sub(&cw->runnable, st->added) < st->added)
		__sync_fetch_and_add(&cw->runnable, st->added);
	st->added = weight;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(xcr0_cgroup_init, struct cgroup *cgrp,
			     struct scx_cgroup_init_args *args)
{
	struct cg_weight cw = { .weight = cg_weight_clamp(args->weight) };
	u64 id = cgrp->kn->id;

	/*
	 * A cgroup that does not fit is charged like the root (by task
	 * weights only): creating it must not fail because of the scheduler.
	 */
	bpf_map_update_elem(&cg_weights, &id, &cw, BPF_ANY);
	return 0;
}

void BPF_STRUCT_OPS(xcr0_cgroup_exit, struct cgroup *cgrp)
{
	u64 id = cgrp->kn->id;

	bpf_map_delete_elem(&cg_weights, &id);
}

void BPF_STRUCT_OPS(xcr0_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	u64 id = cgrp->kn->id;
	struct cg_weight *cw = bpf_map_lookup_elem(&cg_weights, &id);

	if (cw)
		cw->weight = cg_weight_clamp(weight);
}

/* A runnable task takes its weight along to its new cgroup. */
void BPF_STRUCT_OPS(xcr0_cgroup_move, struct task_struct *p, struct cgroup *from,
		    struct cgroup *to)
{
	struct sched_task *st = sched_task_get(p);

	if (st)
		task_cgroup_set(p, st, cgrp_id(to));
}

s32 BPF_STRUCT_OPS(xcr0_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct scx_xcr0_task *tctx;
	struct sched_task *st;

	tctx = bpf_task_storage_get(&xcr0_task, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	st = bpf_task_storage_get(&sched_tasks, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return -ENOMEM;
	st->cg_cur = cgrp_id(args->cgroup);
	if (args->fork)
		pid_entry_inherit(p, tctx);
	return 0;
}

void BPF_STRUCT_OPS(xcr0_enable, struct task_struct *p)
{
	struct scx_xcr0_task *tctx;
	struct sched_task *st;

	p->scx.dsq_vtime = task_clock(p);

	st = sched_task_get(p);
	if (st)
		st->policy_due = 1;
	tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
	if (!tctx)
		return;
	/*
	 * The kfunc may not be called before the task is enabled, so resolve
	 * when it first runs. Until then it keeps the masks the kernel has
	 * for it (a forked child's are its parent's); a policy that agrees
	 * with its pending mask costs no call.
	 */
	tctx->set = bpf_ksym_exists(scx_bpf_task_get_xcr0) ? scx_bpf_task_get_xcr0(p) : 0;
	tctx->err = 0;
}

void BPF_STRUCT_OPS(xcr0_exit_task, struct task_struct *p, struct scx_exit_task_args *args)
{
	struct scx_xcr0_task *tctx;
	u32 id = p->pid;

	/*
	 * A fork that failed after init_task (a fatal signal to the parent)
	 * leaves a task nobody ever saw: the pid entry init_task copied for
	 * it is ours alone, and would go to the next process with that pid.
	 */
	if (args->cancelled) {
		tctx = bpf_task_storage_get(&xcr0_task, p, 0, 0);
		if (tctx && tctx->pid_entry_copied && p->pid == p->tgid &&
		    !bpf_map_delete_elem(&xcr0_pid, &id))
			stat_inc(SCX_XCR0_STAT_CANCELLED);
		return;
	}
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
	nr_cpus = scx_bpf_nr_cpu_ids();
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
	       .runnable		= (void *)xcr0_runnable,
	       .quiescent		= (void *)xcr0_quiescent,
	       .set_weight		= (void *)xcr0_set_weight,
	       .set_cpumask		= (void *)xcr0_set_cpumask,
	       .cgroup_init		= (void *)xcr0_cgroup_init,
	       .cgroup_exit		= (void *)xcr0_cgroup_exit,
	       .cgroup_set_weight	= (void *)xcr0_cgroup_set_weight,
	       .cgroup_move		= (void *)xcr0_cgroup_move,
	       .init_task		= (void *)xcr0_init_task,
	       .enable			= (void *)xcr0_enable,
	       .exit_task		= (void *)xcr0_exit_task,
	       .init			= (void *)xcr0_init,
	       .exit			= (void *)xcr0_exit,
	       .flags			= SCX_OPS_HAS_CGROUP_WEIGHT,
	       .name			= "xcr0");

/*
 * A removed cgroup takes its entry along (`set --cgroup` or bpftool wrote
 * it), so that removed cgroups do not fill xcr0_cgroup. rmdir succeeds only
 * on a cgroup without tasks or children, so no task resolves to it any
 * more and the generation need not move. The daemon attaches this program
 * next to the scheduler.
 */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(xcr0_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	u64 id = BPF_CORE_READ(cgrp, kn, id);

	bpf_map_delete_elem(&xcr0_cgroup, &id);
	return 0;
}
