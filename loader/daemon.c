// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0 daemon: load and attach the scheduler, pin its maps and link so
 * that the CLI (and bpftool) can find them, keep the policy directory in
 * the xcr0_cgroup map, and take it all down again on SIGINT/SIGTERM.
 * Taking it down changes no task's masks: running programs keep theirs.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "scx_xcr0.bpf.skel.h"

#include "xcr0.h"
#include "scx_xcr0.h"
#include "cli.h"
#include "cpu.h"
#include "maps.h"
#include "mask.h"
#include "output.h"
#include "policy_dir.h"
#include "sched_ext.h"
#include "util.h"

#define KFUNC_SET		"scx_bpf_task_set_xcr0"

/* enum scx_exit_kind (kernel/sched/ext.c): kinds at or above are errors */
#define SCX_EXIT_ERROR		1024

/* How often the loop wakes to check the scheduler and the cgroups (ms). */
#define TICK_MS			1000

struct daemon_opts {
	bool partial;
	const char *default_str;
	const char *policy_dir;
	unsigned int refresh_ms;
	__u64 default_mask;
	__u64 supported;
};

struct daemon {
	struct daemon_opts o;
	bool pins_existed;	/* maps were pinned before we started: keep on failure */
	struct scx_xcr0 *skel;
	struct bpf_link *link;
	struct policy_dir pd;
	int sfd;		/* signalfd: INT, TERM, HUP */
	int ifd;		/* inotify on the policy directory, or -1 */
};

/* Refuse when any sched_ext scheduler, ours included, is attached. */
static int check_sched_ext(void)
{
	char name[128];

	if (!scx_present())
		return fail(-ENODEV, "this kernel has no sched_ext (%s is missing); boot the scx_xcr0 kernel",
			    SCX_SYSFS);
	scx_attached_ops(name, sizeof(name));
	if (!name[0])
		return 0;
	if (!strcmp(name, SCX_XCR0_OPS_NAME))
		return fail(-EBUSY, "scx_xcr0 is already attached (`scx_xcr0 status`); stop that daemon first, or if none runs, remove %s to detach it",
			    SCX_XCR0_PIN(SCX_XCR0_LINK));
	return fail(-EBUSY, "another sched_ext scheduler is attached: %s (%s); stop it first",
		    name, SCX_SYSFS_OPS);
}

/*
 * The kernel must have the kfunc that makes masks real, with the flags
 * argument of the pending/applied ABI (an earlier version of the patches
 * had two arguments and applied every mask at once); ask its BTF.
 */
static int check_kfunc(void)
{
	const struct btf_type *t;
	struct btf *btf;
	int id, nr_args = -1;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return fail(-errno, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s; the kernel needs CONFIG_DEBUG_INFO_BTF",
			    strerror(errno));
	id = btf__find_by_name_kind(btf, KFUNC_SET, BTF_KIND_FUNC);
	if (id >= 0) {
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (t && btf_is_func_proto(t))
			nr_args = btf_vlen(t);
	}
	btf__free(btf);
	if (id < 0)
		return fail(-EOPNOTSUPP, "this kernel lacks %s(); boot the scx_xcr0 kernel", KFUNC_SET);
	if (nr_args != 3)
		return fail(-EOPNOTSUPP, "this kernel's %s() takes %d arguments, not 3 (p, xcr0, flags): it predates pending and applied masks; boot a kernel built from kernel/series",
			    KFUNC_SET, nr_args);
	return 0;
}

static int write_info(struct daemon *d)
{
	struct scx_xcr0_info info = {
		.daemon_pid = getpid(),
		.flags = d->o.partial ? SCX_XCR0_INFO_PARTIAL : 0,
		.refresh_ms = d->o.refresh_ms,
		.default_mask = d->o.default_mask,
		.supported = d->o.supported,
	};
	__u32 zero = 0;

	if (bpf_map__update_elem(d->skel->maps.xcr0_info, &zero, sizeof(zero),
				 &info, sizeof(info), BPF_ANY))
		return fail(-errno, "cannot write %s: %s", SCX_XCR0_MAP_INFO, strerror(errno));
	return 0;
}

/*
 * The stats describe one attachment; maps reused from an earlier run (a
 * restart, or a daemon that was killed) start from zero.
 */
static int reset_stats(struct daemon *d)
{
	int nr_cpus = libbpf_num_possible_cpus(), fd;
	__u64 *zeros;
	__u32 idx;
	int ret = 0;

	zeros = calloc(nr_cpus > 0 ? nr_cpus : 1, sizeof(*zeros));
	if (!zeros)
		return fail(-ENOMEM, "out of memory");
	fd = bpf_map__fd(d->skel->maps.xcr0_stats);
	for (idx = 0; idx < SCX_XCR0_NR_STATS; idx++) {
		if (bpf_map_update_elem(fd, &idx, zeros, BPF_ANY)) {
			ret = fail(-errno, "cannot reset %s: %s", SCX_XCR0_MAP_STATS,
				   strerror(errno));
			break;
		}
	}
	free(zeros);
	return ret;
}

static int bump_gen(struct daemon *d)
{
	int fd = bpf_map__fd(d->skel->maps.xcr0_gen);
	__u32 zero = 0;
	__u64 gen = 0;

	bpf_map_lookup_elem(fd, &zero, &gen);
	gen++;
	if (bpf_map_update_elem(fd, &zero, &gen, BPF_ANY))
		return fail(-errno, "cannot bump %s: %s", SCX_XCR0_MAP_GEN, strerror(errno));
	return 0;
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

	ret = policy_dir_sync(&d->pd, old, bpf_map__fd(d->skel->maps.xcr0_cgroup));
	if (ret == -EALREADY)
		return 0;
	if (ret > 0)
		ret = bump_gen(d);
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
		ret = policy_dir_sync(&pd, &d->pd, bpf_map__fd(d->skel->maps.xcr0_cgroup));
		if (ret < 0)
			policy_dir_free(&pd);
	}
	if (ret < 0) {
		fprintf(stderr, "scx_xcr0: policy not reloaded, the old one stays: %s\n",
			fail_msg());
		fail_clear();
		return;
	}
	policy_dir_free(&d->pd);
	d->pd = pd;
	if (ret > 0 && bump_gen(d) < 0) {
		fprintf(stderr, "scx_xcr0: %s\n", fail_msg());
		fail_clear();
	}
	fprintf(stderr, "scx_xcr0: policy reloaded from %s: %zu cgroup rule(s)\n",
		d->o.policy_dir, d->pd.nr);
}

static int libbpf_err(int err, const char *what)
{
	return fail(err < 0 ? err : -EINVAL, "%s: %s%s", what, strerror(err < 0 ? -err : EINVAL),
		    verbose ? "" : " (run with -v for libbpf's log)");
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
	skel->struct_ops.xcr0_ops->hotplug_seq = scx_hotplug_seq();
	if (d->o.partial)
		skel->struct_ops.xcr0_ops->flags |= SCX_OPS_SWITCH_PARTIAL;
	UEI_SET_SIZE(skel, xcr0_ops, uei);

	ret = scx_xcr0__load(skel);
	if (ret) {
		if (d->pins_existed)
			return fail(ret, "cannot load the BPF scheduler: %s; if the maps pinned at %s come from another build, remove that directory (its policy is lost)%s",
				    strerror(-ret), SCX_XCR0_PIN_DIR,
				    verbose ? "" : "; run with -v for libbpf's log");
		return libbpf_err(ret, "cannot load the BPF scheduler");
	}
	ret = reset_stats(d);
	if (!ret)
		ret = write_info(d);
	return ret;
}

static int attach(struct daemon *d)
{
	const char *pin = SCX_XCR0_PIN(SCX_XCR0_LINK);
	int ret;

	/* a link pinned by a daemon that died; its scheduler is gone (checked) */
	unlink(pin);
	bpf_map__set_autoattach(d->skel->maps.xcr0_ops, false);
	d->link = bpf_map__attach_struct_ops(d->skel->maps.xcr0_ops);
	if (!d->link)
		return libbpf_err(-errno, "cannot attach the scheduler");
	ret = bpf_link__pin(d->link, pin);
	if (ret)
		return fail(ret, "cannot pin the scheduler link at %s: %s", pin, strerror(-ret));
	return 0;
}

/* Unpin what the CLI would find, so that no one writes to a dead policy. */
static void unpin_all(struct daemon *d)
{
	if (d->link)
		bpf_link__unpin(d->link);
	if (d->skel)
		bpf_object__unpin_maps(d->skel->obj, NULL);
	rmdir(SCX_XCR0_PIN_DIR);
}

/* Detach (every task keeps its masks) and free; the pins stay. */
static void detach(struct daemon *d)
{
	if (d->link) {
		bpf_link__unpin(d->link);
		bpf_link__destroy(d->link);
		d->link = NULL;
	}
}

static void destroy(struct daemon *d)
{
	scx_xcr0__destroy(d->skel);
	d->skel = NULL;
}

/*
 * After attaching, keep only what a restart needs: loading BPF and a
 * struct_ops scheduler (CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON) and reading
 * policy files and cgroups of other users (CAP_DAC_READ_SEARCH).
 */
static void drop_caps(void)
{
	static const cap_value_t keep[] = {
		CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH,
	};
	cap_t cur = cap_get_proc(), caps = cap_init();
	char names[256] = "";
	cap_flag_value_t v;
	size_t i;

	if (!cur || !caps)
		goto out;
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		char *name;

		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) || v != CAP_SET)
			continue;
		cap_set_flag(caps, CAP_PERMITTED, 1, &keep[i], CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
		name = cap_to_name(keep[i]);
		if (name) {
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? "," : "", name);
			cap_free(name);
		}
	}
	if (cap_set_proc(caps))
		fprintf(stderr, "scx_xcr0: could not drop capabilities: %s\n", strerror(errno));
	else
		fprintf(stderr, "scx_xcr0: capabilities kept: %s\n", names[0] ? names : "none");
out:
	cap_free(cur);
	cap_free(caps);
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
	d->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (d->ifd < 0 ||
	    inotify_add_watch(d->ifd, d->o.policy_dir, IN_CLOSE_WRITE | IN_MOVED_TO |
			      IN_MOVED_FROM | IN_DELETE | IN_CREATE) < 0) {
		fprintf(stderr, "scx_xcr0: not watching %s (inotify: %s); reload with SIGHUP\n",
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

enum loop_end {
	END_SIGNAL,		/* asked to stop */
	END_EXITED,		/* the scheduler went away on its own */
};

static enum loop_end loop(struct daemon *d)
{
	struct pollfd pfd[2] = {
		{ .fd = d->sfd, .events = POLLIN },
		{ .fd = d->ifd, .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (UEI_EXITED(d->skel, uei))
			return END_EXITED;
		if (poll(pfd, d->ifd >= 0 ? 2 : 1, TICK_MS) < 0 && errno != EINTR)
			return END_SIGNAL;
		while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP)
				return END_SIGNAL;
			reload_policy(d);
		}
		if (d->ifd >= 0 && policy_changed(d->ifd))
			reload_policy(d);
		if (sync_policy(d, NULL) < 0) {
			fprintf(stderr, "scx_xcr0: %s\n", fail_msg());
			fail_clear();
		}
	}
}

static void announce(const struct daemon *d)
{
	fprintf(stderr, "scx_xcr0: attached in %s mode, refresh %u ms, default %s, supported %s\n",
		d->o.partial ? "partial (SCHED_EXT tasks only)" : "full (every task)",
		d->o.refresh_ms, mask_str(d->o.default_mask), mask_str(d->o.supported));
	if (d->o.policy_dir)
		fprintf(stderr, "scx_xcr0: policy: %zu cgroup rule(s) from %s\n",
			d->pd.nr, d->o.policy_dir);
	fprintf(stderr, "scx_xcr0: maps and link pinned at %s\n", SCX_XCR0_PIN_DIR);
}

static int run(struct daemon *d)
{
	__u64 ecode;
	int ret;

restart:
	ret = load(d);
	if (!ret)
		ret = sync_policy(d, NULL);
	if (ret >= 0)
		ret = attach(d);
	if (ret < 0) {
		detach(d);
		if (!d->pins_existed)
			unpin_all(d);
		destroy(d);
		return ret;
	}
	announce(d);
	drop_caps();

	if (loop(d) == END_SIGNAL) {
		detach(d);
		unpin_all(d);
		fprintf(stderr, "scx_xcr0: detached; every task keeps its masks, running programs included\n");
		/* the exit record says "unregistered from user space" */
		UEI_REPORT(d->skel, uei);
		destroy(d);
		return 0;
	}

	/* the kernel or the BPF program ended it: say why, maybe restart */
	detach(d);
	ecode = UEI_REPORT(d->skel, uei);
	if (UEI_ECODE_RESTART(ecode)) {
		/* the pinned maps, policy included, carry over */
		fprintf(stderr, "scx_xcr0: the scheduler asked to be restarted; restarting\n");
		destroy(d);
		goto restart;
	}
	ret = d->skel->data->uei.kind;
	unpin_all(d);
	destroy(d);
	if (ret >= SCX_EXIT_ERROR)
		return fail(-ECANCELED, "the scheduler was ejected by an error (reason above); tasks keep the masks they have, and no policy applies until the daemon runs again");
	return fail(-ECANCELED, "the scheduler was detached from outside (reason above); tasks keep the masks they have, and no policy applies until the daemon runs again");
}

static void usage_daemon(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 daemon [--partial] [--default MASK] [--policy-dir DIR]\n"
		"                       [--refresh-ms N] [-v]\n"
		"  --partial          schedule (and mask) only SCHED_EXT tasks\n"
		"  --default MASK     mask of tasks that no entry covers (default: none),\n"
		"                     for each program at its next execve(); running\n"
		"                     programs keep theirs\n"
		"  --policy-dir DIR   cgroup rules from DIR/*.policy, reloaded on change\n"
		"                     and on SIGHUP\n"
		"  --refresh-ms N     look policy up again at least every N ms (default %d)\n"
		"  -v, --verbose      libbpf's log\n", SCX_XCR0_REFRESH_MS_DFL);
}

int cmd_daemon(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "partial", no_argument, NULL, 'p' },
		{ "default", required_argument, NULL, 'd' },
		{ "policy-dir", required_argument, NULL, 'P' },
		{ "refresh-ms", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct daemon d = { .o.refresh_ms = SCX_XCR0_REFRESH_MS_DFL, .sfd = -1, .ifd = -1 };
	char err[512];
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			d.o.partial = true;
			break;
		case 'd':
			d.o.default_str = optarg;
			break;
		case 'P':
			d.o.policy_dir = optarg;
			break;
		case 'r':
			if (!parse_u32(optarg, &d.o.refresh_ms) || !d.o.refresh_ms ||
			    d.o.refresh_ms > 3600000)
				return fail(-EINVAL, "--refresh-ms wants milliseconds from 1 to 3600000, not '%s'",
					    optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage_daemon(stdout);
			return 0;
		default:
			return fail(-EINVAL, "bad option or missing argument '%s'; see `scx_xcr0 daemon -h`",
				    argv[optind - 1]);
		}
	}
	if (optind != argc)
		return fail(-EINVAL, "daemon takes no arguments ('%s'); see `scx_xcr0 daemon -h`",
			    argv[optind]);

	ret = check_sched_ext();
	if (!ret)
		ret = check_kfunc();
	if (ret)
		return ret;
	d.o.supported = xcr0_supported();
	if (!d.o.supported)
		return fail(-EOPNOTSUPP, "XSAVE is not enabled on this CPU (CPUID.1:ECX.OSXSAVE); there is no XCR0 to restrict");
	if (d.o.default_str &&
	    xcr0_parse_mask(d.o.default_str, d.o.supported, &d.o.default_mask, err, sizeof(err)))
		return fail(-EINVAL, "--default: %s", err);
	if (d.o.policy_dir) {
		ret = policy_dir_load(d.o.policy_dir, d.o.supported, false, &d.pd);
		if (ret)
			return ret;
	}
	d.pins_existed = maps_pinned();
	ret = setup_fds(&d);
	if (!ret)
		ret = run(&d);
	policy_dir_free(&d.pd);
	if (d.sfd >= 0)
		close(d.sfd);
	if (d.ifd >= 0)
		close(d.ifd);
	return ret;
}
