#!/bin/bash
# Runs cmocka test binaries with TAP output and adds up their results.
# Closing line: "N passed, N failed, N skipped"; exit status 1 on any
# failure, including a binary that crashed or printed no plan.
set -u

passed=0 failed=0 skipped=0

# Tests that need root prepare what a fresh machine lacks.
if [ "$(id -u)" -eq 0 ]; then
	if ! stat -f -c %T /sys/fs/bpf 2>/dev/null | grep -q bpf; then
		mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf
	fi
	# the tracepoint backends (lifecycle, accounting hooks) attach through
	# tracefs, which the tests use where fentry is refused
	if ! stat -f -c %T /sys/kernel/tracing 2>/dev/null | grep -q tracefs; then
		mount -t tracefs tracefs /sys/kernel/tracing
	fi
fi

for bin in "$@"; do
	name=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	p=$(grep -cE '^ok [0-9]+' <<<"$out")
	s=$(grep -cE '^not ok [0-9]+ # SKIP' <<<"$out")
	f=$(grep -E '^not ok [0-9]+' <<<"$out" | grep -cv '# SKIP')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed, or failed outside any test
		f=1
	fi
	if [ "$f" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then
		printf '%s\n' "$out" | sed "s/^/$name: /"
	else
		grep -E '^(not ok|# )' <<<"$out" | grep -v '^# ok - ' | sed "s/^/$name: /"
	fi
	printf '%-28s %3d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
