// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0: per-task XCR0 through a sched_ext scheduler. main() picks the
 * subcommand and is the one place that prints an error, and decides the
 * exit status:
 *   0    success
 *   1    the command failed
 *   2    usage error: bad option, missing or extra argument, malformed or
 *        refused value (a mask, a pid), unknown command
 * `run` passes CMD's status on, so its own statuses are those of env(1):
 *   125  run itself failed, usage errors included
 *   126  CMD was found but cannot be executed
 *   127  CMD was not found
 *   N    CMD exited with N, or 128+N when signal N killed it
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "ctl_proto.h"
#include "output.h"
#include "util.h"

bool verbose;
bool json_out;

#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_RUN_FAILED	125
#define EXIT_NOEXEC	126
#define EXIT_NOTFOUND	127

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
} cmds[] = {
	{ "daemon", cmd_daemon, "[--partial] [--default MASK] [--policy-dir DIR] [--refresh-ms N] [--stats S]" },
	{ "set", cmd_set, "(--pid P | --tid T | --cgroup PATH) [--live] MASK" },
	{ "clear", cmd_clear, "(--pid P | --tid T | --cgroup PATH | --cgroup-id ID) [--live]" },
	{ "get", cmd_get, "(--pid P | --tid T | --cgroup PATH)" },
	{ "list", cmd_list, "" },
	{ "status", cmd_status, "" },
	{ "stop", cmd_stop, "[--orphaned]" },
	{ "run", cmd_run, "MASK -- CMD [ARGS...]" },
	{ "version", cmd_version, "" },
	{ "layout", cmd_layout, "[MASK]" },
	{ "portable", cmd_portable, "[--no-local] FILE..." },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: scx_xcr0 COMMAND [--json] [-v] ...\n"
		"       scx_xcr0 --version [--json]\n\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  scx_xcr0 %-8s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f,
		"\nMASK: 0x207, 519, x87,sse,avx,pkru, x86-64-v2|v3|v4, full, none,\n"
		"      full-avx512, -pkru, x86-64-v3+pkru (see `scx_xcr0 COMMAND -h`)\n"
		"A mask reaches each program when it next calls execve(); running programs\n"
		"keep theirs unless asked (--live). Policy lives in maps pinned at\n"
		"/sys/fs/bpf/scx_xcr0 by the daemon, for root. Others run, set and clear\n"
		"through the daemon's socket %s ($%s),\n"
		"narrowing their own processes' masks (docs/socket.md);\n"
		"version, layout and portable need no privilege.\n"
		"Exit status: 0 ok, 1 failure, 2 usage error; run: 125 its own failure,\n"
		"126 CMD not executable, 127 CMD not found, else CMD's status.\n",
		SCX_XCR0_SOCKET, SCX_XCR0_SOCKET_ENV);
}

/* libbpf's messages only with -v: without it, errors come from us, once. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * The exit status for the failure recorded while running command @i. run
 * passes another program's status on, so it has env(1)'s codes for its own.
 */
static int fail_status(size_t i)
{
	bool passes_status = cmds[i].fn == cmd_run;

	switch (fail_kind()) {
	case FAIL_NOEXEC:
		return EXIT_NOEXEC;
	case FAIL_NOTFOUND:
		return EXIT_NOTFOUND;
	case FAIL_USAGE:
		return passes_status ? EXIT_RUN_FAILED : EXIT_USAGE;
	default:
		return passes_status ? EXIT_RUN_FAILED : EXIT_FAILED;
	}
}

/* Whatever a command printed must have reached stdout, or it failed. */
static bool stdout_ok(void)
{
	return !fflush(stdout) && !ferror(stdout);
}

int main(int argc, char **argv)
{
	size_t i;
	int ret;

	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return stdout_ok() ? 0 : EXIT_FAILED;
	}
	/* --version is `version`, for those who try it first */
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		ret = cmds[i].fn(argc - 1, argv + 1);
		if (ret >= 0 && !stdout_ok())
			ret = fail(-EIO, "cannot write to stdout");
		if (ret < 0) {
			/* messages quote names from outside: escape them all here */
			fprintf(stderr, "scx_xcr0 %s: %s\n", cmds[i].name,
				esc(fail_msg() ? fail_msg() : "failed"));
			return fail_status(i);
		}
		return ret;
	}
	usage(stderr);
	fprintf(stderr, "scx_xcr0: unknown command '%s'\n", esc(argv[1]));
	return EXIT_USAGE;
}
