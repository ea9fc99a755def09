// SPDX-License-Identifier: GPL-2.0
/*
 * The overview commands: list (every policy entry) and status (the
 * scheduler, its counters, and the threads per pair of masks).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "caps.h"
#include "cgroup.h"
#include "cli.h"
#include "cpu.h"
#include "lock.h"
#include "maps.h"
#include "output.h"
#include "sched_ext.h"
#include "task.h"
#include "util.h"

/* "tasks N" (restricted applied masks) and "switching 0|1", if debugfs is mounted */
#define XCR0_DEBUGFS_TASKS	"/sys/kernel/debug/x86/xcr0/tasks"

static int parse_plain(const char *cmd, int argc, char **argv, void (*help)(FILE *))
{
	int ret = cli_parse_common(cmd, argc, argv, "vh", help);

	return ret ? ret : cli_no_args(cmd, argc, argv);
}

static void help_list(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 list [--json]\n"
		"  Every policy entry of the pinned maps: its mask, whether it is live\n"
		"  (running programs too) or pending (each program at its next\n"
		"  execve()), and for a thread or process entry the masks its task\n"
		"  has now. Marks the entries the scheduler refuses (invalid masks)\n"
		"  and those whose task or cgroup is gone.\n");
}

/* One policy entry as list shows it. */
struct list_row {
	struct target t;
	__u64 key;
	__u64 val;
	int rule;			/* scx_xcr0_val_check() */
	bool gone;			/* its task or cgroup no longer exists */
	bool have_kernel;		/* applied and pending are known */
	__u64 applied, pending;
	char who[PATH_MAX];		/* comm or cgroup path */
};

/* The walk over every policy map, tid then pid then cgroup. */
struct list_walk {
	const struct pinned *m;
	__u64 supported;
	size_t kind;			/* index into list_kinds */
	bool started;
	size_t nr;			/* rows so far */
	struct list_row row;
};

static const enum target_kind list_kinds[] = { TARGET_TID, TARGET_PID, TARGET_CGROUP };

/* The next row in @w->row: 1, 0 at the end, or a negative errno (recorded). */
static int list_next(struct list_walk *w)
{
	struct list_row *r = &w->row;
	struct task_info ti;
	int ret = 0;

	while (w->kind < ARRAY_SIZE(list_kinds)) {
		ret = entry_next(w->m, list_kinds[w->kind], &w->started, &r->t, &r->val);
		if (ret)
			break;
		w->kind++;
		w->started = false;
	}
	if (ret <= 0)
		return ret;

	r->key = r->t.kind == TARGET_CGROUP ? r->t.cgid : r->t.id;
	r->rule = scx_xcr0_val_check(r->val, w->supported);
	r->have_kernel = false;
	r->who[0] = '\0';
	if (r->t.kind == TARGET_CGROUP) {
		r->gone = cgroup_path_of(r->t.cgid, r->who, sizeof(r->who)) != 0;
	} else {
		r->gone = task_lookup(r->t.id, &ti) != 0 ||
			  (r->t.kind == TARGET_PID && ti.tgid != ti.tid);
		fail_clear();
		if (!r->gone) {
			snprintf(r->who, sizeof(r->who), "%s", ti.comm);
			r->have_kernel = !task_xcr0(r->t.id, &r->applied, &r->pending);
		}
	}
	w->nr++;
	return 1;
}

/* json_walk()'s element writer: one entry object. */
static int list_json_one(struct json *j, void *arg)
{
	struct list_walk *w = arg;
	struct list_row *r = &w->row;
	int ret = list_next(w);

	if (ret <= 0)
		return ret;
	json_obj(j, NULL);
	json_str(j, "kind", target_name(r->t.kind));
	json_u64(j, "key", r->key);
	json_val(j, "mask", r->val);
	json_str(j, r->t.kind == TARGET_CGROUP ? "path" : "comm", r->gone ? NULL : r->who);
	json_bool(j, "gone", r->gone);
	json_str(j, "invalid", r->rule ? xcr0_rule_str(r->rule) : NULL);
	if (r->have_kernel) {
		json_mask(j, "applied", r->applied);
		json_mask(j, "pending", r->pending);
	} else {
		json_null(j, "applied");
		json_null(j, "pending");
	}
	json_obj_end(j);
	return 1;
}

static void list_print(const struct list_row *r)
{
	printf("%-6s %-10llu %-34s %-8s %s", target_name(r->t.kind), (unsigned long long)r->key,
	       mask_str(scx_xcr0_val_mask(r->val)), r->val & SCX_XCR0_VAL_LIVE ? "live" : "exec",
	       r->gone ? "(gone)" : esc(r->who));
	if (r->have_kernel && r->applied == r->pending)
		printf(" (applied %s)", mask_str(r->applied));
	else if (r->have_kernel)
		printf(" (applied %s, pending %s at next exec)", mask_str(r->applied),
		       mask_str(r->pending));
	if (r->rule)
		printf("  INVALID: %s", xcr0_rule_str(r->rule));
	printf("\n");
}

/*
 * A walk that fails midway (a map read error) still ends the output
 * properly: the JSON document closes its array and says "error", the table
 * keeps the rows printed so far; main() prints the message, exit status 1.
 */
int cmd_list(int argc, char **argv)
{
	struct list_walk w = { 0 };
	struct pinned m;
	struct json j;
	int ret;

	ret = parse_plain("list", argc, argv, help_list);
	if (ret)
		return ret > 0 ? 0 : ret;
	ret = maps_open(&m);
	if (ret)
		return ret;
	w.m = &m;
	ret = cli_supported(&m, &w.supported);
	if (ret) {
		maps_close(&m);
		return ret;
	}

	if (json_out) {
		json_begin(&j, stdout);
		ret = json_walk(&j, "entries", list_json_one, &w);
		json_end(&j);
	} else {
		printf("%-6s %-10s %-34s %-8s %s\n", "KIND", "KEY", "MASK", "WHEN", "WHO");
		while ((ret = list_next(&w)) > 0)
			list_print(&w.row);
		if (!ret && !w.nr)
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
		"  the policy entries and the counters, and how many threads run\n"
		"  with each pair of applied and pending masks (from /proc, so also\n"
		"  without the daemon: masks outlive it).\n");
}

/* Count the entries of one policy map and how many the scheduler refuses. */
static int count_entries(const struct pinned *m, enum target_kind kind, __u64 supported,
			 unsigned int *nr, unsigned int *invalid)
{
	bool started = false;
	struct target t;
	__u64 val;
	int ret;

	*nr = *invalid = 0;
	while ((ret = entry_next(m, kind, &started, &t, &val)) > 0) {
		(*nr)++;
		if (scx_xcr0_val_check(val, supported))
			(*invalid)++;
	}
	return ret;
}

/* Distinct pairs of masks status shows. */
#define MAX_MASK_PAIRS	64

/* The threads per pair of masks, and the kernel's own count if debugfs has it. */
static void print_tasks(struct json *j)
{
	struct task_masks tm[MAX_MASK_PAIRS];
	char dbg[128];
	int i, nr = task_census(tm, MAX_MASK_PAIRS);

	if (read_text(XCR0_DEBUGFS_TASKS, dbg, sizeof(dbg)) < 0)
		dbg[0] = '\0';
	if (j) {
		json_arr(j, "tasks");
		for (i = 0; i < nr; i++) {
			json_obj(j, NULL);
			json_mask(j, "applied", tm[i].applied);
			json_mask(j, "pending", tm[i].pending);
			json_u64(j, "threads", tm[i].nr);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_str(j, "kernel_tasks", dbg[0] ? dbg : NULL);
		return;
	}
	if (nr < 0) {
		printf("threads: no x86_xcr0 lines in /proc (not the scx_xcr0 kernel?)\n");
		return;
	}
	printf("threads per mask (from /proc):\n");
	for (i = 0; i < nr; i++) {
		if (tm[i].applied == tm[i].pending)
			printf("  applied %-34s %lu\n", mask_str(tm[i].applied), tm[i].nr);
		else
			printf("  applied %-34s pending %-34s %lu\n", mask_str(tm[i].applied),
			       mask_str(tm[i].pending), tm[i].nr);
	}
	if (dbg[0]) {
		for (i = 0; dbg[i]; i++)
			if (dbg[i] == '\n')
				dbg[i] = ',';
		printf("kernel (%s): %s\n", XCR0_DEBUGFS_TASKS, dbg);
	}
}

/* What `status --json` says first, with or without pinned maps */
static void json_status_head(struct json *j, const char *state, const char *ops,
			     bool pinned)
{
	json_str(j, "sched_ext", state);
	json_str(j, "attached_scheduler", ops[0] ? ops : NULL);
	json_bool(j, "attached", !strcmp(ops, SCX_XCR0_OPS_NAME));
	json_bool(j, "pinned", pinned);
}

/* The daemon named in the info map: alive, how it came to run, its capabilities. */
struct daemon_state {
	bool alive;
	bool have_caps;
	char caps[256];
};

static void daemon_state(const struct scx_xcr0_info *info, struct daemon_state *ds)
{
	__u64 eff;

	ds->alive = daemon_alive(info->daemon_pid, info->daemon_start);
	ds->have_caps = ds->alive && !caps_of(info->daemon_pid, &eff);
	if (ds->have_caps)
		caps_names(eff, ds->caps, sizeof(ds->caps));
}

static const char *origin_text(__u64 origin)
{
	switch (origin) {
	case SCX_XCR0_ORIGIN_ADOPTED:
		return "adopted (took over the scheduler a dead daemon left attached)";
	case SCX_XCR0_ORIGIN_REPLACED:
		return "replaced (detached the scheduler a dead daemon left, attached its own)";
	default:
		return "attached by this daemon";
	}
}

int cmd_status(int argc, char **argv)
{
	unsigned int nr[3], invalid[3];
	size_t max[3];
	struct scx_xcr0_info info;
	struct daemon_state ds = { 0 };
	__u64 stats[SCX_XCR0_NR_STATS], gen = 0, supported;
	char ops[64], state[64], info_err[512] = "";
	bool pinned, have_info = false;
	struct pinned m;
	struct json j;
	int ret, k;

	ret = parse_plain("status", argc, argv, help_status);
	if (ret)
		return ret > 0 ? 0 : ret;
	scx_attached_ops(ops, sizeof(ops));
	scx_state(state, sizeof(state));
	if (!state[0])
		snprintf(state, sizeof(state), "unavailable (no sched_ext in this kernel)");
	pinned = maps_pinned();

	if (!pinned) {
		if (json_out) {
			json_begin(&j, stdout);
			json_status_head(&j, state, ops, false);
			print_tasks(&j);
			json_end(&j);
		} else {
			printf("sched_ext: %s%s%s\n", state, ops[0] ? ", scheduler " : "", ops);
			printf("scx_xcr0: not running, no maps pinned at %s; start `scx_xcr0 daemon`\n",
			       SCX_XCR0_PIN_DIR);
			print_tasks(NULL);
		}
		return 0;
	}

	ret = maps_open(&m);
	if (ret)
		return ret;
	have_info = !maps_info(&m, &info);
	fail_clear();
	if (have_info)
		daemon_state(&info, &ds);
	ret = cli_supported(&m, &supported);
	if (ret) {
		/* the rest is still worth showing, judged by this process's XCR0 */
		snprintf(info_err, sizeof(info_err), "%s", fail_msg());
		fail_clear();
		supported = xcr0_supported();
		ret = 0;
	}
	for (k = 0; k < 3 && !ret; k++) {
		ret = count_entries(&m, k, supported, &nr[k], &invalid[k]);
		if (!ret)
			ret = maps_capacity(&m, k, &max[k]);
	}
	if (!ret)
		ret = maps_gen(&m, &gen);
	if (!ret)
		ret = maps_stats(&m, stats);
	if (ret)
		goto out;

	if (json_out) {
		json_begin(&j, stdout);
		json_status_head(&j, state, ops, true);
		if (have_info) {
			json_u64(&j, "daemon_pid", info.daemon_pid);
			json_bool(&j, "daemon_running", ds.alive);
			json_str(&j, "daemon_origin", origin_name(info.origin));
			json_str(&j, "daemon_capabilities", ds.have_caps ? ds.caps : NULL);
			json_str(&j, "mode", info.flags & SCX_XCR0_INFO_PARTIAL ? "partial" : "full");
			json_u64(&j, "refresh_ms", info.refresh_ms);
			json_mask(&j, "default", info.default_mask);
		}
		json_str(&j, "info_error", info_err[0] ? info_err : NULL);
		json_mask(&j, "supported", supported);
		json_u64(&j, "generation", gen);
		json_obj(&j, "entries");
		for (k = 0; k < 3; k++) {
			json_obj(&j, target_name(k));
			json_u64(&j, "count", nr[k]);
			json_u64(&j, "max", max[k]);
			json_u64(&j, "invalid", invalid[k]);
			json_obj_end(&j);
		}
		json_obj_end(&j);
		json_obj(&j, "stats");
		for (k = 0; k < SCX_XCR0_NR_STATS; k++)
			json_u64(&j, stat_name(k), stats[k]);
		json_obj_end(&j);
		print_tasks(&j);
		json_end(&j);
	} else {
		bool ours = !strcmp(ops, SCX_XCR0_OPS_NAME);

		printf("sched_ext: %s%s%s\n", state, ops[0] ? ", scheduler " : "", ops);
		if (!ours)
			printf("scx_xcr0: NOT attached; maps are pinned, entries apply once `scx_xcr0 daemon` runs (`scx_xcr0 stop` removes them)\n");
		if (have_info && ds.alive)
			printf("daemon: pid %llu, running, %s; capabilities %s\n",
			       (unsigned long long)info.daemon_pid, origin_text(info.origin),
			       ds.have_caps ? ds.caps : "unknown");
		else if (have_info && ours)
			printf("daemon: pid %llu, gone (the scheduler stays attached while its link is pinned: start the daemon to adopt it, or `scx_xcr0 stop`)\n",
			       (unsigned long long)info.daemon_pid);
		else if (have_info)
			printf("daemon: pid %llu, gone\n", (unsigned long long)info.daemon_pid);
		if (have_info)
			printf("mode: %s, refresh %llu ms, default %s%s\n",
			       info.flags & SCX_XCR0_INFO_PARTIAL ? "partial (SCHED_EXT tasks only)" :
			       "full (every task)", (unsigned long long)info.refresh_ms,
			       mask_str(info.default_mask),
			       info.flags & SCX_XCR0_INFO_TEST_HOOKS ? ", test hooks armed" : "");
		if (info_err[0])
			printf("INVALID: %s. Below, supported is this process's XCR0\n", info_err);
		printf("supported: %s\n", mask_str(supported));
		printf("policy: entries %u/%zu tid, %u/%zu pid, %u/%zu cgroup, generation %llu\n",
		       nr[0], max[0], nr[1], max[1], nr[2], max[2], (unsigned long long)gen);
		for (k = 0; k < 3; k++)
			if (nr[k] >= max[k])
				printf("  FULL: %s holds its maximum; new entries fail, and a process whose fork cannot be recorded keeps its parent's value (inherit_map_full)\n",
				       map_name(k));
		if (invalid[0] + invalid[1] + invalid[2])
			printf("  INVALID entries (refused by the scheduler): %u tid, %u pid, %u cgroup; see `scx_xcr0 list`\n",
			       invalid[0], invalid[1], invalid[2]);
		printf("counters:");
		for (k = 0; k < SCX_XCR0_NR_STATS; k++)
			printf(" %s %llu", stat_name(k), (unsigned long long)stats[k]);
		printf("\n");
		print_tasks(NULL);
	}
out:
	maps_close(&m);
	return ret;
}
