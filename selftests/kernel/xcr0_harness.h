/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcr0_harness.h: what the in-VM kernel tests share. The xcr0_test
 * scheduler, mask requests, and children that get their mask as the
 * pending mask before execve() and run their program under it from its
 * first instruction (glibc picks its SIMD code once, at startup, so a
 * process restricted mid-run SIGILLs in the memcpy it already chose).
 *
 * The including test defines TEST_PREFIX (the first part of every test
 * name) and includes this after vmlinux-free system headers, xcr0.h and
 * xcr0_test.skel.h.
 */
#ifndef XCR0_HARNESS_H
#define XCR0_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_alg.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "xcr0_cpu.h"
#include "xcr0_report.h"

#define SCHED_EXT	7

static struct xcr0_test *skel;
static struct bpf_link *scx_link;
static uint64_t full;		/* XCR0 of an unrestricted task */
static char self_exe[4096];	/* this program, for --role children */
static bool partial_mode;	/* load in partial mode, children SCHED_EXT */
static inline int load_scheduler(void)
{
	skel = xcr0_test__open();
	if (!skel)
		return -1;
	skel->struct_ops.xcr0_test_ops->hotplug_seq = scx_hotplug_seq();
	if (partial_mode)
		skel->struct_ops.xcr0_test_ops->flags |= SCX_OPS_SWITCH_PARTIAL;
	skel->bss->probe_tgid = getpid();
	if (xcr0_test__load(skel)) {
		xcr0_test__destroy(skel);
		skel = NULL;
		return -1;
	}
	scx_link = bpf_map__attach_struct_ops(skel->maps.xcr0_test_ops);
	if (!scx_link) {
		xcr0_test__destroy(skel);
		skel = NULL;
		return -1;
	}
	return 0;
}

static inline void unload_scheduler(void)
{
	if (scx_link)
		bpf_link__destroy(scx_link);
	scx_link = NULL;
	if (skel)
		xcr0_test__destroy(skel);
	skel = NULL;
}

/*
 * Ask the scheduler to set @tid's mask the next time it runs (request_put),
 * and wait for the kfunc's answer (request_wait). The caller makes sure @tid
 * runs in between. Without flags the kfunc sets the pending mask, which the
 * task's next execve() applies; with live_flag() it applies it at once too.
 */
struct xcr0_test_req { uint64_t mask, seq, flags; };
struct xcr0_test_res { int64_t ret; uint64_t seq, pending, applied; };

static uint64_t request_seq;

/* SCX_XCR0_LIVE, as the scheduler was built with it (from vmlinux.h) */
static inline uint64_t live_flag(void)
{
	return skel->rodata->xcr0_live;
}

static inline int request_put_flags(pid_t tid, uint64_t mask, uint64_t flags)
{
	struct xcr0_test_req req = { mask, ++request_seq, flags };
	uint32_t key = tid;

	return bpf_map__update_elem(skel->maps.xcr0_req, &key, sizeof(key),
				    &req, sizeof(req), BPF_ANY);
}

static inline int request_put(pid_t tid, uint64_t mask)
{
	return request_put_flags(tid, mask, 0);
}

/* The kfunc's answer and the masks read back right after it. */
static inline long request_result(pid_t tid, struct xcr0_test_res *res)
{
	uint32_t key = tid;
	int i;

	for (i = 0; i < 3000; i++) {
		if (!bpf_map__lookup_elem(skel->maps.xcr0_res, &key, sizeof(key),
					  res, sizeof(*res), 0) &&
		    res->seq == request_seq)
			return res->ret;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static inline long request_wait(pid_t tid)
{
	struct xcr0_test_res res;

	return request_result(tid, &res);
}

/*
 * Wait until @pid sleeps (in the read() it blocks in to wait for us) and is
 * off its run queue. The scheduler applies a request in ops.running(), when
 * the task is next switched in: a task that is woken before it got off the
 * CPU is not switched in again, and would pick the request up only later,
 * after the line it is meant to report. "S" in /proc/PID/stat is set before
 * the task leaves the CPU; /proc/PID/wchan names a function only once the
 * task has left its run queue.
 */
static inline bool proc_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return true;
}

static inline void wait_sleeping(pid_t pid)
{
	char path[64], wpath[64], buf[512], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	snprintf(wpath, sizeof(wpath), "/proc/%d/wchan", pid);
	for (i = 0; i < 2000; i++) {
		if (!proc_read(path, buf, sizeof(buf)))
			return;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S' && proc_read(wpath, buf, sizeof(buf)) &&
		    strcmp(buf, "0"))
			return;
		usleep(1000);
	}
}

struct proc {
	pid_t pid;
	int in;		/* the child's stdin */
	FILE *out;	/* the child's stdout */
	long ret;	/* what the kfunc answered, 0 if no mask was asked */
};

static inline int spawn(uint64_t mask, struct proc *p, char *const argv[])
{
	int go[2], to[2], from[2];
	struct pollfd pfd;
	char c;

	if (pipe(go) || pipe(to) || pipe(from))
		return -1;
	pfd.fd = go[0];
	pfd.events = POLLIN;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (!p->pid) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(go[1]);
		close(to[1]);
		close(from[0]);
		if (partial_mode) {
			struct sched_param param = {};

			syscall(SYS_sched_setscheduler, 0, SCHED_EXT, &param);
		}
		/*
		 * Sleep a millisecond at a time until the parent has seen
		 * the kfunc's answer: every wakeup switches us in, which is
		 * when the scheduler sets the pending mask. Then execve()
		 * applies it.
		 */
		while (!poll(&pfd, 1, 1))
			;
		if (syscall(SYS_read, go[0], &c, 1) != 1)
			_exit(126);
		syscall(SYS_execve, argv[0], argv, environ);
		_exit(127);
	}
	close(go[0]);
	close(to[0]);
	close(from[1]);
	p->in = to[1];
	p->out = fdopen(from[0], "r");
	p->ret = 0;
	if (mask && request_put(p->pid, mask))
		p->ret = -EIO;
	if (mask && !p->ret)
		p->ret = request_wait(p->pid);
	if (write(go[1], "g", 1) != 1)
		p->ret = -EIO;
	close(go[1]);
	return 0;
}

static inline int spawn_role(uint64_t mask, struct proc *p, const char *role,
			     const char *arg1, const char *arg2)
{
	char *argv[] = { self_exe, "--role", (char *)role, (char *)arg1,
			 (char *)arg2, NULL };

	return spawn(mask, p, argv);
}

static inline bool proc_line(struct proc *p, char *buf, size_t len)
{
	if (!fgets(buf, len, p->out)) {
		buf[0] = 0;
		return false;
	}
	buf[strcspn(buf, "\n")] = 0;
	return true;
}

static inline void proc_send(struct proc *p)
{
	if (write(p->in, "x", 1) != 1)
		perror("write to child");
}

static inline int proc_end(struct proc *p)
{
	int status = 0;

	close(p->in);
	fclose(p->out);
	waitpid(p->pid, &status, 0);
	return status;
}

/*
 * Set the mask of a running child with @flags: it must run to pick the
 * request up (the byte sent wakes it).
 */
static inline long change_mask_flags(struct proc *p, uint64_t mask, uint64_t flags)
{
	wait_sleeping(p->pid);
	if (request_put_flags(p->pid, mask, flags))
		return -EIO;
	proc_send(p);
	return request_wait(p->pid);
}

/* Change the mask of a running child's current program (a live change). */
static inline long change_mask(struct proc *p, uint64_t mask)
{
	return change_mask_flags(p, mask, live_flag());
}

/*
 * The x86_xcr0 (applied) and x86_xcr0_pending lines of a status file
 * (/proc/PID/status, /proc/thread-self/status). *pending is *applied when
 * there is no pending line, as it is shown only when it differs. Returns
 * false without an x86_xcr0 line.
 */
static inline bool status_masks(const char *path, uint64_t *applied, uint64_t *pending)
{
	unsigned long long a = 0, p = 0;
	bool found = false, has_pending = false;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "x86_xcr0:\t0x%llx", &a) == 1)
			found = true;
		else if (sscanf(line, "x86_xcr0_pending:\t0x%llx", &p) == 1)
			has_pending = true;
	}
	fclose(f);
	*applied = a;
	*pending = has_pending ? p : a;
	return found;
}

static inline bool proc_masks(pid_t pid, uint64_t *applied, uint64_t *pending)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return status_masks(path, applied, pending);
}

/* The switching static key and how many tasks have an applied mask. */
#define XCR0_TASKS_FILE	"/sys/kernel/debug/x86/xcr0/tasks"

static inline bool xcr0_key(long *tasks, int *switching)
{
	bool ok;
	FILE *f = fopen(XCR0_TASKS_FILE, "r");

	if (!f)
		return false;
	ok = fscanf(f, "tasks %ld switching %d", tasks, switching) == 2;
	fclose(f);
	return ok;
}

/* One line per byte on stdin: this task's XGETBV(0). */
static inline int role_report(void)
{
	char c;

	while (read(0, &c, 1) == 1)
		printf("0x%llx\n", (unsigned long long)xgetbv0());
	return 0;
}

/* ---- the system around the tests ---- */

#define SCX_STATE	"/sys/kernel/sched_ext/state"

static inline bool scx_state_is(const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(SCX_STATE, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return !strcmp(buf, want);
}

static inline bool wait_scx_state(const char *want)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (scx_state_is(want))
			return true;
		usleep(10000);
	}
	return false;
}

static inline void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ok;
}

/* Tell vm/run that a console line matching @regex is this test's doing. */
static inline void expect_console(const char *regex)
{
	const char *dir = getenv("VM_RESULTS");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/expected-console", dir);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", regex);
		fclose(f);
	}
}

/*
 * An AF_ALG operation socket of hash @name (an algorithm or a driver, as
 * /proc/crypto names them): write the data, read the digest. -1 if the
 * kernel has no AF_ALG or no such hash. The bound socket it came from is
 * closed: the operation socket holds what it needs of it.
 */
static inline int alg_hash_open(const char *name)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "hash" };
	int tfm, op = -1;

	strncpy((char *)sa.salg_name, name, sizeof(sa.salg_name) - 1);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -1;
	if (!bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		op = accept(tfm, NULL, 0);
	close(tfm);
	return op;
}

/* The highest-priority driver of hash @alg in /proc/crypto, and whether one exists. */
static inline bool crypto_best_driver(const char *alg, char *drv, size_t len)
{
	char line[256], name[128] = "", cur[128] = "";
	int prio, best = -1;
	FILE *f = fopen("/proc/crypto", "r");

	drv[0] = 0;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", name) == 1)
			continue;
		if (sscanf(line, "driver : %127s", cur) == 1)
			continue;
		if (sscanf(line, "priority : %d", &prio) == 1 && !strcmp(name, alg) &&
		    prio > best) {
			best = prio;
			snprintf(drv, len, "%s", cur);
		}
	}
	fclose(f);
	return best >= 0;
}

#endif /* XCR0_HARNESS_H */
