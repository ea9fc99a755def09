/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __SCX_XCR0_MASK_H
#define __SCX_XCR0_MASK_H

#include <stddef.h>
#include <linux/types.h>

/* Room for xcr0_format_mask() of any 64-bit value, NUL included. */
#define XCR0_MASK_FMT_MAX	512

/*
 * xcr0_parse_mask - turn a user's mask spelling into an XCR0 mask
 * @s: the spelling (see below); no whitespace
 * @supported: the full mask of this CPU, xcr0_supported()
 * @out: the mask; written on success only
 * @err: message on failure, NUL-terminated, truncated to @errlen
 *
 * Spellings, names case-insensitive:
 *   none, 0                  no restriction (*out = 0)
 *   0x207, 519               a number, hex or decimal (leading 0 is not octal)
 *   x87,sse,avx,pkru         components; also the groups mpx, avx512, amx
 *   x86-64-v2 ... -v4        psABI levels
 *   full                     every known component the CPU supports
 *   full-avx512-pkru         items joined by ',' or '+' (add) and '-' (remove),
 *   x86-64-v3+pkru           applied left to right
 *   -pkru                    a leading '-' starts from full
 *
 * Every result other than none is checked with xcr0_check() against the
 * rules and @supported; nothing is clamped. Returns 0 or -EINVAL.
 */
int xcr0_parse_mask(const char *s, __u64 supported, __u64 *out, char *err,
		    size_t errlen);

/*
 * xcr0_format_mask - "0x207 (x87,sse,avx,pkru)"; "0x0 (none)"; bits without
 * a name print as "bitN". Returns the length of the full string like
 * snprintf(); the output is truncated (and still terminated) if it is >= @len.
 */
int xcr0_format_mask(__u64 mask, char *buf, size_t len);

#endif /* __SCX_XCR0_MASK_H */
