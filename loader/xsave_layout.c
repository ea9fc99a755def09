// SPDX-License-Identifier: GPL-2.0
/* XSAVE layouts from CPUID and from layout files, see xsave_layout.h. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xcr0.h"
#include "json_read.h"
#include "output.h"
#include "util.h"
#include "xsave_layout.h"

#define CPUID_XSAVE		0xd
#define CPUID_XSAVE_SUPERVISOR	(1U << 0)	/* sub-leaf ECX */
#define CPUID_XSAVE_ALIGN64	(1U << 1)

/* No XSAVE area comes near this; anything past it is a broken file. */
#define XSAVE_AREA_MAX		(1U << 20)

/* x87 and SSE in the legacy area: the same on every CPU. */
static const struct xsave_comp legacy[2] = {
	{ .size = 160, .offset = 0 },	/* FCW ... ST0-7 */
	{ .size = 256, .offset = 160 },	/* XMM0-15 (MXCSR sits at 24, in x87's bytes) */
};

static void set_legacy(struct xsave_layout *l)
{
	l->comp[XCR0_BIT_X87] = legacy[0];
	l->comp[XCR0_BIT_SSE] = legacy[1];
	l->have |= XCR0_X87 | XCR0_SSE;
}

void xsave_layout_cpu(struct xsave_layout *l, __u64 mask)
{
	unsigned int a, b, c, d, bit;
	__u64 all;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "this machine");
	l->mask = mask;
	__cpuid(0, a, b, c, d);
	memcpy(l->vendor, &b, 4);
	memcpy(l->vendor + 4, &d, 4);
	memcpy(l->vendor + 8, &c, 4);
	set_legacy(l);
	if (a < CPUID_XSAVE)
		return;
	__cpuid_count(CPUID_XSAVE, 0, a, b, c, d);
	l->user_supported = (__u64)d << 32 | a;
	l->size_cur = b;
	l->size_max = c;
	__cpuid_count(CPUID_XSAVE, 1, a, b, c, d);
	l->flags_1 = a;
	l->supervisor_supported = (__u64)d << 32 | c;
	all = l->user_supported | l->supervisor_supported;
	for (bit = 2; bit < XSAVE_NR_COMPS; bit++) {
		if (!(all & (1ULL << bit)))
			continue;
		__cpuid_count(CPUID_XSAVE, bit, a, b, c, d);
		l->comp[bit].size = a;
		l->comp[bit].offset = b;
		l->comp[bit].supervisor = c & CPUID_XSAVE_SUPERVISOR;
		l->comp[bit].align64 = c & CPUID_XSAVE_ALIGN64;
		l->comp[bit].align_known = true;
		l->have |= 1ULL << bit;
	}
}

__u32 xsave_layout_size(const struct xsave_layout *l, __u64 mask)
{
	__u32 size = XSAVE_EXT_START, end;
	unsigned int bit;

	for (bit = 2; bit < XSAVE_NR_COMPS; bit++) {
		if (!(mask & l->have & (1ULL << bit)) || l->comp[bit].supervisor)
			continue;
		end = l->comp[bit].offset + l->comp[bit].size;
		if (end > size)
			size = end;
	}
	return size;
}

/* Reading a layout file: the document and where a message is written. */
struct lf {
	const char *name;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int lf_bad(struct lf *f, const char *member, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(f->err, f->errlen, "%s: %s: %s", f->name, member, what);
	return -EINVAL;
}

/* The unsigned member @key of @obj, at most @max; @member names it in messages. */
static int lf_u64(struct lf *f, const struct jnode *obj, const char *key, const char *member,
		  unsigned long long max, bool required, unsigned long long *out)
{
	const struct jnode *n = jread_get(obj, key);

	if (!n) {
		if (required)
			return lf_bad(f, member, "missing");
		return 1;
	}
	if (!jread_u64(n, out))
		return lf_bad(f, member, "expected an unsigned integer or a \"0x...\" string, found %s%s%.40s%s",
			      jread_type_str(n->type), n->type == JT_STR || n->type == JT_NUM ?
			      " '" : "", n->type == JT_STR || n->type == JT_NUM ? n->str : "",
			      n->type == JT_STR || n->type == JT_NUM ? "'" : "");
	if (*out > max)
		return lf_bad(f, member, "%llu is out of range (at most %llu)", *out, max);
	return 0;
}

/* A 0/1 or true/false flag, false when absent; *@known says whether it was there. */
static int lf_flag(struct lf *f, const struct jnode *obj, const char *key, const char *member,
		   bool *out, bool *known)
{
	const struct jnode *n = jread_get(obj, key);
	unsigned long long v;

	*out = false;
	if (known)
		*known = !!n;
	if (!n)
		return 0;
	if (n->type == JT_BOOL) {
		*out = n->b;
		return 0;
	}
	if (n->type != JT_NUM || !jread_u64(n, &v) || v > 1)
		return lf_bad(f, member, "expected 0, 1, true or false");
	*out = v;
	return 0;
}

static int lf_component(struct lf *f, const struct jnode *c, unsigned int i,
			struct xsave_layout *l)
{
	unsigned long long bit, size, offset;
	char m[64], path[80];
	struct xsave_comp x = { 0 };
	int ret;

	snprintf(m, sizeof(m), "components[%u]", i);
	if (c->type != JT_OBJ)
		return lf_bad(f, m, "expected an object, found %s", jread_type_str(c->type));
	snprintf(path, sizeof(path), "%s.bit", m);
	ret = lf_u64(f, c, "bit", path, XSAVE_NR_COMPS - 1, true, &bit);
	if (ret)
		return ret;
	if (bit < 2)
		return lf_bad(f, path, "%llu: x87 and SSE are the legacy area, not components to list",
			      bit);
	if (l->have & (1ULL << bit))
		return lf_bad(f, path, "component %llu is listed twice", bit);
	snprintf(path, sizeof(path), "%s.supervisor", m);
	ret = lf_flag(f, c, "supervisor", path, &x.supervisor, NULL);
	if (!ret) {
		snprintf(path, sizeof(path), "%s.align64", m);
		ret = lf_flag(f, c, "align64", path, &x.align64, &x.align_known);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s.size", m);
		ret = lf_u64(f, c, "size", path, XSAVE_AREA_MAX, true, &size);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s.offset", m);
		ret = lf_u64(f, c, "offset", path, XSAVE_AREA_MAX, true, &offset);
	}
	if (ret)
		return ret;
	if (!x.supervisor && (offset < XSAVE_EXT_START || !size))
		return lf_bad(f, m, "component %llu at offset %llu, size %llu: a user component sits at %u or past it and has a size",
			      bit, offset, size, XSAVE_EXT_START);
	x.size = size;
	x.offset = offset;
	l->comp[bit] = x;
	l->have |= 1ULL << bit;
	return 0;
}

static int lf_layout(struct lf *f, const struct jnode *root, struct xsave_layout *l)
{
	const struct jnode *n, *leaf0, *leaf1, *comps, *c;
	unsigned long long v, total;
	unsigned int i = 0, bit;
	__u64 missing;
	int ret;

	if (root->type != JT_OBJ)
		return lf_bad(f, "the document", "expected an object, found %s",
			      jread_type_str(root->type));
	n = jread_get(root, "vendor");
	if (n && (n->type != JT_STR || n->len >= sizeof(l->vendor)))
		return lf_bad(f, "vendor", "expected a CPUID vendor string of at most 12 characters");
	if (n)
		memcpy(l->vendor, n->str, n->len + 1);

	leaf0 = jread_get(root, "cpuid_0xd_0");
	if (!leaf0 || leaf0->type != JT_OBJ)
		return lf_bad(f, "cpuid_0xd_0", "expected an object (CPUID 0xD sub-leaf 0)");
	ret = lf_u64(f, leaf0, "user_supported", "cpuid_0xd_0.user_supported", ~0ULL, true, &v);
	if (ret)
		return ret;
	l->user_supported = v;
	if ((v & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
		return lf_bad(f, "cpuid_0xd_0.user_supported",
			      "0x%llx lacks x87 or SSE (bits 0 and 1), which every XSAVE CPU has", v);
	if (v & (1ULL << 63))
		return lf_bad(f, "cpuid_0xd_0.user_supported", "bit 63 is reserved");
	ret = lf_u64(f, leaf0, "size_for_current_xcr0", "cpuid_0xd_0.size_for_current_xcr0",
		     XSAVE_AREA_MAX, false, &v);
	if (ret < 0)
		return ret;
	l->size_cur = ret ? 0 : v;
	ret = lf_u64(f, leaf0, "size_all_user", "cpuid_0xd_0.size_all_user", XSAVE_AREA_MAX,
		     false, &v);
	if (ret < 0)
		return ret;
	l->size_max = ret ? 0 : v;

	leaf1 = jread_get(root, "cpuid_0xd_1");
	if (leaf1 && leaf1->type != JT_OBJ)
		return lf_bad(f, "cpuid_0xd_1", "expected an object (CPUID 0xD sub-leaf 1)");
	ret = lf_u64(f, leaf1, "eax_flags", "cpuid_0xd_1.eax_flags", 0xffffffffULL, false, &v);
	if (ret < 0)
		return ret;
	l->flags_1 = ret ? 0 : v;
	ret = lf_u64(f, leaf1, "supervisor_supported", "cpuid_0xd_1.supervisor_supported",
		     ~0ULL, false, &v);
	if (ret < 0)
		return ret;
	l->supervisor_supported = ret ? 0 : v;

	l->mask = l->user_supported;
	ret = lf_u64(f, root, "mask", "mask", ~0ULL, false, &v);
	if (ret < 0)
		return ret;
	if (!ret) {
		if (v & ~l->user_supported)
			return lf_bad(f, "mask", "0x%llx has components outside user_supported 0x%llx",
				      v, (unsigned long long)l->user_supported);
		if ((v & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
			return lf_bad(f, "mask", "0x%llx lacks x87 or SSE (bits 0 and 1)", v);
		l->mask = v;
	}

	comps = jread_get(root, "components");
	if (!comps || comps->type != JT_ARR)
		return lf_bad(f, "components", "expected an array (CPUID 0xD sub-leaves 2-62)");
	set_legacy(l);
	for (c = comps->kids; c; c = c->next, i++) {
		ret = lf_component(f, c, i, l);
		if (ret)
			return ret;
	}
	for (bit = 2; bit < XSAVE_NR_COMPS; bit++) {
		if ((l->user_supported & (1ULL << bit)) && (l->have & (1ULL << bit)) &&
		    l->comp[bit].supervisor)
			return lf_bad(f, "components",
				      "component %u is marked supervisor but user_supported has it", bit);
	}
	missing = l->mask & ~l->have;
	if (missing)
		return lf_bad(f, "components", "no entry for component %u, which mask 0x%llx has",
			      __builtin_ctzll(missing), (unsigned long long)l->mask);
	ret = lf_u64(f, root, "total_size", "total_size", XSAVE_AREA_MAX, false, &total);
	if (ret < 0)
		return ret;
	if (!ret && total != xsave_layout_size(l, l->mask))
		return lf_bad(f, "total_size", "%llu, but the components of mask 0x%llx end at %u",
			      total, (unsigned long long)l->mask, xsave_layout_size(l, l->mask));
	return 0;
}

int xsave_layout_parse(const char *name, const char *buf, size_t len, struct xsave_layout *l,
		       char *err, size_t errlen)
{
	struct lf f = { .name = name, .err = err, .errlen = errlen };
	struct jdoc *d;
	int ret;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	d = jread_parse(name, buf, len, err, errlen);
	if (!d)
		return -EINVAL;
	ret = lf_layout(&f, jread_root(d), l);
	jread_free(d);
	if (ret) {
		/* bad input changes nothing */
		memset(l, 0, sizeof(*l));
	}
	return ret;
}

int xsave_layout_load(const char *path, struct xsave_layout *l)
{
	char err[512], *buf;
	size_t off = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "cannot open layout file %s: %s", path, strerror(errno));
	buf = malloc(XSAVE_LAYOUT_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return fail(-ENOMEM, "out of memory");
	}
	/* one byte past the limit tells a file that is too large */
	while (off <= XSAVE_LAYOUT_FILE_MAX) {
		n = read(fd, buf + off, XSAVE_LAYOUT_FILE_MAX + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(-errno, "cannot read layout file %s: %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		off += n;
	}
	if (off > XSAVE_LAYOUT_FILE_MAX) {
		ret = fail(-EFBIG, "%s: larger than %u bytes; not a layout file (`scx_xcr0 layout --json` writes one)",
			   path, XSAVE_LAYOUT_FILE_MAX);
		goto out;
	}
	if (!off) {
		ret = fail(-EINVAL, "%s: empty; not a layout file (`scx_xcr0 layout --json` writes one)",
			   path);
		goto out;
	}
	ret = xsave_layout_parse(path, buf, off, l, err, sizeof(err));
	if (ret)
		fail(ret, "%s", err);
out:
	free(buf);
	close(fd);
	return ret;
}

void xsave_layout_json(struct json *j, const struct xsave_layout *l)
{
	char hex[32];
	unsigned int bit;

	json_str(j, "vendor", l->vendor);
	json_mask(j, "mask", l->mask);
	json_obj(j, "cpuid_0xd_0");
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)l->user_supported);
	json_str(j, "user_supported", hex);
	json_u64(j, "size_for_current_xcr0", l->size_cur);
	json_u64(j, "size_all_user", l->size_max);
	json_obj_end(j);
	json_obj(j, "cpuid_0xd_1");
	snprintf(hex, sizeof(hex), "0x%x", l->flags_1);
	json_str(j, "eax_flags", hex);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)l->supervisor_supported);
	json_str(j, "supervisor_supported", hex);
	json_obj_end(j);
	json_arr(j, "components");
	for (bit = 2; bit < XSAVE_NR_COMPS; bit++) {
		const struct xsave_comp *c = &l->comp[bit];

		if (!(l->mask & l->have & (1ULL << bit)))
			continue;
		json_obj(j, NULL);
		json_u64(j, "bit", bit);
		json_str(j, "name", xcr0_bit_name(bit));
		json_u64(j, "size", c->size);
		json_u64(j, "offset", c->offset);
		json_u64(j, "supervisor", c->supervisor);
		if (c->align_known)
			json_u64(j, "align64", c->align64);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_u64(j, "total_size", xsave_layout_size(l, l->mask));
}
