/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XSAVE layouts: where each state component sits in the standard
 * (non-compacted) XSAVE format, the one signal frames, ptrace
 * NT_X86_XSTATE, core dumps and rr traces use, as CPUID leaf 0xD reports
 * it on this CPU or as a layout file from another machine says (the format
 * of `scx_xcr0 layout --json`, the same as ../shared/data/xsave-layouts/).
 *
 * In that format x87 and SSE live in the 512-byte legacy area, a 64-byte
 * header follows, and each other component N sits at CPUID(0xD, N).EBX
 * with size CPUID(0xD, N).EAX. Offsets are fixed per CPU whatever XCR0 is;
 * the total size under a mask (CPUID 0xD.0 EBX when XCR0 is that mask) is
 * the end of the last component in it. Vendors differ: AMD parts without
 * MPX put AVX-512 right after AVX, Intel keeps the architectural slots.
 */
#ifndef __SCX_XCR0_XSAVE_LAYOUT_H
#define __SCX_XCR0_XSAVE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "output.h"

#define XSAVE_LEGACY_SIZE	512	/* FXSAVE area: x87, SSE */
#define XSAVE_HEADER_SIZE	64	/* XSTATE_BV, XCOMP_BV */
#define XSAVE_EXT_START		(XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE)
#define XSAVE_NR_COMPS		63	/* components 0-62; bit 63 of XCR0 is reserved */

/* Layout files larger than this are refused unread. */
#define XSAVE_LAYOUT_FILE_MAX	(64 * 1024)

struct xsave_comp {
	__u32 size;
	__u32 offset;		/* standard format; 0 for supervisor components */
	bool supervisor;	/* CPUID(0xD, N).ECX bit 0 */
	bool align64;		/* ECX bit 1: 64-byte aligned in the compacted format */
	bool align_known;	/* false when a file does not say */
};

struct xsave_layout {
	char name[256];		/* "this machine" or the file name, for messages */
	char vendor[13];	/* CPUID 0 vendor string, "" when a file has none */
	__u64 user_supported;	/* CPUID 0xD.0 EDX:EAX */
	__u64 supervisor_supported;	/* CPUID 0xD.1 EDX:ECX */
	__u32 flags_1;		/* CPUID 0xD.1 EAX: XSAVEOPT, XSAVEC, XGETBV1, XSAVES... */
	__u32 size_cur;		/* CPUID 0xD.0 EBX as read: for the reader's XCR0; 0 unknown */
	__u32 size_max;		/* CPUID 0xD.0 ECX: all user components; 0 unknown */
	__u64 mask;		/* the mask described: what this machine runs or was asked */
	__u64 have;		/* components with an entry in comp[] */
	struct xsave_comp comp[XSAVE_NR_COMPS];
};

/*
 * xsave_layout_cpu - this CPU's layout from CPUID leaves 0 and 0xD, to
 * describe @mask (which the caller checked with xcr0_check()).
 */
void xsave_layout_cpu(struct xsave_layout *l, __u64 mask);

/*
 * xsave_layout_size - the standard-format size under @mask: what CPUID
 * 0xD.0 EBX reports when XCR0 is @mask, at least the legacy area and header.
 */
__u32 xsave_layout_size(const struct xsave_layout *l, __u64 mask);

/*
 * xsave_layout_parse - a layout file's text (@len bytes) into @l. The mask
 * it describes is its "mask" member when present (`layout --json` writes
 * one), else cpuid_0xd_0.user_supported (the shared fixtures): the user
 * components that machine can run. Every user component in it needs an
 * entry with a size and an offset that fit the standard format. Returns 0,
 * or -EINVAL with "NAME:OFFSET: ..." or "NAME: MEMBER: ..." in @err.
 */
int xsave_layout_parse(const char *name, const char *buf, size_t len, struct xsave_layout *l,
		       char *err, size_t errlen);

/*
 * xsave_layout_load - xsave_layout_parse() of the file @path, at most
 * XSAVE_LAYOUT_FILE_MAX bytes; failures recorded with fail().
 */
int xsave_layout_load(const char *path, struct xsave_layout *l);

/*
 * xsave_layout_json - @l's members into the open object of @j, in the
 * format xsave_layout_parse() reads: vendor, mask, cpuid_0xd_0,
 * cpuid_0xd_1, components (those of the mask past x87 and SSE, which
 * always sit in the legacy area) and total_size, the size under the mask.
 */
void xsave_layout_json(struct json *j, const struct xsave_layout *l);

#endif /* __SCX_XCR0_XSAVE_LAYOUT_H */
