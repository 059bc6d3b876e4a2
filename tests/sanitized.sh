#!/bin/bash
# tests/sanitized.sh DIR BIN...: tests/run.sh over binaries built with
# -fsanitize=address,undefined, every report written to a file in DIR (an
# absolute path: the daemon and the CLI may change directory), one per
# process: the tests' own, the bpfmemd and bpfmem they start, LeakSanitizer
# at each exit (the daemon's after SIGTERM); UBSan's
# "runtime error:" lines in the output count too. Prints each report and fails
# when there is one, even if every test passed.
set -u
# a directory of its own: runs side by side keep theirs apart
dir=$1/run-$$
shift
rm -rf "$dir"
mkdir -p "$dir"
export ASAN_OPTIONS="detect_leaks=1:log_path=$dir/asan:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$dir/ubsan:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}"

# GCC's UBSan ignores log_path and writes to stderr, which run.sh shows for
# the test binaries (and helpers.c's daemon_stop() for bpfmemd's)
out=$(mktemp)
"$(dirname "$0")/run.sh" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
n=$(grep -c 'runtime error:' "$out")
rm -f "$out"
for f in "$dir"/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	echo "=== sanitizer report $f"
	cat "$f"
done
echo "$n sanitizer reports"
[ "$n" -eq 0 ] || rc=1
exit "$rc"
