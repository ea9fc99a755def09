/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portable masks: the widest XCR0 mask under which every given machine has
 * the same standard-format XSAVE layout, so that state saved on one (a
 * signal frame, NT_X86_XSTATE, a core dump, an rr trace) means the same on
 * the others. A component is kept when every machine runs it and puts it
 * at the same offset with the same size; then the rules of xcr0.h (x87 and
 * SSE always, MPX, AVX-512 and AMX whole, AVX-512 only with AVX) drop what
 * is left of a split group.
 */
#ifndef __SCX_XCR0_PORTABLE_H
#define __SCX_XCR0_PORTABLE_H

#include <stddef.h>
#include <linux/types.h>

#include "xsave_layout.h"

struct portable_excl {
	unsigned int bit;
	char why[320];		/* "bit 5 (opmask): offset 832 on a.json, 1088 on this machine" */
};

struct portable {
	__u64 mask;
	unsigned int nr_excl;
	struct portable_excl excl[64];	/* in bit order */
};

/*
 * portable_mask - the mask for the @nr machines of @m (the first is the
 * reference the others are compared with). Returns 0, or -EINVAL with the
 * reason in @err when no valid mask is common to all (x87 or SSE missing).
 */
int portable_mask(const struct xsave_layout *const *m, size_t nr, struct portable *p,
		  char *err, size_t errlen);

#endif /* __SCX_XCR0_PORTABLE_H */
