// SPDX-License-Identifier: GPL-2.0
/* Reading tasks from /proc, see task.h. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"
#include "util.h"

/* include/linux/sched.h */
#define PF_USER_WORKER	0x00004000
#define PF_KTHREAD	0x00200000

/* Value of the "key:" line of /proc/<tid>/status, NUL terminated. */
static int status_field(pid_t tid, const char *key, char *val, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	return read_field(path, key, val, len);
}

int task_stat_field(pid_t tid, int field, unsigned long long *val)
{
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	/* comm may hold anything, even ") "; the fields go on after the last ')' */
	p = strrchr(buf, ')');
	for (i = 2; p && i < field; i++)
		p = strchr(p + 1, ' ');
	if (!p || field < 4 || sscanf(p + 1, "%llu", val) != 1)
		return -EINVAL;
	return 0;
}

/* The flags field of /proc/<tid>/stat (the 9th). */
static int stat_flags(pid_t tid, unsigned long *flags)
{
	unsigned long long v;
	int ret = task_stat_field(tid, 9, &v);

	*flags = v;
	return ret;
}

int task_lookup(pid_t tid, struct task_info *ti)
{
	char val[64], path[64];
	unsigned long flags;

	if (tid <= 0)
		return fail(-ESRCH, "%d is not a valid task id", tid);
	if (status_field(tid, "Tgid", val, sizeof(val)) ||
	    stat_flags(tid, &flags))
		return fail(-ESRCH, "no task with id %d (see /proc)", tid);
	memset(ti, 0, sizeof(*ti));
	ti->tid = tid;
	ti->tgid = atoi(val);
	ti->kthread = flags & (PF_KTHREAD | PF_USER_WORKER);
	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	if (read_text(path, ti->comm, sizeof(ti->comm)) < 0)
		ti->comm[0] = '\0';
	return 0;
}

int task_check_target(pid_t id, bool want_process, struct task_info *ti)
{
	int ret;

	ret = task_lookup(id, ti);
	if (ret)
		return ret;
	if (ti->kthread)
		return fail(-EPERM, "%d (%s) is a kernel thread; the kernel never masks those",
			    id, ti->comm);
	if (want_process && ti->tgid != id)
		return fail(-EINVAL, "%d is a thread of process %d (%s); use --tid %d or --pid %d",
			    id, ti->tgid, ti->comm, id, ti->tgid);
	return 0;
}

/* The hex value after "\n@key:\t0x" in @buf, if there is one. */
static bool status_hex(const char *buf, const char *key, __u64 *val)
{
	const char *p = strstr(buf, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	*val = strtoull(p, &end, 16);
	return end != p;
}

int task_xcr0(pid_t tid, __u64 *applied, __u64 *pending)
{
	char path[64], buf[4096];
	int len;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	len = read_text(path, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (!status_hex(buf, "\nx86_xcr0:\t", applied))
		return -ENOENT;
	if (!status_hex(buf, "\nx86_xcr0_pending:\t", pending))
		*pending = *applied;
	return 0;
}

int task_for_each(int (*fn)(pid_t tid, pid_t tgid, void *arg), void *arg)
{
	struct dirent *p, *t;
	DIR *proc, *dir;
	char path[64];
	int ret = 0;
	pid_t tgid;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (!ret && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		tgid = atoi(p->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task", tgid);
		dir = opendir(path);
		if (!dir)
			continue;
		while (!ret && (t = readdir(dir))) {
			if (t->d_name[0] >= '1' && t->d_name[0] <= '9')
				ret = fn(atoi(t->d_name), tgid, arg);
		}
		closedir(dir);
	}
	closedir(proc);
	return ret;
}

struct census {
	struct task_masks *out;
	size_t max, nr;
	bool any;
};

/* Add the masks of thread @tid to the census. */
static int census_one(pid_t tid, pid_t tgid, void *arg)
{
	struct census *c = arg;
	__u64 applied, pending;
	size_t i;

	(void)tgid;
	if (task_xcr0(tid, &applied, &pending))
		return 0;
	c->any = true;
	for (i = 0; i < c->nr; i++) {
		if (c->out[i].applied == applied && c->out[i].pending == pending) {
			c->out[i].nr++;
			return 0;
		}
	}
	if (c->nr < c->max)
		c->out[c->nr++] = (struct task_masks){ applied, pending, 1 };
	return 0;
}

int task_census(struct task_masks *out, size_t max)
{
	struct census c = { .out = out, .max = max };
	int ret = task_for_each(census_one, &c);

	if (ret)
		return ret;
	return c.any ? (int)c.nr : -ENOENT;
}

int task_sched_policy(pid_t tid)
{
	int policy = sched_getscheduler(tid);

	return policy < 0 ? -errno : policy & ~SCHED_RESET_ON_FORK;
}

const char *task_policy_name(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return "SCHED_OTHER";
	case SCHED_FIFO:
		return "SCHED_FIFO";
	case SCHED_RR:
		return "SCHED_RR";
	case SCHED_BATCH:
		return "SCHED_BATCH";
	case SCHED_IDLE:
		return "SCHED_IDLE";
	case SCHED_DEADLINE:
		return "SCHED_DEADLINE";
	case SCHED_EXT:
		return "SCHED_EXT";
	default:
		return "unknown";
	}
}
