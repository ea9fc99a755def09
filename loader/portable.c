// SPDX-License-Identifier: GPL-2.0
/* The widest mask with one XSAVE layout on several machines, see portable.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xcr0.h"
#include "portable.h"

__attribute__((format(printf, 3, 4)))
static void exclude(struct portable *p, unsigned int bit, const char *fmt, ...)
{
	struct portable_excl *e = &p->excl[p->nr_excl++];
	const char *name = xcr0_bit_name(bit);
	int n;
	va_list ap;

	p->mask &= ~(1ULL << bit);
	e->bit = bit;
	if (name)
		n = snprintf(e->why, sizeof(e->why), "bit %u (%s): ", bit, name);
	else
		n = snprintf(e->why, sizeof(e->why), "bit %u: ", bit);
	va_start(ap, fmt);
	vsnprintf(e->why + n, sizeof(e->why) - n, fmt, ap);
	va_end(ap);
}

#define CPUID_XSAVEC	(1U << 1)	/* CPUID 0xD.1 EAX */

/*
 * Why machine @o's component @bit differs from the reference @r's, or NULL.
 * Offset and size make the standard format; the 64-byte alignment only
 * matters to the compacted one (XSAVEC), and rr compares it only when both
 * machines have XSAVEC (ReplaySession.cc), so it counts only then, and only
 * when both layouts say it.
 */
static const char *differs(const struct xsave_layout *r, const struct xsave_layout *o,
			   unsigned int bit, __u32 *vo, __u32 *vr)
{
	const struct xsave_comp *a = &r->comp[bit], *b = &o->comp[bit];

	if (a->offset != b->offset) {
		*vo = b->offset;
		*vr = a->offset;
		return "offset";
	}
	if (a->size != b->size) {
		*vo = b->size;
		*vr = a->size;
		return "size";
	}
	if (r->flags_1 & o->flags_1 & CPUID_XSAVEC && a->align_known && b->align_known &&
	    a->align64 != b->align64) {
		*vo = b->align64;
		*vr = a->align64;
		return "align64 (XSAVEC on both)";
	}
	return NULL;
}

/* The components of a group that xcr0_check() says is broken in @mask. */
static __u64 broken_group(int rule, __u64 mask)
{
	switch (rule) {
	case XCR0_E_MPX_SPLIT:
		return mask & XCR0_MPX;
	case XCR0_E_AVX512_PARTIAL:
	case XCR0_E_AVX512_NO_AVX:
		return mask & XCR0_AVX512;
	case XCR0_E_AMX_SPLIT:
		return mask & XCR0_AMX;
	default:
		return 0;
	}
}

static int by_bit(const void *a, const void *b)
{
	const struct portable_excl *x = a, *y = b;

	return (x->bit > y->bit) - (x->bit < y->bit);
}

int portable_mask(const struct xsave_layout *const *m, size_t nr, struct portable *p,
		  char *err, size_t errlen)
{
	__u64 any = 0, drop;
	unsigned int bit;
	size_t i;
	int rule;

	memset(p, 0, sizeof(*p));
	if (!nr) {
		snprintf(err, errlen, "no machine to compare");
		return -EINVAL;
	}
	p->mask = ~0ULL;
	for (i = 0; i < nr; i++) {
		any |= m[i]->mask;
		p->mask &= m[i]->mask;
	}
	for (bit = 0; bit < 2; bit++) {
		for (i = 0; i < nr; i++) {
			if (!(m[i]->mask & (1ULL << bit))) {
				snprintf(err, errlen, "no portable mask: %s lacks %s (bit %u), which every mask needs",
					 m[i]->name, xcr0_bit_name(bit), bit);
				return -EINVAL;
			}
		}
	}
	for (bit = 2; bit < 64; bit++) {
		__u64 b = 1ULL << bit;
		const char *what;
		__u32 vo, vr;

		if (!(any & b))
			continue;
		if (b & XCR0_SUPERVISOR_MASK) {
			exclude(p, bit, "%s", xcr0_rule_str(XCR0_E_SUPERVISOR));
			continue;
		}
		if (!(b & XCR0_USER_MASK)) {
			exclude(p, bit, "unknown to scx_xcr0 (%s)", xcr0_rule_str(XCR0_E_UNKNOWN_BITS));
			continue;
		}
		for (i = 0; i < nr; i++)
			if (!(m[i]->mask & b))
				break;
		if (i < nr) {
			exclude(p, bit, "not supported on %s", m[i]->name);
			continue;
		}
		for (i = 1; i < nr; i++) {
			what = differs(m[0], m[i], bit, &vo, &vr);
			if (what)
				break;
		}
		if (i < nr)
			exclude(p, bit, "%s %u on %s, %u on %s", what, vo, m[i]->name, vr, m[0]->name);
	}
	/* what is left of a group the layouts split, by the rules of xcr0.h */
	while ((rule = xcr0_check(p->mask, p->mask)) != XCR0_OK) {
		drop = broken_group(rule, p->mask);
		if (!drop) {
			/* x87 and SSE were checked above; nothing else is left to break */
			snprintf(err, errlen, "no portable mask: 0x%llx: %s",
				 (unsigned long long)p->mask, xcr0_rule_str(rule));
			return -EINVAL;
		}
		for (bit = 0; bit < 64; bit++)
			if (drop & (1ULL << bit))
				exclude(p, bit, "%s", xcr0_rule_str(rule));
	}
	qsort(p->excl, p->nr_excl, sizeof(p->excl[0]), by_bit);
	return 0;
}
