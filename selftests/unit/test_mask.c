// SPDX-License-Identifier: GPL-2.0
/* The XCR0 rule checker (include/xcr0.h) and the mask syntax (loader/mask.c). */
#include <stdbool.h>
#include <string.h>

#include "xcr0.h"
#include "cpu.h"
#include "mask.h"
#include "unit.h"

/* Full masks of the CPUs the tests pretend to run on. */
#define SUP_NONE	0x0ULL		/* no OSXSAVE */
#define SUP_SSE		0x3ULL		/* x87, sse */
#define SUP_VM		0x21fULL	/* QEMU -cpu max: + avx, mpx, pkru */
#define SUP_512		0x2e7ULL	/* x87, sse, avx, avx512, pkru */
#define SUP_AMX		0x602e7ULL	/* SUP_512 + amx */
#define SUP_ALL		0x602ffULL	/* every user component */
#define SUP_APX		0x802e7ULL	/* SUP_512 + bit 19, unknown to us */

#define SENTINEL	0x5a5a5a5a5a5a5a5aULL

/* One case per rule, in the order xcr0_check() tests them. */
static const struct {
	__u64 mask, supported;
	int want;
} check_cases[] = {
	{ 0x3,		SUP_VM,		XCR0_OK },
	{ 0x21f,	SUP_VM,		XCR0_OK },
	{ 0x602ff,	SUP_ALL,	XCR0_OK },
	{ 0x0,		SUP_VM,		XCR0_E_NO_X87 },
	{ 0x206,	SUP_VM,		XCR0_E_NO_X87 },
	{ 0x1,		SUP_VM,		XCR0_E_NO_SSE },
	{ 0x201,	SUP_VM,		XCR0_E_NO_SSE },
	{ 0x5,		SUP_VM,		XCR0_E_NO_SSE },
	{ 0x20d,	SUP_VM,		XCR0_E_NO_SSE },
	{ 0xb,		SUP_VM,		XCR0_E_MPX_SPLIT },
	{ 0x13,		SUP_VM,		XCR0_E_MPX_SPLIT },
	{ 0x27,		SUP_512,	XCR0_E_AVX512_PARTIAL },
	{ 0x67,		SUP_512,	XCR0_E_AVX512_PARTIAL },
	{ 0xc7,		SUP_512,	XCR0_E_AVX512_PARTIAL },
	{ 0xe3,		SUP_512,	XCR0_E_AVX512_NO_AVX },
	{ 0x20003,	SUP_AMX,	XCR0_E_AMX_SPLIT },
	{ 0x40003,	SUP_AMX,	XCR0_E_AMX_SPLIT },
	{ 0x103,	SUP_VM | 0x100,	XCR0_E_SUPERVISOR },
	{ 0x1fd03,	SUP_VM,		XCR0_E_SUPERVISOR },
	{ 0x803,	SUP_VM,		XCR0_E_SUPERVISOR },
	{ 0x80003,	SUP_APX,	XCR0_E_UNKNOWN_BITS },
	{ 1ULL << 63 | 3, ~0ULL,	XCR0_E_UNKNOWN_BITS },
	{ 0xe7,		SUP_VM,		XCR0_E_UNSUPPORTED },
	{ 0x207,	0x7,		XCR0_E_UNSUPPORTED },
	{ 0x60003,	SUP_512,	XCR0_E_UNSUPPORTED },
	{ 0x3,		SUP_NONE,	XCR0_E_UNSUPPORTED },
};

static void test_check_each_rule(struct unit *u)
{
	unsigned int seen = 0;
	size_t i;
	int e;

	for (i = 0; i < ARRAY_SIZE(check_cases); i++) {
		int got = xcr0_check(check_cases[i].mask, check_cases[i].supported);

		seen |= 1U << check_cases[i].want;
		if (got != check_cases[i].want)
			unit_fail(u, "xcr0_check(0x%llx, 0x%llx) = %d (%s), want %d (%s)",
				  check_cases[i].mask, check_cases[i].supported,
				  got, xcr0_rule_str(got), check_cases[i].want,
				  xcr0_rule_str(check_cases[i].want));
	}
	for (e = 0; e < XCR0_NR_ERRS; e++)
		if (!(seen & (1U << e)))
			unit_fail(u, "no case for rule %d (%s)", e, xcr0_rule_str(e));
}

/*
 * The rules again, written from the SDM without xcr0.h, to compare with
 * xcr0_check() on every combination of the low 20 bits.
 */
static bool ref_valid(__u64 m, __u64 sup)
{
	unsigned int avx512 = !!(m & 0x20) + !!(m & 0x40) + !!(m & 0x80);

	if (m & ~sup)
		return false;
	if (m & ~(0xffULL | 1ULL << 9 | 1ULL << 17 | 1ULL << 18))
		return false;
	if (!(m & 1) || !(m & 2))
		return false;
	if (!!(m & 8) != !!(m & 0x10))
		return false;
	if (avx512 != 0 && avx512 != 3)
		return false;
	if (avx512 == 3 && !(m & 4))
		return false;
	if (!!(m & 1ULL << 17) != !!(m & 1ULL << 18))
		return false;
	return true;
}

static void test_check_exhaustive(struct unit *u)
{
	static const __u64 sups[] = {
		SUP_NONE, SUP_SSE, SUP_VM, SUP_512, SUP_AMX, SUP_ALL, SUP_APX,
		0xfffff, ~0ULL,
	};
	size_t i;
	__u64 m;

	for (i = 0; i < ARRAY_SIZE(sups); i++) {
		for (m = 0; m < 1ULL << 20; m++) {
			__u64 hi = m | 1ULL << 40;
			bool want = ref_valid(m, sups[i]);
			int got = xcr0_check(m, sups[i]);

			if ((got == XCR0_OK) != want)
				unit_fail(u, "xcr0_check(0x%llx, 0x%llx) = %d (%s), want %s",
					  m, sups[i], got, xcr0_rule_str(got),
					  want ? "valid" : "invalid");
			if (xcr0_check(hi, sups[i]) != XCR0_E_UNKNOWN_BITS &&
			    xcr0_check(hi, sups[i]) != XCR0_E_SUPERVISOR)
				unit_fail(u, "xcr0_check(0x%llx) accepts bit 40", hi);
		}
	}
}

static void test_rule_strings(struct unit *u)
{
	int e, f;

	for (e = 0; e < XCR0_NR_ERRS; e++) {
		if (!strcmp(xcr0_rule_str(e), "unknown XCR0 rule"))
			unit_fail(u, "rule %d has no message", e);
		for (f = 0; f < e; f++)
			if (!strcmp(xcr0_rule_str(e), xcr0_rule_str(f)))
				unit_fail(u, "rules %d and %d share a message", f, e);
	}
	if (strcmp(xcr0_rule_str(XCR0_E_NO_SSE),
		   "SSE (bit 1) is required: x87 and SSE are the x86-64 baseline"))
		unit_fail(u, "SSE rule reads '%s'", xcr0_rule_str(XCR0_E_NO_SSE));
	if (strcmp(xcr0_rule_str(-1), "unknown XCR0 rule") ||
	    strcmp(xcr0_rule_str(XCR0_NR_ERRS), "unknown XCR0 rule"))
		unit_fail(u, "out-of-range rules need the fallback message");
}

static void test_bit_names_and_sets(struct unit *u)
{
	unsigned int b, c;

	for (b = 0; b < XCR0_NR_BITS; b++) {
		if (!xcr0_bit_name(b)) {
			unit_fail(u, "bit %u has no name", b);
			continue;
		}
		for (c = 0; c < b; c++)
			if (!strcmp(xcr0_bit_name(b), xcr0_bit_name(c)))
				unit_fail(u, "bits %u and %u share a name", c, b);
	}
	if (xcr0_bit_name(XCR0_NR_BITS) || xcr0_bit_name(63))
		unit_fail(u, "bits past %u must have no name", XCR0_NR_BITS - 1);
	if (XCR0_USER_MASK != 0x602ff)
		unit_fail(u, "user mask 0x%llx, want 0x602ff", XCR0_USER_MASK);
	if (XCR0_SUPERVISOR_MASK != 0x1fd00)
		unit_fail(u, "supervisor mask 0x%llx, want 0x1fd00",
			  XCR0_SUPERVISOR_MASK);
	if (XCR0_X86_64_V2 != 0x3 || XCR0_X86_64_V3 != 0x7 ||
	    XCR0_X86_64_V4 != 0xe7)
		unit_fail(u, "psABI levels 0x%llx 0x%llx 0x%llx, want 0x3 0x7 0xe7",
			  XCR0_X86_64_V2, XCR0_X86_64_V3, XCR0_X86_64_V4);
	if (XCR0_MPX != 0x18 || XCR0_AVX512 != 0xe0 || XCR0_AMX != 0x60000)
		unit_fail(u, "groups mpx 0x%llx avx512 0x%llx amx 0x%llx",
			  XCR0_MPX, XCR0_AVX512, XCR0_AMX);
}

static const struct {
	const char *in;
	__u64 supported, want;
} good_masks[] = {
	{ "none",			SUP_VM,		0 },
	{ "NONE",			SUP_VM,		0 },
	{ "none",			SUP_NONE,	0 },
	{ "0",				SUP_VM,		0 },
	{ "0x0",			SUP_NONE,	0 },
	{ "0x207",			SUP_VM,		0x207 },
	{ "0X21F",			SUP_VM,		0x21f },
	{ "519",			SUP_VM,		0x207 },
	{ "007",			SUP_VM,		0x7 },
	{ "x87,sse,avx,pkru",		SUP_VM,		0x207 },
	{ "X87,Sse,AVX",		SUP_VM,		0x7 },
	{ "x87,sse",			SUP_VM,		0x3 },
	{ "pkru,sse,x87",		SUP_VM,		0x203 },
	{ "x87,sse,mpx",		SUP_VM,		0x1b },
	{ "x87,sse,bndregs,bndcsr",	SUP_VM,		0x1b },
	{ "full",			SUP_VM,		0x21f },
	{ "full",			SUP_APX,	0x2e7 },
	{ "full",			SUP_SSE,	0x3 },
	{ "full-avx512",		SUP_512,	0x207 },
	{ "full-avx512",		SUP_VM,		0x21f },
	{ "full-avx512-pkru",		SUP_512,	0x7 },
	{ "full-amx",			SUP_AMX,	0x2e7 },
	{ "-pkru",			SUP_VM,		0x1f },
	{ "-mpx-pkru",			SUP_VM,		0x7 },
	{ "-avx512",			SUP_AMX,	0x60207 },
	{ "x86-64-v2",			SUP_VM,		0x3 },
	{ "x86-64-v3",			SUP_VM,		0x7 },
	{ "X86-64-V3",			SUP_VM,		0x7 },
	{ "x86-64-v4",			SUP_512,	0xe7 },
	{ "x86-64-v3+pkru",		SUP_VM,		0x207 },
	{ "x86-64-v3,pkru",		SUP_VM,		0x207 },
	{ "x86-64-v4+amx",		SUP_AMX,	0x600e7 },
	{ "full-x86-64-v4+x86-64-v3",	SUP_512,	0x207 },
	{ "x87,sse,avx-avx",		SUP_VM,		0x3 },
	{ "0x1f-mpx",			SUP_VM,		0x7 },
	{ "x86-64-v2+0x200",		SUP_VM,		0x203 },
	{ "x87,sse,tilecfg,tiledata",	SUP_AMX,	0x60003 },
};

static void test_parse_good(struct unit *u)
{
	char err[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good_masks); i++) {
		__u64 got = SENTINEL;
		int ret;

		err[0] = '\0';
		ret = xcr0_parse_mask(good_masks[i].in, good_masks[i].supported,
				      &got, err, sizeof(err));
		if (ret || got != good_masks[i].want)
			unit_fail(u, "'%s' on 0x%llx: ret %d got 0x%llx (%s), want 0x%llx",
				  good_masks[i].in, good_masks[i].supported,
				  ret, got, err, good_masks[i].want);
	}
}

static const struct {
	const char *in;
	__u64 supported;
	const char *err;
} bad_masks[] = {
	{ "",			SUP_VM,	"empty mask" },
	{ "avxx",		SUP_VM,	"unknown component 'avxx'; known: x87, sse, avx," },
	{ "x87,sse,avxx",	SUP_VM,	"unknown component 'avxx'" },
	{ "x86-64",		SUP_VM,	"unknown component 'x86'" },
	{ "x86-64-v5",		SUP_VM,	"unknown psABI level 'x86-64-v5'" },
	{ "x86-64-v",		SUP_VM,	"unknown psABI level 'x86-64-v'" },
	{ "sse",		SUP_VM,	"x87 (bit 0) must be set" },
	{ "-x87",		SUP_VM,	"x87 (bit 0) must be set" },
	{ "x87-x87",		SUP_VM,	"0x0 (none): x87 (bit 0) must be set" },
	{ "0x21f-full",		SUP_VM,	"0x0 (none): x87 (bit 0) must be set" },
	{ "x87",		SUP_VM,	"0x1 (x87): SSE (bit 1) is required: x87 and SSE are the x86-64 baseline" },
	{ "x87,pkru",		SUP_VM,	"SSE (bit 1) is required" },
	{ "x87,avx",		SUP_VM,	"0x5 (x87,avx): SSE (bit 1) is required" },
	{ "full-sse",		SUP_VM,	"SSE (bit 1) is required" },
	{ "x87,sse,bndregs",	SUP_VM,	"bndregs (bit 3) and bndcsr (bit 4) go together" },
	{ "-bndcsr",		SUP_VM,	"bndregs (bit 3) and bndcsr (bit 4) go together" },
	{ "x86-64-v3,opmask",	SUP_512, "(bits 5-7) go together" },
	{ "full-zmm_hi256",	SUP_512, "(bits 5-7) go together" },
	{ "x87,sse,avx512",	SUP_512, "AVX-512 (bits 5-7) needs AVX (bit 2)" },
	{ "full-avx",		SUP_512, "AVX-512 (bits 5-7) needs AVX (bit 2)" },
	{ "x87,sse,tilecfg",	SUP_AMX, "tilecfg (bit 17) and tiledata (bit 18) go together" },
	{ "-tiledata",		SUP_AMX, "tilecfg (bit 17) and tiledata (bit 18) go together" },
	{ "x87,pt",		SUP_VM,	"bit 8 (pt) is a supervisor (XSS) component" },
	{ "0x401",		SUP_VM,	"bit 10 (pasid) is a supervisor" },
	{ "x87,cet_u",		SUP_VM,	"bit 11 (cet_u) is a supervisor" },
	{ "0x80001",		SUP_APX, "0x80001 (x87,bit19): bit 19 is unknown" },
	{ "0x8000000000000003",	SUP_VM,	"bit 63 is unknown" },
	{ "x86-64-v4",		SUP_VM,	"x86-64-v4 = 0xe7 (x87,sse,avx,opmask,zmm_hi256,hi16_zmm) needs AVX-512 (bits 5-7: opmask, zmm_hi256, hi16_zmm), which this CPU does not support (supported 0x21f (x87,sse,avx,bndregs,bndcsr,pkru))" },
	{ "x87,sse,avx,pkru",	0x7,	"needs PKRU (bit 9: pkru), which this CPU does not support (supported 0x7 (x87,sse,avx))" },
	{ "0x207",		SUP_SSE, "0x207 = 0x207 (x87,sse,avx,pkru) needs AVX (bit 2: avx) and PKRU (bit 9: pkru), which" },
	{ "amx,x87,sse",	SUP_512, "needs AMX (bits 17-18: tilecfg, tiledata), which this CPU does not support" },
	{ "x87,sse,mpx",	SUP_SSE, "needs MPX (bits 3-4: bndregs, bndcsr), which this CPU does not support" },
	{ "x86-64-v4,amx",	SUP_SSE, "needs AVX (bit 2: avx), AVX-512 (bits 5-7: opmask, zmm_hi256, hi16_zmm) and AMX (bits 17-18: tilecfg, tiledata), which" },
	{ "full",		SUP_NONE, "XSAVE is not enabled" },
	{ "x87",		SUP_NONE, "XSAVE is not enabled" },
	{ "none+x87",		SUP_VM,	"'none' clears the restriction and cannot be combined" },
	{ "x87,none",		SUP_VM,	"cannot be combined" },
	{ "x87,,sse",		SUP_VM,	"missing component before ',' at column 5" },
	{ "x87,",		SUP_VM,	"missing component at the end after ','" },
	{ "full-",		SUP_VM,	"missing component at the end after '-'" },
	{ "--pkru",		SUP_VM,	"missing component before '-' at column 2" },
	{ "-",			SUP_VM,	"missing component at the end" },
	{ "+x87",		SUP_VM,	"missing component before '+' at column 1" },
	{ ",x87",		SUP_VM,	"missing component before ','" },
	{ "x87 sse",		SUP_VM,	"unexpected byte 0x20 at column 4" },
	{ " x87",		SUP_VM,	"unexpected byte 0x20 at column 1" },
	{ "x87;sse",		SUP_VM,	"unexpected ';' at column 4" },
	{ "x87\tsse",		SUP_VM,	"unexpected byte 0x09" },
	{ "x87,\xc3\xa9",	SUP_VM,	"unexpected byte 0xc3 at column 5" },
	{ "0x",			SUP_VM,	"bad number '0x'" },
	{ "0xg",		SUP_VM,	"bad number '0xg'" },
	{ "12ab",		SUP_VM,	"bad number '12ab'" },
	{ "1_000",		SUP_VM,	"bad number" },
	{ "0x10000000000000000", SUP_VM, "does not fit in 64 bits" },
	{ "18446744073709551616", SUP_VM, "does not fit in 64 bits" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				SUP_VM,	"unknown component 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
};

static void test_parse_bad(struct unit *u)
{
	char err[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_masks); i++) {
		__u64 got = SENTINEL;
		int ret;

		err[0] = '\0';
		ret = xcr0_parse_mask(bad_masks[i].in, bad_masks[i].supported,
				      &got, err, sizeof(err));
		if (!ret)
			unit_fail(u, "'%s' on 0x%llx: accepted as 0x%llx, want error '%s'",
				  bad_masks[i].in, bad_masks[i].supported, got,
				  bad_masks[i].err);
		else if (!strstr(err, bad_masks[i].err))
			unit_fail(u, "'%s' on 0x%llx: error '%s', want '%s'",
				  bad_masks[i].in, bad_masks[i].supported, err,
				  bad_masks[i].err);
		else if (got != SENTINEL)
			unit_fail(u, "'%s': output written on error", bad_masks[i].in);
	}
	/* A NULL or tiny error buffer is allowed and never overrun. */
	if (xcr0_parse_mask("avxx", SUP_VM, &(__u64){ 0 }, NULL, 0) == 0)
		unit_fail(u, "'avxx' accepted without an error buffer");
	err[0] = 'X';
	err[1] = 'Y';
	if (xcr0_parse_mask("avxx", SUP_VM, &(__u64){ 0 }, err, 1) == 0 ||
	    err[0] != '\0' || err[1] != 'Y')
		unit_fail(u, "1-byte error buffer not respected");
}

static const struct {
	__u64 mask;
	const char *want;
} format_cases[] = {
	{ 0x0,		"0x0 (none)" },
	{ 0x1,		"0x1 (x87)" },
	{ 0x207,	"0x207 (x87,sse,avx,pkru)" },
	{ 0x21f,	"0x21f (x87,sse,avx,bndregs,bndcsr,pkru)" },
	{ 0x602e7,	"0x602e7 (x87,sse,avx,opmask,zmm_hi256,hi16_zmm,pkru,tilecfg,tiledata)" },
	{ 0x100,	"0x100 (pt)" },
	{ 0x1fd00,	"0x1fd00 (pt,pasid,cet_u,cet_s,hdc,uintr,lbr,hwp)" },
	{ 0x80001,	"0x80001 (x87,bit19)" },
	{ 1ULL << 63,	"0x8000000000000000 (bit63)" },
};

static void test_format(struct unit *u)
{
	char buf[XCR0_MASK_FMT_MAX], small[8];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(format_cases); i++) {
		n = xcr0_format_mask(format_cases[i].mask, buf, sizeof(buf));
		if (strcmp(buf, format_cases[i].want) ||
		    n != (int)strlen(format_cases[i].want))
			unit_fail(u, "0x%llx: '%s' (%d), want '%s'",
				  format_cases[i].mask, buf, n,
				  format_cases[i].want);
	}
	n = xcr0_format_mask(~0ULL, buf, sizeof(buf));
	if (n >= (int)sizeof(buf) || (int)strlen(buf) != n)
		unit_fail(u, "~0 needs %d bytes, XCR0_MASK_FMT_MAX is %d", n + 1,
			  XCR0_MASK_FMT_MAX);
	memset(small, 'X', sizeof(small));
	n = xcr0_format_mask(0x207, small, sizeof(small));
	if (n != (int)strlen("0x207 (x87,sse,avx,pkru)") ||
	    strcmp(small, "0x207 ("))
		unit_fail(u, "truncated: '%.*s' (%d)", (int)sizeof(small), small, n);
	if (xcr0_format_mask(0x207, NULL, 0) != n)
		unit_fail(u, "length query with a NULL buffer");
}

/* Every valid mask survives format -> parse, by names and by number. */
static void test_round_trip(struct unit *u)
{
	char buf[XCR0_MASK_FMT_MAX], names[XCR0_MASK_FMT_MAX], err[512];
	unsigned int valid = 0;
	__u64 m, got;

	for (m = 1; m < 1ULL << XCR0_NR_BITS; m++) {
		char *open;

		if (xcr0_check(m, SUP_ALL) != XCR0_OK)
			continue;
		valid++;
		xcr0_format_mask(m, buf, sizeof(buf));
		open = strchr(buf, '(');
		snprintf(names, sizeof(names), "%.*s", (int)strlen(open) - 2,
			 open + 1);
		if (xcr0_parse_mask(names, SUP_ALL, &got, err, sizeof(err)) ||
		    got != m)
			unit_fail(u, "'%s' -> 0x%llx (%s), want 0x%llx", names, got,
				  err, m);
		*strchr(buf, ' ') = '\0';
		if (xcr0_parse_mask(buf, SUP_ALL, &got, err, sizeof(err)) ||
		    got != m)
			unit_fail(u, "'%s' -> 0x%llx (%s)", buf, got, err);
	}
	/* x87+sse (+avx (+avx512)), times mpx, pkru and amx on or off */
	if (valid != 3 * 2 * 2 * 2)
		unit_fail(u, "%u valid masks over 0x602ff, want 24", valid);
}

static void test_cpu_supported(struct unit *u)
{
	__u64 sup = xcr0_supported(), full = sup & XCR0_USER_MASK;
	char buf[XCR0_MASK_FMT_MAX];

	if (!sup) {
		unit_skip(u, "the OS has not enabled XSAVE on this CPU");
		return;
	}
	xcr0_format_mask(sup, buf, sizeof(buf));
	if (xcr0_check(full, sup) != XCR0_OK)
		unit_fail(u, "this CPU's own XCR0 %s breaks '%s'", buf,
			  xcr0_rule_str(xcr0_check(full, sup)));
	if ((sup & XCR0_X86_64_V2) != XCR0_X86_64_V2)
		unit_fail(u, "XCR0 %s lacks x87 or SSE", buf);
	if (sup & XCR0_SUPERVISOR_MASK)
		unit_fail(u, "XCR0 %s has supervisor bits", buf);
}

static const struct unit_test tests[] = {
	{ "xcr0_check_each_rule",	test_check_each_rule },
	{ "xcr0_check_exhaustive",	test_check_exhaustive },
	{ "xcr0_rule_strings",		test_rule_strings },
	{ "xcr0_bit_names_and_sets",	test_bit_names_and_sets },
	{ "mask_parse_good",		test_parse_good },
	{ "mask_parse_bad",		test_parse_bad },
	{ "mask_format",		test_format },
	{ "mask_round_trip",		test_round_trip },
	{ "cpu_supported_passes_rules",	test_cpu_supported },
};

int main(void)
{
	return unit_main(tests, ARRAY_SIZE(tests));
}
