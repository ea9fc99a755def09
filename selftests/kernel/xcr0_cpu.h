/* SPDX-License-Identifier: GPL-2.0 */
/* xcr0_cpu.h: what a test task asks the CPU about its own XSAVE view. */
#ifndef XCR0_CPU_H
#define XCR0_CPU_H

#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/*
 * Raw output: usable after the mask was narrowed under glibc's feet (its
 * string functions were chosen for the old mask). No loop may become a
 * call to a string function.
 */
#define NO_LIBC __attribute__((optimize("no-tree-loop-distribute-patterns")))

static inline NO_LIBC void raw_write(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	syscall(SYS_write, 1, s, n);
}

static inline NO_LIBC char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	*p = 0;
	return p;
}

static inline NO_LIBC char *hex(char *p, uint64_t v)
{
	int i, started = 0;

	*p++ = '0';
	*p++ = 'x';
	for (i = 60; i >= 0; i -= 4) {
		int d = (v >> i) & 0xf;

		if (d || started || !i) {
			*p++ = "0123456789abcdef"[d];
			started = 1;
		}
	}
	*p = 0;
	return p;
}

#endif /* XCR0_CPU_H */
