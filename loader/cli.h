/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scx_xcr0 subcommands. Each takes its own argv (argv[0] is the
 * subcommand) and returns 0 on success, a negative errno with a message
 * recorded by fail() on failure, or (run) the exit status to pass on.
 */
#ifndef __SCX_XCR0_CLI_H
#define __SCX_XCR0_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "maps.h"

extern bool verbose;		/* -v: libbpf's log on stderr */
extern bool json_out;		/* --json: one JSON document on stdout */

int cli_parse_common(const char *cmd, int argc, char **argv,
		     const char *optstring, void (*help)(FILE *));

/*
 * What every command's getopt loop does with --json, -v, -h and a bad
 * option: returns 0 (go on), 1 (help printed: exit 0) or a usage failure.
 */
int cli_common_option(const char *cmd, int opt, char **argv, void (*help)(FILE *));

/* A usage failure if arguments remain after the options (optind < argc). */
int cli_no_args(const char *cmd, int argc, char **argv);

/*
 * cli_supported - the CPU's full mask, as the daemon saw it before anyone
 * was restricted (xcr0_info), or this process's XCR0 if no daemon recorded
 * one. Fails, naming the field, if xcr0_info holds what no daemon writes:
 * a mask judged by a forged set could be accepted and then refused.
 */
int cli_supported(const struct pinned *m, __u64 *supported);

/*
 * cli_parse_mask - a MASK argument, checked before anything else is looked
 * at, so that a bad mask is named even without a daemon or root: against
 * the supported mask the daemon recorded when its maps can be opened, else
 * against this CPU's (cpu.c). A refused mask is a usage error.
 */
int cli_parse_mask(const char *s, __u64 *mask, __u64 *supported);

struct task_info;

/*
 * cli_policy_of - the policy value the scheduler resolves now for thread
 * @ti (xcr0_resolve.h over the pinned maps), in *@val.
 */
int cli_policy_of(const struct pinned *m, __u64 supported, const struct task_info *ti,
		  __u64 *val);

int cmd_daemon(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_clear(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_portable(int argc, char **argv);

#endif /* __SCX_XCR0_CLI_H */
