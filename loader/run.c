// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0 run MASK -- CMD: start CMD with MASK in force from its first
 * instruction, and remove its entry when it is done.
 *
 * The parent puts an xcr0_pid entry (not live) for the child and bumps the
 * generation; the child (made SCHED_EXT first in partial mode) waits until
 * the scheduler has made MASK its pending mask (/proc/self/status) and only
 * then execs CMD, which the kernel starts with its pending mask applied:
 * the dynamic loader of CMD reads XGETBV at once to pick its code paths,
 * and sees MASK. The child itself keeps running with the mask it started
 * with, so the C library code it chose stays usable. Processes CMD forks
 * inherit the entry (the scheduler copies it at fork) and the kernel's
 * masks; an entry goes away when its process exits. The parent waits,
 * removes CMD's entry in case the scheduler has not yet, and exits with
 * CMD's status (128 + the signal number if it was killed).
 *
 * Everything run can check on its own (the arguments, the mask, CMD) is
 * checked before it looks at the daemon. Its own failures exit with
 * env(1)'s codes (main.c): 125, 126 when CMD cannot be executed, 127 when
 * it is not found. The child's failures go back to the parent as numbers,
 * which records the one message.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "xcr0.h"
#include "scx_xcr0.h"
#include "cli.h"
#include "ctl_client.h"
#include "maps.h"
#include "output.h"
#include "sched_ext.h"
#include "task.h"
#include "util.h"

/* How long the child waits for the scheduler to apply the mask. */
#define APPLY_TIMEOUT_MS	5000

/* Why the child gave up, sent to the parent instead of a message. */
enum child_stage {
	STAGE_SCHED_EXT = 1,	/* sched_setscheduler(SCHED_EXT) failed: errno */
	STAGE_GO,		/* the parent went away before saying go */
	STAGE_PROC,		/* /proc/self/status has no masks: errno */
	STAGE_TIMEOUT,		/* the mask did not arrive: the pending mask */
	STAGE_EXEC,		/* execve failed: errno */
	STAGE_SOCKET,		/* the daemon refused or did not answer: errno, msg */
};

/* Exit status of a child that gave up before exec (its report says why). */
#define CHILD_FAILED	125

struct child_report {
	int stage;
	int err;
	__u64 xcr0;
	char msg[CTL_MSG_LEN + 512];	/* STAGE_SOCKET: what fail() recorded */
};

static pid_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void help_run(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 run [--json] MASK -- CMD [ARGS...]\n"
		"  Run CMD with XCR0 mask MASK from its first instruction: MASK becomes\n"
		"  this command's pending mask, which the kernel applies when it execs\n"
		"  CMD. In partial mode CMD is made SCHED_EXT. Processes CMD starts\n"
		"  inherit the mask.\n"
		"  Exits with CMD's status (128+N if killed by signal N); with 125 if\n"
		"  run itself fails (bad MASK or option, no daemon), 126 if CMD is\n"
		"  found but cannot be executed, 127 if it is not found, as env(1)\n"
		"  does. A MASK that starts with '-' (-pkru) needs `--`\n"
		"  before it: run -- -pkru -- CMD. --json prints a summary line on\n"
		"  stdout when CMD is done.\n");
}

/* 0 if @path is a file we may execute, else why not as a negative errno. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return access(path, X_OK) ? -errno : 0;
}

/*
 * find_cmd - the file execvp() would run for @name, looked up now, before
 * the fork. Records why not as FAIL_NOTFOUND (nothing by that name) or
 * FAIL_NOEXEC (found, but not executable), as a shell would report it.
 */
static int find_cmd(const char *name, char *path, size_t len)
{
	const char *dirs = getenv("PATH"), *p, *end;
	int err = -ENOENT, ret;

	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, len, "%s", name) >= len)
			return fail(-ENAMETOOLONG, "cannot run '%s': the path is too long", name);
		err = executable(path);
	} else {
		if (!dirs)
			dirs = "/usr/local/bin:/usr/bin:/bin";
		for (p = dirs; ; p = end + 1) {
			end = strchrnul(p, ':');
			if ((size_t)snprintf(path, len, "%.*s%s%s", (int)(end - p), p,
					     end == p ? "" : "/", name) < len) {
				ret = executable(path);
				if (!ret)
					return 0;
				/* execvp() goes on past a file it may not run, and says so */
				if (ret != -ENOENT && ret != -ENOTDIR)
					err = ret;
			}
			if (!*end)
				break;
		}
		if (err == -ENOENT)
			return fail_as(FAIL_NOTFOUND, err, "cannot run '%s': command not found in PATH",
				       name);
	}
	if (err == -ENOENT || err == -ENOTDIR)
		return fail_as(FAIL_NOTFOUND, err, "cannot run '%s': %s", name, strerror(-err));
	if (err)
		return fail_as(FAIL_NOEXEC, err, "cannot run '%s': %s", name, strerror(-err));
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: tell the parent why, and give up. */
__attribute__((noreturn))
static void child_fail(int fd, int stage, int err, __u64 xcr0)
{
	struct child_report r = { 0 };

	if (fail_msg())
		snprintf(r.msg, sizeof(r.msg), "%s", fail_msg());
	r.stage = stage;
	r.err = err;
	r.xcr0 = xcr0;
	if (write(fd, &r, sizeof(r)) < 0)
		_exit(CHILD_FAILED);
	_exit(stage == STAGE_EXEC ? 127 : CHILD_FAILED);
}

/*
 * Through the socket, the child asks for itself: the daemon knows it as
 * the peer, whatever pid namespace it is in.
 */
static void child_ask(int report, __u64 mask)
{
	struct ctl_req req = {
		.magic = CTL_MAGIC,
		.version = CTL_VERSION,
		.size = sizeof(req),
		.op = CTL_OP_SET,
		.target = CTL_TGT_PEER,
		.mask = mask,
	};
	struct ctl_reply rep;
	int ret;

	ret = ctl_call(&req, -1, &rep);
	if (ret)
		child_fail(report, STAGE_SOCKET, -ret, 0);
}

static void child(int go, int report, bool via_socket, bool partial, __u64 mask,
		  __u64 expect, const char *path, char **argv)
{
	struct sched_param sp = { 0 };
	struct timespec ms = { 0, 1000000 };
	__u64 applied, pending;
	long deadline;
	int ret;
	char c;

	if (partial && sched_setscheduler(0, SCHED_EXT, &sp))
		child_fail(report, STAGE_SCHED_EXT, errno, 0);
	/* the parent writes our entry now (maps), or we ask (socket) */
	if (read(go, &c, 1) != 1)
		child_fail(report, STAGE_GO, 0, 0);
	if (via_socket)
		child_ask(report, mask);

	deadline = now_ms() + APPLY_TIMEOUT_MS;
	for (;;) {
		ret = task_xcr0(getpid(), &applied, &pending);
		if (ret)
			child_fail(report, STAGE_PROC, -ret, 0);
		if (pending == expect)
			break;
		if (now_ms() > deadline)
			child_fail(report, STAGE_TIMEOUT, 0, pending);
		/* sleeping makes the scheduler run us again, and resolve */
		nanosleep(&ms, NULL);
	}
	execve(path, argv, environ);
	child_fail(report, STAGE_EXEC, errno, 0);
}

/* The parent's message for what the child reported. */
static int child_error(const struct child_report *r, const char *cmd, __u64 expect,
		       pid_t pid)
{
	switch (r->stage) {
	case STAGE_SCHED_EXT:
		return fail(-r->err, "cannot make the command SCHED_EXT: %s", strerror(r->err));
	case STAGE_PROC:
		return fail(-r->err, "cannot read the command's masks from /proc/%d/status: %s; boot the scx_xcr0 kernel",
			    pid, strerror(r->err));
	case STAGE_TIMEOUT:
		return fail(-ETIMEDOUT, "the scheduler did not set the mask within %d ms: the pending mask is 0x%llx, not 0x%llx; see `scx_xcr0 get --pid %d` and `scx_xcr0 status`",
			    APPLY_TIMEOUT_MS, (unsigned long long)r->xcr0,
			    (unsigned long long)expect, pid);
	case STAGE_SOCKET:
		return fail(-r->err, "%s", r->msg[0] ? r->msg : strerror(r->err));
	case STAGE_EXEC:
		/* find_cmd() found it: it is there but cannot be executed */
		return fail_as(FAIL_NOEXEC, -r->err, "cannot run '%s': %s", cmd,
			       strerror(r->err));
	default:
		return fail(-EPIPE, "the command's process gave up before it was set up");
	}
}

/* Remove the entry of @pid unless the scheduler already did; errors are minor. */
static void cleanup(const struct pinned *m, pid_t pid)
{
	struct target t = { .kind = TARGET_PID, .id = pid };

	if (!entry_del(m, &t))
		maps_bump_gen(m);
	fail_clear();
}

int cmd_run(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward }, ign = { .sa_handler = SIG_IGN };
	struct target t = { .kind = TARGET_PID };
	struct scx_xcr0_info info;
	struct child_report r;
	char path[PATH_MAX];
	__u64 mask, supported, expect;
	int ret, status, go[2], rep[2];
	struct ctl_req info_req = {
		.magic = CTL_MAGIC,
		.version = CTL_VERSION,
		.size = sizeof(info_req),
		.op = CTL_OP_INFO,
	};
	struct ctl_reply info_rep;
	bool partial = false, via_socket;
	struct pinned m;
	ssize_t n;
	char **cmd;

	ret = cli_parse_common("run", argc, argv, "+vh", help_run);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind >= argc)
		return fail_usage("run wants MASK -- CMD; see `scx_xcr0 run -h`");
	cmd = argv + optind + 1;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		return fail_usage("run wants a command after MASK --; see `scx_xcr0 run -h`");
	ret = cli_parse_mask(argv[optind], &mask, &supported);
	if (ret)
		return ret;
	ret = find_cmd(cmd[0], path, sizeof(path));
	if (ret)
		return ret;

	ret = ctl_maps_or_socket(&m, &via_socket);
	if (ret)
		return ret;
	if (via_socket) {
		/* the daemon's mode and full mask; the child asks for itself */
		ret = ctl_call(&info_req, -1, &info_rep);
		if (ret)
			return ret;
		partial = info_rep.info_flags & SCX_XCR0_INFO_PARTIAL;
		expect = mask ? mask : info_rep.supported;
		goto fork;
	}
	if (!scx_xcr0_attached()) {
		ret = fail(-ENOTCONN, "the scx_xcr0 scheduler is not attached, so no mask would apply; start `scx_xcr0 daemon`");
		goto out;
	}
	if (!maps_info(&m, &info))
		partial = info.flags & SCX_XCR0_INFO_PARTIAL;
	fail_clear();
	expect = mask ? mask : supported;
fork:
	if (pipe2(go, O_CLOEXEC)) {
		ret = fail(-errno, "pipe: %s", strerror(errno));
		goto out;
	}
	if (pipe2(rep, O_CLOEXEC)) {
		ret = fail(-errno, "pipe: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		goto out;
	}
	fflush(NULL);
	child_pid = fork();
	if (!child_pid) {
		close(go[1]);
		close(rep[0]);
		child(go[0], rep[1], via_socket, partial, mask, expect, path, cmd);
	}
	close(go[0]);
	close(rep[1]);
	if (child_pid < 0) {
		ret = fail(-errno, "fork: %s", strerror(errno));
		close(go[1]);
		close(rep[0]);
		goto out;
	}

	/* like a shell: the terminal's signals reach CMD itself */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	t.id = child_pid;
	if (!via_socket)
		ret = entry_set(&m, &t, mask);
	if (!ret && !via_socket)
		ret = maps_bump_gen(&m);
	if (!ret && write(go[1], "g", 1) != 1)
		ret = fail(-errno, "cannot start the command: %s", strerror(errno));
	close(go[1]);

	/* nothing and EOF at exec; a report if the child gave up */
	do {
		n = read(rep[0], &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
	close(rep[0]);

	while (waitpid(child_pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = fail(-errno, "waitpid: %s", strerror(errno));
			break;
		}
	}
	/* through the socket, the scheduler removes the entry as the process exits */
	if (!via_socket)
		cleanup(&m, child_pid);
	if (ret)
		goto out;
	if (n == sizeof(r)) {
		ret = child_error(&r, cmd[0], expect, child_pid);
		goto out;
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		json_u64(&j, "pid", child_pid);
		json_mask(&j, "mask", mask);
		json_bool(&j, "partial", partial);
		if (WIFEXITED(status))
			json_u64(&j, "exit_code", WEXITSTATUS(status));
		else
			json_null(&j, "exit_code");
		if (WIFSIGNALED(status))
			json_u64(&j, "signal", WTERMSIG(status));
		else
			json_null(&j, "signal");
		json_u64(&j, "status", ret);
		json_end(&j);
	}
out:
	if (!via_socket)
		maps_close(&m);
	return ret;
}
