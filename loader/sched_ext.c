// SPDX-License-Identifier: GPL-2.0
/* sched_ext's sysfs files, read in one place. */
#include <string.h>
#include <unistd.h>

#include "sched_ext.h"
#include "util.h"

bool scx_present(void)
{
	return !access(SCX_SYSFS, F_OK);
}

void scx_attached_ops(char *buf, size_t len)
{
	if (read_text(SCX_SYSFS_OPS, buf, len) < 0)
		buf[0] = '\0';
}

bool scx_xcr0_attached(void)
{
	char ops[64];

	scx_attached_ops(ops, sizeof(ops));
	return !strcmp(ops, SCX_XCR0_OPS_NAME);
}

void scx_state(char *buf, size_t len)
{
	if (read_text(SCX_SYSFS_STATE, buf, len) < 0)
		buf[0] = '\0';
}
