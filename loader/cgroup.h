/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroup v2 paths and ids. A cgroup's id, the key of the xcr0_cgroup map,
 * is the inode number of its directory in the cgroup2 file system (what
 * the kernel's cgroup_id() and BPF's cgrp->kn->id return).
 */
#ifndef __SCX_XCR0_CGROUP_H
#define __SCX_XCR0_CGROUP_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/*
 * cgroup_resolve - the cgroup named by @arg and its id
 * @arg: "/sys/fs/cgroup/a/b", or a path inside the hierarchy as
 *	/proc/<pid>/cgroup shows it ("/a/b"), or relative to it ("a/b")
 * @path: the cgroup's path under POLICY_CGROUP_ROOT, no trailing slash
 *
 * Records a message and returns a negative errno if the cgroup does not
 * exist or the path is not a cgroup2 directory.
 */
int cgroup_resolve(const char *arg, char *path, size_t len, __u64 *id);

/* cgroup_id - the id of the existing cgroup2 directory @path. */
int cgroup_id(const char *path, __u64 *id);

/*
 * cgroup_path_of - find the cgroup with id @id by walking the hierarchy.
 * Returns -ENOENT (nothing recorded) if no cgroup has it any more.
 */
int cgroup_path_of(__u64 id, char *path, size_t len);

/* cgroup_of_task - the cgroup2 directory of task @tid. */
int cgroup_of_task(pid_t tid, char *path, size_t len);

/*
 * cgroup_parent - cut the last component off @path in place; returns -1
 * when @path is already the root of the hierarchy.
 */
int cgroup_parent(char *path);

#endif /* __SCX_XCR0_CGROUP_H */
