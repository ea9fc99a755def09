// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_xcr0 stop`: the explicit teardown. The daemon detaches on SIGTERM
 * but keeps the policy pinned for the next one; stop ends the daemon (if
 * one runs), removes the links of a dead one (its scheduler detaches) and
 * unpins the policy. `stop --orphaned` (systemd's ExecStopPost) removes only
 * the links a dead daemon left, so that no scheduler runs without a daemon
 * watching it, and keeps the policy for the restart. Running programs keep
 * their masks in every case (the lifecycle contract).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "scx_xcr0.h"
#include "cli.h"
#include "lock.h"
#include "output.h"
#include "pins.h"
#include "policy_owned.h"
#include "sched_ext.h"
#include "util.h"

/* How long the daemon has to exit after SIGTERM, and a scheduler to detach. */
#define STOP_WAIT_MS	10000

struct stop_result {
	pid_t daemon_pid;	/* the daemon we stopped, 0 if none ran, -1 lock busy */
	int links;		/* link pins we removed */
	bool detached;		/* our scheduler was attached and is no more */
	int pins;		/* pins removed with the directory (not --orphaned) */
};

/* SIGTERM daemon @pid and wait until it is gone. */
static int stop_daemon(pid_t pid)
{
	struct pollfd pfd = { .events = POLLIN };
	int ret;

	pfd.fd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? 0 :
		       fail(-errno, "cannot open daemon pid %d: %s", pid, strerror(errno));
	if (syscall(SYS_pidfd_send_signal, pfd.fd, SIGTERM, NULL, 0) && errno != ESRCH) {
		ret = fail(-errno, "cannot signal daemon pid %d: %s", pid, strerror(errno));
		goto out;
	}
	ret = poll(&pfd, 1, STOP_WAIT_MS);
	if (ret < 0)
		ret = fail(-errno, "waiting for daemon pid %d: %s", pid, strerror(errno));
	else if (!ret)
		ret = fail(-ETIMEDOUT, "daemon pid %d did not exit within %d s of SIGTERM; nothing else was changed; try again, or kill -9 it and run `scx_xcr0 stop` again",
			   pid, STOP_WAIT_MS / 1000);
	else
		ret = 0;
out:
	close(pfd.fd);
	return ret;
}

/* Take the lock, stopping the daemon that holds it unless @orphaned. */
static int take_lock(bool orphaned, struct stop_result *r, pid_t *running)
{
	pid_t holder;
	int fd, ret;

	fd = lock_take(&holder);
	if (fd != -EWOULDBLOCK)
		return fd;
	if (orphaned) {
		/* a daemon (or a stop) holds the lock: nothing is orphaned */
		*running = holder;
		return -EWOULDBLOCK;
	}
	if (!holder)
		return fail(-EBUSY, "%s is held, but names no daemon: another `scx_xcr0 stop` runs; try again",
			    SCX_XCR0_LOCK);
	ret = stop_daemon(holder);
	if (ret)
		return ret;
	r->daemon_pid = holder;
	fd = lock_take(&holder);
	if (fd == -EWOULDBLOCK)
		return fail(-EBUSY, "a new daemon (pid %d) started while the old one stopped; stop it first",
			    holder);
	return fd;
}

static void report(const struct stop_result *r, bool orphaned, pid_t running)
{
	struct json j;

	if (json_out) {
		json_begin(&j, stdout);
		json_bool(&j, "orphaned_only", orphaned);
		if (running)
			json_u64(&j, "daemon_running", running);
		else
			json_null(&j, "daemon_running");
		if (r->daemon_pid > 0)
			json_u64(&j, "daemon_stopped", r->daemon_pid);
		else
			json_null(&j, "daemon_stopped");
		json_u64(&j, "links_removed", r->links);
		json_bool(&j, "detached", r->detached);
		json_u64(&j, "pins_removed", r->pins);
		json_bool(&j, "policy_kept", orphaned);
		json_end(&j);
		return;
	}
	if (running) {
		printf("a daemon runs (pid %d): nothing is orphaned, nothing changed\n", running);
		return;
	}
	if (orphaned && !r->links && !r->detached && r->daemon_pid < 0) {
		printf("the lock is held (a `stop` runs?): nothing is orphaned, nothing changed\n");
		return;
	}
	if (r->daemon_pid > 0)
		printf("stopped the daemon (pid %d); it detached the scheduler, every task keeps its masks\n",
		       r->daemon_pid);
	if (r->links)
		printf("removed %d link pin(s)%s\n", r->links,
		       orphaned ? " that a dead daemon left" : "");
	if (r->detached)
		printf("detached the scheduler; every task keeps its masks, running programs included\n");
	if (orphaned && r->links)
		printf("the policy maps stay pinned at %s for the next daemon\n", SCX_XCR0_PIN_DIR);
	if (r->pins)
		printf("removed %d pin(s) and %s: the policy is gone\n", r->pins, SCX_XCR0_PIN_DIR);
	if (!r->daemon_pid && !r->links && !r->detached && !r->pins)
		printf("nothing to stop: no daemon, %s\n",
		       orphaned ? "no orphaned link" : "no scheduler of ours, nothing pinned");
}

static void help_stop(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 stop [--orphaned] [--json]\n"
		"  Stop the daemon (SIGTERM, waiting up to %d s), detach the scheduler\n"
		"  and unpin everything under %s: the policy is gone.\n"
		"  Running programs keep their masks.\n"
		"  --orphaned  only if no daemon runs: remove the links a dead daemon\n"
		"              left (its scheduler detaches) and keep the policy maps\n"
		"              for the next daemon (systemd's ExecStopPost)\n",
		STOP_WAIT_MS / 1000, SCX_XCR0_PIN_DIR);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "orphaned", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct stop_result r = { 0 };
	bool orphaned = false, was_attached;
	pid_t running = 0;
	int opt, fd, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			orphaned = true;
			break;
		default:
			ret = cli_common_option("stop", opt, argv, help_stop);
			if (ret)
				return ret > 0 ? 0 : ret;
		}
	}
	ret = cli_no_args("stop", argc, argv);
	if (ret)
		return ret;

	fd = take_lock(orphaned, &r, &running);
	if (fd == -EWOULDBLOCK) {
		if (!running)
			r.daemon_pid = -1;
		report(&r, orphaned, running);
		return 0;
	}
	if (fd < 0)
		return fd;
	/* hold the lock to the end: no daemon starts on a half-removed pin dir */
	(void)!ftruncate(fd, 0);

	was_attached = scx_xcr0_attached();
	ret = pins_unlink_links();
	if (ret >= 0) {
		r.links = ret;
		ret = was_attached ? pins_wait_detached(STOP_WAIT_MS) : 0;
		r.detached = was_attached && !ret;
	}
	if (!ret && !orphaned) {
		ret = pins_remove_all();
		if (ret >= 0) {
			r.pins = ret;
			ret = 0;
			/* which entries the policy wrote: nothing now */
			if (unlink(POLICY_OWNED_FILE) && errno != ENOENT)
				fprintf(stderr, "scx_xcr0 stop: cannot remove %s: %s\n",
					POLICY_OWNED_FILE, strerror(errno));
		}
	}
	lock_release(fd);
	if (ret)
		return ret;
	report(&r, orphaned, 0);
	return 0;
}
