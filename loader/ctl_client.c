// SPDX-License-Identifier: GPL-2.0
/* The CLI's side of the control socket, see ctl_client.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "scx_xcr0.h"
#include "ctl_client.h"
#include "util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

/* How long the CLI waits for the daemon's reply. */
#define CTL_REPLY_MS	5000

/* Why the maps could not be used, for a socket failure's message. */
static char maps_why[512];

int ctl_maps_or_socket(struct pinned *m, bool *via_socket)
{
	struct stat st;
	int ret;

	*via_socket = false;
	ret = maps_open(m);
	if (!ret)
		return 0;
	if (ret != -EACCES && ret != -EPERM && !(ret == -ENOENT && !stat(ctl_socket_path(), &st)))
		return ret;
	snprintf(maps_why, sizeof(maps_why), "%s", fail_msg() ? fail_msg() : strerror(-ret));
	fail_clear();
	*via_socket = true;
	return 0;
}

static int no_socket(int err, const char *path)
{
	return fail(err, "%s; and the daemon's socket %s is not usable (%s): run as root, start `scx_xcr0 daemon` (it serves the socket unless --no-socket), or set %s to the socket's path if it is mounted elsewhere (a container)",
		    maps_why[0] ? maps_why : "the pinned maps are not usable", path,
		    strerror(-err), SCX_XCR0_SOCKET_ENV);
}

int ctl_call(const struct ctl_req *req, int pidfd, struct ctl_reply *rep)
{
	const char *path = ctl_socket_path();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd;
	ssize_t n;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(-ENAMETOOLONG, "%s=%s: the path is too long for a socket",
			    SCX_XCR0_SOCKET_ENV, path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = no_socket(-errno, path);
		goto out;
	}
	if (pidfd >= 0) {
		struct cmsghdr *cm;

		memset(&ctrl, 0, sizeof(ctrl));
		msg.msg_control = ctrl.buf;
		msg.msg_controllen = sizeof(ctrl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pidfd, sizeof(int));
	}
	memset(rep, 0, sizeof(*rep));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != sizeof(*req)) {
		/* a daemon that refused at once (busy) has replied and closed */
		ret = -errno;
		n = recv(fd, rep, sizeof(*rep), MSG_TRUNC | MSG_DONTWAIT);
		if (n > 0)
			goto check;
		ret = fail(ret, "cannot send the request to %s: %s", path, strerror(-ret));
		goto out;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	do {
		ret = poll(&pfd, 1, CTL_REPLY_MS);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = fail(-ETIMEDOUT, "the daemon did not answer on %s within %d ms; see its log (`journalctl -u scx_xcr0`)",
			   path, CTL_REPLY_MS);
		goto out;
	}
	n = recv(fd, rep, sizeof(*rep), MSG_TRUNC);
	/* a daemon that closed with our request unread: its reply is still there */
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, rep, sizeof(*rep), MSG_TRUNC | MSG_DONTWAIT);
check:
	if (n != sizeof(*rep) || rep->magic != CTL_MAGIC || rep->version != CTL_VERSION ||
	    rep->size != sizeof(*rep)) {
		ret = fail(-EPROTO, "the daemon's reply on %s is not one this scx_xcr0 understands (%zd bytes); use the scx_xcr0 of the daemon's version",
			   path, n);
		goto out;
	}
	rep->msg[sizeof(rep->msg) - 1] = '\0';
	ret = rep->err;
	if (ret >= 0)
		ret = 0;
	else
		fail(ret, "the daemon (%s): %s", path, rep->msg);
out:
	close(fd);
	return ret;
}

int ctl_entry(enum ctl_op op, const struct target *t, __u64 val, struct ctl_reply *rep)
{
	struct ctl_req req = {
		.magic = CTL_MAGIC,
		.version = CTL_VERSION,
		.size = sizeof(req),
		.op = op,
		.mask = scx_xcr0_val_mask(val),
		.flags = val & SCX_XCR0_VAL_LIVE ? CTL_F_LIVE : 0,
	};
	int pidfd = -1, ret;

	switch (t->kind) {
	case TARGET_CGROUP:
		req.target = CTL_TGT_CGROUP;
		req.cgid = t->cgid;
		break;
	default:
		req.target = t->kind == TARGET_PID ? CTL_TGT_PID : CTL_TGT_TID;
		pidfd = syscall(SYS_pidfd_open, t->id, t->kind == TARGET_PID ? 0 : PIDFD_THREAD);
		if (pidfd < 0)
			return fail(-errno, "cannot open %s %u: %s", target_name(t->kind), t->id,
				    strerror(errno));
	}
	ret = ctl_call(&req, pidfd, rep);
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}
