/* SPDX-License-Identifier: GPL-2.0 */
/* xcr0_cpu.h: what a test task asks the CPU about its own XSAVE view. */
#ifndef XCR0_CPU_H
#define XCR0_CPU_H

#include <cpuid.h>
#include <stdint.h>

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* What CPUID.(0xD,0).EBX must say for @mask, from the component offsets. */
static inline unsigned int expected_xsave_size(uint64_t mask)
{
	unsigned int a, b, c, d, size = 576, i;

	for (i = 2; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		__cpuid_count(0xd, i, a, b, c, d);
		if (a + b > size)
			size = a + b;
	}
	return size;
}

#endif /* XCR0_CPU_H */
