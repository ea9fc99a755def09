// SPDX-License-Identifier: GPL-2.0
/*
 * test_fuzz_xcr0: scx_bpf_task_set_xcr0() fed edge cases and random 64-bit
 * masks and flags from the xcr0_kfunc_fuzz scheduler, on a child of ours
 * that never execs. Each answer must be what docs/kernel.md says: -EINVAL
 * for unknown flags, 0 for mask 0, else 0 exactly when include/xcr0.h's
 * xcr0_check() accepts the mask against this CPU's XCR0 (XGETBV of this
 * unrestricted process) and -EINVAL otherwise; the pending mask read back
 * after each call must be the mask just accepted, or the one before if it
 * was refused (nothing clamped, nothing refused stored). No call may fault
 * or eject the scheduler (vm/run fails on any kernel warning).
 *
 *   test_fuzz_xcr0 [-n RANDOM_MASKS] [-s SEED]
 *
 * RANDOM_MASKS defaults to $SCX_XCR0_STRESS_KFUNC_MASKS, else 1000000.
 * One line per test (ok/FAIL/SKIP kfunc/NAME), each after its row line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "xcr0.h"
#include "xcr0_cpu.h"

#define TEST_PREFIX "kfunc"
#include "xcr0_report.h"

/* The scheduler's record of one call (xcr0_kfunc_fuzz.bpf.c) */
struct fuzz_call {
	uint64_t mask;
	uint64_t flags;
	int64_t ret;
	uint64_t pending;
};

#include "xcr0_kfunc_fuzz.skel.h"

#define SCHED_EXT	7
#define BATCH		(sizeof(((struct xcr0_kfunc_fuzz__bss *)0)->calls) / \
			 sizeof(((struct xcr0_kfunc_fuzz__bss *)0)->calls[0]))
#define MAX_WRONG	5	/* wrong answers printed per test */

static struct xcr0_kfunc_fuzz *skel;
static struct bpf_link *scx_link;
static uint64_t full, live, pending;
static pid_t child;
static int to_child, from_child;

struct tally {
	long calls, accepted, refused, wrong;
};

/* What docs/kernel.md says the kfunc returns, from include/xcr0.h's rules. */
static long expected(uint64_t mask, uint64_t flags)
{
	if (flags & ~live)
		return -EINVAL;
	if (!mask)
		return 0;
	return xcr0_check(mask, full) == XCR0_OK ? 0 : -EINVAL;
}

/* SplitMix64: reproducible from the seed printed in the row line. */
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The child the kfunc is called on: it wakes for each byte we send (the
 * scheduler's running() then calls the kfunc for the whole batch), and
 * answers with its XCR0. Only raw syscalls: a live mask may narrow it.
 */
static void child_loop(int in, int out)
{
	struct sched_param sp = {};
	uint64_t x;
	char c;

	if (sched_setscheduler(0, SCHED_EXT, &sp))
		_exit(2);
	for (;;) {
		if (syscall(SYS_read, in, &c, 1) != 1)
			_exit(0);
		x = xgetbv0();
		if (syscall(SYS_write, out, &x, sizeof(x)) != sizeof(x))
			_exit(3);
	}
}

static int start(void)
{
	int down[2], up[2];

	skel = xcr0_kfunc_fuzz__open();
	if (!skel)
		return -1;
	skel->struct_ops.fuzz_ops->hotplug_seq = scx_hotplug_seq();
	skel->struct_ops.fuzz_ops->flags |= SCX_OPS_SWITCH_PARTIAL;
	if (xcr0_kfunc_fuzz__load(skel))
		return -1;
	scx_link = bpf_map__attach_struct_ops(skel->maps.fuzz_ops);
	if (!scx_link)
		return -1;
	live = skel->rodata->xcr0_live;
	if (pipe(down) || pipe(up))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (!child) {
		close(down[1]);
		close(up[0]);
		child_loop(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	to_child = down[1];
	from_child = up[0];
	skel->bss->target_tid = child;
	return 0;
}

static void stop(void)
{
	if (child > 0) {
		close(to_child);
		waitpid(child, NULL, 0);
	}
	if (scx_link)
		bpf_link__destroy(scx_link);
	if (skel)
		xcr0_kfunc_fuzz__destroy(skel);
}

/*
 * Post calls[0..n) and wake the child until the scheduler has run them. A
 * wake-up that finds the child still on its CPU runs no running(): wake
 * again. Returns the child's XCR0 after the batch, 0 on failure.
 */
static uint64_t run_batch(unsigned int n)
{
	uint64_t seq = skel->bss->batch_seq + 1, x = 0;
	int i;

	skel->bss->nr_calls = n;
	__atomic_store_n(&skel->bss->batch_seq, seq, __ATOMIC_RELEASE);
	for (i = 0; i < 2000; i++) {
		if (write(to_child, "b", 1) != 1 || read(from_child, &x, sizeof(x)) != sizeof(x))
			return 0;
		if (__atomic_load_n(&skel->bss->done_seq, __ATOMIC_ACQUIRE) == seq)
			return x;
		usleep(1000);
	}
	return 0;
}

/* Check calls[0..n) against expected(); pending follows the accepted masks. */
static void check_batch(unsigned int n, struct tally *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct fuzz_call *c = &skel->bss->calls[i];
		long want = expected(c->mask, c->flags);

		/* what the pending mask must be now: refused calls store nothing */
		if (!want)
			pending = c->mask;
		t->calls++;
		if (c->ret)
			t->refused++;
		else
			t->accepted++;
		if (c->ret == want && c->pending == pending)
			continue;
		if (t->wrong++ < MAX_WRONG)
			printf("# %s: mask 0x%llx flags 0x%llx: kfunc %lld (want %ld), pending 0x%llx "
			       "(want 0x%llx)\n", name, (unsigned long long)c->mask,
			       (unsigned long long)c->flags, (long long)c->ret, want,
			       (unsigned long long)c->pending, (unsigned long long)pending);
		pending = c->pending;
	}
}

/* Edge cases, queued by add() and run in batches. */
static struct { uint64_t mask, flags; } *edge;
static unsigned int nr_edge, cap_edge;

static void add(uint64_t mask, uint64_t flags)
{
	if (nr_edge == cap_edge) {
		cap_edge = cap_edge ? 2 * cap_edge : 1024;
		edge = realloc(edge, cap_edge * sizeof(*edge));
		if (!edge)
			abort();
	}
	edge[nr_edge].mask = mask;
	edge[nr_edge++].flags = flags;
}

static void add_edge_cases(void)
{
	static const uint64_t splits[] = { XCR0_AVX512, XCR0_AMX, XCR0_MPX };
	uint64_t bases[] = { XCR0_X86_64_V2, XCR0_X86_64_V3, full }, sub, grp, part;
	const uint64_t bit63 = 1ULL << 63, bit62 = 1ULL << 62;
	unsigned int b, i, k;

	add(0, 0);
	add(~0ULL, 0);
	add(~0ULL >> 1, 0);
	add(bit62, 0);
	add(bit62 | full, 0);
	/* every single bit, alone and on top of the baseline and of full */
	for (b = 0; b < 64; b++) {
		add(1ULL << b, 0);
		add((1ULL << b) | XCR0_X86_64_V2, 0);
		add((1ULL << b) | full, 0);
	}
	/*
	 * Every subset of what this CPU enables (the valid masks among them,
	 * and the ones missing x87/SSE or splitting a group), plain, live, and
	 * with bit 63 (the scheduler's "live" in map values: never a mask).
	 */
	if (__builtin_popcountll(full) <= 16) {
		sub = 0;
		do {
			add(sub, 0);
			add(sub, live);
			add(sub | bit63, 0);
			add(sub | bit63, live);
			sub = (sub - full) & full;
		} while (sub);
	}
	/* supported | unsupported: each known component the CPU lacks */
	for (b = 0; b < XCR0_NR_BITS; b++) {
		if (!(XCR0_USER_MASK & (1ULL << b)) || (full & (1ULL << b)))
			continue;
		for (i = 0; i < 3; i++)
			add(bases[i] | (1ULL << b), 0);
	}
	/* groups split: each proper part of AVX-512, AMX and MPX */
	for (k = 0; k < 3; k++) {
		grp = splits[k];
		part = (0 - grp) & grp;
		for (; part; part = (part - grp) & grp) {
			for (i = 0; i < 3; i++) {
				add((bases[i] & ~grp) | part, 0);
				add((bases[i] & ~grp) | part, live);
			}
		}
	}
	add(XCR0_X86_64_V2 | XCR0_AVX512, 0);	/* AVX-512 without AVX */
	add(XCR0_X87, 0);			/* no SSE */
	add(XCR0_SSE | XCR0_AVX, 0);		/* no x87 */
	add(XCR0_X87 | XCR0_AVX, 0);		/* AVX without SSE */
	/* every flag bit, and the live flag with bit 63 and 0 */
	for (b = 0; b < 64; b++) {
		add(XCR0_X86_64_V2, 1ULL << b);
		add(XCR0_X86_64_V2, live | (1ULL << b));
	}
	add(bit63, 0);
	add(bit63, live);
	add(bit63 | XCR0_X86_64_V2, live);
	add(0, bit63);
	add(0, live);
}

static void run_edge_cases(void)
{
	struct tally t = {};
	struct timespec a, z;
	unsigned int i, n;

	add_edge_cases();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < nr_edge && !t.wrong; i += n) {
		n = nr_edge - i < BATCH ? nr_edge - i : BATCH;
		for (unsigned int j = 0; j < n; j++) {
			skel->bss->calls[j].mask = edge[i + j].mask;
			skel->bss->calls[j].flags = edge[i + j].flags;
		}
		if (!run_batch(n)) {
			report(false, "edge-masks", "the scheduler never ran batch %zu", i / BATCH);
			return;
		}
		check_batch(n, &t, "edge-masks");
	}
	clock_gettime(CLOCK_MONOTONIC, &z);
	printf("row kfunc/edge-masks | every single bit, every subset of XCR0 0x%llx (plain, "
	       "live, and with bit 63), unsupported components, split AVX-512/AMX/MPX, every flag bit | "
	       "%ld calls, %ld accepted, %ld refused, %ld wrong, %.2f s\n",
	       (unsigned long long)full, t.calls, t.accepted, t.refused, t.wrong,
	       (z.tv_sec - a.tv_sec) + (z.tv_nsec - a.tv_nsec) / 1e9);
	report(!t.wrong && t.accepted && t.refused, "edge-masks",
	       "%ld of %ld answers differ from include/xcr0.h and docs/kernel.md", t.wrong,
	       t.calls);
}

/*
 * Random masks, from four shapes so that each rule gets exercised: any 64
 * bits; the 19 named components; known components with x87|SSE; subsets
 * of this CPU's XCR0 with x87|SSE (mostly valid). Flags: mostly 0, some
 * live, some random.
 */
static uint64_t random_mask(uint64_t r)
{
	uint64_t m = rnd();

	switch (r & 3) {
	case 0:
		return m;
	case 1:
		return m & ((1ULL << XCR0_NR_BITS) - 1);
	case 2:
		return (m & XCR0_USER_MASK) | XCR0_X86_64_V2;
	default:
		return (m & full) | XCR0_X86_64_V2 | ((r & 0x40) ? 1ULL << 63 : 0);
	}
}

static void run_random(long count, uint64_t seed)
{
	struct tally t = {};
	struct timespec a, z;
	long done;
	unsigned int n, j;

	rng = seed;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (done = 0; done < count && !t.wrong; done += n) {
		n = count - done < (long)BATCH ? (unsigned int)(count - done) : BATCH;
		for (j = 0; j < n; j++) {
			uint64_t r = rnd();

			skel->bss->calls[j].mask = random_mask(r);
			skel->bss->calls[j].flags = (r & 0xf00) == 0x100 ? live :
						    (r & 0xf00) == 0x200 ? rnd() : 0;
		}
		if (!run_batch(n)) {
			report(false, "random-masks", "the scheduler never ran a batch");
			return;
		}
		check_batch(n, &t, "random-masks");
	}
	clock_gettime(CLOCK_MONOTONIC, &z);
	printf("row kfunc/random-masks | random 64-bit masks and flags (seed 0x%llx) to "
	       "scx_bpf_task_set_xcr0 | %ld calls, %ld accepted, %ld refused, %ld wrong, "
	       "%.2f s\n", (unsigned long long)seed, t.calls, t.accepted, t.refused, t.wrong,
	       (z.tv_sec - a.tv_sec) + (z.tv_nsec - a.tv_nsec) / 1e9);
	report(!t.wrong && t.calls == count && t.accepted && t.refused, "random-masks",
	       "%ld of %ld answers differ from include/xcr0.h and docs/kernel.md", t.wrong,
	       t.calls);
}

/* Give the child back no mask, live, and see its XCR0 is full again. */
static void restore(void)
{
	struct tally t = {};
	uint64_t x;

	skel->bss->calls[0].mask = 0;
	skel->bss->calls[0].flags = live;
	x = run_batch(1);
	check_batch(1, &t, "restore");
	/* The live change lands on the child's way back to user mode */
	x = run_batch(0);
	printf("row kfunc/restore | mask 0 (live) after the fuzz | pending 0x%llx, "
	       "XGETBV 0x%llx in the task, scheduler %s\n",
	       (unsigned long long)skel->bss->calls[0].pending, (unsigned long long)x,
	       UEI_EXITED(skel, uei) ? "ejected" : "attached");
	report(!t.wrong && x == full && !UEI_EXITED(skel, uei), "restore",
	       "pending 0x%llx, the task's XCR0 0x%llx (want 0x%llx), scheduler %s",
	       (unsigned long long)skel->bss->calls[0].pending, (unsigned long long)x,
	       (unsigned long long)full, UEI_EXITED(skel, uei) ? "ejected" : "attached");
}

int main(int argc, char **argv)
{
	const char *env = getenv("SCX_XCR0_STRESS_KFUNC_MASKS");
	long count = env && *env ? atol(env) : 1000000;
	uint64_t seed = (uint64_t)time(NULL) * 0x9e3779b9ULL ^ getpid();
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n RANDOM_MASKS] [-s SEED]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	full = xgetbv0();
	if (start()) {
		report(false, "load", "cannot load and attach xcr0_kfunc_fuzz: %s",
		       strerror(errno));
		stop();
		return 1;
	}
	run_edge_cases();
	run_random(count, seed);
	restore();
	stop();
	return failures ? 1 : 0;
}
