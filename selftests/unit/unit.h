/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host unit test harness: a test is a named function that checks one
 * behaviour over a table of cases. Each test prints exactly one line,
 * "ok <name>", "FAIL <name>: <why>" or "SKIP <name>: <why>", which the test
 * runner counts; <why> is the first failed case, with a count of the others.
 * A program exits non-zero if any test failed.
 */
#ifndef __UNIT_H
#define __UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct unit {
	unsigned int fails;
	int skipped;
	char why[768];
};

struct unit_test {
	const char *name;
	void (*run)(struct unit *u);
};

static inline void unit_vnote(struct unit *u, const char *fmt, va_list ap)
{
	char *c;

	vsnprintf(u->why, sizeof(u->why), fmt, ap);
	/* One line per test, whatever the message holds. */
	for (c = u->why; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

/* Record a failed case; only the first one is printed. */
__attribute__((format(printf, 2, 3)))
static inline void unit_fail(struct unit *u, const char *fmt, ...)
{
	va_list ap;

	if (!u->fails++) {
		va_start(ap, fmt);
		unit_vnote(u, fmt, ap);
		va_end(ap);
	}
}

/* Skip the whole test, for something this host cannot show. */
__attribute__((format(printf, 2, 3)))
static inline void unit_skip(struct unit *u, const char *fmt, ...)
{
	va_list ap;

	u->skipped = 1;
	va_start(ap, fmt);
	unit_vnote(u, fmt, ap);
	va_end(ap);
}

static inline int unit_main(const struct unit_test *tests, size_t nr)
{
	unsigned int failed = 0;
	size_t i;

	/* Keep every line already printed if a sanitizer aborts a later test. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nr; i++) {
		struct unit u = { 0 };

		tests[i].run(&u);
		if (u.fails) {
			failed++;
			if (u.fails > 1)
				printf("FAIL %s: %s (and %u more)\n", tests[i].name,
				       u.why, u.fails - 1);
			else
				printf("FAIL %s: %s\n", tests[i].name, u.why);
		} else if (u.skipped) {
			printf("SKIP %s: %s\n", tests[i].name, u.why);
		} else {
			printf("ok %s\n", tests[i].name);
		}
	}
	return failed ? 1 : 0;
}

#endif /* __UNIT_H */
