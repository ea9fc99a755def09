/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's readiness protocol (sd_notify(3)), the few lines of it the
 * daemon needs: one datagram of "KEY=value" lines to $NOTIFY_SOCKET, a path
 * or an abstract socket ("@name"). Without $NOTIFY_SOCKET nothing is sent.
 */
#ifndef __SCX_XCR0_NOTIFY_H
#define __SCX_XCR0_NOTIFY_H

/* notify - send @fmt; a failure is printed once, never fatal. */
__attribute__((format(printf, 1, 2)))
void notify(const char *fmt, ...);

#endif /* __SCX_XCR0_NOTIFY_H */
