// SPDX-License-Identifier: GPL-2.0
/*
 * test_abi_xcr0: in-VM tests of what a restricted task sees of its XSAVE
 * state (kernel/series part 2): /proc/PID/status, ARCH_GET_XCOMP_SUPP,
 * signal frames and sigreturn, PKRU, ptrace NT_X86_XSTATE and core dumps.
 * Uses the xcr0_test scheduler. One line per test: ok / FAIL / SKIP.
 *
 *   test_abi_xcr0
 *   test_abi_xcr0 --as-user UID        (the forged-frame and ptrace tests as UID)
 *   test_abi_xcr0 --role NAME [ARGS]   (a test body, run by the tests)
 *
 * Every restricted body runs in a child that gets its mask while blocked
 * before execve() (glibc picks its SIMD code at startup) and then runs
 * this program again in a role; the role prints what it saw, the parent
 * judges. Built with -m32 -DABI_IA32 it is the ia32 role runner.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <ucontext.h>
#include <unistd.h>

#include "xcr0_cpu.h"

#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U
#define OFF_SW_BYTES		464	/* fx_sw_bytes in the FXSAVE area */
#define OFF_XSTATE_BV		512
#define OFF_XMM8		(160 + 8 * 16)
#define PKRU_TEST		0x5555555cU	/* key 0 open, key 1 AD|WD */
#define PKRU_HANDLER		0x55555550U	/* what a handler writes */
#define PKRU_EDIT		0x55555574U	/* what a handler puts in the frame */
#define FP_XSTATE_PKRU_MAGIC	0x55524b50U	/* "PKRU": PKRU in sw_reserved */
#define OFF_SW_PAD0		(OFF_SW_BYTES + 20)	/* fx_sw_bytes.padding[0] */
#define OFF_SW_PAD1		(OFF_SW_BYTES + 24)	/* fx_sw_bytes.padding[1] */
#define PAT_A			0x1122334455667788ULL
#define PAT_B			0x99aabbccddeeff00ULL

static unsigned int cpuid_xsave_size(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, 0, a, b, c, d);
	return b;
}

static bool have_ospke(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(7, 0, a, b, c, d);
	return c & (1U << 4);
}

static uint32_t rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static void wrpkru(uint32_t v)
{
	asm volatile(".byte 0x0f,0x01,0xef" : : "a"(v), "c"(0), "d"(0) : "memory");
}

/* What the signal frame of a handler says about itself. */
struct frame_view {
	uint32_t magic1, ext_size, xstate_size, magic2;
	uint64_t xfeatures, xstate_bv;
	uint32_t pad0, pad1;	/* the PKRU record of a frame without PKRU */
};

static void read_frame(const uint8_t *fx, struct frame_view *v)
{
	memset(v, 0, sizeof(*v));
	v->magic1 = *(const uint32_t *)(fx + OFF_SW_BYTES);
	v->ext_size = *(const uint32_t *)(fx + OFF_SW_BYTES + 4);
	v->xfeatures = *(const uint64_t *)(fx + OFF_SW_BYTES + 8);
	v->xstate_size = *(const uint32_t *)(fx + OFF_SW_BYTES + 16);
	v->xstate_bv = *(const uint64_t *)(fx + OFF_XSTATE_BV);
	v->pad0 = *(const uint32_t *)(fx + OFF_SW_PAD0);
	v->pad1 = *(const uint32_t *)(fx + OFF_SW_PAD1);
	if (v->magic1 == FP_XSTATE_MAGIC1 && v->xstate_size < 65536)
		v->magic2 = *(const uint32_t *)(fx + v->xstate_size);
}

#ifdef ABI_IA32
/*
 * The ia32 runner: the same frame check and PKRU check as the 64-bit
 * roles, for a 32-bit process (IA32 emulation). The fxsave part of an ia32
 * frame follows the 112 byte fsave header.
 */
static volatile int got, edit, forge;
static struct frame_view fv;
static uint32_t pkru_in_handler;

/*
 * The second signal's handler edits the PKRU sigreturn restores. The
 * third one's claims PKRU in XSTATE_BV, also where the task's XCR0 lacks
 * it and the frame has no room for it: sigreturn's slow path then copies
 * PKRU from beyond the frame into the saved state, which the compacted
 * formats lay out for the mask only (main() keeps that stack mapped).
 * The PKRU of the software bytes still wins.
 */
static void ia32_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs + 112;
	unsigned int a, b, c, d;

	(void)sig;
	(void)si;
	if (forge) {
		*(uint64_t *)(fx + 512) |= 1ull << 9;
		return;
	}
	if (edit) {
		__cpuid_count(0xd, 9, a, b, c, d);
		*(uint32_t *)(fx + (fv.xfeatures & (1 << 9) ? b : OFF_SW_PAD1)) = PKRU_EDIT;
		return;
	}
	read_frame(fx, &fv);
	if (have_ospke())
		pkru_in_handler = rdpkru();
	got = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = ia32_handler, .sa_flags = SA_SIGINFO };
	uint32_t after = 0, after_edit = 0, after_forge = 0;
	volatile char stack[16384];
	char buf[512], *p;

	/* mapped stack above the frames, for the forged frame's PKRU */
	memset((char *)stack, 0, sizeof(stack));
	sigaction(SIGUSR1, &sa, NULL);
	if (have_ospke())
		wrpkru(PKRU_TEST);
	raise(SIGUSR1);
	if (have_ospke()) {
		after = rdpkru();
		edit = 1;
		raise(SIGUSR1);
		after_edit = rdpkru();
		forge = 1;
		raise(SIGUSR1);
		after_forge = rdpkru();
	}
	p = buf;
	p = hex(stpcpy(p, "xcr0 "), xgetbv0());
	p = hex(stpcpy(p, " cpuid "), cpuid_xsave_size());
	p = hex(stpcpy(p, " got "), got);
	p = hex(stpcpy(p, " magic1 "), fv.magic1);
	p = hex(stpcpy(p, " xfeatures "), fv.xfeatures);
	p = hex(stpcpy(p, " size "), fv.xstate_size);
	p = hex(stpcpy(p, " magic2 "), fv.magic2);
	p = hex(stpcpy(p, " bv "), fv.xstate_bv);
	p = hex(stpcpy(p, " pkru_ok "), !have_ospke() || after == PKRU_TEST);
	p = hex(stpcpy(p, " pkru_handler "), pkru_in_handler);
	p = hex(stpcpy(p, " pad0 "), fv.pad0);
	p = hex(stpcpy(p, " pad1 "), fv.pad1);
	p = hex(stpcpy(p, " pkru_edit_ok "), !have_ospke() || after_edit == PKRU_EDIT);
	p = hex(stpcpy(p, " pkru_forge_ok "), !have_ospke() || after_forge == PKRU_EDIT);
	strcpy(p, "\n");
	raw_write(buf);
	return 0;
}
#else /* !ABI_IA32 */

#include <poll.h>
#include <setjmp.h>
#include <time.h>
#include <grp.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "xcr0.h"
#include "xcr0_test.skel.h"

#define TEST_PREFIX "kernel-abi"
#include "xcr0_harness.h"

#define ARCH_GET_XCOMP_SUPP	0x1021

static unsigned int full_size;	/* its CPUID XSAVE size */

static unsigned int xfeature_offset(int nr)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, nr, a, b, c, d);
	return b;
}

/* The features a task with @mask sees in frames and regsets. */
static uint64_t task_view(uint64_t mask)
{
	return ((mask ? mask : full) & full) | XCR0_X87 | XCR0_SSE;
}

/* ---- roles: bodies that run in a restricted child ---- */

static int role_xcomp(void)
{
	uint64_t supp = 0;
	long r = syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp);

	printf("ret %ld supp 0x%llx errno %d\n", r, (unsigned long long)supp, r ? errno : 0);
	return 0;
}

/*
 * xmm8 = @pattern, send @sig to this thread, return xmm8: one asm block, so
 * only the signal handler (which clobbers xmm8) and sigreturn come between.
 */
static uint64_t xmm8_across_signal(uint64_t pattern, int sig)
{
	uint64_t out;
	long ret;

	asm volatile("movq %[pat], %%xmm8\n\t"
		     "syscall\n\t"
		     "movq %%xmm8, %[out]\n\t"
		     : [out] "=r"(out), "=a"(ret)
		     : [pat] "r"(pattern), "a"((long)SYS_tgkill), "D"((long)getpid()),
		       "S"((long)gettid()), "d"((long)sig)
		     : "rcx", "r11", "xmm8", "memory");
	return out;
}

static void clobber_xmm8(void)
{
	asm volatile("pcmpeqd %%xmm8, %%xmm8" : : : "xmm8");
}

/* A user space XRSTOR of the frame under the task's XCR0: #GP if not. */
static __attribute__((noinline)) void xrstor_frame(const uint8_t *fx)
{
	asm volatile("xrstor64 (%0)" : : "r"(fx), "a"(-1), "d"(-1)
		     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		       "xmm13", "xmm14", "xmm15");
}

static struct frame_view frames[2];
static volatile int handled[2];

static void frame_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
	int i = sig == SIGUSR1 ? 0 : 1;

	(void)si;
	read_frame(fx, &frames[i]);
	xrstor_frame(fx);
	handled[i] = 1;
	clobber_xmm8();
	if (i == 0)	/* nested: a second frame written from this handler */
		syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	clobber_xmm8();
}

static void print_frame(const char *tag, struct frame_view *v)
{
	printf("%s magic1 0x%x ext 0x%x xfeatures 0x%llx size 0x%x magic2 0x%x bv 0x%llx\n",
	       tag, v->magic1, v->ext_size, (unsigned long long)v->xfeatures,
	       v->xstate_size, v->magic2, (unsigned long long)v->xstate_bv);
}

static int role_frame(void)
{
	struct sigaction sa = { .sa_sigaction = frame_handler, .sa_flags = SA_SIGINFO };
	uint64_t x;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	x = xmm8_across_signal(PAT_A, SIGUSR1);
	printf("cpuid 0x%x xcr0 0x%llx handled %d %d xmm8 %s\n", cpuid_xsave_size(),
	       (unsigned long long)xgetbv0(), handled[0], handled[1],
	       x == PAT_A ? "kept" : "lost");
	print_frame("outer", &frames[0]);
	print_frame("inner", &frames[1]);
	return 0;
}

/* A signal stack sized from this task's CPUID leaf 0xD. */
static uint8_t *alt_lo, *alt_hi;
static volatile int alt_on;

static void alt_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	volatile char here;

	(void)sig;
	(void)si;
	alt_on = (uint8_t *)&here >= alt_lo && (uint8_t *)&here < alt_hi &&
		 fx >= alt_lo && fx < alt_hi;
	read_frame(fx, &frames[0]);
}

/*
 * Make [@lo, @lo + @size) the signal stack (alt_lo/alt_hi record it for the
 * handler) and @sa the SIGUSR1 action. Prints why and returns 1 on failure.
 */
static int use_altstack(void *lo, size_t size, const struct sigaction *sa)
{
	stack_t ss = { .ss_sp = lo, .ss_size = size, .ss_flags = 0 };

	alt_lo = lo;
	alt_hi = alt_lo + size;
	if (sigaltstack(&ss, NULL)) {
		printf("sigaltstack %s\n", strerror(errno));
		return 1;
	}
	sigaction(SIGUSR1, sa, NULL);
	return 0;
}

static int role_altstack(void)
{
	struct sigaction sa = { .sa_sigaction = alt_handler,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };
	size_t size = cpuid_xsave_size() + 4 + 2048;
	uint64_t x;

	if (use_altstack(aligned_alloc(64, (size + 63) & ~63UL), size, &sa))
		return 1;
	x = xmm8_across_signal(PAT_A, SIGUSR1);
	printf("stack %zu on %d size 0x%x xmm8 %s at_minsigstksz %lu\n", size, alt_on,
	       frames[0].xstate_size, x == PAT_A ? "kept" : "lost",
	       getauxval(AT_MINSIGSTKSZ));
	return 0;
}

/*
 * A 16 KiB signal stack that ends at the top of the user address space
 * (TASK_SIZE_MAX: (1 << 56) - 4096 with 5-level paging, else
 * (1 << 47) - 4096): the frame lies in the top page, and sigreturn must
 * take it back from there. Dies of SIGSEGV if it cannot.
 */
static int role_topstack(void)
{
	const uintptr_t tops[] = { (1UL << 56) - 4096, (1UL << 47) - 4096 };
	struct sigaction sa = { .sa_sigaction = alt_handler,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };
	const size_t size = 16384;
	void *want, *got = MAP_FAILED;
	unsigned int i;
	uint64_t x;

	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		want = (void *)(tops[i] - size);
		got = mmap(want, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (got == want)
			break;
		if (got != MAP_FAILED)
			munmap(got, size);
		got = MAP_FAILED;
	}
	if (got == MAP_FAILED) {
		printf("no-top-mapping %s\n", strerror(errno));
		return 1;
	}
	if (use_altstack(got, size, &sa))
		return 1;
	printf("top %p\n", (void *)alt_hi);
	fflush(stdout);
	x = xmm8_across_signal(PAT_A, SIGUSR1);
	printf("returned on %d size 0x%x xmm8 %s xcr0 0x%llx\n", alt_on, frames[0].xstate_size,
	       x == PAT_A ? "kept" : "lost", (unsigned long long)xgetbv0());
	return 0;
}

/*
 * Forge the frame: a copy with AVX state (bit 2) added to XSTATE_BV and
 * fx_sw_bytes, full-sized, filled with a pattern, for a task without AVX.
 * forge_bv, if set, replaces both with that value instead (every component
 * of the CPU, or all 64 bits), and PKRU gets a value in its slot too.
 */
static uint8_t forged[16384] __attribute__((aligned(64)));
static unsigned int forge_full_size, forge_ymm_off, forge_pkru_off;
static uint64_t forge_bv;

static void forge_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	unsigned int size = *(uint32_t *)(fx + OFF_SW_BYTES + 16);

	(void)sig;
	(void)si;
	memcpy(forged, fx, size);
	memset(forged + forge_ymm_off, 0xab, 256);
	*(uint64_t *)(forged + OFF_XSTATE_BV) |= XCR0_AVX;
	*(uint64_t *)(forged + OFF_SW_BYTES + 8) |= XCR0_AVX;
	if (forge_bv) {
		*(uint64_t *)(forged + OFF_XSTATE_BV) = forge_bv;
		*(uint64_t *)(forged + OFF_SW_BYTES + 8) = forge_bv;
		if (forge_pkru_off)
			*(uint32_t *)(forged + forge_pkru_off) = PKRU_EDIT;
	}
	*(uint32_t *)(forged + OFF_SW_BYTES + 16) = forge_full_size;
	*(uint32_t *)(forged + OFF_SW_BYTES + 4) = forge_full_size + 4;
	*(uint32_t *)(forged + forge_full_size) = FP_XSTATE_MAGIC2;
	uc->uc_mcontext.fpregs = (void *)forged;
	clobber_xmm8();
}

/* Upper halves of ymm0-15 (needs AVX in XCR0): any non-zero byte? */
static bool ymm_upper_nonzero(void)
{
	uint8_t up[16][16];
	int i, j;

#define UP(n) asm volatile("vextractf128 $1, %%ymm" #n ", %0" : "=m"(up[n]))
	UP(0); UP(1); UP(2); UP(3); UP(4); UP(5); UP(6); UP(7);
	UP(8); UP(9); UP(10); UP(11); UP(12); UP(13); UP(14); UP(15);
#undef UP
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			if (up[i][j])
				return true;
	return false;
}

static sigjmp_buf vex_jmp;

static void vex_sigill(int sig)
{
	(void)sig;
	siglongjmp(vex_jmp, 1);
}

/* Does a VEX (AVX) instruction execute, or raise SIGILL? */
static const char *vex_runs(void)
{
	struct sigaction sa = { .sa_handler = vex_sigill }, old;
	const char *what = "runs";

	sigaction(SIGILL, &sa, &old);
	if (sigsetjmp(vex_jmp, 1))
		what = "sigill";
	else
		asm volatile("vpxor %%xmm15, %%xmm15, %%xmm15" : : : "xmm15");
	sigaction(SIGILL, &old, NULL);
	return what;
}

/*
 * forge [every|allbits]: sigreturn through a forged frame, see above.
 * With an argument, the frame claims every component of the CPU (every)
 * or all 64 bits (allbits), with AVX and PKRU data, and the role says
 * what it runs with after it: XGETBV, whether VEX raises SIGILL, PKRU.
 */
static int role_forge(const char *how)
{
	struct sigaction sa = { .sa_sigaction = forge_handler, .sa_flags = SA_SIGINFO };
	unsigned int a, b, c, d;
	uint64_t x;
	char ch;

	__cpuid_count(0xd, 0, a, b, c, d);
	forge_full_size = c;	/* for every feature the CPU has */
	forge_ymm_off = xfeature_offset(2);
	if (!strcmp(how, "every"))
		forge_bv = a | (uint64_t)d << 32;
	else if (!strcmp(how, "allbits"))
		forge_bv = ~0ULL;
	if (forge_bv && (a & XCR0_PKRU))
		forge_pkru_off = xfeature_offset(9);
	if (forge_bv && have_ospke())
		wrpkru(PKRU_TEST);
	sigaction(SIGUSR1, &sa, NULL);
	x = xmm8_across_signal(PAT_A, SIGUSR1);
	if (forge_bv)
		printf("returned xmm8 %s xcr0 0x%llx vex %s pkru 0x%x\n", x == PAT_A ? "kept" : "lost",
		       (unsigned long long)xgetbv0(), vex_runs(), have_ospke() ? rdpkru() : 0);
	else
		printf("returned xmm8 %s\n", x == PAT_A ? "kept" : "lost");
	/* The parent widens the mask to one with AVX: look at YMM then. */
	if (read(0, &ch, 1) != 1)
		return 1;
	printf("xcr0 0x%llx ymm_upper %s\n", (unsigned long long)xgetbv0(),
	       ymm_upper_nonzero() ? "loaded" : "init");
	return 0;
}

/*
 * PKRU across signals. Three signals, each interrupting code that runs with
 * PKRU_TEST: a plain one, one whose handler writes PKRU, one whose handler
 * edits the PKRU in the frame (in the XSAVE area if the frame has PKRU,
 * else in the software-reserved record).
 */
static volatile uint32_t pkru_in_handler, pkru_write_in_handler;
static volatile int pkru_edit_frame;
static struct frame_view pkru_frame;
static uint32_t pkru_frame_xsave;	/* the frame's XSAVE PKRU, if it has one */
static unsigned int pkru_off;

static void pkru_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	bool in_xsave;

	(void)sig;
	(void)si;
	pkru_in_handler = rdpkru();
	read_frame(fx, &pkru_frame);
	in_xsave = pkru_frame.xfeatures & XCR0_PKRU;
	pkru_frame_xsave = in_xsave ? *(uint32_t *)(fx + pkru_off) : 0;
	if (pkru_write_in_handler)
		wrpkru(pkru_write_in_handler);
	if (pkru_edit_frame)
		*(uint32_t *)(fx + (in_xsave ? pkru_off : OFF_SW_PAD1)) = PKRU_EDIT;
}

/*
 * Nested: the outer handler writes PKRU_HANDLER and raises a second signal;
 * the inner handler starts with the default PKRU and its frame holds
 * PKRU_HANDLER; back in the outer handler PKRU is PKRU_HANDLER again.
 */
static volatile uint32_t nest_inner, nest_inner_frame, nest_between;

static void pkru_inner(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	struct frame_view v;

	(void)sig;
	(void)si;
	nest_inner = rdpkru();
	read_frame(fx, &v);
	nest_inner_frame = v.xfeatures & XCR0_PKRU ? *(uint32_t *)(fx + pkru_off) :
		v.pad0 == FP_XSTATE_PKRU_MAGIC ? v.pad1 : 0;
	wrpkru(PKRU_EDIT);
}

static void pkru_outer(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	wrpkru(PKRU_HANDLER);
	raise(SIGUSR2);
	nest_between = rdpkru();
}

static int role_pkru(void)
{
	struct sigaction sa = { .sa_sigaction = pkru_handler, .sa_flags = SA_SIGINFO };
	uint32_t before, after, after_write, after_edit, nest_after;

	if (!have_ospke()) {
		printf("no-ospke\n");
		return 0;
	}
	pkru_off = xfeature_offset(9);
	sigaction(SIGUSR1, &sa, NULL);
	wrpkru(PKRU_TEST);
	before = rdpkru();
	raise(SIGUSR1);
	after = rdpkru();
	pkru_write_in_handler = PKRU_HANDLER;
	wrpkru(PKRU_TEST);
	raise(SIGUSR1);
	after_write = rdpkru();
	pkru_write_in_handler = 0;
	pkru_edit_frame = 1;
	wrpkru(PKRU_TEST);
	raise(SIGUSR1);
	after_edit = rdpkru();
	sa.sa_sigaction = pkru_outer;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = pkru_inner;
	sigaction(SIGUSR2, &sa, NULL);
	wrpkru(PKRU_TEST);
	raise(SIGUSR1);
	nest_after = rdpkru();
	wrpkru(0x55555554);
	printf("before 0x%x handler 0x%x after 0x%x after-handler-write 0x%x after-frame-edit 0x%x\n",
	       before, pkru_in_handler, after, after_write, after_edit);
	printf("frame xfeatures 0x%llx bv 0x%llx pad0 0x%x pad1 0x%x xsave-pkru 0x%x\n",
	       (unsigned long long)pkru_frame.xfeatures,
	       (unsigned long long)pkru_frame.xstate_bv, pkru_frame.pad0, pkru_frame.pad1,
	       pkru_frame_xsave);
	printf("nested inner 0x%x inner-frame 0x%x between 0x%x after 0x%x\n", nest_inner,
	       nest_inner_frame, nest_between, nest_after);
	return 0;
}

/*
 * PKRU_TEST, a signal whose handler waits for the parent (which detaches
 * the scheduler or changes the mask meanwhile), writes PKRU_HANDLER and
 * returns: then the PKRU the interrupted code got back. Raw output.
 */
static volatile uint64_t pkmid_xfeatures;

static NO_LIBC void pkmid_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	char c;

	(void)sig;
	(void)si;
	pkmid_xfeatures = *(uint64_t *)((uint8_t *)uc->uc_mcontext.fpregs + OFF_SW_BYTES + 8);
	raw_write("inhandler\n");
	syscall(SYS_read, 0, &c, 1);
	wrpkru(PKRU_HANDLER);
}

static NO_LIBC int role_pkmid(void)
{
	struct sigaction sa = { .sa_sigaction = pkmid_handler, .sa_flags = SA_SIGINFO };
	char line[128], *p;
	uint32_t after;

	if (!have_ospke()) {
		raw_write("no-ospke\n");
		return 0;
	}
	sigaction(SIGUSR1, &sa, NULL);
	wrpkru(PKRU_TEST);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	after = rdpkru();
	wrpkru(0x55555554);
	p = put(line, "pkru ");
	p = hex(p, after);
	p = put(p, " xcr0 ");
	p = hex(p, xgetbv0());
	p = put(p, " frame ");
	p = hex(p, pkmid_xfeatures);
	put(p, "\n");
	raw_write(line);
	syscall(SYS_exit_group, 0);
	return 0;
}

/*
 * The mask changes while the handler runs: the handler tells the parent,
 * which changes it and wakes the handler up. Output is raw: after a
 * narrowing, glibc's AVX string functions would SIGILL.
 */
static volatile uint64_t mid_xfeatures;

static void mid_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	char c;

	(void)sig;
	(void)si;
	mid_xfeatures = *(uint64_t *)(fx + OFF_SW_BYTES + 8);
	raw_write("inhandler\n");
	syscall(SYS_read, 0, &c, 1);
	clobber_xmm8();
}

/* Where an unexpected SIGILL came from, relative to role_midchange(). */
static NO_LIBC int role_midchange(const char *dir);

static NO_LIBC void ill_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	char line[128], *p;

	(void)sig;
	(void)si;
	p = put(line, "SIGILL at role_midchange");
	*p++ = '+';
	p = hex(p, uc->uc_mcontext.gregs[REG_RIP] - (uintptr_t)role_midchange);
	p = put(p, " xcr0 ");
	p = hex(p, xgetbv0());
	*p++ = '\n';
	*p = 0;
	raw_write(line);
	syscall(SYS_exit_group, 3);
}

static NO_LIBC int role_midchange(const char *dir)
{
	struct sigaction sa = { .sa_sigaction = mid_handler, .sa_flags = SA_SIGINFO };
	bool narrow = !strcmp(dir, "narrowed");
	uint8_t pat[32], out[32];
	char line[256], *p;
	volatile int diff = 0;
	long ret;
	int i;

	for (i = 0; i < 32; i++)
		pat[i] = 0x40 + i;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = ill_handler;
	sigaction(SIGILL, &sa, NULL);
	fflush(stdout);
	if (narrow) {
		/* ymm8 full (AVX allowed now), low half read back after */
		asm volatile("vmovdqu (%[in]), %%ymm8\n\t"
			     "syscall\n\t"
			     "movdqu %%xmm8, (%[out])\n\t"
			     : "=a"(ret)
			     : [in] "r"(pat), [out] "r"(out), "a"((long)SYS_tgkill),
			       "D"((long)getpid()), "S"((long)gettid()), "d"((long)SIGUSR1)
			     : "rcx", "r11", "xmm8", "memory");
		for (i = 16; i < 32; i++)
			out[i] = 0;	/* cannot be read under the narrower mask */
	} else {
		/* xmm8 only (no AVX yet), all of ymm8 read back after */
		asm volatile("movdqu (%[in]), %%xmm8\n\t"
			     "syscall\n\t"
			     "vmovdqu %%ymm8, (%[out])\n\t"
			     : "=a"(ret)
			     : [in] "r"(pat), [out] "r"(out), "a"((long)SYS_tgkill),
			       "D"((long)getpid()), "S"((long)gettid()), "d"((long)SIGUSR1)
			     : "rcx", "r11", "xmm8", "memory");
	}
	p = put(line, "xcr0 ");
	p = hex(p, xgetbv0());
	p = put(p, " frame ");
	p = hex(p, mid_xfeatures);
	p = put(p, " low ");
	for (i = 0; i < 16; i++)
		diff |= out[i] != pat[i];
	*p++ = diff ? 'X' : 'K';
	p = put(p, " high ");
	for (diff = 0, i = 16; i < 32; i++)
		diff |= out[i];
	*p++ = diff ? 'X' : '0';
	*p++ = '\n';
	*p = 0;
	raw_write(line);
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Blocked in read() with xmm8 = PAT_A for a tracer; then report. */
static int role_traced(void)
{
	uint64_t x;
	long r;
	char c;

	if (have_ospke())
		wrpkru(PKRU_TEST);
	printf("ready\n");
	fflush(stdout);
	asm volatile("movq %[pat], %%xmm8\n\t"
		     "syscall\n\t"
		     "movq %%xmm8, %[out]\n\t"
		     : [out] "=r"(x), "=a"(r)
		     : [pat] "r"(PAT_A), "a"((long)SYS_read), "D"(0L), "S"(&c), "d"(1L)
		     : "rcx", "r11", "xmm8", "memory");
	printf("xmm8 0x%llx pkru 0x%x xcr0 0x%llx\n", (unsigned long long)x,
	       have_ospke() ? rdpkru() : 0, (unsigned long long)xgetbv0());
	return 0;
}

static int role_crash(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_CORE, &rl);
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
	return 1;
}

/*
 * Run @path as nobody. protection_keys_64 as root first sets up hugetlbfs
 * pages and exits if /proc/sys/vm/nr_hugepages is missing (a kernel without
 * CONFIG_HUGETLBFS); as another user it skips that part, its only use of
 * root.
 */
static int role_nobody(const char *path)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		printf("cannot become nobody: %s\n", strerror(errno));
		return 1;
	}
	execl(path, path, (char *)NULL);
	printf("cannot run %s: %s\n", path, strerror(errno));
	return 127;
}

static int run_role(int argc, char **argv)
{
	const char *role = argv[2];
	const char *a1 = argc > 3 ? argv[3] : "0";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(role, "report"))
		return role_report();
	if (!strcmp(role, "xcomp"))
		return role_xcomp();
	if (!strcmp(role, "frame"))
		return role_frame();
	if (!strcmp(role, "altstack"))
		return role_altstack();
	if (!strcmp(role, "forge"))
		return role_forge(a1);
	if (!strcmp(role, "pkru"))
		return role_pkru();
	if (!strcmp(role, "pkmid"))
		return role_pkmid();
	if (!strcmp(role, "topstack"))
		return role_topstack();
	if (!strcmp(role, "midchange"))
		return role_midchange(a1);
	if (!strcmp(role, "traced"))
		return role_traced();
	if (!strcmp(role, "crash"))
		return role_crash();
	if (!strcmp(role, "nobody"))
		return role_nobody(a1);
	fprintf(stderr, "unknown role %s\n", role);
	return 2;
}

/* ---- tests ---- */

static void test_proc(void)
{
	uint64_t v = 0, pend = 0, child = 0;
	unsigned long long c = 0;
	char line[64];
	struct proc p;
	bool has;
	long r;
	int st;

	if (spawn_role(0x3, &p, "report", NULL, NULL) || p.ret) {
		report(false, "proc/restricted", "could not start a child under 0x3 (%ld)", p.ret);
		return;
	}
	/* Its answer shows the execve() that applies the mask is done */
	proc_send(&p);
	proc_line(&p, line, sizeof(line));
	has = proc_masks(p.pid, &v, &pend);
	report(has && v == 0x3 && pend == 0x3, "proc/restricted",
	       "line %s, value 0x%llx, pending 0x%llx (want 0x3, no pending line); XGETBV '%s'",
	       has ? "present" : "missing", (unsigned long long)v, (unsigned long long)pend,
	       line);

	r = change_mask(&p, 0);
	proc_line(&p, line, sizeof(line));
	sscanf(line, "%llx", &c);
	child = c;
	has = proc_masks(p.pid, &v, &pend);
	st = proc_end(&p);
	report(!r && has && v == full && pend == full && child == full, "proc/cleared",
	       "live clear returned %ld; /proc says 0x%llx pending 0x%llx, XGETBV '%s' (want 0x%llx), child status 0x%x",
	       r, (unsigned long long)v, (unsigned long long)pend, line,
	       (unsigned long long)full, st);

	spawn_role(0, &p, "report", NULL, NULL);
	has = proc_masks(p.pid, &v, &pend);
	report(has && v == full && pend == full, "proc/unrestricted",
	       "line %s, value 0x%llx pending 0x%llx (want 0x%llx)",
	       has ? "present" : "missing", (unsigned long long)v, (unsigned long long)pend,
	       (unsigned long long)full);
	proc_end(&p);

	has = proc_masks(2, &v, &pend);	/* kthreadd */
	report(!has, "proc/kthread-no-line", "kthreadd has x86_xcr0 0x%llx",
	       (unsigned long long)v);
}

static void test_xcomp_supp(void)
{
	unsigned long long supp = 0, self = 0;
	char line[128];
	struct proc p;
	long r = -1;

	syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &self);
	if (spawn_role(0x3, &p, "xcomp", NULL, NULL) || p.ret) {
		report(false, "xcomp-supp/restricted", "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	sscanf(line, "ret %ld supp 0x%llx", &r, &supp);
	proc_end(&p);
	report(!r && supp == (self & 0x3), "xcomp-supp/restricted",
	       "child under 0x3 said '%s' (want 0x%llx)", line, self & 0x3);

	spawn_role(0, &p, "xcomp", NULL, NULL);
	proc_line(&p, line, sizeof(line));
	sscanf(line, "ret %ld supp 0x%llx", &r, &supp);
	proc_end(&p);
	report(!r && supp == self, "xcomp-supp/unrestricted",
	       "unrestricted child got 0x%llx (want 0x%llx)", supp, self);
}

struct fv_parsed {
	unsigned int magic1, ext, size, magic2;
	unsigned long long xfeatures, bv;
};

static bool parse_frame(const char *line, struct fv_parsed *f)
{
	char tag[16];

	return sscanf(line, "%15s magic1 0x%x ext 0x%x xfeatures 0x%llx size 0x%x magic2 0x%x bv 0x%llx",
		      tag, &f->magic1, &f->ext, &f->xfeatures, &f->size, &f->magic2,
		      &f->bv) == 7;
}

/* The frame check shared by the 64-bit and ia32 tests. */
static bool frame_ok(struct fv_parsed *f, uint64_t mask, unsigned int cpuid,
		     char *why, size_t len)
{
	uint64_t view = task_view(mask);

	if (f->magic1 != FP_XSTATE_MAGIC1 || f->magic2 != FP_XSTATE_MAGIC2)
		snprintf(why, len, "magic1 0x%x magic2 0x%x", f->magic1, f->magic2);
	else if (f->xfeatures != view)
		snprintf(why, len, "fx_sw_bytes.xfeatures 0x%llx, want 0x%llx",
			 f->xfeatures, (unsigned long long)view);
	else if (f->bv & ~view)
		snprintf(why, len, "XSTATE_BV 0x%llx outside 0x%llx", f->bv,
			 (unsigned long long)view);
	else if (f->size != cpuid || f->size != expected_xsave_size(mask ? mask : full))
		snprintf(why, len, "xstate_size 0x%x, task's CPUID 0x%x, expected 0x%x",
			 f->size, cpuid, expected_xsave_size(mask ? mask : full));
	else
		return true;
	return false;
}

static void test_sigframe(uint64_t mask)
{
	char name[64], line[256], why[160] = "", xmm[16] = "";
	struct fv_parsed outer = {}, inner = {};
	unsigned int cpuid = 0;
	unsigned long long xcr0 = 0;
	int h0 = 0, h1 = 0, status;
	char mname[24];
	bool ok;
	struct proc p;

	if (mask)
		snprintf(mname, sizeof(mname), "0x%llx", (unsigned long long)mask);
	else
		snprintf(mname, sizeof(mname), "unrestricted");
	snprintf(name, sizeof(name), "sigframe/view-%s", mname);
	if ((mask & ~full) && mask) {
		skip(name, "the CPU lacks a component of this mask");
		return;
	}
	if (spawn_role(mask, &p, "frame", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	sscanf(line, "cpuid 0x%x xcr0 0x%llx handled %d %d xmm8 %15s", &cpuid, &xcr0,
	       &h0, &h1, xmm);
	proc_line(&p, line, sizeof(line));
	ok = parse_frame(line, &outer);
	proc_line(&p, line, sizeof(line));
	ok &= parse_frame(line, &inner);
	status = proc_end(&p);

	if (!WIFEXITED(status) || WEXITSTATUS(status) || !ok || !h0) {
		report(false, name, "child status 0x%x (a user XRSTOR of the frame faulted?), handled %d",
		       status, h0);
		return;
	}
	report(frame_ok(&outer, mask, cpuid, why, sizeof(why)), name, "%s", why);
	snprintf(name, sizeof(name), "sigframe/nested-%s", mname);
	report(h1 && frame_ok(&inner, mask, cpuid, why, sizeof(why)), name, "%s%s",
	       h1 ? "" : "inner handler did not run; ", why);
	snprintf(name, sizeof(name), "sigframe/registers-restored-%s", mname);
	report(!strcmp(xmm, "kept") && xcr0 == (mask ? mask : full), name,
	       "xmm8 %s after sigreturn, XCR0 0x%llx", xmm, xcr0);
}

static unsigned long at_min_full;	/* AT_MINSIGSTKSZ of an unrestricted task */

static void test_altstack(uint64_t mask, const char *name)
{
	unsigned int size = 0;
	char line[256], xmm[16] = "";
	unsigned long at_min = 0;
	size_t stack = 0;
	int on = 0, status;
	struct proc p;
	long d;

	if (spawn_role(mask, &p, "altstack", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	sscanf(line, "stack %zu on %d size 0x%x xmm8 %15s at_minsigstksz %lu", &stack, &on,
	       &size, xmm, &at_min);
	status = proc_end(&p);
	report(WIFEXITED(status) && !WEXITSTATUS(status) && on && !strcmp(xmm, "kept"),
	       name, "child status 0x%x ('%s'): a %zu byte stack from CPUID size 0x%x",
	       status, line, stack, size);
	/*
	 * AT_MINSIGSTKSZ follows the frame size: smaller than for the full
	 * mask by the XSAVE size difference (each value is rounded up to 16).
	 */
	if (!mask) {
		at_min_full = at_min;
		return;
	}
	d = (long)(at_min_full - at_min) - (long)(full_size - expected_xsave_size(mask));
	report(at_min_full && at_min && d > -16 && d < 16, "auxv/at-minsigstksz-0x3",
	       "AT_MINSIGSTKSZ %lu under 0x%llx, %lu unrestricted, XSAVE sizes 0x%x and 0x%x",
	       at_min, (unsigned long long)mask, at_min_full, expected_xsave_size(mask),
	       full_size);
}

static void test_forged(void)
{
	const char *name = "sigreturn/forged-frame-outside-mask";
	char line[256], line2[256];
	unsigned long long xcr0 = 0;
	char ymm[16] = "";
	struct proc p;
	long r;

	if (!(full & XCR0_AVX)) {
		skip(name, "no AVX on this CPU");
		return;
	}
	if (spawn_role(0x3, &p, "forge", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	r = change_mask(&p, 0x7);
	proc_line(&p, line2, sizeof(line2));
	sscanf(line2, "xcr0 0x%llx ymm_upper %15s", &xcr0, ymm);
	proc_end(&p);
	report(!strcmp(line, "returned xmm8 kept") && !r && xcr0 == 0x7 &&
	       !strcmp(ymm, "init"), name,
	       "after sigreturn: '%s'; widened to 0x7 (%ld): '%s' (want YMM in init state)",
	       line, r, line2);
}

/*
 * A 0x3 task sigreturns through a frame that claims every component of the
 * CPU (or all 64 bits) with AVX and PKRU data in it. The kernel may refuse
 * the frame (SIGSEGV) or restore what the task's mask holds; either way the
 * task keeps XCR0 0x3, VEX still raises SIGILL, and once its mask is widened
 * to 0x7 the YMM upper halves are in their init state, not the forged data.
 */
static void test_forged_every(const char *how)
{
	char name[64], line[256] = "", line2[256] = "", xmm[8] = "", vex[8] = "", ymm[16] = "";
	unsigned long long xcr0 = 0, xcr0_wide = 0;
	unsigned int pkru = 0;
	struct proc p;
	int status;
	long r = 0;

	snprintf(name, sizeof(name), "sigreturn/forged-frame-%s-0x3", how);
	if (!(full & XCR0_AVX)) {
		skip(name, "no AVX on this CPU");
		return;
	}
	if (spawn_role(0x3, &p, "forge", how, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	if (proc_line(&p, line, sizeof(line))) {
		r = change_mask(&p, 0x7);
		proc_line(&p, line2, sizeof(line2));
	}
	status = proc_end(&p);
	printf("# %s%s: %s\n", name, name_suffix,
	       line[0] ? line : "no line: the frame was refused");
	if (!line[0]) {
		report(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, name,
		       "no line from the child, status 0x%x (want SIGSEGV if the frame is refused)",
		       status);
		return;
	}
	sscanf(line, "returned xmm8 %7s xcr0 0x%llx vex %7s pkru 0x%x", xmm, &xcr0, vex, &pkru);
	sscanf(line2, "xcr0 0x%llx ymm_upper %15s", &xcr0_wide, ymm);
	report(!strcmp(xmm, "kept") && xcr0 == 0x3 && !strcmp(vex, "sigill") && !r &&
	       xcr0_wide == 0x7 && !strcmp(ymm, "init"), name,
	       "after sigreturn: '%s' (want xmm8 kept xcr0 0x3 vex sigill); widened to 0x7 (%ld): '%s' (want YMM in init state)",
	       line, r, line2);
}

static uint32_t init_pkru;	/* the PKRU every signal handler starts with */

static void mask_name(uint64_t mask, char *buf, size_t len)
{
	if (mask)
		snprintf(buf, len, "0x%llx", (unsigned long long)mask);
	else
		snprintf(buf, len, "unrestricted");
}

/*
 * The pkeys(7) contract, whatever the mask: the handler starts with the
 * default PKRU, sigreturn restores the interrupted PKRU (a PKRU the handler
 * wrote is undone), and the handler can change what is restored by editing
 * the frame. A frame without PKRU in its XSAVE area (the mask lacks it)
 * carries it in the software-reserved bytes.
 */
static void test_pkru(uint64_t mask)
{
	unsigned int before = 0, in = 0, after = 0, after_write = 0, after_edit = 0;
	unsigned int pad0 = 0, pad1 = 0, xsave_pkru = 0;
	unsigned long long xfeatures = 0, bv = 0;
	bool in_frame = task_view(mask) & XCR0_PKRU;
	unsigned int n_inner = 0, n_frame = 0, n_between = 0, n_after = 0;
	char m[24], name[5][64], line[256], line2[256], line3[256];
	struct proc p;
	int i;

	mask_name(mask, m, sizeof(m));
	snprintf(name[0], sizeof(name[0]), "pkru/handler-starts-default-%s", m);
	snprintf(name[1], sizeof(name[1]), "pkru/sigreturn-restores-%s", m);
	snprintf(name[2], sizeof(name[2]), "pkru/frame-%s-%s", in_frame ? "xsave" : "record", m);
	snprintf(name[3], sizeof(name[3]), "pkru/handler-edits-frame-%s", m);
	snprintf(name[4], sizeof(name[4]), "pkru/nested-%s", m);
	if (!(full & XCR0_PKRU) || (mask & ~full)) {
		for (i = 0; i < 5; i++)
			skip(name[i], "the CPU lacks PKRU or a component of the mask");
		return;
	}
	if (spawn_role(mask, &p, "pkru", NULL, NULL) || p.ret) {
		report(false, name[0], "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	proc_line(&p, line2, sizeof(line2));
	proc_line(&p, line3, sizeof(line3));
	proc_end(&p);
	if (!strcmp(line, "no-ospke")) {
		for (i = 0; i < 5; i++)
			skip(name[i], "OSPKE not set");
		return;
	}
	sscanf(line, "before 0x%x handler 0x%x after 0x%x after-handler-write 0x%x after-frame-edit 0x%x",
	       &before, &in, &after, &after_write, &after_edit);
	sscanf(line2, "frame xfeatures 0x%llx bv 0x%llx pad0 0x%x pad1 0x%x xsave-pkru 0x%x",
	       &xfeatures, &bv, &pad0, &pad1, &xsave_pkru);
	report(before == PKRU_TEST && in == init_pkru, name[0],
	       "'%s' (want handler 0x%x, the default)", line, init_pkru);
	report(after == PKRU_TEST && after_write == PKRU_TEST, name[1],
	       "'%s' (want after and after-handler-write 0x%x)", line, PKRU_TEST);
	if (in_frame)
		report((xfeatures & XCR0_PKRU) && (bv & XCR0_PKRU) && xsave_pkru == PKRU_TEST,
		       name[2], "'%s' (want PKRU in xfeatures and XSTATE_BV, XSAVE PKRU 0x%x)",
		       line2, PKRU_TEST);
	else
		report(!(xfeatures & XCR0_PKRU) && !(bv & XCR0_PKRU) &&
		       pad0 == FP_XSTATE_PKRU_MAGIC && pad1 == PKRU_TEST, name[2],
		       "'%s' (want no PKRU in xfeatures or XSTATE_BV, pad0 0x%x, pad1 0x%x)",
		       line2, FP_XSTATE_PKRU_MAGIC, PKRU_TEST);
	report(after_edit == PKRU_EDIT, name[3], "'%s' (want after-frame-edit 0x%x)", line,
	       PKRU_EDIT);
	sscanf(line3, "nested inner 0x%x inner-frame 0x%x between 0x%x after 0x%x", &n_inner,
	       &n_frame, &n_between, &n_after);
	report(n_inner == init_pkru && n_frame == PKRU_HANDLER && n_between == PKRU_HANDLER &&
	       n_after == PKRU_TEST, name[4],
	       "'%s' (want inner 0x%x inner-frame 0x%x between 0x%x after 0x%x)", line3,
	       init_pkru, PKRU_HANDLER, PKRU_HANDLER, PKRU_TEST);
}

/*
 * The default PKRU handlers start with is the kernel's init_pkru, which
 * root can change: a restricted task's handler follows it like any other.
 */
static void test_pkru_changed_default(uint64_t mask)
{
	const char *path = "/sys/kernel/debug/x86/init_pkru";
	const uint32_t changed = 0x55555544;	/* keys 1-15 AD, key 1 not WD */
	unsigned int before = 0, in = 0;
	char name[64], m[24], line[256] = "", val[32];
	struct proc p;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "pkru/handler-starts-changed-default-%s", m);
	if (!init_pkru) {
		skip(name, "no protection keys");
		return;
	}
	snprintf(val, sizeof(val), "0x%x", changed);
	if (write_str(path, val)) {
		skip(name, "cannot write /sys/kernel/debug/x86/init_pkru");
		return;
	}
	if (spawn_role(mask, &p, "pkru", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
	} else {
		proc_line(&p, line, sizeof(line));
		proc_end(&p);
		sscanf(line, "before 0x%x handler 0x%x", &before, &in);
		report(before == PKRU_TEST && in == changed, name,
		       "init_pkru 0x%x: '%s' (want handler 0x%x)", changed, line, changed);
	}
	snprintf(val, sizeof(val), "0x%x", init_pkru);
	if (write_str(path, val))
		printf("# cannot restore init_pkru 0x%x\n", init_pkru);
}

enum pkmid_event { PKMID_DETACH, PKMID_LIVE };

/*
 * Whether PKRU is in a frame is decided at delivery: detaching the
 * scheduler or changing the mask while the handler runs does not change
 * what sigreturn restores.
 */
static void test_pkru_mid(const char *name, uint64_t from, enum pkmid_event ev, uint64_t to)
{
	unsigned long long after = 0, xcr0 = 0, frame = 0;
	uint64_t want_xcr0 = ev == PKMID_LIVE ? to : from;
	char line[256] = "", line2[256] = "";
	bool gone = true;
	struct proc p;
	int status;
	long r = 0;

	if (!(full & XCR0_PKRU) || ((from | to) & ~full)) {
		skip(name, "the CPU lacks PKRU or a component of the masks");
		return;
	}
	if (spawn_role(from, &p, "pkmid", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	if (!strcmp(line, "no-ospke")) {
		proc_end(&p);
		skip(name, "OSPKE not set");
		return;
	}
	if (ev == PKMID_DETACH) {
		wait_sleeping(p.pid);
		unload_scheduler();
		gone = wait_scx_state("disabled");
		proc_send(&p);
	} else {
		r = change_mask(&p, to);
	}
	proc_line(&p, line2, sizeof(line2));
	status = proc_end(&p);
	if (ev == PKMID_DETACH && load_scheduler())
		report(false, "load-test-scheduler", "cannot load xcr0_test again");
	sscanf(line2, "pkru 0x%llx xcr0 0x%llx frame 0x%llx", &after, &xcr0, &frame);
	report(!strcmp(line, "inhandler") && gone && !r && WIFEXITED(status) &&
	       !WEXITSTATUS(status) && after == PKRU_TEST && xcr0 == want_xcr0 &&
	       frame == task_view(from), name,
	       "'%s' %s, child status 0x%x: '%s' (want pkru 0x%x xcr0 0x%llx frame 0x%llx)",
	       line, ev == PKMID_DETACH ? (gone ? "scheduler detached" : "scheduler still attached") :
	       (r ? "mask change refused" : "mask changed"), status, line2, PKRU_TEST,
	       (unsigned long long)want_xcr0, (unsigned long long)task_view(from));
}

/* A frame in the top page of the address space returns cleanly. */
static void test_topstack(uint64_t mask)
{
	char name[64], m[24], line[256] = "", line2[256] = "", xmm[16] = "";
	unsigned long long xcr0 = 0;
	unsigned int size = 0;
	struct proc p;
	int status, on = 0;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "sigaltstack/top-page-%s", m);
	if (mask & ~full) {
		skip(name, "the CPU lacks a component of the mask");
		return;
	}
	if (spawn_role(mask, &p, "topstack", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	proc_line(&p, line2, sizeof(line2));
	status = proc_end(&p);
	if (!mask)
		printf("# sigaltstack/top-page: the stack ends at %s\n", line + 4);
	sscanf(line2, "returned on %d size 0x%x xmm8 %15s xcr0 0x%llx", &on, &size, xmm, &xcr0);
	report(WIFEXITED(status) && !WEXITSTATUS(status) && on && !strcmp(xmm, "kept") &&
	       xcr0 == (mask ? mask : full), name,
	       "child status 0x%x%s: '%s' '%s'", status,
	       WIFSIGNALED(status) ? (WTERMSIG(status) == SIGSEGV ? " (SIGSEGV)" : " (killed)") : "",
	       line, line2);
}

static void test_midchange(const char *dir, uint64_t from, uint64_t to)
{
	unsigned long long xcr0 = 0, frame = 0;
	char name[64], line[256], line2[256], low = 0, high = 0;
	struct proc p;
	int status;
	long r;

	snprintf(name, sizeof(name), "sigreturn/mask-%s-in-handler", dir);
	if ((from | to) & ~full) {
		skip(name, "no AVX on this CPU");
		return;
	}
	if (spawn_role(from, &p, "midchange", dir, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	r = change_mask(&p, to);
	proc_line(&p, line2, sizeof(line2));
	status = proc_end(&p);
	sscanf(line2, "xcr0 0x%llx frame 0x%llx low %c high %c", &xcr0, &frame, &low, &high);
	report(!strcmp(line, "inhandler") && !r && WIFEXITED(status) &&
	       !WEXITSTATUS(status) && xcr0 == to && frame == from && low == 'K' &&
	       high == '0', name,
	       "0x%llx -> 0x%llx (%ld) while in the handler ('%s'), child status 0x%x: '%s' (want xcr0 0x%llx frame 0x%llx low K high 0)",
	       (unsigned long long)from, (unsigned long long)to, r, line, status, line2,
	       (unsigned long long)to, (unsigned long long)from);
}

static void test_ptrace(uint64_t mask)
{
	uint8_t buf[16384] __attribute__((aligned(64)));
	uint8_t mod[16384] __attribute__((aligned(64)));
	uint8_t back[16384] __attribute__((aligned(64)));
	struct iovec back_iov = { back, sizeof(back) };
	unsigned int ymm_off = xfeature_offset(2);
	bool back_pattern = false;
	uint64_t back_bv;
	char name[64], mname[24], line[256];
	uint64_t want = mask ? mask : full, view = task_view(mask), bv, word;
	unsigned long long x = 0, xcr0 = 0;
	unsigned int pkru = 0, pkru_off = xfeature_offset(9);
	struct iovec iov = { buf, sizeof(buf) };
	bool ospke = have_ospke(), pkru_zero = true;
	int status, e1 = 0, r1, r2, i;
	struct proc p;

	if (mask)
		snprintf(mname, sizeof(mname), "0x%llx", (unsigned long long)mask);
	else
		snprintf(mname, sizeof(mname), "unrestricted");
	snprintf(name, sizeof(name), "ptrace/getregset-%s", mname);
	if (spawn_role(mask, &p, "traced", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	usleep(200000);	/* into its read() */
	if (ptrace(PTRACE_SEIZE, p.pid, 0, 0) || ptrace(PTRACE_INTERRUPT, p.pid, 0, 0) ||
	    waitpid(p.pid, &status, __WALL) != p.pid) {
		report(false, name, "cannot seize the child: %s", strerror(errno));
		kill(p.pid, SIGKILL);
		proc_end(&p);
		return;
	}
	if (ptrace(PTRACE_GETREGSET, p.pid, NT_X86_XSTATE, &iov)) {
		report(false, name, "GETREGSET: %s", strerror(errno));
		ptrace(PTRACE_DETACH, p.pid, 0, 0);
		kill(p.pid, SIGKILL);
		proc_end(&p);
		return;
	}
	word = *(uint64_t *)(buf + OFF_SW_BYTES);
	bv = *(uint64_t *)(buf + OFF_XSTATE_BV);
	if (full & XCR0_PKRU && !(want & XCR0_PKRU))
		for (i = 0; i < 4; i++)
			pkru_zero &= !buf[pkru_off + i];
	report(iov.iov_len == full_size && word == want && !(bv & ~view) && pkru_zero &&
	       *(uint64_t *)(buf + OFF_XMM8) == PAT_A, name,
	       "size %zu (want %u), XCR0 word 0x%llx (want 0x%llx), XSTATE_BV 0x%llx (within 0x%llx), PKRU area %s, xmm8 0x%llx",
	       iov.iov_len, full_size, (unsigned long long)word, (unsigned long long)want,
	       (unsigned long long)bv, (unsigned long long)view,
	       pkru_zero ? "clear" : "set", (unsigned long long)*(uint64_t *)(buf + OFF_XMM8));

	/* State for AVX, which a 0x3 task does not see */
	snprintf(name, sizeof(name), "ptrace/setregset-outside-mask-%s", mname);
	memcpy(mod, buf, iov.iov_len);
	*(uint64_t *)(mod + OFF_XSTATE_BV) |= XCR0_AVX & full;
	if (full & XCR0_AVX)
		memset(mod + ymm_off, 0xab, 256);
	iov.iov_base = mod;
	r1 = ptrace(PTRACE_SETREGSET, p.pid, NT_X86_XSTATE, &iov);
	e1 = errno;
	/* and what a read says afterwards: no AVX, none of the pattern */
	back_bv = ~0ULL;
	if (!ptrace(PTRACE_GETREGSET, p.pid, NT_X86_XSTATE, &back_iov)) {
		back_bv = *(uint64_t *)(back + OFF_XSTATE_BV);
		for (i = 0; i < 256; i++)
			back_pattern |= back[ymm_off + i] == 0xab;
	}
	if (!(full & XCR0_AVX))
		skip(name, "no AVX on this CPU");
	else if (want & XCR0_AVX)
		report(!r1, name, "SETREGSET with AVX for a task with AVX: %s", strerror(e1));
	else
		report(r1 && e1 == EINVAL && !(back_bv & XCR0_AVX) && !back_pattern, name,
		       "SETREGSET with AVX state for a task without: %d/%s (want EINVAL); read back: XSTATE_BV 0x%llx (want no AVX), AVX data %s",
		       r1, strerror(e1), (unsigned long long)back_bv,
		       back_pattern ? "has the written pattern" : "clear");

	/* The task's own view back with xmm8 changed: taken, PKRU kept */
	snprintf(name, sizeof(name), "ptrace/setregset-%s", mname);
	memcpy(mod, buf, iov.iov_len);
	*(uint64_t *)(mod + OFF_XMM8) = PAT_B;
	r2 = ptrace(PTRACE_SETREGSET, p.pid, NT_X86_XSTATE, &iov);
	e1 = errno;
	ptrace(PTRACE_DETACH, p.pid, 0, 0);
	proc_send(&p);
	proc_line(&p, line, sizeof(line));
	sscanf(line, "xmm8 0x%llx pkru 0x%x xcr0 0x%llx", &x, &pkru, &xcr0);
	proc_end(&p);
	report(!r2 && x == PAT_B && (!ospke || pkru == PKRU_TEST) && xcr0 == want, name,
	       "SETREGSET %s; child then: '%s' (want xmm8 0x%llx pkru 0x%x xcr0 0x%llx)",
	       r2 ? strerror(e1) : "ok", line, PAT_B, PKRU_TEST, (unsigned long long)want);
}

/* The NT_X86_XSTATE note of an ELF core file. */
static bool core_xstate(const char *path, uint8_t *out, size_t *len)
{
	bool found = false;
	struct stat st;
	Elf64_Ehdr *eh;
	uint8_t *m;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return false;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	eh = (Elf64_Ehdr *)m;
	for (i = 0; i < eh->e_phnum && !found; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(m + eh->e_phoff + i * eh->e_phentsize);
		size_t off = 0;

		if (ph->p_type != PT_NOTE)
			continue;
		while (off + sizeof(Elf64_Nhdr) <= ph->p_filesz) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(m + ph->p_offset + off);
			size_t name = (nh->n_namesz + 3) & ~3UL, desc = (nh->n_descsz + 3) & ~3UL;
			uint8_t *d = (uint8_t *)(nh + 1) + name;

			if (nh->n_type == NT_X86_XSTATE && nh->n_descsz <= *len) {
				memcpy(out, d, nh->n_descsz);
				*len = nh->n_descsz;
				found = true;
				break;
			}
			off += sizeof(*nh) + name + desc;
		}
	}
	munmap(m, st.st_size);
	return found;
}

static void test_coredump(void)
{
	const char *name = "coredump/xstate-note", *pat = "/proc/sys/kernel/core_pattern";
	static uint8_t note[16384];
	char old[512] = "", path[64];
	size_t len = sizeof(note);
	uint64_t word, bv;
	struct proc p;
	int status, fd;
	ssize_t n;

	fd = open(pat, O_RDWR);
	if (fd < 0) {
		skip(name, "cannot open core_pattern");
		return;
	}
	n = read(fd, old, sizeof(old) - 1);
	old[n > 0 ? n : 0] = 0;
	if (pwrite(fd, "/tmp/abi-core.%p", 16, 0) != 16) {
		close(fd);
		skip(name, "cannot set core_pattern");
		return;
	}
	if (spawn_role(0x3, &p, "crash", NULL, NULL) || p.ret) {
		report(false, name, "could not start a child (%ld)", p.ret);
		goto out;
	}
	status = proc_end(&p);
	snprintf(path, sizeof(path), "/tmp/abi-core.%d", p.pid);
	if (!WIFSIGNALED(status) || !WCOREDUMP(status) || !core_xstate(path, note, &len)) {
		report(false, name, "child status 0x%x, no NT_X86_XSTATE note in %s", status,
		       path);
		goto out;
	}
	word = *(uint64_t *)(note + OFF_SW_BYTES);
	bv = *(uint64_t *)(note + OFF_XSTATE_BV);
	report(len == full_size && word == 0x3 && !(bv & ~0x3ULL), name,
	       "note of %zu bytes (want %u), XCR0 word 0x%llx (want 0x3), XSTATE_BV 0x%llx",
	       len, full_size, (unsigned long long)word, (unsigned long long)bv);
	unlink(path);
out:
	if (pwrite(fd, old, strlen(old), 0) < 0)
		perror("restore core_pattern");
	close(fd);
}

/* The ia32 runner, built next to this program (-m32 -DABI_IA32). */
static void test_ia32(uint64_t mask)
{
	unsigned long long xcr0 = 0, cpuid = 0, got = 0, pkru_ok = 0, handler = 0;
	unsigned int pad0 = 0, pad1 = 0, edit_ok = 0, forge_ok = 0;
	bool record_ok;
	char name[64], runner[4096], line[512], *slash;
	struct fv_parsed f = {};
	char why[160] = "";
	char *argv[2];
	struct proc p;

	snprintf(name, sizeof(name), "ia32/sigframe-0x%llx", (unsigned long long)mask);
	snprintf(runner, sizeof(runner), "%s", self_exe);
	slash = strrchr(runner, '/');
	snprintf(slash + 1, sizeof(runner) - (slash + 1 - runner), "xcr0_abi_ia32");
	if (access(runner, X_OK)) {
		skip(name, "no ia32 runner (no -m32 toolchain at build time)");
		return;
	}
	argv[0] = runner;
	argv[1] = NULL;
	if (spawn(mask, &p, argv) || p.ret) {
		report(false, name, "could not start the ia32 runner (%ld)", p.ret);
		return;
	}
	proc_line(&p, line, sizeof(line));
	proc_end(&p);
	if (sscanf(line, "xcr0 0x%llx cpuid 0x%llx got 0x%llx magic1 0x%x xfeatures 0x%llx size 0x%x magic2 0x%x bv 0x%llx pkru_ok 0x%llx pkru_handler 0x%llx pad0 0x%x pad1 0x%x pkru_edit_ok 0x%x pkru_forge_ok 0x%x",
		   &xcr0, &cpuid, &got, &f.magic1, &f.xfeatures, &f.size, &f.magic2, &f.bv,
		   &pkru_ok, &handler, &pad0, &pad1, &edit_ok, &forge_ok) != 14) {
		report(false, name, "runner said '%s'", line);
		return;
	}
	/* With OSPKE, a frame without PKRU records it (see test_pkru()) */
	record_ok = !init_pkru || (task_view(mask) & XCR0_PKRU) ||
		    (pad0 == FP_XSTATE_PKRU_MAGIC && pad1 == PKRU_TEST && handler == init_pkru);
	record_ok &= edit_ok && forge_ok;
	if (!record_ok)
		snprintf(why, sizeof(why),
			 "want pad0 0x%x pad1 0x%x pkru_handler 0x%x, a handler's frame edit restored, a forged PKRU bit ignored",
			 FP_XSTATE_PKRU_MAGIC, PKRU_TEST, init_pkru);
	report(got && xcr0 == mask && frame_ok(&f, mask, cpuid, why, sizeof(why)) && pkru_ok &&
	       record_ok, name, "'%s' %s", line, why);
}

/*
 * Upstream selftests (build/selftests/DIR/TEST, built by selftests/build
 * from the kernel tree) run as a restricted task: they start under the mask
 * like every role. Killed after @secs seconds.
 */
static void test_upstream_restricted(const char *dir, const char *test, uint64_t mask,
				     int secs, bool as_nobody)
{
	char name[96], m[24], path[4096], line[512], buf[4096], *slash, *nl;
	size_t have = 0;
	bool timed_out = false;
	struct pollfd pfd;
	time_t deadline;
	char *argv[5], tail[8][208];
	unsigned int i, ntail = 0;
	struct proc p;
	int status;
	ssize_t n;

	mask_name(mask, m, sizeof(m));
	snprintf(name, sizeof(name), "upstream-restricted/%s@%s", test, m);
	snprintf(path, sizeof(path), "%s", self_exe);
	slash = strrchr(path, '/');
	*slash = 0;
	slash = strrchr(path, '/');
	snprintf(slash + 1, sizeof(path) - (slash + 1 - path), "%s/%s", dir, test);
	if (access(path, X_OK)) {
		skip(name, "upstream selftest not built");
		return;
	}
	if (mask & ~full) {
		skip(name, "the CPU lacks a component of the mask");
		return;
	}
	if (as_nobody) {
		argv[0] = self_exe;
		argv[1] = "--role";
		argv[2] = "nobody";
		argv[3] = path;
		argv[4] = NULL;
	} else {
		argv[0] = path;
		argv[1] = NULL;
	}
	if (spawn(mask, &p, argv) || p.ret) {
		report(false, name, "could not start it under the mask (%ld)", p.ret);
		return;
	}
	/* Keep the first [FAIL] line, else the last line */
	line[0] = 0;
	pfd.fd = fileno(p.out);
	pfd.events = POLLIN;
	deadline = time(NULL) + secs;
	for (;;) {
		if (poll(&pfd, 1, 1000) == 0) {
			if (time(NULL) < deadline)
				continue;
			timed_out = true;
			kill(p.pid, SIGKILL);
			break;
		}
		n = read(pfd.fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = 0;
		while ((nl = strchr(buf, '\n')) || have == sizeof(buf) - 1) {
			if (nl)
				*nl = 0;
			if (!strstr(line, "[FAIL]") && buf[0])
				snprintf(line, sizeof(line), "%.500s", buf);
			if (buf[0])
				snprintf(tail[ntail++ % 8], sizeof(tail[0]), "%.200s", buf);
			if (!nl) {
				have = 0;
				break;
			}
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have + 1);
		}
	}
	status = proc_end(&p);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		skip(name, "the test skipped itself");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		for (i = ntail > 8 ? ntail - 8 : 0; i < ntail; i++)
			printf("# %s: %s\n", test, tail[i % 8]);
	report(WIFEXITED(status) && !WEXITSTATUS(status), name,
	       "%sstatus 0x%x, last output '%s'", timed_out ? "timed out, " : "",
	       status, line);
}

/*
 * --as-user UID: the tests of what a task can do to its own XSAVE state
 * (forged frames, ptrace regsets), run as UID. The scheduler is loaded as
 * root; then this process becomes UID for good and keeps only the
 * descriptors of the scheduler's request maps, the test's instrument, not
 * the task's: the forging and tracing run with the user's rights alone.
 */
static int run_as_user(uid_t uid)
{
	uid_t r, e, s;

	snprintf(name_suffix, sizeof(name_suffix), "@uid%u", (unsigned int)uid);
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ||
	    getresuid(&r, &e, &s) || r != uid || e != uid || s != uid || !setuid(0)) {
		report(false, "become-user", "cannot become uid %u for good: %s",
		       (unsigned int)uid, strerror(errno));
		unload_scheduler();
		return 1;
	}
	test_forged();
	test_forged_every("every");
	test_forged_every("allbits");
	test_ptrace(0x3);
	unload_scheduler();
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	long as_user = -1;

	if (readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1) < 0)
		return 1;
	if (argc > 2 && !strcmp(argv[1], "--role"))
		return run_role(argc, argv);
	if (argc > 2 && !strcmp(argv[1], "--as-user"))
		as_user = strtol(argv[2], NULL, 10);
	if (argc > 1 && as_user <= 0) {
		fprintf(stderr, "usage: %s [--as-user UID (not 0)]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Some tests widen a child's mask while it runs. glibc's lazy PLT
	 * resolver saves registers with XSAVE into a stack buffer sized at
	 * startup from CPUID leaf 0xD, i.e. for the narrower mask: the first
	 * lazy binding after a widening overflows it. Bind everything at
	 * startup in the children.
	 */
	setenv("LD_BIND_NOW", "1", 1);

	full = xgetbv0();
	full_size = cpuid_xsave_size();
	if (have_ospke()) {
		FILE *f = fopen("/sys/kernel/debug/x86/init_pkru", "r");

		if (!f || fscanf(f, "%x", &init_pkru) != 1)
			init_pkru = 0x55555554;	/* the kernel's default */
		if (f)
			fclose(f);
	}
	printf("# XCR0 of an unrestricted task: 0x%llx, XSAVE size %u\n",
	       (unsigned long long)full, full_size);
	if (load_scheduler()) {
		report(false, "load-test-scheduler",
		       "cannot load xcr0_test: does this kernel have scx_bpf_task_set_xcr0()?");
		return 1;
	}
	if (as_user > 0)
		return run_as_user(as_user);
	test_proc();
	test_xcomp_supp();
	test_sigframe(0x3);
	test_sigframe(0x7);
	test_sigframe(0x203);
	test_sigframe(0x1b);
	test_sigframe(0);
	test_altstack(0, "sigaltstack/cpuid-sized-unrestricted");
	test_altstack(0x3, "sigaltstack/cpuid-sized-0x3");
	test_forged();
	test_forged_every("every");
	test_forged_every("allbits");
	test_topstack(0);
	test_topstack(full);
	test_topstack(0x3);
	test_topstack(0x7);
	test_pkru(0);
	test_pkru(0x203);
	test_pkru(0x3);
	test_pkru(0x7);
	test_pkru_changed_default(0x3);
	test_pkru_mid("pkru/detach-mid-handler-0x3", 0x3, PKMID_DETACH, 0);
	test_pkru_mid("pkru/mask-widened-mid-handler-0x3-0x203", 0x3, PKMID_LIVE, 0x203);
	test_pkru_mid("pkru/mask-narrowed-mid-handler-0x203-0x3", 0x203, PKMID_LIVE, 0x3);
	test_midchange("widened", 0x3, 0x7);
	test_midchange("narrowed", 0x7, 0x3);
	test_ptrace(0x3);
	test_ptrace(0);
	test_coredump();
	test_ia32(0x3);
	test_ia32(0x203);
	{
		static const char *const up[] = {
			"sigreturn_64", "sigreturn_32", "sigaltstack_64", "sigaltstack_32",
			"corrupt_xstate_header_64", "check_initial_reg_state_64",
			"ptrace_syscall_64", "fsgsbase_64",
		};
		static const uint64_t masks[] = { 0x3, 0x7, 0x203 };
		size_t i, j;

		for (i = 0; i < sizeof(up) / sizeof(up[0]); i++)
			for (j = 0; j < sizeof(masks) / sizeof(masks[0]); j++)
				test_upstream_restricted("x86", up[i], masks[j], 120, false);
	}
	{
		/* Protection keys, with and without PKRU in the mask */
		static const char *const up[] = {
			"pkey_sighandler_tests_64", "protection_keys_64",
		};
		const uint64_t masks[] = { 0, full, 0x207, 0x3, 0x7 };
		size_t i, j;

		for (i = 0; i < sizeof(up) / sizeof(up[0]); i++)
			for (j = 0; j < sizeof(masks) / sizeof(masks[0]); j++) {
				bool pk = !strncmp(up[i], "protection_keys", 15);
				char name[96], m[24];

				/*
				 * protection_keys manages PKRU as XSAVE state
				 * itself: it XRSTORs PKRU and asserts PKRU at
				 * CPUID's offset in the frame's XSAVE area. Both
				 * need PKRU in XCR0, as on a CPU without it.
				 */
				if (pk && masks[j] && !(masks[j] & XCR0_PKRU)) {
					mask_name(masks[j], m, sizeof(m));
					snprintf(name, sizeof(name),
						 "upstream-restricted/%s@%s", up[i], m);
					skip(name, "the test uses PKRU as XSAVE state (XRSTOR, the frame's XSAVE area), which needs PKRU in XCR0; pkey_sighandler_tests covers the signal contract without it");
					continue;
				}
				test_upstream_restricted("mm", up[i], masks[j], 120, pk);
			}
	}
	unload_scheduler();
	return failures ? 1 : 0;
}
#endif /* !ABI_IA32 */
