// SPDX-License-Identifier: GPL-2.0
/* The control socket's messages, both sides: see ctl_proto.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "scx_xcr0.h"
#include "ctl_proto.h"

const char *ctl_rule_name(unsigned int rule)
{
	static const char *const names[CTL_NR_RULES] = {
		[CTL_RULE_NONE] = "none",
		[CTL_RULE_MESSAGE] = "message",
		[CTL_RULE_ADMIN] = "admin-only",
		[CTL_RULE_OWN] = "own-process",
		[CTL_RULE_DUMPABLE] = "dumpable",
		[CTL_RULE_USERNS] = "user-namespace",
		[CTL_RULE_NARROW] = "narrow-only",
		[CTL_RULE_LIVE] = "live-self-only",
		[CTL_RULE_GONE] = "target-gone",
		[CTL_RULE_BUSY] = "busy",
	};

	return rule < CTL_NR_RULES ? names[rule] : "unknown";
}

static int bad(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	return -EINVAL;
}

int ctl_req_check(const struct ctl_req *r, size_t len, bool truncated, int nr_fds,
		  char *why, size_t why_len)
{
	bool want_fd;

	if (truncated || len > sizeof(*r))
		return bad(why, why_len, "message larger than a request");
	if (len < sizeof(*r))
		return bad(why, why_len, "message shorter than a request (truncated?)");
	if (r->magic != CTL_MAGIC)
		return bad(why, why_len, "not a scx_xcr0 request (bad magic)");
	if (r->version != CTL_VERSION || r->size != sizeof(*r))
		return bad(why, why_len,
			   "protocol version or size differs from the daemon's: use the scx_xcr0 of the daemon's package");
	if (r->reserved)
		return bad(why, why_len, "reserved field is not 0");
	if (r->flags & ~CTL_F_LIVE)
		return bad(why, why_len, "unknown flags");
	switch (r->op) {
	case CTL_OP_INFO:
		if (r->target != CTL_TGT_NONE || r->flags || r->mask || r->cgid || nr_fds)
			return bad(why, why_len, "an info request takes no target");
		return 0;
	case CTL_OP_SET:
	case CTL_OP_CLEAR:
		break;
	default:
		return bad(why, why_len, "unknown operation");
	}
	if (r->op == CTL_OP_CLEAR && r->mask)
		return bad(why, why_len, "clear takes no mask");
	switch (r->target) {
	case CTL_TGT_PEER:
	case CTL_TGT_CGROUP:
		want_fd = false;
		break;
	case CTL_TGT_PID:
	case CTL_TGT_TID:
		want_fd = true;
		break;
	default:
		return bad(why, why_len, "unknown target kind");
	}
	if ((r->target == CTL_TGT_CGROUP) != !!r->cgid)
		return bad(why, why_len, "a cgroup id goes with a cgroup target, and only there");
	if (nr_fds != want_fd)
		return bad(why, why_len, want_fd ? "a pid or tid target needs exactly one pidfd" :
			   "this target takes no file descriptor");
	return 0;
}

bool ctl_narrows(__u64 mask, __u64 pending, __u64 policy, __u64 supported)
{
	__u64 want = mask ? mask : supported;
	__u64 pol = scx_xcr0_val_mask(policy);

	if (!pol)
		pol = supported;
	return !(want & ~pending) && !(want & ~pol);
}

const char *ctl_socket_path(void)
{
	const char *p = getenv(SCX_XCR0_SOCKET_ENV);

	return p && *p ? p : SCX_XCR0_SOCKET;
}
