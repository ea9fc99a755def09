/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's --policy-dir: every DIR/NAME.policy file (see policy.h), read
 * as one policy, and kept in the xcr0_cgroup map while cgroups come and go.
 */
#ifndef __SCX_XCR0_POLICY_DIR_H
#define __SCX_XCR0_POLICY_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define POLICY_SUFFIX	".policy"

struct cg_rule {
	char *path;		/* the cgroup, absolute */
	char *origin;		/* "file:line", for messages */
	__u64 val;		/* policy value: mask (0: none), SCX_XCR0_VAL_LIVE */
	__u64 id;		/* cgroup id installed for it, 0 if none */
	bool missing;		/* the cgroup did not exist at the last sync */
};

struct policy_dir {
	struct cg_rule *rules;
	size_t nr;
};

/*
 * policy_dir_load - parse every DIR/NAME.policy, in name order, all or nothing:
 * a bad line or a cgroup named twice (in any two files) records a message
 * with file:line and leaves @out untouched. A missing directory is an empty
 * policy only if @may_be_missing.
 */
int policy_dir_load(const char *dir, __u64 supported, bool may_be_missing,
		    struct policy_dir *out);

void policy_dir_free(struct policy_dir *pd);

/*
 * policy_dir_sync - make the xcr0_cgroup map (@map_fd) hold the rules of
 * @pd for the cgroups that exist now, and drop the entries that @old (the
 * previous policy, or NULL) installed and @pd no longer has. Ids are looked
 * up again each time, so a cgroup created or recreated later is picked up
 * at the next sync; an entry already installed is not rewritten, so that
 * `scx_xcr0 set --cgroup` overrides a rule until the next reload. Prints a line to stderr when a rule's cgroup appears or
 * disappears. Returns 1 if the map changed (bump the generation), 0 if not,
 * or a negative errno with a message recorded.
 */
int policy_dir_sync(struct policy_dir *pd, const struct policy_dir *old, int map_fd);

#endif /* __SCX_XCR0_POLICY_DIR_H */
