// SPDX-License-Identifier: GPL-2.0
/* Reading the running CPU's XCR0. */
#include <cpuid.h>

#include "cpu.h"

#define CPUID_1_ECX_OSXSAVE	(1U << 27)

__u64 xcr0_supported(void)
{
	unsigned int eax, ebx, ecx, edx, lo, hi;

	/* XGETBV raises #UD unless CR4.OSXSAVE is set, which this bit mirrors. */
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) ||
	    !(ecx & CPUID_1_ECX_OSXSAVE))
		return 0;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((__u64)hi << 32) | lo;
}

__u64 xcr0_cpu_components(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	return ((__u64)edx << 32) | eax;
}
