/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the control socket (docs/socket.md): a listening
 * SOCK_SEQPACKET socket and a fixed table of connections, served from the
 * daemon's poll loop without blocking. Each connection carries one request
 * and gets one reply, or is closed at its deadline; nothing grows per
 * client.
 */
#ifndef __SCX_XCR0_CTL_SERVER_H
#define __SCX_XCR0_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "maps.h"

#define CTL_MAX_CONN		16	/* connections served at once */
#define CTL_DEADLINE_MS		2000	/* a connection's time to send its request */

struct ctl_opts {
	const char *path;		/* NULL: no socket (--no-socket) */
	mode_t mode;			/* of the socket file */
	const char *group;		/* group of the socket file, or NULL */
	const char *admin_group;	/* members may do what root may, or NULL */
};

struct ctl_conn {
	int fd;				/* -1: free */
	__u64 deadline;			/* CLOCK_MONOTONIC ms */
};

/* What a request is served against: the daemon's maps and options. */
struct ctl_ctx {
	const struct pinned *m;
	__u64 supported;
	__u32 info_flags;		/* SCX_XCR0_INFO_* */
};

struct ctl_server {
	int lfd;			/* -1: no socket */
	char path[108];			/* sun_path */
	bool have_admin;
	gid_t admin_gid;
	struct ctl_conn conn[CTL_MAX_CONN];
};

/* The poll entries ctl_server_poll() fills at most. */
#define CTL_NR_POLL		(CTL_MAX_CONN + 1)

/*
 * ctl_server_open - check @o (groups exist, the path fits) and create the
 * socket with its mode and group from the start. A socket file left by a
 * dead daemon is replaced only if nobody answers on it; the caller holds
 * the daemon lock. Must run before the daemon drops its capabilities (the
 * group change needs CAP_CHOWN). @o->path NULL: no socket, nothing done.
 */
int ctl_server_open(struct ctl_server *s, const struct ctl_opts *o);

/*
 * ctl_server_poll - put the socket and the connections in @pfd (room for
 * CTL_NR_POLL), lower *@timeout_ms to the nearest deadline; returns the
 * number of entries.
 */
int ctl_server_poll(struct ctl_server *s, struct pollfd *pfd, int *timeout_ms);

/*
 * ctl_server_serve - after poll(): accept, read and answer what is ready,
 * close the connections past their deadline. @pfd, @nr as ctl_server_poll
 * filled them. Never blocks, never fails: a client's error is the client's.
 */
void ctl_server_serve(struct ctl_server *s, const struct pollfd *pfd, int nr,
		      const struct ctl_ctx *ctx);

/* ctl_server_close - close everything and remove the socket file. */
void ctl_server_close(struct ctl_server *s);

#endif /* __SCX_XCR0_CTL_SERVER_H */
