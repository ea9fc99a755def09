// SPDX-License-Identifier: GPL-2.0
/*
 * Policy files: one "<cgroup path> <mask> [live]" rule a line. A file is parsed into
 * a new rule array and handed over only when every line is good, so a bad
 * edit never changes the policy in force.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scx_xcr0.h"
#include "mask.h"
#include "policy.h"

/* Longest piece of a line quoted back in a message. */
#define QUOTE_MAX	64

struct parser {
	const char *name;
	unsigned int line;
	struct policy pol;
	size_t cap;
	char *err;
	size_t errlen;
};

/* Report "name:line: message". */
__attribute__((format(printf, 2, 3)))
static void line_err(struct parser *ps, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ps->err || !ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, ps->line, msg);
}

static const char *more(const char *s)
{
	return strlen(s) > QUOTE_MAX ? "..." : "";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Cut the next token out of *@cur; NULL at the end of the line or a comment. */
static char *next_token(char **cur)
{
	char *p = *cur, *tok;

	while (is_space(*p))
		p++;
	if (!*p || *p == '#') {
		*cur = p;
		return NULL;
	}
	tok = p;
	while (*p && !is_space(*p))
		p++;
	if (*p)
		*p++ = '\0';
	*cur = p;
	return tok;
}

/*
 * Set *@out to the absolute path of cgroup @tok: slashes collapsed, "." dropped, no
 * trailing slash, relative paths taken from POLICY_CGROUP_ROOT. ".." is
 * refused rather than resolved: the rule would name a cgroup its author did
 * not write, or one outside the hierarchy.
 */
static int normalize_path(struct parser *ps, const char *tok, char **out)
{
	const size_t root_len = strlen(POLICY_CGROUP_ROOT);
	char canon[POLICY_LINE_MAX + 2], *path;
	const char *p = tok;
	size_t n = 0, len;

	while (*p) {
		const char *c;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		clen = p - c;
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			line_err(ps, "'..' is not allowed in cgroup path '%.*s%s'",
				 QUOTE_MAX, tok, more(tok));
			return -EINVAL;
		}
		canon[n++] = '/';
		memcpy(canon + n, c, clen);
		n += clen;
	}
	canon[n] = '\0';

	if (tok[0] == '/') {
		if (strncmp(canon, POLICY_CGROUP_ROOT, root_len) ||
		    (canon[root_len] && canon[root_len] != '/')) {
			line_err(ps, "absolute path '%.*s%s' is not under %s (relative paths start there)",
				 QUOTE_MAX, tok, more(tok), POLICY_CGROUP_ROOT);
			return -EINVAL;
		}
		len = n;
	} else {
		len = root_len + n;
	}
	if (len >= PATH_MAX) {
		line_err(ps, "cgroup path '%.*s%s' is too long (%zu bytes, at most %d)",
			 QUOTE_MAX, tok, more(tok), len, PATH_MAX - 1);
		return -EINVAL;
	}
	path = malloc(len + 1);
	if (!path) {
		line_err(ps, "out of memory");
		return -ENOMEM;
	}
	if (tok[0] == '/') {
		memcpy(path, canon, n + 1);
	} else {
		memcpy(path, POLICY_CGROUP_ROOT, root_len);
		memcpy(path + root_len, canon, n + 1);
	}
	*out = path;
	return 0;
}

static int add_rule(struct parser *ps, char *path, __u64 mask, bool live)
{
	struct policy_rule *rules;
	size_t i;

	for (i = 0; i < ps->pol.nr; i++) {
		if (!strcmp(ps->pol.rules[i].path, path)) {
			line_err(ps, "duplicate cgroup '%.*s%s' (first on line %u)",
				 QUOTE_MAX, path, more(path), ps->pol.rules[i].line);
			return -EINVAL;
		}
	}
	if (ps->pol.nr == SCX_XCR0_MAX_CGROUPS) {
		line_err(ps, "too many rules (at most %d, the size of the %s map)",
			 SCX_XCR0_MAX_CGROUPS, SCX_XCR0_MAP_CGROUP);
		return -EINVAL;
	}
	if (ps->pol.nr == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 16;

		rules = realloc(ps->pol.rules, cap * sizeof(*rules));
		if (!rules) {
			line_err(ps, "out of memory");
			return -ENOMEM;
		}
		ps->pol.rules = rules;
		ps->cap = cap;
	}
	ps->pol.rules[ps->pol.nr++] = (struct policy_rule){
		.path = path,
		.mask = mask,
		.live = live,
		.line = ps->line,
	};
	return 0;
}

/* One NUL-terminated line, without its newline. */
static int parse_line(struct parser *ps, char *line, __u64 supported)
{
	char merr[512], *cur = line, *path_tok, *mask_tok, *extra, *path;
	bool live = false;
	const unsigned char *c;
	__u64 mask;
	int ret;

	for (c = (const unsigned char *)line; *c; c++) {
		if ((*c < ' ' && *c != '\t' && *c != '\r') || *c == 0x7f) {
			line_err(ps, "control character 0x%02x at column %zu",
				 *c, (size_t)(c - (const unsigned char *)line) + 1);
			return -EINVAL;
		}
	}

	path_tok = next_token(&cur);
	if (!path_tok)
		return 0;
	mask_tok = next_token(&cur);
	if (!mask_tok) {
		line_err(ps, "missing mask after '%.*s%s'", QUOTE_MAX, path_tok,
			 more(path_tok));
		return -EINVAL;
	}
	ret = normalize_path(ps, path_tok, &path);
	if (ret)
		return ret;
	ret = xcr0_parse_mask(mask_tok, supported, &mask, merr, sizeof(merr));
	if (ret) {
		line_err(ps, "bad mask '%.*s%s': %s", QUOTE_MAX, mask_tok,
			 more(mask_tok), merr);
		goto out;
	}
	extra = next_token(&cur);
	if (extra && !strcmp(extra, "live")) {
		live = true;
		extra = next_token(&cur);
	}
	if (extra) {
		line_err(ps, "trailing garbage '%.*s%s' after the mask (only 'live' may follow it; comments start with '#')",
			 QUOTE_MAX, extra, more(extra));
		ret = -EINVAL;
		goto out;
	}
	ret = add_rule(ps, path, mask, live);
out:
	if (ret)
		free(path);
	return ret;
}

int policy_parse(const char *name, const char *buf, size_t len,
		 __u64 supported, struct policy *out, char *err, size_t errlen)
{
	struct parser ps = {
		.name = name ? name : "<policy>",
		.err = err,
		.errlen = errlen,
	};
	const char *p = buf, *end = buf + len;
	char line[POLICY_LINE_MAX + 1];
	int ret = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = (nl ? nl : end) - p;

		ps.line++;
		if (n > POLICY_LINE_MAX) {
			line_err(&ps, "line too long (more than %d bytes)",
				 POLICY_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		if (memchr(p, '\0', n)) {
			line_err(&ps, "NUL byte in line");
			ret = -EINVAL;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		ret = parse_line(&ps, line, supported);
		if (ret)
			break;
		p = nl ? nl + 1 : end;
	}
	if (ret) {
		policy_free(&ps.pol);
		return ret;
	}
	*out = ps.pol;
	return 0;
}

int policy_read(int fd, const char *name, __u64 supported, struct policy *out,
		char *err, size_t errlen)
{
	size_t len = 0;
	ssize_t n;
	char *buf;
	int ret;

	/* One byte more than allowed, to tell a full file from a large one. */
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	for (;;) {
		n = read(fd, buf + len, POLICY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len > POLICY_FILE_MAX)
			break;
	}
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", name, strerror(-ret));
	} else if (len > POLICY_FILE_MAX) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s: larger than %d bytes", name, POLICY_FILE_MAX);
	} else {
		ret = policy_parse(name, buf, len, supported, out, err, errlen);
	}
	free(buf);
	return ret;
}

int policy_load(const char *path, __u64 supported, struct policy *out,
		char *err, size_t errlen)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	ret = policy_read(fd, path, supported, out, err, errlen);
	close(fd);
	return ret;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		free(p->rules[i].path);
	free(p->rules);
	p->rules = NULL;
	p->nr = 0;
}
