// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0 --version (or `version`): the program's version, from
 * `git describe` when it was built, and the kernel interface it finds, so
 * that a report says at once whether the kernel is the one scx_xcr0 needs.
 * Needs no root and no daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "xcr0.h"
#include "cli.h"
#include "cpu.h"
#include "kernel_if.h"
#include "output.h"
#include "sched_ext.h"
#include "util.h"
#include "version.h"

#ifndef SCX_XCR0_VERSION
#define SCX_XCR0_VERSION	"unknown"
#endif

static void help_version(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 --version [--json]\n"
		"       scx_xcr0 version [--json]\n"
		"  The version of scx_xcr0 and what the running kernel offers it:\n"
		"  sched_ext, the kfunc %s() and its arguments (from\n"
		"  the kernel's BTF), the x86_xcr0 lines in /proc/PID/status, and the\n"
		"  XCR0 this process runs with.\n",
		KIF_KFUNC_SET);
}

/* What the kfunc check found, in words. */
static const char *kfunc_state(int ret, int nr_args)
{
	if (ret == -ENOENT)
		return "missing: not the scx_xcr0 kernel";
	if (ret)
		return "unknown: cannot read the kernel's BTF";
	if (nr_args == KIF_KFUNC_SET_NR_ARGS)
		return "present";
	return "present but too old: boot a kernel built from kernel/series";
}

int cmd_version(int argc, char **argv)
{
	char state[64], ops[64];
	struct utsname u;
	bool scx, proc;
	int nr_args, kret, ret;
	__u64 xcr0;

	ret = cli_parse_common("version", argc, argv, "vh", help_version);
	if (ret)
		return ret > 0 ? 0 : ret;
	ret = cli_no_args("version", argc, argv);
	if (ret)
		return ret;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	scx = scx_present();
	scx_state(state, sizeof(state));
	scx_attached_ops(ops, sizeof(ops));
	kret = kif_kfunc_args(&nr_args);
	proc = kif_proc_xcr0();
	xcr0 = xcr0_supported();

	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "version", SCX_XCR0_VERSION);
		json_str(&j, "kernel", u.release);
		json_bool(&j, "sched_ext", scx);
		json_str(&j, "sched_ext_state", state[0] ? state : NULL);
		json_str(&j, "attached_scheduler", ops[0] ? ops : NULL);
		json_obj(&j, "kfunc");
		json_str(&j, "name", KIF_KFUNC_SET);
		json_str(&j, "state", kfunc_state(kret, nr_args));
		json_bool(&j, "present", !kret);
		if (!kret && nr_args >= 0)
			json_u64(&j, "nr_args", nr_args);
		else
			json_null(&j, "nr_args");
		json_bool(&j, "usable", !kret && nr_args == KIF_KFUNC_SET_NR_ARGS);
		json_obj_end(&j);
		json_bool(&j, "proc_x86_xcr0", proc);
		json_mask(&j, "xcr0", xcr0);
		json_end(&j);
		return 0;
	}
	printf("scx_xcr0 %s\n", SCX_XCR0_VERSION);
	printf("kernel %s\n", esc(u.release));
	if (scx)
		printf("  sched_ext: present, %s%s%s\n", state[0] ? esc(state) : "state unknown",
		       ops[0] ? ", scheduler " : "", esc(ops));
	else
		printf("  sched_ext: missing (%s): not the scx_xcr0 kernel\n", SCX_SYSFS);
	if (!kret && nr_args >= 0)
		printf("  kfunc %s(): %s, %d arguments\n", KIF_KFUNC_SET,
		       kfunc_state(kret, nr_args), nr_args);
	else
		printf("  kfunc %s(): %s\n", KIF_KFUNC_SET, kfunc_state(kret, nr_args));
	printf("  /proc/PID/status x86_xcr0: %s\n", proc ? "present" : "missing");
	printf("  XCR0 of this process: %s\n", mask_str(xcr0));
	return 0;
}
