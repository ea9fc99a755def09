// SPDX-License-Identifier: GPL-2.0
/*
 * Policy directories (loader/policy_dir.c): all files or nothing, limits
 * over the whole directory, and refusal of anything a user other than root
 * could have written. Needs root (chown) and a scratch directory in /tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scx_xcr0.h"
#include "policy_dir.h"
#include "util.h"
#include "unit.h"

#define SUP_VM		0x21fULL
#define NOBODY		65534

static char top[] = "/tmp/scx_xcr0_pdir_XXXXXX";
static char dir[256];
static unsigned int nr_dir;

/* Write @name in the case's directory with @mode and owner @uid. */
static int put(const char *name, const char *text, mode_t mode, uid_t uid)
{
	char path[PATH_MAX];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) && !fchmod(fd, mode) &&
	     !fchown(fd, uid, 0);
	close(fd);
	return ok ? 0 : -1;
}

/* Make symlink @name in the case's directory, to @target. */
static int link_to(const char *target, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return symlink(target, path);
}

/* "N rules" as "/sys/fs/cgroup/P<first + i> 0x3" lines. */
static char *rules(const char *prefix, unsigned int first, unsigned int n)
{
	char *s = malloc((size_t)n * 48 + 1), *p = s;
	unsigned int i;

	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%u 0x3\n", prefix, first + i);
	return s;
}

static int put_rules(const char *name, unsigned int first, unsigned int n)
{
	char *text = rules("r", first, n);
	int ret = text ? put(name, text, 0644, 0) : -1;

	free(text);
	return ret;
}

/* ---- the cases --------------------------------------------------------- */

static int good_files(void)
{
	return put("b.policy", "# b\nb.slice x86-64-v2 live\n", 0644, 0) ||
	       put("a.policy", "a.slice 0x7\n\nc.slice none\n", 0600, 0) ||
	       /* not *.policy, or hidden: editors' and package managers' files */
	       put("README", "not a rule\n", 0666, NOBODY) ||
	       put(".a.policy.swp", "junk\n", 0666, NOBODY) ||
	       put("a.policy~", "junk\n", 0666, NOBODY) ||
	       put("x.policy.dpkg-old", "junk\n", 0644, 0) ||
	       put(".policy", "junk\n", 0644, 0);
}

static int foreign_owner(void)
{
	return put("a.policy", "a 0x3\n", 0644, 0) || put("b.policy", "b 0x3\n", 0644, NOBODY);
}

static int group_writable(void)
{
	return put("a.policy", "a 0x3\n", 0664, 0);
}

static int world_writable(void)
{
	return put("a.policy", "a 0x3\n", 0646, 0);
}

static int dir_world_writable(void)
{
	return put("a.policy", "a 0x3\n", 0644, 0) || chmod(dir, 0757);
}

static int dir_sticky_world_writable(void)
{
	return put("a.policy", "a 0x3\n", 0644, 0) || chmod(dir, 01777);
}

static int dir_foreign_owner(void)
{
	return put("a.policy", "a 0x3\n", 0644, 0) || chown(dir, NOBODY, 0);
}

/* Write @path (not in the case's directory), root's, 0644. */
static int put_at(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static int link_outside(void)
{
	char out[PATH_MAX];

	/* a file as secure as can be, but somewhere else */
	snprintf(out, sizeof(out), "%s/x.policy", top);
	return put("a.policy", "a 0x3\n", 0644, 0) || put_at(out, "x 0x3\n") ||
	       link_to(out, "l.policy");
}

static int link_inside(void)
{
	return put("rules.txt", "linked 0x7 live\n", 0644, 0) ||
	       link_to("rules.txt", "l.policy") || put("a.policy", "a 0x3\n", 0644, 0);
}

static int link_chain_inside(void)
{
	return put("rules.txt", "linked 0x7\n", 0644, 0) ||
	       link_to("rules.txt", "one.txt") || link_to("./one.txt", "l.policy");
}

static int link_inside_insecure(void)
{
	return put("rules.txt", "linked 0x7\n", 0664, 0) || link_to("rules.txt", "l.policy");
}

static int link_into_subdir(void)
{
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	if (mkdir(sub, 0755))
		return -1;
	return put("sub/r", "a 0x3\n", 0644, 0) || link_to("sub/r", "l.policy");
}

static int link_dangling(void)
{
	return link_to("nowhere", "l.policy");
}

static int link_to_dir(void)
{
	return link_to(".", "l.policy");
}

static int fifo(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/f.policy", dir);
	return put("a.policy", "a 0x3\n", 0644, 0) || mkfifo(path, 0644);
}

static int subdir_named_policy(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/d.policy", dir);
	return mkdir(path, 0755);
}

static int total_fits(void)
{
	return put_rules("a.policy", 0, 3000) || put_rules("b.policy", 3000, 1096);
}

static int total_over(void)
{
	/* each file alone fits; the 1097th rule of b is one too many */
	return put_rules("a.policy", 0, 3000) || put_rules("b.policy", 3000, 1500);
}

static int duplicate(void)
{
	return put("a.policy", "a 0x3\nx 0x3\n", 0644, 0) ||
	       put("b.policy", "b 0x3\n# same cgroup, other spelling\n/sys/fs/cgroup/./x/ 0x7\n",
		   0644, 0);
}

static int duplicate_three(void)
{
	return put("a.policy", "x 0x3\n", 0644, 0) || put("b.policy", "y 0x3\n", 0644, 0) ||
	       put("c.policy", "z 0x3\n\nx 0x3\n", 0644, 0) ||
	       put("d.policy", "y 0x7\n", 0644, 0);
}

static int bad_line(void)
{
	return put("a.policy", "a 0x3\n", 0644, 0) ||
	       put("b.policy", "b 0x3\nc avxx\n", 0644, 0);
}

static int empty_dir(void)
{
	return 0;
}

static int missing_dir(void)
{
	return rmdir(dir);
}

static int not_a_dir(void)
{
	return rmdir(dir) || put_at(dir, "a 0x3\n");
}

struct pd_case {
	const char *what;
	int (*setup)(void);
	bool may_be_missing;
	int nr;			/* rules, or -1: refused */
	const char *msg[3];	/* in the message; "%D" is the directory */
	const char *first;	/* origin of rule 0, "%D" is the directory */
};

static const struct pd_case cases[] = {
	{ "good files in name order, others ignored", good_files, false, 3, {},
	  "%D/a.policy:1" },
	{ "file of another user", foreign_owner, false, -1,
	  { "%D/b.policy is owned by uid 65534, not root" }, NULL },
	{ "group-writable file", group_writable, false, -1,
	  { "%D/a.policy is writable by its group (mode 0664)", "chmod go-w" }, NULL },
	{ "world-writable file", world_writable, false, -1,
	  { "%D/a.policy is writable by others (mode 0646)" }, NULL },
	{ "world-writable directory", dir_world_writable, false, -1,
	  { "%D is writable by others (mode 0757)" }, NULL },
	{ "sticky world-writable directory", dir_sticky_world_writable, false, -1,
	  { "%D is writable by others (mode 1777)" }, NULL },
	{ "directory of another user", dir_foreign_owner, false, -1,
	  { "%D is owned by uid 65534" }, NULL },
	{ "symlink out of the directory", link_outside, false, -1,
	  { "%D/l.policy is a symlink to ", "x.policy, outside %D" }, NULL },
	{ "symlink to a file in the directory", link_inside, false, 2, {},
	  "%D/a.policy:1" },
	{ "symlinks in a chain, in the directory", link_chain_inside, false, 1, {},
	  "%D/l.policy:1" },
	{ "symlink to an insecure file in the directory", link_inside_insecure, false, -1,
	  { "%D/l.policy is writable by its group" }, NULL },
	{ "symlink into a subdirectory", link_into_subdir, false, -1,
	  { "%D/l.policy is a symlink to %D/sub/r, outside %D" }, NULL },
	{ "dangling symlink", link_dangling, false, -1,
	  { "%D/l.policy is a symlink whose target cannot be resolved" }, NULL },
	{ "symlink to the directory", link_to_dir, false, -1,
	  { "%D/l.policy is a symlink to %D, outside" }, NULL },
	{ "FIFO", fifo, false, -1, { "%D/f.policy is a FIFO, not a regular file" }, NULL },
	{ "directory named *.policy", subdir_named_policy, false, -1,
	  { "%D/d.policy is a directory, not a regular file" }, NULL },
	{ "4096 rules in two files", total_fits, false, 4096, {}, "%D/a.policy:1" },
	{ "4500 rules in two files", total_over, false, -1,
	  { "%D/b.policy:1097: more than 4096 rules in %D in all" }, NULL },
	{ "a cgroup in two files", duplicate, false, -1,
	  { "%D/b.policy:3: cgroup /sys/fs/cgroup/x already has a rule at %D/a.policy:2" }, NULL },
	{ "two duplicates: the first in file order", duplicate_three, false, -1,
	  { "%D/c.policy:3: cgroup /sys/fs/cgroup/x already has a rule at %D/a.policy:1" }, NULL },
	{ "bad line in the second file", bad_line, false, -1,
	  { "%D/b.policy:2: bad mask 'avxx'" }, NULL },
	{ "empty directory", empty_dir, false, 0, {}, NULL },
	{ "missing directory, allowed", missing_dir, true, 0, {}, NULL },
	{ "missing directory at start", missing_dir, false, -1,
	  { "cannot open policy directory %D: No such file or directory" }, NULL },
	{ "a file for a directory", not_a_dir, true, -1, { "policy directory %D" }, NULL },
};

/* @pat with each "%D" replaced by the case's directory. */
static void expand(const char *pat, char *out, size_t len)
{
	const char *d;
	size_t n = 0;

	while ((d = strstr(pat, "%D")) && n < len) {
		n += snprintf(out + n, len - n, "%.*s%s", (int)(d - pat), pat, dir);
		pat = d + 2;
	}
	if (n < len)
		snprintf(out + n, len - n, "%s", pat);
}

static void test_cases(struct unit *u)
{
	static struct cg_rule sentinel = { .path = "sentinel" };
	char want[PATH_MAX * 2];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pd_case *c = &cases[i];
		struct policy_dir pd = { .rules = &sentinel, .nr = 1 };
		const char *msg;
		int ret;

		snprintf(dir, sizeof(dir), "%s/d%u", top, nr_dir++);
		if (mkdir(dir, 0755) || chmod(dir, 0755) || c->setup()) {
			unit_fail(u, "%s: cannot set up %s: %s", c->what, dir, strerror(errno));
			continue;
		}
		fail_clear();
		ret = policy_dir_load(dir, SUP_VM, c->may_be_missing, &pd);
		msg = fail_msg() ? fail_msg() : "";
		if (c->nr < 0) {
			if (!ret || pd.rules != &sentinel)
				unit_fail(u, "%s: loaded (%d), want refused", c->what, ret);
			for (j = 0; j < ARRAY_SIZE(c->msg) && c->msg[j]; j++) {
				expand(c->msg[j], want, sizeof(want));
				if (!strstr(msg, want))
					unit_fail(u, "%s: message '%s' lacks '%s'", c->what, msg,
						  want);
			}
			continue;
		}
		if (ret) {
			unit_fail(u, "%s: refused: %s", c->what, msg);
			continue;
		}
		if (pd.nr != (size_t)c->nr)
			unit_fail(u, "%s: %zu rules, want %d", c->what, pd.nr, c->nr);
		if (c->first && pd.nr) {
			expand(c->first, want, sizeof(want));
			if (strcmp(pd.rules[0].origin, want))
				unit_fail(u, "%s: first rule from %s, want %s", c->what,
					  pd.rules[0].origin, want);
		}
		policy_dir_free(&pd);
	}
	fail_clear();
}

/* What the good rules hold: values, live bit, origins in name order. */
static void test_values(struct unit *u)
{
	struct policy_dir pd = { 0 };
	char want[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/d%u", top, nr_dir++);
	if (mkdir(dir, 0755) || link_inside()) {
		unit_fail(u, "cannot set up %s", dir);
		return;
	}
	fail_clear();
	if (policy_dir_load(dir, SUP_VM, false, &pd)) {
		unit_fail(u, "refused: %s", fail_msg());
		fail_clear();
		return;
	}
	if (pd.nr != 2 || strcmp(pd.rules[0].path, "/sys/fs/cgroup/a") ||
	    pd.rules[0].val != 0x3 || strcmp(pd.rules[1].path, "/sys/fs/cgroup/linked") ||
	    pd.rules[1].val != (0x7 | SCX_XCR0_VAL_LIVE)) {
		unit_fail(u, "rules: %zu, %s=%#llx, ...", pd.nr, pd.nr ? pd.rules[0].path : "",
			  pd.nr ? (unsigned long long)pd.rules[0].val : 0);
	} else {
		/* a linked file's rules are named by the link: that is what was read */
		snprintf(want, sizeof(want), "%s/l.policy:1", dir);
		if (strcmp(pd.rules[1].origin, want))
			unit_fail(u, "origin %s, want %s", pd.rules[1].origin, want);
	}
	policy_dir_free(&pd);
}

static const struct unit_test tests[] = {
	{ "policy_dir_cases",		test_cases },
	{ "policy_dir_values",		test_values },
};

int main(void)
{
	char cmd[PATH_MAX + 16];
	int ret;

	if (geteuid()) {
		for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
			printf("SKIP %s: needs root (files of root and of another user)\n",
			       tests[i].name);
		return 0;
	}
	if (!mkdtemp(top)) {
		printf("FAIL policy_dir: cannot create %s: %s\n", top, strerror(errno));
		return 1;
	}
	ret = unit_main(tests, ARRAY_SIZE(tests));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", top);
	return ret;
}
