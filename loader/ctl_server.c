// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's side of the control socket, see ctl_server.h and
 * docs/socket.md for the rules and why each exists.
 *
 * Identity comes from the kernel only: the caller's uid, gid and groups
 * from SO_PEERCRED and SO_PEERGROUPS, its process as a pidfd from
 * SO_PEERPIDFD, a target as a pidfd it sent. Pid numbers are read from
 * the pidfds (in our pid namespace) and trusted only while the pidfd's
 * process is alive: /proc is read through a directory opened while it
 * was, and the entry written is removed again if it died meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "cgroup.h"
#include "cli.h"
#include "ctl_proto.h"
#include "ctl_server.h"
#include "output.h"
#include "maps.h"
#include "pidfd.h"
#include "task.h"
#include "util.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

/* Supplementary groups SO_PEERGROUPS may return (NGROUPS_MAX). */
#define MAX_GROUPS	65536

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int group_id(const char *name, const char *opt, gid_t *gid)
{
	struct group *g;

	errno = 0;
	g = getgrnam(name);
	if (!g)
		return fail_usage("%s: no group '%s'%s%s", opt, name, errno ? ": " : "",
				  errno ? strerror(errno) : "");
	*gid = g->gr_gid;
	return 0;
}

/*
 * A socket file at @path already: ours from a daemon that died (nobody
 * answers, and the lock we hold says no daemon runs) goes; anything else
 * stays and we refuse.
 */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : fail(-errno, "cannot look at %s: %s", path,
						  strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(-EEXIST, "%s exists and is not a socket; remove it or give another --socket",
			    path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "socket: %s", strerror(errno));
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!ret)
		return fail(-EADDRINUSE, "something answers on %s; it is not ours to replace",
			    path);
	if (unlink(path) && errno != ENOENT)
		return fail(-errno, "cannot remove the stale socket %s: %s", path, strerror(errno));
	return 0;
}

int ctl_server_open(struct ctl_server *s, const struct ctl_opts *o)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	gid_t gid = 0;
	mode_t old;
	int i, ret;

	s->lfd = -1;
	s->path[0] = '\0';
	for (i = 0; i < CTL_MAX_CONN; i++)
		s->conn[i].fd = -1;
	if (!o->path)
		return 0;
	if (strlen(o->path) >= sizeof(sa.sun_path) || o->path[0] != '/')
		return fail_usage("--socket wants an absolute path shorter than %zu bytes, not '%s'",
				  sizeof(sa.sun_path), o->path);
	if (o->group) {
		ret = group_id(o->group, "--socket-group", &gid);
		if (ret)
			return ret;
	}
	if (o->admin_group) {
		ret = group_id(o->admin_group, "--admin-group", &s->admin_gid);
		if (ret)
			return ret;
		s->have_admin = true;
	}
	strcpy(sa.sun_path, o->path);
	ret = clear_stale(o->path, &sa);
	if (ret)
		return ret;

	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return fail(-errno, "socket: %s", strerror(errno));
	/* the file gets its mode at bind: never a moment wider than asked */
	old = umask(~o->mode & 0777);
	ret = bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret) {
		ret = fail(-errno, "cannot bind %s: %s", o->path, strerror(errno));
		goto err_close;
	}
	strcpy(s->path, o->path);
	if (o->group && chown(o->path, -1, gid)) {
		ret = fail(-errno, "cannot give %s the group %s: %s", o->path, o->group,
			   strerror(errno));
		goto err_unlink;
	}
	/* chown may drop bits; the mode asked is the mode it has */
	if (chmod(o->path, o->mode)) {
		ret = fail(-errno, "cannot chmod %s: %s", o->path, strerror(errno));
		goto err_unlink;
	}
	if (listen(s->lfd, CTL_MAX_CONN)) {
		ret = fail(-errno, "cannot listen on %s: %s", o->path, strerror(errno));
		goto err_unlink;
	}
	return 0;
err_unlink:
	unlink(s->path);
	s->path[0] = '\0';
err_close:
	close(s->lfd);
	s->lfd = -1;
	return ret;
}

void ctl_server_close(struct ctl_server *s)
{
	int i;

	/* the connections exist only while the socket does */
	if (s->lfd < 0)
		return;
	for (i = 0; i < CTL_MAX_CONN; i++) {
		if (s->conn[i].fd >= 0)
			close(s->conn[i].fd);
		s->conn[i].fd = -1;
	}
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = -1;
	if (s->path[0])
		unlink(s->path);
	s->path[0] = '\0';
}

int ctl_server_poll(struct ctl_server *s, struct pollfd *pfd, int *timeout_ms)
{
	__u64 now = now_ms();
	int i, nr = 0;

	if (s->lfd < 0)
		return 0;
	pfd[nr++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CONN; i++) {
		const struct ctl_conn *c = &s->conn[i];

		if (c->fd < 0)
			continue;
		pfd[nr++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		if (c->deadline <= now)
			*timeout_ms = 0;
		else if (c->deadline - now < (__u64)*timeout_ms)
			*timeout_ms = c->deadline - now;
	}
	return nr;
}

/* ---- one request ------------------------------------------------------- */

/* Who asked, from the kernel. */
struct peer {
	struct ucred cred;
	int pidfd;		/* the connecting process, or -1 */
	pid_t pid;		/* its number here, read from the pidfd */
	bool admin;
};

/* What a request is about. */
struct req_target {
	struct target t;	/* the entry's key */
	int pidfd;		/* the task, or -1 (cgroup) */
	bool is_peer;
};

__attribute__((format(printf, 4, 5)))
static void reply_set(struct ctl_reply *rep, int err, unsigned int rule, const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;

	rep->err = err;
	rep->rule = rule;
	if (rule)
		off = snprintf(rep->msg, sizeof(rep->msg), "refused by rule %s: ",
			       ctl_rule_name(rule));
	va_start(ap, fmt);
	vsnprintf(rep->msg + off, sizeof(rep->msg) - off, fmt, ap);
	va_end(ap);
}

/* A failure one of the shared helpers recorded with fail(), as the reply. */
static int reply_fail(struct ctl_reply *rep, int err)
{
	reply_set(rep, err, CTL_RULE_NONE, "%s", fail_msg() ? fail_msg() : strerror(-err));
	fail_clear();
	return err;
}

/* Whether @pidfd's task is alive and still numbered @id here. */
static bool still(int pidfd, pid_t id)
{
	return pidfd_pid(pidfd) == id;
}

static bool in_groups(gid_t gid, const gid_t *groups, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static int peer_identify(struct ctl_server *s, int fd, struct peer *p, struct ctl_reply *rep)
{
	static gid_t groups[MAX_GROUPS];
	socklen_t len = sizeof(p->cred);

	p->pidfd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &p->cred, &len) || len != sizeof(p->cred)) {
		reply_set(rep, -EPERM, CTL_RULE_NONE, "cannot tell who is asking (SO_PEERCRED: %s)",
			  strerror(errno));
		return -EPERM;
	}
	len = sizeof(p->pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &p->pidfd, &len)) {
		/*
		 * A kernel before 6.5: a pidfd of the pid SO_PEERCRED gave,
		 * taken now; the peer waits for our reply, so its pid is
		 * not free for reuse unless it gave up already.
		 */
		p->pidfd = pidfd_task(p->cred.pid, false);
	}
	p->pid = p->pidfd >= 0 ? pidfd_pid(p->pidfd) : -ESRCH;
	if (p->pid < 0 || p->pid != p->cred.pid) {
		reply_set(rep, -ESRCH, CTL_RULE_GONE, "the asking process is gone");
		return -ESRCH;
	}
	p->admin = p->cred.uid == 0;
	if (!p->admin && s->have_admin) {
		len = sizeof(groups);
		p->admin = p->cred.gid == s->admin_gid ||
			   (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) &&
			    in_groups(s->admin_gid, groups, len / sizeof(gid_t)));
	}
	return 0;
}

/* The task a request names, as a pidfd and its number here. */
static int target_of(const struct ctl_req *req, int fd_in, const struct peer *p,
		     struct req_target *rt, struct ctl_reply *rep)
{
	pid_t id;

	memset(rt, 0, sizeof(*rt));
	rt->pidfd = -1;
	switch (req->target) {
	case CTL_TGT_CGROUP:
		rt->t.kind = TARGET_CGROUP;
		rt->t.cgid = req->cgid;
		return 0;
	case CTL_TGT_PEER:
		rt->t.kind = TARGET_PID;
		rt->t.id = p->pid;
		rt->pidfd = p->pidfd;
		rt->is_peer = true;
		return 0;
	default:
		id = pidfd_pid(fd_in);
		if (id == -EBADF) {
			reply_set(rep, -EBADF, CTL_RULE_MESSAGE, "the file descriptor sent is not a pidfd");
			return -EBADF;
		}
		if (id < 0) {
			reply_set(rep, -ESRCH, CTL_RULE_GONE,
				  "the target exited, or lives in a pid namespace this daemon cannot see");
			return -ESRCH;
		}
		rt->t.kind = req->target == CTL_TGT_TID ? TARGET_TID : TARGET_PID;
		rt->t.id = id;
		rt->pidfd = fd_in;
		rt->is_peer = rt->t.kind == TARGET_PID && id == p->pid;
		return 0;
	}
}

/* The four ids of a "Uid:" or "Gid:" line of /proc/PID/status all equal @want. */
static bool ids_all(const char *status, const char *key, unsigned int want)
{
	unsigned int v[4];
	const char *p = strstr(status, key);

	if (!p || sscanf(p + strlen(key), "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != 4)
		return false;
	return v[0] == want && v[1] == want && v[2] == want && v[3] == want;
}

static int read_at(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/*
 * The uid_map and then the gid_map of /proc/PID directory @dir, which say
 * which user namespace it is in as seen from ours (readable without
 * ptrace access, unlike /proc/PID/ns/user): -ENOENT on a kernel without
 * user namespaces.
 */
static int id_maps(int dir, char *buf, size_t len)
{
	int n, m;

	n = read_at(dir, "uid_map", buf, len);
	if (n < 0)
		return n;
	m = read_at(dir, "gid_map", buf + n, len - n);
	return m < 0 ? m : n + m;
}

/*
 * Whether @uid owns the user namespace whose uid_map is @map: its root
 * is @uid, the mapping `unshare -r` and rootless containers make.
 */
static bool ns_root_is(const char *map, unsigned int uid)
{
	unsigned int in, out, count;
	const char *p = map;

	while (sscanf(p, "%u %u %u", &in, &out, &count) == 3) {
		if (in == 0)
			return out == uid;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return false;
}

/*
 * The rules for a caller who is neither root nor in the admin group, on a
 * process @rt that is not a cgroup: the caller's own (all its uids and
 * gids the caller's), dumpable, in the caller's user namespace or one it
 * owns. @dir is /proc/PID of the target, opened while it was alive.
 */
static int check_own(const struct peer *p, int dir, struct ctl_reply *rep)
{
	char status[4096], map[2048], peer_map[2048], path[64];
	int pdir, tret, pret;
	struct stat st;
	bool same;

	if (read_at(dir, "status", status, sizeof(status)) < 0) {
		reply_set(rep, -ESRCH, CTL_RULE_GONE, "the target exited");
		return -ESRCH;
	}
	if (!ids_all(status, "\nUid:", p->cred.uid) || !ids_all(status, "\nGid:", p->cred.gid)) {
		reply_set(rep, -EPERM, CTL_RULE_OWN,
			  "the target's real, effective, saved and fs uids and gids must all be yours (%u:%u); a setuid or setgid program's are not",
			  p->cred.uid, p->cred.gid);
		return -EPERM;
	}
	/*
	 * The kernel gives the files of a non-dumpable process's /proc
	 * directory to root (not the directory itself: ps reads its owner)
	 */
	if (fstatat(dir, "status", &st, 0) || st.st_uid != p->cred.uid) {
		reply_set(rep, -EPERM, CTL_RULE_DUMPABLE,
			  "the target is not dumpable (a setuid/setgid or unreadable program, or it made itself so)");
		return -EPERM;
	}
	snprintf(path, sizeof(path), "/proc/%d", p->pid);
	pdir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tret = id_maps(dir, map, sizeof(map));
	pret = pdir >= 0 ? id_maps(pdir, peer_map, sizeof(peer_map)) : -ESRCH;
	if (pdir >= 0)
		close(pdir);
	/* a kernel without user namespaces has only the one */
	same = (tret == -ENOENT && pret == -ENOENT) ||
	       (tret >= 0 && pret >= 0 && !strcmp(map, peer_map));
	if (!same && !(tret >= 0 && ns_root_is(map, p->cred.uid))) {
		reply_set(rep, -EPERM, CTL_RULE_USERNS,
			  "the target is in a user namespace that is neither yours nor one whose root is your uid");
		return -EPERM;
	}
	return 0;
}

/* The narrowing rule, then the write: the non-admin SET. */
static int set_own(const struct ctl_req *req, const struct req_target *rt,
		   const struct ctl_ctx *ctx, struct ctl_reply *rep)
{
	struct task_info ti;
	__u64 applied, pending, policy;
	int ret;

	ret = task_check_target(rt->t.id, true, &ti);
	if (!ret)
		ret = task_xcr0(rt->t.id, &applied, &pending);
	if (!ret)
		ret = cli_policy_of(ctx->m, ctx->supported, &ti, &policy);
	if (ret)
		return reply_fail(rep, ret);
	if (!ctl_narrows(req->mask, pending, policy, ctx->supported)) {
		reply_set(rep, -EPERM, CTL_RULE_NARROW,
			  "%s would widen what pid %u has: pending mask 0x%llx, policy %s; only a subset of both",
			  req->mask ? mask_str(req->mask) : "none (the full mask)", rt->t.id,
			  (unsigned long long)pending, val_str(policy));
		return -EPERM;
	}
	return 0;
}

static int serve_set(const struct ctl_req *req, const struct peer *p, const struct req_target *rt,
		     int dir, const struct ctl_ctx *ctx, struct ctl_reply *rep)
{
	struct task_info ti;
	__u64 val = req->mask | (req->flags & CTL_F_LIVE ? SCX_XCR0_VAL_LIVE : 0);
	char path[PATH_MAX];
	int ret;

	if (scx_xcr0_val_check(req->mask, ctx->supported) != XCR0_OK) {
		reply_set(rep, -EINVAL, CTL_RULE_NONE, "mask 0x%llx: %s",
			  (unsigned long long)req->mask,
			  xcr0_rule_str(scx_xcr0_val_check(req->mask, ctx->supported)));
		return -EINVAL;
	}
	if (!p->admin) {
		ret = check_own(p, dir, rep);
		if (!ret)
			ret = set_own(req, rt, ctx, rep);
		if (ret)
			return ret;
	} else if (rt->t.kind == TARGET_CGROUP) {
		ret = cgroup_path_of(rt->t.cgid, path, sizeof(path));
		if (ret)
			return reply_fail(rep, ret == -ENOENT ?
					  fail(-ENOENT, "no cgroup has id %llu",
					       (unsigned long long)rt->t.cgid) : ret);
	} else {
		ret = task_check_target(rt->t.id, rt->t.kind == TARGET_PID, &ti);
		if (ret)
			return reply_fail(rep, ret);
	}
	/* a task that died meanwhile gets no entry: its number may go to another */
	ret = entry_write(ctx->m, &rt->t, rt->pidfd, val);
	if (ret == -ESRCH && rt->pidfd >= 0) {
		fail_clear();
		reply_set(rep, -ESRCH, CTL_RULE_GONE, "the target exited");
		return -ESRCH;
	}
	if (ret)
		return reply_fail(rep, ret);
	rep->val = val;
	reply_set(rep, 0, CTL_RULE_NONE, "%s %u: %s", target_name(rt->t.kind), rt->t.id,
		  val_str(val));
	return 0;
}

static int serve_clear(const struct req_target *rt, const struct ctl_ctx *ctx,
		       struct ctl_reply *rep)
{
	unsigned long long key = rt->t.kind == TARGET_CGROUP ? rt->t.cgid : rt->t.id;
	__u64 old;
	int ret;

	ret = entry_get(ctx->m, &rt->t, &old);
	if (ret == -ENOENT) {
		reply_set(rep, -ENOENT, CTL_RULE_NONE, "%s %llu has no entry (see `scx_xcr0 list`)",
			  target_name(rt->t.kind), key);
		fail_clear();
		return -ENOENT;
	}
	if (!ret)
		ret = entry_del(ctx->m, &rt->t);
	if (!ret)
		ret = maps_bump_gen(ctx->m);
	if (ret)
		return reply_fail(rep, ret);
	rep->val = old;
	reply_set(rep, 0, CTL_RULE_NONE, "cleared %s", val_str(old));
	return 0;
}

/* The rules every request meets before its target is looked at. */
static int check_request(const struct ctl_req *req, const struct peer *p,
			 const struct req_target *rt, struct ctl_reply *rep)
{
	if (p->admin)
		return 0;
	if (req->op == CTL_OP_CLEAR) {
		reply_set(rep, -EPERM, CTL_RULE_ADMIN,
			  "clearing an entry can widen a mask; only root or the admin group may");
		return -EPERM;
	}
	if (rt->t.kind != TARGET_PID) {
		reply_set(rep, -EPERM, CTL_RULE_ADMIN,
			  "cgroup and thread entries are for root or the admin group; you may narrow a process of yours");
		return -EPERM;
	}
	if ((req->flags & CTL_F_LIVE) && !rt->is_peer) {
		reply_set(rep, -EPERM, CTL_RULE_LIVE,
			  "--live changes a running program's mask under it; only for the asking process itself");
		return -EPERM;
	}
	return 0;
}

static void serve_request(const struct ctl_req *req, int fd_in, const struct peer *p,
			  const struct ctl_ctx *ctx, struct ctl_reply *rep)
{
	struct req_target rt;
	char path[64];
	int dir = -1;

	if (req->op == CTL_OP_INFO) {
		reply_set(rep, 0, CTL_RULE_NONE, "%s", p->admin ? "admin" : "user");
		return;
	}
	if (target_of(req, fd_in, p, &rt, rep) || check_request(req, p, &rt, rep))
		return;
	if (rt.pidfd >= 0) {
		/* /proc/PID opened, then the pidfd still names it: the directory is its */
		snprintf(path, sizeof(path), "/proc/%u", rt.t.id);
		dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || !still(rt.pidfd, rt.t.id)) {
			reply_set(rep, -ESRCH, CTL_RULE_GONE, "the target exited");
			goto out;
		}
	}
	rep->id = rt.t.kind == TARGET_CGROUP ? 0 : rt.t.id;
	if (req->op == CTL_OP_SET)
		serve_set(req, p, &rt, dir, ctx, rep);
	else
		serve_clear(&rt, ctx, rep);
out:
	if (dir >= 0)
		close(dir);
}

static void send_reply(int fd, struct ctl_reply *rep, const struct ctl_ctx *ctx)
{
	rep->magic = CTL_MAGIC;
	rep->version = CTL_VERSION;
	rep->size = sizeof(*rep);
	rep->supported = ctx->supported;
	rep->info_flags = ctx->info_flags;
	/* a client that does not read loses its reply, never our time */
	if (send(fd, rep, sizeof(*rep), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		fail_clear();
}

/* Read the one request of connection @c, answer it, close it. */
static void serve_conn(struct ctl_server *s, struct ctl_conn *c, const struct ctl_ctx *ctx)
{
	union {
		struct ctl_req req;
		char bytes[sizeof(struct ctl_req)];
	} buf;
	union {
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = &buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl.cbuf, .msg_controllen = sizeof(ctrl.cbuf),
	};
	struct ctl_reply rep = { 0 };
	struct cmsghdr *cm;
	struct peer p = { .pidfd = -1 };
	char why[128];
	int fds[1] = { -1 }, nr_fds = 0, i;
	bool ctrunc;
	ssize_t n;

	memset(&buf, 0, sizeof(buf));
	n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	for (cm = CMSG_FIRSTHDR(&msg); n >= 0 && cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int)); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nr_fds < (int)ARRAY_SIZE(fds))
				fds[nr_fds] = fd;
			else
				close(fd);
			nr_fds++;
		}
	}
	if (n <= 0)
		goto close;	/* closed without a request: nobody to answer */
	/* more descriptors than we take (some the kernel did not pass): malformed */
	ctrunc = msg.msg_flags & MSG_CTRUNC;
	if (ctl_req_check(&buf.req, n, msg.msg_flags & MSG_TRUNC, ctrunc ? nr_fds + 1 : nr_fds,
			  why, sizeof(why)))
		reply_set(&rep, -EINVAL, CTL_RULE_MESSAGE, "%s", why);
	else if (!peer_identify(s, c->fd, &p, &rep))
		serve_request(&buf.req, nr_fds ? fds[0] : -1, &p, ctx, &rep);
	send_reply(c->fd, &rep, ctx);
close:
	for (i = 0; i < nr_fds && i < (int)ARRAY_SIZE(fds); i++)
		close(fds[i]);
	if (p.pidfd >= 0)
		close(p.pidfd);
	close(c->fd);
	c->fd = -1;
	fail_clear();
}

/* The first unused slot, or CTL_MAX_CONN. */
static int first_unused(const struct ctl_server *s)
{
	int i;

	for (i = 0; i < CTL_MAX_CONN && s->conn[i].fd >= 0; i++)
		;
	return i;
}

/*
 * A free slot for a new connection, or CTL_MAX_CONN. A full table first
 * serves what its connections have ready: a client that connected and
 * closed (a storm of them fills the table before poll reports one) or
 * sent its request holds a slot only until we look.
 */
static int free_slot(struct ctl_server *s, const struct ctl_ctx *ctx)
{
	int i = first_unused(s);

	if (i < CTL_MAX_CONN)
		return i;
	for (i = 0; i < CTL_MAX_CONN; i++)
		serve_conn(s, &s->conn[i], ctx);
	return first_unused(s);
}

static void accept_all(struct ctl_server *s, const struct ctl_ctx *ctx)
{
	struct ctl_reply rep = { 0 };
	char junk;
	int fd, i;

	while ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		i = free_slot(s, ctx);
		if (i == CTL_MAX_CONN) {
			reply_set(&rep, -EBUSY, CTL_RULE_BUSY,
				  "%d connections are open already; try again in %d s",
				  CTL_MAX_CONN, CTL_DEADLINE_MS / 1000);
			send_reply(fd, &rep, ctx);
			/*
			 * a request left unread would make the close reset the
			 * connection, and the client see that before our reply
			 */
			if (recv(fd, &junk, sizeof(junk), MSG_DONTWAIT | MSG_TRUNC) < 0)
				fail_clear();
			close(fd);
			continue;
		}
		s->conn[i].fd = fd;
		s->conn[i].deadline = now_ms() + CTL_DEADLINE_MS;
	}
}

void ctl_server_serve(struct ctl_server *s, const struct pollfd *pfd, int nr,
		      const struct ctl_ctx *ctx)
{
	struct ctl_reply rep = { 0 };
	__u64 now;
	int i, j;

	if (s->lfd < 0)
		return;
	for (i = 1; i < nr; i++) {
		if (!pfd[i].revents)
			continue;
		for (j = 0; j < CTL_MAX_CONN; j++)
			if (s->conn[j].fd == pfd[i].fd)
				serve_conn(s, &s->conn[j], ctx);
	}
	if (nr && (pfd[0].revents & POLLIN))
		accept_all(s, ctx);
	now = now_ms();
	for (j = 0; j < CTL_MAX_CONN; j++) {
		struct ctl_conn *c = &s->conn[j];

		if (c->fd < 0 || c->deadline > now)
			continue;
		reply_set(&rep, -ETIMEDOUT, CTL_RULE_MESSAGE, "no request within %d ms",
			  CTL_DEADLINE_MS);
		send_reply(c->fd, &rep, ctx);
		close(c->fd);
		c->fd = -1;
	}
}
