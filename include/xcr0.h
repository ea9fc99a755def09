/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XCR0 state components, psABI levels and the rules a mask must follow.
 *
 * This is the one implementation of those facts in the project: the BPF
 * scheduler, the loader and the tests all include it, and the kernel patch
 * enforces the same rules in scx_bpf_task_set_xcr0() (Intel SDM vol. 1
 * ch. 13.3, AMD APM vol. 2 ch. 11.5.2).
 *
 * The checker part builds with clang -target bpf: no libc, no loops, only
 * __u64/__u32. With vmlinux.h included first those types come from there
 * (including <linux/types.h> next to vmlinux.h redefines kernel types);
 * otherwise from <linux/types.h>. The name and message tables are for
 * userspace only.
 */
#ifndef __XCR0_H
#define __XCR0_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#ifndef __bpf__
#include <stddef.h>
#endif

/* State component numbers: the bit of each component in XCR0 (or IA32_XSS). */
#define XCR0_BIT_X87		0
#define XCR0_BIT_SSE		1
#define XCR0_BIT_AVX		2	/* upper halves of YMM0-15 */
#define XCR0_BIT_BNDREGS	3	/* MPX */
#define XCR0_BIT_BNDCSR		4	/* MPX */
#define XCR0_BIT_OPMASK		5	/* AVX-512 k0-k7 */
#define XCR0_BIT_ZMM_HI256	6	/* AVX-512 upper halves of ZMM0-15 */
#define XCR0_BIT_HI16_ZMM	7	/* AVX-512 ZMM16-31 */
#define XCR0_BIT_PT		8	/* supervisor */
#define XCR0_BIT_PKRU		9
#define XCR0_BIT_PASID		10	/* supervisor */
#define XCR0_BIT_CET_U		11	/* supervisor */
#define XCR0_BIT_CET_S		12	/* supervisor */
#define XCR0_BIT_HDC		13	/* supervisor */
#define XCR0_BIT_UINTR		14	/* supervisor */
#define XCR0_BIT_LBR		15	/* supervisor */
#define XCR0_BIT_HWP		16	/* supervisor */
#define XCR0_BIT_TILECFG	17	/* AMX */
#define XCR0_BIT_TILEDATA	18	/* AMX */
#define XCR0_NR_BITS		19	/* components this file names */

#define XCR0_X87		(1ULL << XCR0_BIT_X87)
#define XCR0_SSE		(1ULL << XCR0_BIT_SSE)
#define XCR0_AVX		(1ULL << XCR0_BIT_AVX)
#define XCR0_BNDREGS		(1ULL << XCR0_BIT_BNDREGS)
#define XCR0_BNDCSR		(1ULL << XCR0_BIT_BNDCSR)
#define XCR0_OPMASK		(1ULL << XCR0_BIT_OPMASK)
#define XCR0_ZMM_HI256		(1ULL << XCR0_BIT_ZMM_HI256)
#define XCR0_HI16_ZMM		(1ULL << XCR0_BIT_HI16_ZMM)
#define XCR0_PT			(1ULL << XCR0_BIT_PT)
#define XCR0_PKRU		(1ULL << XCR0_BIT_PKRU)
#define XCR0_PASID		(1ULL << XCR0_BIT_PASID)
#define XCR0_CET_U		(1ULL << XCR0_BIT_CET_U)
#define XCR0_CET_S		(1ULL << XCR0_BIT_CET_S)
#define XCR0_HDC		(1ULL << XCR0_BIT_HDC)
#define XCR0_UINTR		(1ULL << XCR0_BIT_UINTR)
#define XCR0_LBR		(1ULL << XCR0_BIT_LBR)
#define XCR0_HWP		(1ULL << XCR0_BIT_HWP)
#define XCR0_TILECFG		(1ULL << XCR0_BIT_TILECFG)
#define XCR0_TILEDATA		(1ULL << XCR0_BIT_TILEDATA)

/* Components that are only valid together. */
#define XCR0_MPX		(XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512		(XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX		(XCR0_TILECFG | XCR0_TILEDATA)

/* Supervisor components: managed through IA32_XSS, never valid in XCR0. */
#define XCR0_SUPERVISOR_MASK	(XCR0_PT | XCR0_PASID | XCR0_CET_U | \
				 XCR0_CET_S | XCR0_HDC | XCR0_UINTR | \
				 XCR0_LBR | XCR0_HWP)

/*
 * User components this project knows and lets a task have. Anything else is
 * refused as unknown, including components newer than this list (APX, bit
 * 19): a mask is only useful if we can say what it turns off.
 */
#define XCR0_USER_MASK		(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | \
				 XCR0_AVX512 | XCR0_PKRU | XCR0_AMX)

/*
 * x86-64 psABI micro-architecture levels, as far as XCR0 can express them:
 * the state each level's instructions need. v1 and v2 differ only in
 * instructions, not in state.
 */
#define XCR0_X86_64_V2		(XCR0_X87 | XCR0_SSE)
#define XCR0_X86_64_V3		(XCR0_X86_64_V2 | XCR0_AVX)
#define XCR0_X86_64_V4		(XCR0_X86_64_V3 | XCR0_AVX512)

/*
 * Result of xcr0_check(): XCR0_OK or the rule a mask breaks. The values are
 * stable (BPF stats and logs may carry them); the order of the checks is
 * documented at xcr0_check().
 */
enum xcr0_err {
	XCR0_OK = 0,
	XCR0_E_NO_X87,		/* bit 0 is clear */
	XCR0_E_NO_SSE,		/* bit 1 is clear */
	XCR0_E_MPX_SPLIT,	/* one of the two MPX components */
	XCR0_E_AVX512_PARTIAL,	/* some but not all AVX-512 components */
	XCR0_E_AVX512_NO_AVX,	/* AVX-512 without AVX */
	XCR0_E_AMX_SPLIT,	/* one of the two AMX components */
	XCR0_E_SUPERVISOR,	/* a supervisor (XSS) component is set */
	XCR0_E_UNKNOWN_BITS,	/* another bit outside XCR0_USER_MASK is set */
	XCR0_E_UNSUPPORTED,	/* a component outside @supported is set */
	XCR0_NR_ERRS,
};

/*
 * xcr0_check - check a mask against the XCR0 rules and the CPU
 * @mask: the mask a task would run with
 * @supported: what the CPU and kernel enable, XGETBV(0) of an unrestricted
 *	task; a restricted mask is only valid as a subset of it
 *
 * Returns XCR0_OK or the first broken rule as an enum xcr0_err, checked in
 * this order: bits that are not user components at all (supervisor, then
 * unknown), then the architectural rules, then @supported last, so that a
 * message names the rule rather than the CPU.
 *
 * x87 and SSE are both required, a rule of the x86-64 psABI rather than of
 * the architecture: SSE2 is the baseline every x86-64 program may use
 * without asking, and legacy SSE instructions reach XMM0-15 whatever XCR0
 * says, so a mask without SSE would only hide state that is still live
 * (the kernel refuses it too). Every rule for AVX and above therefore
 * finds SSE present.
 *
 * A mask of 0 means "no restriction" to every interface of this project;
 * callers handle it before calling here, and xcr0_check(0) returns
 * XCR0_E_NO_X87.
 */
static inline int xcr0_check(__u64 mask, __u64 supported)
{
	if (mask & XCR0_SUPERVISOR_MASK)
		return XCR0_E_SUPERVISOR;
	if (mask & ~XCR0_USER_MASK)
		return XCR0_E_UNKNOWN_BITS;
	if (!(mask & XCR0_X87))
		return XCR0_E_NO_X87;
	if (!(mask & XCR0_SSE))
		return XCR0_E_NO_SSE;
	if ((mask & XCR0_MPX) && (mask & XCR0_MPX) != XCR0_MPX)
		return XCR0_E_MPX_SPLIT;
	if ((mask & XCR0_AVX512) && (mask & XCR0_AVX512) != XCR0_AVX512)
		return XCR0_E_AVX512_PARTIAL;
	if ((mask & XCR0_AVX512) && !(mask & XCR0_AVX))
		return XCR0_E_AVX512_NO_AVX;
	if ((mask & XCR0_AMX) && (mask & XCR0_AMX) != XCR0_AMX)
		return XCR0_E_AMX_SPLIT;
	if (mask & ~supported)
		return XCR0_E_UNSUPPORTED;
	return XCR0_OK;
}

#ifndef __bpf__
/*
 * xcr0_bit_name - short lower-case name of component @bit ("avx",
 * "zmm_hi256"), the spelling the mask parser accepts; NULL past
 * XCR0_NR_BITS.
 */
static inline const char *xcr0_bit_name(unsigned int bit)
{
	static const char *const names[XCR0_NR_BITS] = {
		[XCR0_BIT_X87]		= "x87",
		[XCR0_BIT_SSE]		= "sse",
		[XCR0_BIT_AVX]		= "avx",
		[XCR0_BIT_BNDREGS]	= "bndregs",
		[XCR0_BIT_BNDCSR]	= "bndcsr",
		[XCR0_BIT_OPMASK]	= "opmask",
		[XCR0_BIT_ZMM_HI256]	= "zmm_hi256",
		[XCR0_BIT_HI16_ZMM]	= "hi16_zmm",
		[XCR0_BIT_PT]		= "pt",
		[XCR0_BIT_PKRU]		= "pkru",
		[XCR0_BIT_PASID]	= "pasid",
		[XCR0_BIT_CET_U]	= "cet_u",
		[XCR0_BIT_CET_S]	= "cet_s",
		[XCR0_BIT_HDC]		= "hdc",
		[XCR0_BIT_UINTR]	= "uintr",
		[XCR0_BIT_LBR]		= "lbr",
		[XCR0_BIT_HWP]		= "hwp",
		[XCR0_BIT_TILECFG]	= "tilecfg",
		[XCR0_BIT_TILEDATA]	= "tiledata",
	};

	return bit < XCR0_NR_BITS ? names[bit] : NULL;
}

/*
 * The features users know, by the components they need: what a message
 * names besides the bits ("AVX-512" rather than "bit 5 (opmask)"). Every
 * bit of XCR0_USER_MASK is in exactly one entry.
 */
struct xcr0_feature {
	const char *name;
	__u64 mask;
};

static const struct xcr0_feature xcr0_features[] = {
	{ "x87",			XCR0_X87 },
	{ "SSE",			XCR0_SSE },
	{ "AVX",			XCR0_AVX },
	{ "MPX",			XCR0_MPX },
	{ "AVX-512",			XCR0_AVX512 },
	{ "PKRU",			XCR0_PKRU },	/* protection keys */
	{ "AMX",			XCR0_AMX },
};

#define XCR0_NR_FEATURES	(sizeof(xcr0_features) / sizeof(xcr0_features[0]))

/* xcr0_rule_str - the rule behind an xcr0_check() result, for messages. */
static inline const char *xcr0_rule_str(int err)
{
	static const char *const rules[XCR0_NR_ERRS] = {
		[XCR0_OK] = "valid",
		[XCR0_E_NO_X87] = "x87 (bit 0) must be set",
		[XCR0_E_NO_SSE] = "SSE (bit 1) is required: x87 and SSE are the x86-64 baseline",
		[XCR0_E_MPX_SPLIT] = "MPX bndregs (bit 3) and bndcsr (bit 4) go together",
		[XCR0_E_AVX512_PARTIAL] = "AVX-512 opmask, zmm_hi256 and hi16_zmm (bits 5-7) go together",
		[XCR0_E_AVX512_NO_AVX] = "AVX-512 (bits 5-7) needs AVX (bit 2)",
		[XCR0_E_AMX_SPLIT] = "AMX tilecfg (bit 17) and tiledata (bit 18) go together",
		[XCR0_E_SUPERVISOR] = "supervisor components (bits 8, 10-16) never go in XCR0",
		[XCR0_E_UNKNOWN_BITS] = "only components 0-7, 9, 17 and 18 are known",
		[XCR0_E_UNSUPPORTED] = "every component must be supported by the CPU",
	};

	if (err < 0 || err >= XCR0_NR_ERRS)
		return "unknown XCR0 rule";
	return rules[err];
}
#endif /* !__bpf__ */

#endif /* __XCR0_H */
