/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of the scx_xcr0 commands: a small streaming JSON writer for
 * --json, and helpers to spell masks the same way in tables and in JSON.
 * A JSON document is one line on stdout.
 */
#ifndef __SCX_XCR0_OUTPUT_H
#define __SCX_XCR0_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

/*
 * Every function takes the member name @key, or NULL for an array element
 * or the top-level value.
 */
void json_begin(struct json *j, FILE *f);		/* top-level object */
void json_end(struct json *j);				/* closes it, newline */
void json_obj(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL: null */
void json_u64(struct json *j, const char *key, unsigned long long val);
void json_s64(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/*
 * json_mask - @key as "0x3" and @key"_names" as ["x87","sse"], so scripts
 * get both the number and the components.
 */
void json_mask(struct json *j, const char *key, __u64 mask);

/*
 * mask_str - xcr0_format_mask() into one of four static buffers, for
 * tables: up to four calls may share one printf().
 */
const char *mask_str(__u64 mask);

/*
 * val_str - a policy value (mask and SCX_XCR0_VAL_LIVE) the way mask_str()
 * spells masks, with " live" after it when the bit is set; same buffers.
 */
const char *val_str(__u64 val);

/* json_val - json_mask() of a policy value's mask, and @key"_live": bool. */
void json_val(struct json *j, const char *key, __u64 val);

#endif /* __SCX_XCR0_OUTPUT_H */
