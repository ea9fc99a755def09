// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping the xcr0_cgroup map in step with a policy directory, all or
 * nothing, see policy_dir.h: resolve the rules' cgroups, read the map,
 * plan (policy_plan.h), record what the policy will own (policy_owned.h),
 * apply with rollback, record again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "scx_xcr0.h"
#include "cgroup.h"
#include "maps.h"
#include "output.h"
#include "policy_dir.h"
#include "policy_owned.h"
#include "policy_plan.h"
#include "util.h"

/* Lines about cgroups that appear or go, at most, per sync. */
#define NOTES_MAX	8

static int map_update(void *ctx, __u64 id, __u64 val)
{
	return bpf_map_update_elem(*(int *)ctx, &id, &val, BPF_ANY) ? -errno : 0;
}

static int map_delete(void *ctx, __u64 id)
{
	/* gone already (a `clear` meanwhile): what was wanted */
	if (bpf_map_delete_elem(*(int *)ctx, &id) && errno != ENOENT)
		return -errno;
	return 0;
}

static const struct cg_map_ops bpf_ops = {
	.update = map_update,
	.delete = map_delete,
};

/* Every entry of the map (at most @max). */
static int map_dump(int fd, size_t max, struct cg_entry **out, size_t *nr)
{
	struct cg_entry *e;
	__u64 key, next, val;
	size_t n = 0;
	void *prev = NULL;

	/* room for a few entries added while we walk */
	e = malloc((max + 64) * sizeof(*e));
	if (!e)
		return fail(-ENOMEM, "out of memory");
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;	/* deleted meanwhile */
		if (n == max + 64) {
			errno = ENOENT;
			break;
		}
		e[n++] = (struct cg_entry){ .id = key, .val = val };
	}
	if (errno != ENOENT) {
		free(e);
		return fail(-errno, "cannot read %s: %s", SCX_XCR0_MAP_CGROUP, strerror(errno));
	}
	*out = e;
	*nr = n;
	return 0;
}

/* The entries rules of @pd installed in the map. */
static struct cg_entry *installed(const struct policy_dir *pd, size_t *nr)
{
	struct cg_entry *e = malloc((pd->nr + 1) * sizeof(*e));
	size_t i;

	*nr = 0;
	for (i = 0; e && i < pd->nr; i++)
		if (pd->rules[i].id)
			e[(*nr)++] = (struct cg_entry){
				.id = pd->rules[i].id,
				.val = pd->rules[i].val,
				.path = pd->rules[i].path,
			};
	return e;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct cg_entry *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->val < y->val ? -1 : x->val > y->val;
}

/* Whether two sets of entries are the same (sorts both). */
static bool same_set(struct cg_entry *a, size_t na, struct cg_entry *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	qsort(a, na, sizeof(*a), cmp_entry);
	qsort(b, nb, sizeof(*b), cmp_entry);
	for (i = 0; i < na; i++)
		if (a[i].id != b[i].id || a[i].val != b[i].val)
			return false;
	return true;
}

/* Say which rules' cgroups appeared or went, now that @pd is in force. */
static void commit(struct policy_dir *pd, const __u64 *ids, __u32 map_id)
{
	bool first = !pd->map_id;
	unsigned int notes = 0;
	size_t i;

	for (i = 0; i < pd->nr; i++) {
		struct cg_rule *r = &pd->rules[i];
		bool missing = !ids[i];

		if (missing && (first || !r->missing)) {
			if (notes++ < NOTES_MAX)
				say("%s: cgroup %s does not exist (yet); the rule waits for it",
					r->origin, r->path);
		} else if (!missing && r->missing && !first) {
			if (notes++ < NOTES_MAX)
				say("%s: cgroup %s appeared, %s applies",
					r->origin, r->path, val_str(r->val));
		}
		r->missing = missing;
		r->id = ids[i];
	}
	if (notes > NOTES_MAX)
		say("and %u more rule(s) whose cgroup appeared or went",
			notes - NOTES_MAX);
	pd->map_id = map_id;
}

/*
 * What the policy owns in map @map_id: the entries its rules installed if
 * it was applied to that map, else what the record says (a new daemon).
 * An unreadable record owns nothing: entries are never deleted on a guess.
 */
static int owned_now(const struct policy_dir *pd, const struct policy_dir *old, __u32 map_id,
		     struct owned_set *rec, struct cg_entry **owned, size_t *nr)
{
	const struct policy_dir *src = old ? old : pd;

	if (src->map_id == map_id) {
		*owned = installed(src, nr);
		return *owned ? 0 : fail(-ENOMEM, "out of memory");
	}
	if (policy_owned_read(POLICY_OWNED_FILE, map_id, rec)) {
		say("warning: %s; entries of rules removed while no daemon ran may stay (see `scx_xcr0 list`)",
			fail_msg());
		fail_clear();
	}
	*owned = malloc((rec->nr + 1) * sizeof(**owned));
	if (!*owned)
		return fail(-ENOMEM, "out of memory");
	memcpy(*owned, rec->e, rec->nr * sizeof(**owned));
	*nr = rec->nr;
	return 0;
}

static int sync_once(struct policy_dir *pd, const struct policy_dir *old, int map_fd)
{
	struct cg_entry *want = NULL, *owned = NULL, *map = NULL, *both = NULL;
	size_t nr_want = 0, nr_owned = 0, nr_map = 0, max = 0, i;
	struct owned_set rec = { 0 };
	struct cg_plan plan = { 0 };
	bool reload, record;
	__u64 *ids = NULL;
	__u32 map_id = 0;
	int ret;

	ret = map_limits(map_fd, SCX_XCR0_MAP_CGROUP, &map_id, &max);
	if (ret)
		return ret;
	reload = old || pd->map_id != map_id;
	ret = owned_now(pd, old, map_id, &rec, &owned, &nr_owned);
	if (ret)
		goto out;

	ids = calloc(pd->nr + 1, sizeof(*ids));
	want = malloc((pd->nr + 1) * sizeof(*want));
	both = malloc((pd->nr + nr_owned + 1) * sizeof(*both));
	if (!ids || !want || !both) {
		ret = fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < pd->nr; i++) {
		if (cgroup_id(pd->rules[i].path, &ids[i]))
			ids[i] = 0;
		else
			want[nr_want++] = (struct cg_entry){
				.id = ids[i],
				.val = pd->rules[i].val,
				.path = pd->rules[i].path,
			};
	}
	/* the follow-up each second: nothing to do unless a cgroup came or went */
	if (!reload) {
		for (i = 0; i < pd->nr && ids[i] == pd->rules[i].id; i++)
			;
		if (i == pd->nr)
			goto out;
	}
	ret = map_dump(map_fd, max, &map, &nr_map);
	if (!ret)
		ret = cg_plan(want, nr_want, owned, nr_owned, map, nr_map, reload, pd->nr, max,
			      &plan);
	if (ret)
		goto out;

	/*
	 * Record first what the policy owns before and after, so that a daemon
	 * killed midway leaves a record that covers every entry it wrote; and
	 * when it is done, exactly what it owns.
	 */
	memcpy(both, owned, nr_owned * sizeof(*both));
	memcpy(both + nr_owned, want, nr_want * sizeof(*both));
	record = !same_set(owned, nr_owned, want, nr_want);
	if (record && policy_owned_write(POLICY_OWNED_FILE, map_id, both, nr_owned + nr_want)) {
		/* the policy itself can still be applied: say what is lost */
		say("warning: %s; a daemon started later may not remove the entries of rules removed meanwhile",
			fail_msg());
		fail_clear();
		record = false;
	}
	ret = cg_apply(&plan, &bpf_ops, &map_fd);
	if (ret)
		goto out;
	if (record && policy_owned_write(POLICY_OWNED_FILE, map_id, want, nr_want)) {
		say("warning: %s; the record keeps entries the policy no longer owns",
			fail_msg());
		fail_clear();
	}
	if (reload)
		say("policy: %zu entries added, %zu changed, %zu removed; %zu left to others",
			plan.nr_add, plan.nr_change, plan.nr_del, plan.foreign);
	commit(pd, ids, map_id);
	ret = plan.nr > 0;
out:
	cg_plan_free(&plan);
	policy_owned_free(&rec);
	free(ids);
	free(want);
	free(owned);
	free(map);
	free(both);
	return ret;
}

int policy_dir_sync(struct policy_dir *pd, const struct policy_dir *old, int map_fd)
{
	int ret = sync_once(pd, old, map_fd);

	if (ret >= 0 || old) {
		if (ret >= 0) {
			free(pd->last_err);
			pd->last_err = NULL;
		}
		return ret;
	}
	/* a follow-up fails each second until something changes: say it once */
	if (pd->last_err && fail_msg() && !strcmp(pd->last_err, fail_msg())) {
		fail_clear();
		return -EALREADY;
	}
	free(pd->last_err);
	pd->last_err = fail_msg() ? strdup(fail_msg()) : NULL;
	return ret;
}
