/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __SCX_XCR0_CPU_H
#define __SCX_XCR0_CPU_H

#include <linux/types.h>

/*
 * xcr0_supported - XCR0 of the calling thread (XGETBV with ECX=0)
 *
 * Called from an unrestricted process (the daemon), this is the full mask
 * the kernel enables, the set every policy mask must be a subset of.
 * Returns 0 when XSAVE is not enabled by the OS (CPUID.1:ECX.OSXSAVE clear),
 * in which case XCR0 cannot be restricted at all.
 */
__u64 xcr0_supported(void);

#endif /* __SCX_XCR0_CPU_H */
