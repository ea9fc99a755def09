# Sourced by vm/run and vm/bochs/run: what in a guest's console fails the
# run, whatever its command returned. console_problems [1] prints the
# extended regex; with 1, sched_ext's own error exits are left out (a test
# that provokes one announces it instead, see vm/run's expected-console).
console_problems() {
	local bad='BUG:|WARNING:|Oops|Kernel panic|general protection fault|INFO: possible|inconsistent lock state|circular locking|suspicious RCU usage|detected stall|self-detected stall|blocked for more than|soft lockup|hard LOCKUP|UBSAN:|KASAN:|sched_ext: .*disabled \((runtime error|scx_bpf_error|runnable task stall|<UNKNOWN>)\)'

	[ "${1:-0}" = 1 ] && bad=${bad%|sched_ext*}
	printf '%s\n' "$bad"
}
