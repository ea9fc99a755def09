/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for files users hand to scx_xcr0 (layout files from
 * another machine). The writer is output.c; this is its counterpart for
 * input that may be anything: every byte is checked against RFC 8259, the
 * sizes are bounded (file, nodes, depth), and a malformed document gives
 * "NAME:OFFSET: expected X" instead of a partial result.
 */
#ifndef __SCX_XCR0_JSON_READ_H
#define __SCX_XCR0_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JREAD_MAX_DEPTH		16
#define JREAD_MAX_NODES		4096

enum jtype {
	JT_NULL,
	JT_BOOL,
	JT_NUM,
	JT_STR,
	JT_ARR,
	JT_OBJ,
};

/* One value. Members of an object and elements of an array are a list. */
struct jnode {
	enum jtype type;
	size_t off;		/* byte offset of the value in the input */
	const char *key;	/* member name (decoded), NULL in arrays and at the top */
	const char *str;	/* JT_STR: decoded, NUL-terminated; JT_NUM: the text */
	size_t len;		/* JT_STR: decoded length (may hold \u0000); JT_NUM: text length */
	bool b;			/* JT_BOOL */
	struct jnode *kids;	/* JT_ARR, JT_OBJ: first member or element */
	struct jnode *next;	/* the next one in the enclosing container */
};

struct jdoc;

/*
 * jread_parse - parse the whole of @buf (@len bytes; NULs are errors) as one
 * JSON value, with whitespace around it. @name prefixes messages. Returns
 * the document, or NULL with "NAME:OFFSET: expected ..." in @err.
 */
struct jdoc *jread_parse(const char *name, const char *buf, size_t len, char *err,
			 size_t errlen);
void jread_free(struct jdoc *d);

/* The top-level value. */
const struct jnode *jread_root(const struct jdoc *d);

/* The member @key of object @obj; NULL when absent or @obj is no object. */
const struct jnode *jread_get(const struct jnode *obj, const char *key);

/*
 * jread_u64 - @n as an unsigned integer: a JSON number without sign,
 * fraction or exponent, or a string "0x..." in hex (how output.c writes
 * masks). false for anything else or a value past 64 bits.
 */
bool jread_u64(const struct jnode *n, unsigned long long *out);

/* What a value is, for messages: "a string", "an object"... */
const char *jread_type_str(enum jtype t);

#endif /* __SCX_XCR0_JSON_READ_H */
