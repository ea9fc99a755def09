// SPDX-License-Identifier: GPL-2.0
/*
 * The policy commands: set, clear, get, list and status. They work on the
 * pinned maps directly, so they need root and the maps, not the daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "cgroup.h"
#include "cli.h"
#include "cpu.h"
#include "maps.h"
#include "mask.h"
#include "output.h"
#include "task.h"
#include "util.h"

#define SCX_SYSFS_STATE		"/sys/kernel/sched_ext/state"
#define SCX_SYSFS_OPS		"/sys/kernel/sched_ext/root/ops"

/* A command line's target: exactly one of --pid, --tid, --cgroup. */
struct cli_target {
	struct target t;
	const char *arg;	/* as given */
	char path[PATH_MAX];	/* cgroup */
	struct task_info ti;	/* pid, tid */
	bool have;
};

enum {
	OPT_PID = 'p',
	OPT_TID = 't',
	OPT_CGROUP = 'c',
	OPT_CGROUP_ID = 'C',
	OPT_JSON = 'j',
};

static const struct option target_opts[] = {
	{ "pid", required_argument, NULL, OPT_PID },
	{ "tid", required_argument, NULL, OPT_TID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "cgroup-id", required_argument, NULL, OPT_CGROUP_ID },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int bad_option(const char *cmd, char **argv)
{
	return fail(-EINVAL, "bad option or missing argument '%s'; see `scx_xcr0 %s -h`",
		    argv[optind - 1], cmd);
}

/*
 * One of the options every command takes (--json, -v, -h), as getopt
 * returned it: 0 when taken, 1 when help was printed, -EINVAL otherwise.
 */
static int common_option(const char *cmd, int opt, char **argv, void (*help)(FILE *))
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
		return fail(-EINVAL, "give exactly one of --pid, --tid, --cgroup");
	ct->have = true;
	ct->arg = arg;
	switch (opt) {
	case OPT_PID:
	case OPT_TID:
		ct->t.kind = opt == OPT_PID ? TARGET_PID : TARGET_TID;
		if (!parse_u32(arg, &ct->t.id) || !ct->t.id || ct->t.id > INT_MAX)
			return fail(-EINVAL, "--%s wants a process or thread id, not '%s'",
				    opt == OPT_PID ? "pid" : "tid", arg);
		return 0;
	case OPT_CGROUP_ID:
		ct->t.kind = TARGET_CGROUP;
		if (!parse_u64(arg, &id) || !id)
			return fail(-EINVAL, "--cgroup-id wants a cgroup id, not '%s'", arg);
		ct->t.cgid = id;
		return 0;
	default:
		ct->t.kind = TARGET_CGROUP;
		return cgroup_resolve(arg, ct->path, sizeof(ct->path), &ct->t.cgid);
	}
}

/*
 * Parse "[--json] [-v] (--pid P | --tid T | --cgroup PATH) ARGS..." leaving
 * optind at the first argument. @id_ok allows --cgroup-id.
 */
static int parse_target(const char *cmd, int argc, char **argv, bool id_ok,
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
			if (opt == OPT_CGROUP_ID && !id_ok)
				return bad_option(cmd, argv);
			ret = add_target(ct, opt, optarg);
			if (ret)
				return ret;
			break;
		default:
			ret = common_option(cmd, opt, argv, help);
			if (ret)
				return ret;
		}
	}
	if (!ct->have)
		return fail(-EINVAL, "say whose mask: --pid P, --tid T or --cgroup PATH");
	return 0;
}

/* The CPU's full mask, as the daemon saw it before anyone was restricted. */
static __u64 cli_supported(const struct pinned *m)
{
	struct scx_xcr0_info info;

	if (!maps_info(m, &info))
		return info.supported;
	fail_clear();
	return xcr0_supported();
}

/* The name of the attached sched_ext scheduler, "" if none. */
static void attached_ops(char *buf, size_t len)
{
	if (read_text(SCX_SYSFS_OPS, buf, len) < 0)
		buf[0] = '\0';
}

static bool xcr0_attached(void)
{
	char ops[64];

	attached_ops(ops, sizeof(ops));
	return !strcmp(ops, "xcr0");
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
		"usage: scx_xcr0 set (--pid P | --tid T | --cgroup PATH) MASK [--json]\n"
		"  Give a process (every thread), a thread or a cgroup (and its\n"
		"  descendants without an entry of their own) the XCR0 mask MASK.\n"
		"  Precedence: tid > pid > nearest cgroup > the daemon's --default.\n"
		"  MASK 'none' is an entry meaning no restriction. A process's entry\n"
		"  goes to the processes it forks and is dropped when it exits.\n"
		"  PATH: /sys/fs/cgroup/a/b, /a/b or a/b. A MASK that starts with '-'\n"
		"  goes after `--`: set --pid 42 -- -pkru.\n");
}

int cmd_set(int argc, char **argv)
{
	struct cli_target ct;
	struct pinned m;
	char err[512], desc[PATH_MAX + 32];
	__u64 mask, supported;
	int ret;

	ret = parse_target("set", argc, argv, false, &ct, help_set);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc - 1)
		return fail(-EINVAL, "set wants one MASK after the target; see `scx_xcr0 set -h`");
	if (ct.t.kind != TARGET_CGROUP) {
		ret = task_check_target(ct.t.id, ct.t.kind == TARGET_PID, &ct.ti);
		if (ret)
			return ret;
	}
	ret = maps_open(&m);
	if (ret)
		return ret;
	supported = cli_supported(&m);
	if (xcr0_parse_mask(argv[optind], supported, &mask, err, sizeof(err))) {
		ret = fail(-EINVAL, "%s", err);
		goto out;
	}
	ret = entry_set(&m, &ct.t, mask);
	if (!ret)
		ret = maps_bump_gen(&m);
	if (ret)
		goto out;

	target_desc(&ct, desc, sizeof(desc));
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, &ct);
		json_mask(&j, "mask", mask);
		json_bool(&j, "attached", xcr0_attached());
		json_end(&j);
	} else {
		printf("%s: %s\n", desc, mask_str(mask));
	}
	if (!xcr0_attached())
		fprintf(stderr, "scx_xcr0: note: the scheduler is not attached; the entry applies once `scx_xcr0 daemon` runs\n");
	else if (ct.t.kind != TARGET_CGROUP && mask && (supported & ~mask))
		fprintf(stderr, "scx_xcr0: note: code that %s already chose for the components this mask removes now raises SIGILL; start programs under a mask with `scx_xcr0 run`\n",
			desc);
out:
	maps_close(&m);
	return ret;
}

static void help_clear(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 clear (--pid P | --tid T | --cgroup PATH | --cgroup-id ID) [--json]\n"
		"  Remove an entry; the next precedence level applies again. The\n"
		"  process, thread or cgroup need not exist any more (--cgroup-id for\n"
		"  a removed cgroup, as `scx_xcr0 list` shows it).\n");
}

int cmd_clear(int argc, char **argv)
{
	struct cli_target ct;
	struct pinned m;
	char desc[PATH_MAX + 32];
	__u64 old;
	int ret;

	ret = parse_target("clear", argc, argv, true, &ct, help_clear);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc)
		return fail(-EINVAL, "clear takes no MASK; see `scx_xcr0 clear -h`");
	if (ct.t.kind != TARGET_CGROUP && task_lookup(ct.t.id, &ct.ti))
		fail_clear();
	ret = maps_open(&m);
	if (ret)
		return ret;
	target_desc(&ct, desc, sizeof(desc));
	ret = entry_get(&m, &ct.t, &old);
	if (ret == -ENOENT)
		ret = fail(-ENOENT, "%s has no entry (see `scx_xcr0 list`)", desc);
	if (!ret)
		ret = entry_del(&m, &ct.t);
	if (ret == -ENOENT)
		ret = fail(-ENOENT, "%s has no entry (see `scx_xcr0 list`)", desc);
	if (!ret)
		ret = maps_bump_gen(&m);
	if (ret)
		goto out;
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, &ct);
		json_mask(&j, "cleared", old);
		json_end(&j);
	} else {
		printf("%s: entry %s cleared\n", desc, mask_str(old));
	}
out:
	maps_close(&m);
	return ret;
}

/* How one candidate entry fared during a get. */
struct hop {
	enum target_kind kind;
	__u64 key;
	char path[PATH_MAX];	/* cgroup */
	__u64 mask;
	int rule;		/* xcr0_check() result, XCR0_OK if usable */
};

#define MAX_HOPS	(SCX_XCR0_CGROUP_MAX_DEPTH + 2)

struct resolution {
	struct hop hops[MAX_HOPS];	/* entries found, in precedence order */
	int nr;
	int used;			/* index of the one that applies, or -1 */
	__u64 mask;			/* the mask that applies */
	const char *src;		/* "tid", "pid", "cgroup", "default", "none" */
};

static void consider(struct resolution *r, const struct pinned *m, enum target_kind kind,
		     __u64 key, const char *path, __u64 supported)
{
	struct target t = { .kind = kind };
	struct hop *h;
	__u64 mask;

	if (r->nr == MAX_HOPS)
		return;
	if (kind == TARGET_CGROUP)
		t.cgid = key;
	else
		t.id = key;
	if (entry_get(m, &t, &mask))
		return;
	h = &r->hops[r->nr];
	h->kind = kind;
	h->key = key;
	snprintf(h->path, sizeof(h->path), "%s", path ? path : "");
	h->mask = mask;
	h->rule = mask ? xcr0_check(mask, supported) : XCR0_OK;
	if (h->rule == XCR0_OK && r->used < 0) {
		r->used = r->nr;
		r->mask = mask;
		r->src = target_name(kind);
	}
	r->nr++;
}

/* What the scheduler's precedence gives @path's cgroup (and ancestors). */
static void consider_cgroups(struct resolution *r, const struct pinned *m, const char *path,
			     __u64 supported)
{
	char cur[PATH_MAX];
	__u64 id;

	snprintf(cur, sizeof(cur), "%s", path);
	do {
		if (!cgroup_id(cur, &id))
			consider(r, m, TARGET_CGROUP, id, cur, supported);
	} while (!cgroup_parent(cur));
}

static void json_hops(struct json *j, const struct resolution *r)
{
	int i;

	json_arr(j, "entries");
	for (i = 0; i < r->nr; i++) {
		const struct hop *h = &r->hops[i];

		json_obj(j, NULL);
		json_str(j, "kind", target_name(h->kind));
		json_u64(j, "key", h->key);
		if (h->kind == TARGET_CGROUP)
			json_str(j, "path", h->path);
		json_mask(j, "mask", h->mask);
		json_bool(j, "applies", i == r->used);
		json_str(j, "invalid", h->rule ? xcr0_rule_str(h->rule) : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void print_hops(const struct resolution *r)
{
	int i;

	for (i = 0; i < r->nr; i++) {
		const struct hop *h = &r->hops[i];

		if (h->kind == TARGET_CGROUP)
			printf("  %s cgroup %s: %s", i == r->used ? "*" : " ", h->path,
			       mask_str(h->mask));
		else
			printf("  %s %s %llu: %s", i == r->used ? "*" : " ",
			       target_name(h->kind), (unsigned long long)h->key,
			       mask_str(h->mask));
		if (h->rule)
			printf("  INVALID, skipped: %s", xcr0_rule_str(h->rule));
		printf("\n");
	}
}

static void help_get(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 get (--pid P | --tid T | --cgroup PATH) [--json]\n"
		"  The mask that applies and which entry it comes from; for a task\n"
		"  also what the kernel holds (x86_xcr0 in /proc/TID/status) and the\n"
		"  scheduler's cached view.\n");
}

static int get_task(const struct cli_target *ct, const struct pinned *m, __u64 supported)
{
	struct resolution r = { .used = -1, .src = "none" };
	struct scx_xcr0_info info;
	struct scx_xcr0_task tv;
	char cg[PATH_MAX], desc[PATH_MAX + 32];
	bool have_info, have_kernel, have_tv, attached, managed, exempt;
	__u64 kmask = 0;
	int policy;

	have_info = !maps_info(m, &info);
	fail_clear();
	consider(&r, m, TARGET_TID, ct->ti.tid, NULL, supported);
	consider(&r, m, TARGET_PID, ct->ti.tgid, NULL, supported);
	if (cgroup_of_task(ct->ti.tid, cg, sizeof(cg)))
		return -ESRCH;
	consider_cgroups(&r, m, cg, supported);
	if (r.used < 0 && have_info && info.default_mask) {
		r.mask = info.default_mask;
		r.src = "default";
	}

	attached = xcr0_attached();
	policy = task_sched_policy(ct->ti.tid);
	managed = attached && !ct->ti.kthread &&
		  (policy == SCHED_EXT ||
		   (have_info && !(info.flags & SCX_XCR0_INFO_PARTIAL) &&
		    policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_DEADLINE));
	exempt = ct->ti.kthread || (have_info && (__u64)ct->ti.tgid == info.daemon_pid);
	if (exempt) {
		r.used = -1;
		r.mask = 0;
		r.src = "none";
	}
	have_kernel = !task_kernel_xcr0(ct->ti.tid, &kmask);
	have_tv = attached && !maps_task(m, ct->ti.tid, &tv);

	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_u64(&j, "tid", ct->ti.tid);
		json_u64(&j, "pid", ct->ti.tgid);
		json_str(&j, "comm", ct->ti.comm);
		json_str(&j, "cgroup", cg);
		json_mask(&j, "mask", r.mask);
		json_str(&j, "source", r.src);
		json_hops(&j, &r);
		json_bool(&j, "attached", attached);
		json_bool(&j, "managed", managed);
		json_str(&j, "sched_policy", policy < 0 ? NULL : task_policy_name(policy));
		if (have_kernel)
			json_mask(&j, "kernel_xcr0", kmask);
		else
			json_null(&j, "kernel_xcr0");
		if (have_tv) {
			json_obj(&j, "scheduler");
			json_mask(&j, "applied", tv.mask);
			json_mask(&j, "resolved", tv.want);
			json_str(&j, "source", src_name(tv.src));
			json_s64(&j, "kfunc_error", tv.err);
			json_obj_end(&j);
		} else {
			json_null(&j, "scheduler");
		}
		json_end(&j);
		return 0;
	}

	snprintf(desc, sizeof(desc), "tid %d of pid %d (%s)", ct->ti.tid, ct->ti.tgid, ct->ti.comm);
	printf("%s: %s from %s\n", desc, mask_str(r.mask), r.src);
	print_hops(&r);
	printf("  cgroup %s\n", cg);
	if (have_kernel)
		printf("  kernel: x86_xcr0 %s\n", mask_str(kmask));
	else
		printf("  kernel: no x86_xcr0 line in /proc/%d/status (not the scx_xcr0 kernel?)\n",
		       ct->ti.tid);
	if (have_tv) {
		printf("  scheduler: applied %s, resolved %s from %s", mask_str(tv.mask),
		       mask_str(tv.want), src_name(tv.src));
		if (tv.err)
			printf(", kfunc error %d (%s)", tv.err, strerror(-tv.err));
		printf("\n");
	}
	if (!attached)
		printf("  not applied: the scheduler is not attached (start `scx_xcr0 daemon`)\n");
	else if (ct->ti.kthread)
		printf("  not applied: kernel threads are never masked\n");
	else if (exempt)
		printf("  not applied: the scx_xcr0 daemon is never masked\n");
	else if (!managed)
		printf("  not applied: %s tasks are not run by the scheduler%s\n",
		       policy < 0 ? "these" : task_policy_name(policy),
		       have_info && (info.flags & SCX_XCR0_INFO_PARTIAL) ?
		       " in partial mode (`scx_xcr0 run` makes a command SCHED_EXT)" : "");
	return 0;
}

static int get_cgroup(const struct cli_target *ct, const struct pinned *m, __u64 supported)
{
	struct resolution r = { .used = -1, .src = "none" };
	struct scx_xcr0_info info;

	consider_cgroups(&r, m, ct->path, supported);
	if (r.used < 0 && !maps_info(m, &info) && info.default_mask) {
		r.mask = info.default_mask;
		r.src = "default";
	}
	fail_clear();
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_target(&j, ct);
		json_mask(&j, "mask", r.mask);
		json_str(&j, "source", r.src);
		json_hops(&j, &r);
		json_end(&j);
		return 0;
	}
	printf("cgroup %s: %s from %s\n", ct->path, mask_str(r.mask),
	       r.used >= 0 ? (r.used == 0 && !strcmp(r.hops[0].path, ct->path) ?
			      "its own entry" : "an ancestor's entry") : r.src);
	print_hops(&r);
	return 0;
}

int cmd_get(int argc, char **argv)
{
	struct cli_target ct;
	struct pinned m;
	__u64 supported;
	int ret;

	ret = parse_target("get", argc, argv, false, &ct, help_get);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind != argc)
		return fail(-EINVAL, "get takes no MASK; see `scx_xcr0 get -h`");
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
	supported = cli_supported(&m);
	if (ct.t.kind == TARGET_CGROUP)
		ret = get_cgroup(&ct, &m, supported);
	else
		ret = get_task(&ct, &m, supported);
	maps_close(&m);
	return ret;
}

/* Parse the options of list and status: only --json and -v. */
/*
 * The options every command takes: --json, -v, -h. @optstring is "vh", or
 * "+vh" to stop at the first argument. Returns 0, 1 when help was printed,
 * or a negative errno for a bad option.
 */
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
		ret = common_option(cmd, opt, argv, help);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_plain(const char *cmd, int argc, char **argv, void (*help)(FILE *))
{
	int ret = cli_parse_common(cmd, argc, argv, "vh", help);

	if (ret)
		return ret;
	if (optind != argc)
		return fail(-EINVAL, "%s takes no arguments ('%s')", cmd, argv[optind]);
	return 0;
}

static void help_list(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 list [--json]\n"
		"  Every policy entry of the pinned maps, marking those the scheduler\n"
		"  refuses (invalid masks) and those whose task or cgroup is gone.\n");
}

int cmd_list(int argc, char **argv)
{
	static const enum target_kind kinds[] = { TARGET_TID, TARGET_PID, TARGET_CGROUP };
	struct pinned m;
	struct json j;
	__u64 supported, mask;
	struct target t;
	size_t k, n = 0;
	int ret;

	ret = parse_plain("list", argc, argv, help_list);
	if (ret)
		return ret > 0 ? 0 : ret;
	ret = maps_open(&m);
	if (ret)
		return ret;
	supported = cli_supported(&m);

	if (json_out) {
		json_begin(&j, stdout);
		json_arr(&j, "entries");
	} else {
		printf("%-6s %-10s %-34s %s\n", "KIND", "KEY", "MASK", "WHO");
	}
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		bool started = false;

		while ((ret = entry_next(&m, kinds[k], &started, &t, &mask)) > 0) {
			int rule = mask ? xcr0_check(mask, supported) : XCR0_OK;
			char who[PATH_MAX + 32] = "";
			struct task_info ti;
			bool gone = false;
			__u64 key = t.kind == TARGET_CGROUP ? t.cgid : t.id;

			if (t.kind == TARGET_CGROUP) {
				gone = cgroup_path_of(t.cgid, who, sizeof(who)) != 0;
			} else {
				gone = task_lookup(t.id, &ti) != 0 ||
				       (t.kind == TARGET_PID && ti.tgid != ti.tid);
				fail_clear();
				if (!gone)
					snprintf(who, sizeof(who), "%s", ti.comm);
			}
			n++;
			if (json_out) {
				json_obj(&j, NULL);
				json_str(&j, "kind", target_name(t.kind));
				json_u64(&j, "key", key);
				json_mask(&j, "mask", mask);
				json_str(&j, t.kind == TARGET_CGROUP ? "path" : "comm",
					 gone ? NULL : who);
				json_bool(&j, "gone", gone);
				json_str(&j, "invalid", rule ? xcr0_rule_str(rule) : NULL);
				json_obj_end(&j);
				continue;
			}
			printf("%-6s %-10llu %-34s %s%s", target_name(t.kind),
			       (unsigned long long)key, mask_str(mask), gone ? "(gone)" : who,
			       rule ? "  INVALID: " : "");
			printf("%s\n", rule ? xcr0_rule_str(rule) : "");
		}
		if (ret < 0)
			break;
	}
	if (json_out && ret >= 0) {
		json_arr_end(&j);
		json_end(&j);
	} else if (ret >= 0 && !n) {
		printf("(no entries)\n");
	}
	maps_close(&m);
	return ret < 0 ? ret : 0;
}

static void help_status(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 status [--json]\n"
		"  Whether the scheduler is attached and by which daemon, its mode,\n"
		"  the policy entries, tasks per effective mask and the counters.\n");
}

/* Count the entries of one policy map and how many the scheduler refuses. */
static int count_entries(const struct pinned *m, enum target_kind kind, __u64 supported,
			 unsigned int *nr, unsigned int *invalid)
{
	bool started = false;
	struct target t;
	__u64 mask;
	int ret;

	*nr = *invalid = 0;
	while ((ret = entry_next(m, kind, &started, &t, &mask)) > 0) {
		(*nr)++;
		if (mask && xcr0_check(mask, supported))
			(*invalid)++;
	}
	return ret;
}

int cmd_status(int argc, char **argv)
{
	static const char *const stat_names[SCX_XCR0_NR_STATS] = {
		[SCX_XCR0_STAT_RESOLVE] = "resolutions",
		[SCX_XCR0_STAT_KFUNC_ERR] = "kfunc_errors",
		[SCX_XCR0_STAT_INVALID] = "invalid_entries_seen",
		[SCX_XCR0_STAT_SET] = "masks_set",
	};
	unsigned int nr[3], invalid[3];
	struct scx_xcr0_info info;
	__u64 stats[SCX_XCR0_NR_STATS], gen = 0, supported;
	char ops[64], state[64];
	bool pinned, have_info = false, daemon_alive = false;
	struct pinned m;
	struct json j;
	int ret, k;

	ret = parse_plain("status", argc, argv, help_status);
	if (ret)
		return ret > 0 ? 0 : ret;
	attached_ops(ops, sizeof(ops));
	if (read_text(SCX_SYSFS_STATE, state, sizeof(state)) < 0)
		snprintf(state, sizeof(state), "unavailable (no sched_ext in this kernel)");
	pinned = maps_pinned();

	if (!pinned) {
		if (json_out) {
			json_begin(&j, stdout);
			json_str(&j, "sched_ext", state);
			json_str(&j, "attached_scheduler", ops[0] ? ops : NULL);
			json_bool(&j, "attached", !strcmp(ops, "xcr0"));
			json_bool(&j, "pinned", false);
			json_end(&j);
		} else {
			printf("sched_ext: %s%s%s\n", state, ops[0] ? ", scheduler " : "", ops);
			printf("scx_xcr0: not running, no maps pinned at %s; start `scx_xcr0 daemon`\n",
			       SCX_XCR0_PIN_DIR);
		}
		return 0;
	}

	ret = maps_open(&m);
	if (ret)
		return ret;
	have_info = !maps_info(&m, &info);
	fail_clear();
	if (have_info)
		daemon_alive = !kill(info.daemon_pid, 0) || errno == EPERM;
	supported = cli_supported(&m);
	for (k = 0; k < 3 && !ret; k++)
		ret = count_entries(&m, k, supported, &nr[k], &invalid[k]);
	if (!ret)
		ret = maps_gen(&m, &gen);
	if (!ret)
		ret = maps_stats(&m, stats);
	if (ret)
		goto out;

	if (json_out) {
		bool started = false;
		__u64 key, next;
		__s64 cnt;

		json_begin(&j, stdout);
		json_str(&j, "sched_ext", state);
		json_str(&j, "attached_scheduler", ops[0] ? ops : NULL);
		json_bool(&j, "attached", !strcmp(ops, "xcr0"));
		json_bool(&j, "pinned", true);
		if (have_info) {
			json_u64(&j, "daemon_pid", info.daemon_pid);
			json_bool(&j, "daemon_running", daemon_alive);
			json_str(&j, "mode", info.flags & SCX_XCR0_INFO_PARTIAL ? "partial" : "full");
			json_u64(&j, "refresh_ms", info.refresh_ms);
			json_mask(&j, "default", info.default_mask);
		}
		json_mask(&j, "supported", supported);
		json_u64(&j, "generation", gen);
		json_obj(&j, "entries");
		for (k = 0; k < 3; k++) {
			json_obj(&j, target_name(k));
			json_u64(&j, "count", nr[k]);
			json_u64(&j, "invalid", invalid[k]);
			json_obj_end(&j);
		}
		json_obj_end(&j);
		json_obj(&j, "stats");
		for (k = 0; k < SCX_XCR0_NR_STATS; k++)
			json_u64(&j, stat_names[k], stats[k]);
		json_obj_end(&j);
		json_arr(&j, "tasks");
		while (!bpf_map_get_next_key(m.tasks, started ? &key : NULL, &next)) {
			started = true;
			key = next;
			if (bpf_map_lookup_elem(m.tasks, &key, &cnt) || cnt <= 0)
				continue;
			json_obj(&j, NULL);
			json_mask(&j, "mask", key);
			json_s64(&j, "tasks", cnt);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_end(&j);
	} else {
		bool started = false;
		__u64 key, next;
		__s64 cnt;

		printf("sched_ext: %s%s%s\n", state, ops[0] ? ", scheduler " : "", ops);
		if (strcmp(ops, "xcr0"))
			printf("scx_xcr0: NOT attached; maps are pinned, entries apply once `scx_xcr0 daemon` runs\n");
		if (have_info) {
			printf("daemon: pid %llu, %s\n", (unsigned long long)info.daemon_pid,
			       daemon_alive ? "running" : "gone (the scheduler stays attached while its link is pinned)");
			printf("mode: %s, refresh %llu ms, default %s\n",
			       info.flags & SCX_XCR0_INFO_PARTIAL ? "partial (SCHED_EXT tasks only)" :
			       "full (every task)", (unsigned long long)info.refresh_ms,
			       mask_str(info.default_mask));
		}
		printf("supported: %s\n", mask_str(supported));
		printf("policy: %u tid, %u pid, %u cgroup entries, generation %llu\n",
		       nr[0], nr[1], nr[2], (unsigned long long)gen);
		if (invalid[0] + invalid[1] + invalid[2])
			printf("  INVALID entries (refused by the scheduler): %u tid, %u pid, %u cgroup; see `scx_xcr0 list`\n",
			       invalid[0], invalid[1], invalid[2]);
		printf("counters:");
		for (k = 0; k < SCX_XCR0_NR_STATS; k++)
			printf(" %s %llu", stat_names[k], (unsigned long long)stats[k]);
		printf("\ntasks per effective mask:\n");
		while (!bpf_map_get_next_key(m.tasks, started ? &key : NULL, &next)) {
			started = true;
			key = next;
			if (bpf_map_lookup_elem(m.tasks, &key, &cnt) || cnt <= 0)
				continue;
			printf("  %-34s %lld\n", mask_str(key), (long long)cnt);
		}
	}
out:
	maps_close(&m);
	return ret;
}
