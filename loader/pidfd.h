/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task held as a pidfd: its number stays its own for as long as the
 * pidfd says the task is there, whatever pid numbers get reused.
 */
#ifndef __SCX_XCR0_PIDFD_H
#define __SCX_XCR0_PIDFD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * pidfd_task - a close-on-exec pidfd of process @id, or of thread @id if
 * @thread; -errno (no message) if there is no such task.
 */
int pidfd_task(pid_t id, bool thread);

/*
 * pidfd_pid - the number of @pidfd's task in our pid namespace, from
 * /proc/self/fdinfo: -ESRCH once it was reaped ("Pid: -1") or if it is not
 * in our pid namespace ("Pid: 0"), -EBADF if @pidfd is not a pidfd.
 */
pid_t pidfd_pid(int pidfd);

#endif /* __SCX_XCR0_PIDFD_H */
