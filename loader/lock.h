/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One daemon at a time: an flock on SCX_XCR0_LOCK, held for the daemon's
 * life and released by the kernel when it dies, however it dies. The lock
 * being free proves that no daemon runs, which a pid alone cannot (pids are
 * recycled); a daemon's pid and start time identify it to those that only
 * read (status).
 */
#ifndef __SCX_XCR0_LOCK_H
#define __SCX_XCR0_LOCK_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#define SCX_XCR0_LOCK	"/run/scx_xcr0.lock"

/*
 * lock_take - take the lock without waiting. Returns its fd (close-on-exec;
 * keep it open as long as the lock must hold), or -EWOULDBLOCK (no message)
 * with *@holder the pid written by the daemon that holds it (0 if none was
 * written: a `stop` holds it, or the daemon has only just locked), or
 * another negative errno with a message recorded.
 */
int lock_take(pid_t *holder);

/* lock_claim - write our pid into the lock file, for the refusals of others. */
int lock_claim(int fd);

/* lock_release - empty the file and drop the lock. */
void lock_release(int fd);

/*
 * daemon_alive - whether process @pid exists and is the one that started at
 * @start (0: unknown, then existence alone decides).
 */
bool daemon_alive(pid_t pid, __u64 start);

#endif /* __SCX_XCR0_LOCK_H */
