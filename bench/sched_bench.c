// SPDX-License-Identifier: GPL-2.0
/*
 * sched_bench: the workloads of `make bench` (bench/guest).
 *
 *   sched_bench [-c CPU] [-r CGROUP -m MASK] [-t SECS] pipe|futex N
 *   sched_bench [-r CGROUP -m MASK] fanout GROUPS LOOPS
 *   sched_bench [-c CPU] -t SECS mixed          (needs -r and -m)
 *   sched_bench -c CPU syscalls|signals N
 *   sched_bench latency PID MASK CMD [ARGS...]
 *   sched_bench fill MAP FIRST COUNT VALUE
 *   sched_bench spin
 *
 * pipe, futex: a pair of processes passing a token N times (two switches
 * per round trip when pinned to one CPU with -c). fanout: hackbench's
 * shape, GROUPS groups of 10 senders and 10 receivers over socketpairs,
 * each sender writing LOOPS 100-byte messages to each receiver. With -r,
 * half the processes (one of each pair, every other sender and receiver)
 * join cgroup CGROUP, wait until the scheduler made MASK their pending
 * mask, and exec, so that they run under MASK. Prints "ns T ops N".
 *
 * mixed: two pipe pairs on one CPU for SECS seconds, one pair under MASK
 * and one unrestricted; prints the round trips and the CPU time of each.
 *
 * syscalls, signals: N getppid() calls or N signals handled, in this
 * process (run it restricted); prints the XSETBV count of its CPU over
 * them from /sys/kernel/debug/x86/xcr0/xsetbv_count.
 *
 * latency: the time from starting CMD to the pending mask of PID being
 * MASK in /proc/PID/status; prints "ns T".
 *
 * fill: COUNT entries FIRST, FIRST+1, ... with VALUE in the pinned hash
 * map MAP (u32 keys, u64 values), with the bpf() syscall.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COUNT_FILE	"/sys/kernel/debug/x86/xcr0/xsetbv_count"
#define MAX_WORKERS	256
#define FANOUT_NUM	10	/* senders and receivers per group */
#define MSG_SIZE	100

static int opt_cpu = -1;
static const char *opt_cg;
static unsigned long long opt_mask;
static int opt_secs;

/* Shared with the workers (a memfd, inherited across exec as fd STATS_FD). */
struct stats {
	volatile uint64_t ops[MAX_WORKERS];
	volatile uint32_t futex;
	volatile uint32_t ready;	/* workers waiting for the go */
};

static struct stats *stats;
static int stats_fd = -1, go_rfd = -1, go_wfd = -1;
static pid_t workers[MAX_WORKERS];
static int nworkers;
static uint64_t cpu_ns[MAX_WORKERS];	/* with -t: CPU time each worker used */

static void die(const char *what)
{
	fprintf(stderr, "sched_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* The pending mask of /proc/PID/status (x86_xcr0 if no pending line). */
static long long pending_mask(pid_t pid)
{
	char path[64], buf[4096], *p;
	long long applied = -1, pending = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "\nx86_xcr0:");
	if (p)
		applied = strtoll(p + 10, NULL, 0);
	p = strstr(buf, "\nx86_xcr0_pending:");
	if (p)
		pending = strtoll(p + 18, NULL, 0);
	return pending >= 0 ? pending : applied;
}

/* Join CGROUP and wait (10 s at most) until MASK is this task's pending mask. */
static void restrict_self(void)
{
	char path[4096];
	int fd, i;

	snprintf(path, sizeof(path), "%s/cgroup.procs", opt_cg);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		die(path);
	close(fd);
	for (i = 0; i < 10000; i++) {
		if (pending_mask(getpid()) == (long long)opt_mask)
			return;
		usleep(1000);
	}
	fprintf(stderr, "sched_bench: pending mask never became %#llx (scheduler attached?)\n",
		opt_mask);
	exit(1);
}

/*
 * Start worker @idx running ROLE with @args (and the stats and go fds): a
 * restricted one execs, so that it runs under its pending mask.
 */
static void spawn(int idx, int restricted, const char *role, long a, long b, long n)
{
	char sidx[16], sa[24], sb[24], sn[24], sfd[16], sgo[16];
	pid_t pid;

	if (idx >= MAX_WORKERS)
		die("too many workers");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid) {
		workers[nworkers++] = pid;
		return;
	}
	pin(opt_cpu);
	if (restricted)
		restrict_self();
	snprintf(sidx, sizeof(sidx), "%d", idx);
	snprintf(sa, sizeof(sa), "%ld", a);
	snprintf(sb, sizeof(sb), "%ld", b);
	snprintf(sn, sizeof(sn), "%ld", n);
	snprintf(sfd, sizeof(sfd), "%d", stats_fd);
	snprintf(sgo, sizeof(sgo), "%d", go_rfd);
	execl("/proc/self/exe", "sched_bench", "--worker", role, sidx, sa, sb, sn, sfd, sgo,
	      (char *)NULL);
	die("exec");
}

static void shared_init(void)
{
	int fds[2];

	stats_fd = memfd_create("sched_bench", 0);
	if (stats_fd < 0 || ftruncate(stats_fd, sizeof(*stats)))
		die("memfd");
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED, stats_fd, 0);
	if (stats == MAP_FAILED)
		die("mmap");
	if (pipe(fds))
		die("pipe");
	go_rfd = fds[0];
	go_wfd = fds[1];
}

/* CPU time process @pid used so far (0 if unknown). */
static uint64_t proc_cpu_ns(pid_t pid)
{
	struct timespec ts;
	clockid_t clk;

	if (clock_getcpuclockid(pid, &clk) || clock_gettime(clk, &ts))
		return 0;
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Let every worker go; wait for them (or SECS, then stop them). */
static uint64_t run_workers(void)
{
	uint64_t t0, t1;
	int i, status, bad = 0;
	char go[MAX_WORKERS];

	memset(go, 'g', sizeof(go));
	close(go_rfd);
	/* restricted workers first wait for their mask and exec: not timed */
	for (i = 0; stats->ready < (uint32_t)nworkers; i++) {
		if (i > 60000 || waitpid(-1, &status, WNOHANG) > 0) {
			fprintf(stderr, "sched_bench: a worker did not start\n");
			exit(1);
		}
		usleep(1000);
	}
	t0 = now_ns();
	if (write(go_wfd, go, nworkers) != nworkers)
		die("go");
	if (opt_secs) {
		for (i = 0; i < nworkers; i++)
			cpu_ns[i] = proc_cpu_ns(workers[i]);
		sleep(opt_secs);
		for (i = 0; i < nworkers; i++)
			cpu_ns[i] = proc_cpu_ns(workers[i]) - cpu_ns[i];
		for (i = 0; i < nworkers; i++)
			kill(workers[i], SIGKILL);
	}
	for (i = 0; i < nworkers; i++) {
		if (waitpid(workers[i], &status, 0) < 0)
			die("waitpid");
		if (!opt_secs && (!WIFEXITED(status) || WEXITSTATUS(status)))
			bad = 1;
	}
	t1 = now_ns();
	if (bad) {
		fprintf(stderr, "sched_bench: a worker failed\n");
		exit(1);
	}
	return t1 - t0;
}

/* ---- worker roles (after exec) ---- */

static void futex_wait(volatile uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(volatile uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* ping (a == 0) or pong (a == 1) over rfd/wfd, n rounds (0: forever). */
static int role_pipe(int idx, int rfd, int wfd, long n, int first)
{
	char c = 0;
	long i;

	for (i = 0; !n || i < n; i++) {
		if (first && write(wfd, &c, 1) != 1)
			return 1;
		if (read(rfd, &c, 1) != 1)
			return 1;
		if (!first && write(wfd, &c, 1) != 1)
			return 1;
		stats->ops[idx]++;
	}
	return 0;
}

/* The token is the futex word: side @side moves it from its parity on. */
static int role_futex(int idx, int side, long n)
{
	volatile uint32_t *w = &stats->futex;
	uint32_t v;
	long i;

	for (i = 0; i < n; i++) {
		while ((v = *w) % 2 != (uint32_t)side)
			futex_wait(w, v);
		__atomic_fetch_add(w, 1, __ATOMIC_SEQ_CST);
		futex_wake(w);
		stats->ops[idx]++;
	}
	return 0;
}

static int role_send(int first_fd, long loops)
{
	char msg[MSG_SIZE] = { 0 };
	long i;
	int j;

	for (i = 0; i < loops; i++)
		for (j = 0; j < FANOUT_NUM; j++)
			if (write(first_fd + j, msg, sizeof(msg)) != sizeof(msg))
				return 1;
	return 0;
}

static int role_recv(int fd, long bytes)
{
	char buf[MSG_SIZE * 4];
	ssize_t n;

	while (bytes > 0) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 1;
		bytes -= n;
	}
	return 0;
}

static int worker(int argc, char **argv)
{
	int idx, sfd, gfd;
	long a, b, n;
	char go;

	if (argc != 9)
		return 2;
	idx = atoi(argv[3]);
	a = atol(argv[4]);
	b = atol(argv[5]);
	n = atol(argv[6]);
	sfd = atoi(argv[7]);
	gfd = atoi(argv[8]);
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (stats == MAP_FAILED)
		die("mmap");
	__atomic_fetch_add(&stats->ready, 1, __ATOMIC_SEQ_CST);
	if (read(gfd, &go, 1) != 1)
		die("go");
	close(gfd);
	if (!strcmp(argv[2], "ping"))
		return role_pipe(idx, a, b, n, 1);
	if (!strcmp(argv[2], "pong"))
		return role_pipe(idx, a, b, n, 0);
	if (!strcmp(argv[2], "futex"))
		return role_futex(idx, a, n);
	if (!strcmp(argv[2], "send"))
		return role_send(a, n);
	if (!strcmp(argv[2], "recv"))
		return role_recv(a, n);
	return 2;
}

/* ---- drivers ---- */

/* A ping-pong pair as workers @idx, @idx + 1; @mask_a/@mask_b: restrict them. */
static void pipe_pair(int idx, int ra, int rb, long n)
{
	int ab[2], ba[2];

	if (pipe(ab) || pipe(ba))
		die("pipe");
	spawn(idx, ra, "ping", ba[0], ab[1], n);
	spawn(idx + 1, rb, "pong", ab[0], ba[1], n);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
}

static int cmd_fanout(long groups, long loops)
{
	int g, j, k, idx = 0, sv[2], base;
	int recv_fd[FANOUT_NUM], send_fd[FANOUT_NUM];
	uint64_t ns;

	if (groups < 1 || groups * 2 * FANOUT_NUM > MAX_WORKERS)
		return fprintf(stderr, "sched_bench: fanout wants 1-%d groups\n",
			       MAX_WORKERS / (2 * FANOUT_NUM)), 2;
	for (g = 0; g < groups; g++) {
		for (j = 0; j < FANOUT_NUM; j++) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
				die("socketpair");
			recv_fd[j] = sv[0];
			send_fd[j] = sv[1];
		}
		for (j = 0; j < FANOUT_NUM; j++)
			spawn(idx++, opt_cg && j % 2, "recv", recv_fd[j], 0,
			      loops * FANOUT_NUM * MSG_SIZE);
		/* each sender gets the write ends as consecutive fds */
		base = fcntl(send_fd[0], F_DUPFD, 100);
		for (k = 1; k < FANOUT_NUM; k++)
			if (dup2(send_fd[k], base + k) < 0)
				die("dup2");
		for (j = 0; j < FANOUT_NUM; j++)
			spawn(idx++, opt_cg && j % 2, "send", base, 0, loops);
		for (j = 0; j < FANOUT_NUM; j++) {
			close(recv_fd[j]);
			close(send_fd[j]);
			close(base + j);
		}
	}
	ns = run_workers();
	printf("ns %llu ops %ld\n", (unsigned long long)ns, groups * FANOUT_NUM * FANOUT_NUM * loops);
	return 0;
}

/* Sum of raise + set of @cpu's line in COUNT_FILE, or -1. */
static long long xsetbv_count(int cpu)
{
	unsigned long long r, s;
	FILE *f = fopen(COUNT_FILE, "r");
	long long ret = -1;
	int c;

	if (!f)
		return -1;
	while (fscanf(f, "cpu%d raise %llu set %llu\n", &c, &r, &s) == 3)
		if (c == cpu)
			ret = r + s;
	fclose(f);
	return ret;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int cmd_xsetbv(const char *what, long n)
{
	long long before, after;
	long i;

	if (opt_cpu < 0)
		return fprintf(stderr, "sched_bench: %s needs -c CPU\n", what), 2;
	pin(opt_cpu);
	signal(SIGUSR1, on_signal);
	before = xsetbv_count(opt_cpu);
	if (before < 0)
		return fprintf(stderr, "sched_bench: no %s\n", COUNT_FILE), 1;
	for (i = 0; i < n; i++) {
		if (!strcmp(what, "syscalls"))
			syscall(SYS_getppid);
		else
			kill(getpid(), SIGUSR1);
	}
	after = xsetbv_count(opt_cpu);
	printf("xsetbv %lld ops %ld xcr0 %#llx\n", after - before, n, pending_mask(getpid()));
	return 0;
}

static int cmd_latency(pid_t pid, long long mask, char **cmd)
{
	uint64_t t0, t;
	pid_t child;
	int status;

	t0 = now_ns();
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	/* poll, but leave the CPU to the command: the host may have only two */
	while (pending_mask(pid) != mask) {
		if (now_ns() - t0 > 10000000000ULL)
			return fprintf(stderr, "sched_bench: %d never got %#llx\n", pid, mask), 1;
		usleep(200);
	}
	t = now_ns() - t0;
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return fprintf(stderr, "sched_bench: %s failed\n", cmd[0]), 1;
	printf("ns %llu\n", (unsigned long long)t);
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int cmd_fill(const char *path, uint32_t first, long count, uint64_t value)
{
	union bpf_attr attr;
	uint32_t key;
	long i;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uintptr_t)path;
	fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0)
		die(path);
	for (i = 0; i < count; i++) {
		key = first + i;
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (uintptr_t)&key;
		attr.value = (uintptr_t)&value;
		attr.flags = BPF_ANY;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr))
			die("map update");
	}
	printf("filled %ld\n", count);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: sched_bench [-c CPU] [-r CGROUP -m MASK] [-t SECS] "
		"pipe|futex N | fanout GROUPS LOOPS | mixed | syscalls|signals N | "
		"latency PID MASK CMD... | fill MAP FIRST COUNT VALUE | spin\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t ns;
	long n;
	int opt;

	if (argc > 1 && !strcmp(argv[1], "--worker"))
		return worker(argc, argv);
	while ((opt = getopt(argc, argv, "+c:r:m:t:")) != -1) {
		switch (opt) {
		case 'c':
			opt_cpu = atoi(optarg);
			break;
		case 'r':
			opt_cg = optarg;
			break;
		case 'm':
			opt_mask = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_secs = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (opt_cg && !opt_mask))
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[0], "spin"))
		for (;;)
			;
	if (!strcmp(argv[0], "syscalls") || !strcmp(argv[0], "signals"))
		return argc == 2 ? cmd_xsetbv(argv[0], atol(argv[1])) : usage();
	if (!strcmp(argv[0], "latency"))
		return argc >= 4 ? cmd_latency(atoi(argv[1]), strtoll(argv[2], NULL, 0), argv + 3) :
				   usage();
	if (!strcmp(argv[0], "fill"))
		return argc == 5 ? cmd_fill(argv[1], strtoul(argv[2], NULL, 0), atol(argv[3]),
					    strtoull(argv[4], NULL, 0)) : usage();

	shared_init();
	if (!strcmp(argv[0], "fanout"))
		return argc == 3 ? cmd_fanout(atol(argv[1]), atol(argv[2])) : usage();
	if (!strcmp(argv[0], "mixed")) {
		if (!opt_cg || !opt_secs)
			return usage();
		pipe_pair(0, 1, 1, 0);
		pipe_pair(2, 0, 0, 0);
		ns = run_workers();
		printf("ns %llu restricted %llu full %llu cpu_restricted %llu cpu_full %llu\n",
		       (unsigned long long)ns, (unsigned long long)stats->ops[0],
		       (unsigned long long)stats->ops[2],
		       (unsigned long long)(cpu_ns[0] + cpu_ns[1]),
		       (unsigned long long)(cpu_ns[2] + cpu_ns[3]));
		return 0;
	}
	if (argc != 2)
		return usage();
	n = atol(argv[1]);
	if (!strcmp(argv[0], "pipe")) {
		pipe_pair(0, 0, !!opt_cg, n);
	} else if (!strcmp(argv[0], "futex")) {
		spawn(0, 0, "futex", 0, 0, n);
		spawn(1, !!opt_cg, "futex", 1, 0, n);
	} else {
		return usage();
	}
	ns = run_workers();
	printf("ns %llu ops %llu\n", (unsigned long long)ns,
	       (unsigned long long)(stats->ops[0] + stats->ops[1]));
	return 0;
}
