// SPDX-License-Identifier: GPL-2.0
/* Tasks held as pidfds, see pidfd.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pidfd.h"
#include "util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

int pidfd_task(pid_t id, bool thread)
{
	/* pidfds are close-on-exec from birth */
	int pidfd = syscall(SYS_pidfd_open, id, thread ? PIDFD_THREAD : 0);

	return pidfd < 0 ? -errno : pidfd;
}

pid_t pidfd_pid(int pidfd)
{
	char path[64], val[32];
	int pid;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (read_field(path, "Pid", val, sizeof(val)) || sscanf(val, "%d", &pid) != 1)
		return -EBADF;
	if (pid <= 0)
		return -ESRCH;
	return pid;
}
