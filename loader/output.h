/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of the scx_xcr0 commands: a small streaming JSON writer for
 * --json, the escaping of text that comes from outside (process names,
 * cgroup paths, file names, command lines) for the terminal, and helpers to
 * spell masks the same way in tables and in JSON. A JSON document is one
 * line on stdout.
 *
 * Strings from outside may hold any byte but NUL. In JSON every string is
 * valid UTF-8: valid sequences pass as they are, each byte that does not
 * belong to one (stray continuation bytes, overlong forms, surrogates,
 * code points past U+10FFFF, bytes 0xf5-0xff, truncated sequences) becomes
 * U+FFFD, written as the escape \ufffd; control characters and DEL are
 * \u00XX (\n, \t, \" and \\ as usual). In text, see text_escape().
 */
#ifndef __SCX_XCR0_OUTPUT_H
#define __SCX_XCR0_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;			/* containers open */
	bool first[JSON_MAX_DEPTH + 1];	/* no member written yet, per level */
	char close[JSON_MAX_DEPTH + 1];	/* what closes each open container */
};

/*
 * Every function takes the member name @key, or NULL for an array element
 * or the top-level value. Nesting deeper than JSON_MAX_DEPTH is a bug and
 * aborts.
 */
void json_begin(struct json *j, FILE *f);		/* top-level object */

/*
 * json_end - close every container still open, the top-level object last,
 * and end the line: a document that was begun is always whole, whatever
 * path a command took out of its loops.
 */
void json_end(struct json *j);

/*
 * json_error - close the containers open inside the top-level object and
 * add "error": @msg to it. The document stays open for json_end().
 */
void json_error(struct json *j, const char *msg);

/*
 * json_walk - the member @key: [...], one element per call of @next, which
 * writes one value and returns 1, returns 0 at the end, or a negative
 * errno with a message recorded by fail() when the walk fails. On failure
 * the array ends where the walk stopped (anything @next left open is
 * closed) and the enclosing object gets "error": the message, so the
 * document stays valid and says it is incomplete. Returns 0 or the error.
 */
int json_walk(struct json *j, const char *key, int (*next)(struct json *j, void *arg),
	      void *arg);
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
 * utf8_len - the length (1-4) of the valid UTF-8 sequence that starts at
 * @p, or 0 when the bytes there are not one. @p points at a NUL-terminated
 * string, and *@p is not NUL.
 */
size_t utf8_len(const unsigned char *p);

/*
 * text_escape - @s made safe for a terminal, into @buf (always terminated
 * when @len > 0). Printable ASCII and valid UTF-8 characters stay; a
 * backslash becomes two; control characters (C0, DEL and the C1 range
 * U+0080-U+009F) and each byte that is not valid UTF-8 become \xHH, one
 * escape per byte, so the form is unambiguous and shows the raw bytes (an
 * ESC is "\x1b", a lone 0xff "\xff"). Output that does not fit is cut at
 * a whole character and ends in "...". Returns the length written.
 */
size_t text_escape(const char *s, char *buf, size_t len);

/*
 * esc - text_escape() into one of four static buffers, for printf(): up to
 * four calls may share one printf(). Input up to PATH_MAX bytes always
 * fits. NULL stays NULL.
 */
const char *esc(const char *s);

/*
 * say - one line "scx_xcr0: MESSAGE" on stderr, the formatted message
 * escaped as a whole (text_escape()): the daemon's log and the CLI's notes
 * quote cgroup paths, file names and errors from outside.
 */
__attribute__((format(printf, 1, 2)))
void say(const char *fmt, ...);

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
