// SPDX-License-Identifier: GPL-2.0
/*
 * The mask syntax shared by the command line, the control socket and policy
 * files. The rules themselves live in xcr0.h; this file only spells masks
 * and explains why one is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xcr0.h"
#include "mask.h"

/* Longest piece of user input quoted back in a message. */
#define QUOTE_MAX	40

#define LEVEL_PREFIX	"x86-64-v"

/* Names for more than one component, after the per-bit names of xcr0.h. */
static const struct {
	const char *name;
	__u64 mask;
} aliases[] = {
	{ "mpx",	XCR0_MPX },
	{ "avx512",	XCR0_AVX512 },
	{ "amx",	XCR0_AMX },
	{ "x86-64-v2",	XCR0_X86_64_V2 },
	{ "x86-64-v3",	XCR0_X86_64_V3 },
	{ "x86-64-v4",	XCR0_X86_64_V4 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* snprintf() at @off into @buf; returns what the whole piece needs. */
__attribute__((format(printf, 4, 5)))
static size_t put(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(off < len ? buf + off : NULL, off < len ? len - off : 0,
		      fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : n;
}

int xcr0_format_mask(__u64 mask, char *buf, size_t len)
{
	const char *sep = "";
	size_t off;
	unsigned int bit;

	off = put(buf, len, 0, "0x%llx (%s", mask, mask ? "" : "none");
	for (bit = 0; bit < 64; bit++) {
		const char *name = xcr0_bit_name(bit);

		if (!(mask & (1ULL << bit)))
			continue;
		if (name)
			off += put(buf, len, off, "%s%s", sep, name);
		else
			off += put(buf, len, off, "%sbit%u", sep, bit);
		sep = ",";
	}
	off += put(buf, len, off, ")");
	return off;
}

/* The user components and aliases, for "known: ..." in messages. */
static void known_names(char *buf, size_t len)
{
	size_t off = 0, i;
	unsigned int bit;

	for (bit = 0; bit < XCR0_NR_BITS; bit++)
		if (XCR0_USER_MASK & (1ULL << bit))
			off += put(buf, len, off, "%s, ", xcr0_bit_name(bit));
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		off += put(buf, len, off, "%s, ", aliases[i].name);
	put(buf, len, off, "full, none");
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of the item at @p: a run of name characters, except that a psABI
 * level keeps the dashes of its "x86-64-v" prefix.
 */
static size_t item_len(const char *p)
{
	size_t n = 0;

	if (!strncasecmp(p, LEVEL_PREFIX, strlen(LEVEL_PREFIX)))
		n = strlen(LEVEL_PREFIX);
	while (is_name_char(p[n]))
		n++;
	return n;
}

static bool name_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(p, name, n);
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_number(const char *p, size_t n, __u64 *val, char *err,
			size_t errlen)
{
	unsigned int base = 10;
	__u64 v = 0;
	size_t i = 0;

	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		goto bad;
	for (; i < n; i++) {
		int d = digit_value(p[i]);

		if (d < 0 || (unsigned int)d >= base)
			goto bad;
		if (v > (~0ULL - d) / base) {
			set_err(err, errlen, "number '%.*s' does not fit in 64 bits",
				n > QUOTE_MAX ? QUOTE_MAX : (int)n, p);
			return -EINVAL;
		}
		v = v * base + d;
	}
	*val = v;
	return 0;
bad:
	set_err(err, errlen, "bad number '%.*s' (hex needs 0x)",
		n > QUOTE_MAX ? QUOTE_MAX : (int)n, p);
	return -EINVAL;
}

/* The value of one item: a number, a component, an alias or "full". */
static int item_value(const char *p, size_t n, __u64 full, __u64 *val,
		      char *err, size_t errlen)
{
	int q = n > QUOTE_MAX ? QUOTE_MAX : (int)n;
	const char *more = n > QUOTE_MAX ? "..." : "";
	char known[256];
	unsigned int bit;
	size_t i;

	if (is_digit(p[0]))
		return parse_number(p, n, val, err, errlen);
	for (bit = 0; bit < XCR0_NR_BITS; bit++) {
		if (name_is(p, n, xcr0_bit_name(bit))) {
			*val = 1ULL << bit;
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (name_is(p, n, aliases[i].name)) {
			*val = aliases[i].mask;
			return 0;
		}
	}
	if (name_is(p, n, "full")) {
		*val = full;
		return 0;
	}
	if (name_is(p, n, "none")) {
		set_err(err, errlen,
			"'none' clears the restriction and cannot be combined");
		return -EINVAL;
	}
	if (!strncasecmp(p, LEVEL_PREFIX, strlen(LEVEL_PREFIX))) {
		set_err(err, errlen,
			"unknown psABI level '%.*s%s'; known: x86-64-v2, x86-64-v3, x86-64-v4",
			q, p, more);
		return -EINVAL;
	}
	known_names(known, sizeof(known));
	set_err(err, errlen, "unknown component '%.*s%s'; known: %s",
		q, p, more, known);
	return -EINVAL;
}

/* "bit 9: pkru" or "bits 5-7: opmask, zmm_hi256, hi16_zmm" for @mask's bits. */
static size_t put_bits(char *buf, size_t len, size_t off, __u64 mask)
{
	unsigned int lo = __builtin_ctzll(mask), hi = 63 - __builtin_clzll(mask), bit;
	const char *sep = ": ";
	size_t start = off;

	if (lo == hi)
		off += put(buf, len, off, "bit %u", lo);
	else if ((unsigned int)__builtin_popcountll(mask) == hi - lo + 1)
		off += put(buf, len, off, "bits %u-%u", lo, hi);
	else
		off += put(buf, len, off, "bits");
	for (bit = lo; bit <= hi; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		off += put(buf, len, off, "%s%s", sep, xcr0_bit_name(bit));
		sep = ", ";
	}
	return off - start;
}

/*
 * "AVX-512 (bits 5-7: opmask, zmm_hi256, hi16_zmm) and AMX (bits 17-18:
 * tilecfg, tiledata)": the features @bad touches, by the names users know.
 */
static void feature_names(__u64 bad, char *buf, size_t len)
{
	size_t off = 0, i, nr = 0, left;

	for (i = 0; i < XCR0_NR_FEATURES; i++)
		nr += !!(bad & xcr0_features[i].mask);
	left = nr;
	for (i = 0; i < XCR0_NR_FEATURES; i++) {
		const struct xcr0_feature *f = &xcr0_features[i];

		if (!(bad & f->mask))
			continue;
		off += put(buf, len, off, "%s (", f->name);
		off += put_bits(buf, len, off, f->mask);
		left--;
		off += put(buf, len, off, ")%s", left > 1 ? ", " : left ? " and " : "");
	}
}

/* Say which rule @mask (spelt @s by the user) breaks, and for which component. */
static void explain(const char *s, __u64 mask, __u64 supported, int rule, char *err,
		    size_t errlen)
{
	char m[XCR0_MASK_FMT_MAX], sup[XCR0_MASK_FMT_MAX], names[256];
	int q = strlen(s) > QUOTE_MAX ? QUOTE_MAX : (int)strlen(s);
	const char *name;
	unsigned int bit;
	__u64 bad = 0;

	xcr0_format_mask(mask, m, sizeof(m));
	if (rule == XCR0_E_SUPERVISOR)
		bad = mask & XCR0_SUPERVISOR_MASK;
	else if (rule == XCR0_E_UNKNOWN_BITS)
		bad = mask & ~(XCR0_USER_MASK | XCR0_SUPERVISOR_MASK);
	else if (rule == XCR0_E_UNSUPPORTED)
		bad = mask & ~supported;
	if (!bad) {
		set_err(err, errlen, "%s: %s", m, xcr0_rule_str(rule));
		return;
	}
	bit = __builtin_ctzll(bad);
	name = xcr0_bit_name(bit);
	if (rule == XCR0_E_SUPERVISOR) {
		set_err(err, errlen,
			"%s: bit %u (%s) is a supervisor (XSS) component and never goes in XCR0",
			m, bit, name);
	} else if (rule == XCR0_E_UNKNOWN_BITS || !name) {
		set_err(err, errlen, "%s: bit %u is unknown to scx_xcr0; %s",
			m, bit, xcr0_rule_str(XCR0_E_UNKNOWN_BITS));
	} else {
		/* the user's spelling, the mask, and the features by name */
		feature_names(bad, names, sizeof(names));
		xcr0_format_mask(supported, sup, sizeof(sup));
		set_err(err, errlen,
			"%.*s%s = %s needs %s, which this CPU does not support (supported %s)",
			q, s, strlen(s) > QUOTE_MAX ? "..." : "", m, names, sup);
	}
}

static void bad_char(const char *s, const char *p, char *err, size_t errlen)
{
	unsigned char c = *p;

	if (c > ' ' && c < 0x7f)
		set_err(err, errlen, "unexpected '%c' at column %zu", c,
			(size_t)(p - s) + 1);
	else
		set_err(err, errlen, "unexpected byte 0x%02x at column %zu", c,
			(size_t)(p - s) + 1);
}

int xcr0_parse_mask(const char *s, __u64 supported, __u64 *out, char *err,
		    size_t errlen)
{
	__u64 full = supported & XCR0_USER_MASK, mask = 0, val;
	bool number = false;
	unsigned int items = 0;
	const char *p = s;
	char op = ',';
	int ret;

	if (!s || !*s) {
		set_err(err, errlen, "empty mask (use 'none' to clear a restriction)");
		return -EINVAL;
	}
	if (name_is(s, strlen(s), "none")) {
		*out = 0;
		return 0;
	}
	if (*p == '-') {
		mask = full;
		op = '-';
		p++;
	}
	for (;;) {
		size_t n = item_len(p);

		if (!n) {
			if (!*p)
				set_err(err, errlen,
					"missing component at the end after '%c'", op);
			else if (*p == ',' || *p == '+' || *p == '-')
				set_err(err, errlen,
					"missing component before '%c' at column %zu",
					*p, (size_t)(p - s) + 1);
			else
				bad_char(s, p, err, errlen);
			return -EINVAL;
		}
		ret = item_value(p, n, full, &val, err, errlen);
		if (ret)
			return ret;
		number = is_digit(*p);
		items++;
		mask = op == '-' ? mask & ~val : mask | val;
		p += n;
		if (!*p)
			break;
		if (*p != ',' && *p != '+' && *p != '-') {
			bad_char(s, p, err, errlen);
			return -EINVAL;
		}
		op = *p++;
	}

	/* A lone 0 is "none"; a 0 computed any other way breaks the x87 rule. */
	if (items == 1 && number && !mask && *s != '-') {
		*out = 0;
		return 0;
	}
	if (!supported) {
		set_err(err, errlen,
			"XSAVE is not enabled on this CPU (CPUID.1:ECX.OSXSAVE is clear); only 'none' is accepted");
		return -EINVAL;
	}
	ret = xcr0_check(mask, supported);
	if (ret != XCR0_OK) {
		explain(s, mask, supported, ret, err, errlen);
		return -EINVAL;
	}
	*out = mask;
	return 0;
}
