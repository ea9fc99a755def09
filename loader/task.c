// SPDX-License-Identifier: GPL-2.0
/* Reading tasks from /proc, see task.h. */
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
	char path[64], line[256];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* The flags field of /proc/<tid>/stat (the 9th). */
static int stat_flags(pid_t tid, unsigned long *flags)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	/* comm may hold anything, even ") "; the fields go on after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		return -EINVAL;
	return 0;
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

int task_kernel_xcr0(pid_t tid, __u64 *mask)
{
	char val[64], *end;
	int ret;

	ret = status_field(tid, "x86_xcr0", val, sizeof(val));
	if (ret)
		return ret;
	errno = 0;
	*mask = strtoull(val, &end, 16);
	if (errno || end == val)
		return -EINVAL;
	return 0;
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
