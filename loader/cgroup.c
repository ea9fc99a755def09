// SPDX-License-Identifier: GPL-2.0
/* Cgroup v2 paths and ids, see cgroup.h. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "policy.h"
#include "util.h"

int cgroup_id(const char *path, __u64 *id)
{
	struct statfs sfs;
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	*id = st.st_ino;
	return 0;
}

int cgroup_resolve(const char *arg, char *path, size_t len, __u64 *id)
{
	const size_t root_len = strlen(POLICY_CGROUP_ROOT);
	char joined[PATH_MAX], real[PATH_MAX];
	int ret;

	if (!strncmp(arg, POLICY_CGROUP_ROOT, root_len) &&
	    (arg[root_len] == '/' || !arg[root_len]))
		ret = snprintf(joined, sizeof(joined), "%s", arg);
	else
		ret = snprintf(joined, sizeof(joined), "%s%s%s", POLICY_CGROUP_ROOT,
			       arg[0] == '/' ? "" : "/", arg);
	if (ret < 0 || (size_t)ret >= sizeof(joined))
		return fail(-ENAMETOOLONG, "cgroup path '%s' is too long", arg);
	if (!realpath(joined, real))
		return fail(-errno, "cgroup '%s': %s: %s", arg, joined, strerror(errno));
	ret = cgroup_id(real, id);
	if (ret == -EMEDIUMTYPE || ret == -ENOTDIR ||
	    strncmp(real, POLICY_CGROUP_ROOT, root_len) ||
	    (real[root_len] && real[root_len] != '/'))
		return fail(-EINVAL, "'%s' (%s) is not a cgroup: expected a directory under the cgroup2 mount %s",
			    arg, real, POLICY_CGROUP_ROOT);
	if (ret)
		return fail(ret, "cgroup '%s': %s", arg, strerror(-ret));
	if ((size_t)snprintf(path, len, "%s", real) >= len)
		return fail(-ENAMETOOLONG, "cgroup path '%s' is too long", real);
	return 0;
}

static __u64 walk_id;
static char walk_path[PATH_MAX];

static int walk_one(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || st->st_ino != walk_id)
		return FTW_CONTINUE;
	snprintf(walk_path, sizeof(walk_path), "%s", fpath);
	return FTW_STOP;
}

int cgroup_path_of(__u64 id, char *path, size_t len)
{
	walk_id = id;
	if (nftw(POLICY_CGROUP_ROOT, walk_one, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) != FTW_STOP)
		return -ENOENT;
	if ((size_t)snprintf(path, len, "%s", walk_path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int cgroup_of_task(pid_t tid, char *path, size_t len)
{
	char file[64], line[PATH_MAX + 8];
	int ret = -ENOENT;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", tid);
	f = fopen(file, "re");
	if (!f)
		return fail(-errno, "cannot read %s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* the v2 hierarchy is the line "0::/path" */
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line + 3, "/"))
			ret = snprintf(path, len, "%s", POLICY_CGROUP_ROOT);
		else
			ret = snprintf(path, len, "%s%s", POLICY_CGROUP_ROOT, line + 3);
		ret = (size_t)ret >= len ? -ENAMETOOLONG : 0;
		break;
	}
	fclose(f);
	if (ret)
		return fail(ret, "task %d is in no cgroup v2 hierarchy (%s)", tid, file);
	return 0;
}

int cgroup_parent(char *path)
{
	const size_t root_len = strlen(POLICY_CGROUP_ROOT);
	char *slash;

	if (strlen(path) <= root_len)
		return -1;
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) < root_len)
		return -1;
	*slash = '\0';
	return 0;
}
