/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcr0_regs.h: a task's vector registers around one system call, for the
 * tests of what survives a switch, a signal, ptrace or kernel FPU use.
 * regs_syscall() loads XMM0-15, YMM0-15 or ZMM0-31 and k0-7 from a
 * struct regfile, makes the system call and stores them back: one asm block,
 * so no compiler-placed instruction (a vzeroupper, a spill) comes between.
 *
 * Each task fills its registers with words that carry its own tag in their
 * upper 32 bits; a word of another task's tag in a register, a signal frame
 * or a ptrace view is a leak, whatever its position.
 */
#ifndef XCR0_REGS_H
#define XCR0_REGS_H

#include <stddef.h>
#include <stdint.h>

/* How much of the register file a task uses (its mask allows). */
enum regs_width { REGS_XMM = 16, REGS_YMM = 32, REGS_ZMM = 64 };

struct regfile {
	uint64_t z[32][8];	/* zmm0-31, 64 bytes each; xmm is [0..1], ymm [0..3] */
	uint64_t k[8];		/* k0-7 */
} __attribute__((aligned(64)));

#define REGFILE_K_OFF	2048	/* offsetof(struct regfile, k) */

/* Fill @rf as the task tagged @tag does in round @iter. */
static inline void regs_fill(struct regfile *rf, uint32_t tag, uint32_t ktag, uint32_t iter)
{
	int r, w;

	for (r = 0; r < 32; r++)
		for (w = 0; w < 8; w++)
			rf->z[r][w] = (uint64_t)tag << 32 | (iter & 0xffff) << 16 | r << 8 | w;
	for (r = 0; r < 8; r++)
		rf->k[r] = (uint64_t)ktag << 32 | (iter & 0xffff) << 16 | r;
}

/* Do @a and @b agree in the registers of @width? */
static inline int regs_equal(const struct regfile *a, const struct regfile *b,
			     enum regs_width width)
{
	int nregs = width == REGS_ZMM ? 32 : 16, words = width / 8, r, w;

	for (r = 0; r < nregs; r++)
		for (w = 0; w < words; w++)
			if (a->z[r][w] != b->z[r][w])
				return 0;
	if (width == REGS_ZMM)
		for (r = 0; r < 8; r++)
			if (a->k[r] != b->k[r])
				return 0;
	return 1;
}

/* How many 8-byte words of @buf carry @tag. */
static inline long count_tag(const void *buf, size_t len, uint32_t tag)
{
	const uint64_t *p = buf;
	size_t i;
	long n = 0;

	for (i = 0; i < len / 8; i++)
		n += (uint32_t)(p[i] >> 32) == tag;
	return n;
}

#define REG16(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) \
	op(10) op(11) op(12) op(13) op(14) op(15)
#define REG32(op) REG16(op) op(16) op(17) op(18) op(19) op(20) op(21) op(22) \
	op(23) op(24) op(25) op(26) op(27) op(28) op(29) op(30) op(31)
#define REG8(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7)

#define XLD(i)	"movdqu " #i "*64(%[in]), %%xmm" #i "\n"
#define XST(i)	"movdqu %%xmm" #i ", " #i "*64(%[out])\n"
#define YLD(i)	"vmovdqu " #i "*64(%[in]), %%ymm" #i "\n"
#define YST(i)	"vmovdqu %%ymm" #i ", " #i "*64(%[out])\n"
#define ZLD(i)	"vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n"
#define ZST(i)	"vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n"
#define KLD(i)	"kmovq 2048+" #i "*8(%[in]), %%k" #i "\n"
#define KST(i)	"kmovq %%k" #i ", 2048+" #i "*8(%[out])\n"

#define CLOBBER16 "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define CLOBBER_HI16 "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", \
	"xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31"
#define CLOBBER_K "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"

#define REGS_SYSCALL(loads, stores, ...)					\
	do {									\
		register const struct regfile *rin asm("r12") = in;		\
		register struct regfile *rout asm("r13") = out;			\
		register long r10 asm("r10") = a4;				\
		asm volatile(loads "syscall\n" stores				\
			     : "+a"(nr), "+r"(r10)				\
			     : [in] "r"(rin), [out] "r"(rout), "D"(a1), "S"(a2),	\
			       "d"(a3)						\
			     : "rcx", "r11", "r8", "r9", "memory", __VA_ARGS__);	\
	} while (0)

static inline long regs_syscall_xmm(const struct regfile *in, struct regfile *out, long nr,
				    long a1, long a2, long a3, long a4)
{
	REGS_SYSCALL(REG16(XLD), REG16(XST), CLOBBER16);
	return nr;
}

static inline __attribute__((target("avx"))) long
regs_syscall_ymm(const struct regfile *in, struct regfile *out, long nr, long a1, long a2,
		 long a3, long a4)
{
	REGS_SYSCALL(REG16(YLD), REG16(YST), CLOBBER16);
	return nr;
}

static inline __attribute__((target("avx512f"))) long
regs_syscall_zmm(const struct regfile *in, struct regfile *out, long nr, long a1, long a2,
		 long a3, long a4)
{
	REGS_SYSCALL(REG32(ZLD) REG8(KLD), REG32(ZST) REG8(KST), CLOBBER16, CLOBBER_HI16,
		     CLOBBER_K);
	return nr;
}

/*
 * Load @in into the registers of @width, make system call @nr, store them
 * into @out; returns what the call returned. The caller's mask must allow
 * @width (else SIGILL at the first load).
 */
static inline long regs_syscall(enum regs_width width, const struct regfile *in,
				struct regfile *out, long nr, long a1, long a2, long a3)
{
	if (width == REGS_ZMM)
		return regs_syscall_zmm(in, out, nr, a1, a2, a3, 0);
	if (width == REGS_YMM)
		return regs_syscall_ymm(in, out, nr, a1, a2, a3, 0);
	return regs_syscall_xmm(in, out, nr, a1, a2, a3, 0);
}

/* Store ZMM0-31 and k0-7 into @out as they are (AVX-512 must be enabled). */
static inline __attribute__((target("avx512f"))) void regs_store_zmm(struct regfile *out)
{
	asm volatile(REG32(ZST) REG8(KST) : : [out] "r"(out) : "memory");
}

#endif /* XCR0_REGS_H */
