// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_probe: print what this task sees of XSAVE state, as a program that
 * dispatches on CPU features would: XGETBV(0), the CPUID 0xD.0 sizes, and
 * whether an AVX (VEX.256) instruction runs or raises SIGILL.
 *
 *   xcr0_probe [--json]     print the facts
 *   xcr0_probe --xcr0       print only XGETBV(0) in hex (for scripts)
 *   xcr0_probe --xstate     one line of key=value: what a debugger or a
 *                           record/replay tool (rr) sees of this task's
 *                           XSAVE state: XGETBV, CPUID 0xD.0 EBX/ECX, a
 *                           signal frame's fx_sw_bytes and XSTATE_BV, and
 *                           ptrace NT_X86_XSTATE of a forked child (size
 *                           for a buffer of CPUID 0xD.0 EBX bytes, as rr
 *                           asks, and for a large one; XCR0 word, header)
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <ucontext.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

static sigjmp_buf ill_jmp;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(ill_jmp, 1);
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* 1 if a VEX.256 instruction touching YMM registers executes. */
static int avx_runs(void)
{
	struct sigaction sa = { .sa_handler = on_sigill }, old;
	int ok = 0;

	sigaction(SIGILL, &sa, &old);
	if (!sigsetjmp(ill_jmp, 1)) {
		asm volatile("vpxor %%ymm0, %%ymm0, %%ymm0" ::: "xmm0");
		ok = 1;
	}
	sigaction(SIGILL, &old, NULL);
	return ok;
}

/* Offsets in the standard-format XSAVE area (signal frame, NT_X86_XSTATE). */
#define OFF_SW_BYTES	464	/* fx_sw_bytes (frame) / XCR0 word (ptrace) */
#define OFF_XSTATE_BV	512
#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U

static volatile int frame_seen;
static unsigned char frame_copy[4 + 65536];
static unsigned int frame_len;

static void on_sigusr1(int sig, siginfo_t *si, void *ctx)
{
	const unsigned char *fx = (const void *)((ucontext_t *)ctx)->uc_mcontext.fpregs;
	uint32_t size;

	(void)sig;
	(void)si;
	memcpy(&size, fx + OFF_SW_BYTES + 16, 4);
	frame_len = size <= 65536 ? size + 4 : OFF_XSTATE_BV + 64;
	memcpy(frame_copy, fx, frame_len);
	frame_seen = 1;
}

/* Put SSE (and AVX when XCR0 has it) out of their init state, the same way every run. */
static void touch_vector_state(uint64_t xcr0)
{
	asm volatile("pcmpeqd %%xmm1, %%xmm1" ::: "xmm1");
	if (xcr0 & 4)
		asm volatile("vpcmpeqd %%ymm2, %%ymm2, %%ymm2" ::: "xmm2");
}

static uint32_t u32_at(const unsigned char *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t u64_at(const unsigned char *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

static int xstate(uint64_t xcr0)
{
	struct sigaction sa = { .sa_sigaction = on_sigusr1, .sa_flags = SA_SIGINFO };
	static unsigned char buf[65536] __attribute__((aligned(64)));
	unsigned int a, b, c, d, size, magic2;
	struct iovec iov;
	pid_t pid;
	int status;

	__cpuid_count(0xd, 0, a, b, c, d);
	printf("xgetbv=0x%llx cpuid_d0_ebx=%u cpuid_d0_ecx=%u", (unsigned long long)xcr0, b, c);

	sigaction(SIGUSR1, &sa, NULL);
	touch_vector_state(xcr0);
	kill(getpid(), SIGUSR1);
	if (!frame_seen) {
		fprintf(stderr, "xcr0_probe: no signal\n");
		return 1;
	}
	size = u32_at(frame_copy, OFF_SW_BYTES + 16);
	magic2 = size <= 65536 ? u32_at(frame_copy, size) : 0;
	printf(" frame_magic1=0x%x frame_extended_size=%u frame_xfeatures=0x%llx"
	       " frame_xstate_size=%u frame_magic2=0x%x frame_xstate_bv=0x%llx",
	       u32_at(frame_copy, OFF_SW_BYTES), u32_at(frame_copy, OFF_SW_BYTES + 4),
	       (unsigned long long)u64_at(frame_copy, OFF_SW_BYTES + 8), size, magic2,
	       (unsigned long long)u64_at(frame_copy, OFF_XSTATE_BV));

	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		touch_vector_state(xcr0);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "xcr0_probe: child did not stop\n");
		return 1;
	}
	/* rr sizes its buffer from CPUID 0xD.0 EBX (xsave_area_size()) */
	memset(buf, 0, sizeof(buf));
	iov.iov_base = buf;
	iov.iov_len = b;
	if (ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov)) {
		perror("xcr0_probe: PTRACE_GETREGSET");
		return 1;
	}
	printf(" ptrace_len=%zu ptrace_xcr0=0x%llx ptrace_sw_xfeatures=0x%llx"
	       " ptrace_sw_xstate_size=%u ptrace_xstate_bv=0x%llx",
	       iov.iov_len, (unsigned long long)u64_at(buf, OFF_SW_BYTES),
	       (unsigned long long)u64_at(buf, OFF_SW_BYTES + 8),
	       u32_at(buf, OFF_SW_BYTES + 16), (unsigned long long)u64_at(buf, OFF_XSTATE_BV));
	iov.iov_len = sizeof(buf);
	if (ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov)) {
		perror("xcr0_probe: PTRACE_GETREGSET");
		return 1;
	}
	printf(" ptrace_len_large_buffer=%zu\n", iov.iov_len);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d, xsave_cur, xsave_max;
	int json = argc > 1 && !strcmp(argv[1], "--json");
	uint64_t xcr0;
	int avx;

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 27))) {
		fprintf(stderr, "xcr0_probe: OSXSAVE is off: no XGETBV on this CPU\n");
		return 1;
	}
	xcr0 = xgetbv0();
	if (argc > 1 && !strcmp(argv[1], "--xcr0")) {
		printf("0x%llx\n", (unsigned long long)xcr0);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--xstate"))
		return xstate(xcr0);
	__cpuid_count(0xd, 0, a, b, c, d);
	xsave_cur = b;
	xsave_max = c;
	avx = avx_runs();
	if (json)
		printf("{\"xcr0\":\"0x%llx\",\"xsave_size\":%u,\"xsave_max\":%u,\"avx\":%s}\n",
		       (unsigned long long)xcr0, xsave_cur, xsave_max,
		       avx ? "true" : "false");
	else
		printf("XGETBV(0)=0x%llx  XSAVE size %u of %u  AVX %s\n",
		       (unsigned long long)xcr0, xsave_cur, xsave_max,
		       avx ? "runs" : "raises SIGILL");
	return 0;
}
