/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's wire format (docs/socket.md): a SOCK_SEQPACKET
 * AF_UNIX socket, one connection per request, one fixed-size request
 * (struct ctl_req, with at most one pidfd in SCM_RIGHTS) and one
 * fixed-size reply (struct ctl_reply). Who asks comes from the kernel
 * (SO_PEERCRED, SO_PEERPIDFD, SO_PEERGROUPS), never from the message; a
 * target is the peer itself or a pidfd, never a pid number.
 *
 * Both structs have no implicit padding and the same layout on every
 * x86-64 build; a new field means a new version.
 */
#ifndef __SCX_XCR0_CTL_PROTO_H
#define __SCX_XCR0_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define SCX_XCR0_SOCKET		"/run/scx_xcr0.sock"
#define SCX_XCR0_SOCKET_ENV	"SCX_XCR0_SOCKET"

#define CTL_MAGIC		0x30524358U	/* "XCR0" little-endian */
#define CTL_VERSION		1

enum ctl_op {
	CTL_OP_SET = 1,		/* write the target's entry: mask, CTL_F_LIVE */
	CTL_OP_CLEAR,		/* remove the target's entry */
	CTL_OP_INFO,		/* nothing but the reply's daemon fields */
};

enum ctl_target {
	CTL_TGT_NONE,		/* CTL_OP_INFO */
	CTL_TGT_PEER,		/* the process that connected: its xcr0_pid entry */
	CTL_TGT_PID,		/* the process of the pidfd sent along */
	CTL_TGT_TID,		/* the thread of the pidfd (PIDFD_THREAD) sent along */
	CTL_TGT_CGROUP,		/* cgroup @cgid */
};

#define CTL_F_LIVE		(1U << 0)

struct ctl_req {
	__u32 magic;		/* CTL_MAGIC */
	__u16 version;		/* CTL_VERSION */
	__u16 size;		/* sizeof(struct ctl_req) */
	__u32 op;		/* enum ctl_op */
	__u32 target;		/* enum ctl_target */
	__u32 flags;		/* CTL_F_* */
	__u32 reserved;		/* 0 */
	__u64 mask;		/* CTL_OP_SET: the mask, 0 for none (no restriction) */
	__u64 cgid;		/* CTL_TGT_CGROUP */
};

/*
 * Why a request was refused: each refusal names its rule, in the reply's
 * @rule and text, and the CLI prints it. ctl_rule_name() has the names.
 */
enum ctl_rule {
	CTL_RULE_NONE,
	CTL_RULE_MESSAGE,	/* malformed, truncated, oversized, wrong version */
	CTL_RULE_ADMIN,		/* only root or the admin group may do this */
	CTL_RULE_OWN,		/* not the caller's own process (uids, gids) */
	CTL_RULE_DUMPABLE,	/* not dumpable: setuid/setgid or made so */
	CTL_RULE_USERNS,	/* in a user namespace that is not the caller's */
	CTL_RULE_NARROW,	/* the mask would widen the pending mask or the policy */
	CTL_RULE_LIVE,		/* live only on the caller itself */
	CTL_RULE_GONE,		/* the target exited */
	CTL_RULE_BUSY,		/* too many connections */
	CTL_NR_RULES,
};

#define CTL_MSG_LEN		256

struct ctl_reply {
	__u32 magic;		/* CTL_MAGIC */
	__u16 version;		/* CTL_VERSION */
	__u16 size;		/* sizeof(struct ctl_reply) */
	__s32 err;		/* 0, or a negative errno */
	__u32 rule;		/* enum ctl_rule when refused */
	__u64 val;		/* SET: the value written; CLEAR: the value removed */
	__u64 supported;	/* the daemon's full mask */
	__u32 info_flags;	/* SCX_XCR0_INFO_* (partial mode) */
	__u32 id;		/* the target's pid or tid in the daemon's namespace */
	char msg[CTL_MSG_LEN];	/* NUL-terminated: what was done, or why not */
};

/* ctl_rule_name - the short name of a rule ("own-process", ...). */
const char *ctl_rule_name(unsigned int rule);

/*
 * ctl_req_check - whether @len bytes (@truncated: more were sent) with
 * @nr_fds file descriptors are a well-formed request: size, magic,
 * version, op, target, flags, and exactly one pidfd for the targets that
 * need one. On failure, returns -EINVAL with the reason in @why.
 */
int ctl_req_check(const struct ctl_req *r, size_t len, bool truncated, int nr_fds,
		  char *why, size_t why_len);

/*
 * ctl_narrows - whether mask @mask (0: none) takes nothing back that the
 * target lacks: it is within the target's @pending mask (a full mask, as
 * /proc shows it) and within the mask of policy value @policy (0: none),
 * on a CPU whose full mask is @supported.
 */
bool ctl_narrows(__u64 mask, __u64 pending, __u64 policy, __u64 supported);

/* ctl_socket_path - SCX_XCR0_SOCKET from the environment, or the default. */
const char *ctl_socket_path(void);

#endif /* __SCX_XCR0_CTL_PROTO_H */
