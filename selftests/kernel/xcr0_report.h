/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcr0_report.h: the one line each in-VM kernel test prints and the count
 * of failures the program's exit status comes from:
 *   ok PREFIX/NAME | FAIL PREFIX/NAME: why | SKIP PREFIX/NAME: why
 * The including test defines TEST_PREFIX (the first part of every name).
 */
#ifndef XCR0_REPORT_H
#define XCR0_REPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;
static char name_suffix[32];	/* after every test name: a run as another user */

__attribute__((format(printf, 3, 4)))
static inline void report(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok " TEST_PREFIX "/%s%s\n", name, name_suffix);
	} else {
		printf("FAIL " TEST_PREFIX "/%s%s: ", name, name_suffix);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failures++;
	}
	fflush(stdout);
}

static inline void skip(const char *name, const char *why)
{
	printf("SKIP " TEST_PREFIX "/%s%s: %s\n", name, name_suffix, why);
	fflush(stdout);
}

#endif /* XCR0_REPORT_H */
