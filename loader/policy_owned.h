/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which xcr0_cgroup entries the policy directory wrote, kept for the next
 * daemon: after a restart it must delete the entries of rules removed
 * meanwhile, and only those (not what `scx_xcr0 set --cgroup` or bpftool
 * wrote). The record lives as long as the pinned map it describes: it
 * names the map's id (unique until reboot), so a record left from an
 * earlier map is ignored, and it sits under /run, which goes at reboot
 * like the pins.
 *
 *	# comment
 *	map 42
 *	<cgroup id> 0x<value> <cgroup path>
 */
#ifndef __SCX_XCR0_POLICY_OWNED_H
#define __SCX_XCR0_POLICY_OWNED_H

#include <stddef.h>
#include <linux/types.h>

#include "policy_plan.h"

#define POLICY_RUN_DIR		"/run/scx_xcr0"
#define POLICY_OWNED_FILE	POLICY_RUN_DIR "/policy-owned"

struct owned_set {
	struct cg_entry *e;	/* paths allocated, freed by policy_owned_free() */
	size_t nr;
};

/*
 * policy_owned_read - the entries the record @file lists for map @map_id;
 * empty if there is no record or it describes another map. A record that
 * is not a root-owned regular file writable by root alone, or that does
 * not parse, is refused: a negative errno with a message, @out empty.
 */
int policy_owned_read(const char *file, __u32 map_id, struct owned_set *out);

/*
 * policy_owned_write - replace the record @file with @nr entries of map
 * @map_id, atomically (a temporary file renamed over it); creates the
 * directory of @file if needed. A negative errno with a message.
 */
int policy_owned_write(const char *file, __u32 map_id, const struct cg_entry *e, size_t nr);

void policy_owned_free(struct owned_set *set);

#endif /* __SCX_XCR0_POLICY_OWNED_H */
