// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0 daemon: load and attach the scheduler (or adopt the one a dead
 * daemon left attached), pin its maps and links so that the CLI (and
 * bpftool) can find them, keep the policy directory in the xcr0_cgroup map,
 * and detach on SIGINT/SIGTERM, keeping the policy pinned for the next
 * daemon (`scx_xcr0 stop` removes it). Detaching changes no task's masks:
 * running programs keep theirs. docs/daemon.md has the design.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "scx_xcr0.bpf.skel.h"

#include "xcr0.h"
#include "scx_xcr0.h"
#include "caps.h"
#include "cgroup.h"
#include "cli.h"
#include "cpu.h"
#include "ctl_proto.h"
#include "ctl_server.h"
#include "kernel_if.h"
#include "lock.h"
#include "maps.h"
#include "mask.h"
#include "notify.h"
#include "output.h"
#include "pins.h"
#include "policy_dir.h"
#include "sched_ext.h"
#include "task.h"
#include "util.h"

/* enum scx_exit_kind (kernel/sched/ext.c): kinds at or above are errors */
#define SCX_EXIT_ERROR		1024

/* How often the loop wakes to check the scheduler and the cgroups (ms). */
#define TICK_MS			1000

/* How long a replaced scheduler has to detach after its links are unpinned. */
#define DETACH_WAIT_MS		10000

/* Links of programs other than the struct_ops one (tracepoints) we can hold. */
#define MAX_LINKS		8

struct daemon_opts {
	bool partial;
	bool no_placement;	/* --no-placement: strict vtime order */
	bool test_hooks;	/* --test-hooks: arm the fault injection (xcr0_fault) */
	const char *default_str;
	const char *policy_dir;
	unsigned int refresh_ms;
	unsigned int stats_secs;	/* --stats: 0 for none */
	__u64 default_mask;
	__u64 supported;
	struct ctl_opts ctl;	/* the control socket */
};

struct daemon {
	struct daemon_opts o;
	bool pins_existed;	/* maps were pinned before we started: keep on failure */
	enum scx_xcr0_origin origin;
	__u64 build_id;		/* of our BPF object, see build_id() */
	__u64 start_time;	/* ours, /proc/self/stat field 22 */
	struct scx_xcr0 *skel;	/* NULL while we run an adopted scheduler */
	struct bpf_link *links[MAX_LINKS];	/* [0]: struct_ops */
	int nr_links;
	struct pinned m;	/* the maps, by their pins */
	bool maps_open;
	struct policy_dir pd;
	char caps[128];		/* the capabilities we kept */
	int sfd;		/* signalfd: INT, TERM, HUP */
	int ifd;		/* inotify on the policy directory, or -1 */
	struct ctl_server ctl;
};

/* A daemon's own messages: text on stderr, or with --json a line on stdout. */
static void event_begin(struct json *j, const char *event)
{
	json_begin(j, stdout);
	json_str(j, "event", event);
}

/*
 * The identity of our BPF object (FNV-1a of its ELF bytes): an attached
 * scheduler with the same one, and the same options, is the one we would
 * load, so we may take it over as it is.
 */
static __u64 build_id(void)
{
	const unsigned char *p;
	__u64 h = 0xcbf29ce484222325ULL;
	size_t sz, i;

	p = scx_xcr0__elf_bytes(&sz);
	for (i = 0; i < sz; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* scx_xcr0_info.flags of our options: a scheduler to adopt must have the same. */
static __u64 info_flags(const struct daemon *d)
{
	return (d->o.partial ? SCX_XCR0_INFO_PARTIAL : 0) |
	       (d->o.test_hooks ? SCX_XCR0_INFO_TEST_HOOKS : 0);
}

static struct scx_xcr0_info info_of(const struct daemon *d)
{
	return (struct scx_xcr0_info){
		.daemon_pid = getpid(),
		.flags = info_flags(d),
		.refresh_ms = d->o.refresh_ms,
		.default_mask = d->o.default_mask,
		.supported = d->o.supported,
		.daemon_start = d->start_time,
		.build_id = d->build_id,
		.origin = d->origin,
	};
}

static int write_info(struct daemon *d)
{
	struct scx_xcr0_info info = info_of(d);
	__u32 zero = 0;

	if (bpf_map_update_elem(d->m.info, &zero, &info, BPF_ANY))
		return fail(-errno, "cannot write %s: %s", SCX_XCR0_MAP_INFO, strerror(errno));
	return 0;
}

/*
 * xcr0_info is ours alone, yet root can write it with bpftool: the CLI
 * would judge masks by a forged supported set (or refuse to, see
 * maps_info()), and a next daemon would decide by it whether to adopt.
 * Each tick puts back what we wrote, and says which fields had changed.
 */
static void keep_info(struct daemon *d)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "daemon_pid", offsetof(struct scx_xcr0_info, daemon_pid) },
		{ "flags", offsetof(struct scx_xcr0_info, flags) },
		{ "refresh_ms", offsetof(struct scx_xcr0_info, refresh_ms) },
		{ "default_mask", offsetof(struct scx_xcr0_info, default_mask) },
		{ "supported", offsetof(struct scx_xcr0_info, supported) },
		{ "daemon_start", offsetof(struct scx_xcr0_info, daemon_start) },
		{ "build_id", offsetof(struct scx_xcr0_info, build_id) },
		{ "origin", offsetof(struct scx_xcr0_info, origin) },
	};
	struct scx_xcr0_info want = info_of(d), have;
	char diff[512] = "";
	size_t i, n = 0;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(d->m.info, &zero, &have)) {
		say("cannot read %s: %s", SCX_XCR0_MAP_INFO, strerror(errno));
		return;
	}
	if (!memcmp(&have, &want, sizeof(want)))
		return;
	for (i = 0; i < ARRAY_SIZE(fields) && n < sizeof(diff); i++) {
		__u64 h = *(__u64 *)((char *)&have + fields[i].off);
		__u64 w = *(__u64 *)((char *)&want + fields[i].off);

		if (h != w)
			n += snprintf(diff + n, sizeof(diff) - n, "%s%s %#llx instead of %#llx",
				      n ? ", " : "", fields[i].name, (unsigned long long)h,
				      (unsigned long long)w);
	}
	if (write_info(d)) {
		say("%s was written from outside (%s) and cannot be put back: %s; `scx_xcr0` commands refuse it until this daemon restarts",
		    SCX_XCR0_MAP_INFO, diff, fail_msg());
		fail_clear();
		return;
	}
	say("%s was written from outside (%s); put back what this daemon wrote (it is the daemon's own record: the scheduler does not read it)",
	    SCX_XCR0_MAP_INFO, diff);
}

/*
 * The stats describe one attachment; maps reused from an earlier run (a
 * restart, or a daemon that was killed) start from zero. A scheduler we
 * take over keeps its counters: it is the same attachment.
 */
static int reset_stats(struct daemon *d)
{
	int nr_cpus = libbpf_num_possible_cpus();
	__u64 *zeros;
	__u32 idx;
	int ret = 0;

	zeros = calloc(nr_cpus > 0 ? nr_cpus : 1, sizeof(*zeros));
	if (!zeros)
		return fail(-ENOMEM, "out of memory");
	for (idx = 0; idx < SCX_XCR0_NR_STATS; idx++) {
		if (bpf_map_update_elem(d->m.stats, &idx, zeros, BPF_ANY)) {
			ret = fail(-errno, "cannot reset %s: %s", SCX_XCR0_MAP_STATS,
				   strerror(errno));
			break;
		}
	}
	free(zeros);
	return ret;
}

/*
 * Follow the policy in force: cgroups created, removed or recreated since
 * the last call, and on the first call for a map, the whole policy (what
 * an earlier daemon left is brought in line). A failure that repeats each
 * tick is said once.
 */
static int sync_policy(struct daemon *d, const struct policy_dir *old)
{
	int ret;

	ret = policy_dir_sync(&d->pd, old, d->m.cgroup);
	if (ret == -EALREADY)
		return 0;
	if (ret > 0)
		ret = maps_bump_gen(&d->m);
	return ret;
}

/*
 * Re-read the policy directory and put it in force, all or nothing: a bad
 * or insecure file, a policy that does not fit or a map write that fails
 * leaves the map exactly as it was and the old policy in force.
 */
static void reload_policy(struct daemon *d)
{
	struct policy_dir pd;
	int ret;

	if (!d->o.policy_dir)
		return;
	ret = policy_dir_load(d->o.policy_dir, d->o.supported, true, &pd);
	if (!ret) {
		ret = policy_dir_sync(&pd, &d->pd, d->m.cgroup);
		if (ret < 0)
			policy_dir_free(&pd);
	}
	if (ret < 0) {
		say("policy not reloaded, the old one stays: %s",
			fail_msg());
		fail_clear();
		return;
	}
	policy_dir_free(&d->pd);
	d->pd = pd;
	if (ret > 0 && maps_bump_gen(&d->m) < 0) {
		say("%s", fail_msg());
		fail_clear();
	}
	say("policy reloaded from %s: %zu cgroup rule(s)",
		d->o.policy_dir, d->pd.nr);
}

static int libbpf_err(int err, const char *what)
{
	return fail(err < 0 ? err : -EINVAL, "%s: %s%s", what, strerror(err < 0 ? -err : EINVAL),
		    verbose ? "" : " (run with -v for libbpf's log)");
}

static int open_maps(struct daemon *d)
{
	int ret;

	if (d->maps_open)
		return 0;
	ret = maps_open(&d->m);
	d->maps_open = !ret;
	return ret;
}

static void close_maps(struct daemon *d)
{
	if (d->maps_open)
		maps_close(&d->m);
	d->maps_open = false;
}

/* Open, configure and load the skeleton; the maps get pinned by name. */
static int load(struct daemon *d)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = SCX_XCR0_PIN_DIR);
	struct scx_xcr0 *skel;
	int ret;

	skel = scx_xcr0__open_opts(&opts);
	if (!skel)
		return libbpf_err(-errno, "cannot open the BPF scheduler");
	d->skel = skel;

	skel->rodata->supported = d->o.supported;
	skel->rodata->default_mask = d->o.default_mask;
	skel->rodata->refresh_ns = (__u64)d->o.refresh_ms * 1000000ULL;
	skel->rodata->daemon_tgid = getpid();
	skel->rodata->place_by_mask = !d->o.no_placement;
	skel->rodata->test_hooks = d->o.test_hooks;
	skel->struct_ops.xcr0_ops->hotplug_seq = scx_hotplug_seq();
	if (d->o.partial)
		skel->struct_ops.xcr0_ops->flags |= SCX_OPS_SWITCH_PARTIAL;
	UEI_SET_SIZE(skel, xcr0_ops, uei);

	ret = scx_xcr0__load(skel);
	if (ret) {
		if (d->pins_existed)
			return fail(ret, "cannot load the BPF scheduler: %s; if the maps pinned at %s come from another build, `scx_xcr0 stop` removes them (their policy is lost)%s",
				    strerror(-ret), SCX_XCR0_PIN_DIR,
				    verbose ? "" : "; run with -v for libbpf's log");
		return libbpf_err(ret, "cannot load the BPF scheduler");
	}
	ret = open_maps(d);
	if (!ret)
		ret = reset_stats(d);
	if (!ret)
		ret = write_info(d);
	return ret;
}

static int pin_link(struct daemon *d, struct bpf_link *link, const char *prog)
{
	char pin[256];
	int ret;

	d->links[d->nr_links++] = link;
	pins_link_path(prog, pin, sizeof(pin));
	ret = bpf_link__pin(link, pin);
	if (ret)
		return fail(ret, "cannot pin the link of %s at %s: %s", prog ? prog : "the scheduler",
			    pin, strerror(-ret));
	return 0;
}

/*
 * Attach the scheduler, then every other program of the object (tracepoints
 * that keep the maps tidy), each link pinned so that it outlives us.
 */
static int attach(struct daemon *d)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int ret;

	/* links a dead daemon pinned; its scheduler is gone (checked) */
	ret = pins_unlink_links();
	if (ret < 0)
		return ret;
	bpf_map__set_autoattach(d->skel->maps.xcr0_ops, false);
	link = bpf_map__attach_struct_ops(d->skel->maps.xcr0_ops);
	if (!link)
		return libbpf_err(-errno, "cannot attach the scheduler");
	ret = pin_link(d, link, NULL);
	bpf_object__for_each_program(prog, d->skel->obj) {
		if (ret)
			break;
		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS ||
		    !bpf_program__autoload(prog) || !bpf_program__autoattach(prog))
			continue;
		if (d->nr_links == MAX_LINKS)
			return fail(-E2BIG, "more than %d programs to attach", MAX_LINKS - 1);
		link = bpf_program__attach(prog);
		if (!link)
			return libbpf_err(-errno, "cannot attach a BPF program");
		ret = pin_link(d, link, bpf_program__name(prog));
	}
	return ret;
}

/* Detach (every task keeps its masks): remove the link pins, drop the links. */
static void detach(struct daemon *d)
{
	int i;

	if (!d->nr_links)
		return;
	if (pins_unlink_links() < 0) {
		say("%s", fail_msg());
		fail_clear();
	}
	for (i = 0; i < d->nr_links; i++)
		bpf_link__destroy(d->links[i]);
	d->nr_links = 0;
}

static void destroy(struct daemon *d)
{
	scx_xcr0__destroy(d->skel);
	d->skel = NULL;
}

/* Our own xcr0_pid entry while we run an adopted scheduler, see adopt(). */
static struct target self_target(void)
{
	return (struct target){ .kind = TARGET_PID, .id = getpid() };
}

static void drop_self_entry(struct daemon *d)
{
	struct target self = self_target();

	if (d->origin == SCX_XCR0_ORIGIN_ADOPTED && d->maps_open && entry_del(&d->m, &self))
		fail_clear();
}

/*
 * Whether the scheduler attached now is one we may take over as it is: the
 * same BPF object with the same options, which its info map records.
 */
static bool same_scheduler(struct daemon *d)
{
	struct bpf_map_info mi = { 0 };
	struct scx_xcr0_info info = { 0 };
	__u32 len = sizeof(mi);

	if (bpf_map_get_info_by_fd(d->m.info, &mi, &len) || mi.value_size != sizeof(info) ||
	    maps_info(&d->m, &info)) {
		fail_clear();
		return false;
	}
	return info.build_id == d->build_id &&
	       info.flags == info_flags(d) &&
	       info.refresh_ms == d->o.refresh_ms && info.default_mask == d->o.default_mask &&
	       info.supported == d->o.supported;
}

static int open_link(const char *path, void *arg)
{
	struct daemon *d = arg;
	struct bpf_link *link;

	if (d->nr_links == MAX_LINKS)
		return fail(-E2BIG, "more than %d links pinned at %s", MAX_LINKS, SCX_XCR0_PIN_DIR);
	link = bpf_link__open(path);
	if (!link)
		return fail(-errno, "cannot open the pinned link %s: %s", path, strerror(errno));
	d->links[d->nr_links++] = link;
	return 0;
}

/*
 * Take over the scheduler a dead daemon left attached, without a moment
 * detached: hold its pinned links and maps as ours. Its read-only data
 * names the dead daemon as the one task never to mask; an xcr0_pid entry
 * "none" exempts us instead (removed when we go; exit_task removes it if
 * we die). Returns 1 if adopted, 0 if the scheduler must be replaced.
 */
static int adopt(struct daemon *d)
{
	struct target self = self_target();
	int ret;

	if (open_maps(d)) {
		fail_clear();
		return 0;
	}
	if (!same_scheduler(d))
		return 0;
	ret = pins_for_each_link(open_link, d);
	if (ret < 0)
		return ret;
	d->origin = SCX_XCR0_ORIGIN_ADOPTED;
	ret = entry_set(&d->m, &self, 0);
	if (!ret)
		ret = write_info(d);
	if (!ret)
		ret = sync_policy(d, NULL);
	/* every task resolves again, against the policy we just read */
	if (ret >= 0)
		ret = maps_bump_gen(&d->m);
	return ret < 0 ? ret : 1;
}

/* Whether the task or cgroup of entry @t is gone. */
static bool entry_gone(const struct target *t)
{
	char path[PATH_MAX];

	if (t->kind == TARGET_CGROUP)
		return cgroup_path_of(t->cgid, path, sizeof(path)) == -ENOENT;
	return kill(t->id, 0) && errno == ESRCH;
}

/*
 * Entries of threads and processes that exited while no scheduler ran (and
 * so never reached exit_task): a recycled id must not inherit them. Entries
 * of cgroups removed meanwhile (the rmdir tracepoint was detached too):
 * ids are not reused, but they fill the map.
 */
static void prune_dead(struct daemon *d)
{
	static const enum target_kind kinds[] = { TARGET_TID, TARGET_PID, TARGET_CGROUP };
	struct target t, dead[256];
	size_t k, nr = 0, i, pruned = 0;
	__u64 val;
	int ret;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		bool started = false;

		do {
			nr = 0;
			started = false;
			while ((ret = entry_next(&d->m, kinds[k], &started, &t, &val)) > 0 &&
			       nr < ARRAY_SIZE(dead))
				if (entry_gone(&t))
					dead[nr++] = t;
			for (i = 0; i < nr; i++)
				pruned += !entry_del(&d->m, &dead[i]);
		} while (ret > 0 && nr == ARRAY_SIZE(dead));
	}
	fail_clear();
	if (pruned)
		say("removed %zu stale %s (tasks that exited or cgroups removed while no scheduler ran)",
			pruned, pruned == 1 ? "entry" : "entries");
}

static void reduce_caps(struct daemon *d)
{
	if (caps_reduce(d->caps, sizeof(d->caps))) {
		say("%s; going on with more capabilities than needed",
			fail_msg());
		fail_clear();
	}
}

static int setup_fds(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return fail(-errno, "sigprocmask: %s", strerror(errno));
	d->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sfd < 0)
		return fail(-errno, "signalfd: %s", strerror(errno));
	d->ifd = -1;
	if (!d->o.policy_dir)
		return 0;
	/* no IN_CREATE: a file is read once written (closed) or moved in */
	d->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (d->ifd < 0 ||
	    inotify_add_watch(d->ifd, d->o.policy_dir, IN_CLOSE_WRITE | IN_MOVED_TO |
			      IN_MOVED_FROM | IN_DELETE) < 0) {
		say("not watching %s (inotify: %s); reload with SIGHUP",
			d->o.policy_dir, strerror(errno));
		if (d->ifd >= 0)
			close(d->ifd);
		d->ifd = -1;
	}
	return 0;
}

/* Drain inotify; true if a policy file changed. */
static bool policy_changed(int ifd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			size_t len = ev->len ? strlen(ev->name) : 0;
			size_t sl = strlen(POLICY_SUFFIX);

			if (len > sl && !strcmp(ev->name + len - sl, POLICY_SUFFIX))
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

/* One line of counters, as the scx schedulers print them. */
static void print_stats(struct daemon *d)
{
	__u64 stats[SCX_XCR0_NR_STATS];
	struct json j;
	int i;

	if (maps_stats(&d->m, stats)) {
		say("%s", fail_msg());
		fail_clear();
		return;
	}
	if (json_out) {
		event_begin(&j, "stats");
		json_u64(&j, "time", time(NULL));
		for (i = 0; i < SCX_XCR0_NR_STATS; i++)
			json_u64(&j, stat_name(i), stats[i]);
		json_end(&j);
		return;
	}
	printf("stats:");
	for (i = 0; i < SCX_XCR0_NR_STATS; i++)
		printf(" %s %llu", stat_name(i), (unsigned long long)stats[i]);
	printf("\n");
	fflush(stdout);
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether the scheduler went away on its own: our skeleton's exit record
 * says so; an adopted scheduler has none of ours, sched_ext's sysfs does.
 */
static bool scheduler_gone(struct daemon *d)
{
	if (d->skel)
		return UEI_EXITED(d->skel, uei);
	return !scx_xcr0_attached();
}

enum loop_end {
	END_SIGNAL,		/* asked to stop */
	END_EXITED,		/* the scheduler went away on its own */
};

static enum loop_end loop(struct daemon *d)
{
	struct ctl_ctx ctx = {
		.m = &d->m,
		.supported = d->o.supported,
		.info_flags = info_flags(d),
	};
	struct pollfd pfd[2 + CTL_NR_POLL] = {
		{ .fd = d->sfd, .events = POLLIN },
		{ .fd = d->ifd, .events = POLLIN },
	};
	int nr_ctl;
	__u64 stats_ms = (__u64)d->o.stats_secs * 1000, next_stats = now_ms() + stats_ms;
	struct signalfd_siginfo si;
	int timeout;

	for (;;) {
		if (scheduler_gone(d))
			return END_EXITED;
		timeout = TICK_MS;
		if (stats_ms) {
			__u64 now = now_ms();

			if (now >= next_stats) {
				print_stats(d);
				next_stats += stats_ms;
				if (next_stats <= now)
					next_stats = now + stats_ms;
			}
			if (next_stats - now < (__u64)timeout)
				timeout = next_stats - now;
		}
		/* a negative fd (no inotify) is skipped by poll() */
		nr_ctl = ctl_server_poll(&d->ctl, pfd + 2, &timeout);
		if (poll(pfd, 2 + nr_ctl, timeout) < 0) {
			if (errno != EINTR)
				return END_SIGNAL;
			continue;
		}
		/* first: the socket's requests read it (cli_policy_of()) */
		keep_info(d);
		ctl_server_serve(&d->ctl, pfd + 2, nr_ctl, &ctx);
		while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP)
				return END_SIGNAL;
			reload_policy(d);
		}
		if (d->ifd >= 0 && policy_changed(d->ifd))
			reload_policy(d);
		if (sync_policy(d, NULL) < 0) {
			say("%s", fail_msg());
			fail_clear();
		}
	}
}

static const char *mode_str(const struct daemon *d)
{
	return d->o.partial ? "partial (SCHED_EXT tasks only)" : "full (every task)";
}

static void announce(const struct daemon *d)
{
	struct json j;

	notify("READY=1\nSTATUS=%s in %s mode, %zu cgroup rule(s), capabilities %s",
	       origin_name(d->origin), d->o.partial ? "partial" : "full", d->pd.nr, d->caps);
	if (json_out) {
		event_begin(&j, "attached");
		json_str(&j, "origin", origin_name(d->origin));
		json_u64(&j, "pid", getpid());
		json_str(&j, "mode", d->o.partial ? "partial" : "full");
		json_bool(&j, "test_hooks", d->o.test_hooks);
		json_u64(&j, "refresh_ms", d->o.refresh_ms);
		json_mask(&j, "default", d->o.default_mask);
		json_mask(&j, "supported", d->o.supported);
		json_str(&j, "policy_dir", d->o.policy_dir);
		json_u64(&j, "policy_rules", d->pd.nr);
		json_str(&j, "pin_dir", SCX_XCR0_PIN_DIR);
		json_str(&j, "capabilities", d->caps);
		json_str(&j, "socket", d->ctl.path[0] ? d->ctl.path : NULL);
		json_end(&j);
		return;
	}
	if (d->origin == SCX_XCR0_ORIGIN_ADOPTED)
		say("took over the scheduler its dead daemon left attached");
	else if (d->origin == SCX_XCR0_ORIGIN_REPLACED)
		say("replaced the scheduler a dead daemon left attached (another build or other options)");
	say("attached in %s mode, refresh %u ms, default %s, supported %s",
		mode_str(d), d->o.refresh_ms, mask_str(d->o.default_mask), mask_str(d->o.supported));
	if (d->o.policy_dir)
		say("policy: %zu cgroup rule(s) from %s",
			d->pd.nr, d->o.policy_dir);
	say("maps and links pinned at %s", SCX_XCR0_PIN_DIR);
	if (d->o.test_hooks)
		say("test hooks armed: a nonzero value in the BPF map xcr0_fault ejects the scheduler");
	if (d->ctl.path[0])
		say("control socket at %s, mode %04o: users may narrow their own processes' masks",
			d->ctl.path, d->o.ctl.mode);
	say("capabilities kept: %s", d->caps);
}

static void say_detached(const char *why)
{
	struct json j;

	if (json_out) {
		event_begin(&j, "detached");
		json_str(&j, "reason", why);
		json_end(&j);
		return;
	}
	say("detached (%s); every task keeps its masks, running programs included; the policy stays pinned at %s (`scx_xcr0 stop` removes it)",
		why, SCX_XCR0_PIN_DIR);
}

/*
 * Attach: our scheduler anew, or adopt (or else replace) the one of a dead
 * daemon. Any other sched_ext scheduler is refused.
 */
static int start(struct daemon *d)
{
	char ops[128];
	bool replace = false;
	int ret;

	scx_attached_ops(ops, sizeof(ops));
	if (ops[0] && strcmp(ops, SCX_XCR0_OPS_NAME))
		return fail(-EBUSY, "another sched_ext scheduler is attached: %s (%s); stop it first",
			    ops, SCX_SYSFS_OPS);
	if (ops[0]) {
		/* ours, and its daemon is dead: we hold the lock */
		if (!pins_link_pinned())
			return fail(-EBUSY, "scx_xcr0 is attached but no link of it is pinned at %s: a process other than a daemon holds it (bpftool?); end that process first",
				    SCX_XCR0_PIN_DIR);
		ret = adopt(d);
		if (ret)
			return ret < 0 ? ret : 0;
		replace = true;
		d->origin = SCX_XCR0_ORIGIN_REPLACED;
	}

	ret = load(d);
	if (!ret && d->pins_existed && !replace)
		prune_dead(d);
	if (!ret)
		ret = sync_policy(d, NULL);
	if (ret >= 0 && replace) {
		/* the short gap of a replacement: tasks keep their masks meanwhile */
		ret = pins_unlink_links();
		if (ret >= 0)
			ret = pins_wait_detached(DETACH_WAIT_MS);
	}
	if (ret >= 0)
		ret = attach(d);
	return ret < 0 ? ret : 0;
}

static int run(struct daemon *d)
{
	__u64 ecode;
	int ret, kind;

	ret = start(d);
	if (ret < 0)
		goto fail;
	reduce_caps(d);
	announce(d);

	for (;;) {
		if (loop(d) == END_SIGNAL) {
			notify("STOPPING=1");
			detach(d);
			drop_self_entry(d);
			say_detached("stopped by a signal");
			/* the exit record says "unregistered from user space" */
			if (d->skel)
				UEI_REPORT(d->skel, uei);
			return 0;
		}
		detach(d);
		if (!d->skel) {
			drop_self_entry(d);
			say_detached("the adopted scheduler exited");
			return fail(-ECANCELED, "the adopted scheduler exited (ejected or detached from outside; see `dmesg | grep sched_ext` for the reason, the exit record was its dead daemon's); tasks keep the masks they have, the policy stays pinned for the next daemon");
		}
		/* the kernel or the BPF program ended it: say why, maybe restart */
		ecode = UEI_REPORT(d->skel, uei);
		if (!UEI_ECODE_RESTART(ecode))
			break;
		/* the pinned maps, policy included, carry over */
		say("the scheduler asked to be restarted; restarting");
		notify("STATUS=restarting");
		destroy(d);
		d->pins_existed = true;
		d->origin = SCX_XCR0_ORIGIN_ATTACHED;
		ret = load(d);
		if (!ret)
			ret = sync_policy(d, NULL);
		if (ret >= 0)
			ret = attach(d);
		if (ret < 0)
			goto fail;
		announce(d);
	}
	kind = d->skel->data->uei.kind;
	say_detached("the scheduler exited");
	if (kind >= SCX_EXIT_ERROR)
		return fail(-ECANCELED, "the scheduler was ejected by an error (reason above); tasks keep the masks they have, and no policy applies until the daemon runs again");
	return fail(-ECANCELED, "the scheduler was detached from outside (reason above); tasks keep the masks they have, and no policy applies until the daemon runs again");
fail:
	detach(d);
	drop_self_entry(d);
	/* pins we created for a start that failed go; earlier ones stay */
	if (!d->pins_existed && pins_remove_all() < 0)
		fail_clear();
	return ret;
}

static void usage_daemon(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 daemon [--partial] [--default MASK] [--policy-dir DIR]\n"
		"                       [--refresh-ms N] [--stats SECS] [--no-placement] [--json] [-v]\n"
		"                       [--socket PATH | --no-socket] [--socket-mode OCTAL]\n"
		"                       [--socket-group NAME] [--admin-group NAME] [--test-hooks]\n"
		"  --partial          schedule (and mask) only SCHED_EXT tasks\n"
		"  --default MASK     mask of tasks that no entry covers (default: none),\n"
		"                     for each program at its next execve(); running\n"
		"                     programs keep theirs\n"
		"  --policy-dir DIR   cgroup rules from DIR/*.policy, reloaded on change\n"
		"                     and on SIGHUP\n"
		"  --refresh-ms N     look policy up again at least every N ms (default %d)\n"
		"  --stats SECS       print the counters every SECS seconds on stdout\n"
		"  --no-placement     run tasks in strict vtime order, without preferring\n"
		"                     one with the CPU's last mask (for comparisons)\n"
		"  --json             announcements and counters as JSON lines on stdout\n"
		"  --socket PATH      the control socket (default %s), where\n"
		"                     users narrow their own processes' masks\n"
		"                     (docs/socket.md)\n"
		"  --no-socket        no control socket: only root, through the maps\n"
		"  --socket-mode OCTAL   mode of the socket file (default 0666)\n"
		"  --socket-group NAME   group of the socket file (with a mode like 0660)\n"
		"  --admin-group NAME    members may do through the socket what root may\n"
		"  --test-hooks       for tests only: a nonzero value written to the BPF map\n"
		"                     xcr0_fault makes the scheduler eject itself with an\n"
		"                     error (docs/daemon.md, \"Faults\")\n"
		"  -v, --verbose      libbpf's log\n"
		"SIGTERM/SIGINT detach the scheduler and keep the policy pinned for the\n"
		"next daemon; `scx_xcr0 stop` removes it. One daemon at a time (%s).\n",
		SCX_XCR0_REFRESH_MS_DFL, SCX_XCR0_SOCKET, SCX_XCR0_LOCK);
}

static int parse_opts(struct daemon *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "partial", no_argument, NULL, 'p' },
		{ "default", required_argument, NULL, 'd' },
		{ "policy-dir", required_argument, NULL, 'P' },
		{ "refresh-ms", required_argument, NULL, 'r' },
		{ "stats", required_argument, NULL, 's' },
		{ "no-placement", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "socket", required_argument, NULL, 'S' },
		{ "no-socket", no_argument, NULL, 'N' },
		{ "socket-mode", required_argument, NULL, 'M' },
		{ "socket-group", required_argument, NULL, 'G' },
		{ "admin-group", required_argument, NULL, 'A' },
		{ "test-hooks", no_argument, NULL, 'T' },
		{ 0 },
	};
	bool no_socket = false;
	unsigned long mode;
	int opt, ret;
	char *end;

	d->o.ctl.path = SCX_XCR0_SOCKET;
	d->o.ctl.mode = 0666;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			d->o.partial = true;
			break;
		case 'n':
			d->o.no_placement = true;
			break;
		case 'd':
			d->o.default_str = optarg;
			break;
		case 'P':
			d->o.policy_dir = optarg;
			break;
		case 'r':
			if (!parse_u32(optarg, &d->o.refresh_ms) || !d->o.refresh_ms ||
			    d->o.refresh_ms > REFRESH_MS_MAX)
				return fail_usage("--refresh-ms wants milliseconds from 1 to %u, not '%s'",
						  REFRESH_MS_MAX, optarg);
			break;
		case 's':
			if (!parse_u32(optarg, &d->o.stats_secs) || !d->o.stats_secs ||
			    d->o.stats_secs > 86400)
				return fail_usage("--stats wants seconds from 1 to 86400, not '%s'",
						  optarg);
			break;
		case 'S':
			d->o.ctl.path = optarg;
			break;
		case 'N':
			no_socket = true;
			break;
		case 'M':
			errno = 0;
			mode = strtoul(optarg, &end, 8);
			if (errno || end == optarg || *end || mode > 0777)
				return fail_usage("--socket-mode wants an octal mode from 0 to 0777, not '%s'",
						  optarg);
			d->o.ctl.mode = mode;
			break;
		case 'G':
			d->o.ctl.group = optarg;
			break;
		case 'A':
			d->o.ctl.admin_group = optarg;
			break;
		case 'T':
			d->o.test_hooks = true;
			break;
		default:
			ret = cli_common_option("daemon", opt, argv, usage_daemon);
			if (ret)
				return ret;
		}
	}
	if (no_socket)
		d->o.ctl.path = NULL;
	return cli_no_args("daemon", argc, argv);
}

/* Take the one-daemon lock; refuse, changing nothing, if a daemon has it. */
static int lock_daemon(void)
{
	pid_t holder;
	int fd, ret;

	fd = lock_take(&holder);
	if (fd == -EWOULDBLOCK && holder)
		return fail(-EBUSY, "a daemon already runs as pid %d (lock %s); stop it first (`scx_xcr0 stop` or `systemctl stop scx_xcr0`)",
			    holder, SCX_XCR0_LOCK);
	if (fd == -EWOULDBLOCK)
		return fail(-EBUSY, "%s is held by another scx_xcr0 (a `scx_xcr0 stop` running?); try again",
			    SCX_XCR0_LOCK);
	if (fd < 0)
		return fd;
	ret = lock_claim(fd);
	if (ret) {
		lock_release(fd);
		return ret;
	}
	return fd;
}

int cmd_daemon(int argc, char **argv)
{
	struct daemon d = { .o.refresh_ms = SCX_XCR0_REFRESH_MS_DFL, .sfd = -1, .ifd = -1,
			    .ctl.lfd = -1 };
	unsigned long long start;
	char err[512];
	int ret, lock_fd;

	ret = parse_opts(&d, argc, argv);
	if (ret)
		return ret > 0 ? 0 : ret;

	/*
	 * Everything that needs no lock is checked first, so that a refusal
	 * changes nothing; the arguments before the system.
	 */
	d.o.supported = xcr0_supported();
	if (!d.o.supported)
		return fail(-EOPNOTSUPP, "XSAVE is not enabled on this CPU (CPUID.1:ECX.OSXSAVE); there is no XCR0 to restrict");
	if (d.o.default_str &&
	    xcr0_parse_mask(d.o.default_str, d.o.supported, &d.o.default_mask, err, sizeof(err)))
		return fail_usage("--default: %s", err);
	if (!scx_present())
		return fail(-ENODEV, "this kernel has no sched_ext (%s is missing); boot the scx_xcr0 kernel",
			    SCX_SYSFS);
	ret = kif_check_kfunc();	/* the kfunc that makes masks real */
	if (!ret && d.o.policy_dir)
		ret = policy_dir_load(d.o.policy_dir, d.o.supported, false, &d.pd);
	if (ret)
		return ret;
	lock_fd = lock_daemon();
	if (lock_fd < 0) {
		policy_dir_free(&d.pd);
		return lock_fd;
	}
	if (task_stat_field(getpid(), TASK_STAT_START, &start))
		start = 0;
	d.start_time = start;
	d.build_id = build_id();
	d.pins_existed = maps_pinned();
	ret = setup_fds(&d);
	/* before the capabilities go: a group for the socket needs CAP_CHOWN */
	if (!ret)
		ret = ctl_server_open(&d.ctl, &d.o.ctl);
	if (!ret)
		ret = run(&d);
	ctl_server_close(&d.ctl);
	destroy(&d);
	close_maps(&d);
	policy_dir_free(&d.pd);
	if (d.sfd >= 0)
		close(d.sfd);
	if (d.ifd >= 0)
		close(d.ifd);
	lock_release(lock_fd);
	return ret;
}
