// SPDX-License-Identifier: GPL-2.0
/*
 * The policy directory against the shared xcr0_cgroup map
 * (loader/policy_plan.c) with a fake map: which entries a reload or a
 * follow-up adds, changes and deletes, the limits for the whole policy,
 * rollback to exactly the old contents after a failure at any step; and
 * the record of owned entries (loader/policy_owned.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scx_xcr0.h"
#include "policy_owned.h"
#include "policy_plan.h"
#include "util.h"
#include "unit.h"

#define MAX_E		8

struct e {
	__u64 id, val;
};

struct set {
	size_t nr;
	struct e e[MAX_E];
};

struct op {
	enum cg_op_kind kind;
	__u64 id, val, old;
};

static const struct {
	const char *what;
	bool reload;
	struct set want, owned, map;
	size_t nr_ops;
	struct op ops[MAX_E];
	size_t foreign;
} plan_cases[] = {
	{ "nothing", true, {}, {}, {}, 0, {}, 0 },
	{ "first policy, empty map", true, { 2, { { 1, 3 }, { 2, 7 } } }, {}, {}, 2,
	  { { CG_ADD, 1, 3, 0 }, { CG_ADD, 2, 7, 0 } }, 0 },
	{ "unchanged", true, { 1, { { 1, 3 } } }, { 1, { { 1, 3 } } }, { 1, { { 1, 3 } } },
	  0, {}, 0 },
	{ "a rule's mask changed", true, { 1, { { 1, 7 } } }, { 1, { { 1, 3 } } },
	  { 1, { { 1, 3 } } }, 1, { { CG_CHANGE, 1, 7, 3 } }, 0 },
	{ "a rule removed", true, {}, { 1, { { 1, 3 } } }, { 2, { { 9, 5 }, { 1, 3 } } }, 1,
	  { { CG_DELETE, 1, 0, 3 } }, 1 },
	{ "a removed rule's entry overwritten by set --cgroup stays", true, {},
	  { 1, { { 1, 3 } } }, { 1, { { 1, 7 } } }, 0, {}, 1 },
	{ "a removed rule's entry already cleared", true, {}, { 1, { { 1, 3 } } }, {}, 0, {},
	  0 },
	{ "a reload writes a rule over set --cgroup", true, { 1, { { 1, 3 } } },
	  { 1, { { 1, 3 } } }, { 1, { { 1, 7 } } }, 1, { { CG_CHANGE, 1, 3, 7 } }, 0 },
	{ "a follow-up leaves set --cgroup over a rule", false, { 1, { { 1, 3 } } },
	  { 1, { { 1, 3 } } }, { 1, { { 1, 7 } } }, 0, {}, 0 },
	{ "a follow-up leaves a cleared rule cleared", false, { 1, { { 1, 3 } } },
	  { 1, { { 1, 3 } } }, {}, 0, {}, 0 },
	{ "a follow-up adds a cgroup that appeared", false, { 2, { { 1, 3 }, { 2, 7 } } },
	  { 1, { { 1, 3 } } }, { 2, { { 1, 3 }, { 8, 3 } } }, 1, { { CG_ADD, 2, 7, 0 } }, 1 },
	{ "a follow-up moves a recreated cgroup's entry", false, { 1, { { 5, 3 } } },
	  { 1, { { 1, 3 } } }, { 1, { { 1, 3 } } }, 2,
	  { { CG_DELETE, 1, 0, 3 }, { CG_ADD, 5, 3, 0 } }, 0 },
	{ "a rule takes over an entry of others", true, { 1, { { 4, 3 } } }, {},
	  { 2, { { 4, 7 }, { 6, 7 } } }, 1, { { CG_CHANGE, 4, 3, 7 } }, 1 },
	{ "deletes, then changes, then adds", true,
	  { 3, { { 30, 3 }, { 20, 7 }, { 10, 3 } } }, { 3, { { 20, 3 }, { 40, 3 }, { 5, 3 } } },
	  { 4, { { 20, 3 }, { 40, 3 }, { 5, 3 }, { 7, 1 } } }, 5,
	  { { CG_DELETE, 5, 0, 3 }, { CG_DELETE, 40, 0, 3 }, { CG_CHANGE, 20, 7, 3 },
	    { CG_ADD, 10, 3, 0 }, { CG_ADD, 30, 3, 0 } }, 1 },
	{ "a new daemon: the record's removed rule goes, others stay", true,
	  { 1, { { 2, 3 } } }, { 2, { { 1, 3 }, { 2, 3 } } },
	  { 3, { { 1, 3 }, { 2, 3 }, { 3, 3 } } }, 1, { { CG_DELETE, 1, 0, 3 } }, 1 },
	{ "a record with the values before and after a change: either is ours", true, {},
	  { 3, { { 1, 3 }, { 1, 7 }, { 2, 3 } } }, { 2, { { 1, 7 }, { 2, 5 } } }, 1,
	  { { CG_DELETE, 1, 0, 7 } }, 1 },
	{ "a key seen twice in the map walk", true, { 1, { { 1, 3 } } }, {},
	  { 3, { { 2, 5 }, { 1, 3 }, { 2, 5 } } }, 0, {}, 1 },
	{ "live bit is part of the value", true, { 1, { { 1, 3 | SCX_XCR0_VAL_LIVE } } },
	  { 1, { { 1, 3 } } }, { 1, { { 1, 3 } } }, 1,
	  { { CG_CHANGE, 1, 3 | SCX_XCR0_VAL_LIVE, 3 } }, 0 },
};

/* The recorded message, "" if none. */
static const char *msg(void)
{
	return fail_msg() ? fail_msg() : "";
}

static void to_entries(const struct set *s, struct cg_entry *out)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		out[i] = (struct cg_entry){ .id = s->e[i].id, .val = s->e[i].val, .path = "p" };
}

static void test_plan(struct unit *u)
{
	struct cg_entry w[MAX_E], o[MAX_E], m[MAX_E];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(plan_cases); i++) {
		typeof(plan_cases[0]) *c = &plan_cases[i];
		struct cg_plan p = { 0 };
		int ret;

		to_entries(&c->want, w);
		to_entries(&c->owned, o);
		to_entries(&c->map, m);
		fail_clear();
		ret = cg_plan(w, c->want.nr, o, c->owned.nr, m, c->map.nr, c->reload,
			      c->want.nr, 100, &p);
		if (ret) {
			unit_fail(u, "%s: %s", c->what, fail_msg());
			continue;
		}
		if (p.nr != c->nr_ops || p.foreign != c->foreign ||
		    p.nr_add + p.nr_change + p.nr_del != p.nr) {
			unit_fail(u, "%s: %zu ops (%zu foreign), want %zu (%zu)", c->what, p.nr,
				  p.foreign, c->nr_ops, c->foreign);
		} else {
			for (j = 0; j < p.nr; j++) {
				const struct op *x = &c->ops[j];
				const struct cg_op *y = &p.ops[j];

				if (x->kind != y->kind || x->id != y->id || x->val != y->val ||
				    x->old != y->old) {
					unit_fail(u, "%s: op %zu is %d id %llu val %#llx old %#llx",
						  c->what, j, y->kind, (unsigned long long)y->id,
						  (unsigned long long)y->val,
						  (unsigned long long)y->old);
					break;
				}
			}
		}
		cg_plan_free(&p);
	}
	fail_clear();
}

/* @n entries with ids from @first, value 3. */
static struct cg_entry *many(__u64 first, size_t n)
{
	struct cg_entry *e = calloc(n + 1, sizeof(*e));
	size_t i;

	for (i = 0; e && i < n; i++)
		e[i] = (struct cg_entry){ .id = first + i, .val = 3 };
	return e;
}

static void test_limits(struct unit *u)
{
	const size_t max = SCX_XCR0_MAX_CGROUPS;
	struct cg_entry *a = many(1, 3000), *f = many(100000, 1097), *m = many(1, 4097);
	struct cg_entry dup[2] = { { 5, 3, "/sys/fs/cgroup/a" }, { 5, 7, "/sys/fs/cgroup/b" } };
	struct cg_plan p = { 0 };
	int ret;

	if (!a || !f || !m) {
		unit_fail(u, "out of memory");
		goto out;
	}
	/* map: 3000 owned (already in) + 1096 of others: just fits */
	memcpy(m, a, 3000 * sizeof(*m));
	memcpy(m + 3000, f, 1097 * sizeof(*m));
	fail_clear();
	ret = cg_plan(a, 3000, a, 3000, m, 4096, true, 3000, max, &p);
	if (ret || p.foreign != 1096)
		unit_fail(u, "3000 rules + 1096 others: %d %s", ret, fail_msg());
	cg_plan_free(&p);

	/* one entry of others more: refused, though the map has room left */
	fail_clear();
	ret = cg_plan(a, 3000, a, 3000, m, 4097, true, 3000, max, &p);
	if (ret != -ENOSPC || !fail_msg() ||
	    !strstr(fail_msg(), "3000 rule(s) and 1097 entries written by others") ||
	    p.ops)
		unit_fail(u, "3000 rules + 1097 others: %d '%s'", ret, fail_msg());

	/* rules whose cgroups do not exist yet count too: they need room later */
	fail_clear();
	ret = cg_plan(a, 10, NULL, 0, f, 1097, true, 3000, max, &p);
	if (ret != -ENOSPC)
		unit_fail(u, "10 of 3000 rules resolved + 1097 others: %d", ret);

	/* a follow-up only needs room for what it adds: a cgroup that appeared */
	a[10] = (struct cg_entry){ .id = 999999, .val = 3 };
	fail_clear();
	ret = cg_plan(a, 11, a, 10, m, 4096, false, 3000, max, &p);
	if (ret != -ENOSPC || !strstr(msg(), "would hold 4097"))
		unit_fail(u, "follow-up into a full map: %d '%s'", ret, fail_msg());
	cg_plan_free(&p);
	/* and one whose cgroup went makes room for it */
	fail_clear();
	ret = cg_plan(a + 1, 10, a, 10, m, 4096, false, 3000, max, &p);
	if (ret || p.nr_del != 1 || p.nr_add != 1)
		unit_fail(u, "follow-up that deletes one and adds one to a full map: %d %s",
			  ret, fail_msg());
	cg_plan_free(&p);

	fail_clear();
	ret = cg_plan(dup, 2, NULL, 0, NULL, 0, true, 2, max, &p);
	if (ret != -EINVAL ||
	    !strstr(msg(), "/sys/fs/cgroup/a and /sys/fs/cgroup/b are the same cgroup"))
		unit_fail(u, "one cgroup id twice: %d '%s'", ret, fail_msg());
out:
	fail_clear();
	free(a);
	free(f);
	free(m);
}

/* ---- a fake map ---------------------------------------------------------- */

#define FAKE_MAX	64

struct fake {
	size_t nr, max;
	struct e e[FAKE_MAX];
	int ops;		/* mutations so far */
	int fail_at;		/* the mutation that fails (-1: none) */
	int fail_undo;		/* and one more in the rollback (-1: none) */
};

static struct e *fake_find(struct fake *f, __u64 id)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (f->e[i].id == id)
			return &f->e[i];
	return NULL;
}

static int fake_fails(struct fake *f)
{
	int n = f->ops++;

	return n == f->fail_at || n == f->fail_undo;
}

static int fake_update(void *ctx, __u64 id, __u64 val)
{
	struct fake *f = ctx;
	struct e *e = fake_find(f, id);

	if (fake_fails(f))
		return -EIO;
	if (e) {
		e->val = val;
		return 0;
	}
	if (f->nr == f->max)
		return -E2BIG;	/* what a full BPF hash map says */
	f->e[f->nr++] = (struct e){ id, val };
	return 0;
}

static int fake_delete(void *ctx, __u64 id)
{
	struct fake *f = ctx;
	struct e *e = fake_find(f, id);

	if (fake_fails(f))
		return -EIO;
	if (!e)
		return -ENOENT;
	*e = f->e[--f->nr];
	return 0;
}

static const struct cg_map_ops fake_ops = {
	.update = fake_update,
	.delete = fake_delete,
};

static int cmp_e(const void *a, const void *b)
{
	const struct e *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool same(struct fake *a, struct fake *b)
{
	qsort(a->e, a->nr, sizeof(a->e[0]), cmp_e);
	qsort(b->e, b->nr, sizeof(b->e[0]), cmp_e);
	return a->nr == b->nr && !memcmp(a->e, b->e, a->nr * sizeof(a->e[0]));
}

static unsigned int seed = 1;

static unsigned int rnd(unsigned int n)
{
	seed = seed * 1103515245 + 12345;
	return (seed >> 16) % n;
}

/*
 * A random old policy (installed, some entries overwritten or cleared
 * since), others' entries, a random new policy: the plan applied gives
 * what the rules say; a failure at any operation leaves the map exactly as
 * it was.
 */
static void test_apply(struct unit *u)
{
	int err_fd = dup(2), null_fd = open("/dev/null", O_WRONLY);
	unsigned int round;

	/* the failed rollbacks print a line each; not interesting here */
	if (null_fd >= 0)
		dup2(null_fd, 2);

	for (round = 0; round < 300; round++) {
		struct cg_entry owned[16], want[16], map[FAKE_MAX];
		size_t nr_owned = 0, nr_want = 0, nr_map, i;
		struct fake before = { .max = 24 + rnd(8), .fail_at = -1, .fail_undo = -1 };
		struct fake f, want_map;
		struct cg_plan p = { 0 };
		bool reload = rnd(2);
		int k, ret;

		/* ids 1-15: maybe owned, maybe wanted; 100+: others' */
		for (i = 1; i < 16; i++) {
			__u64 val = 1 + rnd(3);
			unsigned int r = rnd(4);

			if (rnd(2)) {
				owned[nr_owned++] = (struct cg_entry){ .id = i, .val = val };
				if (r == 1)	/* overwritten by set --cgroup */
					before.e[before.nr++] = (struct e){ i, val + 8 };
				else if (r != 2)	/* r == 2: cleared */
					before.e[before.nr++] = (struct e){ i, val };
			} else if (r == 3) {
				before.e[before.nr++] = (struct e){ i, 7 };
			}
			if (rnd(2))
				want[nr_want++] = (struct cg_entry){ .id = i, .val = 1 + rnd(3) };
		}
		for (i = 0; i < rnd(8); i++)
			before.e[before.nr++] = (struct e){ 100 + i, 5 };
		if (before.nr > before.max)
			before.max = before.nr;
		for (nr_map = 0; nr_map < before.nr; nr_map++)
			map[nr_map] = (struct cg_entry){ .id = before.e[nr_map].id,
							 .val = before.e[nr_map].val };

		fail_clear();
		ret = cg_plan(want, nr_want, owned, nr_owned, map, nr_map, reload, nr_want,
			      before.max, &p);
		if (ret == -ENOSPC)
			continue;
		if (ret) {
			unit_fail(u, "round %u: plan: %s", round, fail_msg());
			break;
		}

		/* what the map should hold afterwards, by the rules of policy_plan.h */
		want_map = before;
		for (i = 0; i < nr_owned; i++) {
			struct e *e = fake_find(&want_map, owned[i].id);
			bool wanted = false;
			size_t j;

			for (j = 0; j < nr_want; j++)
				wanted |= want[j].id == owned[i].id;
			if (!wanted && e && e->val == owned[i].val)
				*e = want_map.e[--want_map.nr];
		}
		for (i = 0; i < nr_want; i++) {
			bool was_owned = false;
			size_t j;

			for (j = 0; j < nr_owned; j++)
				was_owned |= owned[j].id == want[i].id;
			if (reload || !was_owned)
				fake_update(&want_map, want[i].id, want[i].val);
		}

		f = before;
		if (cg_apply(&p, &fake_ops, &f) || !same(&f, &want_map)) {
			unit_fail(u, "round %u (%s): the map is not what the policy says: %s",
				  round, reload ? "reload" : "follow-up", fail_msg());
			cg_plan_free(&p);
			break;
		}

		/* fail at each operation in turn: all undone */
		for (k = 0; k < (int)p.nr; k++) {
			f = before;
			f.fail_at = k;
			fail_clear();
			ret = cg_apply(&p, &fake_ops, &f);
			if (ret != -EIO || !strstr(msg(), "back as they were")) {
				unit_fail(u, "round %u, failure at op %d: %d '%s'", round, k, ret,
					  fail_msg());
				break;
			}
			f.fail_at = -1;
			if (!same(&f, &before)) {
				unit_fail(u, "round %u, failure at op %d of %zu: not rolled back",
					  round, k, p.nr);
				break;
			}
		}
		/* a rollback that fails too says so */
		if (p.nr >= 2) {
			f = before;
			f.fail_at = (int)p.nr - 1;
			f.fail_undo = (int)p.nr;
			fail_clear();
			ret = cg_apply(&p, &fake_ops, &f);
			if (!ret || !strstr(msg(), "rolling back failed for 1"))
				unit_fail(u, "round %u: failed rollback: %d '%s'", round, ret,
					  fail_msg());
		}
		cg_plan_free(&p);
	}
	fail_clear();
	if (err_fd >= 0) {
		dup2(err_fd, 2);
		close(err_fd);
	}
	if (null_fd >= 0)
		close(null_fd);
}

/* A full map: the add fails with E2BIG midway, the deletes and changes before are undone. */
static void test_apply_full(struct unit *u)
{
	struct fake f = { .max = 3, .nr = 3, .fail_at = -1, .fail_undo = -1,
			  .e = { { 1, 3 }, { 2, 3 }, { 9, 5 } } }, before = f;
	struct cg_entry owned[] = { { 1, 3, "/a" }, { 2, 3, "/b" } };
	struct cg_entry want[] = { { 2, 7, "/b" }, { 3, 3, "/c" }, { 4, 3, "/d" } };
	struct cg_entry map[] = { { 1, 3, NULL }, { 2, 3, NULL }, { 9, 5, NULL } };
	struct cg_plan p = { 0 };
	int ret;

	fail_clear();
	/* the map claims more room than it has, like one shrunk behind our back */
	ret = cg_plan(want, 3, owned, 2, map, 3, true, 3, 8, &p);
	if (ret) {
		unit_fail(u, "plan: %s", fail_msg());
		return;
	}
	ret = cg_apply(&p, &fake_ops, &f);
	if (ret != -E2BIG || !strstr(msg(), "cannot add the entry of /d"))
		unit_fail(u, "apply: %d '%s'", ret, fail_msg());
	if (!same(&f, &before))
		unit_fail(u, "the map is not as it was");
	cg_plan_free(&p);
	fail_clear();
}

/* ---- the record ---------------------------------------------------------- */

static void test_record(struct unit *u)
{
	char top[] = "/tmp/scx_xcr0_owned_XXXXXX", file[PATH_MAX], cmd[PATH_MAX + 16];
	struct cg_entry e[] = {
		{ 12, 3, "/sys/fs/cgroup/a" },
		{ 7, 7 | SCX_XCR0_VAL_LIVE, "/sys/fs/cgroup/b/c" },
	};
	struct owned_set s = { 0 };
	struct stat st = { 0 };
	int ret, fd;

	if (!mkdtemp(top)) {
		unit_skip(u, "cannot create a directory in /tmp");
		return;
	}
	/* the directory is created as needed, like /run/scx_xcr0 */
	snprintf(file, sizeof(file), "%s/run/owned", top);
	fail_clear();
	ret = policy_owned_read(file, 42, &s);
	if (ret || s.nr)
		unit_fail(u, "no record: %d, %zu entries", ret, s.nr);
	ret = policy_owned_write(file, 42, e, 2);
	if (!ret)
		ret = policy_owned_read(file, 42, &s);
	if (ret || s.nr != 2 || s.e[0].id != 12 || s.e[0].val != 3 ||
	    strcmp(s.e[0].path, e[0].path) || s.e[1].id != 7 || s.e[1].val != e[1].val ||
	    strcmp(s.e[1].path, e[1].path))
		unit_fail(u, "round trip: %d %s, %zu entries", ret, fail_msg(), s.nr);
	policy_owned_free(&s);
	/* it repeats the policy files, which may be private */
	if (stat(file, &st) || (st.st_mode & 07777) != 0600)
		unit_fail(u, "record mode %04o, want 0600", (unsigned int)(st.st_mode & 07777));

	/* a record of an earlier map owns nothing in this one */
	ret = policy_owned_read(file, 43, &s);
	if (ret || s.nr)
		unit_fail(u, "record of another map: %d, %zu entries", ret, s.nr);

	/* only root may have written it */
	if (!geteuid()) {
		if (chown(file, 65534, 0) == 0) {
			ret = policy_owned_read(file, 42, &s);
			if (ret != -EPERM || s.nr || !strstr(fail_msg(), "not trusted"))
				unit_fail(u, "record of another user: %d '%s'", ret, fail_msg());
			fail_clear();
			if (chown(file, 0, 0))
				unit_fail(u, "chown back");
		}
		if (chmod(file, 0664) == 0) {
			ret = policy_owned_read(file, 42, &s);
			if (ret != -EPERM || s.nr)
				unit_fail(u, "group-writable record: %d '%s'", ret, fail_msg());
			fail_clear();
		}
	}

	fd = open(file, O_WRONLY | O_TRUNC);
	if (fd < 0 || fchmod(fd, 0644) ||
	    write(fd, "map 42\n12 0x3 /sys/fs/cgroup/a\n12 three\n", 40) != 40) {
		unit_fail(u, "cannot write %s", file);
	} else {
		ret = policy_owned_read(file, 42, &s);
		if (ret != -EINVAL || s.nr || !strstr(fail_msg(), "owned:3: not a line"))
			unit_fail(u, "corrupt record: %d '%s'", ret, fail_msg());
		fail_clear();
	}
	if (fd >= 0)
		close(fd);

	/* a symlink is not followed */
	unlink(file);
	if (symlink("/etc/passwd", file) == 0) {
		ret = policy_owned_read(file, 42, &s);
		if (ret != -ELOOP)
			unit_fail(u, "symlink record: %d '%s'", ret, fail_msg());
		fail_clear();
	}
	/* a write replaces it, not what it points to */
	if (policy_owned_write(file, 42, e, 1) || policy_owned_read(file, 42, &s) || s.nr != 1)
		unit_fail(u, "write over a symlink: %s", fail_msg());
	policy_owned_free(&s);
	fail_clear();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		unit_fail(u, "cannot remove %s", top);
}

static const struct unit_test tests[] = {
	{ "policy_plan_cases",		test_plan },
	{ "policy_plan_limits",		test_limits },
	{ "policy_apply_rollback",	test_apply },
	{ "policy_apply_full_map",	test_apply_full },
	{ "policy_owned_record",	test_record },
};

int main(void)
{
	return unit_main(tests, ARRAY_SIZE(tests));
}
