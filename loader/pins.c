// SPDX-License-Identifier: GPL-2.0
/* The pin directory as a whole, see pins.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scx_xcr0.h"
#include "pins.h"
#include "sched_ext.h"
#include "util.h"

#define LINK_PREFIX	SCX_XCR0_LINK "_"

void pins_link_path(const char *prog, char *buf, size_t len)
{
	if (prog)
		snprintf(buf, len, "%s/%s%s", SCX_XCR0_PIN_DIR, LINK_PREFIX, prog);
	else
		snprintf(buf, len, "%s/%s", SCX_XCR0_PIN_DIR, SCX_XCR0_LINK);
}

static bool is_link(const char *name)
{
	return !strcmp(name, SCX_XCR0_LINK) ||
	       !strncmp(name, LINK_PREFIX, strlen(LINK_PREFIX));
}

/* @fn for each entry of the pin directory (links only if @links). */
static int for_each_pin(bool links, int (*fn)(const char *path, void *arg), void *arg)
{
	struct dirent *de;
	char path[sizeof(SCX_XCR0_PIN_DIR) + sizeof(de->d_name) + 1];
	DIR *dir;
	int ret = 0;

	dir = opendir(SCX_XCR0_PIN_DIR);
	if (!dir)
		return errno == ENOENT ? 0 :
		       fail(-errno, "cannot read %s: %s", SCX_XCR0_PIN_DIR, strerror(errno));
	while (!ret && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || (links && !is_link(de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SCX_XCR0_PIN_DIR, de->d_name);
		ret = fn(path, arg);
	}
	closedir(dir);
	return ret;
}

int pins_for_each_link(int (*fn)(const char *path, void *arg), void *arg)
{
	return for_each_pin(true, fn, arg);
}

static int found(const char *path, void *arg)
{
	(void)path;
	(void)arg;
	return 1;
}

bool pins_link_pinned(void)
{
	int ret = pins_for_each_link(found, NULL);

	fail_clear();
	return ret > 0;
}

static int unlink_one(const char *path, void *arg)
{
	int *nr = arg;

	if (unlink(path) && errno != ENOENT)
		return fail(-errno, "cannot remove %s: %s", path, strerror(errno));
	(*nr)++;
	return 0;
}

int pins_unlink_links(void)
{
	int nr = 0, ret = pins_for_each_link(unlink_one, &nr);

	return ret < 0 ? ret : nr;
}

int pins_wait_detached(unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; scx_xcr0_attached(); waited += 50) {
		if (waited >= ms)
			return fail(-ETIMEDOUT, "the scheduler is still attached %u s after its link pins went: a process holds its link (bpftool?); see %s",
				    ms / 1000, SCX_SYSFS_OPS);
		usleep(50 * 1000);
	}
	return 0;
}

int pins_remove_all(void)
{
	int nr = 0, ret = for_each_pin(false, unlink_one, &nr);

	if (ret < 0)
		return ret;
	if (rmdir(SCX_XCR0_PIN_DIR) && errno != ENOENT)
		return fail(-errno, "cannot remove %s: %s", SCX_XCR0_PIN_DIR, strerror(errno));
	return nr;
}
