# Shell functions of bench/guest and bench/bpf-profile (sourced): which
# sched_ext scheduler is attached, and waiting for one.

# The ops name of the attached scheduler, empty if none.
ops() { cat /sys/kernel/sched_ext/root/ops 2>/dev/null; }

# wait_ops NAME: until the scheduler named NAME is attached ("": none),
# for at most 30 s.
wait_ops() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(ops)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
