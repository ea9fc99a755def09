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

/*
 * xcr0_cpu_components - the XCR0 bits this CPU can enable at all (CPUID
 * leaf 0xd, subleaf 0, EDX:EAX), whatever the kernel chose to enable and
 * whatever the calling thread is restricted to: a bound that a recorded
 * full mask can be checked against from a restricted process. 0 if the
 * leaf is missing.
 */
__u64 xcr0_cpu_components(void);

#endif /* __SCX_XCR0_CPU_H */
