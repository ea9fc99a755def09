/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's capabilities after it attached: only what loading the
 * scheduler again needs (docs/daemon.md says why that is CAP_BPF and
 * CAP_PERFMON), in the effective, permitted and bounding sets.
 */
#ifndef __SCX_XCR0_CAPS_H
#define __SCX_XCR0_CAPS_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/*
 * caps_reduce - keep CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, which
 * implies both, if one of them is not permitted), drop every other
 * capability from all sets and from the bounding set, clear the ambient
 * set and set no_new_privs. @kept gets the names of the kept ones. Returns
 * 0, or a negative errno with a message recorded (the daemon goes on: it
 * works as well with more capabilities, and status shows what it has).
 */
int caps_reduce(char *kept, size_t len);

/* caps_of - the effective capabilities of process @pid (CapEff in /proc/PID/status). */
int caps_of(pid_t pid, __u64 *eff);

/* caps_names - the names of the capabilities in @caps (a CapEff), "none" if empty. */
void caps_names(__u64 caps, char *buf, size_t len);

#endif /* __SCX_XCR0_CAPS_H */
