// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_regcheck: register isolation under load, for the stress suite
 * (selftests/vm/stress_tests). Under whatever mask it was started with,
 * it checks that XGETBV(0) and the x86_xcr0 line of /proc/self/status say
 * MASK, then loops: fills every register its mask allows (XMM0-15, the
 * YMM upper halves with AVX, ZMM0-31 and k0-7 with AVX-512, MXCSR, PKRU
 * with PKRU) with words unique to this task and iteration, gives the CPU
 * away (sched_yield, or a 50 us nanosleep every fourth round) and stores
 * them back, all in one asm block, and counts the words that changed.
 *
 *   xcr0_regcheck [--follow] [--pair IN OUT] [--seconds S] [--tag T]
 *                 MASK
 *
 * --follow: the mask may change under it (a live `set --live`): only
 * XMM0-15 and MXCSR are used (every mask has SSE), and each check compares
 * XGETBV with /proc instead of with MASK; MASK is the one expected at the
 * start.
 *
 * --pair IN OUT: instead of yielding, each round writes a byte to the FIFO
 * OUT and, inside the asm block, blocks reading one from the FIFO IN. Two
 * checkers under different masks, each reading the other's OUT and pinned
 * to one CPU, hand the CPU to each other every round: a switch between
 * differently masked tasks per round, with both register files live, far
 * more often than a CPU-bound load's slices allow. The last line, on exit after S seconds (default 10) or SIGTERM:
 *
 *   regcheck tag=T mask=0x.. regs=ymm+mxcsr+pkru iterations=N corruptions=N
 *            xgetbv_checks=N xgetbv_wrong=N proc_wrong=N live_seen=N mask_seen=0x..
 *
 * (live_seen: how often a check found another mask than the one before.)
 *
 * Exit status 0 if nothing was wrong, 1 otherwise (the first wrong word
 * and mask are printed as they are found). SCX_XCR0_REGCHECK_FLIP=ITER
 * alters one stored register word in round ITER, as a corruption would:
 * the stress suite's self-test shows that the checker catches it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "../kernel/xcr0_cpu.h"
#include "../kernel/xcr0_regs.h"

#define XFEATURE_AVX		(1ULL << 2)
#define XFEATURE_AVX512		(7ULL << 5)
#define XFEATURE_PKRU		(1ULL << 9)
#define MXCSR_DEFAULT		0x1f80
#define CHECK_EVERY		64	/* rounds between two XGETBV + /proc checks */

/*
 * What a round keeps besides the vector registers, stored next to them:
 * MXCSR and PKRU, loaded before and stored after the same system call.
 */
struct extra {
	uint32_t mxcsr;
	uint32_t pkru;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * One round in one asm block: load MXCSR (and PKRU), the vector registers,
 * make system call @nr(@a1, @a2, @a3), store them all back. PKRU's
 * WRPKRU/RDPKRU need eax/ecx/edx, so the system call's number and
 * arguments are loaded after it; the XLD/YLD/... macros of xcr0_regs.h do
 * the vector part.
 */
#define ROUND(loads, stores, pk_in, pk_out, ...)				\
	do {									\
		register const struct regfile *rin asm("r12") = in;		\
		register struct regfile *rout asm("r13") = out;			\
		register const struct extra *xin asm("r14") = ein;		\
		register struct extra *xout asm("r15") = eout;			\
		register long r10 asm("r10") = 0;				\
		long ret;							\
		asm volatile("ldmxcsr (%[xin])\n" pk_in loads			\
			     "mov %[nr], %%rax\n"				\
			     "mov %[a1], %%rdi\n"				\
			     "mov %[a2], %%rsi\n"				\
			     "mov %[a3], %%rdx\n"				\
			     "syscall\n"					\
			     stores "stmxcsr (%[xout])\n" pk_out		\
			     : "=&a"(ret), "+r"(r10)				\
			     : [in] "r"(rin), [out] "r"(rout), [xin] "r"(xin),	\
			       [xout] "r"(xout), [nr] "m"(nr), [a1] "m"(a1),	\
			       [a2] "m"(a2), [a3] "m"(a3)				\
			     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r11",	\
			       "memory", __VA_ARGS__);				\
		rv = ret;							\
	} while (0)

#define PK_IN	"mov 4(%[xin]), %%eax\nxor %%ecx, %%ecx\nxor %%edx, %%edx\nwrpkru\n"
#define PK_OUT	"xor %%ecx, %%ecx\nrdpkru\nmov %%eax, 4(%[xout])\n"

#define ROUND_FN(name, attr, loads, stores, pk_in, pk_out, ...)			\
static attr long name(const struct regfile *in, struct regfile *out,		\
		      const struct extra *ein, struct extra *eout, long nr, long a1,	\
		      long a2, long a3)							\
{										\
	long rv;								\
										\
	ROUND(loads, stores, pk_in, pk_out, __VA_ARGS__);			\
	return rv;								\
}

ROUND_FN(round_xmm, , REG16(XLD), REG16(XST), "", "", CLOBBER16)
ROUND_FN(round_xmm_pk, , REG16(XLD), REG16(XST), PK_IN, PK_OUT, CLOBBER16)
ROUND_FN(round_ymm, __attribute__((target("avx"))), REG16(YLD), REG16(YST), "", "", CLOBBER16)
ROUND_FN(round_ymm_pk, __attribute__((target("avx"))), REG16(YLD), REG16(YST), PK_IN, PK_OUT,
	 CLOBBER16)
ROUND_FN(round_zmm_pk, __attribute__((target("avx512f"))), REG32(ZLD) REG8(KLD),
	 REG32(ZST) REG8(KST), PK_IN, PK_OUT, CLOBBER16, CLOBBER_HI16, CLOBBER_K)
ROUND_FN(round_zmm, __attribute__((target("avx512f"))), REG32(ZLD) REG8(KLD),
	 REG32(ZST) REG8(KST), "", "", CLOBBER16, CLOBBER_HI16, CLOBBER_K)

typedef long (*round_fn)(const struct regfile *, struct regfile *, const struct extra *,
			 struct extra *, long, long, long, long);

/* The x86_xcr0 line of /proc/self/status, ~0 if it cannot be read. */
static uint64_t proc_xcr0(void)
{
	char line[256];
	uint64_t v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "x86_xcr0:", 9)) {
			v = strtoull(line + 9, NULL, 0);
			break;
		}
	fclose(f);
	return v;
}

static void restore_mxcsr(void)
{
	uint32_t m = MXCSR_DEFAULT;

	asm volatile("ldmxcsr %0" : : "m"(m));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xcr0_regcheck [--follow] [--pair IN OUT] [--seconds S] [--tag T] MASK\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct regfile in, out;
	struct extra ein, eout;
	unsigned long long iters = 0, corrupt = 0, checks = 0, xwrong = 0, pwrong = 0, live = 0;
	long seconds = 10, flip = -1;
	uint32_t tag = getpid();
	int follow = 0, i, nwords, nregs, pk, pin = -1, pout = -1;
	char tok = 'x';
	uint64_t mask, seen, x, p;
	enum regs_width width;
	round_fn fn;
	struct timespec now, end, nap = { 0, 50000 };
	struct sigaction sa = { .sa_handler = on_term };
	char *e;

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--follow"))
			follow = 1;
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc - 1)
			seconds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--tag") && i + 1 < argc - 1)
			tag = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--pair") && i + 2 < argc - 1) {
			/* read-write: opening a FIFO then waits for no partner */
			pin = open(argv[++i], O_RDWR);
			pout = open(argv[++i], O_RDWR);
			if (pin < 0 || pout < 0) {
				perror("xcr0_regcheck: --pair");
				return 2;
			}
		}
		else
			usage();
	}
	if (i != argc - 1)
		usage();
	mask = strtoull(argv[i], &e, 0);
	if (*e || !mask)
		usage();
	e = getenv("SCX_XCR0_REGCHECK_FLIP");
	if (e)
		flip = strtol(e, NULL, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* the registers are chosen from the mask seen, and it must be MASK */
	seen = xgetbv0();
	p = proc_xcr0();
	checks++;
	if (seen != mask || p != mask) {
		printf("regcheck: started under XGETBV %#llx, /proc %#llx, expected %#llx\n",
		       (unsigned long long)seen, (unsigned long long)p, (unsigned long long)mask);
		xwrong += seen != mask;
		pwrong += p != mask;
	}
	pk = !follow && (seen & XFEATURE_PKRU);
	if (follow)
		width = REGS_XMM;
	else if ((seen & XFEATURE_AVX512) == XFEATURE_AVX512)
		width = REGS_ZMM;
	else if (seen & XFEATURE_AVX)
		width = REGS_YMM;
	else
		width = REGS_XMM;
	if (width == REGS_ZMM)
		fn = pk ? round_zmm_pk : round_zmm;
	else if (width == REGS_YMM)
		fn = pk ? round_ymm_pk : round_ymm;
	else
		fn = pk ? round_xmm_pk : round_xmm;
	nregs = width == REGS_ZMM ? 32 : 16;
	nwords = width / 8;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	while (!stop) {
		uint32_t v = tag * 2654435761u + (uint32_t)iters;

		regs_fill(&in, tag, tag ^ 0x5a5a5a5a, iters);
		/* flags, masks (all set: nothing traps), rounding and FZ vary */
		ein.mxcsr = MXCSR_DEFAULT | (v & 0x3f) | ((v >> 6) & 3) << 13 | ((v >> 8) & 1) << 15;
		/* keys 1-15 vary; key 0, which all our memory has, stays open */
		ein.pkru = (v << 2) | (v >> 30 << 2);
		ein.pkru &= ~3u;
		memset(&out, 0, sizeof(out));
		eout.mxcsr = eout.pkru = 0;
		if (pin >= 0) {
			/* the partner's turn: it runs while this read blocks */
			if (write(pout, &tok, 1) != 1 && errno != EINTR) {
				perror("xcr0_regcheck: pair write");
				break;
			}
			if (fn(&in, &out, &ein, &eout, SYS_read, pin, (long)&tok, 1) == 0)
				break;
		} else if (iters % 4 == 3) {
			fn(&in, &out, &ein, &eout, SYS_nanosleep, (long)&nap, 0, 0);
		} else {
			fn(&in, &out, &ein, &eout, SYS_sched_yield, 0, 0, 0);
		}
		restore_mxcsr();
		if ((long)iters == flip)
			out.z[3][0] ^= 1ULL << 7;	/* the self-test's corruption */

		if (!regs_equal(&in, &out, width) || eout.mxcsr != ein.mxcsr ||
		    (pk && eout.pkru != ein.pkru)) {
			int r, w, n = 0;

			for (r = 0; r < nregs; r++)
				for (w = 0; w < nwords; w++)
					if (in.z[r][w] != out.z[r][w]) {
						if (!corrupt && !n)
							printf("regcheck: round %llu: reg %d word %d is %#llx, wrote %#llx\n",
							       iters, r, w,
							       (unsigned long long)out.z[r][w],
							       (unsigned long long)in.z[r][w]);
						n++;
					}
			if (width == REGS_ZMM)
				for (r = 0; r < 8; r++)
					n += in.k[r] != out.k[r];
			if (eout.mxcsr != ein.mxcsr) {
				if (!corrupt)
					printf("regcheck: round %llu: MXCSR %#x, wrote %#x\n", iters,
					       eout.mxcsr, ein.mxcsr);
				n++;
			}
			if (pk && eout.pkru != ein.pkru) {
				if (!corrupt)
					printf("regcheck: round %llu: PKRU %#x, wrote %#x\n", iters,
					       eout.pkru, ein.pkru);
				n++;
			}
			corrupt += n;
		}
		iters++;

		if (iters % CHECK_EVERY == 0) {
			/* a live change lands on a return to user mode: read until stable */
			do {
				x = xgetbv0();
				p = proc_xcr0();
			} while (x != xgetbv0());
			checks++;
			if (follow ? x != p : x != mask || p != mask) {
				if (!xwrong && !pwrong)
					printf("regcheck: round %llu: XGETBV %#llx, /proc %#llx, expected %#llx\n",
					       iters, (unsigned long long)x, (unsigned long long)p,
					       (unsigned long long)(follow ? p : mask));
				xwrong += follow ? 0 : x != mask;
				pwrong += follow ? 1 : p != mask;
			}
			live += x != seen;
			seen = x;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec ||
			    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
				break;
		}
	}
	/* tokens for a partner blocked in its read: on to its own end check */
	if (pout >= 0)
		for (i = 0; i < CHECK_EVERY; i++)
			if (write(pout, &tok, 1) != 1)
				break;
	printf("regcheck tag=%u mask=%#llx regs=%s+mxcsr%s iterations=%llu corruptions=%llu xgetbv_checks=%llu xgetbv_wrong=%llu proc_wrong=%llu live_seen=%llu mask_seen=%#llx\n",
	       tag, (unsigned long long)mask,
	       width == REGS_ZMM ? "zmm+k" : width == REGS_YMM ? "ymm" : "xmm",
	       pk ? "+pkru" : "", iters, corrupt, checks, xwrong, pwrong, live,
	       (unsigned long long)seen);
	return corrupt || xwrong || pwrong;
}
