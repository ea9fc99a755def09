// SPDX-License-Identifier: GPL-2.0
/*
 * test_hw_xcr0: in-VM tests of what only a CPU with AVX-512 and XSAVES
 * (the compacted format) exercises: ZMM0-31 and opmask isolation between
 * tasks of different masks, CPUID 0xD sizes under AVX-512 masks, signal
 * frames and NT_X86_XSTATE with AVX-512 state, widening at exec, and kernel
 * FPU use (AF_ALG) beside restricted tasks. Each test checks CPUID first
 * and prints SKIP with the reason on a CPU without the feature (QEMU TCG);
 * `make check-hw` runs it on Bochs's tigerlake model.
 *
 *   test_hw_xcr0 [-n ROUNDS]
 *   test_hw_xcr0 --role NAME [ARGS]   (a test body, run by the tests)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "xcr0.h"
#include "xcr0_test.skel.h"

#define TEST_PREFIX "hw"
#include "xcr0_harness.h"
#include "xcr0_regs.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ		51
#endif
#define AVX512			XCR0_AVX512
#define OFF_SW_BYTES		464	/* fx_sw_bytes in the FXSAVE area */
#define OFF_XSTATE_BV		512
#define XSTATE_BUF		16384

/* The tags of the tasks' register words (see xcr0_regs.h). */
#define TAG_FULL	0x5a4d4d46	/* "ZMMF": the unrestricted task */
#define KTAG_FULL	0x4b4d5346
#define TAG_E7		0x5a4d4d45	/* "ZMME": the task under 0xe7 */
#define KTAG_E7		0x4b4d5345
#define TAG_Y7		0x594d4d37	/* "YMM7": the task under 0x7 */
#define TAG_X3		0x584d4d33	/* "XMM3": the task under 0x3 */
#define TAG_PTRACE	0x50545241	/* what a tracer tries to put in a 0x7 task */
#define KTAG_PTRACE	0x5054524b
#define TAG_PREFILL	0x50524546	/* a program's registers before an exec */
#define KTAG_PREFILL	0x5052454b
#define TAG_SIG		0x5349474d	/* what a signal handler writes into its frame */
#define KTAG_SIG	0x5349474b

static const uint32_t all_tags[] = {
	TAG_FULL, KTAG_FULL, TAG_E7, KTAG_E7, TAG_Y7, TAG_X3, TAG_PTRACE, KTAG_PTRACE,
	TAG_PREFILL, KTAG_PREFILL,
};

static long rounds = 3000;	/* register round trips per restricted task */
static unsigned int full_size;	/* CPUID XSAVE size of an unrestricted task */

/* ---- what CPUID says ---- */

static bool cpu_has_avx512(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1U << 16)) && (full & AVX512) == AVX512;
}

static bool cpu_has_xsaves(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, 1, a, b, c, d);
	return a & (1U << 3);
}

/* Offset and size of component @nr in the standard (uncompacted) format. */
static unsigned int comp_off(int nr)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, nr, a, b, c, d);
	return b;
}

static unsigned int comp_size(int nr)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, nr, a, b, c, d);
	return a;
}

static long count_foreign(const void *buf, size_t len, uint32_t own, uint32_t kown)
{
	long n = 0;
	size_t i;

	for (i = 0; i < sizeof(all_tags) / sizeof(all_tags[0]); i++)
		if (all_tags[i] != own && all_tags[i] != kown)
			n += count_tag(buf, len, all_tags[i]);
	return n;
}

static uint32_t width_tag(enum regs_width w, uint32_t *ktag)
{
	*ktag = 0;
	if (w == REGS_XMM)
		return TAG_X3;
	if (w == REGS_YMM)
		return TAG_Y7;
	*ktag = KTAG_E7;
	return TAG_E7;
}

/*
 * Copy the registers of @rf (up to @width) into a standard-format XSAVE
 * buffer @fx (a signal frame, an NT_X86_XSTATE regset) or back, at the
 * offsets CPUID gives: XMM in the legacy area, the YMM upper halves
 * (component 2), k0-7 (5), the ZMM0-15 upper halves (6), ZMM16-31 (7).
 */
static void xsave_map(uint8_t *fx, struct regfile *rf, enum regs_width width, bool to_fx)
{
	int r;

#define MAP(dst_fx, src_rf, n)						\
	do {								\
		if (to_fx)						\
			memcpy(dst_fx, src_rf, n);			\
		else							\
			memcpy(src_rf, dst_fx, n);			\
	} while (0)
	for (r = 0; r < 16; r++) {
		MAP(fx + 160 + 16 * r, &rf->z[r][0], 16);
		if (width >= REGS_YMM)
			MAP(fx + comp_off(2) + 16 * r, &rf->z[r][2], 16);
		if (width == REGS_ZMM)
			MAP(fx + comp_off(6) + 32 * r, &rf->z[r][4], 32);
	}
	if (width < REGS_ZMM)
		return;
	for (r = 16; r < 32; r++)
		MAP(fx + comp_off(7) + 64 * (r - 16), &rf->z[r][0], 64);
	for (r = 0; r < 8; r++)
		MAP(fx + comp_off(5) + 8 * r, &rf->k[r], 8);
#undef MAP
}

/* ---- roles: bodies that run in a child under its mask ---- */

static enum regs_width parse_width(const char *s)
{
	return atoi(s) == 512 ? REGS_ZMM : atoi(s) == 256 ? REGS_YMM : REGS_XMM;
}

/* Pin to @cpu, say "ready", wait for the go byte. */
static bool ready_on(int cpu)
{
	char c;

	pin_to(cpu);
	printf("ready\n");
	return read(0, &c, 1) == 1;
}

/* One register round trip across sched_yield(); true if it came back intact. */
static bool roundtrip(enum regs_width w, uint32_t tag, uint32_t ktag, long i)
{
	static struct regfile in, out;

	regs_fill(&in, tag, ktag, i);
	memset(&out, 0, sizeof(out));
	regs_syscall(w, &in, &out, SYS_sched_yield, 0, 0, 0);
	return regs_equal(&in, &out, w);
}

/* Round trips on @cpu until a byte arrives; then "bad B rounds N". */
static int role_loop(enum regs_width w, int cpu, uint32_t tag, uint32_t ktag)
{
	long i, bad = 0;
	char c;

	if (!ready_on(cpu))
		return 1;
	fcntl(0, F_SETFL, O_NONBLOCK);
	for (i = 0;; i++) {
		bad += !roundtrip(w, tag, ktag, i);
		if (!(i & 15) && read(0, &c, 1) == 1)
			break;
	}
	printf("bad %ld rounds %ld\n", bad, i + 1);
	return 0;
}

/* The EVEX instruction a task without AVX-512 executes, and after it. */
extern const char hw_evex[], hw_evex_end[];

static struct {
	volatile int sig, skipped;
	uint64_t xfeatures, bv;
	uint32_t size;
	long foreign;
} evex;

static void evex_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;

	(void)si;
	evex.sig = sig;
	evex.xfeatures = *(const uint64_t *)(fx + OFF_SW_BYTES + 8);
	evex.size = *(const uint32_t *)(fx + OFF_SW_BYTES + 16);
	evex.bv = *(const uint64_t *)(fx + OFF_XSTATE_BV);
	if (evex.size <= XSTATE_BUF)
		evex.foreign = count_foreign(fx, evex.size, TAG_Y7, 0);
	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)hw_evex) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)hw_evex_end;
		evex.skipped = 1;
	}
}

static __attribute__((noinline)) void run_evex(void)
{
	asm volatile(".globl hw_evex, hw_evex_end\n"
		     "hw_evex: vpxord %%zmm1, %%zmm1, %%zmm1\n"
		     "hw_evex_end:\n" ::: "xmm1", "memory");
}

/*
 * The restricted side of the isolation test: @iters round trips on @cpu
 * beside the unrestricted tasks; with @probe (the 0x7 task) also an EVEX
 * instruction, a ptrace stop and a live widening (see test_isolation).
 */
static int role_rounds(enum regs_width w, int cpu, long iters, bool probe)
{
	struct sigaction sa = { .sa_sigaction = evex_handler, .sa_flags = SA_SIGINFO };
	static struct regfile in, out, seen;
	uint32_t tag, ktag;
	long i, bad = 0;
	char c;

	tag = width_tag(w, &ktag);
	if (!ready_on(cpu))
		return 1;
	for (i = 0; i < iters; i++)
		bad += !roundtrip(w, tag, ktag, i);
	printf("bad %ld\n", bad);
	if (!probe)
		return 0;

	if (read(0, &c, 1) != 1)
		return 1;
	sigaction(SIGILL, &sa, NULL);
	run_evex();
	printf("evex sig %d skipped %d xfeatures 0x%llx size 0x%x bv 0x%llx foreign %ld\n",
	       evex.sig, evex.skipped, (unsigned long long)evex.xfeatures, evex.size,
	       (unsigned long long)evex.bv, evex.foreign);

	/* Stopped by the tracer in this read(), YMM live. */
	regs_fill(&in, tag, 0, 0xbeef);
	printf("ready\n");
	regs_syscall(w, &in, &out, SYS_read, 0, (long)&c, 1);
	printf("kept %d\n", regs_equal(&in, &out, w));

	/* The parent widens this program's mask to everything, live. */
	if (read(0, &c, 1) != 1)
		return 1;
	if ((xgetbv0() & AVX512) != AVX512) {
		printf("widened xcr0 0x%llx\n", (unsigned long long)xgetbv0());
		return 0;
	}
	regs_store_zmm(&seen);
	{
		long nonzero = 0;
		int r, k;

		for (r = 0; r < 32; r++)
			for (k = r < 16 ? 4 : 0; k < 8; k++)
				nonzero += !!seen.z[r][k];
		for (k = 0; k < 8; k++)
			nonzero += !!seen.k[k];
		printf("widened xcr0 0x%llx foreign %ld nonzero %ld\n",
		       (unsigned long long)xgetbv0(), count_foreign(&seen, sizeof(seen), tag, 0),
		       nonzero);
	}
	return 0;
}

static volatile uint32_t frame_size;
static volatile uint64_t frame_xfeatures;

static void size_handler(int sig, siginfo_t *si, void *ctx)
{
	const uint8_t *fx = (const uint8_t *)((ucontext_t *)ctx)->uc_mcontext.fpregs;

	(void)sig;
	(void)si;
	frame_xfeatures = *(const uint64_t *)(fx + OFF_SW_BYTES + 8);
	frame_size = *(const uint32_t *)(fx + OFF_SW_BYTES + 16);
}

/* What this task is told about its XSAVE size; then wait for a tracer. */
static int role_sizes(void)
{
	struct sigaction sa = { .sa_sigaction = size_handler, .sa_flags = SA_SIGINFO };
	unsigned int a, b, cx, d;
	char c;

	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	__cpuid_count(0xd, 0, a, b, cx, d);
	printf("cpuid 0x%x xcr0 0x%llx minsig %lu frame 0x%x xfeatures 0x%llx\n", b,
	       (unsigned long long)xgetbv0(), getauxval(AT_MINSIGSTKSZ), frame_size,
	       (unsigned long long)frame_xfeatures);
	printf("ready\n");
	return read(0, &c, 1) == 1 ? 0 : 1;
}

/*
 * Signal frames with AVX-512 state: SIGUSR1's handler checks the frame
 * holds the registers loaded before the signal and writes new values
 * (sigreturn must load them); SIGUSR2's handler clears the opmask and
 * Hi16_ZMM bits of XSTATE_BV (sigreturn must put k0-7 and ZMM16-31 in
 * their init state, zero).
 */
static struct regfile zf_in, zf_mod;
static volatile int zf_frame_ok;
static volatile uint64_t zf_bv;

static void zframe_handler(int sig, siginfo_t *si, void *ctx)
{
	uint8_t *fx = (uint8_t *)((ucontext_t *)ctx)->uc_mcontext.fpregs;
	static struct regfile got;

	(void)si;
	zf_bv = *(uint64_t *)(fx + OFF_XSTATE_BV);
	if (sig == SIGUSR1) {
		memset(&got, 0, sizeof(got));
		xsave_map(fx, &got, REGS_ZMM, false);
		zf_frame_ok = regs_equal(&got, &zf_in, REGS_ZMM);
		xsave_map(fx, &zf_mod, REGS_ZMM, true);
	} else {
		*(uint64_t *)(fx + OFF_XSTATE_BV) &= ~(XCR0_OPMASK | XCR0_HI16_ZMM);
	}
}

static int role_zframe(void)
{
	struct sigaction sa = { .sa_sigaction = zframe_handler, .sa_flags = SA_SIGINFO };
	static struct regfile out, want;
	bool mod_ok, init_ok = true;
	int r;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	regs_fill(&zf_in, TAG_FULL, KTAG_FULL, 1);
	regs_fill(&zf_mod, TAG_SIG, KTAG_SIG, 2);
	regs_syscall(REGS_ZMM, &zf_in, &out, SYS_tgkill, getpid(), gettid(), SIGUSR1);
	mod_ok = regs_equal(&out, &zf_mod, REGS_ZMM);
	printf("frame %d bv 0x%llx modified %d\n", zf_frame_ok, (unsigned long long)zf_bv,
	       mod_ok);

	regs_syscall(REGS_ZMM, &zf_in, &out, SYS_tgkill, getpid(), gettid(), SIGUSR2);
	want = zf_in;
	for (r = 16; r < 32; r++)
		memset(want.z[r], 0, sizeof(want.z[r]));
	memset(want.k, 0, sizeof(want.k));
	init_ok = regs_equal(&out, &want, REGS_ZMM);
	printf("cleared bv 0x%llx init %d\n", (unsigned long long)zf_bv, init_ok);
	return 0;
}

/* Blocked in read() with ZMM/k live for a tracer; then compare to round 6. */
static int role_ztraced(void)
{
	static struct regfile in, out, want;
	char c;

	regs_fill(&in, TAG_FULL, KTAG_FULL, 5);
	regs_fill(&want, TAG_FULL, KTAG_FULL, 6);
	printf("ready\n");
	regs_syscall(REGS_ZMM, &in, &out, SYS_read, 0, (long)&c, 1);
	printf("set %d kept %d\n", regs_equal(&out, &want, REGS_ZMM),
	       regs_equal(&out, &in, REGS_ZMM));
	return 0;
}

static void exec_role(const char *role)
{
	char *argv[] = { self_exe, "--role", (char *)role, NULL };

	syscall(SYS_execve, self_exe, argv, environ);
}

/* Full mask: ZMM/k tagged, blocked in read() until the parent set 0x7 pending. */
static int role_prefill(void)
{
	static struct regfile in, out;
	char c;

	regs_fill(&in, TAG_PREFILL, KTAG_PREFILL, 1);
	printf("ready\n");
	regs_syscall(REGS_ZMM, &in, &out, SYS_read, 0, (long)&c, 1);
	exec_role("narrow");
	return 127;
}

/* Under 0x7: YMM round trips, then exec the fresh program (full pending). */
static int role_narrow(void)
{
	char fresh[4096], *slash, c;
	long i, bad = 0;
	char *argv[] = { fresh, NULL };

	for (i = 0; i < 200; i++)
		bad += !roundtrip(REGS_YMM, TAG_Y7, 0, i);
	printf("narrow xcr0 0x%llx bad %ld\n", (unsigned long long)xgetbv0(), bad);
	if (read(0, &c, 1) != 1)
		return 1;
	snprintf(fresh, sizeof(fresh), "%s", self_exe);
	slash = strrchr(fresh, '/');
	snprintf(slash + 1, sizeof(fresh) - (slash + 1 - fresh), "xcr0_hw_fresh");
	syscall(SYS_execve, fresh, argv, environ);
	return 127;
}

/* One AF_ALG hash of @len bytes by @driver, registers of @w live across each call. */
static int alg_hash(const char *driver, const void *in, size_t len, uint8_t *out, size_t dlen,
		    enum regs_width w, long *regs_bad)
{
	static struct regfile rin, rout;
	uint32_t tag, ktag;
	long wr, rd;
	int op;

	tag = width_tag(w, &ktag);
	op = alg_hash_open(driver);
	if (op < 0)
		return -1;
	regs_fill(&rin, tag, ktag, len);
	wr = regs_syscall(w, &rin, &rout, SYS_write, op, (long)in, len);
	*regs_bad += !regs_equal(&rin, &rout, w);
	rd = regs_syscall(w, &rin, &rout, SYS_read, op, (long)out, dlen);
	*regs_bad += !regs_equal(&rin, &rout, w);
	close(op);
	return wr == (long)len && rd == (long)dlen ? 0 : -1;
}

/* @n digests by @driver, each compared to @generic's; "bad B regs R xcr0 X". */
static int role_alg(enum regs_width w, const char *driver, const char *generic,
		    const char *dlen_s, long n)
{
	size_t dlen = atoi(dlen_s);
	uint8_t buf[4096], got[64], ref[64];
	long i, bad = 0, regs_bad = 0, unused = 0;
	size_t j;

	pin_to(0);
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = (uint8_t)(j * 7 + i);
		memset(got, 0, sizeof(got));
		memset(ref, 1, sizeof(ref));
		if (alg_hash(driver, buf, sizeof(buf) - i % 64, got, dlen, w, &regs_bad) ||
		    alg_hash(generic, buf, sizeof(buf) - i % 64, ref, dlen, REGS_XMM, &unused) ||
		    memcmp(got, ref, dlen))
			bad++;
	}
	printf("bad %ld regs %ld xcr0 0x%llx\n", bad, regs_bad, (unsigned long long)xgetbv0());
	return 0;
}

static int run_role(int argc, char **argv)
{
	const char *role = argv[2];
	const char *a[4] = { "0", "0", "0", "0" };
	int i;

	for (i = 0; i < 4 && 3 + i < argc; i++)
		a[i] = argv[3 + i];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(role, "loop"))
		return role_loop(parse_width(a[0]), atoi(a[1]), strtoul(a[2], NULL, 0),
				 strtoul(a[3], NULL, 0));
	if (!strcmp(role, "rounds"))
		return role_rounds(parse_width(a[0]), atoi(a[1]), atol(a[2]), atoi(a[3]));
	if (!strcmp(role, "sizes"))
		return role_sizes();
	if (!strcmp(role, "zframe"))
		return role_zframe();
	if (!strcmp(role, "ztraced"))
		return role_ztraced();
	if (!strcmp(role, "prefill"))
		return role_prefill();
	if (!strcmp(role, "narrow"))
		return role_narrow();
	if (!strcmp(role, "alg") && argc > 7)
		return role_alg(parse_width(a[0]), a[1], a[2], a[3], atol(argv[7]));
	fprintf(stderr, "unknown role %s\n", role);
	return 2;
}

/* ---- the tests ---- */

static int spawn_args(uint64_t mask, struct proc *p, const char *role, const char *a1,
		      const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = { self_exe, "--role", (char *)role, (char *)a1, (char *)a2,
			 (char *)a3, (char *)a4, (char *)a5, NULL };

	return spawn(mask, p, argv);
}

static void mask_name(uint64_t mask, char *buf, size_t len)
{
	if (mask)
		snprintf(buf, len, "0x%llx", (unsigned long long)mask);
	else
		snprintf(buf, len, "unrestricted");
}

/* Stop @pid (blocked in a read()), get or set its NT_X86_XSTATE, let it go. */
static int xstate_regset(pid_t pid, int req, void *buf, size_t *len, int *err)
{
	struct iovec iov = { buf, *len };
	int status, r;

	wait_sleeping(pid);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) || ptrace(PTRACE_INTERRUPT, pid, 0, 0) ||
	    waitpid(pid, &status, __WALL) != pid) {
		*err = errno;
		return -2;
	}
	r = ptrace(req, pid, NT_X86_XSTATE, &iov);
	*err = errno;
	*len = iov.iov_len;
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return r;
}

/* The view of a task with @mask: what XCR0, the frame and ptrace say. */
static uint64_t task_view(uint64_t mask)
{
	return ((mask ? mask : full) & full) | XCR0_X87 | XCR0_SSE;
}

/*
 * CPUID 0xD sizes under each mask, computed from the sub-leaves (offset +
 * size of the highest component in the mask), against what the task's
 * CPUID, its signal frames, AT_MINSIGSTKSZ and NT_X86_XSTATE say.
 */
static void test_sizes(uint64_t mask)
{
	static uint8_t buf[XSTATE_BUF] __attribute__((aligned(64)));
	unsigned long long xcr0 = 0, xfeat = 0;
	unsigned int cpuid = 0, frame = 0, want = expected_xsave_size(mask ? mask : full);
	unsigned long minsig = 0;
	static unsigned long minsig_full;
	char name[80], m[24], line[256];
	size_t len = sizeof(buf);
	struct proc p;
	int err = 0, r;
	long d;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "cpuid-0xd/sizes-%s", m);
	if (mask & ~full) {
		skip(name, "the CPU lacks a component of this mask");
		return;
	}
	if (spawn_role(mask, &p, "sizes", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	sscanf(line, "cpuid 0x%x xcr0 0x%llx minsig %lu frame 0x%x xfeatures 0x%llx", &cpuid,
	       &xcr0, &minsig, &frame, &xfeat);
	proc_line(&p, line, sizeof(line));
	r = xstate_regset(p.pid, PTRACE_GETREGSET, buf, &len, &err);
	proc_send(&p);
	proc_end(&p);
	report(xcr0 == task_view(mask) && cpuid == want && frame == want &&
	       xfeat == task_view(mask), name,
	       "XCR0 0x%llx: CPUID 0xD.0 EBX 0x%x, frame xstate_size 0x%x xfeatures 0x%llx; from the sub-leaves 0x%x, view 0x%llx",
	       xcr0, cpuid, frame, xfeat, want, (unsigned long long)task_view(mask));

	snprintf(name, sizeof(name), "cpuid-0xd/nt-x86-xstate-%s", m);
	report(!r && len == full_size && *(uint64_t *)(buf + OFF_SW_BYTES) == xcr0 &&
	       !(*(uint64_t *)(buf + OFF_XSTATE_BV) & ~task_view(mask)), name,
	       "GETREGSET %d (%s): %zu bytes (the kernel's full UABI size 0x%x), XCR0 word 0x%llx, XSTATE_BV 0x%llx",
	       r, r ? strerror(err) : "ok", len, full_size,
	       (unsigned long long)*(uint64_t *)(buf + OFF_SW_BYTES),
	       (unsigned long long)*(uint64_t *)(buf + OFF_XSTATE_BV));

	/* AT_MINSIGSTKSZ follows the frame: smaller by the size difference */
	if (!mask) {
		minsig_full = minsig;
		return;
	}
	snprintf(name, sizeof(name), "cpuid-0xd/at-minsigstksz-%s", m);
	d = (long)(minsig_full - minsig) - (long)(full_size - want);
	report(minsig_full && minsig && d > -16 && d < 16, name,
	       "AT_MINSIGSTKSZ %lu, %lu unrestricted; XSAVE sizes 0x%x and 0x%x", minsig,
	       minsig_full, want, full_size);
}

static void test_sigframe(uint64_t mask)
{
	char name[80], m[24], line[256], line2[256];
	unsigned long long bv = 0, bv2 = 0;
	int frame = 0, mod = 0, init = 0;
	struct proc p;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "sigframe/avx512-roundtrip-%s", m);
	if (spawn_role(mask, &p, "zframe", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	proc_line(&p, line2, sizeof(line2));
	proc_end(&p);
	sscanf(line, "frame %d bv 0x%llx modified %d", &frame, &bv, &mod);
	sscanf(line2, "cleared bv 0x%llx init %d", &bv2, &init);
	report(frame && (bv & AVX512) == AVX512 && mod, name,
	       "'%s': want the frame to hold ZMM0-31/k0-7 (frame 1), XSTATE_BV with 0xe0, and the handler's values after sigreturn (modified 1)",
	       line);
	snprintf(name, sizeof(name), "sigframe/avx512-xstate-bv-cleared-%s", m);
	report(init, name, "'%s': after clearing opmask and Hi16_ZMM in XSTATE_BV, k0-7 and ZMM16-31 must be zero and the rest kept",
	       line2);
}

static void test_ptrace_avx512(uint64_t mask)
{
	static uint8_t buf[XSTATE_BUF] __attribute__((aligned(64)));
	static struct regfile got, want, next;
	char name[80], m[24], line[256];
	size_t len = sizeof(buf);
	int set = 0, kept = 0, err = 0, r1, r2 = -1;
	struct proc p;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "ptrace/avx512-getregset-%s", m);
	if (spawn_role(mask, &p, "ztraced", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	regs_fill(&want, TAG_FULL, KTAG_FULL, 5);
	regs_fill(&next, TAG_FULL, KTAG_FULL, 6);
	r1 = xstate_regset(p.pid, PTRACE_GETREGSET, buf, &len, &err);
	xsave_map(buf, &got, REGS_ZMM, false);
	report(!r1 && (*(uint64_t *)(buf + OFF_XSTATE_BV) & AVX512) == AVX512 &&
	       regs_equal(&got, &want, REGS_ZMM), name,
	       "GETREGSET %d (%s), XSTATE_BV 0x%llx, ZMM0-31/k0-7 %s", r1,
	       r1 ? strerror(err) : "ok",
	       (unsigned long long)*(uint64_t *)(buf + OFF_XSTATE_BV),
	       regs_equal(&got, &want, REGS_ZMM) ? "as loaded" : "differ from what was loaded");
	if (!r1) {
		xsave_map(buf, &next, REGS_ZMM, true);
		r2 = xstate_regset(p.pid, PTRACE_SETREGSET, buf, &len, &err);
	}
	proc_send(&p);
	proc_line(&p, line, sizeof(line));
	proc_end(&p);
	sscanf(line, "set %d kept %d", &set, &kept);
	snprintf(name, sizeof(name), "ptrace/avx512-setregset-%s", m);
	report(!r2 && set, name, "SETREGSET %d (%s); child: '%s' (want set 1)", r2,
	       r2 ? strerror(err) : "ok", line);
}

/*
 * ZMM0-31/k0-7 isolation on one CPU: an unrestricted task and one under
 * 0xe7 loop ZMM/k round trips across sched_yield() while tasks under 0x7
 * (YMM) and 0x3 (XMM) do theirs. Then the 0x7 task executes an EVEX
 * instruction (SIGILL, a frame without AVX-512 state), is stopped and
 * traced (no AVX-512 state in NT_X86_XSTATE; a SETREGSET with some is
 * refused or ignored), and widened live to everything: it must find no
 * other task's values and only init state in the new components.
 */
static void test_isolation(void)
{
	static uint8_t buf[XSTATE_BUF] __attribute__((aligned(64)));
	static const struct { uint64_t mask; const char *w; uint32_t tag, ktag; } loops[] = {
		{ 0, "512", TAG_FULL, KTAG_FULL }, { XCR0_X87 | XCR0_SSE | XCR0_AVX | AVX512, "512",
						      TAG_E7, KTAG_E7 },
	};
	static const struct { uint64_t mask; const char *w; } rts[] = {
		{ 0x7, "256" }, { 0x3, "128" },
	};
	struct proc lp[2], rp[2];
	long bad[2] = { -1, -1 }, lbad[2] = { -1, -1 }, lrounds[2] = { 0, 0 };
	long foreign = -1, nonzero = -1, areas_nonzero = 0;
	int sig = 0, skipped = 0, kept = 0, err = 0, serr = 0, r, rs = -1;
	unsigned long long xfeat = 0, bv = 0, widened = 0;
	unsigned int size = 0, c5;
	char line[256], evl[256] = "", wl[256] = "", n[32], tag[2][16];
	size_t len = sizeof(buf), i;
	uint64_t word, rbv;

	if (!cpu_has_avx512()) {
		skip("zmm-isolation", "the CPU has no AVX-512 (CPUID.7.EBX[16]) or XCR0 lacks 0xe0");
		return;
	}
	snprintf(n, sizeof(n), "%ld", rounds);
	for (i = 0; i < 2; i++) {
		snprintf(tag[0], sizeof(tag[0]), "0x%x", loops[i].tag);
		snprintf(tag[1], sizeof(tag[1]), "0x%x", loops[i].ktag);
		if (spawn_args(loops[i].mask, &lp[i], "loop", loops[i].w, "0", tag[0], tag[1],
			       NULL) || lp[i].ret) {
			report(false, "zmm-isolation", "could not start a looping child (%ld)",
			       lp[i].ret);
			return;
		}
	}
	for (i = 0; i < 2; i++)
		if (spawn_args(rts[i].mask, &rp[i], "rounds", rts[i].w, "0", n, i ? "0" : "1",
			       NULL) || rp[i].ret) {
			report(false, "zmm-isolation", "could not start a child (%ld)", rp[i].ret);
			return;
		}
	for (i = 0; i < 2; i++) {
		proc_line(&lp[i], line, sizeof(line));
		proc_line(&rp[i], line, sizeof(line));
	}
	for (i = 0; i < 2; i++) {
		proc_send(&lp[i]);
		proc_send(&rp[i]);
	}
	for (i = 0; i < 2; i++)
		if (proc_line(&rp[i], line, sizeof(line)))
			sscanf(line, "bad %ld", &bad[i]);

	/* The 0x7 task, with the loops still going: EVEX, ptrace, widening */
	proc_send(&rp[0]);
	proc_line(&rp[0], evl, sizeof(evl));
	sscanf(evl, "evex sig %d skipped %d xfeatures 0x%llx size 0x%x bv 0x%llx foreign %ld",
	       &sig, &skipped, &xfeat, &size, &bv, &foreign);
	report(sig == SIGILL && skipped && xfeat == 0x7 && !(bv & ~0x7ULL) &&
	       size == expected_xsave_size(0x7) && !foreign, "zmm-isolation/0x7-evex-sigill",
	       "'%s' (want SIGILL %d at the EVEX instruction, xfeatures 0x7, size 0x%x, no foreign words)",
	       evl, SIGILL, expected_xsave_size(0x7));

	proc_line(&rp[0], line, sizeof(line));
	r = xstate_regset(rp[0].pid, PTRACE_GETREGSET, buf, &len, &err);
	word = *(uint64_t *)(buf + OFF_SW_BYTES);
	rbv = *(uint64_t *)(buf + OFF_XSTATE_BV);
	for (c5 = 5; c5 <= 7; c5++) {
		unsigned int k;

		for (k = 0; k < comp_size(c5) && comp_off(c5) + k < len; k++)
			areas_nonzero += !!buf[comp_off(c5) + k];
	}
	foreign = count_foreign(buf, len, TAG_Y7, 0);
	report(!r && word == 0x7 && !(rbv & AVX512) && !areas_nonzero && !foreign,
	       "zmm-isolation/0x7-ptrace-no-avx512-state",
	       "GETREGSET %d (%s): XCR0 word 0x%llx, XSTATE_BV 0x%llx, %ld nonzero bytes in the opmask/ZMM areas, %ld foreign words",
	       r, r ? strerror(err) : "ok", (unsigned long long)word, (unsigned long long)rbv,
	       areas_nonzero, foreign);
	if (!r) {
		static struct regfile inj;

		regs_fill(&inj, TAG_PTRACE, KTAG_PTRACE, 1);
		/* keep the task's own XMM/YMM: inject only the AVX-512 components */
		for (i = 0; i < 16; i++)
			memcpy(inj.z[i], buf + 160 + 16 * i, 16),
			memcpy(&inj.z[i][2], buf + comp_off(2) + 16 * i, 16);
		xsave_map(buf, &inj, REGS_ZMM, true);
		*(uint64_t *)(buf + OFF_XSTATE_BV) |= AVX512;
		rs = xstate_regset(rp[0].pid, PTRACE_SETREGSET, buf, &len, &serr);
	}
	proc_send(&rp[0]);
	proc_line(&rp[0], line, sizeof(line));
	sscanf(line, "kept %d", &kept);
	change_mask(&rp[0], 0);
	proc_line(&rp[0], wl, sizeof(wl));
	sscanf(wl, "widened xcr0 0x%llx foreign %ld nonzero %ld", &widened, &foreign, &nonzero);
	report((rs == 0 || (rs == -1 && serr == EINVAL)) && kept && widened == full &&
	       !foreign && !nonzero, "zmm-isolation/0x7-setregset-avx512-not-loaded",
	       "SETREGSET of AVX-512 state: %d (%s); YMM kept %d; after a live widening: '%s' (want xcr0 0x%llx, no foreign words, AVX-512 state zero)",
	       rs, rs ? strerror(serr) : "accepted", kept, wl, (unsigned long long)full);

	for (i = 0; i < 2; i++) {
		proc_send(&lp[i]);
		if (proc_line(&lp[i], line, sizeof(line)))
			sscanf(line, "bad %ld rounds %ld", &lbad[i], &lrounds[i]);
		proc_end(&lp[i]);
		proc_end(&rp[i]);
	}
	report(!lbad[0] && lrounds[0] > 0, "zmm-isolation/unrestricted-zmm-opmask-kept",
	       "%ld of %ld ZMM0-31/k0-7 round trips came back wrong", lbad[0], lrounds[0]);
	report(!lbad[1] && lrounds[1] > 0, "zmm-isolation/0xe7-zmm-opmask-kept",
	       "%ld of %ld ZMM0-31/k0-7 round trips came back wrong", lbad[1], lrounds[1]);
	report(!bad[0], "zmm-isolation/0x7-ymm-kept", "%ld of %ld YMM0-15 round trips wrong",
	       bad[0], rounds);
	report(!bad[1], "zmm-isolation/0x3-xmm-kept", "%ld of %ld XMM0-15 round trips wrong",
	       bad[1], rounds);
}

/*
 * Widening at exec after a narrow run: a program fills ZMM/k, its task is
 * set to 0x7 for its next program, which runs YMM round trips; then set to
 * everything for the next one, which must start with every register zero.
 */
static void test_exec_widening(void)
{
	static struct regfile rf;
	const char *name = "exec/widened-after-narrow-starts-in-init-state";
	char line[256] = "";
	unsigned long long nx = 0;
	uint64_t xcr0 = 0;
	long bad = -1, r1, r2, nonzero = 0;
	size_t i, got = 0;
	struct proc p;

	if (!cpu_has_avx512()) {
		skip(name, "the CPU has no AVX-512");
		return;
	}
	if (spawn_role(0, &p, "prefill", NULL, NULL)) {
		report(false, name, "could not start a child");
		return;
	}
	proc_line(&p, line, sizeof(line));
	r1 = change_mask_flags(&p, 0x7, 0);
	proc_line(&p, line, sizeof(line));
	sscanf(line, "narrow xcr0 0x%llx bad %ld", &nx, &bad);
	r2 = change_mask_flags(&p, 0, 0);
	got = fread(&rf, 1, sizeof(rf), p.out);
	got += fread(&xcr0, 1, sizeof(xcr0), p.out);
	proc_end(&p);
	for (i = 0; i < sizeof(rf) / 8; i++)
		nonzero += !!((uint64_t *)&rf)[i];
	report(!r1 && !r2 && nx == 0x7 && !bad && got == sizeof(rf) + 8 && xcr0 == full &&
	       !nonzero, name,
	       "requests %ld/%ld; narrow program: '%s'; fresh program: %zu bytes, XCR0 0x%llx, %ld nonzero ZMM/k words (%ld of the first program's)",
	       r1, r2, line, got, (unsigned long long)xcr0, nonzero,
	       count_tag(&rf, sizeof(rf), TAG_PREFILL) + count_tag(&rf, sizeof(rf), KTAG_PREFILL));
}

/*
 * Kernel FPU use while restricted tasks run: AF_ALG digests by the CPU's
 * SIMD driver from tasks under 0x3, 0x7 and 0xe7, beside an unrestricted
 * ZMM loop on the same CPU; digests equal to the generic driver's, every
 * task's registers intact across each call.
 */
static void test_kernel_simd(void)
{
	static const struct { const char *alg, *generic, *dlen; } algs[] = {
		{ "sha1", "sha1-generic", "20" }, { "sha256", "sha256-generic", "32" },
		{ "sha512", "sha512-generic", "64" },
	};
	static const struct { uint64_t mask; const char *w; } masks[] = {
		{ 0x3, "128" }, { 0x7, "256" }, { 0xe7, "512" },
	};
	char drv[128], name[128], line[256], any = 0, m[24];
	unsigned long long seen;
	size_t a, k;

	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		struct proc loop = {}, p;
		long lbad = -1, lrounds = 0, bad, rb;
		bool have_loop = false;

		if (!crypto_best_driver(algs[a].alg, drv, sizeof(drv)) || strstr(drv, "generic"))
			continue;
		any = 1;
		if (cpu_has_avx512() && !spawn_args(0, &loop, "loop", "512", "0", "0x5a4d4d46",
						    "0x4b4d5346", NULL)) {
			have_loop = true;
			proc_line(&loop, line, sizeof(line));
			proc_send(&loop);
		}
		for (k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
			mask_name(masks[k].mask, m, sizeof(m));
			snprintf(name, sizeof(name), "kernel-simd/%s@%s", drv, m);
			if (masks[k].mask & ~full) {
				skip(name, "the CPU lacks a component of this mask");
				continue;
			}
			bad = rb = -1;
			seen = 0;
			if (spawn_args(masks[k].mask, &p, "alg", masks[k].w, drv, algs[a].generic,
				       algs[a].dlen, "300") || p.ret) {
				report(false, name, "could not start a child (%ld)", p.ret);
				continue;
			}
			if (proc_line(&p, line, sizeof(line)))
				sscanf(line, "bad %ld regs %ld xcr0 0x%llx", &bad, &rb, &seen);
			proc_end(&p);
			report(!bad && !rb && seen == task_view(masks[k].mask), name,
			       "'%s' (want 300 digests equal to %s's, registers intact, xcr0 0x%llx)",
			       line, algs[a].generic,
			       (unsigned long long)task_view(masks[k].mask));
		}
		if (!have_loop)
			continue;
		proc_send(&loop);
		if (proc_line(&loop, line, sizeof(line)))
			sscanf(line, "bad %ld rounds %ld", &lbad, &lrounds);
		proc_end(&loop);
		snprintf(name, sizeof(name), "kernel-simd/%s-beside-unrestricted-zmm", drv);
		report(!lbad && lrounds > 0, name,
		       "%ld of %ld ZMM0-31/k0-7 round trips of the unrestricted task wrong",
		       lbad, lrounds);
	}
	if (!any)
		skip("kernel-simd", "no SIMD driver registered for sha1, sha256 or sha512 (only -generic)");
}

int main(int argc, char **argv)
{
	int opt;

	if (readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1) < 0)
		return 1;
	if (argc > 2 && !strcmp(argv[1], "--role"))
		return run_role(argc, argv);
	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			rounds = atol(optarg);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* children widened live must not bind lazily (see test_abi_xcr0) */
	setenv("LD_BIND_NOW", "1", 1);

	full = xgetbv0();
	full_size = expected_xsave_size(full);
	printf("# XCR0 of an unrestricted task: 0x%llx, XSAVE size %u, %s format (CPUID 0xD.1 EAX XSAVES %s)\n",
	       (unsigned long long)full, full_size, cpu_has_xsaves() ? "compacted" : "standard",
	       cpu_has_xsaves() ? "set" : "clear");
	printf("# AVX-512 sizes from the sub-leaves: opmask %u@%u ZMM_Hi256 %u@%u Hi16_ZMM %u@%u\n",
	       comp_size(5), comp_off(5), comp_size(6), comp_off(6), comp_size(7), comp_off(7));
	if (load_scheduler()) {
		report(false, "load-test-scheduler",
		       "cannot load xcr0_test: does this kernel have scx_bpf_task_set_xcr0()?");
		return 1;
	}
	test_sizes(0);
	test_sizes(0x3);
	test_sizes(0x7);
	test_sizes(0x207);
	test_sizes(0xe7);
	test_sizes(0x2e7);
	if (cpu_has_avx512()) {
		test_sigframe(0);
		test_sigframe(0xe7);
		test_ptrace_avx512(0);
		test_ptrace_avx512(0xe7);
	} else {
		skip("sigframe/avx512", "the CPU has no AVX-512");
		skip("ptrace/avx512", "the CPU has no AVX-512");
	}
	test_isolation();
	test_exec_widening();
	test_kernel_simd();
	unload_scheduler();
	return failures ? 1 : 0;
}
