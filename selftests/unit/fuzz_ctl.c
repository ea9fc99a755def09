// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control socket's request decoder,
 * ctl_req_check(), and the narrow-only rule, ctl_narrows() (docs/socket.md).
 * The request bytes sit in a buffer of exactly their length, so ASan
 * catches a decoder that reads a field of a short message; the checks
 * catch one that lets through what the wire format forbids.
 *
 * Input: byte 0: bit 0 "truncated" (MSG_TRUNC), bits 1-2 the number of
 * fds, bits 3-7 the size of the reason buffer; the rest is the message.
 * The narrow-only checks take their masks from the message's bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ctl_proto.h"

static void check_accepted(const struct ctl_req *r, size_t len, bool truncated, int nr_fds)
{
	bool pidfd = r->target == CTL_TGT_PID || r->target == CTL_TGT_TID;

	CHECK(!truncated && len == sizeof(*r));
	CHECK(r->magic == CTL_MAGIC && r->version == CTL_VERSION && r->size == sizeof(*r));
	CHECK(!r->reserved && !(r->flags & ~CTL_F_LIVE));
	if (r->op == CTL_OP_INFO) {
		CHECK(r->target == CTL_TGT_NONE && !r->flags && !r->mask && !r->cgid && !nr_fds);
		return;
	}
	CHECK(r->op == CTL_OP_SET || r->op == CTL_OP_CLEAR);
	CHECK(r->op == CTL_OP_SET || !r->mask);
	CHECK(r->target == CTL_TGT_PEER || r->target == CTL_TGT_CGROUP || pidfd);
	CHECK((r->target == CTL_TGT_CGROUP) == !!r->cgid);
	CHECK(nr_fds == (pidfd ? 1 : 0));
}

/* What narrows keeps narrowing when more is taken away, and 0 is the full mask. */
static void check_narrows(const uint8_t *p, size_t n)
{
	__u64 v[4] = { 0 }, mask, pending, policy, sup, sub;

	memcpy(v, p, n < sizeof(v) ? n : sizeof(v));
	mask = v[0];
	pending = v[1];
	policy = v[2];
	sup = v[3];
	if (!ctl_narrows(mask, pending, policy, sup))
		return;
	sub = (mask ? mask : sup) & (pending ^ policy ^ sup);
	CHECK(!sub || ctl_narrows(sub, pending, policy, sup));
	CHECK(!((mask ? mask : sup) & ~pending));
	CHECK(ctl_narrows(mask ? mask : sup, pending, policy, sup));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, why_len;
	struct ctl_req *r;
	bool truncated;
	char *why;
	int nr_fds;

	if (!size)
		return 0;
	truncated = data[0] & 1;
	nr_fds = (data[0] >> 1) & 3;
	why_len = data[0] >> 3;
	len = size - 1;

	/* malloc(0) may return NULL: keep a byte so the pointer is real */
	r = malloc(len ? len : 1);
	why = malloc(why_len + 1);
	if (!r || !why)
		abort();
	memcpy(r, data + 1, len);
	memset(why, 0, why_len + 1);
	why[why_len] = 'X';	/* past the buffer the decoder is given */

	if (!ctl_req_check(r, len, truncated, nr_fds, why, why_len)) {
		check_accepted(r, len, truncated, nr_fds);
	} else if (why_len) {
		/* a reason, cut to the buffer and terminated (none fits in 1) */
		CHECK((why_len == 1 || why[0]) && strlen(why) < why_len);
	}
	CHECK(why[why_len] == 'X');
	check_narrows(data + 1, len);
	free(why);
	free(r);
	return 0;
}
