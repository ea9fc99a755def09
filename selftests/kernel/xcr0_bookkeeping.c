// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_bookkeeping: what selftests/vm/bookkeeping_tests needs beyond the
 * CLI and bpftool.
 *
 *   fill MAP            fill pinned hash MAP with keys no pid or cgroup
 *                       can have (>= FILL_BASE) until it is full; prints
 *                       the count. Keys of 4 bytes (xcr0_pid, xcr0_tid)
 *                       or 8 (xcr0_cgroup)
 *   unfill MAP          remove those keys again
 *   keys MAP            print every key of MAP on one line
 *   cancel-forks N      N times: fork a child that forks once and gets
 *                       SIGKILLed in the middle (xcr0_forkkill.bpf.c), so
 *                       that its fork is cancelled after ops.init_task;
 *                       prints "cancelled N"
 *   fork-stress SECS    workers fork short-lived children in a loop while
 *                       the workers are SIGKILLed and replaced at random
 *                       for SECS seconds; waits for all of them
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xcr0_forkkill.skel.h"

#define FILL_BASE	0x40000000U	/* above PID_MAX_LIMIT */
#define BATCH		4096

static int die(const char *what)
{
	fprintf(stderr, "xcr0_bookkeeping: %s: %s\n", what, strerror(errno));
	return 1;
}

static int map_open(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0)
		die(path);
	return fd;
}

/* The key size of @fd: 4 or 8, 0 (with a message) for anything else. */
static __u32 key_size(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return die("bpf_map_get_info_by_fd"), 0;
	if (info.key_size != 4 && info.key_size != 8) {
		fprintf(stderr, "xcr0_bookkeeping: keys of %u bytes: not a policy map\n",
			info.key_size);
		return 0;
	}
	return info.key_size;
}

static int fill(const char *path)
{
	static __u32 keys32[BATCH];
	static __u64 keys64[BATCH], vals[BATCH];
	unsigned long total = 0;
	__u32 next = FILL_BASE, n, i, ks;
	int fd = map_open(path);

	if (fd < 0)
		return 1;
	ks = key_size(fd);
	if (!ks)
		return 1;
	for (;;) {
		/* batch updates take no BPF_NOEXIST: keys of ours may be overwritten */
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		for (i = 0; i < BATCH; i++) {
			keys32[i] = next + i;
			keys64[i] = next + i;
		}
		n = BATCH;
		if (bpf_map_update_batch(fd, ks == 8 ? (void *)keys64 : (void *)keys32, vals, &n,
					 &opts)) {
			total += n;
			if (errno == E2BIG || errno == ENOMEM)
				break;
			return die("bpf_map_update_batch");
		}
		total += n;
		next += BATCH;
	}
	printf("%lu\n", total);
	return 0;
}

/*
 * Calls @fn for every key of @fd (of 4 or 8 bytes); stops at the first
 * nonzero return.
 */
static int for_each_key(int fd, int (*fn)(int fd, __u64 key))
{
	__u64 key = 0, next = 0;
	int err, first = 1;

	if (!key_size(fd))
		return 1;
	for (;;) {
		/* a 4-byte key is the low half of the zeroed __u64 (little endian) */
		err = bpf_map_get_next_key(fd, first ? NULL : &key, &next);
		if (err)
			return errno == ENOENT ? 0 : die("bpf_map_get_next_key");
		first = 0;
		key = next;
		if (fn(fd, key))
			return 1;
	}
}

static __u64 *dead;
static size_t nr_dead;

static int collect_filler(int fd, __u64 key)
{
	(void)fd;
	if (key >= FILL_BASE)
		dead[nr_dead++] = key;
	return 0;
}

static int unfill(const char *path)
{
	int fd = map_open(path);
	__u32 n;

	if (fd < 0)
		return 1;
	dead = calloc(1 << 20, sizeof(*dead));
	if (!dead || for_each_key(fd, collect_filler))
		return 1;
	n = nr_dead;
	if (key_size(fd) == 4) {
		__u32 *d32 = calloc(n ? n : 1, sizeof(*d32)), i;

		if (!d32)
			return die("calloc");
		for (i = 0; i < n; i++)
			d32[i] = dead[i];
		if (n && bpf_map_delete_batch(fd, d32, &n, NULL))
			return die("bpf_map_delete_batch");
	} else if (n && bpf_map_delete_batch(fd, dead, &n, NULL)) {
		return die("bpf_map_delete_batch");
	}
	printf("%u\n", n);
	return 0;
}

static int print_key(int fd, __u64 key)
{
	(void)fd;
	printf(" %llu", (unsigned long long)key);
	return 0;
}

static int keys(const char *path)
{
	int fd = map_open(path);

	if (fd < 0)
		return 1;
	printf("keys:");
	if (for_each_key(fd, print_key))
		return 1;
	printf("\n");
	return 0;
}

static int cancel_forks(int n)
{
	struct xcr0_forkkill *skel;
	int i, cancelled = 0, status, go[2];
	pid_t pid;
	char c;

	skel = xcr0_forkkill__open_and_load();
	if (!skel || xcr0_forkkill__attach(skel))
		return die("cannot load or attach xcr0_forkkill");
	for (i = 0; i < n; i++) {
		if (pipe(go))
			return die("pipe");
		pid = fork();
		if (pid < 0)
			return die("fork");
		if (!pid) {
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(2);
			/* killed in the middle of this fork */
			pid = fork();
			if (!pid)
				_exit(0);
			_exit(3);
		}
		close(go[0]);
		skel->bss->victim = pid;
		if (write(go[1], "g", 1) != 1)
			return die("write");
		close(go[1]);
		if (waitpid(pid, &status, 0) != pid)
			return die("waitpid");
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			cancelled++;
	}
	printf("cancelled %d of %d, injected %u\n", cancelled, n, skel->bss->hits);
	xcr0_forkkill__destroy(skel);
	return 0;
}

/* A worker: fork children that exit at once, forever. */
static void worker(void)
{
	pid_t pid;

	for (;;) {
		pid = fork();
		if (!pid)
			_exit(0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

#define WORKERS	4

static int fork_stress(int secs)
{
	pid_t w[WORKERS];
	time_t end = time(NULL) + secs;
	unsigned long kills = 0;
	int i;

	for (i = 0; i < WORKERS; i++) {
		w[i] = fork();
		if (!w[i])
			worker();
	}
	srand(getpid());
	while (time(NULL) < end) {
		usleep(1000 + rand() % 20000);
		i = rand() % WORKERS;
		kill(w[i], SIGKILL);
		waitpid(w[i], NULL, 0);
		kills++;
		w[i] = fork();
		if (!w[i])
			worker();
	}
	for (i = 0; i < WORKERS; i++)
		kill(w[i], SIGKILL);
	/* the workers' children go to init (or us, as subreaper) */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	printf("killed %lu workers\n", kills);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unfill"))
		return unfill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "keys"))
		return keys(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "cancel-forks"))
		return cancel_forks(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "fork-stress"))
		return fork_stress(atoi(argv[2]));
	fprintf(stderr, "usage: xcr0_bookkeeping fill|unfill|keys MAP | cancel-forks N | fork-stress SECS\n");
	return 1;
}
