// SPDX-License-Identifier: GPL-2.0
/* Policy files (loader/policy.c): parsing, normalization, all-or-nothing. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scx_xcr0.h"
#include "policy.h"
#include "unit.h"

#define SUP_VM		0x21fULL	/* QEMU -cpu max: x87,sse,avx,mpx,pkru */
#define SUP_512		0x2e7ULL

#define MAX_WANT	4

struct want_rule {
	const char *path;
	__u64 mask;
	unsigned int line;
	bool live;
};

/* A policy the tests start from, to see that a failed parse leaves it. */
static struct policy_rule sentinel_rule = { .path = "sentinel" };
#define SENTINEL_POLICY	((struct policy){ .rules = &sentinel_rule, .nr = 1 })

static const struct {
	const char *what, *text;
	__u64 supported;
	size_t nr;
	struct want_rule want[MAX_WANT];
} good_policies[] = {
	{ "empty file", "", SUP_VM, 0, {} },
	{ "comments and blank lines", "# policy\n\n   \n\t# indented\n", SUP_VM, 0, {} },
	{ "absolute path", "/sys/fs/cgroup/ci.slice x86-64-v2\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup/ci.slice", 0x3, 1, false } } },
	{ "relative path", "ci.slice/job.scope x86-64-v3+pkru\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup/ci.slice/job.scope", 0x207, 1, false } } },
	{ "normalized slashes and dots",
	  "/sys/fs//cgroup/./ci.slice//job/ 0x7\n./a/./b/ 0x3\n", SUP_VM, 2, {
		{ "/sys/fs/cgroup/ci.slice/job", 0x7, 1, false },
		{ "/sys/fs/cgroup/a/b", 0x3, 2, false } } },
	{ "root cgroup", "/sys/fs/cgroup x86-64-v3\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup", 0x7, 1, false } } },
	{ "root cgroup as '.'", ". full\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup", 0x21f, 1, false } } },
	{ "line numbers, comments, none",
	  "# ci\n\nci.slice\tx86-64-v2   # old runners\n"
	  "  user.slice none\n#end\nbatch.slice -avx512", SUP_512, 3, {
		{ "/sys/fs/cgroup/ci.slice", 0x3, 3, false },
		{ "/sys/fs/cgroup/user.slice", 0x0, 4, false },
		{ "/sys/fs/cgroup/batch.slice", 0x207, 6, false } } },
	{ "CRLF line ends", "a.slice x87,sse\r\nb.slice 0x7\r\n", SUP_VM, 2, {
		{ "/sys/fs/cgroup/a.slice", 0x3, 1, false },
		{ "/sys/fs/cgroup/b.slice", 0x7, 2, false } } },
	{ "comment right after the mask", "a.slice x87,sse #no space\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup/a.slice", 0x3, 1, false } } },
	{ "'#' inside a path", "a#b.slice 0x3\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup/a#b.slice", 0x3, 1, false } } },
	{ "UTF-8 path", "caf\xc3\xa9.slice 0x3\n", SUP_VM, 1, {
		{ "/sys/fs/cgroup/caf\xc3\xa9.slice", 0x3, 1, false } } },
	{ "parent and child", "a x86-64-v3\na/b x86-64-v2\n", SUP_VM, 2, {
		{ "/sys/fs/cgroup/a", 0x7, 1, false },
		{ "/sys/fs/cgroup/a/b", 0x3, 2, false } } },
	{ "live rules", "a x86-64-v2 live\nb\tnone\tlive\t# now\nc 0x7 #live\n", SUP_VM, 3, {
		{ "/sys/fs/cgroup/a", 0x3, 1, true },
		{ "/sys/fs/cgroup/b", 0x0, 2, true },
		{ "/sys/fs/cgroup/c", 0x7, 3, false } } },
};

static void check_rules(struct unit *u, const char *what,
			const struct policy *pol, size_t nr,
			const struct want_rule *want)
{
	size_t i;

	if (pol->nr != nr) {
		unit_fail(u, "%s: %zu rules, want %zu", what, pol->nr, nr);
		return;
	}
	for (i = 0; i < nr; i++) {
		const struct policy_rule *r = &pol->rules[i];

		if (strcmp(r->path, want[i].path) || r->mask != want[i].mask ||
		    r->line != want[i].line || r->live != want[i].live)
			unit_fail(u, "%s: rule %zu is '%s' 0x%llx%s line %u, want '%s' 0x%llx%s line %u",
				  what, i, r->path, r->mask, r->live ? " live" : "", r->line,
				  want[i].path, want[i].mask, want[i].live ? " live" : "",
				  want[i].line);
	}
}

static void test_good(struct unit *u)
{
	char err[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good_policies); i++) {
		struct policy pol = SENTINEL_POLICY;
		const char *text = good_policies[i].text;
		int ret;

		err[0] = '\0';
		ret = policy_parse("t.pol", text, strlen(text),
				   good_policies[i].supported, &pol, err,
				   sizeof(err));
		if (ret) {
			unit_fail(u, "%s: %s", good_policies[i].what, err);
			continue;
		}
		check_rules(u, good_policies[i].what, &pol, good_policies[i].nr,
			    good_policies[i].want);
		policy_free(&pol);
	}
}

static const struct {
	const char *what, *text;
	size_t len;		/* 0: strlen(text) */
	__u64 supported;
	const char *err;
} bad_policies[] = {
	{ "missing mask", "ci.slice\n", 0, SUP_VM,
	  "t.pol:1: missing mask after 'ci.slice'" },
	{ "missing mask before comment", "ci.slice # x87\n", 0, SUP_VM,
	  "t.pol:1: missing mask" },
	{ "unknown component", "# c\nci.slice avxx\n", 0, SUP_VM,
	  "t.pol:2: bad mask 'avxx': unknown component 'avxx'; known: x87," },
	{ "broken rule", "ci.slice x87,avx\n", 0, SUP_VM,
	  "t.pol:1: bad mask 'x87,avx': 0x5 (x87,avx): SSE (bit 1) is required" },
	{ "unsupported", "ci.slice x86-64-v4\n", 0, SUP_VM,
	  "t.pol:1: bad mask 'x86-64-v4': x86-64-v4 = 0xe7 (x87,sse,avx,opmask,zmm_hi256,hi16_zmm) needs AVX-512 (bits 5-7: opmask, zmm_hi256, hi16_zmm), which this CPU does not support (supported 0x21f (x87,sse,avx,bndregs,bndcsr,pkru))" },
	{ "trailing garbage", "ci.slice x86-64-v2 extra\n", 0, SUP_VM,
	  "t.pol:1: trailing garbage 'extra' after the mask (only 'live' may follow it" },
	{ "garbage after live", "ci.slice x86-64-v2 live extra\n", 0, SUP_VM,
	  "t.pol:1: trailing garbage 'extra' after the mask" },
	{ "live twice", "ci.slice x86-64-v2 live live\n", 0, SUP_VM,
	  "t.pol:1: trailing garbage 'live' after the mask" },
	{ "live in capitals", "ci.slice x86-64-v2 LIVE\n", 0, SUP_VM,
	  "t.pol:1: trailing garbage 'LIVE' after the mask" },
	{ "live instead of a mask", "ci.slice live\n", 0, SUP_VM,
	  "t.pol:1: bad mask 'live': unknown component 'live'" },
	{ "mask with a space", "ci.slice x87, sse\n", 0, SUP_VM,
	  "t.pol:1: bad mask 'x87,': missing component at the end" },
	{ "duplicate", "a x86-64-v2\n\n/sys/fs/cgroup/a/ x86-64-v3\n", 0, SUP_VM,
	  "t.pol:3: duplicate cgroup '/sys/fs/cgroup/a' (first on line 1)" },
	{ "duplicate after normalization", "a/./b 0x3\na//b 0x3\n", 0, SUP_VM,
	  "t.pol:2: duplicate cgroup '/sys/fs/cgroup/a/b'" },
	{ "dot-dot", "a/../b x87\n", 0, SUP_VM,
	  "t.pol:1: '..' is not allowed in cgroup path 'a/../b'" },
	{ "escape with dot-dot", "/sys/fs/cgroup/.. x87\n", 0, SUP_VM,
	  "'..' is not allowed" },
	{ "absolute path elsewhere", "/etc x87\n", 0, SUP_VM,
	  "t.pol:1: absolute path '/etc' is not under /sys/fs/cgroup" },
	{ "root prefix without slash", "/sys/fs/cgroupfoo x87\n", 0, SUP_VM,
	  "absolute path '/sys/fs/cgroupfoo' is not under" },
	{ "proc-style path", "/user.slice x87\n", 0, SUP_VM,
	  "(relative paths start there)" },
	{ "NUL byte", "a 0x3\nb 0x3\0\n", 12, SUP_VM,
	  "t.pol:2: NUL byte in line" },
	{ "control character", "a\x01 x87\n", 0, SUP_VM,
	  "t.pol:1: control character 0x01 at column 2" },
	{ "DEL", "a x87\x7f\n", 0, SUP_VM, "control character 0x7f" },
	{ "error after good lines", "a 0x3\nb 0x3\nc avx\n", 0, SUP_VM,
	  "t.pol:3: bad mask 'avx'" },
	{ "none combined", "a none+x87\n", 0, SUP_VM, "cannot be combined" },
	{ "no XSAVE", "a x87\n", 0, 0, "XSAVE is not enabled" },
};

static void test_bad(struct unit *u)
{
	char err[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_policies); i++) {
		struct policy pol = SENTINEL_POLICY;
		const char *text = bad_policies[i].text;
		size_t len = bad_policies[i].len ?: strlen(text);
		int ret;

		err[0] = '\0';
		ret = policy_parse("t.pol", text, len, bad_policies[i].supported,
				   &pol, err, sizeof(err));
		if (!ret) {
			unit_fail(u, "%s: accepted, want '%s'", bad_policies[i].what,
				  bad_policies[i].err);
			policy_free(&pol);
		} else if (ret != -EINVAL) {
			unit_fail(u, "%s: returned %d, want -EINVAL",
				  bad_policies[i].what, ret);
		} else if (!strstr(err, bad_policies[i].err)) {
			unit_fail(u, "%s: error '%s', want '%s'",
				  bad_policies[i].what, err, bad_policies[i].err);
		} else if (pol.rules != &sentinel_rule || pol.nr != 1) {
			unit_fail(u, "%s: failed parse changed the output",
				  bad_policies[i].what);
		}
	}
}

/* Build a policy of @n lines "c<i> 0x3". */
static char *make_policy(size_t n, size_t *len)
{
	char *buf = malloc(n * 16 + 1), *p = buf;
	size_t i;

	if (!buf)
		return NULL;
	for (i = 0; i < n; i++)
		p += sprintf(p, "c%zu 0x3\n", i);
	*len = p - buf;
	return buf;
}

static void expect(struct unit *u, const char *what, const char *text,
		   size_t len, const char *err_want, size_t nr_want)
{
	struct policy pol = SENTINEL_POLICY;
	char err[1024] = "";
	int ret;

	ret = policy_parse("t.pol", text, len, SUP_VM, &pol, err, sizeof(err));
	if (!err_want && ret)
		unit_fail(u, "%s: %s", what, err);
	else if (!err_want && pol.nr != nr_want)
		unit_fail(u, "%s: %zu rules, want %zu", what, pol.nr, nr_want);
	else if (err_want && !ret)
		unit_fail(u, "%s: accepted, want '%s'", what, err_want);
	else if (err_want && !strstr(err, err_want))
		unit_fail(u, "%s: error '%s', want '%s'", what, err, err_want);
	if (!ret)
		policy_free(&pol);
}

static void test_limits(struct unit *u)
{
	char *text, *line;
	size_t len;
	char want[128];

	text = make_policy(SCX_XCR0_MAX_CGROUPS, &len);
	if (text)
		expect(u, "as many rules as the map holds", text, len, NULL,
		       SCX_XCR0_MAX_CGROUPS);
	free(text);
	text = make_policy(SCX_XCR0_MAX_CGROUPS + 1, &len);
	snprintf(want, sizeof(want), "t.pol:%d: too many rules (at most %d",
		 SCX_XCR0_MAX_CGROUPS + 1, SCX_XCR0_MAX_CGROUPS);
	if (text)
		expect(u, "one rule too many", text, len, want, 0);
	free(text);

	/* A line of exactly POLICY_LINE_MAX bytes is fine; its path is not. */
	line = malloc(POLICY_LINE_MAX + 2);
	if (!line) {
		unit_fail(u, "out of memory");
		return;
	}
	memset(line, 'a', POLICY_LINE_MAX);
	memcpy(line + POLICY_LINE_MAX - 4, " 0x3\n", 5);
	expect(u, "longest line", line, POLICY_LINE_MAX + 1,
	       "is too long (4107 bytes, at most 4095)", 0);
	memset(line, 'a', POLICY_LINE_MAX + 1);
	line[POLICY_LINE_MAX + 1] = '\n';
	expect(u, "line too long", line, POLICY_LINE_MAX + 2,
	       "t.pol:1: line too long (more than 4096 bytes)", 0);
	free(line);

	/* The longest path that fits in PATH_MAX with the root prefix. */
	line = malloc(POLICY_LINE_MAX + 1);
	if (!line) {
		unit_fail(u, "out of memory");
		return;
	}
	len = PATH_MAX - 1 - strlen(POLICY_CGROUP_ROOT "/");
	memset(line, 'a', len);
	memcpy(line + len, " 0x3", 4);
	expect(u, "longest path", line, len + 4, NULL, 1);
	memset(line, 'a', len + 1);
	memcpy(line + len + 1, " 0x3", 4);
	expect(u, "path one byte too long", line, len + 5,
	       "is too long (4096 bytes, at most 4095)", 0);
	free(line);
}

static void test_load(struct unit *u)
{
	char path[] = "/tmp/scx_xcr0_policy_XXXXXX", err[1024];
	static const char text[] = "ci.slice x86-64-v2\n";
	struct policy pol = { 0 };
	char *big;
	int fd, ret;

	fd = mkstemp(path);
	if (fd < 0) {
		unit_skip(u, "cannot create a temporary file: %s", strerror(errno));
		return;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		unit_fail(u, "cannot write %s", path);
		goto out;
	}
	ret = policy_load(path, SUP_VM, &pol, err, sizeof(err));
	if (ret || pol.nr != 1 || pol.rules[0].mask != 0x3)
		unit_fail(u, "load %s: %d %s", path, ret, ret ? err : "");
	policy_free(&pol);
	policy_free(&pol);
	if (pol.rules || pol.nr)
		unit_fail(u, "policy_free() leaves rules behind");

	/* Errors name the file; the message of a bad line too. */
	if (write(fd, "x avxx\n", 7) != 7) {
		unit_fail(u, "cannot write %s", path);
		goto out;
	}
	ret = policy_load(path, SUP_VM, &pol, err, sizeof(err));
	if (ret != -EINVAL || strncmp(err, path, strlen(path)) ||
	    !strstr(err, ":2: bad mask 'avxx'"))
		unit_fail(u, "bad file: %d '%s'", ret, err);

	big = calloc(1, POLICY_FILE_MAX + 1);
	if (big && ftruncate(fd, 0) == 0 &&
	    pwrite(fd, big, POLICY_FILE_MAX + 1, 0) == POLICY_FILE_MAX + 1) {
		ret = policy_load(path, SUP_VM, &pol, err, sizeof(err));
		if (ret != -EFBIG || !strstr(err, "larger than"))
			unit_fail(u, "large file: %d '%s'", ret, err);
	} else {
		unit_fail(u, "cannot write a large file");
	}
	free(big);

	unlink(path);
	ret = policy_load(path, SUP_VM, &pol, err, sizeof(err));
	if (ret != -ENOENT || !strstr(err, "cannot open"))
		unit_fail(u, "missing file: %d '%s'", ret, err);
out:
	close(fd);
	unlink(path);
}

static const struct unit_test tests[] = {
	{ "policy_parse_good",		test_good },
	{ "policy_parse_bad_changes_nothing", test_bad },
	{ "policy_limits",		test_limits },
	{ "policy_load_file",		test_load },
};

int main(void)
{
	return unit_main(tests, ARRAY_SIZE(tests));
}
