# Sourced by selftests/run and vm/bochs/check-hw: apply_baseline reads test
# lines on stdin and prints them, with each upstream test that fails but is
# not in selftests/upstream-baseline (it fails on the unpatched kernel too)
# reported as skipped.
baseline_file=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/upstream-baseline

apply_baseline() {
	local line name base
	while IFS= read -r line; do
		case $line in
		"FAIL upstream/"*)
			name=${line#FAIL }
			name=${name%%:*}
			base=${name#upstream/}
			if ! grep -qx -- "${base%@*}" "$baseline_file"; then
				line="SKIP $name: fails on the unpatched kernel too (not in selftests/upstream-baseline)"
			fi
			;;
		esac
		printf '%s\n' "$line"
	done
}
