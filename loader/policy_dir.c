// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a policy directory, all of it or nothing, and only if root alone
 * can have written it; see policy_dir.h. Every check is made on an open
 * file descriptor (fstat), files are opened relative to the directory's
 * descriptor and without following links, so what is checked is what is
 * read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scx_xcr0.h"
#include "policy.h"
#include "policy_dir.h"
#include "util.h"

/* Who may own the directory and its files. */
#define POLICY_OWNER_UID	0

static bool is_policy_name(const char *name)
{
	size_t n = strlen(name), s = strlen(POLICY_SUFFIX);

	return name[0] != '.' && n > s && !strcmp(name + n - s, POLICY_SUFFIX);
}

void policy_dir_free(struct policy_dir *pd)
{
	size_t i;

	for (i = 0; i < pd->nr; i++) {
		free(pd->rules[i].path);
		free(pd->rules[i].origin);
	}
	free(pd->rules);
	free(pd->last_err);
	*pd = (struct policy_dir){ 0 };
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFREG: return "a regular file";
	case S_IFLNK: return "a symlink";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	}
	return "of an unknown type";
}

/*
 * Refuse @what unless it is a @type (S_IFDIR, S_IFREG) of root that only
 * root can write, as sudo does for sudoers and sshd for authorized_keys: a
 * user who can change a policy file can put any cgroup under any mask.
 */
static int check_secure(const char *what, const struct stat *st, mode_t type)
{
	if ((st->st_mode & S_IFMT) != type)
		return fail(-EPERM, "%s is %s, not %s: refused", what, type_name(st->st_mode),
			    type_name(type));
	if (st->st_uid != POLICY_OWNER_UID)
		return fail(-EPERM, "%s is owned by uid %u, not root: refused, since its owner could change the policy (chown root %s)",
			    what, (unsigned int)st->st_uid, what);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fail(-EPERM, "%s is writable by %s (mode %04o): refused, since they could change the policy (chmod go-w %s)",
			    what, st->st_mode & S_IWOTH ? "others" : "its group",
			    (unsigned int)(st->st_mode & 07777), what);
	return 0;
}

/*
 * Open @name in the directory @dfd (@label names it in messages) if it is
 * a regular file of root, writable by root only. lstat first, so that a
 * FIFO or a device is never opened; the fstat of what was opened decides.
 */
static int open_checked(int dfd, const char *name, const char *label)
{
	struct stat st;
	int fd, ret;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return fail(-errno, "cannot stat %s: %s", label, strerror(errno));
	ret = check_secure(label, &st, S_IFREG);
	if (ret)
		return ret;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "cannot open %s: %s", label, strerror(errno));
	if (fstat(fd, &st)) {
		ret = fail(-errno, "cannot stat %s: %s", label, strerror(errno));
	} else {
		ret = check_secure(label, &st, S_IFREG);
	}
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Open the target of symlink @name in directory @dfd, whose real path is
 * @real: allowed only if it is a file directly in the same directory,
 * which was checked like any other file. Anywhere else, whoever can write
 * there could change the policy.
 */
static int open_link(int dfd, const char *real, const char *name, const char *label)
{
	char link[PATH_MAX], target[PATH_MAX], parent[PATH_MAX];
	char *slash;

	if ((size_t)snprintf(link, sizeof(link), "%s/%s", real, name) >= sizeof(link))
		return fail(-ENAMETOOLONG, "%s: path too long", label);
	if (!realpath(link, target))
		return fail(-errno, "%s is a symlink whose target cannot be resolved: %s", label,
			    strerror(errno));
	slash = strrchr(target, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash == target ? 1 : (int)(slash - target),
		 target);
	if (strcmp(parent, real))
		return fail(-EPERM, "%s is a symlink to %s, outside %s: refused (a link may only name a file in the same directory)",
			    label, target, real);
	return open_checked(dfd, slash + 1, label);
}

/* Append the rules of @pol, read from @file, to @pd. */
static int add_file(struct policy_dir *pd, const char *file, const char *dir,
		    const struct policy *pol)
{
	char origin[PATH_MAX + 16];
	struct cg_rule *rules;
	size_t i;

	if (pd->nr + pol->nr > SCX_XCR0_MAX_CGROUPS)
		return fail(-ENOSPC, "%s:%u: more than %d rules in %s in all, the size of the %s map; remove rules",
			    file, pol->rules[SCX_XCR0_MAX_CGROUPS - pd->nr].line,
			    SCX_XCR0_MAX_CGROUPS, dir, SCX_XCR0_MAP_CGROUP);
	if (!pol->nr)
		return 0;
	rules = realloc(pd->rules, (pd->nr + pol->nr) * sizeof(*rules));
	if (!rules)
		return fail(-ENOMEM, "out of memory");
	pd->rules = rules;
	for (i = 0; i < pol->nr; i++) {
		const struct policy_rule *r = &pol->rules[i];
		struct cg_rule *cr = &pd->rules[pd->nr];

		snprintf(origin, sizeof(origin), "%s:%u", file, r->line);
		*cr = (struct cg_rule){
			.path = strdup(r->path),
			.origin = strdup(origin),
			.val = r->mask | (r->live ? SCX_XCR0_VAL_LIVE : 0),
		};
		pd->nr++;
		if (!cr->path || !cr->origin)
			return fail(-ENOMEM, "out of memory");
	}
	return 0;
}

static const struct policy_dir *sort_pd;

static int cmp_rule(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_pd->rules[x].path, sort_pd->rules[y].path);

	return c ? c : (x < y ? -1 : x > y);
}

/*
 * A cgroup with rules in two files is an error naming both: which one a
 * reader of the files would take for the one in force is not obvious
 * (name order), so the author decides. Reports the first in file order.
 */
static int check_duplicates(const struct policy_dir *pd)
{
	size_t i, *idx, first = SIZE_MAX, prev = 0;

	if (pd->nr < 2)
		return 0;
	idx = malloc(pd->nr * sizeof(*idx));
	if (!idx)
		return fail(-ENOMEM, "out of memory");
	for (i = 0; i < pd->nr; i++)
		idx[i] = i;
	sort_pd = pd;
	qsort(idx, pd->nr, sizeof(*idx), cmp_rule);
	for (i = 1; i < pd->nr; i++) {
		if (!strcmp(pd->rules[idx[i]].path, pd->rules[idx[i - 1]].path) &&
		    idx[i] < first) {
			first = idx[i];
			prev = idx[i - 1];
		}
	}
	free(idx);
	if (first == SIZE_MAX)
		return 0;
	return fail(-EINVAL, "%s: cgroup %s already has a rule at %s; give it one",
		    pd->rules[first].origin, pd->rules[first].path, pd->rules[prev].origin);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *.policy entries of @dfd, sorted (bytewise: no locale). */
static int list_names(int dfd, const char *dir, char ***out, size_t *nr)
{
	char **names = NULL, **more;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = dup(dfd);
	if (fd < 0)
		return fail(-errno, "cannot read policy directory %s: %s", dir, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		ret = fail(-errno, "cannot read policy directory %s: %s", dir, strerror(errno));
		close(fd);
		return ret;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!is_policy_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			more = realloc(names, cap * sizeof(*names));
			if (!more) {
				ret = fail(-ENOMEM, "out of memory");
				break;
			}
			names = more;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = fail(-ENOMEM, "out of memory");
			break;
		}
		n++;
		errno = 0;
	}
	if (!ret && errno)
		ret = fail(-errno, "cannot read policy directory %s: %s", dir, strerror(errno));
	closedir(d);
	if (ret) {
		while (n)
			free(names[--n]);
		free(names);
		return ret;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	*out = names;
	*nr = n;
	return 0;
}

/*
 * Check the opened directory @dfd (@dir) and set @real (PATH_MAX bytes) to
 * its real path, with which symlink targets are compared.
 */
static int check_dir(int dfd, const char *dir, char *real)
{
	struct stat st, rst;
	int ret;

	if (fstat(dfd, &st))
		return fail(-errno, "cannot stat policy directory %s: %s", dir, strerror(errno));
	ret = check_secure(dir, &st, S_IFDIR);
	if (ret)
		return ret;
	if (!realpath(dir, real) || stat(real, &rst) || rst.st_dev != st.st_dev ||
	    rst.st_ino != st.st_ino)
		return fail(-EAGAIN, "policy directory %s changed while it was read; try again", dir);
	return 0;
}

/* Open entry @name of @dfd: a file, or a symlink to a file next to it. */
static int open_entry(int dfd, const char *real, const char *name, const char *label)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return fail(-errno, "cannot stat %s: %s", label, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return open_link(dfd, real, name, label);
	return open_checked(dfd, name, label);
}

int policy_dir_load(const char *dir, __u64 supported, bool may_be_missing,
		    struct policy_dir *out)
{
	char real[PATH_MAX], label[PATH_MAX], err[1024];
	struct policy_dir pd = { 0 };
	char **names = NULL;
	size_t nr = 0, i;
	int dfd, fd, ret;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT && may_be_missing) {
			*out = pd;
			return 0;
		}
		return fail(-errno, "cannot open policy directory %s: %s", dir, strerror(errno));
	}
	ret = check_dir(dfd, dir, real);
	if (!ret)
		ret = list_names(dfd, dir, &names, &nr);
	for (i = 0; !ret && i < nr; i++) {
		struct policy pol = { 0 };

		if ((size_t)snprintf(label, sizeof(label), "%s/%s", dir, names[i]) >=
		    sizeof(label)) {
			ret = fail(-ENAMETOOLONG, "%s/%s: path too long", dir, names[i]);
			break;
		}
		fd = open_entry(dfd, real, names[i], label);
		if (fd < 0) {
			ret = fd;
			break;
		}
		ret = policy_read(fd, label, supported, &pol, err, sizeof(err));
		close(fd);
		if (ret) {
			ret = fail(ret, "%s", err);
			break;
		}
		ret = add_file(&pd, label, dir, &pol);
		policy_free(&pol);
	}
	if (!ret)
		ret = check_duplicates(&pd);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	close(dfd);
	if (ret) {
		policy_dir_free(&pd);
		return ret;
	}
	*out = pd;
	return 0;
}
