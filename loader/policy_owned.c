// SPDX-License-Identifier: GPL-2.0
/* The record of the entries the policy directory owns, see policy_owned.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy_owned.h"
#include "util.h"

void policy_owned_free(struct owned_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		free((char *)set->e[i].path);
	free(set->e);
	set->e = NULL;
	set->nr = 0;
}

static int add_entry(struct owned_set *set, size_t *cap, __u64 id, __u64 val, const char *path)
{
	struct cg_entry *e;
	char *p;

	if (set->nr == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		e = realloc(set->e, *cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		set->e = e;
	}
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	set->e[set->nr++] = (struct cg_entry){ .id = id, .val = val, .path = p };
	return 0;
}

/* One line of the record, without its newline; *@map_seen once "map N" was. */
static int parse_line(struct owned_set *set, size_t *cap, char *line, __u32 map_id,
		      int *map_seen)
{
	unsigned long long id, val;
	unsigned int map;
	int n = 0;

	if (!line[0] || line[0] == '#')
		return 0;
	if (!*map_seen) {
		if (sscanf(line, "map %u%n", &map, &n) != 1 || line[n])
			return -EINVAL;
		*map_seen = map == map_id ? 1 : -1;
		return 0;
	}
	if (*map_seen < 0)
		return 0;
	if (sscanf(line, "%llu 0x%llx /%n", &id, &val, &n) != 2 || !n || !id)
		return -EINVAL;
	return add_entry(set, cap, id, val, line + n - 1);
}

int policy_owned_read(const char *file, __u32 map_id, struct owned_set *out)
{
	struct owned_set set = { 0 };
	int fd, ret = 0, map_seen = 0;
	unsigned int lineno = 0;
	size_t cap = 0, n = 0;
	char *line = NULL;
	struct stat st;
	ssize_t len;
	FILE *f;

	*out = set;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(-errno, "cannot open %s: %s", file, strerror(errno));
	}
	if (fstat(fd, &st)) {
		ret = fail(-errno, "cannot stat %s: %s", file, strerror(errno));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid || (st.st_mode & 022)) {
		close(fd);
		return fail(-EPERM, "%s is not a regular file of root writable by root only (uid %u, mode %04o): it is not trusted",
			    file, st.st_uid, st.st_mode & 07777);
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = fail(-errno, "cannot read %s: %s", file, strerror(errno));
		close(fd);
		return ret;
	}
	while ((len = getline(&line, &n, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		ret = parse_line(&set, &cap, line, map_id, &map_seen);
		if (ret == -ENOMEM) {
			ret = fail(ret, "out of memory");
			break;
		}
		if (ret) {
			ret = fail(ret, "%s:%u: not a line of this record; it is not trusted",
				   file, lineno);
			break;
		}
	}
	if (!ret && ferror(f))
		ret = fail(-EIO, "cannot read %s", file);
	free(line);
	fclose(f);
	if (ret) {
		policy_owned_free(&set);
		return ret;
	}
	*out = set;
	return 0;
}

/* mkdir the directory of @file, 0755, if it is missing. */
static int make_parent(const char *file)
{
	char dir[PATH_MAX];
	char *slash;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", file) >= sizeof(dir))
		return fail(-ENAMETOOLONG, "%s: path too long", file);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fail(-errno, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

int policy_owned_write(const char *file, __u32 map_id, const struct cg_entry *e, size_t nr)
{
	char tmp[PATH_MAX];
	size_t i;
	FILE *f;
	int fd, ret;

	ret = make_parent(file);
	if (ret)
		return ret;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= sizeof(tmp))
		return fail(-ENAMETOOLONG, "%s: path too long", file);
	unlink(tmp);
	/*
	 * 0600: the record names the policy's cgroups and masks, which an
	 * administrator may keep from other users with the directory's modes.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(-errno, "cannot create %s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		ret = fail(-errno, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return ret;
	}
	fprintf(f, "# scx_xcr0: the entries of the pinned xcr0_cgroup map that the policy\n"
		   "# directory wrote: cgroup id, value, path. Do not edit.\n"
		   "map %u\n", map_id);
	for (i = 0; i < nr; i++)
		fprintf(f, "%llu 0x%llx %s\n", (unsigned long long)e[i].id,
			(unsigned long long)e[i].val, e[i].path ? e[i].path : "/?");
	/* fclose() reports a write error that fprintf() buffered */
	if (ferror(f) | fclose(f)) {
		ret = fail(-EIO, "cannot write %s", tmp);
		unlink(tmp);
		return ret;
	}
	if (rename(tmp, file)) {
		ret = fail(-errno, "cannot rename %s to %s: %s", tmp, file, strerror(errno));
		unlink(tmp);
		return ret;
	}
	return 0;
}
