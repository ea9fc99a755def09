// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's pure parts (loader/ctl_proto.c): which messages are
 * well-formed requests, the narrowing rule, and the wire layout the daemon
 * and older or newer CLIs share.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scx_xcr0.h"
#include "ctl_proto.h"
#include "unit.h"

static struct ctl_req good(__u32 op, __u32 target)
{
	return (struct ctl_req){
		.magic = CTL_MAGIC,
		.version = CTL_VERSION,
		.size = sizeof(struct ctl_req),
		.op = op,
		.target = target,
		.mask = op == CTL_OP_SET ? 0x3 : 0,
		.cgid = target == CTL_TGT_CGROUP ? 42 : 0,
	};
}

/* A request bent one way, and whether it must pass. */
struct req_case {
	const char *name;
	struct ctl_req r;
	size_t len;
	bool truncated;
	int nr_fds;
	bool ok;
};

static void test_req_check(struct unit *u)
{
	const size_t n = sizeof(struct ctl_req);
	struct req_case cases[] = {
		{ "info", good(CTL_OP_INFO, CTL_TGT_NONE), n, false, 0, true },
		{ "set peer", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 0, true },
		{ "set pid", good(CTL_OP_SET, CTL_TGT_PID), n, false, 1, true },
		{ "set tid", good(CTL_OP_SET, CTL_TGT_TID), n, false, 1, true },
		{ "set cgroup", good(CTL_OP_SET, CTL_TGT_CGROUP), n, false, 0, true },
		{ "clear pid", good(CTL_OP_CLEAR, CTL_TGT_PID), n, false, 1, true },
		{ "short", good(CTL_OP_INFO, CTL_TGT_NONE), n - 1, false, 0, false },
		{ "empty", good(CTL_OP_INFO, CTL_TGT_NONE), 0, false, 0, false },
		{ "oversized", good(CTL_OP_INFO, CTL_TGT_NONE), n, true, 0, false },
		{ "longer", good(CTL_OP_INFO, CTL_TGT_NONE), n + 1, false, 0, false },
		{ "pid without fd", good(CTL_OP_SET, CTL_TGT_PID), n, false, 0, false },
		{ "pid with two fds", good(CTL_OP_SET, CTL_TGT_PID), n, false, 2, false },
		{ "peer with fd", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 1, false },
		{ "info with fd", good(CTL_OP_INFO, CTL_TGT_NONE), n, false, 1, false },
		{ "info with target", good(CTL_OP_INFO, CTL_TGT_PEER), n, false, 0, false },
		{ "no target", good(CTL_OP_SET, CTL_TGT_NONE), n, false, 0, false },
		{ "op 0", good(0, CTL_TGT_PEER), n, false, 0, false },
		{ "op 4", good(4, CTL_TGT_PEER), n, false, 0, false },
		{ "target 5", good(CTL_OP_SET, 5), n, false, 0, false },
	};
	size_t i;

	/* each field of a good request, bent */
	struct req_case *c;
	struct req_case bent[] = {
		{ "magic", good(CTL_OP_INFO, CTL_TGT_NONE), n, false, 0, false },
		{ "version", good(CTL_OP_INFO, CTL_TGT_NONE), n, false, 0, false },
		{ "size", good(CTL_OP_INFO, CTL_TGT_NONE), n, false, 0, false },
		{ "reserved", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 0, false },
		{ "flags", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 0, false },
		{ "live", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 0, true },
		{ "clear with mask", good(CTL_OP_CLEAR, CTL_TGT_PEER), n, false, 0, false },
		{ "cgid without cgroup", good(CTL_OP_SET, CTL_TGT_PEER), n, false, 0, false },
		{ "cgroup without cgid", good(CTL_OP_SET, CTL_TGT_CGROUP), n, false, 0, false },
	};
	char why[128];
	int ret;

	bent[0].r.magic ^= 1;
	bent[1].r.version++;
	bent[2].r.size++;
	bent[3].r.reserved = 1;
	bent[4].r.flags = 2;
	bent[5].r.flags = CTL_F_LIVE;
	bent[6].r.mask = 0x3;
	bent[7].r.cgid = 7;
	bent[8].r.cgid = 0;
	for (i = 0; i < ARRAY_SIZE(cases) + ARRAY_SIZE(bent); i++) {
		c = i < ARRAY_SIZE(cases) ? &cases[i] : &bent[i - ARRAY_SIZE(cases)];
		why[0] = '\0';
		ret = ctl_req_check(&c->r, c->len, c->truncated, c->nr_fds, why, sizeof(why));
		if (c->ok && ret)
			unit_fail(u, "%s: refused (%s)", c->name, why);
		else if (!c->ok && (ret != -EINVAL || !why[0]))
			unit_fail(u, "%s: %d, reason '%s'", c->name, ret, why);
	}
}

/* The supported set of a QEMU -cpu max guest: x87, sse, avx, mpx, pkru. */
#define SUP	0x21fULL

static void test_narrows(struct unit *u)
{
	static const struct {
		__u64 mask, pending, policy;
		bool ok;
	} cases[] = {
		{ 0x3, SUP, 0, true },			/* narrow a free task */
		{ 0x7, SUP, 0, true },
		{ 0x0, SUP, 0, true },			/* none over none: no change */
		{ 0x3, 0x3, 0, true },			/* the same again */
		{ 0x7, 0x3, 0, false },			/* wider than pending */
		{ 0x0, 0x3, 0, false },			/* none = the full mask: wider */
		{ 0x3, 0x7, 0x3, true },		/* within both */
		{ 0x7, SUP, 0x3, false },		/* wider than the policy */
		/* the live bit is no mask bit */
		{ 0x7, SUP, 0x3 | SCX_XCR0_VAL_LIVE, false },
		{ 0x3, SUP, 0x7 | SCX_XCR0_VAL_LIVE, true },
		{ 0x207, 0x7, 0, false },		/* a bit pending lacks */
		{ 0x207, SUP, 0x7, false },		/* a bit the policy lacks */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (ctl_narrows(cases[i].mask, cases[i].pending, cases[i].policy, SUP) !=
		    cases[i].ok)
			unit_fail(u, "mask 0x%llx, pending 0x%llx, policy 0x%llx: want %s",
				  (unsigned long long)cases[i].mask,
				  (unsigned long long)cases[i].pending,
				  (unsigned long long)cases[i].policy,
				  cases[i].ok ? "narrows" : "widens");
}

/* The layout both sides of the wire agree on (docs/socket.md). */
static void test_layout(struct unit *u)
{
	if (sizeof(struct ctl_req) != 40 || offsetof(struct ctl_req, mask) != 24 ||
	    offsetof(struct ctl_req, cgid) != 32)
		unit_fail(u, "struct ctl_req: %zu bytes, mask at %zu", sizeof(struct ctl_req),
			  offsetof(struct ctl_req, mask));
	if (sizeof(struct ctl_reply) != 40 + CTL_MSG_LEN ||
	    offsetof(struct ctl_reply, msg) != 40)
		unit_fail(u, "struct ctl_reply: %zu bytes, msg at %zu", sizeof(struct ctl_reply),
			  offsetof(struct ctl_reply, msg));
}

static void test_rule_names(struct unit *u)
{
	unsigned int i, j;

	for (i = 1; i < CTL_NR_RULES; i++) {
		if (!strcmp(ctl_rule_name(i), "unknown") || !strcmp(ctl_rule_name(i), "none"))
			unit_fail(u, "rule %u has no name", i);
		for (j = 1; j < i; j++)
			if (!strcmp(ctl_rule_name(i), ctl_rule_name(j)))
				unit_fail(u, "rules %u and %u share the name %s", j, i,
					  ctl_rule_name(i));
	}
	if (strcmp(ctl_rule_name(CTL_NR_RULES), "unknown"))
		unit_fail(u, "a rule past the end: %s", ctl_rule_name(CTL_NR_RULES));
}

static void test_socket_path(struct unit *u)
{
	unsetenv(SCX_XCR0_SOCKET_ENV);
	if (strcmp(ctl_socket_path(), SCX_XCR0_SOCKET))
		unit_fail(u, "default: %s", ctl_socket_path());
	setenv(SCX_XCR0_SOCKET_ENV, "", 1);
	if (strcmp(ctl_socket_path(), SCX_XCR0_SOCKET))
		unit_fail(u, "empty variable: %s", ctl_socket_path());
	setenv(SCX_XCR0_SOCKET_ENV, "/mnt/x.sock", 1);
	if (strcmp(ctl_socket_path(), "/mnt/x.sock"))
		unit_fail(u, "from the environment: %s", ctl_socket_path());
	unsetenv(SCX_XCR0_SOCKET_ENV);
}

static const struct unit_test tests[] = {
	{ "ctl_req_check",	test_req_check },
	{ "ctl_narrows",	test_narrows },
	{ "ctl_wire_layout",	test_layout },
	{ "ctl_rule_names",	test_rule_names },
	{ "ctl_socket_path",	test_socket_path },
};

int main(void)
{
	return unit_main(tests, ARRAY_SIZE(tests));
}
