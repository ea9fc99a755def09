// SPDX-License-Identifier: GPL-2.0
/*
 * test_lifecycle_xcr0: in-VM tests of a task's two masks through their life
 * (docs: ../shared/design/lifecycle.md). The kfunc sets the pending mask;
 * execve() applies it; the live flag applies it at once; fork, clone and
 * threads copy both; nothing else changes either: not a scheduler unload,
 * an error ejection, sysrq-S, sched_setscheduler() away from SCHED_EXT or a
 * priority-inheritance boost. The switching static key is on exactly while
 * some task has an applied mask. One line per test: ok / FAIL / SKIP.
 *
 *   test_lifecycle_xcr0
 *   test_lifecycle_xcr0 --role NAME [ARGS]   (a test body, run by the tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "xcr0.h"
#include "xcr0_test.skel.h"

#define TEST_PREFIX "lifecycle"
#include "xcr0_harness.h"

#define COUNT_FILE	"/sys/kernel/debug/x86/xcr0/xsetbv_count"
#define MASK		0x3ULL	/* x86-64-v2: the restricted programs' mask */

/* ---- roles: bodies that run in a child ---- */

/* Print this program's XGETBV(0) once, as "exec 0x..". */
static int role_xgetbv(void)
{
	printf("exec 0x%llx\n", (unsigned long long)xgetbv0());
	return 0;
}

/* Fork and exec role_xgetbv; its line goes to our stdout. */
static void exec_child(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		execl(self_exe, self_exe, "--role", "xgetbv", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
}

/* One line per byte on stdin, written with raw syscalls only. */
static NO_LIBC int role_rawreport(void)
{
	char c, line[32];

	raw_write("ready\n");
	while (syscall(SYS_read, 0, &c, 1) == 1) {
		put(hex(line, xgetbv0()), "\n");
		raw_write(line);
	}
	return 0;
}

static volatile uint64_t frame_xfeatures;

static void frame_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	/* fx_sw_bytes.xfeatures: the features the frame was written with */
	frame_xfeatures = *(uint64_t *)((uint8_t *)uc->uc_mcontext.fpregs + 464 + 8);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *pend_thread(void *arg)
{
	uint64_t applied = 0, pending = 0;

	status_masks("/proc/thread-self/status", &applied, &pending);
	snprintf(arg, 128, "thread 0x%llx applied 0x%llx pending 0x%llx",
		 (unsigned long long)xgetbv0(), (unsigned long long)applied,
		 (unsigned long long)pending);
	return NULL;
}

/*
 * A program whose pending mask changes while it runs. Says "ready" once
 * it runs, then one command a byte:
 *   x  print XGETBV(0)
 *   t  a new thread's XGETBV and its status lines
 *   f  a forked child's XGETBV and status lines, then what the program it
 *      execs sees
 *   T  start two threads that stay until the next execve(), print "threads"
 *   s  the features of a signal frame and CPUID 0xD's XSAVE size
 *   n  a failed execve(), then XGETBV(0)
 *   e  exec role_report (same stdin and stdout)
 */
static int role_pend(void)
{
	struct sigaction sa = { .sa_sigaction = frame_handler, .sa_flags = SA_SIGINFO };
	uint64_t applied = 0, pending = 0;
	unsigned int a, b, cx, d;
	char c, buf[128];
	int status;
	pthread_t t;
	pid_t pid;

	printf("ready\n");
	while (read(0, &c, 1) == 1) {
		switch (c) {
		case 'x':
			printf("0x%llx\n", (unsigned long long)xgetbv0());
			break;
		case 't':
			pthread_create(&t, NULL, pend_thread, buf);
			pthread_join(t, NULL);
			printf("%s\n", buf);
			break;
		case 'f':
			fflush(stdout);
			pid = fork();
			if (!pid) {
				status_masks("/proc/self/status", &applied, &pending);
				printf("fork 0x%llx applied 0x%llx pending 0x%llx\n",
				       (unsigned long long)xgetbv0(),
				       (unsigned long long)applied,
				       (unsigned long long)pending);
				exec_child();
				_exit(0);
			}
			waitpid(pid, &status, 0);
			break;
		case 'T':
			pthread_create(&t, NULL, idle_thread, NULL);
			pthread_create(&t, NULL, idle_thread, NULL);
			printf("threads\n");
			break;
		case 's':
			sigaction(SIGUSR1, &sa, NULL);
			raise(SIGUSR1);
			__cpuid_count(0xd, 0, a, b, cx, d);
			printf("frame 0x%llx cpuid 0x%x\n", (unsigned long long)frame_xfeatures, b);
			break;
		case 'n':
			execl("/nonexistent/xcr0", "xcr0", (char *)NULL);
			printf("0x%llx\n", (unsigned long long)xgetbv0());
			break;
		case 'e':
			fflush(stdout);
			execl(self_exe, self_exe, "--role", "report", (char *)NULL);
			return 127;
		}
	}
	return 0;
}

/*
 * A restricted program at work: memcpy and strlen (glibc picked their
 * variants for this program's XCR0 at startup) and an XGETBV check against
 * @want_s, in a loop, until stdin closes. With a file descriptor in @fd_s,
 * it first takes the PI futex at the start of that file. Commands:
 *   x  print "xcr0 0x.. wrong N loops N"
 *   e  fork and exec role_xgetbv
 *   u  release the PI futex, print "unlocked"
 */
static char busy_src[65536], busy_dst[65536];
static volatile size_t busy_len = sizeof(busy_src) - 1;
static volatile size_t busy_sink;

static int role_busy(const char *want_s, const char *fd_s)
{
	uint64_t want = strtoull(want_s, NULL, 0);
	struct timespec ms = { 0, 1000000 };
	uint32_t *word = NULL, tid = gettid();
	long wrong = 0, loops = 0;
	int fd = atoi(fd_s);
	ssize_t n;
	char c;

	memset(busy_src, 'a', busy_len);
	if (fd >= 0) {
		word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (word == MAP_FAILED)
			return 1;
		__atomic_store_n(word, tid, __ATOMIC_SEQ_CST);
	}
	fcntl(0, F_SETFL, O_NONBLOCK);
	printf("ready\n");
	for (;;) {
		memcpy(busy_dst, busy_src, busy_len);
		busy_sink += strlen(busy_dst);
		if (xgetbv0() != want)
			wrong++;
		loops++;
		n = read(0, &c, 1);
		if (!n)
			break;
		if (n < 0) {
			nanosleep(&ms, NULL);
			continue;
		}
		switch (c) {
		case 'x':
			printf("xcr0 0x%llx wrong %ld loops %ld\n",
			       (unsigned long long)xgetbv0(), wrong, loops);
			break;
		case 'e':
			exec_child();
			break;
		case 'u':
			if (word && !__atomic_compare_exchange_n(word, &tid, 0, false,
								 __ATOMIC_SEQ_CST,
								 __ATOMIC_SEQ_CST))
				syscall(SYS_futex, word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
			tid = gettid();
			printf("unlocked\n");
			break;
		}
	}
	return 0;
}

static int run_role(int argc, char **argv)
{
	const char *role = argv[2];
	const char *a1 = argc > 3 ? argv[3] : "0";
	const char *a2 = argc > 4 ? argv[4] : "-1";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(role, "report"))
		return role_report();
	if (!strcmp(role, "rawreport"))
		return role_rawreport();
	if (!strcmp(role, "xgetbv"))
		return role_xgetbv();
	if (!strcmp(role, "pend"))
		return role_pend();
	if (!strcmp(role, "busy"))
		return role_busy(a1, a2);
	fprintf(stderr, "unknown role %s\n", role);
	return 2;
}

/* ---- helpers ---- */

static bool have_key_file;

/* Send @c, read one line back. */
static bool ask(struct proc *p, char c, char *line, size_t len)
{
	if (write(p->in, &c, 1) != 1) {
		line[0] = 0;
		return false;
	}
	return proc_line(p, line, len);
}

static uint64_t hexval(const char *s, const char *prefix)
{
	unsigned long long v = ~0ULL;
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%s0x%%llx", prefix);
	sscanf(s, fmt, &v);
	return v;
}

/* XSETBVs on all CPUs so far; false without the debug counter. */
static bool xsetbv_total(uint64_t *total)
{
	unsigned long long r, s;
	char line[256];
	bool found = false;
	FILE *f = fopen(COUNT_FILE, "r");

	*total = 0;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu%*d raise %llu set %llu", &r, &s) == 2) {
			*total += r + s;
			found = true;
		}
	fclose(f);
	return found;
}

static void *yielder(void *arg)
{
	long i, n = (long)arg;

	pin_to(0);
	for (i = 0; i < n; i++)
		sched_yield();
	return NULL;
}

/* Two unrestricted threads taking turns on CPU 0, @n switches each. */
static void yield_pingpong(long n)
{
	pthread_t a, b;

	pthread_create(&a, NULL, yielder, (void *)n);
	pthread_create(&b, NULL, yielder, (void *)n);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

/*
 * The key is off and no task is counted, also some time after the last
 * restricted task exited; no XSETBV happens afterwards.
 */
static void check_key_off(const char *name, bool check_flat)
{
	uint64_t c0 = 0, c1 = 0;
	long tasks = -1;
	int sw = -1, i;
	bool counts;

	if (!have_key_file) {
		skip(name, "no " XCR0_TASKS_FILE " (needs CONFIG_X86_DEBUG_XCR0)");
		return;
	}
	for (i = 0; i < 100; i++) {
		if (xcr0_key(&tasks, &sw) && !tasks && !sw)
			break;
		usleep(10000);
	}
	if (!check_flat || tasks || sw) {
		report(!tasks && !sw, name, "tasks %ld switching %d (want 0 and 0)", tasks, sw);
		return;
	}
	counts = xsetbv_total(&c0);
	yield_pingpong(2000);
	usleep(100000);
	counts &= xsetbv_total(&c1);
	if (!counts)
		printf("# %s: no %s, XSETBV count not checked\n", name, COUNT_FILE);
	report(c0 == c1, name,
	       "key off, yet %llu XSETBV over 4000 switches of unrestricted tasks",
	       (unsigned long long)(c1 - c0));
}

static void check_key_on(const char *name)
{
	long tasks = -1;
	int sw = -1;

	if (!have_key_file) {
		skip(name, "no " XCR0_TASKS_FILE " (needs CONFIG_X86_DEBUG_XCR0)");
		return;
	}
	xcr0_key(&tasks, &sw);
	report(tasks >= 1 && sw == 1, name, "tasks %ld switching %d (want >= 1 and 1)",
	       tasks, sw);
}

/* ---- 1. pending and applied ---- */

static void test_pending(void)
{
	unsigned long long fx = 0, fa = 0, fp = 0, tx = 0, ta = 0, tp = 0;
	uint64_t applied = 0, pending = 0;
	char line[256], line2[256];
	struct xcr0_test_res res = {};
	struct proc p;
	bool has;
	long r;
	int st;

	if (spawn_role(0, &p, "pend", NULL, NULL) || !proc_line(&p, line, sizeof(line))) {
		report(false, "pending/kfunc-sets-pending-only", "could not start a child");
		return;
	}
	/* Set the pending mask while the program runs; 'x' wakes it. */
	wait_sleeping(p.pid);
	request_put(p.pid, MASK);
	proc_send(&p);
	r = request_result(p.pid, &res);
	proc_line(&p, line, sizeof(line));
	report(!r && res.pending == MASK && !res.applied, "pending/kfunc-sets-pending-only",
	       "kfunc %ld; read back: pending 0x%llx applied 0x%llx (want 0, 0x3, 0)", r,
	       (unsigned long long)res.pending, (unsigned long long)res.applied);
	has = proc_masks(p.pid, &applied, &pending);
	report(hexval(line, "") == full && has && applied == full, "pending/running-program-keeps-mask",
	       "XGETBV '%s', /proc x86_xcr0 0x%llx (want 0x%llx for both)", line,
	       (unsigned long long)applied, (unsigned long long)full);
	report(has && pending == MASK, "pending/proc-shows-pending",
	       "/proc x86_xcr0_pending 0x%llx (want 0x3)", (unsigned long long)pending);
	check_key_off("static-key/off-with-pending-only", false);

	ask(&p, 's', line, sizeof(line));
	sscanf(line, "frame 0x%llx cpuid 0x%llx", &fx, &fa);
	report(fx == full && fa == expected_xsave_size(full), "pending/frame-and-cpuid-follow-applied",
	       "'%s' (want frame 0x%llx cpuid 0x%x: the running program's mask)", line,
	       (unsigned long long)full, expected_xsave_size(full));

	ask(&p, 'n', line, sizeof(line));
	has = proc_masks(p.pid, &applied, &pending);
	report(hexval(line, "") == full && has && applied == full && pending == MASK,
	       "pending/failed-exec-keeps-masks",
	       "after a failed execve(): XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x%llx, 0x3)",
	       line, (unsigned long long)applied, (unsigned long long)pending,
	       (unsigned long long)full);

	ask(&p, 't', line, sizeof(line));
	sscanf(line, "thread 0x%llx applied 0x%llx pending 0x%llx", &tx, &ta, &tp);
	report(tx == full && ta == full && tp == MASK, "pending/thread-copies-both",
	       "'%s' (want XGETBV and applied 0x%llx, pending 0x3)", line,
	       (unsigned long long)full);

	ask(&p, 'f', line, sizeof(line));
	proc_line(&p, line2, sizeof(line2));
	sscanf(line, "fork 0x%llx applied 0x%llx pending 0x%llx", &fx, &fa, &fp);
	report(fx == full && fa == full && fp == MASK, "pending/fork-copies-both",
	       "'%s' (want XGETBV and applied 0x%llx, pending 0x3)", line,
	       (unsigned long long)full);
	report(hexval(line2, "exec ") == MASK, "pending/exec-in-forked-child-applies",
	       "the forked child's exec'd program said '%s' (want exec 0x3)", line2);

	/* The program execs: the new one starts under the mask */
	if (write(p.in, "e", 1) != 1)
		perror("write");
	ask(&p, 'x', line, sizeof(line));
	has = proc_masks(p.pid, &applied, &pending);
	report(hexval(line, "") == MASK && has && applied == MASK && pending == MASK,
	       "pending/exec-applies",
	       "after execve: XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x3, no pending line)",
	       line, (unsigned long long)applied, (unsigned long long)pending);
	check_key_on("static-key/on-with-restricted-task");
	st = proc_end(&p);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("# pending: child status 0x%x\n", st);
	check_key_off("static-key/off-after-last-exit", true);
}

/*
 * A restricted program with three threads gets "no mask" as pending: it
 * keeps its mask, /proc shows the full mask pending, its execve() (which
 * ends the other threads) drops the mask, and with it the static key.
 */
static void test_pending_clear(void)
{
	uint64_t applied = 0, pending = 0;
	char line[256];
	struct proc p;
	long tasks = -1, r;
	int sw = -1, st;

	if (spawn_role(MASK, &p, "pend", NULL, NULL) || p.ret ||
	    !proc_line(&p, line, sizeof(line))) {
		report(false, "pending/clear-shown-as-full", "could not start a child under 0x3");
		return;
	}
	ask(&p, 'T', line, sizeof(line));
	if (have_key_file) {
		xcr0_key(&tasks, &sw);
		report(tasks == 3 && sw == 1, "static-key/counts-threads",
		       "one restricted process with 3 threads: tasks %ld switching %d (want 3, 1)",
		       tasks, sw);
	} else {
		skip("static-key/counts-threads", "no " XCR0_TASKS_FILE);
	}
	r = change_mask_flags(&p, 0, 0);
	proc_line(&p, line, sizeof(line));
	proc_masks(p.pid, &applied, &pending);
	report(!r && hexval(line, "") == MASK && applied == MASK && pending == full,
	       "pending/clear-shown-as-full",
	       "kfunc %ld; XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x3, pending 0x%llx)",
	       r, line, (unsigned long long)applied, (unsigned long long)pending,
	       (unsigned long long)full);
	if (write(p.in, "e", 1) != 1)
		perror("write");
	ask(&p, 'x', line, sizeof(line));
	proc_masks(p.pid, &applied, &pending);
	report(hexval(line, "") == full && applied == full && pending == full,
	       "pending/clear-applies-at-exec",
	       "after execve: XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x%llx)",
	       line, (unsigned long long)applied, (unsigned long long)pending,
	       (unsigned long long)full);
	check_key_off("static-key/off-after-exec-to-no-mask", false);
	st = proc_end(&p);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("# pending-clear: child status 0x%x\n", st);
}

/* ---- 2. a live request applies at once ---- */

static void test_live(void)
{
	uint64_t applied = 0, pending = 0;
	struct xcr0_test_res res = {};
	char line[64] = "";
	struct proc p;
	int st;
	long r;

	if (spawn_role(0, &p, "rawreport", NULL, NULL) || !proc_line(&p, line, sizeof(line))) {
		report(false, "live/applies-at-once", "could not start a child");
		return;
	}
	/* Narrowing: the program writes with raw syscalls only */
	wait_sleeping(p.pid);
	request_put_flags(p.pid, MASK, live_flag());
	proc_send(&p);
	r = request_result(p.pid, &res);
	proc_line(&p, line, sizeof(line));
	proc_masks(p.pid, &applied, &pending);
	report(!r && res.pending == MASK && hexval(line, "") == MASK && applied == MASK &&
	       pending == MASK, "live/applies-at-once",
	       "kfunc %ld, pending 0x%llx; then XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x3 everywhere)",
	       r, (unsigned long long)res.pending, line, (unsigned long long)applied,
	       (unsigned long long)pending);
	check_key_on("static-key/on-after-live-set");

	/* Back to no mask, live: the key goes off with it */
	wait_sleeping(p.pid);
	request_put_flags(p.pid, 0, live_flag());
	proc_send(&p);
	r = request_result(p.pid, &res);
	proc_line(&p, line, sizeof(line));
	proc_masks(p.pid, &applied, &pending);
	report(!r && hexval(line, "") == full && applied == full && pending == full,
	       "live/clear-applies-at-once",
	       "kfunc %ld; then XGETBV '%s', /proc x86_xcr0 0x%llx pending 0x%llx (want 0x%llx)",
	       r, line, (unsigned long long)applied, (unsigned long long)pending,
	       (unsigned long long)full);
	check_key_off("static-key/off-after-live-clear", false);
	st = proc_end(&p);
	report(WIFEXITED(st) && !WEXITSTATUS(st), "live/program-survives",
	       "child status 0x%x", st);
}

/* ---- 3. what does not change a mask ---- */

enum event { EV_UNLOAD, EV_ERROR, EV_SYSRQ, EV_SETSCHED, EV_PI_BOOST };

static const char *const event_name[] = {
	[EV_UNLOAD]	= "unload",
	[EV_ERROR]	= "error-ejection",
	[EV_SYSRQ]	= "sysrq-s",
	[EV_SETSCHED]	= "setscheduler-other",
	[EV_PI_BOOST]	= "pi-boost",
};

struct pi_waiter {
	uint32_t *word;
	long ret;
};

/* A SCHED_FIFO thread blocking on the PI futex the child holds boosts it. */
static void *pi_waiter(void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };
	struct pi_waiter *w = arg;
	uint32_t tid = gettid();

	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		w->ret = -errno;
		return NULL;
	}
	w->ret = syscall(SYS_futex, w->word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	if (!w->ret && !__atomic_compare_exchange_n(w->word, &tid, 0, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, w->word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	return NULL;
}

/* The "priority" field of /proc/PID/stat: negative while RT-boosted. */
static long stat_priority(pid_t pid)
{
	char path[64], buf[512], *p;
	long prio = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	/* fields 3 (state) to 17 skipped, 18 is the priority */
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %ld",
		       &prio);
	return prio;
}

static bool wait_boosted(pid_t pid)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (stat_priority(pid) < 0)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A restricted program keeps working through @ev: its mask (XGETBV in the
 * task, /proc) stays, it ends without a signal, and what it execs after
 * the event inherits the mask.
 */
static void test_event(enum event ev)
{
	struct sched_param sp = { 0 };
	struct pi_waiter w = { NULL, -1 };
	char name[3][96], line[256] = "", mid[256] = "", after[256] = "", ex[256] = "";
	char fdarg[16] = "-1", what[128] = "";
	unsigned long long before_x = 0, after_x = 0;
	uint64_t applied = 0, pending = 0;
	long wrong = -1, loops = 0, tasks = -1;
	bool happened = false;
	int st, sw = -1, fd = -1;
	pthread_t t;
	struct proc p;

	snprintf(name[0], sizeof(name[0]), "%s/running-program-keeps-mask", event_name[ev]);
	snprintf(name[1], sizeof(name[1]), "%s/finishes-without-signal", event_name[ev]);
	snprintf(name[2], sizeof(name[2]), "%s/exec-after-inherits-mask", event_name[ev]);

	unload_scheduler();
	partial_mode = ev == EV_SETSCHED;
	if (load_scheduler()) {
		report(false, name[0], "cannot load the test scheduler");
		partial_mode = false;
		return;
	}
	if (ev == EV_PI_BOOST) {
		fd = memfd_create("xcr0-pi", 0);
		if (fd < 0 || ftruncate(fd, 4096)) {
			report(false, name[0], "memfd: %s", strerror(errno));
			goto out;
		}
		w.word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
	}
	if (spawn_role(MASK, &p, "busy", "0x3", fdarg) || p.ret) {
		report(false, name[0], "could not start a child under 0x3 (%ld)", p.ret);
		goto out;
	}
	proc_line(&p, line, sizeof(line));
	ask(&p, 'x', line, sizeof(line));
	sscanf(line, "xcr0 0x%llx", &before_x);

	switch (ev) {
	case EV_UNLOAD:
		unload_scheduler();
		happened = wait_scx_state("disabled");
		snprintf(what, sizeof(what), "scheduler %s", happened ? "unloaded" : "still attached");
		break;
	case EV_ERROR:
		expect_console("sched_ext: BPF scheduler \"xcr0_test\" disabled \\(scx_bpf_error\\)");
		skel->bss->error_tid = p.pid;
		happened = wait_scx_state("disabled");
		snprintf(what, sizeof(what), "scheduler %s", happened ? "ejected" : "still attached");
		break;
	case EV_SYSRQ:
		if (write_str("/proc/sysrq-trigger", "S"))
			perror("sysrq-S");
		happened = wait_scx_state("disabled");
		snprintf(what, sizeof(what), "scheduler %s", happened ? "disabled" : "still attached");
		break;
	case EV_SETSCHED:
		happened = sched_getscheduler(p.pid) == SCHED_EXT &&
			   !sched_setscheduler(p.pid, SCHED_OTHER, &sp) &&
			   sched_getscheduler(p.pid) == SCHED_OTHER;
		snprintf(what, sizeof(what), "policy now %d", sched_getscheduler(p.pid));
		break;
	case EV_PI_BOOST:
		pthread_create(&t, NULL, pi_waiter, &w);
		happened = wait_boosted(p.pid);
		snprintf(what, sizeof(what), "priority %ld while a FIFO waiter blocks",
			 stat_priority(p.pid));
		usleep(200000);
		ask(&p, 'x', mid, sizeof(mid));
		ask(&p, 'u', line, sizeof(line));
		pthread_join(t, NULL);
		if (w.ret)
			snprintf(what, sizeof(what), "FUTEX_LOCK_PI %ld", w.ret);
		happened &= !w.ret;
		break;
	}
	usleep(300000);	/* the program keeps calling memcpy and strlen */
	ask(&p, 'x', after, sizeof(after));
	sscanf(after, "xcr0 0x%llx wrong %ld loops %ld", &after_x, &wrong, &loops);
	proc_masks(p.pid, &applied, &pending);
	if (have_key_file)
		xcr0_key(&tasks, &sw);
	else
		sw = 1;
	ask(&p, 'e', ex, sizeof(ex));
	st = proc_end(&p);

	printf("# %s: %s\n", event_name[ev], what);
	report(happened && before_x == MASK && after_x == MASK && !wrong && applied == MASK &&
	       pending == MASK && sw == 1 && (!mid[0] || hexval(mid, "xcr0 ") == MASK),
	       name[0],
	       "%s; XGETBV 0x%llx before, '%s'%s%s after; /proc x86_xcr0 0x%llx pending 0x%llx; switching %d (want 0x3 throughout, key on)",
	       what, before_x, after, mid[0] ? ", during: " : "", mid,
	       (unsigned long long)applied, (unsigned long long)pending, sw);
	report(WIFEXITED(st) && !WEXITSTATUS(st), name[1], "child status 0x%x%s", st,
	       WIFSIGNALED(st) ? " (killed by a signal)" : "");
	report(hexval(ex, "exec ") == MASK, name[2],
	       "a program it exec'd after the event said '%s' (want exec 0x3)", ex);
out:
	if (w.word && w.word != MAP_FAILED)
		munmap(w.word, 4096);
	if (fd >= 0)
		close(fd);
	unload_scheduler();
	partial_mode = false;
}

int main(int argc, char **argv)
{
	long tasks;
	int sw;

	if (readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1) < 0)
		return 1;
	if (argc > 2 && !strcmp(argv[1], "--role"))
		return run_role(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	full = xgetbv0();
	have_key_file = xcr0_key(&tasks, &sw);

	check_key_off("static-key/off-without-restricted-task", false);
	if (load_scheduler()) {
		report(false, "load-test-scheduler",
		       "cannot load xcr0_test: does this kernel have scx_bpf_task_get_xcr0_applied()?");
		return 1;
	}
	test_pending();
	test_pending_clear();
	test_live();
	test_event(EV_UNLOAD);
	test_event(EV_ERROR);
	test_event(EV_SYSRQ);
	test_event(EV_SETSCHED);
	test_event(EV_PI_BOOST);
	check_key_off("static-key/off-after-detached-programs-exit", true);
	unload_scheduler();
	return failures ? 1 : 0;
}
