// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0: per-task XCR0 through a sched_ext scheduler. main() picks the
 * subcommand and is the one place that prints an error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "util.h"

bool verbose;
bool json_out;

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
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: scx_xcr0 COMMAND [--json] [-v] ...\n\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  scx_xcr0 %-7s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f,
		"\nMASK: 0x207, 519, x87,sse,avx,pkru, x86-64-v2|v3|v4, full, none,\n"
		"      full-avx512, -pkru, x86-64-v3+pkru (see `scx_xcr0 COMMAND -h`)\n"
		"A mask reaches each program when it next calls execve(); running programs\n"
		"keep theirs unless asked (--live). Policy lives in maps pinned at\n"
		"/sys/fs/bpf/scx_xcr0 by the daemon; all commands need root.\n");
}

/* libbpf's messages only with -v: without it, errors come from us, once. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	size_t i;
	int ret;

	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		ret = cmds[i].fn(argc - 1, argv + 1);
		if (ret < 0) {
			fprintf(stderr, "scx_xcr0 %s: %s\n", cmds[i].name,
				fail_msg() ? fail_msg() : "failed");
			return fail_exit_code();
		}
		return ret;
	}
	usage(stderr);
	fprintf(stderr, "scx_xcr0: unknown command '%s'\n", argv[1]);
	return 2;
}
