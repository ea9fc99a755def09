/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every part of scx_xcr0 uses: the error value that travels
 * up to main() and is printed there once, and /proc and sysfs reading.
 */
#ifndef __SCX_XCR0_UTIL_H
#define __SCX_XCR0_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * fail - record why the current command fails and return @err
 * @err: a negative errno, returned as is so callers can write
 *	"return fail(-ENOENT, ...)"
 *
 * The first message recorded wins: it is the one closest to the cause, and
 * callers above only pass the value on. main() prints it.
 */
__attribute__((format(printf, 2, 3)))
int fail(int err, const char *fmt, ...);

/*
 * What kind of failure was recorded, which decides the exit status main()
 * gives it (see main.c): the command could not do its work, the command
 * line is wrong, or (run) the command to start is not executable or not
 * found.
 */
enum fail_kind {
	FAIL_ERROR,
	FAIL_USAGE,
	FAIL_NOEXEC,
	FAIL_NOTFOUND,
};

/*
 * fail_usage - fail() for a command line that is wrong (bad option,
 * missing or extra argument, malformed value): returns -EINVAL.
 */
__attribute__((format(printf, 1, 2)))
int fail_usage(const char *fmt, ...);

/* fail_as - fail() with an explicit kind; returns @err. */
__attribute__((format(printf, 3, 4)))
int fail_as(enum fail_kind kind, int err, const char *fmt, ...);

/* The recorded message, or NULL. */
const char *fail_msg(void);

/* The recorded kind; FAIL_ERROR when nothing is recorded. */
enum fail_kind fail_kind(void);

/* Forget a recorded failure that the caller handled. */
void fail_clear(void);

/*
 * read_text - read a small text file (sysfs, procfs) into @buf, NUL
 * terminated, with a trailing newline removed. Returns the length or a
 * negative errno (nothing recorded: callers decide whether it is an error).
 */
int read_text(const char *path, char *buf, size_t len);

/*
 * read_field - the value of the "@key:" line of the procfs file @path
 * (/proc/PID/status, /proc/self/fdinfo/N), blanks skipped, into @val.
 * Returns 0, -ENOENT without such a line, or the negative errno of the
 * open (nothing recorded).
 */
int read_field(const char *path, const char *key, char *val, size_t len);

/* parse_u32/u64 - whole-string decimal number; false on anything else. */
bool parse_u32(const char *s, unsigned int *out);
bool parse_u64(const char *s, unsigned long long *out);

#endif /* __SCX_XCR0_UTIL_H */
