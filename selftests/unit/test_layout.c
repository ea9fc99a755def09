// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE layouts and portable masks (loader/json_read.c, xsave_layout.c,
 * portable.c): the reader refuses malformed JSON with file:offset and never
 * crashes (mutated and truncated fixtures, under ASan/UBSan), layout files
 * are checked field by field, this CPU's layout gives the size CPUID
 * reports, and portable masks come out as the fixtures of
 * selftests/data/xsave-layouts/ say they must.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cpuid.h>

#include "xcr0.h"
#include "cpu.h"
#include "json_read.h"
#include "portable.h"
#include "xsave_layout.h"
#include "unit.h"

#ifndef DATA_DIR
#define DATA_DIR "../data/xsave-layouts"
#endif

#define AMD	DATA_DIR "/amd-epyc-zen4.json"
#define INTEL	DATA_DIR "/intel-architectural.json"
#define BOCHS	DATA_DIR "/bochs-tigerlake.json"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(XSAVE_LAYOUT_FILE_MAX + 1);
	*len = fread(buf, 1, XSAVE_LAYOUT_FILE_MAX, f);
	fclose(f);
	return buf;
}

static const struct {
	const char *in;
	const char *err;	/* what the message must hold */
} bad_json[] = {
	{ "",			"t:0: expected a value" },
	{ "   ",		"t:3: expected a value" },
	{ "{",			"t:1: expected '\"' to start a member name, found the end" },
	{ "{\"a\"",		"t:4: expected ':'" },
	{ "{\"a\":",		"t:5: expected a value" },
	{ "{\"a\":1",		"t:6: expected ',' or '}'" },
	{ "{\"a\":1,}",		"t:7: expected '\"'" },
	{ "[1,]",		"t:3: expected a value" },
	{ "[1 2]",		"t:3: expected ',' or ']'" },
	{ "{\"a\":1,\"a\":2}",	"\"a\" is repeated" },
	{ "{} x",		"t:3: expected the end of the file" },
	{ "01",			"t:1: expected the end of the file" },
	{ "1.",			"t:2: expected a digit after '.'" },
	{ "-",			"t:1: expected a digit" },
	{ "1e",			"t:2: expected a digit in the exponent" },
	{ "tru",		"t:0: expected a value" },
	{ "nul",		"t:0: expected a value" },
	{ "\"abc",		"t:4: expected '\"' to end the string" },
	{ "\"a\nb\"",		"control characters must be escaped" },
	{ "\"\\x\"",		"t:2: expected an escape" },
	{ "\"\\u12\"",		"expected 4 hex digits" },
	{ "\"\\u0000\"",	"other than \\u0000" },
	{ "\"\\udc00\"",	"expected a high surrogate" },
	{ "\"\\ud800x\"",	"expected \\u and a low surrogate" },
	{ "\"\\ud800\\u0041\"",	"expected a low surrogate" },
	{ "\"\xff\"",		"t:1: expected valid UTF-8" },
	{ "\"\xc3\"",		"t:1: expected valid UTF-8" },
	{ "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "at most 16 nested" },
	{ "{'a':1}",		"t:1: expected '\"'" },
};

static void test_json_malformed(struct unit *u)
{
	char err[512];
	struct jdoc *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_json); i++) {
		err[0] = '\0';
		d = jread_parse("t", bad_json[i].in, strlen(bad_json[i].in), err, sizeof(err));
		if (d) {
			unit_fail(u, "'%s' parsed", bad_json[i].in);
			jread_free(d);
		} else if (!strstr(err, bad_json[i].err)) {
			unit_fail(u, "'%s': \"%s\", want \"%s\"", bad_json[i].in, err,
				  bad_json[i].err);
		}
	}
	/* more values than a document may hold: "[0,0,...,0]" */
	{
		size_t nr = JREAD_MAX_NODES, n = 1 + 2 * nr + 2, i;
		char *big = malloc(n + 1);

		big[0] = '[';
		for (i = 0; i < nr; i++)
			memcpy(big + 1 + 2 * i, "0,", 2);
		memcpy(big + 1 + 2 * nr, "0]", 3);
		d = jread_parse("t", big, n, err, sizeof(err));
		if (d || !strstr(err, "at most 4096 values"))
			unit_fail(u, "%zu values: %s", nr + 1, d ? "parsed" : err);
		jread_free(d);
		/* one value fewer than the limit (the array is one) parses */
		memcpy(big + 1 + 2 * (nr - 2), "0]", 3);
		d = jread_parse("t", big, 1 + 2 * (nr - 2) + 2, err, sizeof(err));
		if (!d)
			unit_fail(u, "%zu values refused: %s", nr - 1, err);
		jread_free(d);
		free(big);
	}
	/* a NUL inside the text */
	d = jread_parse("t", "[1,\0 2]", 7, err, sizeof(err));
	if (d || !strstr(err, "t:3: expected text, not a NUL byte"))
		unit_fail(u, "NUL byte: %s", d ? "parsed" : err);
	jread_free(d);
}

static void test_json_values(struct unit *u)
{
	static const char doc[] =
		" {\"s\": \"a\\u00e9\\ud83d\\ude00\\n\\\"\", \"n\": 42, \"h\": \"0x2E7\","
		" \"big\": 18446744073709551615, \"over\": 18446744073709551616,"
		" \"neg\": -1, \"f\": 1.5, \"e\": 1e3, \"t\": true, \"z\": null,"
		" \"a\": [1, {}, []]} ";
	const struct jnode *r, *n;
	unsigned long long v;
	char err[256];
	struct jdoc *d;

	d = jread_parse("t", doc, strlen(doc), err, sizeof(err));
	if (!d) {
		unit_fail(u, "%s", err);
		return;
	}
	r = jread_root(d);
	n = jread_get(r, "s");
	if (!n || n->type != JT_STR || strcmp(n->str, "a\xc3\xa9\xf0\x9f\x98\x80\n\""))
		unit_fail(u, "string escapes decoded wrong");
	if (!jread_u64(jread_get(r, "n"), &v) || v != 42)
		unit_fail(u, "n");
	if (!jread_u64(jread_get(r, "h"), &v) || v != 0x2e7)
		unit_fail(u, "hex string");
	if (!jread_u64(jread_get(r, "big"), &v) || v != ~0ULL)
		unit_fail(u, "2^64-1");
	if (jread_u64(jread_get(r, "over"), &v))
		unit_fail(u, "2^64 accepted as u64");
	if (jread_u64(jread_get(r, "neg"), &v) || jread_u64(jread_get(r, "f"), &v) ||
	    jread_u64(jread_get(r, "e"), &v) || jread_u64(jread_get(r, "s"), &v))
		unit_fail(u, "a signed, fractional, exponent or non-hex value accepted as u64");
	n = jread_get(r, "t");
	if (!n || n->type != JT_BOOL || !n->b)
		unit_fail(u, "true");
	n = jread_get(r, "a");
	if (!n || n->type != JT_ARR || !n->kids || !n->kids->next ||
	    n->kids->next->type != JT_OBJ || !n->kids->next->next || n->kids->next->next->next)
		unit_fail(u, "array of three");
	if (jread_get(r, "missing") || jread_get(jread_get(r, "n"), "x"))
		unit_fail(u, "lookup of what is not there");
	jread_free(d);
}

static int parse(const char *name, const char *text, struct xsave_layout *l, char *err,
		 size_t errlen)
{
	return xsave_layout_parse(name, text, strlen(text), l, err, errlen);
}

#define LEAF0	"\"cpuid_0xd_0\": {\"user_supported\": \"0x7\"}"

static const struct {
	const char *in;
	const char *err;
} bad_layouts[] = {
	{ "[]",				"f: the document: expected an object, found an array" },
	{ "{}",				"f: cpuid_0xd_0: expected an object" },
	{ "{\"cpuid_0xd_0\": {}}",	"f: cpuid_0xd_0.user_supported: missing" },
	{ "{\"cpuid_0xd_0\": {\"user_supported\": \"7\"}}",
					"user_supported: expected an unsigned integer or a \"0x...\" string, found a string '7'" },
	{ "{\"cpuid_0xd_0\": {\"user_supported\": \"0x5\"}, \"components\": []}",
					"lacks x87 or SSE" },
	{ "{" LEAF0 "}",		"f: components: expected an array" },
	{ "{" LEAF0 ", \"components\": []}", "f: components: no entry for component 2" },
	{ "{" LEAF0 ", \"components\": [1]}", "f: components[0]: expected an object, found a number" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256}]}",
					"f: components[0].offset: missing" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": -576}]}",
					"components[0].offset: expected an unsigned integer" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 99999999999}]}",
					"components[0].offset: 99999999999 is out of range" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 100}]}",
					"a user component sits at 576 or past it" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 63, \"size\": 1, \"offset\": 576}]}",
					"components[0].bit: 63 is out of range" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 1, \"size\": 1, \"offset\": 576}]}",
					"x87 and SSE are the legacy area" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576},"
	  " {\"bit\": 2, \"size\": 256, \"offset\": 576}]}", "component 2 is listed twice" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576,"
	  " \"supervisor\": 2}]}",	"components[0].supervisor: expected 0, 1, true or false" },
	{ "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576,"
	  " \"supervisor\": 1}]}",	"component 2 is marked supervisor" },
	{ "{" LEAF0 ", \"mask\": \"0xf\", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576}]}",
					"f: mask: 0xf has components outside user_supported 0x7" },
	{ "{" LEAF0 ", \"total_size\": 900, \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576}]}",
					"f: total_size: 900, but the components of mask 0x7 end at 832" },
	{ "{\"vendor\": \"GenuineIntelX\", " LEAF0 ", \"components\": []}",
					"f: vendor: expected a CPUID vendor string" },
};

static void test_layout_malformed(struct unit *u)
{
	struct xsave_layout l;
	char err[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_layouts); i++) {
		memset(&l, 0xa5, sizeof(l));
		err[0] = '\0';
		if (!parse("f", bad_layouts[i].in, &l, err, sizeof(err)))
			unit_fail(u, "'%s' accepted", bad_layouts[i].in);
		else if (!strstr(err, bad_layouts[i].err))
			unit_fail(u, "'%s': \"%s\", want \"%s\"", bad_layouts[i].in, err,
				  bad_layouts[i].err);
		else if (l.have || l.mask)
			unit_fail(u, "'%s': refused but left a layout behind", bad_layouts[i].in);
	}
	/* the smallest valid one, so the cases above fail for their own reason */
	if (parse("f", "{" LEAF0 ", \"components\": [{\"bit\": 2, \"size\": 256, \"offset\": 576}]}",
		  &l, err, sizeof(err)))
		unit_fail(u, "minimal layout refused: %s", err);
}

static int load(struct unit *u, const char *path, struct xsave_layout *l)
{
	char err[512], *buf;
	size_t len;
	int ret;

	buf = slurp(path, &len);
	if (!buf) {
		unit_fail(u, "cannot read %s", path);
		return -1;
	}
	ret = xsave_layout_parse(strrchr(path, '/') + 1, buf, len, l, err, sizeof(err));
	if (ret)
		unit_fail(u, "%s", err);
	free(buf);
	return ret;
}

static void test_layout_fixtures(struct unit *u)
{
	struct xsave_layout amd, intel, bochs;

	if (load(u, AMD, &amd) || load(u, INTEL, &intel) || load(u, BOCHS, &bochs))
		return;
	if (amd.mask != 0xe7 || strcmp(amd.vendor, "AuthenticAMD"))
		unit_fail(u, "AMD: mask 0x%llx vendor %s", (unsigned long long)amd.mask, amd.vendor);
	if (amd.comp[5].offset != 832 || amd.comp[7].size != 1024 || !amd.comp[11].supervisor)
		unit_fail(u, "AMD: component fields read wrong");
	/* the size the CPU reported in the file is the one computed from its components */
	if (xsave_layout_size(&amd, amd.mask) != amd.size_cur || amd.size_cur != 2432)
		unit_fail(u, "AMD: size %u, CPUID said %u", xsave_layout_size(&amd, amd.mask),
			  amd.size_cur);
	if (intel.mask != 0x602ff || intel.comp[9].offset != 2688 || intel.comp[18].size != 8192)
		unit_fail(u, "Intel: fields read wrong");
	if (xsave_layout_size(&intel, 0x2e7) != 2696 || xsave_layout_size(&intel, 0x7) != 832 ||
	    xsave_layout_size(&intel, 0x3) != 576 || xsave_layout_size(&intel, 0x602ff) != 11008)
		unit_fail(u, "Intel: sizes under 0x2e7/0x7/0x3/0x602ff wrong");
	if (xsave_layout_size(&bochs, bochs.mask) != bochs.size_cur)
		unit_fail(u, "Bochs: size %u, CPUID said %u", xsave_layout_size(&bochs, bochs.mask),
			  bochs.size_cur);
}

/* This CPU: the computed size under XCR0 is what CPUID 0xD.0 EBX says now. */
static void test_layout_cpu(struct unit *u)
{
	struct xsave_layout l;
	__u64 xcr0 = xcr0_supported();
	unsigned int a, b, c, d, bit;

	if (!xcr0) {
		unit_skip(u, "XSAVE is not enabled on this CPU");
		return;
	}
	xsave_layout_cpu(&l, xcr0);
	__cpuid_count(0xd, 0, a, b, c, d);
	if (xsave_layout_size(&l, xcr0) != b)
		unit_fail(u, "size under XCR0 0x%llx: %u, CPUID 0xD.0 EBX %u",
			  (unsigned long long)xcr0, xsave_layout_size(&l, xcr0), b);
	if (xsave_layout_size(&l, l.user_supported) != c)
		unit_fail(u, "size of every user component: %u, CPUID 0xD.0 ECX %u",
			  xsave_layout_size(&l, l.user_supported), c);
	for (bit = 2; bit < XSAVE_NR_COMPS; bit++) {
		if (!(xcr0 & (1ULL << bit)))
			continue;
		if (!(l.have & (1ULL << bit)) || l.comp[bit].offset < XSAVE_EXT_START ||
		    l.comp[bit].supervisor)
			unit_fail(u, "component %u of XCR0 missing or misplaced", bit);
	}
	if (!l.vendor[0])
		unit_fail(u, "no vendor string");
}

static int portable3(struct unit *u, const char *a, const char *b, const char *c,
		     struct portable *p)
{
	struct xsave_layout la, lb, lc;
	const struct xsave_layout *m[3] = { &la, &lb, &lc };
	char err[512];
	size_t nr = c ? 3 : 2;

	if (load(u, a, &la) || load(u, b, &lb) || (c && load(u, c, &lc)))
		return -1;
	if (portable_mask(m, nr, p, err, sizeof(err))) {
		unit_fail(u, "%s", err);
		return -1;
	}
	return 0;
}

static const char *why(const struct portable *p, unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < p->nr_excl; i++)
		if (p->excl[i].bit == bit)
			return p->excl[i].why;
	return "";
}

static void test_portable_amd_intel(struct unit *u)
{
	struct portable p;

	if (portable3(u, AMD, INTEL, NULL, &p))
		return;
	if (p.mask != XCR0_X86_64_V3)
		unit_fail(u, "mask 0x%llx, want 0x7 (x86-64-v3)", (unsigned long long)p.mask);
	if (strcmp(why(&p, 5), "bit 5 (opmask): offset 1088 on intel-architectural.json, 832 on amd-epyc-zen4.json") ||
	    strcmp(why(&p, 7), "bit 7 (hi16_zmm): offset 1664 on intel-architectural.json, 1408 on amd-epyc-zen4.json"))
		unit_fail(u, "AVX-512 reasons: '%s', '%s'", why(&p, 5), why(&p, 7));
	if (strcmp(why(&p, 9), "bit 9 (pkru): not supported on amd-epyc-zen4.json") ||
	    strcmp(why(&p, 3), "bit 3 (bndregs): not supported on amd-epyc-zen4.json"))
		unit_fail(u, "PKRU/MPX reasons: '%s', '%s'", why(&p, 9), why(&p, 3));
	if (p.nr_excl != 8)
		unit_fail(u, "%u components excluded, want 8 (3-7, 9, 17, 18)", p.nr_excl);
	/* the reference is the first machine: the order changes the words, not the mask */
	if (portable3(u, INTEL, AMD, NULL, &p))
		return;
	if (p.mask != XCR0_X86_64_V3 ||
	    strcmp(why(&p, 5), "bit 5 (opmask): offset 832 on amd-epyc-zen4.json, 1088 on intel-architectural.json"))
		unit_fail(u, "reversed: mask 0x%llx, '%s'", (unsigned long long)p.mask, why(&p, 5));
}

static void test_portable_two_intel(struct unit *u)
{
	struct portable p;

	if (portable3(u, INTEL, BOCHS, NULL, &p))
		return;
	if (p.mask != (XCR0_X86_64_V4 | XCR0_PKRU))
		unit_fail(u, "mask 0x%llx, want 0x2e7: AVX-512 and PKRU at the same offsets",
			  (unsigned long long)p.mask);
	if (strcmp(why(&p, 3), "bit 3 (bndregs): not supported on bochs-tigerlake.json"))
		unit_fail(u, "MPX reason '%s'", why(&p, 3));
	/* a third machine without AVX-512 takes it away again */
	if (portable3(u, INTEL, BOCHS, AMD, &p))
		return;
	if (p.mask != XCR0_X86_64_V3)
		unit_fail(u, "with the AMD file: 0x%llx, want 0x7", (unsigned long long)p.mask);
}

/* Groups the layouts split are dropped whole, by the rules of xcr0.h. */
static void test_portable_rules(struct unit *u)
{
	struct xsave_layout a, b, c;
	const struct xsave_layout *m[2] = { &a, &b };
	struct portable p;
	char err[512];

	if (load(u, INTEL, &a) || load(u, INTEL, &b))
		return;
	snprintf(b.name, sizeof(b.name), "moved.json");
	b.comp[5].offset += 64;		/* only opmask moves */
	b.comp[17].size = 128;		/* only tilecfg grows */
	if (portable_mask(m, 2, &p, err, sizeof(err))) {
		unit_fail(u, "%s", err);
		return;
	}
	if (p.mask != (XCR0_X86_64_V3 | XCR0_MPX | XCR0_PKRU))
		unit_fail(u, "mask 0x%llx, want 0x21f", (unsigned long long)p.mask);
	if (strcmp(why(&p, 5), "bit 5 (opmask): offset 1152 on moved.json, 1088 on intel-architectural.json") ||
	    strcmp(why(&p, 6), "bit 6 (zmm_hi256): AVX-512 opmask, zmm_hi256 and hi16_zmm (bits 5-7) go together") ||
	    strcmp(why(&p, 17), "bit 17 (tilecfg): size 128 on moved.json, 64 on intel-architectural.json") ||
	    strcmp(why(&p, 18), "bit 18 (tiledata): AMX tilecfg (bit 17) and tiledata (bit 18) go together"))
		unit_fail(u, "reasons '%s' / '%s' / '%s' / '%s'", why(&p, 5), why(&p, 6),
			  why(&p, 17), why(&p, 18));
	/* AVX-512 without AVX on one machine */
	if (load(u, INTEL, &b))
		return;
	b.mask &= ~XCR0_AVX;
	if (portable_mask(m, 2, &p, err, sizeof(err)) || p.mask != (XCR0_X86_64_V2 | XCR0_MPX |
								     XCR0_PKRU | XCR0_AMX) ||
	    strcmp(why(&p, 5), "bit 5 (opmask): AVX-512 (bits 5-7) needs AVX (bit 2)"))
		unit_fail(u, "no AVX: mask 0x%llx, '%s'", (unsigned long long)p.mask, why(&p, 5));
	/* alignment counts when both have XSAVEC and both say it */
	if (load(u, AMD, &a) || load(u, AMD, &b))
		return;
	snprintf(b.name, sizeof(b.name), "aligned.json");
	b.comp[2].align64 = true;
	if (portable_mask(m, 2, &p, err, sizeof(err)) || p.mask != XCR0_X86_64_V2 ||
	    strcmp(why(&p, 2), "bit 2 (avx): align64 (XSAVEC on both) 1 on aligned.json, 0 on amd-epyc-zen4.json"))
		unit_fail(u, "align64: mask 0x%llx, '%s'", (unsigned long long)p.mask, why(&p, 2));
	b.flags_1 &= ~2U;
	if (portable_mask(m, 2, &p, err, sizeof(err)) || p.mask != a.mask)
		unit_fail(u, "align64 without XSAVEC on one: mask 0x%llx", (unsigned long long)p.mask);
	b.flags_1 |= 2U;
	b.comp[2].align_known = false;
	if (portable_mask(m, 2, &p, err, sizeof(err)) || p.mask != a.mask)
		unit_fail(u, "align64 unknown on one: mask 0x%llx", (unsigned long long)p.mask);
	/* SSE missing somewhere: no mask at all */
	if (load(u, INTEL, &a) || load(u, INTEL, &b))
		return;
	b.mask &= ~XCR0_AVX;
	c = b;
	c.mask &= ~XCR0_SSE;
	m[1] = &c;
	if (!portable_mask(m, 2, &p, err, sizeof(err)) ||
	    !strstr(err, "no portable mask: intel-architectural.json lacks sse (bit 1)"))
		unit_fail(u, "no SSE: '%s'", err);
	/* a bit this project does not know is left out, not passed on */
	b.mask |= 1ULL << 19;
	b.have |= 1ULL << 19;
	a.mask |= 1ULL << 19;
	a.have |= 1ULL << 19;
	m[1] = &b;
	if (portable_mask(m, 2, &p, err, sizeof(err)) || (p.mask & (1ULL << 19)) ||
	    !strstr(why(&p, 19), "bit 19: unknown to scx_xcr0"))
		unit_fail(u, "bit 19: mask 0x%llx, '%s'", (unsigned long long)p.mask, why(&p, 19));
}

/* A tiny deterministic generator, so a failure repeats. */
static unsigned int rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * Every prefix of each fixture, and mutations of each (byte flips,
 * insertions of JSON punctuation, deletions): each parse either succeeds
 * with a layout the checks accept or fails with "NAME:" in front of its
 * message; ASan and UBSan catch the rest.
 */
static void test_layout_fuzz(struct unit *u)
{
	static const char *const files[] = { AMD, INTEL, BOCHS };
	static const char punct[] = "{}[]\",:\\0123456789x-e.tfn \n\xff\x80";
	unsigned long long seed = 1;
	struct xsave_layout l;
	char err[512], *buf, *mut;
	size_t len, i, n, f;
	int ret, runs = 0;

	for (f = 0; f < ARRAY_SIZE(files); f++) {
		buf = slurp(files[f], &len);
		if (!buf) {
			unit_fail(u, "cannot read %s", files[f]);
			continue;
		}
		mut = malloc(len + 16);
		for (n = 0; n < len; n++) {
			ret = xsave_layout_parse("fz", buf, n, &l, err, sizeof(err));
			runs++;
			/* a fixture cut anywhere before its last '}' is not a document */
			if (!ret && n < len - 1 && memchr(buf + n, '}', len - n))
				unit_fail(u, "%s cut at %zu accepted", files[f], n);
			else if (ret && strncmp(err, "fz:", 3))
				unit_fail(u, "message without the name: %s", err);
		}
		for (i = 0; i < 6000; i++) {
			size_t mlen = len, k, edits = 1 + rnd(&seed) % 4;

			memcpy(mut, buf, len);
			for (k = 0; k < edits && mlen; k++) {
				size_t at = rnd(&seed) % mlen;

				switch (rnd(&seed) % 3) {
				case 0:
					mut[at] = punct[rnd(&seed) % (sizeof(punct) - 1)];
					break;
				case 1:
					if (mlen < len + 15) {
						memmove(mut + at + 1, mut + at, mlen - at);
						mut[at] = punct[rnd(&seed) % (sizeof(punct) - 1)];
						mlen++;
					}
					break;
				default:
					memmove(mut + at, mut + at + 1, mlen - at - 1);
					mlen--;
				}
			}
			ret = xsave_layout_parse("fz", mut, mlen, &l, err, sizeof(err));
			runs++;
			if (ret && strncmp(err, "fz:", 3))
				unit_fail(u, "message without the name: %s", err);
			if (!ret && (xsave_layout_size(&l, l.mask) < XSAVE_EXT_START ||
				     (l.mask & 3) != 3 || (l.mask & ~l.have)))
				unit_fail(u, "accepted a layout that breaks the checks");
		}
		free(mut);
		free(buf);
	}
	if (runs < 18000)
		unit_fail(u, "only %d runs", runs);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "json-read/malformed", test_json_malformed },
		{ "json-read/values", test_json_values },
		{ "layout/malformed-files", test_layout_malformed },
		{ "layout/fixtures", test_layout_fixtures },
		{ "layout/this-cpu-matches-cpuid", test_layout_cpu },
		{ "layout/fuzz-truncated-and-mutated", test_layout_fuzz },
		{ "portable/amd-zen4-intel-is-x86-64-v3", test_portable_amd_intel },
		{ "portable/two-intel-keep-avx512", test_portable_two_intel },
		{ "portable/split-groups-follow-xcr0-rules", test_portable_rules },
	};

	return unit_main(tests, ARRAY_SIZE(tests));
}
