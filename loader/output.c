// SPDX-License-Identifier: GPL-2.0
/* JSON and table spelling of scx_xcr0 output, see output.h. */
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "mask.h"
#include "output.h"
#include "util.h"

size_t utf8_len(const unsigned char *p)
{
	unsigned int cp, i, n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		/* a continuation byte, an overlong lead (0xc0, 0xc1) or >= 0xf5 */
		return 0;
	}
	/* a NUL is not a continuation byte: the loop stops at the string's end */
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A C1 control character (U+0080-U+009F), as UTF-8 bytes. */
static bool is_c1(const unsigned char *p, size_t n)
{
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

size_t text_escape(const char *s, char *buf, size_t len)
{
	static const char more[] = "...";
	const unsigned char *p = (const unsigned char *)s;
	size_t off = 0, keep = 0, n, i, need;
	char piece[16];

	if (!len)
		return 0;
	while (*p) {
		n = utf8_len(p);
		if (n == 1 && *p == '\\') {
			need = snprintf(piece, sizeof(piece), "\\\\");
		} else if (n == 1 && *p >= 0x20 && *p != 0x7f) {
			piece[0] = *p;
			need = 1;
		} else if (n > 1 && !is_c1(p, n)) {
			memcpy(piece, p, n);
			need = n;
		} else {
			/* control characters: each byte; invalid UTF-8: its first byte */
			if (!n)
				n = 1;
			for (need = 0, i = 0; i < n; i++)
				need += snprintf(piece + need, sizeof(piece) - need, "\\x%02x",
						 p[i]);
		}
		if (off + need >= len) {
			/* cut at the last piece that leaves room for "..." */
			off = keep;
			if (off + sizeof(more) - 1 < len) {
				memcpy(buf + off, more, sizeof(more) - 1);
				off += sizeof(more) - 1;
			}
			break;
		}
		memcpy(buf + off, piece, need);
		off += need;
		if (off + sizeof(more) - 1 < len)
			keep = off;
		p += n;
	}
	buf[off] = '\0';
	return off;
}

/* Room for esc() of PATH_MAX bytes: at most 4 output bytes per input byte. */
#define ESC_MAX		(4 * PATH_MAX + 1)

void say(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "scx_xcr0: %s\n", esc(buf));
}

const char *esc(const char *s)
{
	static char bufs[4][ESC_MAX];
	static unsigned int next;
	char *buf;

	if (!s)
		return NULL;
	buf = bufs[next++ % ARRAY_SIZE(bufs)];
	text_escape(s, buf, ESC_MAX);
	return buf;
}

static void put_str(FILE *f, const char *val)
{
	const unsigned char *p = (const unsigned char *)val;
	size_t n;

	fputc('"', f);
	while (*p) {
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

/* The comma before a value, and its member name if it has one. */
static void sep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		put_str(j->f, key);
		fputc(':', j->f);
	}
}

static void open_(struct json *j, const char *key, char open, char close)
{
	if (j->depth == JSON_MAX_DEPTH) {
		fprintf(stderr, "scx_xcr0: bug: JSON nested deeper than %d\n", JSON_MAX_DEPTH);
		abort();
	}
	sep(j, key);
	fputc(open, j->f);
	j->depth++;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
}

static void close_(struct json *j)
{
	if (!j->depth)
		return;
	fputc(j->close[j->depth], j->f);
	j->depth--;
}

/* Close containers until @depth are open. */
static void close_to(struct json *j, int depth)
{
	while (j->depth > depth)
		close_(j);
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	open_(j, NULL, '{', '}');
}

void json_end(struct json *j)
{
	close_to(j, 0);
	fputc('\n', j->f);
	fflush(j->f);
}

void json_error(struct json *j, const char *msg)
{
	close_to(j, 1);
	json_str(j, "error", msg ? msg : "failed");
}

int json_walk(struct json *j, const char *key, int (*next)(struct json *j, void *arg),
	      void *arg)
{
	int depth = j->depth, ret;

	json_arr(j, key);
	while ((ret = next(j, arg)) > 0)
		close_to(j, depth + 1);
	close_to(j, depth);
	if (ret < 0)
		json_str(j, "error", fail_msg() ? fail_msg() : "failed");
	return ret < 0 ? ret : 0;
}

void json_obj(struct json *j, const char *key)
{
	open_(j, key, '{', '}');
}

void json_obj_end(struct json *j)
{
	close_(j);
}

void json_arr(struct json *j, const char *key)
{
	open_(j, key, '[', ']');
}

void json_arr_end(struct json *j)
{
	close_(j);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	sep(j, key);
	put_str(j->f, val);
}

void json_u64(struct json *j, const char *key, unsigned long long val)
{
	sep(j, key);
	fprintf(j->f, "%llu", val);
}

void json_s64(struct json *j, const char *key, long long val)
{
	sep(j, key);
	fprintf(j->f, "%lld", val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	sep(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}

void json_mask(struct json *j, const char *key, __u64 mask)
{
	char buf[64], names[64];
	unsigned int bit;
	const char *name;

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)mask);
	json_str(j, key, buf);
	snprintf(names, sizeof(names), "%s_names", key);
	json_arr(j, names);
	for (bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		name = xcr0_bit_name(bit);
		if (name) {
			json_str(j, NULL, name);
		} else {
			snprintf(buf, sizeof(buf), "bit%u", bit);
			json_str(j, NULL, buf);
		}
	}
	json_arr_end(j);
}

static char *next_buf(void)
{
	static char bufs[4][XCR0_MASK_FMT_MAX + 8];
	static unsigned int next;

	return bufs[next++ % ARRAY_SIZE(bufs)];
}

const char *mask_str(__u64 mask)
{
	char *buf = next_buf();

	xcr0_format_mask(mask, buf, XCR0_MASK_FMT_MAX);
	return buf;
}

const char *val_str(__u64 val)
{
	char *buf = next_buf();
	int n = xcr0_format_mask(scx_xcr0_val_mask(val), buf, XCR0_MASK_FMT_MAX);

	if (val & SCX_XCR0_VAL_LIVE && n < XCR0_MASK_FMT_MAX)
		strcpy(buf + n, " live");
	return buf;
}

void json_val(struct json *j, const char *key, __u64 val)
{
	char live[64];

	json_mask(j, key, scx_xcr0_val_mask(val));
	snprintf(live, sizeof(live), "%s_live", key);
	json_bool(j, live, val & SCX_XCR0_VAL_LIVE);
}
