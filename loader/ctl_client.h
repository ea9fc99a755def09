/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's side of the control socket (docs/socket.md): what set, clear
 * and run do when they cannot open the pinned maps.
 */
#ifndef __SCX_XCR0_CTL_CLIENT_H
#define __SCX_XCR0_CTL_CLIENT_H

#include <stdbool.h>
#include <linux/types.h>

#include "ctl_proto.h"
#include "maps.h"

/*
 * ctl_maps_or_socket - open the pinned maps into @m (*@via_socket false),
 * or, when they are there but not ours to open (EACCES, EPERM) or not
 * visible at all while a control socket is (a container), choose the
 * socket (*@via_socket true, @m untouched). A failure of the socket later
 * says why the maps were not usable either.
 */
int ctl_maps_or_socket(struct pinned *m, bool *via_socket);

/*
 * ctl_call - send @req, with @pidfd (or -1) as its target, to the daemon
 * and wait for its reply in @rep. A refusal is recorded with fail() as the
 * daemon worded it (the rule named) and returned as its negative errno.
 */
int ctl_call(const struct ctl_req *req, int pidfd, struct ctl_reply *rep);

/*
 * ctl_entry - set (@op CTL_OP_SET, value @val: mask and SCX_XCR0_VAL_LIVE)
 * or clear the entry of @t through the socket; a pid or tid in @t is
 * turned into a pidfd here, in our pid namespace.
 */
int ctl_entry(enum ctl_op op, const struct target *t, __u64 val, struct ctl_reply *rep);

#endif /* __SCX_XCR0_CTL_CLIENT_H */
