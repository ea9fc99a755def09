// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader, see json_read.h. Recursive descent over a NUL-terminated
 * copy of the input, nodes from one fixed array, decoded strings into one
 * buffer: a document costs at most a few times its size, and no input can
 * make it allocate more or recurse deeper than the limits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "output.h"

struct jdoc {
	struct jnode *nodes;
	size_t nr, max;
	char *text;		/* the input, NUL-terminated */
	char *strs;		/* decoded strings and number texts */
	size_t strs_used, strs_size;
};

struct jparse {
	struct jdoc *d;
	const char *name;
	const char *start, *p, *end;
	int depth;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int bad(struct jparse *s, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (s->p >= s->end)
		snprintf(s->err, s->errlen, "%s:%zu: %s, found the end of the file (truncated?)",
			 s->name, (size_t)(s->p - s->start), what);
	else if (*s->p > ' ' && *s->p < 0x7f)
		snprintf(s->err, s->errlen, "%s:%zu: %s, found '%c'", s->name,
			 (size_t)(s->p - s->start), what, *s->p);
	else
		snprintf(s->err, s->errlen, "%s:%zu: %s, found byte 0x%02x", s->name,
			 (size_t)(s->p - s->start), what, (unsigned char)*s->p);
	return -1;
}

static void skip_ws(struct jparse *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
				 *s->p == '\r'))
		s->p++;
}

static struct jnode *new_node(struct jparse *s, enum jtype type)
{
	struct jnode *n;

	if (s->d->nr == s->d->max) {
		bad(s, "at most %d values in a document", JREAD_MAX_NODES);
		return NULL;
	}
	n = &s->d->nodes[s->d->nr++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->off = s->p - s->start;
	return n;
}

/* Room for @n more bytes of decoded text; the buffer is sized so it always fits. */
static char *strs_take(struct jparse *s, size_t n)
{
	char *p = s->d->strs + s->d->strs_used;

	if (s->d->strs_used + n > s->d->strs_size)
		abort();	/* sized at 2 * len + 2 in jread_parse(): cannot happen */
	s->d->strs_used += n;
	return p;
}

static int hex4(struct jparse *s, unsigned int *out)
{
	unsigned int v = 0, i;

	for (i = 0; i < 4; i++, s->p++) {
		char c = s->p < s->end ? *s->p : 0;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return bad(s, "expected 4 hex digits after \\u");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | cp >> 12;
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | cp >> 18;
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* \uXXXX at s->p (after the backslash and 'u'), a surrogate pair as one. */
static int unicode_escape(struct jparse *s, char *o, size_t *n)
{
	unsigned int cp, lo;

	if (hex4(s, &cp))
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return bad(s, "expected a high surrogate before \\u%04x", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
			return bad(s, "expected \\u and a low surrogate after \\u%04x", cp);
		s->p += 2;
		if (hex4(s, &lo))
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return bad(s, "expected a low surrogate after \\u%04x, not \\u%04x", cp, lo);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!cp)
		return bad(s, "expected a character other than \\u0000");
	*n = put_utf8(o, cp);
	return 0;
}

/* A string at s->p (the opening quote): decoded into the string buffer. */
static int string(struct jparse *s, const char **out, size_t *outlen)
{
	/* decoded text is never longer than the quoted text, plus its NUL */
	char *o = s->d->strs + s->d->strs_used, *start = o;
	size_t n = 0;

	s->p++;
	for (;;) {
		unsigned char c;

		if (s->p >= s->end)
			return bad(s, "expected '\"' to end the string");
		c = *s->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return bad(s, "expected a character or an escape in the string (control characters must be escaped)");
		if (c == '\\') {
			s->p++;
			c = s->p < s->end ? *s->p : 0;
			switch (c) {
			case '"': case '\\': case '/':
				*o++ = c;
				break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u':
				s->p++;
				if (unicode_escape(s, o, &n))
					return -1;
				o += n;
				continue;
			default:
				return bad(s, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
			}
			s->p++;
			continue;
		}
		n = utf8_len((const unsigned char *)s->p);
		if (!n)
			return bad(s, "expected valid UTF-8 in the string");
		memcpy(o, s->p, n);
		o += n;
		s->p += n;
	}
	s->p++;
	*o++ = '\0';
	*out = strs_take(s, o - start);
	*outlen = o - start - 1;
	return 0;
}

static bool digit(const struct jparse *s)
{
	return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int number(struct jparse *s, struct jnode *n)
{
	const char *begin = s->p;
	char *o;

	if (*s->p == '-')
		s->p++;
	if (!digit(s))
		return bad(s, "expected a digit");
	if (*s->p == '0')
		s->p++;
	else
		while (digit(s))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digit(s))
			return bad(s, "expected a digit after '.'");
		while (digit(s))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digit(s))
			return bad(s, "expected a digit in the exponent");
		while (digit(s))
			s->p++;
	}
	n->len = s->p - begin;
	o = strs_take(s, n->len + 1);
	memcpy(o, begin, n->len);
	o[n->len] = '\0';
	n->str = o;
	return 0;
}

static int literal(struct jparse *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return bad(s, "expected a value (object, array, string, number, true, false or null)");
	s->p += n;
	return 0;
}

static int value(struct jparse *s, struct jnode **out);

/* Members or elements up to @close; the opening bracket is at s->p. */
static int container(struct jparse *s, struct jnode *n, char close)
{
	struct jnode **tail = &n->kids, *kid, *k;
	const char *key = NULL;
	size_t keylen;

	if (++s->depth > JREAD_MAX_DEPTH)
		return bad(s, "at most %d nested arrays and objects", JREAD_MAX_DEPTH);
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return bad(s, "expected '\"' to start a member name");
			if (string(s, &key, &keylen))
				return -1;
			for (k = n->kids; k; k = k->next)
				if (!strcmp(k->key, key))
					return bad(s, "expected each member name once, \"%.40s\" is repeated",
						   key);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return bad(s, "expected ':' after the member name");
			s->p++;
		}
		skip_ws(s);
		if (value(s, &kid))
			return -1;
		kid->key = key;
		*tail = kid;
		tail = &kid->next;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return bad(s, close == '}' ? "expected ',' or '}' after a member" :
			   "expected ',' or ']' after an element");
	}
}

static int value(struct jparse *s, struct jnode **out)
{
	struct jnode *n;

	if (s->p >= s->end)
		return bad(s, "expected a value");
	switch (*s->p) {
	case '{':
		n = new_node(s, JT_OBJ);
		if (!n || container(s, n, '}'))
			return -1;
		break;
	case '[':
		n = new_node(s, JT_ARR);
		if (!n || container(s, n, ']'))
			return -1;
		break;
	case '"':
		n = new_node(s, JT_STR);
		if (!n || string(s, &n->str, &n->len))
			return -1;
		break;
	case 't':
	case 'f':
		n = new_node(s, JT_BOOL);
		if (!n)
			return -1;
		n->b = *s->p == 't';
		if (literal(s, n->b ? "true" : "false"))
			return -1;
		break;
	case 'n':
		n = new_node(s, JT_NULL);
		if (!n || literal(s, "null"))
			return -1;
		break;
	default:
		if (*s->p != '-' && (*s->p < '0' || *s->p > '9'))
			return bad(s, "expected a value (object, array, string, number, true, false or null)");
		n = new_node(s, JT_NUM);
		if (!n || number(s, n))
			return -1;
	}
	*out = n;
	return 0;
}

void jread_free(struct jdoc *d)
{
	if (!d)
		return;
	free(d->nodes);
	free(d->text);
	free(d->strs);
	free(d);
}

struct jdoc *jread_parse(const char *name, const char *buf, size_t len, char *err,
			 size_t errlen)
{
	struct jparse s = { .name = name, .err = err, .errlen = errlen };
	struct jnode *root;
	const char *nul;
	struct jdoc *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		goto oom;
	/* every value takes at least one byte of input */
	d->max = len < JREAD_MAX_NODES ? len + 1 : JREAD_MAX_NODES;
	d->nodes = calloc(d->max, sizeof(*d->nodes));
	d->text = malloc(len + 1);
	/* each string or number: its text plus a NUL, at most twice the input */
	d->strs_size = 2 * len + 2;
	d->strs = malloc(d->strs_size);
	if (!d->nodes || !d->text || !d->strs)
		goto oom;
	memcpy(d->text, buf, len);
	d->text[len] = '\0';
	s.d = d;
	s.start = s.p = d->text;
	s.end = d->text + len;
	nul = memchr(d->text, '\0', len);
	if (nul) {
		s.p = nul;
		bad(&s, "expected text, not a NUL byte");
		goto fail;
	}
	skip_ws(&s);
	if (value(&s, &root))
		goto fail;
	skip_ws(&s);
	if (s.p != s.end) {
		bad(&s, "expected the end of the file after the value");
		goto fail;
	}
	return d;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
fail:
	jread_free(d);
	return NULL;
}

const struct jnode *jread_root(const struct jdoc *d)
{
	return d->nr ? &d->nodes[0] : NULL;
}

const struct jnode *jread_get(const struct jnode *obj, const char *key)
{
	const struct jnode *k;

	if (!obj || obj->type != JT_OBJ)
		return NULL;
	for (k = obj->kids; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

bool jread_u64(const struct jnode *n, unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned int base = 10, d;
	const char *p;
	size_t i = 0;

	if (!n)
		return false;
	if (n->type == JT_STR) {
		if (n->len < 3 || n->str[0] != '0' || (n->str[1] != 'x' && n->str[1] != 'X'))
			return false;
		base = 16;
		i = 2;
	} else if (n->type != JT_NUM) {
		return false;
	}
	for (p = n->str; i < n->len; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;	/* sign, fraction, exponent */
		if (v > (~0ULL - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

const char *jread_type_str(enum jtype t)
{
	switch (t) {
	case JT_NULL: return "null";
	case JT_BOOL: return "true or false";
	case JT_NUM: return "a number";
	case JT_STR: return "a string";
	case JT_ARR: return "an array";
	case JT_OBJ: return "an object";
	}
	return "?";
}
