// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_hw_fresh: what a program finds in ZMM0-31 and k0-7 at its first
 * instruction. No libc: the dynamic loader and libc's startup use vector
 * registers (their EVEX string functions use ymm16-31 and opmasks), so only
 * an entry point of our own sees the state execve() left. Writes the
 * struct regfile (2112 bytes) and XCR0 (8 bytes) to stdout, raw, and exits.
 * Run only where XCR0 enables AVX-512 (test_hw_xcr0's exec widening test).
 */
#include "xcr0_regs.h"

static struct regfile rf;

static long raw_syscall3(long nr, long a1, long a2, long a3)
{
	asm volatile("syscall" : "+a"(nr) : "D"(a1), "S"(a2), "d"(a3) : "rcx", "r11", "memory");
	return nr;
}

__attribute__((used)) void fresh_main(void)
{
	uint32_t lo, hi;
	uint64_t xcr0;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	xcr0 = (uint64_t)hi << 32 | lo;
	raw_syscall3(1, 1, (long)&rf, sizeof(rf));
	raw_syscall3(1, 1, (long)&xcr0, sizeof(xcr0));
	raw_syscall3(231, 0, 0, 0);	/* exit_group */
}

/* Store the registers before any other instruction can touch them. */
#define FZ(i)	"vmovdqu64 %zmm" #i ", " #i "*64(%r13)\n"
#define FK(i)	"kmovq %k" #i ", 2048+" #i "*8(%r13)\n"
asm(".globl _start\n"
    "_start:\n"
    "lea rf(%rip), %r13\n"
    REG32(FZ) REG8(FK)
    "and $-16, %rsp\n"
    "call fresh_main\n"
    "hlt\n");
