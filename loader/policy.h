/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __SCX_XCR0_POLICY_H
#define __SCX_XCR0_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * Policy files give whole cgroups a mask, one rule a line:
 *
 *	# comment
 *	/sys/fs/cgroup/ci.slice		x86-64-v2
 *	build.slice/job.scope		full-avx512	# trailing comment
 *	batch.slice			x86-64-v3	live
 *
 * A path is absolute under POLICY_CGROUP_ROOT or relative to it; it may not
 * contain whitespace or "..". The mask takes the syntax of xcr0_parse_mask();
 * "none" gives a cgroup no restriction even if an ancestor has one. A mask
 * applies to each program at its next execve(); the word "live" after it
 * applies it to running programs too.
 */
#define POLICY_CGROUP_ROOT	"/sys/fs/cgroup"
#define POLICY_LINE_MAX		4096	/* bytes in a line, newline excluded */
#define POLICY_FILE_MAX		(1 << 20)

struct policy_rule {
	char *path;		/* normalized, absolute: "/sys/fs/cgroup/ci.slice" */
	__u64 mask;		/* 0: no restriction */
	bool live;		/* "live": running programs too */
	unsigned int line;	/* where the rule came from, for messages */
};

struct policy {
	struct policy_rule *rules;
	size_t nr;
};

/*
 * policy_parse - parse a whole policy, all or nothing
 * @name: the file name, for messages ("name:line: what")
 * @buf, @len: the text; need not be NUL-terminated, may not contain NUL
 * @supported: the full mask of this CPU, xcr0_supported()
 * @out: on success only, set to the new policy (free with policy_free());
 *	on failure it is left untouched
 * @err: message on failure, truncated to @errlen
 *
 * Cgroup paths are normalized but not resolved: the caller stat()s them.
 * Returns 0, -EINVAL for a bad policy or -ENOMEM.
 */
int policy_parse(const char *name, const char *buf, size_t len,
		 __u64 supported, struct policy *out, char *err, size_t errlen);

/*
 * policy_read - policy_parse() of what the open file @fd holds, read to its
 * end (at most POLICY_FILE_MAX bytes); @name names it in messages. Returns
 * 0, -EINVAL, -ENOMEM, -EFBIG or the -errno of read.
 */
int policy_read(int fd, const char *name, __u64 supported, struct policy *out,
		char *err, size_t errlen);

/*
 * policy_load - policy_parse() of the file at @path (at most POLICY_FILE_MAX
 * bytes). Returns 0, -EINVAL, -ENOMEM, -EFBIG or the -errno of open/read.
 */
int policy_load(const char *path, __u64 supported, struct policy *out,
		char *err, size_t errlen);

/* policy_free - release the rules of @p and leave it empty. */
void policy_free(struct policy *p);

#endif /* __SCX_XCR0_POLICY_H */
