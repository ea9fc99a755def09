// SPDX-License-Identifier: GPL-2.0
/* JSON and table spelling of scx_xcr0 output, see output.h. */
#include <stdio.h>
#include <string.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "mask.h"
#include "output.h"
#include "util.h"

static void put_str(FILE *f, const char *val)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)val; *p; p++) {
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

static void open_(struct json *j, const char *key, char c)
{
	sep(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	open_(j, NULL, '{');
}

void json_end(struct json *j)
{
	close_(j, '}');
	fputc('\n', j->f);
	fflush(j->f);
}

void json_obj(struct json *j, const char *key)
{
	open_(j, key, '{');
}

void json_obj_end(struct json *j)
{
	close_(j, '}');
}

void json_arr(struct json *j, const char *key)
{
	open_(j, key, '[');
}

void json_arr_end(struct json *j)
{
	close_(j, ']');
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
