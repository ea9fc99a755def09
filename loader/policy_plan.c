// SPDX-License-Identifier: GPL-2.0
/* The policy directory against the xcr0_cgroup map, see policy_plan.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scx_xcr0.h"
#include "policy_plan.h"
#include "output.h"
#include "util.h"

static int cmp_id(const void *a, const void *b)
{
	const struct cg_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* A sorted copy of @nr entries (NULL for none), or NULL with *@ret set. */
static struct cg_entry *sorted(const struct cg_entry *e, size_t nr, int *ret)
{
	struct cg_entry *s;

	*ret = 0;
	if (!nr)
		return NULL;
	s = malloc(nr * sizeof(*s));
	if (!s) {
		*ret = fail(-ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(s, e, nr * sizeof(*s));
	qsort(s, nr, sizeof(*s), cmp_id);
	return s;
}

static const struct cg_entry *find(const struct cg_entry *s, size_t nr, __u64 id)
{
	struct cg_entry key = { .id = id };

	return nr ? bsearch(&key, s, nr, sizeof(*s), cmp_id) : NULL;
}

static const char *name_of(const char *path)
{
	return path ? path : "a cgroup";
}

static void add_op(struct cg_plan *p, enum cg_op_kind kind, const struct cg_entry *e,
		   __u64 old)
{
	p->ops[p->nr++] = (struct cg_op){
		.kind = kind,
		.id = e->id,
		.val = kind == CG_DELETE ? 0 : e->val,
		.old = old,
		.path = e->path,
	};
}

static int cmp_kind(const void *a, const void *b)
{
	const struct cg_op *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int cg_plan(const struct cg_entry *want, size_t nr_want,
	    const struct cg_entry *owned, size_t nr_owned,
	    const struct cg_entry *map, size_t nr_map,
	    bool reload, size_t nr_rules, size_t max, struct cg_plan *plan)
{
	struct cg_entry *w = NULL, *o = NULL, *m = NULL;
	struct cg_plan p = { 0 };
	size_t i, j, final;
	int ret;

	w = sorted(want, nr_want, &ret);
	if (!ret)
		o = sorted(owned, nr_owned, &ret);
	if (!ret)
		m = sorted(map, nr_map, &ret);
	if (ret)
		goto out;
	/* a key seen twice by a walk that raced with a delete */
	for (i = 1, j = nr_map ? 1 : 0; i < nr_map; i++)
		if (m[i].id != m[j - 1].id)
			m[j++] = m[i];
	nr_map = j;
	for (i = 1; i < nr_want; i++) {
		if (w[i].id == w[i - 1].id) {
			ret = fail(-EINVAL, "%s and %s are the same cgroup (id %llu): give it one rule",
				   name_of(w[i - 1].path), name_of(w[i].path),
				   (unsigned long long)w[i].id);
			goto out;
		}
	}
	/* each wanted entry is at most one operation, each owned one too */
	p.ops = malloc((nr_want + nr_owned + 1) * sizeof(*p.ops));
	if (!p.ops) {
		ret = fail(-ENOMEM, "out of memory");
		goto out;
	}

	for (i = 0; i < nr_want; i++) {
		const struct cg_entry *cur = find(m, nr_map, w[i].id);

		/* between reloads, what is in the map for an owned id stands */
		if (!reload && find(o, nr_owned, w[i].id))
			continue;
		if (!cur) {
			add_op(&p, CG_ADD, &w[i], 0);
			p.nr_add++;
		} else if (cur->val != w[i].val) {
			add_op(&p, CG_CHANGE, &w[i], cur->val);
			p.nr_change++;
		}
	}
	for (i = 0; i < nr_owned; i = j) {
		const struct cg_entry *cur = find(m, nr_map, o[i].id);
		bool ours = false;

		/*
		 * An id may be listed twice, with the values before and after a
		 * change that a killed daemon may or may not have made.
		 */
		for (j = i; j < nr_owned && o[j].id == o[i].id; j++)
			ours |= cur && cur->val == o[j].val;
		/* someone wrote another value after the policy: theirs now */
		if (find(w, nr_want, o[i].id) || !ours)
			continue;
		add_op(&p, CG_DELETE, &o[i], cur->val);
		p.nr_del++;
	}

	/* entries left to others: neither wanted nor deleted */
	for (i = 0; i < nr_map; i++)
		if (!find(w, nr_want, m[i].id))
			p.foreign++;
	p.foreign -= p.nr_del;
	final = nr_map + p.nr_add - p.nr_del;
	if (reload && nr_rules + p.foreign > max) {
		ret = fail(-ENOSPC, "the policy does not fit in %s: %zu rule(s) and %zu entries written by others (`scx_xcr0 set --cgroup`, bpftool) are more than its %zu; remove rules, or entries with `scx_xcr0 clear --cgroup`",
			   SCX_XCR0_MAP_CGROUP, nr_rules, p.foreign, max);
		goto out;
	}
	if (final > max) {
		ret = fail(-ENOSPC, "%s would hold %zu entries, more than its %zu: %zu new cgroup(s) of the policy wait for room; remove entries with `scx_xcr0 clear --cgroup`",
			   SCX_XCR0_MAP_CGROUP, final, max, p.nr_add);
		goto out;
	}
	qsort(p.ops, p.nr, sizeof(*p.ops), cmp_kind);
	*plan = p;
	p.ops = NULL;
out:
	free(p.ops);
	free(w);
	free(o);
	free(m);
	return ret;
}

void cg_plan_free(struct cg_plan *plan)
{
	free(plan->ops);
	*plan = (struct cg_plan){ 0 };
}

static int run_op(const struct cg_op *op, const struct cg_map_ops *ops, void *ctx)
{
	return op->kind == CG_DELETE ? ops->delete(ctx, op->id) : ops->update(ctx, op->id, op->val);
}

/* Put back what @op changed. */
static int undo_op(const struct cg_op *op, const struct cg_map_ops *ops, void *ctx)
{
	return op->kind == CG_ADD ? ops->delete(ctx, op->id) : ops->update(ctx, op->id, op->old);
}

static const char *const op_verb[] = {
	[CG_DELETE] = "delete",
	[CG_CHANGE] = "change",
	[CG_ADD] = "add",
};

int cg_apply(const struct cg_plan *plan, const struct cg_map_ops *ops, void *ctx)
{
	size_t i, undone = 0, bad = 0;
	int ret = 0, err;

	for (i = 0; i < plan->nr; i++) {
		ret = run_op(&plan->ops[i], ops, ctx);
		if (ret)
			break;
	}
	if (!ret)
		return 0;

	/* newest first, so that the room a delete made is there to undo an add */
	while (undone < i) {
		const struct cg_op *op = &plan->ops[i - ++undone];

		err = undo_op(op, ops, ctx);
		if (err && !bad++)
			say("rollback: cannot restore the entry of %s (cgroup id %llu): %s",
				name_of(op->path), (unsigned long long)op->id, strerror(-err));
	}
	if (bad)
		return fail(ret, "cannot %s the entry of %s (cgroup id %llu): %s; rolling back failed for %zu of %zu entries (see above): check with `scx_xcr0 list`",
			    op_verb[plan->ops[i].kind], name_of(plan->ops[i].path),
			    (unsigned long long)plan->ops[i].id, strerror(-ret), bad, i);
	return fail(ret, "cannot %s the entry of %s (cgroup id %llu): %s; the %zu entries changed before are back as they were",
		    op_verb[plan->ops[i].kind], name_of(plan->ops[i].path),
		    (unsigned long long)plan->ops[i].id, strerror(-ret), i);
}
