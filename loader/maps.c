// SPDX-License-Identifier: GPL-2.0
/* Access to the pinned maps by path, see maps.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cpu.h"
#include "maps.h"
#include "pidfd.h"
#include "util.h"

static int open_one(const char *name, int *fd)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", SCX_XCR0_PIN_DIR, name);
	*fd = bpf_obj_get(path);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT)
		return fail(-ENOENT, "scx_xcr0 daemon is not running and no maps are pinned at %s; start `scx_xcr0 daemon`",
			    SCX_XCR0_PIN_DIR);
	if (errno == EACCES || errno == EPERM)
		return fail(-errno, "cannot open %s: %s; the policy maps need root",
			    path, strerror(errno));
	return fail(-errno, "cannot open %s: %s", path, strerror(errno));
}

int maps_open(struct pinned *m)
{
	const struct {
		const char *name;
		int *fd;
	} maps[] = {
		{ SCX_XCR0_MAP_TID, &m->tid },
		{ SCX_XCR0_MAP_PID, &m->pid },
		{ SCX_XCR0_MAP_CGROUP, &m->cgroup },
		{ SCX_XCR0_MAP_GEN, &m->gen },
		{ SCX_XCR0_MAP_STATS, &m->stats },
		{ SCX_XCR0_MAP_TASK, &m->task },
		{ SCX_XCR0_MAP_INFO, &m->info },
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(maps); i++)
		*maps[i].fd = -1;
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		ret = open_one(maps[i].name, maps[i].fd);
		if (ret) {
			maps_close(m);
			return ret;
		}
	}
	return 0;
}

void maps_close(struct pinned *m)
{
	int *fds[] = { &m->tid, &m->pid, &m->cgroup, &m->gen, &m->stats,
		       &m->task, &m->info };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

bool maps_pinned(void)
{
	struct stat st;

	/*
	 * Only ENOENT says there are none: a user who may not look into the
	 * pin directory (root's, 0700) must hear that from maps_open(), not
	 * that the daemon is not running.
	 */
	return !stat(SCX_XCR0_PIN(SCX_XCR0_MAP_PID), &st) || errno != ENOENT;
}

int maps_gen(const struct pinned *m, __u64 *gen)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->gen, &zero, gen))
		return fail(-errno, "cannot read %s: %s", SCX_XCR0_MAP_GEN, strerror(errno));
	return 0;
}

int maps_bump_gen(const struct pinned *m)
{
	__u32 zero = 0;
	__u64 gen;
	int ret;

	ret = maps_gen(m, &gen);
	if (ret)
		return ret;
	gen++;
	if (bpf_map_update_elem(m->gen, &zero, &gen, BPF_ANY))
		return fail(-errno, "cannot bump %s: %s", SCX_XCR0_MAP_GEN, strerror(errno));
	return 0;
}

static int policy_fd(const struct pinned *m, enum target_kind kind)
{
	switch (kind) {
	case TARGET_TID:
		return m->tid;
	case TARGET_PID:
		return m->pid;
	default:
		return m->cgroup;
	}
}

static const void *target_key(const struct target *t)
{
	return t->kind == TARGET_CGROUP ? (const void *)&t->cgid : (const void *)&t->id;
}

const char *target_name(enum target_kind kind)
{
	switch (kind) {
	case TARGET_TID:
		return "tid";
	case TARGET_PID:
		return "pid";
	default:
		return "cgroup";
	}
}

const char *map_name(enum target_kind kind)
{
	switch (kind) {
	case TARGET_TID:
		return SCX_XCR0_MAP_TID;
	case TARGET_PID:
		return SCX_XCR0_MAP_PID;
	default:
		return SCX_XCR0_MAP_CGROUP;
	}
}

const char *origin_name(__u64 origin)
{
	switch (origin) {
	case SCX_XCR0_ORIGIN_ADOPTED:
		return "adopted";
	case SCX_XCR0_ORIGIN_REPLACED:
		return "replaced";
	default:
		return "attached";
	}
}

const char *src_name(__u32 src)
{
	switch (src) {
	case SCX_XCR0_SRC_TID:
		return "tid";
	case SCX_XCR0_SRC_PID:
		return "pid";
	case SCX_XCR0_SRC_CGROUP:
		return "cgroup";
	case SCX_XCR0_SRC_DEFAULT:
		return "default";
	case SCX_XCR0_SRC_PID_KEPT:
		return "pid-kept";
	default:
		return "none";
	}
}

int entry_set(const struct pinned *m, const struct target *t, __u64 val)
{
	if (bpf_map_update_elem(policy_fd(m, t->kind), target_key(t), &val, BPF_ANY)) {
		if (errno == E2BIG)
			return fail(-E2BIG, "%s is full; clear entries first (`scx_xcr0 list`)",
				    map_name(t->kind));
		return fail(-errno, "cannot update %s: %s", map_name(t->kind), strerror(errno));
	}
	return 0;
}

/*
 * Write, then look: a task's entry goes when it exits (exit_task(), at its
 * final put, after it is reaped), so an entry written after that would stay
 * and go to the next task given its number. The pidfd, opened while the
 * task was @t->id, says whether that task is still there once the entry is
 * in: alive, its exit_task() is still to come and removes the entry; gone,
 * exit_task() may have run before the write, so the entry is removed here.
 * Looking first and writing after would leave that window open.
 *
 * Each change is followed by a generation bump, the removal too: tasks that
 * resolved while the entry was in resolve again once it is out.
 */
int entry_write(const struct pinned *m, const struct target *t, int pidfd, __u64 val)
{
	int ret;

	ret = entry_set(m, t, val);
	if (!ret)
		ret = maps_bump_gen(m);
	if (ret || pidfd < 0 || pidfd_pid(pidfd) == (pid_t)t->id)
		return ret;
	if (!entry_del(m, t))
		maps_bump_gen(m);
	fail_clear();
	return fail(-ESRCH, "no task with id %u any more: it exited while its entry was written (removed again)",
		    t->id);
}

int entry_get(const struct pinned *m, const struct target *t, __u64 *val)
{
	if (bpf_map_lookup_elem(policy_fd(m, t->kind), target_key(t), val)) {
		if (errno == ENOENT)
			return -ENOENT;
		return fail(-errno, "cannot read %s: %s", map_name(t->kind), strerror(errno));
	}
	return 0;
}

int entry_del(const struct pinned *m, const struct target *t)
{
	if (bpf_map_delete_elem(policy_fd(m, t->kind), target_key(t))) {
		if (errno == ENOENT)
			return -ENOENT;
		return fail(-errno, "cannot delete from %s: %s", map_name(t->kind),
			    strerror(errno));
	}
	return 0;
}

int entry_next(const struct pinned *m, enum target_kind kind, bool *started,
	       struct target *t, __u64 *val)
{
	int fd = policy_fd(m, kind);
	union {
		__u32 id;
		__u64 cgid;
	} key, next;

	for (;;) {
		if (!*started) {
			if (bpf_map_get_next_key(fd, NULL, &next))
				goto end;
			*started = true;
		} else {
			if (kind == TARGET_CGROUP)
				key.cgid = t->cgid;
			else
				key.id = t->id;
			if (bpf_map_get_next_key(fd, &key, &next))
				goto end;
		}
		t->kind = kind;
		if (kind == TARGET_CGROUP)
			t->cgid = next.cgid;
		else
			t->id = next.id;
		/* an entry deleted under us: move on */
		if (!bpf_map_lookup_elem(fd, &next, val))
			return 1;
		if (errno != ENOENT)
			return fail(-errno, "cannot read %s: %s", map_name(kind), strerror(errno));
	}
end:
	if (errno == ENOENT)
		return 0;
	return fail(-errno, "cannot walk %s: %s", map_name(kind), strerror(errno));
}

/* Clock ticks since boot, as /proc/PID/stat counts a start; 0 if unknown. */
static unsigned long long uptime_ticks(void)
{
	char buf[64];
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0 || read_text("/proc/uptime", buf, sizeof(buf)) < 0)
		return 0;
	return (unsigned long long)(strtod(buf, NULL) * hz);
}

/*
 * What in @info no daemon writes, into @why; false if nothing. Only the
 * daemon writes xcr0_info, so a value it never writes came from bpftool.
 * @supported is checked against this CPU rather than trusted: the CLI
 * judges masks by it, and a superset would have `set` accept a mask that
 * the kernel then refuses. Its bound: what CPUID says the CPU can enable,
 * and what this process runs with (QEMU's TCG enables MPX in XCR0 without
 * listing it in CPUID, hence the union). A set smaller than the full mask
 * is maps_info()'s to judge.
 */
static bool info_wrong(const struct scx_xcr0_info *info, char *why, size_t len)
{
	__u64 cpu = (xcr0_cpu_components() | xcr0_supported()) & XCR0_USER_MASK;
	unsigned long long now = uptime_ticks();

	if (xcr0_check(info->supported, cpu))
		snprintf(why, len, "supported %#llx is no mask this CPU can enable (at most %#llx)",
			 (unsigned long long)info->supported, (unsigned long long)cpu);
	else if (info->default_mask && xcr0_check(info->default_mask, info->supported))
		snprintf(why, len, "default %#llx is not a mask of supported %#llx",
			 (unsigned long long)info->default_mask,
			 (unsigned long long)info->supported);
	else if (info->flags & ~(__u64)(SCX_XCR0_INFO_PARTIAL | SCX_XCR0_INFO_TEST_HOOKS))
		snprintf(why, len, "flags %#llx has unknown bits", (unsigned long long)info->flags);
	else if (!info->refresh_ms || info->refresh_ms > REFRESH_MS_MAX)
		snprintf(why, len, "refresh_ms %llu is outside 1-%u",
			 (unsigned long long)info->refresh_ms, REFRESH_MS_MAX);
	else if (!info->daemon_pid || info->daemon_pid > PID_MAX_LIMIT)
		snprintf(why, len, "daemon_pid %llu is no pid",
			 (unsigned long long)info->daemon_pid);
	else if (now && info->daemon_start > now + 1)
		snprintf(why, len, "daemon_start %llu is after now (%llu clock ticks after boot)",
			 (unsigned long long)info->daemon_start, now);
	else if (info->origin > SCX_XCR0_ORIGIN_REPLACED)
		snprintf(why, len, "origin %llu is unknown", (unsigned long long)info->origin);
	else
		return false;
	return true;
}

int maps_info(const struct pinned *m, struct scx_xcr0_info *info)
{
	static const struct scx_xcr0_info never;
	__u64 own = xcr0_supported();
	__u32 zero = 0;
	char why[256];

	if (bpf_map_lookup_elem(m->info, &zero, info))
		return fail(-errno, "cannot read %s: %s", SCX_XCR0_MAP_INFO, strerror(errno));
	if (!memcmp(info, &never, sizeof(never)))
		return -ENOENT;
	if (info_wrong(info, why, sizeof(why)))
		return fail(-EBADMSG, "%s holds what no daemon writes: %s; it was written by hand. A running daemon rewrites it within a second; if none runs, start one (`scx_xcr0 daemon` or `systemctl restart scx_xcr0`)",
			    SCX_XCR0_MAP_INFO, why);
	/*
	 * No restriction makes a process's XCR0 larger than the full mask: by a
	 * smaller supported set, masks this CPU has would be refused. A daemon
	 * that was itself started under a mask records one as well.
	 */
	if (own & ~info->supported)
		return fail(-EBADMSG, "%s says the CPU's full mask is %#llx, less than this process runs with (%#llx): the daemon was started under a mask (restart it from an unrestricted process), or the record was written by hand (a running daemon rewrites it within a second; if none runs, start one)",
			    SCX_XCR0_MAP_INFO, (unsigned long long)info->supported,
			    (unsigned long long)own);
	return 0;
}

int map_limits(int map_fd, const char *name, __u32 *id, size_t *max)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return fail(-errno, "cannot read the info of %s: %s", name, strerror(errno));
	*id = info.id;
	*max = info.max_entries;
	return 0;
}

int maps_capacity(const struct pinned *m, enum target_kind kind, size_t *max)
{
	__u32 id;

	return map_limits(policy_fd(m, kind), map_name(kind), &id, max);
}

int maps_stats(const struct pinned *m, __u64 stats[SCX_XCR0_NR_STATS])
{
	int nr_cpus = libbpf_num_possible_cpus(), cpu, ret = 0;
	__u64 *vals;
	__u32 idx;

	if (nr_cpus < 0)
		return fail(nr_cpus, "cannot count the possible CPUs: %s", strerror(-nr_cpus));
	vals = calloc(nr_cpus, sizeof(*vals));
	if (!vals)
		return fail(-ENOMEM, "out of memory");
	for (idx = 0; idx < SCX_XCR0_NR_STATS; idx++) {
		stats[idx] = 0;
		if (bpf_map_lookup_elem(m->stats, &idx, vals)) {
			ret = fail(-errno, "cannot read %s: %s", SCX_XCR0_MAP_STATS,
				   strerror(errno));
			break;
		}
		for (cpu = 0; cpu < nr_cpus; cpu++)
			stats[idx] += vals[cpu];
	}
	free(vals);
	return ret;
}

const char *stat_name(unsigned int idx)
{
	/* indexed by the enum, so that a counter added there cannot shift these */
	static const char *const names[SCX_XCR0_NR_STATS] = {
		[SCX_XCR0_STAT_RESOLVE] = "resolutions",
		[SCX_XCR0_STAT_KFUNC_ERR] = "kfunc_errors",
		[SCX_XCR0_STAT_INVALID] = "invalid_entries_seen",
		[SCX_XCR0_STAT_SET] = "pending_set",
		[SCX_XCR0_STAT_LIVE] = "live_set",
		[SCX_XCR0_STAT_INHERIT_FULL] = "inherit_map_full",
		[SCX_XCR0_STAT_CANCELLED] = "cancelled_fork_entries",
		[SCX_XCR0_STAT_MASK_CHANGE] = "mask_changes",
		[SCX_XCR0_STAT_PLACED] = "placed_for_mask",
	};
	static char unnamed[32];

	if (idx < SCX_XCR0_NR_STATS && names[idx])
		return names[idx];
	snprintf(unnamed, sizeof(unnamed), "stat%u", idx);
	return unnamed;
}

static int thread_pidfd(pid_t tid)
{
	int pidfd = pidfd_task(tid, true);

	/* a kernel before 6.9 has no thread pidfds: the thread of a process's pid */
	if (pidfd == -EINVAL)
		pidfd = pidfd_task(tid, false);
	return pidfd;
}

int maps_task(const struct pinned *m, pid_t tid, struct scx_xcr0_task *tv)
{
	int pidfd, ret = 0;

	pidfd = thread_pidfd(tid);
	if (pidfd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(m->task, &pidfd, tv))
		ret = -ENOENT;
	close(pidfd);
	return ret;
}

/*
 * The scheduler writes the same storage under the task's rq lock; a write
 * of ours that races it may bring back an older @set, which only costs one
 * more kfunc call at the next resolution. The scheduler reads @live_once
 * when it resolves the task again: the caller bumps the generation after
 * its writes.
 */
int maps_task_live_once(const struct pinned *m, pid_t tid)
{
	struct scx_xcr0_task tv;
	int pidfd, ret = 0;

	pidfd = thread_pidfd(tid);
	if (pidfd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(m->task, &pidfd, &tv)) {
		ret = -ENOENT;
		goto out;
	}
	tv.live_once = 1;
	if (bpf_map_update_elem(m->task, &pidfd, &tv, BPF_EXIST))
		ret = errno == ENOENT ? -ENOENT :
		      fail(-errno, "cannot write %s: %s", SCX_XCR0_MAP_TASK, strerror(errno));
out:
	close(pidfd);
	return ret;
}
