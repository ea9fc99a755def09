// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_probe: print what this task sees of XSAVE state, as a program that
 * dispatches on CPU features would: XGETBV(0), the CPUID 0xD.0 sizes, and
 * whether an AVX (VEX.256) instruction runs or raises SIGILL.
 *
 *   xcr0_probe [--json]     print the facts
 *   xcr0_probe --xcr0       print only XGETBV(0) in hex (for scripts)
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
