/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pins under SCX_XCR0_PIN_DIR as a whole: the links (the struct_ops
 * link at SCX_XCR0_LINK, and one "link_PROG" for each other program of the
 * object, such as a tracepoint), whose pins keep the scheduler attached,
 * and the maps, whose pins keep the policy.
 */
#ifndef __SCX_XCR0_PINS_H
#define __SCX_XCR0_PINS_H

#include <stdbool.h>
#include <stddef.h>

/* pins_link_path - where the link of program @prog is pinned (NULL: struct_ops). */
void pins_link_path(const char *prog, char *buf, size_t len);

/* pins_link_pinned - whether any link is pinned. */
bool pins_link_pinned(void);

/*
 * pins_for_each_link - call @fn with the path of each pinned link; stops
 * at and returns the first nonzero return.
 */
int pins_for_each_link(int (*fn)(const char *path, void *arg), void *arg);

/*
 * pins_unlink_links - remove every link pin: a link no process holds goes
 * with its pin, and the scheduler of a dead daemon detaches. Returns how
 * many were removed, or a negative errno with a message recorded.
 */
int pins_unlink_links(void);

/*
 * pins_wait_detached - wait up to @ms until our scheduler is no longer
 * attached; -ETIMEDOUT with a message if it still is.
 */
int pins_wait_detached(unsigned int ms);

/*
 * pins_remove_all - remove every pin (maps and links) and the directory.
 * Returns how many pins were removed, or a negative errno with a message.
 */
int pins_remove_all(void);

#endif /* __SCX_XCR0_PINS_H */
