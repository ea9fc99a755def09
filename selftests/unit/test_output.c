// SPDX-License-Identifier: GPL-2.0
/*
 * Honest output (loader/output.c, loader/util.c): JSON strings are valid
 * UTF-8 whatever the bytes, a document is whole whatever path the command
 * took, text from outside is safe for a terminal, and failures carry the
 * kind main() turns into an exit status.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "util.h"
#include "unit.h"

static const struct {
	const char *in;
	size_t want;
} utf8_cases[] = {
	{ "a",			1 },
	{ "\x7f",		1 },
	{ "\xc2\x80",		2 },	/* U+0080, smallest 2-byte */
	{ "\xc3\xa9",		2 },
	{ "\xdf\xbf",		2 },
	{ "\xe0\xa0\x80",	3 },	/* U+0800, smallest 3-byte */
	{ "\xe2\x82\xac",	3 },
	{ "\xed\x9f\xbf",	3 },	/* U+D7FF, below the surrogates */
	{ "\xee\x80\x80",	3 },	/* U+E000, above them */
	{ "\xef\xbf\xbd",	3 },	/* U+FFFD itself */
	{ "\xf0\x90\x80\x80",	4 },	/* U+10000 */
	{ "\xf0\x9f\x98\x80",	4 },
	{ "\xf4\x8f\xbf\xbf",	4 },	/* U+10FFFF, the last */
	{ "\x80",		0 },	/* stray continuation bytes */
	{ "\xbf",		0 },
	{ "\xc0\x80",		0 },	/* overlong NUL */
	{ "\xc1\xbf",		0 },	/* overlong U+007F */
	{ "\xe0\x80\x80",	0 },	/* overlong 3-byte */
	{ "\xe0\x9f\xbf",	0 },	/* overlong U+07FF */
	{ "\xed\xa0\x80",	0 },	/* surrogate U+D800 */
	{ "\xed\xbf\xbf",	0 },	/* surrogate U+DFFF */
	{ "\xf0\x80\x80\x80",	0 },	/* overlong 4-byte */
	{ "\xf0\x8f\xbf\xbf",	0 },	/* overlong U+FFFF */
	{ "\xf4\x90\x80\x80",	0 },	/* U+110000 */
	{ "\xf5\x80\x80\x80",	0 },	/* leads past 0xf4 */
	{ "\xf8\x88\x80\x80\x80", 0 },
	{ "\xfe",		0 },
	{ "\xff",		0 },
	{ "\xc3",		0 },	/* truncated at the end of the string */
	{ "\xe2\x82",		0 },
	{ "\xf0\x9f\x98",	0 },
	{ "\xc3" "A",		0 },	/* truncated by an ASCII byte */
	{ "\xe2\x82" "A",	0 },
	{ "\xe2" "\xc3\xa9",	0 },	/* truncated by another lead */
};

static void test_utf8_len(struct unit *u)
{
	size_t i, got;

	for (i = 0; i < ARRAY_SIZE(utf8_cases); i++) {
		got = utf8_len((const unsigned char *)utf8_cases[i].in);
		if (got != utf8_cases[i].want)
			unit_fail(u, "case %zu: utf8_len %zu, want %zu", i, got, utf8_cases[i].want);
	}
}

/* What @fn writes to a FILE, as a string the caller frees. */
static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fn(f, arg);
	fclose(f);
	return buf;
}

static void one_string(FILE *f, const void *arg)
{
	struct json j;

	json_begin(&j, f);
	json_str(&j, "s", arg);
	json_end(&j);
}

static const struct {
	const char *in;
	const char *want;	/* the whole document */
} json_cases[] = {
	{ "plain",		"{\"s\":\"plain\"}\n" },
	{ "",			"{\"s\":\"\"}\n" },
	{ "\"q\" \\b",		"{\"s\":\"\\\"q\\\" \\\\b\"}\n" },
	{ "a\nb\tc",		"{\"s\":\"a\\nb\\tc\"}\n" },
	{ "\x1b[31m",		"{\"s\":\"\\u001b[31m\"}\n" },
	{ "\x01\x1f\x7f",	"{\"s\":\"\\u0001\\u001f\\u007f\"}\n" },
	{ "\r",			"{\"s\":\"\\u000d\"}\n" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}\n" },
	{ "\xff",		"{\"s\":\"\\ufffd\"}\n" },
	{ "a\xff" "b",		"{\"s\":\"a\\ufffdb\"}\n" },
	{ "\xc0\x80",		"{\"s\":\"\\ufffd\\ufffd\"}\n" },
	{ "\xed\xa0\x80",	"{\"s\":\"\\ufffd\\ufffd\\ufffd\"}\n" },
	{ "\xf4\x90\x80\x80",	"{\"s\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}\n" },
	{ "x\xe2\x82",		"{\"s\":\"x\\ufffd\\ufffd\"}\n" },
	{ "\xe2\x82\"",		"{\"s\":\"\\ufffd\\ufffd\\\"\"}\n" },
	{ "\xc3\xa9\xc3",	"{\"s\":\"\xc3\xa9\\ufffd\"}\n" },
};

static void test_json_strings(struct unit *u)
{
	size_t i;
	char *got;

	for (i = 0; i < ARRAY_SIZE(json_cases); i++) {
		got = capture(one_string, json_cases[i].in);
		if (!got || strcmp(got, json_cases[i].want))
			unit_fail(u, "case %zu: got %s, want %s", i, got ? got : "(null)",
				  json_cases[i].want);
		free(got);
	}
}

/* The structure a command left open when it stopped early. */
static void left_open(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_begin(&j, f);
	json_obj(&j, "a");
	json_arr(&j, "b");
	json_obj(&j, NULL);
	json_u64(&j, "c", 1);
	json_end(&j);
}

static void error_inside(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_begin(&j, f);
	json_u64(&j, "n", 2);
	json_arr(&j, "rows");
	json_obj(&j, NULL);
	json_error(&j, "cannot read \x1b");
	json_end(&j);
}

static void test_json_always_whole(struct unit *u)
{
	char *got = capture(left_open, NULL);

	if (!got || strcmp(got, "{\"a\":{\"b\":[{\"c\":1}]}}\n"))
		unit_fail(u, "json_end with containers open: %s", got ? got : "(null)");
	free(got);
	got = capture(error_inside, NULL);
	if (!got || strcmp(got, "{\"n\":2,\"rows\":[{}],\"error\":\"cannot read \\u001b\"}\n"))
		unit_fail(u, "json_error inside an array: %s", got ? got : "(null)");
	free(got);
}

/* A fake map walk: @ok elements, then the end or a failure. */
struct fake_walk {
	int ok;
	int err;		/* 0: end normally after @ok */
	bool leave_open;	/* fail with an element half written */
	int done;
};

static int fake_next(struct json *j, void *arg)
{
	struct fake_walk *w = arg;

	if (w->done == w->ok) {
		if (!w->err)
			return 0;
		if (w->leave_open) {
			json_obj(j, NULL);
			json_arr(j, "half");
		}
		return fail(w->err, "cannot walk xcr0_pid: %s \xff", strerror(-w->err));
	}
	json_obj(j, NULL);
	json_u64(j, "i", w->done++);
	json_obj_end(j);
	return 1;
}

struct walk_case {
	struct fake_walk w;
	int want_ret;
	const char *want;
};

static const struct walk_case walk_cases[] = {
	{ { 0, 0, false, 0 }, 0, "{\"entries\":[]}\n" },
	{ { 2, 0, false, 0 }, 0, "{\"entries\":[{\"i\":0},{\"i\":1}]}\n" },
	{ { 0, -EIO, false, 0 }, -EIO,
	  "{\"entries\":[],\"error\":\"cannot walk xcr0_pid: Input/output error \\ufffd\"}\n" },
	{ { 3, -EIO, false, 0 }, -EIO,
	  "{\"entries\":[{\"i\":0},{\"i\":1},{\"i\":2}],\"error\":\"cannot walk xcr0_pid: Input/output error \\ufffd\"}\n" },
	{ { 1, -ENOMEM, true, 0 }, -ENOMEM,
	  "{\"entries\":[{\"i\":0},{\"half\":[]}],\"error\":\"cannot walk xcr0_pid: Cannot allocate memory \\ufffd\"}\n" },
};

struct walk_run {
	const struct walk_case *c;
	int ret;
};

static void walk_doc(FILE *f, const void *arg)
{
	struct walk_run *r = (struct walk_run *)arg;
	struct fake_walk w = r->c->w;
	struct json j;

	json_begin(&j, f);
	r->ret = json_walk(&j, "entries", fake_next, &w);
	json_end(&j);
}

static void test_json_walk_fails(struct unit *u)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(walk_cases); i++) {
		struct walk_run r = { &walk_cases[i], 1 };
		char *got;

		fail_clear();
		got = capture(walk_doc, &r);
		if (!got || strcmp(got, walk_cases[i].want))
			unit_fail(u, "case %zu: got %s, want %s", i, got ? got : "(null)",
				  walk_cases[i].want);
		else if (r.ret != walk_cases[i].want_ret)
			unit_fail(u, "case %zu: returned %d, want %d", i, r.ret,
				  walk_cases[i].want_ret);
		free(got);
	}
	fail_clear();
}

static const struct {
	const char *in;
	const char *want;
} text_cases[] = {
	{ "bash",		"bash" },
	{ "",			"" },
	{ "a b/c-d_e.f",	"a b/c-d_e.f" },
	{ "\x1b[31mred",	"\\x1b[31mred" },
	{ "a\nb",		"a\\x0ab" },
	{ "tab\there",		"tab\\x09here" },
	{ "del\x7f",		"del\\x7f" },
	{ "back\\slash",	"back\\\\slash" },
	{ "\"q'",		"\"q'" },
	{ "caf\xc3\xa9",	"caf\xc3\xa9" },
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "\xc2\x9b" "2J",	"\\xc2\\x9b2J" },	/* C1 CSI */
	{ "\xc2\xa0",		"\xc2\xa0" },		/* U+00A0 is no control */
	{ "\xff",		"\\xff" },
	{ "a\xc0\x80z",		"a\\xc0\\x80z" },
	{ "\xed\xa0\x80",	"\\xed\\xa0\\x80" },
	{ "\xe2\x82",		"\\xe2\\x82" },
	{ "\xf5",		"\\xf5" },
};

static void test_text_escape(struct unit *u)
{
	char buf[256];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(text_cases); i++) {
		n = text_escape(text_cases[i].in, buf, sizeof(buf));
		if (strcmp(buf, text_cases[i].want) || n != strlen(buf))
			unit_fail(u, "case %zu: got '%s' (%zu), want '%s'", i, buf, n,
				  text_cases[i].want);
	}
	if (esc(NULL))
		unit_fail(u, "esc(NULL) is not NULL");
	/* four at once, as a printf() may use them */
	if (strcmp(esc("\x01"), "\\x01") || strcmp(esc("a"), "a"))
		unit_fail(u, "esc() buffers");
}

/* Every prefix of a cut output is whole: no half escape, no half character. */
static void test_text_escape_cut(struct unit *u)
{
	static const char in[] = "ab\x1b\xc3\xa9\xff" "cdefgh";
	static const char full[] = "ab\\x1b\xc3\xa9\\xffcdefgh";
	/* where its pieces end: a, b, \x1b, the e acute, \xff, c ... g */
	static const char cuts[] = { 1, 2, 6, 8, 12, 13, 14, 15, 16, 17, 0 };
	char buf[64];
	size_t len, n;

	for (len = 1; len <= sizeof(full); len++) {
		memset(buf, 'Z', sizeof(buf));
		n = text_escape(in, buf, len);
		if (n >= len || buf[n] != '\0' || buf[len] != 'Z') {
			unit_fail(u, "len %zu: wrote %zu bytes past the buffer", len, n);
			continue;
		}
		if (len == sizeof(full)) {
			if (strcmp(buf, full))
				unit_fail(u, "len %zu: '%s', want the whole '%s'", len, buf, full);
			continue;
		}
		/* a cut output is a prefix of the whole, cut between pieces, then "..." */
		if (n && (n < 3 || strcmp(buf + n - 3, "...") || strncmp(buf, full, n - 3) ||
			  !strchr(cuts, (char)(n - 3))))
			unit_fail(u, "len %zu: cut badly: '%s'", len, buf);
	}
	if (text_escape("x", buf, 0) != 0)
		unit_fail(u, "len 0 wrote something");
}

static void test_fail_kinds(struct unit *u)
{
	fail_clear();
	if (fail_kind() != FAIL_ERROR || fail_msg())
		unit_fail(u, "nothing recorded is FAIL_ERROR without a message");
	if (fail_usage("bad %s", "opt") != -EINVAL || fail_kind() != FAIL_USAGE ||
	    strcmp(fail_msg(), "bad opt"))
		unit_fail(u, "fail_usage: -EINVAL, FAIL_USAGE, its message");
	/* the first failure wins, kind and message */
	fail(-EIO, "later");
	if (fail_kind() != FAIL_USAGE || strcmp(fail_msg(), "bad opt"))
		unit_fail(u, "a later fail() replaced the first");
	fail_clear();
	if (fail_as(FAIL_NOTFOUND, -ENOENT, "cmd") != -ENOENT || fail_kind() != FAIL_NOTFOUND)
		unit_fail(u, "fail_as kind");
	fail_clear();
	fail(-EIO, "x");
	if (fail_kind() != FAIL_ERROR)
		unit_fail(u, "fail() is FAIL_ERROR");
	fail_clear();
}

/*
 * A real parser reads what the writer wrote: python3's json module (strict:
 * raw control characters are refused) gets random byte strings and their
 * hex; every valid character must arrive, each invalid byte as U+FFFD.
 */
static const char py_check[] =
	"import json, sys\n"
	"lines = sys.stdin.read().split('\\n')\n"
	"doc = json.loads(lines[0])\n"
	"raw = [bytes.fromhex(h[1:]) for h in lines[1:] if h]\n"
	"assert len(doc['s']) == len(raw), 'count'\n"
	"for i, (got, b) in enumerate(zip(doc['s'], raw)):\n"
	"    want = b.decode('utf-8', 'ignore').replace('\\ufffd', '')\n"
	"    if got.replace('\\ufffd', '') != want:\n"
	"        sys.exit('string %d: %r from %s' % (i, got, b.hex()))\n";

#define RT_STRINGS	2000
#define RT_MAX		24

static void test_json_python(struct unit *u)
{
	static const unsigned char pick[] = {
		0x01, 0x0a, 0x1b, 0x1f, '"', '\\', 'a', '/', 0x7f, 0x80, 0x9b, 0xbf,
		0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4,
		0xf5, 0xfe, 0xff, 0xa0, 0x82, 0x90, 0x8f,
	};
	unsigned char s[RT_STRINGS][RT_MAX + 1];
	unsigned int seed = 1, i, k, len;
	struct json j;
	FILE *py;
	int st;

	if (system("python3 -c 'import json' >/dev/null 2>&1")) {
		unit_skip(u, "python3 with its json module is not installed");
		return;
	}
	for (i = 0; i < RT_STRINGS; i++) {
		len = rand_r(&seed) % (RT_MAX + 1);
		for (k = 0; k < len; k++)
			s[i][k] = pick[rand_r(&seed) % sizeof(pick)];
		s[i][len] = '\0';
	}
	py = popen("python3 -c \"$PY_CHECK\"", "w");
	if (!py) {
		unit_fail(u, "cannot start python3");
		return;
	}
	json_begin(&j, py);
	json_arr(&j, "s");
	for (i = 0; i < RT_STRINGS; i++)
		json_str(&j, NULL, (const char *)s[i]);
	json_end(&j);
	for (i = 0; i < RT_STRINGS; i++) {
		fputc('x', py);
		for (k = 0; s[i][k]; k++)
			fprintf(py, "%02x", s[i][k]);
		fputc('\n', py);
	}
	st = pclose(py);
	if (st)
		unit_fail(u, "python3's json module refused the output or got other strings (status %d)",
			  st);
}

static const struct unit_test tests[] = {
	{ "output_utf8_len",		test_utf8_len },
	{ "output_json_strings",	test_json_strings },
	{ "output_json_always_whole",	test_json_always_whole },
	{ "output_json_walk_fails",	test_json_walk_fails },
	{ "output_json_python_parses",	test_json_python },
	{ "output_text_escape",		test_text_escape },
	{ "output_text_escape_cut",	test_text_escape_cut },
	{ "util_fail_kinds",		test_fail_kinds },
};

int main(void)
{
	setenv("PY_CHECK", py_check, 1);
	return unit_main(tests, ARRAY_SIZE(tests));
}
