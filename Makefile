# scx_xcr0: one entry point. `make demo` runs the main job, `make check` all
# tests; both install what they need first (`make deps`, as root).

BUILD := $(CURDIR)/build
CFLAGS := -O2 -g -Wall -Wextra -Werror

# Debian packages every target below needs; `make deps` installs the missing.
DEPS := gcc gcc-multilib make patch rsync xz-utils python3 perl \
	python3-ply python3-git \
	clang-19 llvm-19 libclang-rt-19-dev \
	flex bison bc libelf-dev libssl-dev dwarves cpio kmod \
	libcap-dev zlib1g-dev libzstd-dev pkg-config strace \
	qemu-system-x86 linux-source-6.12 systemd \
	python3-yaml dpkg-dev \
	stress-ng zstd lz4 bzip2 sqlite3 openssl

.PHONY: all deps kernel build-each loader install deb vmlinux.h progs selftests-build check demo \
	bench bench-build clean stress

all: kernel loader progs

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | \
			grep -q '^ii' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		[ "$$(id -u)" = 0 ] || { echo "deps: run as root to install packages" >&2; exit 1; }; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
			{ echo "deps: apt-get install failed" >&2; exit 1; }; \
	fi

# The patched kernel, libbpf and bpftool (cached outside the tree).
kernel: deps
	@kernel/build

# Every patch of kernel/series builds on its own (about 20 minutes).
build-each: kernel
	@kernel/build-each

# The scheduler and build/scx_xcr0 (loader/Makefile does the work).
loader: kernel
	@. build/env && $(MAKE) -s -C loader BUILD=$(BUILD) KSRC=$$KSRC KTOOLS=$$KTOOLS

install: loader
	@. build/env && $(MAKE) -s -C loader BUILD=$(BUILD) KSRC=$$KSRC KTOOLS=$$KTOOLS install

# build/deb/scx-xcr0_VERSION_ARCH.deb (deploy/deb/build, docs/deploy.md),
# checked by lintian; `make check` builds and checks it without lintian.
DEBDEPS := lintian

deb: loader
	@$(MAKE) -s deps DEPS="$(DEBDEPS)"
	@deb=$$(deploy/deb/build) && echo "$$deb" && \
		lintian --fail-on error,warning "$$deb"

# vmlinux.h is committed; regenerate it from the built kernel's BTF.
vmlinux.h: kernel
	@. build/env && \
		"$$KTOOLS/sbin/bpftool" btf dump file build/kernel/vmlinux format c >$@.tmp && \
		mv $@.tmp $@ && echo "vmlinux.h regenerated from $$(readlink build/kernel)"

# Small userspace programs the tests and the demo run in the VM.
PROGS := $(patsubst selftests/progs/%.c,$(BUILD)/selftests/progs/%,\
	$(wildcard selftests/progs/*.c))

progs: $(PROGS)

$(BUILD)/selftests/progs/%: selftests/progs/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -lpthread

# Upstream regression suites and our own test programs, built on the host.
selftests-build: kernel loader progs bench-build
	@selftests/build

check: selftests-build
	@selftests/run

# The long reliability run (issue 14): libFuzzer on the host, then one VM
# with STRESS_SECONDS of load (default 1200, for >= 1e6 switches between
# masks) and the other reliability suites; writes build/stress/results and
# docs/reliability.md, ends with `N passed, N failed, N skipped`.
stress: selftests-build
	@STRESS_SECONDS="$(STRESS_SECONDS)" FUZZ_SECONDS="$(FUZZ_SECONDS)" selftests/stress/run

# The kernel suites under Bochs 3.0's tigerlake CPU: XSAVES (compacted format),
# AVX-512, PKU (docs/hardware.md). Bochs is built once into the cache.
HWDEPS := g++ isolinux syslinux-common genisoimage busybox-static cpio

.PHONY: check-hw

check-hw: selftests-build
	@$(MAKE) -s deps DEPS="$(HWDEPS)"
	@vm/bochs/check-hw

# The workloads, scx_simple and scx_flatcg (bench/Makefile); the in-VM sched tests use
# the workloads too.
bench-build: kernel
	@. build/env && $(MAKE) -s -C bench BUILD=$(BUILD) KSRC=$$KSRC KTOOLS=$$KTOOLS

# One VM boot: bench/results.json and bench/results.md (docs/performance.md).
bench: selftests-build
	@bench/run

demo: kernel loader progs
	@vm/run --cpus 2 -- $(CURDIR)/vm/demo

clean:
	rm -rf build
