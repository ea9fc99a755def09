// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_threads: a process whose threads keep reading XGETBV(0) and print a
 * line whenever the value a thread sees changes, so a test can watch a
 * mask arrive at (and leave) every thread of a running process.
 *
 *   xcr0_threads [-n THREADS] [-b]
 *
 * THREADS threads in all (default 3, the main thread included); each polls
 * every millisecond, or spins without sleeping with -b (so that only the
 * scheduler tick can bring it a new mask). Output, line by line:
 *
 *   tid <tid> xcr0 0x<value>
 *
 * The mask changes under the running process, so after startup the loop
 * calls no C library function that may have picked an AVX implementation
 * when the process started (printf, strlen, memcpy): only system calls.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static int busy;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* Append the digits of @v in @base to @p; returns the new end. */
static char *put_num(char *p, uint64_t v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static void report(long tid, uint64_t xcr0)
{
	char line[64], *p = line;

	p = put_str(p, "tid ");
	p = put_num(p, tid, 10);
	p = put_str(p, " xcr0 0x");
	p = put_num(p, xcr0, 16);
	*p++ = '\n';
	pthread_mutex_lock(&out_lock);
	if (write(STDOUT_FILENO, line, p - line) < 0)
		_exit(1);
	pthread_mutex_unlock(&out_lock);
}

static void *watch(void *arg)
{
	long tid = syscall(SYS_gettid);
	uint64_t last = 0, cur;

	(void)arg;
	for (;;) {
		cur = xgetbv0();
		if (cur != last) {
			report(tid, cur);
			last = cur;
		}
		if (!busy)
			usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int opt, n = 3, i;
	pthread_t t;

	while ((opt = getopt(argc, argv, "n:b")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'b':
			busy = 1;
			break;
		default:
			fprintf(stderr, "usage: xcr0_threads [-n THREADS] [-b]\n");
			return 2;
		}
	}
	if (n < 1) {
		fprintf(stderr, "xcr0_threads: -n wants at least 1\n");
		return 2;
	}
	for (i = 1; i < n; i++) {
		if (pthread_create(&t, NULL, watch, NULL)) {
			fprintf(stderr, "xcr0_threads: pthread_create failed\n");
			return 1;
		}
	}
	watch(NULL);
	return 0;
}
