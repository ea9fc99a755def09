// SPDX-License-Identifier: GPL-2.0
/* Reducing and naming capabilities, see caps.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "util.h"

void caps_names(__u64 caps, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && off < len; bit++) {
		char *name;

		if (!(caps & (1ULL << bit)))
			continue;
		name = cap_to_name(bit);
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "",
				name ? name : "?");
		cap_free(name);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

int caps_of(pid_t pid, __u64 *eff)
{
	char path[64], val[32];
	unsigned long long v;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ret = read_field(path, "CapEff", val, sizeof(val));
	if (ret == -ENOENT)
		return -EINVAL;
	if (ret)
		return -ENOENT;
	if (sscanf(val, "%llx", &v) != 1)
		return -EINVAL;
	*eff = v;
	return 0;
}

static bool permitted(cap_t cur, cap_value_t c)
{
	cap_flag_value_t v;

	return !cap_get_flag(cur, c, CAP_PERMITTED, &v) && v == CAP_SET;
}

int caps_reduce(char *kept, size_t len)
{
	cap_t cur = cap_get_proc(), caps = cap_init();
	cap_value_t keep[3];
	__u64 keep_mask = 0;
	int i, nr = 0, ret = 0;
	cap_value_t c;

	kept[0] = '\0';
	if (!cur || !caps) {
		ret = fail(-errno, "cannot read our capabilities: %s", strerror(errno));
		goto out;
	}
	if (permitted(cur, CAP_BPF))
		keep[nr++] = CAP_BPF;
	if (permitted(cur, CAP_PERFMON))
		keep[nr++] = CAP_PERFMON;
	if (nr < 2 && permitted(cur, CAP_SYS_ADMIN))
		keep[nr++] = CAP_SYS_ADMIN;
	for (i = 0; i < nr; i++)
		keep_mask |= 1ULL << keep[i];

	/* the bounding set first: dropping from it needs CAP_SETPCAP, still ours */
	for (c = 0; c <= (cap_value_t)cap_max_bits() - 1 && c < 64; c++) {
		if (keep_mask & (1ULL << c) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && !ret)
			ret = fail(-errno, "cannot drop capability %d from the bounding set: %s",
				   c, strerror(errno));
	}
	if (nr) {
		cap_set_flag(caps, CAP_PERMITTED, nr, keep, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, nr, keep, CAP_SET);
	}
	if (cap_set_proc(caps) && !ret)
		ret = fail(-errno, "cannot drop capabilities: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL && !ret)
		ret = fail(-errno, "cannot clear the ambient capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) && !ret)
		ret = fail(-errno, "cannot set no_new_privs: %s", strerror(errno));
	caps_names(keep_mask, kept, len);
out:
	cap_free(cur);
	cap_free(caps);
	return ret;
}
