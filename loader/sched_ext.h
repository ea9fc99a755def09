/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What sched_ext says about itself in sysfs: whether the kernel has it,
 * which scheduler is attached, and whether that one is ours. The only
 * place that knows these paths.
 */
#ifndef __SCX_XCR0_SCHED_EXT_H
#define __SCX_XCR0_SCHED_EXT_H

#include <stdbool.h>
#include <stddef.h>

#define SCX_SYSFS		"/sys/kernel/sched_ext"
#define SCX_SYSFS_OPS		SCX_SYSFS "/root/ops"
#define SCX_SYSFS_STATE		SCX_SYSFS "/state"

/* The name our scheduler registers (SCX_OPS_DEFINE .name). */
#define SCX_XCR0_OPS_NAME	"xcr0"

/* Whether this kernel has sched_ext at all. */
bool scx_present(void);

/* The name of the attached sched_ext scheduler in @buf, "" if none. */
void scx_attached_ops(char *buf, size_t len);

/* Whether the attached scheduler is ours. */
bool scx_xcr0_attached(void);

/* sched_ext's state ("enabled", "disabled", ...) in @buf, "" if none. */
void scx_state(char *buf, size_t len);

#endif /* __SCX_XCR0_SCHED_EXT_H */
