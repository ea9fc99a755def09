// SPDX-License-Identifier: GPL-2.0
/* Error recording and small file helpers, see util.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char fail_buf[1024];
static bool failed;
static enum fail_kind failed_kind;

static int vfail(enum fail_kind kind, int err, const char *fmt, va_list ap)
{
	if (failed)
		return err;
	vsnprintf(fail_buf, sizeof(fail_buf), fmt, ap);
	failed = true;
	failed_kind = kind;
	return err;
}

int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(FAIL_ERROR, err, fmt, ap);
	va_end(ap);
	return err;
}

int fail_usage(const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vfail(FAIL_USAGE, -EINVAL, fmt, ap);
	va_end(ap);
	return err;
}

int fail_as(enum fail_kind kind, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(kind, err, fmt, ap);
	va_end(ap);
	return err;
}

const char *fail_msg(void)
{
	return failed ? fail_buf : NULL;
}

enum fail_kind fail_kind(void)
{
	return failed ? failed_kind : FAIL_ERROR;
}

void fail_clear(void)
{
	failed = false;
}

int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t off = 0;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	if (off && buf[off - 1] == '\n')
		buf[--off] = '\0';
	return off;
}

int read_field(const char *path, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

bool parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool parse_u32(const char *s, unsigned int *out)
{
	unsigned long long v;

	if (!parse_u64(s, &v) || v > UINT_MAX)
		return false;
	*out = v;
	return true;
}
