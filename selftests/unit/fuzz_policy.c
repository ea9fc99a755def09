// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the two parsers of user input, policy_parse() and
 * xcr0_parse_mask(). Sanitizers catch memory errors and leaks; the checks
 * here catch a parser that accepts what the rules forbid.
 *
 * Input: byte 0 picks the CPU's full mask (and a format buffer size), the
 * rest is the policy text and, up to its first NUL, the mask spelling.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xcr0.h"
#include "fuzz_check.h"
#include "mask.h"
#include "policy.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const __u64 supported[] = {
	0x21f,		/* QEMU -cpu max */
	0x2e7,		/* AVX-512 */
	0x602ff,	/* every user component */
	0x3,		/* x87, sse */
	0x802e7,	/* a component newer than xcr0.h */
	0x0,		/* no XSAVE */
	0x3 | XCR0_PT,	/* a CPU reporting a supervisor bit */
	0x1,		/* x87 only */
};

static void check_mask(__u64 mask, __u64 sup)
{
	CHECK(mask == 0 || xcr0_check(mask, sup) == XCR0_OK);
	CHECK(!(mask & ~XCR0_USER_MASK));
}

static void check_path(const char *path)
{
	const size_t root = strlen(POLICY_CGROUP_ROOT);
	size_t len = strlen(path);

	CHECK(!strncmp(path, POLICY_CGROUP_ROOT, root));
	CHECK(path[root] == '\0' || path[root] == '/');
	CHECK(len < 4096 && path[len - 1] != '/');
	CHECK(!strstr(path, "//") && !strstr(path, "/./") &&
	      !strstr(path, "/../"));
	CHECK(strcmp(path + len - 2, "/.") && strcmp(path + len - 3, "/.."));
	CHECK(!strpbrk(path, " \t\r\n"));
}

static void fuzz_policy(const char *buf, size_t len, __u64 sup)
{
	struct policy pol = { 0 };
	char err[1024] = "";
	size_t i, j;

	if (policy_parse("fuzz", buf, len, sup, &pol, err, sizeof(err))) {
		CHECK(!strncmp(err, "fuzz:", 5));
		CHECK(!pol.rules && !pol.nr);
		return;
	}
	for (i = 0; i < pol.nr; i++) {
		check_mask(pol.rules[i].mask, sup);
		check_path(pol.rules[i].path);
		CHECK(!i || pol.rules[i].line > pol.rules[i - 1].line);
		for (j = 0; j < i; j++)
			CHECK(strcmp(pol.rules[i].path, pol.rules[j].path));
	}
	policy_free(&pol);
}

static void fuzz_mask(const char *s, __u64 sup, size_t fmt_len)
{
	char err[512] = "", buf[XCR0_MASK_FMT_MAX], *small;
	__u64 mask = 0, again = 0;
	int n;

	if (xcr0_parse_mask(s, sup, &mask, err, sizeof(err))) {
		CHECK(err[0]);
		return;
	}
	check_mask(mask, sup);

	/* What we print parses back to the same mask. */
	n = xcr0_format_mask(mask, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n < sizeof(buf));
	*strchr(buf, ' ') = '\0';
	CHECK(!xcr0_parse_mask(buf, sup, &again, err, sizeof(err)));
	CHECK(again == mask);

	/* A short buffer is cut, terminated and never overrun. */
	small = malloc(fmt_len + 1);
	if (small) {
		CHECK(xcr0_format_mask(mask, small, fmt_len + 1) == n);
		CHECK(strlen(small) == ((size_t)n < fmt_len ? (size_t)n : fmt_len));
		free(small);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	__u64 sup;
	char *s;

	if (!size)
		return 0;
	sup = supported[data[0] % ARRAY_SIZE(supported)];
	fuzz_policy((const char *)data + 1, size - 1, sup);

	s = strndup((const char *)data + 1, size - 1);
	if (s) {
		fuzz_mask(s, sup, data[0] >> 3);
		free(s);
	}
	return 0;
}
