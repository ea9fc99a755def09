/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The difference between the policy directory and the xcr0_cgroup map, and
 * its application all or nothing. Pure: the map is reached through
 * struct cg_map_ops, so that the unit tests can use a fake one.
 *
 * The map is shared: the policy directory writes the entries of the
 * cgroups its rules name ("owned" entries), `scx_xcr0 set --cgroup` and
 * bpftool write any entry. The rules:
 *  - a reload writes the value of every rule whose cgroup exists, over
 *    whatever the map holds (the files are the source of truth, as for
 *    sysctl.d); between reloads, a later `set --cgroup` or `clear` of such a
 *    cgroup stands;
 *  - an owned entry whose rule is gone is deleted, unless the map no longer
 *    holds the value the policy wrote: then someone else wrote it last, and
 *    it is theirs;
 *  - every other entry is left alone.
 */
#ifndef __SCX_XCR0_POLICY_PLAN_H
#define __SCX_XCR0_POLICY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* One map entry: a cgroup id and its policy value (mask | SCX_XCR0_VAL_LIVE). */
struct cg_entry {
	__u64 id;
	__u64 val;
	const char *path;	/* for messages; may be NULL (borrowed) */
};

enum cg_op_kind {
	CG_DELETE,
	CG_CHANGE,
	CG_ADD,
};

struct cg_op {
	enum cg_op_kind kind;
	__u64 id;
	__u64 val;		/* the new value (CG_CHANGE, CG_ADD) */
	__u64 old;		/* the value before (CG_CHANGE, CG_DELETE) */
	const char *path;
};

/* Deletes first (they make room), then changes, then adds. */
struct cg_plan {
	struct cg_op *ops;
	size_t nr;
	size_t nr_del, nr_change, nr_add;
	size_t foreign;		/* entries the plan leaves to others */
};

/*
 * cg_plan - the operations that take the map from @map to policy @want
 * @want: an entry for each rule whose cgroup exists now
 * @owned: the entries the policy wrote before (what it may delete)
 * @map: every entry of the map now
 * @reload: true: write each wanted value the map does not hold; false (the
 *	periodic follow-up of cgroups): only ids not in @owned, i.e. cgroups
 *	that appeared or were recreated
 * @nr_rules: rules in the policy, waiting ones included; on a reload they
 *	and the entries of others must fit in @max together, so that a
 *	waiting rule finds room when its cgroup appears
 * @max: entries the map holds at most
 *
 * The arrays need not be sorted. Returns 0 with @plan set (free it with
 * cg_plan_free()), or a negative errno with a message recorded (fail()).
 */
int cg_plan(const struct cg_entry *want, size_t nr_want,
	    const struct cg_entry *owned, size_t nr_owned,
	    const struct cg_entry *map, size_t nr_map,
	    bool reload, size_t nr_rules, size_t max, struct cg_plan *plan);

void cg_plan_free(struct cg_plan *plan);

struct cg_map_ops {
	int (*update)(void *ctx, __u64 id, __u64 val);	/* 0 or -errno */
	int (*delete)(void *ctx, __u64 id);		/* 0 or -errno */
};

/*
 * cg_apply - run @plan in order. If an operation fails, undo the ones done,
 * newest first, so that every key touched holds its old value (or none)
 * again. Returns 0, or the error of the failed operation with a message
 * recorded saying what failed and whether the map is back as it was.
 */
int cg_apply(const struct cg_plan *plan, const struct cg_map_ops *ops, void *ctx);

#endif /* __SCX_XCR0_POLICY_PLAN_H */
