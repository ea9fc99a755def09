/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's --policy-dir: every DIR/NAME.policy file (see policy.h), read
 * as one policy, and kept in the xcr0_cgroup map while cgroups come and go.
 * See docs/policy.md.
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
	__u32 map_id;		/* the map the ids are installed in, 0: not yet */
	char *last_err;		/* the last failure of a follow-up, said once */
};

/*
 * policy_dir_load - parse every DIR/NAME.policy, in name order, all or
 * nothing: a bad line, a cgroup named twice (in any two files: an error
 * naming both file:line), more than SCX_XCR0_MAX_CGROUPS rules in all, or
 * a file or directory that is not secure records a message and leaves
 * @out untouched. Secure, as sudo and sshd want it: DIR and each file owned
 * by root and not writable by group or others, each file regular, and a
 * symlink NAME.policy only to a file directly in DIR (checked the same way).
 * A missing directory is an empty policy only if @may_be_missing.
 */
int policy_dir_load(const char *dir, __u64 supported, bool may_be_missing,
		    struct policy_dir *out);

void policy_dir_free(struct policy_dir *pd);

/*
 * policy_dir_sync - put policy @pd into the xcr0_cgroup map @map_fd, all or
 * nothing (policy_plan.h says which entries it writes and deletes).
 * @old: the policy in force that @pd replaces (a reload): every rule's
 *	value is written again; or NULL (the periodic follow-up): only the
 *	cgroups that appeared, went or were recreated since the last call.
 *
 * The first call for a map (or after it was replaced) is a reload too, and
 * takes what the policy owned from POLICY_OWNED_FILE: the entries of rules
 * removed while no daemon ran go. Ids are looked up again each time.
 * Prints a line to stderr when a rule's cgroup appears or disappears.
 *
 * Returns 1 if the map changed (bump the generation), 0 if not, or a
 * negative errno with a message recorded; then the map holds what it held
 * before and @pd is as it was. A follow-up that fails the same way as the
 * last one returns -EALREADY with nothing recorded (say it once).
 */
int policy_dir_sync(struct policy_dir *pd, const struct policy_dir *old, int map_fd);

#endif /* __SCX_XCR0_POLICY_DIR_H */
