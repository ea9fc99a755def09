# Shared by the in-VM test scripts selftests/vm/*_tests (sourced after the
# script set $suite, the prefix of its result lines, and $tests, its test
# names): paths, the daemon, threads and shell helpers, and the checks
# that decide whether the suite can run at all (suite_init).
# One line a test:  ok SUITE/NAME | FAIL SUITE/NAME: why | SKIP SUITE/NAME: why
# Reliability tests also print, before that line, what they did:
#   row SUITE/NAME | what it injects | the scale reached
# (docs/reliability.md is written from these lines by selftests/stress/report).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scx=$top/build/scx_xcr0
probe=$top/build/selftests/progs/xcr0_probe
threads=$top/build/selftests/progs/xcr0_threads
ldso=/lib64/ld-linux-x86-64.so.2
pin=/sys/fs/bpf/scx_xcr0
cg=/sys/fs/cgroup/scx_xcr0_test
work=$(mktemp -d "/tmp/$suite.XXXXXX")
bpftool=
if [ -f "$top/build/env" ]; then
	. "$top/build/env"
	bpftool=$KTOOLS/sbin/bpftool
fi
bg=()			# background pids to kill at the end
why=			# why a workload check failed
daemon_pid=
full=

cleanup() {
	local p
	for p in "${bg[@]}" $daemon_pid; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$pin" 2>/dev/null
	rmdir "$cg"/*/* "$cg"/* "$cg" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
# A shell under test that dies must fail its test, not kill this script
# when the next command is written to it.
trap '' PIPE

ok() { echo "ok $suite/$1"; }
fail() { echo "FAIL $suite/$1: $2"; }
skip() { echo "SKIP $suite/$1: $2"; }
# row NAME INJECTS SCALE: the figures of a reliability test (see above).
row() { echo "row $suite/$1 | $2 | $3"; }

quiet() { "$@" >/dev/null 2>&1; }

# le_bytes WIDTH VALUE: VALUE as WIDTH little-endian bytes for bpftool.
le_bytes() {
	local i out=
	for ((i = 0; i < $1; i++)); do
		out+=" $(( ($2 >> (8 * i)) & 255 ))"
	done
	echo "$out"
}

# x86_xcr0 (applied) of /proc/TID/status ("" if the line is missing).
proc_xcr0() { awk '/^x86_xcr0:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# The pending mask of /proc/TID/status: x86_xcr0_pending, or x86_xcr0
# when the kernel leaves it out because they are equal.
proc_pending() {
	awk '/^x86_xcr0:/ { a = $2 } /^x86_xcr0_pending:/ { p = $2 }
	     END { print p != "" ? p : a }' "/proc/$1/status" 2>/dev/null
}

# pending_count PID VALUE: how many threads of PID have pending VALUE.
pending_count() {
	local t v n=0
	for t in /proc/"$1"/task/*; do
		v=$(proc_pending "$1/task/${t##*/}")
		[ -n "$v" ] && (( v == $2 )) && n=$((n + 1))
	done
	echo $n
}

# wait_pending PID N VALUE SECONDS: until N threads of PID have pending VALUE.
wait_pending() {
	local i
	for ((i = 0; i < $4 * 20; i++)); do
		[ "$(pending_count "$1" "$3")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# proc_all_threads PID VALUE: every thread of PID has applied VALUE in /proc.
proc_all_threads() {
	local t v
	for t in /proc/"$1"/task/*; do
		v=$(proc_xcr0 "$1/task/${t##*/}")
		[ -n "$v" ] && (( v == $2 )) || return 1
	done
	return 0
}

# daemon_start [ARGS]: start the daemon and wait until it says it attached.
daemon_start() {
	local i
	"$scx" daemon "$@" >"$work/daemon.log" 2>&1 &
	daemon_pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q '^scx_xcr0: attached' "$work/daemon.log" && attached && return 0
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	return 1
}

# daemon_stop: SIGTERM and wait; returns the daemon's exit status.
daemon_stop() {
	local rc=0
	[ -n "$daemon_pid" ] || return 0
	kill -TERM "$daemon_pid" 2>/dev/null
	wait "$daemon_pid"
	rc=$?
	daemon_pid=
	return $rc
}

daemon_tail() { tail -n 3 "$work/daemon.log" | tr '\n' ' '; }

# attached: the scheduler of this project is attached.
attached() { [ "$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)" = xcr0 ]; }

# wait_detached: until no scheduler of ours is attached (10 s).
wait_detached() {
	local i
	for ((i = 0; i < 100; i++)); do
		attached || return 0
		sleep 0.1
	done
	return 1
}

# start_threads OUT N [-b]: start xcr0_threads with N threads writing to
# OUT, sets $tpid; true once every thread reported the full mask.
start_threads() {
	local out=$1 n=$2
	shift 2
	"$threads" -n "$n" "$@" >"$out" 2>&1 &
	tpid=$!
	bg+=("$tpid")
	wait_threads "$out" "$n" "$full" 10
}

stop_threads() {
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# wait_threads OUT N VALUE SECONDS: until N threads last printed VALUE.
wait_threads() {
	local out=$1 n=$2 want=$3 secs=$4 i got
	for ((i = 0; i < secs * 20; i++)); do
		got=$(awk -v w="$want" '{ v[$2] = $4 } END { c = 0; for (t in v) if (v[t] == w) c++; print c }' "$out")
		[ "$got" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# still_threads OUT N VALUE: half a second later, N threads still last
# printed VALUE.
still_threads() {
	sleep 0.5
	wait_threads "$1" "$2" "$3" 1
}

# only_value OUT VALUE: no thread of OUT ever saw anything but VALUE.
only_value() { ! grep -qv " xcr0 $2\$" "$1"; }

# last_values OUT: "tid=value ..." for messages.
last_values() {
	awk '{ v[$2] = $4 } END { for (t in v) printf "%s=%s ", t, v[t] }' "$1"
}

# sh_start OUT: a dynamically linked shell reading commands from a pipe,
# output to OUT; sets $shpid. True once it answered.
sh_start() { sh_start_as "$1"; }

# sh_start_as OUT [CMD...]: sh_start, the shell started through CMD (e.g.
# setpriv --reuid=65534 ...), which must exec it: $shpid is the shell.
sh_start_as() {
	local fifo=$work/sh.in
	sh_out=$1
	shift
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	"$@" bash --norc --noprofile <"$fifo" >"$sh_out" 2>&1 &
	shpid=$!
	bg+=("$shpid")
	exec {shfd}>"$fifo"
	rm -f "$fifo"
	sh_cmd 'echo ready'
	sh_wait ready 10
}

sh_cmd() { echo "$*" 2>/dev/null >&"$shfd"; }

# sh_wait LINE SECONDS: until the shell printed LINE.
sh_wait() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		grep -qx -- "$1" "$sh_out" && return 0
		sleep 0.05
	done
	return 1
}

# sh_pending VALUE SECONDS: until the shell's pending mask is VALUE. It
# resolves its policy when it runs, so it is woken with a no-op meanwhile.
sh_pending() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		sh_cmd :
		sleep 0.1
		[ "$(pending_count "$shpid" "$1")" = 1 ] && return 0
	done
	return 1
}

# sh_end: close the shell's input; returns its exit status.
sh_end() {
	exec {shfd}>&-
	wait "$shpid"
}

# Commands that keep the C library's SIMD string functions busy (memcpy,
# strlen, ...): a shell growing and cutting a string.
simd_loop='s= ; for ((i = 0; i < 3000; i++)); do s="${s:0:4000}$i-abcdefgh"; n=${#s}; done; echo "simd $n"'

# start_workload: `scx_xcr0 run x86-64-v2` of a shell that runs xcr0_threads
# (XGETBV inside a running restricted program) and loops over SIMD string
# functions until $work/wl.stop exists, then execs xcr0_probe. Sets $wpid
# (the run) and $wlpid (the shell); true once the threads saw 0x3.
start_workload() {
	local i
	rm -f "$work/wl.stop" "$work/wl.pid" "$work/wl.threads"
	: >"$work/wl.threads"
	"$scx" run x86-64-v2 -- bash --norc --noprofile -c '
		echo $$ >"$5"
		"$1" -n 2 >"$2" &
		t=$!
		i=0
		while [ ! -e "$3" ]; do
			s="${s:0:4000}$i-abcdefgh"; n=${#s}; i=$((i + 1))
		done
		kill $t
		echo "loops $i"
		"$4" --xcr0' wl "$threads" "$work/wl.threads" "$work/wl.stop" "$probe" \
		"$work/wl.pid" >"$work/wl.out" 2>&1 &
	wpid=$!
	bg+=("$wpid")
	for ((i = 0; i < 100; i++)); do
		[ -s "$work/wl.pid" ] && break
		sleep 0.1
	done
	wlpid=$(cat "$work/wl.pid" 2>/dev/null)
	[ -n "$wlpid" ] && wait_threads "$work/wl.threads" 2 0x3 10
}

# workload_intact WHEN: the workload still runs under 0x3, inside and in
# /proc, and never saw another mask; sets $why if not.
workload_intact() {
	local a p
	a=$(proc_xcr0 "$wlpid")
	p=$(proc_pending "$wlpid")
	if ! kill -0 "$wlpid" 2>/dev/null; then
		why="the workload died $1: $(cat "$work/wl.out")"
	elif ! only_value "$work/wl.threads" 0x3; then
		why="XGETBV in the workload changed $1: $(last_values "$work/wl.threads")"
	elif [ "$a" != 0x3 ] || [ "$p" != 0x3 ]; then
		why="/proc of the workload $1: applied $a, pending $p"
	else
		return 0
	fi
	return 1
}

# finish_workload: stop the loop; true if the workload exited 0 and its
# last child, exec'd now, saw 0x3; sets $why if not.
finish_workload() {
	local rc
	touch "$work/wl.stop"
	wait "$wpid"
	rc=$?
	if [ $rc != 0 ]; then
		why="the workload exited $rc: $(tr '\n' ' ' <"$work/wl.out")"
	elif ! grep -q '^loops [1-9]' "$work/wl.out" || [ "$(tail -n 1 "$work/wl.out")" != 0x3 ]; then
		why="workload output: $(tr '\n' ' ' <"$work/wl.out")"
	else
		return 0
	fi
	return 1
}

# step NAME CMD...: run CMD unless an earlier step failed; remember the first failure.
step() {
	local name=$1
	shift
	[ -z "$failed_step" ] || return 0
	"$@" || failed_step=$name
}


skip_all() {
	local t
	for t in "${tests[@]}"; do
		skip "$t" "$1"
	done
	exit 0
}

fail_all() {
	local t
	for t in "${tests[@]}"; do
		fail "$t" "$1"
	done
	exit 1
}

suite_init() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (run inside vm/run)"
	for f in "$scx" "$probe" "$threads"; do
		[ -x "$f" ] || skip_all "$f is not built (make progs, make -C loader)"
	done
	[ -d /sys/kernel/sched_ext ] || skip_all "this kernel has no sched_ext"
	# a script before this one must have left nothing attached or pinned
	wait_detached && [ -z "$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)" ] ||
		fail_all "a sched_ext scheduler is still attached: $(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)"
	[ ! -e "$pin" ] || fail_all "$pin is still there (an earlier script left it)"
	full=$("$probe" --xcr0) || skip_all "xcr0_probe cannot read XCR0"
	[ -n "$(proc_xcr0 self)" ] || skip_all "no x86_xcr0 line in /proc/PID/status: not the scx_xcr0 kernel"
}
