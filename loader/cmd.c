// SPDX-License-Identifier: GPL-2.0
/*
 * The policy commands set, clear and get, and what every command shares.
 * They work on the pinned maps directly, so they need root and the maps,
 * not the daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "xcr0_resolve.h"
#include "cgroup.h"
#include "cli.h"
#include "cpu.h"
#include "ctl_client.h"
#include "lock.h"
#include "maps.h"
#include "mask.h"
#include "output.h"
#include "pidfd.h"
#include "sched_ext.h"
#include "task.h"
#include "util.h"

/* A command line's target: exactly one of --pid, --tid, --cgroup. */
struct cli_target {
	struct target t;
	const char *arg;	/* as given */
	char path[PATH_MAX];	/* cgroup */
	struct task_info ti;	/* pid, tid */
	bool have;
	bool cgroup_arg;	/* --cgroup PATH, not --cgroup-id */
	bool live;		/* --live */
};

/* What parse_target() accepts beyond a target and the common options. */
#define PT_CGROUP_ID	(1U << 0)	/* --cgroup-id */
#define PT_LIVE		(1U << 1)	/* --live */

enum {
	OPT_PID = 'p',
	OPT_TID = 't',
	OPT_CGROUP = 'c',
	OPT_CGROUP_ID = 'C',
	OPT_JSON = 'j',
	OPT_LIVE = 'l',
};

static const struct option target_opts[] = {
	{ "pid", required_argument, NULL, OPT_PID },
	{ "tid", required_argument, NULL, OPT_TID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "cgroup-id", required_argument, NULL, OPT_CGROUP_ID },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int bad_option(const char *cmd, char **argv)
{
	return fail_usage("bad option or missing argument '%s'; see `scx_xcr0 %s -h`",
			  argv[optind - 1], cmd);
}

/*
 * One of the options every command takes (--json, -v, -h), as getopt
 * returned it: 0 when taken, 1 when help was printed, -EINVAL otherwise.
 */
int cli_common_option(const char *cmd, int opt, char **argv, void (*help)(FILE *))
{
	switch (opt) {
	case OPT_JSON:
		json_out = true;
		return 0;
	case 'v':
		verbose = true;
		return 0;
	case 'h':
		help(stdout);
		return 1;
	default:
		return bad_option(cmd, argv);
	}
}

static int add_target(struct cli_target *ct, int opt, const char *arg)
{
	unsigned long long id;

	if (ct->have)
		return fail_usage("give exactly one of --pid, --tid, --cgroup");
	ct->have = true;
	ct->arg = arg;
	switch (opt) {
	case OPT_PID:
	case OPT_TID:
		ct->t.kind = opt == OPT_PID ? TARGET_PID : TARGET_TID;
		if (!parse_u32(arg, &ct->t.id) || !ct->t.id || ct->t.id > INT_MAX)
			return fail_usage("--%s wants a process or thread id, not '%s'",
					  opt == OPT_PID ? "pid" : "tid", arg);
		return 0;
	case OPT_CGROUP_ID:
		ct->t.kind = TARGET_CGROUP;
		if (!parse_u64(arg, &id) || !id)
			return fail_usage("--cgroup-id wants a cgroup id, not '%s'", arg);
		ct->t.cgid = id;
		return 0;
	default:
		/* resolved by resolve_cgroup(), once every argument is checked */
		ct->t.kind = TARGET_CGROUP;
		ct->cgroup_arg = true;
		return 0;
	}
}

/* The cgroup --cgroup names, looked up after the arguments were checked. */
static int resolve_cgroup(struct cli_target *ct)
{
	if (!ct->cgroup_arg)
		return 0;
	return cgroup_resolve(ct->arg, ct->path, sizeof(ct->path), &ct->t.cgid);
}

/*
 * Parse "[--json] [-v] (--pid P | --tid T | --cgroup PATH) ARGS..." leaving
 * optind at the first argument. @flags (PT_*) allow more options.
 */
static int parse_target(const char *cmd, int argc, char **argv, unsigned int flags,
			struct cli_target *ct, void (*help)(FILE *))
{
	int opt, ret;

	memset(ct, 0, sizeof(*ct));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "vh", target_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_PID:
		case OPT_TID:
		case OPT_CGROUP:
		case OPT_CGROUP_ID:
			if (opt == OPT_CGROUP_ID && !(flags & PT_CGROUP_ID))
				return bad_option(cmd, argv);
			ret = add_target(ct, opt, optarg);
			if (ret)
				return ret;
			break;
		case OPT_LIVE:
			if (!(flags & PT_LIVE))
				return bad_option(cmd, argv);
			ct->live = true;
			break;
		default:
			ret = cli_common_option(cmd, opt, argv, help);
			if (ret)
				return ret;
		}
	}
	if (!ct->have)
		return fail_usage("say whose mask: --pid P, --tid T or --cgroup PATH");
	return 0;
}

int cli_supported(const struct pinned *m, __u64 *supported)
{
	struct scx_xcr0_info info;
	int ret = maps_info(m, &info);

	if (!ret)
		*supported = info.supported;
	else if (ret == -ENOENT)
		*supported = xcr0_supported();
	return ret == -ENOENT ? 0 : ret;
}

int cli_parse_mask(const char *s, __u64 *mask, __u64 *supported)
{
	char err[512];
	struct pinned m;
	int ret;

	if (!maps_open(&m)) {
		ret = cli_supported(&m, supported);
		maps_close(&m);
		if (ret)
			return ret;
	} else {
		/* no daemon, no root: the rules and this CPU still judge the mask */
		fail_clear();
		*supported = xcr0_supported();
	}
	if (xcr0_parse_mask(s, *supported, mask, err, sizeof(err)))
		return fail_usage("%s", err);
	return 0;
}

static void target_desc(const struct cli_target *ct, char *buf, size_t len)
{
	switch (ct->t.kind) {
	case TARGET_CGROUP:
		if (ct->path[0])
			snprintf(buf, len, "cgroup %s", ct->path);
		else
			snprintf(buf, len, "cgroup id %llu", (unsigned long long)ct->t.cgid);
		break;
	default:
		if (ct->ti.comm[0])
			snprintf(buf, len, "%s %u (%s)", target_name(ct->t.kind), ct->t.id,
				 ct->ti.comm);
		else
			snprintf(buf, len, "%s %u", target_name(ct->t.kind), ct->t.id);
	}
}

static void json_target(struct json *j, const struct cli_target *ct)
{
	json_str(j, "target", target_name(ct->t.kind));
	if (ct->t.kind == TARGET_CGROUP) {
		json_u64(j, "id", ct->t.cgid);
		json_str(j, "path", ct->path[0] ? ct->path : NULL);
	} else {
		json_u64(j, "id", ct->t.id);
		json_str(j, "comm", ct->ti.comm[0] ? ct->ti.comm : NULL);
	}
}

static void help_set(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 set (--pid P | --tid T | --cgroup PATH) [--live] MASK [--json]\n"
		"  Give a process (every thread), a thread or a cgroup (and its\n"
		"  descendants without an entry of their own) the XCR0 mask MASK. It\n"
		"  becomes their pending mask: each program gets it when it next calls\n"
		"  execve(); running programs keep the mask they started with.\n"
		"  --live applies it to running programs too (bit 63 of the entry),\n"
		"  for programs that re-check the CPU or use no SIMD state: code a\n"
		"  program chose at startup for a removed component raises SIGILL.\n"
		"  Precedence: tid > pid > nearest cgroup > the daemon's --default.\n"
		"  MASK 'none' is an entry meaning no restriction. A process's entry\n"
		"  goes to the processes it forks and is dropped when it exits.\n"
		"  PATH: /sys/fs/cgroup/a/b, /a/b or a/b. A MASK that starts with '-'\n"
		"  goes after `--`: set --pid 42 -- -pkru.\n");
}

/* When a value takes effect, for messages. */
static const char *val_when(__u64 val)
{
	return val & SCX_XCR0_VAL_LIVE ? "live: running programs too, at once" :
	       "pending: each program gets it at its next execve()";
}

/* entry_write() of @t through the maps; a task's held as a pidfd from before the write. */
static int set_direct(const struct pinned *m, const struct target *t, __u64 val)
{
	int pidfd = -1, ret;

	if (t->kind != TARGET_CGROUP) {
		pidfd = pidfd_task(t->id, t->kind == TARGET_TID);
		if (pidfd < 0)
			return fail(-ESRCH, "no task with id %u (see /proc)", t->id);
	}
	ret = entry_write(m, t, pidfd, val);
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

int cmd_set(int argc, char **argv)
{
	struct ctl_reply rep;
	struct cli_target ct;
	struct pinned m;
	char desc[PATH_MAX + 32];
	__u64 mask, supported, val;
	bool sock;
	int ret;

	ret = parse_target("set", argc, argv, PT_LIVE, &ct, help_set);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc - 1)
		return fail_usage("set wants one MASK after the target; see `scx_xcr0 set -h`");
	ret = cli_parse_mask(argv[optind], &mask, &supported);
	if (ret)
		return ret;
	if (ct.t.kind != TARGET_CGROUP)
		ret = task_check_target(ct.t.id, ct.t.kind == TARGET_PID, &ct.ti);
	else
		ret = resolve_cgroup(&ct);
	if (ret)
		return ret;
	ret = ctl_maps_or_socket(&m, &sock);
	if (ret)
		return ret;
	val = mask | (ct.live ? SCX_XCR0_VAL_LIVE : 0);
	if (sock) {
		ret = ctl_entry(CTL_OP_SET, &ct.t, val, &rep);
	} else {
		ret = set_direct(&m, &ct.t, val);
	}
	if (ret)
		goto out;

	target_desc(&ct, desc, sizeof(desc));
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, &ct);
		json_val(&j, "mask", val);
		json_bool(&j, "attached", sock || scx_xcr0_attached());
		json_end(&j);
	} else {
		printf("%s: %s, %s\n", esc(desc), mask_str(mask), val_when(val));
	}
	/* a daemon that answers on the socket has its scheduler attached */
	if (!sock && !scx_xcr0_attached())
		say("note: the scheduler is not attached; the entry applies once `scx_xcr0 daemon` runs");
	else if (ct.live && mask && (supported & ~mask))
		say("note: code that programs of %s chose at startup for the components this mask removes now raises SIGILL",
			esc(desc));
out:
	if (!sock)
		maps_close(&m);
	return ret;
}

static void help_clear(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 clear (--pid P | --tid T | --cgroup PATH | --cgroup-id ID) [--live] [--json]\n"
		"  Remove an entry; the next precedence level applies again, to each\n"
		"  program at its next execve(). --live gives the threads the entry\n"
		"  covered that mask at once, running programs included (see set -h).\n"
		"  The process, thread or cgroup need not exist any more (--cgroup-id\n"
		"  for a removed cgroup, as `scx_xcr0 list` shows it).\n");
}

/* How one entry the precedence walk found fared during a get. */
struct hop {
	enum scx_xcr0_src src;
	int depth;		/* cgroup: levels above the task's own */
	__u64 key;
	char path[PATH_MAX];	/* cgroup */
	__u64 val;
	int rule;		/* scx_xcr0_val_check() result, XCR0_OK if usable */
};

#define MAX_HOPS	(SCX_XCR0_CGROUP_MAX_DEPTH + 3)

/*
 * One walk of xcr0_resolve.h over the pinned maps: what the lookups need
 * (a task's ids, its scheduler storage, the cgroup path being walked) and
 * the entries they found, in precedence order, for `get` to explain.
 */
struct resolution {
	const struct pinned *m;
	__u64 supported;
	pid_t tid, tgid;		/* 0 for a cgroup */
	const struct scx_xcr0_task *tv;	/* the task's storage, NULL if unknown */
	char cur[PATH_MAX];		/* the cgroup at the depth asked last */
	struct hop hops[MAX_HOPS];
	int nr;
	int used;			/* index of the one that applies, or -1 */
	struct scx_xcr0_resolved res;
};

static int hop_add(struct resolution *r, enum scx_xcr0_src src, int depth, __u64 key, __u64 val)
{
	struct hop *h;

	/* the walk's bound keeps within MAX_HOPS; the depth probe is not a hop */
	if (r->nr == MAX_HOPS || depth >= SCX_XCR0_CGROUP_MAX_DEPTH)
		return SCX_XCR0_FOUND_ENTRY;
	h = &r->hops[r->nr++];
	h->src = src;
	h->depth = depth;
	h->key = key;
	snprintf(h->path, sizeof(h->path), "%s", src == SCX_XCR0_SRC_CGROUP ? r->cur : "");
	h->val = val;
	h->rule = scx_xcr0_val_check(val, r->supported);
	return SCX_XCR0_FOUND_ENTRY;
}

/* The pinned maps' entry of one precedence level (see xcr0_resolve.h). */
static int scx_xcr0_lookup(void *ctx, enum scx_xcr0_src level, int depth, __u64 *val)
{
	struct resolution *r = ctx;
	struct target t = { .kind = TARGET_TID, .id = r->tid };

	switch (level) {
	case SCX_XCR0_SRC_PID:
		t.kind = TARGET_PID;
		t.id = r->tgid;
		/* fall through */
	case SCX_XCR0_SRC_TID:
		if (!t.id || entry_get(r->m, &t, val))
			return SCX_XCR0_FOUND_NONE;
		return hop_add(r, level, 0, t.id, *val);
	case SCX_XCR0_SRC_PID_KEPT:
		if (!r->tv || !r->tv->kept_valid)
			return SCX_XCR0_FOUND_NONE;
		*val = r->tv->kept;
		return hop_add(r, level, 0, r->tgid, *val);
	case SCX_XCR0_SRC_CGROUP:
		/* depths come in order: each is the parent of the one before */
		if (depth && cgroup_parent(r->cur))
			return SCX_XCR0_FOUND_END;
		t.kind = TARGET_CGROUP;
		if (cgroup_id(r->cur, &t.cgid) || entry_get(r->m, &t, val))
			return SCX_XCR0_FOUND_NONE;
		return hop_add(r, level, depth, t.cgid, *val);
	default:
		return SCX_XCR0_FOUND_NONE;
	}
}

/*
 * Resolve @r (ids, storage and pinned maps filled in) for the cgroup
 * @path, as the scheduler would; entry read errors count as no entry.
 */
static void resolve(struct resolution *r, const char *path, bool exempt, __u64 default_mask)
{
	int i;

	snprintf(r->cur, sizeof(r->cur), "%s", path);
	r->nr = 0;
	r->used = -1;
	scx_xcr0_resolve(r, exempt, r->supported, default_mask, &r->res);
	fail_clear();
	for (i = 0; i < r->nr; i++)
		if (r->hops[i].src == r->res.src && r->hops[i].depth == (int)r->res.depth)
			r->used = i;
}

/*
 * The daemon the scheduler leaves unmasked, as xcr0_info names it; 0 unless
 * that process is the daemon that started at daemon_start. A daemon_pid
 * written by hand names another process, which the scheduler masks like
 * any other: `get` must not call it exempt.
 */
static pid_t info_daemon(bool have_info, const struct scx_xcr0_info *info)
{
	return have_info && daemon_alive(info->daemon_pid, info->daemon_start) ?
	       info->daemon_pid : 0;
}

int cli_policy_of(const struct pinned *m, __u64 supported, const struct task_info *ti,
		  __u64 *val)
{
	struct scx_xcr0_info info;
	struct scx_xcr0_task tv;
	struct resolution *r;
	char cg[PATH_MAX];
	bool have_info;
	int ret;

	ret = cgroup_of_task(ti->tid, cg, sizeof(cg));
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return fail(-ENOMEM, "out of memory");
	have_info = !maps_info(m, &info);
	fail_clear();
	r->m = m;
	r->supported = supported;
	r->tid = ti->tid;
	r->tgid = ti->tgid;
	r->tv = maps_task(m, ti->tid, &tv) ? NULL : &tv;
	fail_clear();
	resolve(r, cg, scx_xcr0_exempt(ti->kthread, ti->tgid, info_daemon(have_info, &info)),
		have_info ? info.default_mask : 0);
	*val = r->res.val;
	free(r);
	return 0;
}

/* The threads an entry covers, collected before `clear --live` removes it. */
struct covered {
	const struct target *t;
	struct resolution *r;	/* scratch, with the maps and supported set */
	pid_t *tids;
	size_t nr, cap;
};

/* Whether @c's entry is the one that applies to thread @tid of @tgid. */
static bool covers(struct covered *c, pid_t tid, pid_t tgid)
{
	struct resolution *r = c->r;
	struct scx_xcr0_task tv;
	const struct hop *h;
	char cg[PATH_MAX];

	if (c->t->kind == TARGET_TID)
		return (__u32)tid == c->t->id;
	if (c->t->kind == TARGET_PID && (__u32)tgid != c->t->id)
		return false;
	if (cgroup_of_task(tid, cg, sizeof(cg)))
		return false;
	r->tid = tid;
	r->tgid = tgid;
	r->tv = maps_task(r->m, tid, &tv) ? NULL : &tv;
	resolve(r, cg, false, 0);
	if (r->used < 0)
		return false;
	h = &r->hops[r->used];
	if (c->t->kind == TARGET_PID)
		return h->src == SCX_XCR0_SRC_PID;
	return h->src == SCX_XCR0_SRC_CGROUP && h->key == c->t->cgid;
}

static int cover_one(pid_t tid, pid_t tgid, void *arg)
{
	struct covered *c = arg;
	bool hit;

	hit = covers(c, tid, tgid);
	fail_clear();
	if (!hit)
		return 0;
	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		pid_t *tids = realloc(c->tids, cap * sizeof(*tids));

		if (!tids)
			return fail(-ENOMEM, "out of memory");
		c->tids = tids;
		c->cap = cap;
	}
	c->tids[c->nr++] = tid;
	return 0;
}

int cmd_clear(int argc, char **argv)
{
	struct covered cov = { 0 };
	struct ctl_reply rep;
	struct cli_target ct;
	struct pinned m;
	char desc[PATH_MAX + 32];
	size_t i, live = 0;
	bool sock, deleted;
	int ret, err;
	__u64 old;

	ret = parse_target("clear", argc, argv, PT_CGROUP_ID | PT_LIVE, &ct, help_clear);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc)
		return fail_usage("clear takes no MASK; see `scx_xcr0 clear -h`");
	ret = resolve_cgroup(&ct);
	if (ret)
		return ret;
	if (ct.t.kind != TARGET_CGROUP && task_lookup(ct.t.id, &ct.ti))
		fail_clear();
	ret = ctl_maps_or_socket(&m, &sock);
	if (ret)
		return ret;
	target_desc(&ct, desc, sizeof(desc));
	if (sock) {
		/* which threads --live reaches is a walk over the maps: root's */
		if (ct.live)
			return fail(-EPERM, "clear --live needs the pinned maps (root); without --live, root or the daemon's admin group may clear through its socket");
		ret = ctl_entry(CTL_OP_CLEAR, &ct.t, 0, &rep);
		if (ret)
			return ret;
		old = rep.val;
		goto print;
	}
	ret = entry_get(&m, &ct.t, &old);
	if (!ret && ct.live) {
		cov.t = &ct.t;
		cov.r = calloc(1, sizeof(*cov.r));
		if (!cov.r) {
			ret = fail(-ENOMEM, "out of memory");
			goto out;
		}
		cov.r->m = &m;
		ret = cli_supported(&m, &cov.r->supported);
		if (!ret)
			ret = task_for_each(cover_one, &cov);
		if (ret && !fail_msg())
			ret = fail(ret, "cannot list the tasks in /proc: %s", strerror(-ret));
	}
	if (!ret)
		ret = entry_del(&m, &ct.t);
	if (ret == -ENOENT)
		ret = fail(-ENOENT, "%s has no entry (see `scx_xcr0 list`)", desc);
	deleted = !ret;
	for (i = 0; !ret && i < cov.nr; i++) {
		ret = maps_task_live_once(&m, cov.tids[i]);
		if (!ret)
			live++;
		else if (ret == -ENOENT)
			ret = 0;
	}
	/* after the live requests: the scheduler resolves at a bump */
	if (deleted) {
		err = maps_bump_gen(&m);
		if (!ret)
			ret = err;
	}
	if (ret)
		goto out;
print:
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, &ct);
		json_val(&j, "cleared", old);
		json_bool(&j, "live", ct.live);
		json_u64(&j, "live_threads", live);
		json_end(&j);
	} else if (ct.live) {
		printf("%s: entry %s cleared; %zu running thread(s) get what applies now at once\n",
		       esc(desc), val_str(old), live);
	} else {
		printf("%s: entry %s cleared; what applies now reaches each program at its next execve()\n",
		       esc(desc), val_str(old));
	}
out:
	free(cov.r);
	free(cov.tids);
	if (!sock)
		maps_close(&m);
	return ret;
}

static void json_hops(struct json *j, const struct resolution *r)
{
	int i;

	json_arr(j, "entries");
	for (i = 0; i < r->nr; i++) {
		const struct hop *h = &r->hops[i];

		json_obj(j, NULL);
		json_str(j, "kind", src_name(h->src));
		json_u64(j, "key", h->key);
		if (h->src == SCX_XCR0_SRC_CGROUP)
			json_str(j, "path", h->path);
		json_val(j, "mask", h->val);
		json_bool(j, "applies", i == r->used);
		json_str(j, "invalid", h->rule ? xcr0_rule_str(h->rule) : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_bool(j, "cgroup_walk_truncated", r->res.truncated);
}

static void print_hops(const struct resolution *r)
{
	int i;

	for (i = 0; i < r->nr; i++) {
		const struct hop *h = &r->hops[i];

		if (h->src == SCX_XCR0_SRC_CGROUP)
			printf("  %s cgroup %s: %s", i == r->used ? "*" : " ", esc(h->path),
			       val_str(h->val));
		else
			printf("  %s %s %llu: %s", i == r->used ? "*" : " ",
			       src_name(h->src), (unsigned long long)h->key,
			       val_str(h->val));
		if (h->src == SCX_XCR0_SRC_PID_KEPT)
			printf("  (kept by the task: %s was full when it was forked)",
			       SCX_XCR0_MAP_PID);
		if (h->rule)
			printf("  INVALID, skipped: %s", xcr0_rule_str(h->rule));
		printf("\n");
	}
	if (r->res.truncated)
		printf("  cgroups more than %d levels up are not searched, by the scheduler either\n",
		       SCX_XCR0_CGROUP_MAX_DEPTH - 1);
}

static void help_get(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 get (--pid P | --tid T | --cgroup PATH) [--json]\n"
		"  For a task: its applied mask (what its program runs with) and its\n"
		"  pending mask (what its next program gets at execve()) as the kernel\n"
		"  holds them (x86_xcr0 and x86_xcr0_pending in /proc/TID/status), where\n"
		"  the pending mask came from, the policy that applies and which entry\n"
		"  it comes from, and the scheduler's cached view. For a cgroup: the\n"
		"  policy that applies to it.\n");
}

/* A mask as /proc shows it: 0 (none) is the full mask. */
static __u64 full_if_none(__u64 mask, __u64 supported)
{
	return mask ? mask : supported;
}

/*
 * Where @tid's pending mask came from: the policy level the scheduler set it
 * from, if its last accepted value is that mask; otherwise the task had it
 * before (copied from its parent at fork, or set by an earlier scheduler).
 */
static const char *pending_source(bool have_tv, const struct scx_xcr0_task *tv,
				   __u64 pending, __u64 supported)
{
	if (have_tv && !tv->err && tv->set == tv->want &&
	    full_if_none(scx_xcr0_val_mask(tv->set), supported) == pending)
		return src_name(tv->src);
	return "inherited";
}

static int get_task(const struct cli_target *ct, const struct pinned *m, __u64 supported)
{
	struct resolution r = { .m = m, .supported = supported };
	struct scx_xcr0_info info;
	struct scx_xcr0_task tv;
	char cg[PATH_MAX];
	bool have_info, have_kernel, have_tv, attached, managed, exempt;
	__u64 applied = 0, pending = 0;
	const char *psrc = NULL;
	int policy;

	have_info = !maps_info(m, &info);
	fail_clear();
	if (cgroup_of_task(ct->ti.tid, cg, sizeof(cg)))
		return -ESRCH;
	attached = scx_xcr0_attached();
	have_tv = attached && !maps_task(m, ct->ti.tid, &tv);
	exempt = scx_xcr0_exempt(ct->ti.kthread, ct->ti.tgid, info_daemon(have_info, &info));
	r.tid = ct->ti.tid;
	r.tgid = ct->ti.tgid;
	r.tv = have_tv ? &tv : NULL;
	resolve(&r, cg, exempt, have_info ? info.default_mask : 0);

	policy = task_sched_policy(ct->ti.tid);
	managed = attached && !ct->ti.kthread &&
		  (policy == SCHED_EXT ||
		   (have_info && !(info.flags & SCX_XCR0_INFO_PARTIAL) &&
		    policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_DEADLINE));
	have_kernel = !task_xcr0(ct->ti.tid, &applied, &pending);
	if (have_kernel)
		psrc = pending_source(have_tv, &tv, pending, supported);

	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_u64(&j, "tid", ct->ti.tid);
		json_u64(&j, "pid", ct->ti.tgid);
		json_str(&j, "comm", ct->ti.comm);
		json_str(&j, "cgroup", cg);
		if (have_kernel) {
			json_mask(&j, "applied", applied);
			json_mask(&j, "pending", pending);
			json_bool(&j, "pending_at_next_exec", pending != applied);
		} else {
			json_null(&j, "applied");
			json_null(&j, "pending");
			json_null(&j, "pending_at_next_exec");
		}
		json_str(&j, "pending_source", psrc);
		json_val(&j, "mask", r.res.val);
		json_str(&j, "source", src_name(r.res.src));
		json_hops(&j, &r);
		json_bool(&j, "attached", attached);
		json_bool(&j, "managed", managed);
		json_str(&j, "sched_policy", policy < 0 ? NULL : task_policy_name(policy));
		if (have_tv) {
			json_obj(&j, "scheduler");
			json_val(&j, "set", tv.set);
			json_val(&j, "resolved", tv.want);
			json_str(&j, "source", src_name(tv.src));
			json_s64(&j, "kfunc_error", tv.err);
			json_obj_end(&j);
		} else {
			json_null(&j, "scheduler");
		}
		json_end(&j);
		return 0;
	}

	printf("tid %d of pid %d (%s)\n", ct->ti.tid, ct->ti.tgid, esc(ct->ti.comm));
	if (have_kernel) {
		printf("  applied: %s\n", mask_str(applied));
		printf("  pending: %s from %s, %s\n", mask_str(pending), psrc,
		       pending == applied ? "as applied" : "applies at next exec");
	} else {
		printf("  kernel: no x86_xcr0 line in /proc/%d/status (not the scx_xcr0 kernel?)\n",
		       ct->ti.tid);
	}
	printf("  policy: %s from %s\n", val_str(r.res.val), src_name(r.res.src));
	print_hops(&r);
	printf("  cgroup %s\n", esc(cg));
	if (have_tv) {
		printf("  scheduler: set %s, resolved %s from %s", val_str(tv.set),
		       val_str(tv.want), src_name(tv.src));
		if (tv.err)
			printf(", kfunc error %d (%s)", tv.err, strerror(-tv.err));
		printf("\n");
	}
	if (!attached)
		printf("  policy not applied: the scheduler is not attached (start `scx_xcr0 daemon`); the task keeps its masks\n");
	else if (ct->ti.kthread)
		printf("  policy not applied: kernel threads are never masked\n");
	else if (exempt)
		printf("  policy not applied: the scx_xcr0 daemon is never masked\n");
	else if (!managed)
		printf("  policy not applied: %s tasks are not run by the scheduler%s\n",
		       policy < 0 ? "these" : task_policy_name(policy),
		       have_info && (info.flags & SCX_XCR0_INFO_PARTIAL) ?
		       " in partial mode (`scx_xcr0 run` makes a command SCHED_EXT)" : "");
	return 0;
}

static int get_cgroup(const struct cli_target *ct, const struct pinned *m, __u64 supported)
{
	struct resolution r = { .m = m, .supported = supported };
	struct scx_xcr0_info info;
	bool have_info;

	have_info = !maps_info(m, &info);
	fail_clear();
	resolve(&r, ct->path, false, have_info ? info.default_mask : 0);
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, ct);
		json_val(&j, "mask", r.res.val);
		json_str(&j, "source", src_name(r.res.src));
		json_hops(&j, &r);
		json_end(&j);
		return 0;
	}
	printf("cgroup %s: %s from %s, %s\n", esc(ct->path), val_str(r.res.val),
	       r.used >= 0 ? (r.res.depth == 0 ? "its own entry" : "an ancestor's entry") :
	       src_name(r.res.src), val_when(r.res.val));
	print_hops(&r);
	return 0;
}

int cmd_get(int argc, char **argv)
{
	struct cli_target ct;
	struct pinned m;
	__u64 supported;
	int ret;

	ret = parse_target("get", argc, argv, 0, &ct, help_get);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc)
		return fail_usage("get takes no MASK; see `scx_xcr0 get -h`");
	ret = resolve_cgroup(&ct);
	if (ret)
		return ret;
	if (ct.t.kind != TARGET_CGROUP) {
		ret = task_lookup(ct.t.id, &ct.ti);
		if (ret)
			return ret;
		if (ct.t.kind == TARGET_PID && ct.ti.tgid != ct.ti.tid)
			return fail(-EINVAL, "%u is a thread of process %d; use --tid %u or --pid %d",
				    ct.t.id, ct.ti.tgid, ct.t.id, ct.ti.tgid);
	}
	ret = maps_open(&m);
	if (ret)
		return ret;
	ret = cli_supported(&m, &supported);
	if (!ret && ct.t.kind == TARGET_CGROUP)
		ret = get_cgroup(&ct, &m, supported);
	else if (!ret)
		ret = get_task(&ct, &m, supported);
	maps_close(&m);
	return ret;
}

/*
 * The options every command takes: --json, -v, -h. @optstring is "vh", or
 * "+vh" to stop at the first argument. Returns 0, 1 when help was printed,
 * or a negative errno for a bad option.
 */
int cli_no_args(const char *cmd, int argc, char **argv)
{
	if (optind == argc)
		return 0;
	return fail_usage("%s takes no arguments ('%s'); see `scx_xcr0 %s -h`",
			  cmd, argv[optind], cmd);
}

int cli_parse_common(const char *cmd, int argc, char **argv,
		     const char *optstring, void (*help)(FILE *))
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		ret = cli_common_option(cmd, opt, argv, help);
		if (ret)
			return ret;
	}
	return 0;
}
