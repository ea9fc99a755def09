// SPDX-License-Identifier: GPL-2.0
/* The one-daemon lock and a daemon's identity, see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lock.h"
#include "task.h"
#include "util.h"

/* How long a refusal waits for the winner of a race to write its pid. */
#define HOLDER_WAIT_MS	1000

static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf) > 0 ? atoi(buf) : 0;
}

int lock_take(pid_t *holder)
{
	int fd, waited;

	*holder = 0;
	fd = open(SCX_XCR0_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return fail(-errno, "cannot open the lock %s: %s", SCX_XCR0_LOCK, strerror(errno));
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	if (errno != EWOULDBLOCK) {
		fail(-errno, "cannot lock %s: %s", SCX_XCR0_LOCK, strerror(errno));
		close(fd);
		return -errno;
	}
	/* the holder writes its pid right after locking; give it that moment */
	for (waited = 0; !(*holder = read_holder(fd)) && waited < HOLDER_WAIT_MS; waited += 50)
		usleep(50 * 1000);
	close(fd);
	return -EWOULDBLOCK;
}

int lock_claim(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		return fail(-errno, "cannot write our pid into %s: %s", SCX_XCR0_LOCK,
			    strerror(errno));
	return 0;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	/* a stale pid would mislead only a reader: the lock itself decides */
	(void)!ftruncate(fd, 0);
	close(fd);
}

bool daemon_alive(pid_t pid, __u64 start)
{
	unsigned long long now;

	if (pid <= 0)
		return false;
	if (!start)
		return !kill(pid, 0) || errno == EPERM;
	return !task_stat_field(pid, TASK_STAT_START, &now) && now == start;
}
