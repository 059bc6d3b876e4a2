#!/bin/bash
# The systemd VM's tests (tests/systemd/run boots it): run by
# bpfmem-vmtest.service once the system is up, with systemd as PID 1 and
# Debian's packaging doing the work. Prints TAP on the serial console,
# then "N passed, N failed, N skipped", and powers the machine off.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec >/dev/ttyS0 2>&1
T=/usr/local/lib/bpfmem-test
CONF=/etc/bpfmem/bpfmemd.conf
n=0 passed=0 failed=0 skipped=0

ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - systemd: $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - systemd: $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
skip() { n=$((n + 1)) skipped=$((skipped + 1)); echo "not ok $n # SKIP systemd: $1"; }
note() { echo "# $*"; }
# poll SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS (a
# function where the condition reads state: arguments are expanded once)
poll() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
prop() { systemctl show -p "$2" --value "$1"; }
service_is() { [ "$(systemctl is-active bpfmemd.service)" = "$1" ]; }
running() { [ "$(prop bpfmemd SubState)" = running ]; }
restarted() { [ "$(prop bpfmemd NRestarts)" -gt "$restarts" ]; }
# the daemon's journal since the cursor taken by mark
mark() { cursor=$(journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'); }
since_mark() { journalctl -u bpfmemd -q --no-pager --after-cursor="$cursor" "$@"; }
journal_has() { since_mark | grep -F "$1" >/dev/null; }
ask() { printf '%s\n' "$1" | socat -t 30 - UNIX-CONNECT:/run/bpfmem/bpfmemd.sock; }
reload_conf() {
	mark
	systemctl reload bpfmemd
}

note "kernel $(uname -r), systemd $(systemctl --version | head -1 | cut -d' ' -f2), $(nproc) CPU(s)"

# 1. the package, installed as an SRE installs it
if out=$(apt-get install -y -q /root/bpfmem_*.deb 2>&1); then
	ok "apt-get install ./bpfmem_*.deb"
else
	not_ok "apt-get install ./bpfmem_*.deb" "$(tail -15 <<<"$out")"
fi
if getent group bpfmem >/dev/null && [ -d /run/bpfmem ] && [ -d /var/lib/bpfmem ] &&
	[ "$(stat -c %G /run/bpfmem)" = bpfmem ]; then
	ok "the package made the bpfmem group (sysusers), /run/bpfmem and /var/lib/bpfmem (tmpfiles)"
else
	not_ok "the bpfmem group and directories" "$(getent group bpfmem; ls -ld /run/bpfmem /var/lib/bpfmem 2>&1)"
fi
if [ "$(systemctl is-active bpfmemd.socket)" = active ] &&
	[ "$(systemctl is-active bpfmemd.service)" = inactive ]; then
	ok "the socket listens after installation; the service waits for it"
else
	not_ok "socket active, service inactive after installation" \
		"socket: $(systemctl is-active bpfmemd.socket), service: $(systemctl is-active bpfmemd.service)"
fi

# bpfmem-prepare: the iterators pinned at install (and at every boot), so
# that a listing in-process loads and verifies no program
prepare_pins=$(ls /sys/fs/bpf/bpfmem/*/ 2>&1 | tr '\n' ' ')
if [ "$(systemctl is-enabled bpfmem-prepare.service)" = enabled ] &&
	[ "$(systemctl is-active bpfmem-prepare.service)" = active ] &&
	grep -q maps <<<"$prepare_pins"; then
	ok "bpfmem-prepare.service is enabled, ran at installation and pinned: $prepare_pins"
else
	not_ok "bpfmem-prepare.service" "enabled: $(systemctl is-enabled bpfmem-prepare.service), active: $(systemctl is-active bpfmem-prepare.service)" \
		"pins: $prepare_pins" "$(journalctl -u bpfmem-prepare -q --no-pager | tail -5)"
fi
rm -f /run/bpfmem/memlock.cache
if calls=$(strace -f -qq -e trace=bpf -o /tmp/prepare.strace bpfmem --no-daemon maps --json 2>&1 >/dev/null); then
	loads=$(grep -c 'BPF_PROG_LOAD' /tmp/prepare.strace)
	iters=$(grep -c 'BPF_ITER_CREATE' /tmp/prepare.strace)
else
	loads=failed iters=0
fi
if [ "$loads" = 0 ] && [ "$iters" -gt 0 ]; then
	ok "the first listing after it loads no program (strace: 0 BPF_PROG_LOAD, $iters BPF_ITER_CREATE)"
else
	not_ok "the first listing after bpfmem-prepare: BPF_PROG_LOAD $loads, BPF_ITER_CREATE $iters" "$calls"
fi
systemctl stop bpfmem-prepare.service
if [ "$(systemctl is-active bpfmem-prepare.service)" = inactive ] &&
	! [ -e /sys/fs/bpf/bpfmem ] && systemctl start bpfmem-prepare.service &&
	[ -e /sys/fs/bpf/bpfmem ]; then
	ok "systemctl stop bpfmem-prepare unpins the iterators; start pins them again"
else
	not_ok "stop and start bpfmem-prepare" "$(ls -la /sys/fs/bpf/bpfmem 2>&1)" \
		"$(journalctl -u bpfmem-prepare -q --no-pager | tail -5)"
fi

# The hooks' backend is checked too: on by configuration here, as an
# auditing SRE would set them.
sed -i 's/^trace_allocations.*/trace_allocations = yes/' "$CONF"
grep -q '^trace_allocations = yes' "$CONF" || sed -i 's/^\[daemon\]$/[daemon]\ntrace_allocations = yes/' "$CONF"

# 2. socket activation: the first client starts the daemon
if out=$(bpfmem report 2>&1) && poll 60 service_is active; then
	ok "bpfmem report started bpfmemd.service through the socket"
else
	not_ok "socket activation" "$out" "$(systemctl status bpfmemd --no-pager 2>&1 | tail -5)"
fi
top=$(bpfmem top -n 1 2>&1 | head -1)
if grep -q "from bpfmemd" <<<"$top"; then
	ok "bpfmem answers from the daemon: $top"
else
	not_ok "bpfmem top from the daemon" "$top"
fi
status=$(prop bpfmemd StatusText)
if [ "$(prop bpfmemd SubState)" = running ] && [ -n "$status" ]; then
	ok "systemd has READY=1 (running) and STATUS: $status"
else
	not_ok "READY and STATUS" "SubState $(prop bpfmemd SubState), StatusText '$status'"
fi

# 3. under the hardened unit, everything the daemon does unconfined
if poll 60 test -s /var/lib/bpfmem/snapshot.json || { kill -USR1 "$(prop bpfmemd MainPID)" &&
	poll 60 test -s /var/lib/bpfmem/snapshot.json; }; then
	ok "snapshots written to /var/lib/bpfmem (StateDirectory)"
else
	not_ok "snapshot written" "$(ls -la /var/lib/bpfmem)" "$(journalctl -u bpfmemd -q --no-pager | tail -5)"
fi
features=$(ask '{"cmd":"features"}')
backend=$(jq -r '.hooks_backend.name' <<<"$features" 2>/dev/null)
if [ "$backend" = fentry ]; then
	ok "the accounting hooks run their fentry backend under the unit"
else
	not_ok "hooks backend under the unit: '$backend'" "$(jq -c .hooks_backend <<<"$features" 2>&1)"
fi
errors=$(journalctl -u bpfmemd -q --no-pager -p warning)
if [ -z "$errors" ]; then
	ok "no warning or error in the daemon's journal under the hardened unit"
else
	not_ok "warnings in the daemon's journal under the hardened unit" "$errors"
fi
memcgs_kernel=$(find /sys/fs/cgroup -name memory.current | wc -l)
note "memory cgroups: $memcgs_kernel in /sys/fs/cgroup"

# 4. the watchdog restarts a daemon that hangs
pid=$(prop bpfmemd MainPID)
restarts=$(prop bpfmemd NRestarts)
kill -STOP "$pid"
start=$(date +%s)
if poll 180 restarted && poll 60 running; then
	ok "the watchdog restarted a stopped daemon after $(($(date +%s) - start)) s (WatchdogSec=$(prop bpfmemd WatchdogUSec), TimeoutAbortSec=$(prop bpfmemd TimeoutAbortUSec))"
else
	not_ok "watchdog restart" "NRestarts $(prop bpfmemd NRestarts), SubState $(prop bpfmemd SubState)"
	kill -CONT "$pid" 2>/dev/null
fi

# 5. systemctl reload applies a good configuration and refuses a bad one
pid=$(prop bpfmemd MainPID)
cp "$CONF" /root/bpfmemd.conf.good
sed -i 's/^interval = .*/interval = 2s/' "$CONF"
reload_conf
if poll 30 journal_has "configuration reloaded" && [ "$(prop bpfmemd MainPID)" = "$pid" ]; then
	ok "systemctl reload applied a changed configuration in place"
else
	not_ok "reload of a good configuration" "$(since_mark | tail -5)"
fi
echo "no_such_key = 1" >>"$CONF"
reload_conf
if poll 30 journal_has "keeping the one in force" && [ "$(prop bpfmemd MainPID)" = "$pid" ] &&
	[ "$(systemctl is-active bpfmemd)" = active ]; then
	ok "a broken configuration is refused, the old one kept: $(since_mark | grep -F 'keeping the one' | tail -1 | sed 's/^[^]]*\]: //')"
else
	not_ok "reload of a broken configuration" "$(since_mark | tail -5)"
fi
cp /root/bpfmemd.conf.good "$CONF"

# 6. an alert's journal record carries the BPFMEM_ALERT_* fields
cat >>"$CONF" <<'EOF'

[alert:vm-total]
scope = total
metric = bytes_real
above = 1
EOF
reload_conf
alert() { journalctl -u bpfmemd -o json -q --no-pager | jq -e -s 'map(select(.BPFMEM_ALERT_RULE == "vm-total")) | length > 0'; }
if poll 60 alert; then
	ok "journalctl -u bpfmemd -o json carries the firing rule's BPFMEM_ALERT_* fields"
	journalctl -u bpfmemd -o json -q --no-pager | jq -c 'select(.BPFMEM_ALERT_RULE == "vm-total") | with_entries(select(.key | startswith("BPFMEM_")))' | head -1 | sed 's/^/# /'
else
	not_ok "alert journal fields" "$(since_mark | tail -5)"
fi

# 7. per-unit attribution: a unit that creates maps, then is stopped
# with a map left pinned
systemd-run --quiet --unit=maps-demo --property=MemoryAccounting=yes /bin/bash -c \
	"bpftool map create /sys/fs/bpf/demo_pinned type hash key 4 value 64 entries 4096 name demo_pinned &&
	 sleep infinity | $T/mkobjs --one-map demo_held"
unit_cg=/sys/fs/cgroup/system.slice/maps-demo.service
charged() {
	bpfmem cgroups --json | jq -e '.[] | select(.unit == "maps-demo.service" and .bytes_memlock > 0)'
}
if poll 60 charged; then
	row=$(bpfmem cgroups --json | jq -c '.[] | select(.unit == "maps-demo.service")')
	real=$(jq '.bytes_real // 0' <<<"$row")
	cur=$(cat $unit_cg/memory.current)
	note "maps-demo.service: $row"
	note "its memory.current $cur; memory.stat: $(grep -E '^(slab|percpu|kernel) ' $unit_cg/memory.stat | tr '\n' ' ')"
	if [ "$real" -gt 0 ] && [ "$real" -le "$cur" ]; then
		ok "bpfmem cgroups names maps-demo.service as payer: real $real B of its memory.current $cur B"
	else
		not_ok "maps-demo.service's bytes" "real $real, memory.current $cur"
	fi
else
	not_ok "bpfmem cgroups names maps-demo.service" "$(bpfmem cgroups 2>&1 | head -20)"
fi
systemctl stop maps-demo
dying() {
	bpfmem cgroups --dying --json | jq -e '.[] | select(.removed_paths[] | contains("maps-demo.service"))'
}
if poll 60 dying && bpfmem cgroups --dying >/tmp/dying &&
	grep -q '^/system.slice/maps-demo.service (removed) *maps-demo.service ' /tmp/dying; then
	ok "after systemctl stop, bpfmem cgroups --dying shows the removed unit's charge by name"
	sed 's/^/# /' /tmp/dying
else
	not_ok "the removed unit's charge" "$(bpfmem cgroups --dying 2>&1 | head)"
fi
rm -f /sys/fs/bpf/demo_pinned

# 8. what systemd-analyze thinks of the unit as installed
systemd-analyze security bpfmemd.service --no-pager 2>&1 | grep -E '✗|Overall' | sed 's/^/# security: /'
systemd-analyze security bpfmem-prepare.service --no-pager 2>&1 | grep Overall | sed 's/^/# security of bpfmem-prepare.service: /'

# 9. Prometheus: the drop-in docs/METRICS.md gives, /metrics to curl, and
# the textfile to Debian's node_exporter
mkdir -p /etc/systemd/system/bpfmemd.service.d
awk '/^# \/etc\/systemd\/system\/bpfmemd.service.d\/prometheus.conf$/ {on = 1}
	on && /^```$/ {exit} on' $T/METRICS.md >/etc/systemd/system/bpfmemd.service.d/prometheus.conf
# the textfile is group bpfmem, mode 0640: node_exporter's user joins it,
# as docs/METRICS.md says
usermod -aG bpfmem prometheus && systemctl restart prometheus-node-exporter
cat >>"$CONF" <<'EOF'

[prometheus]
listen = 127.0.0.1:9477
textfile = /var/lib/prometheus/node-exporter/bpfmem.prom
EOF
systemctl daemon-reload
systemctl restart bpfmemd
# the whole page first: grep -q stops reading early, and under pipefail
# curl's broken pipe would fail the check
has_bpfmem_series() { curl -sf -m 60 -o /tmp/metrics "$1" && grep -q '^bpfmem_' /tmp/metrics; }
scrape() { has_bpfmem_series http://127.0.0.1:9477/metrics; }
if poll 60 scrape; then
	ok "bpfmemd serves /metrics on 127.0.0.1:9477 under the documented drop-in"
	note "under the unit, with its iterators kept loaded between samples: $(grep -E '^bpfmem_(sample_duration_seconds|samples_total)' /tmp/metrics | tr '\n' ' ')"
else
	not_ok "/metrics under the drop-in" "$(cat /etc/systemd/system/bpfmemd.service.d/prometheus.conf)" \
		"$(journalctl -u bpfmemd -q --no-pager | tail -5)" "$(curl -sS http://127.0.0.1:9477/metrics 2>&1 | head -3)"
fi
node() { has_bpfmem_series http://127.0.0.1:9100/metrics; }
if poll 180 node; then
	ok "Debian's prometheus-node-exporter serves the bpfmem_* series from the textfile"
else
	not_ok "node_exporter textfile" "$(ls -la /var/lib/prometheus/node-exporter 2>&1)" \
		"node_exporter $(systemctl is-active prometheus-node-exporter), groups $(id prometheus)" \
		"$(curl -sS -m 60 http://127.0.0.1:9100/metrics 2>&1 | grep -E 'textfile|^curl' | head -5)" \
		"$(journalctl -u prometheus-node-exporter -q --no-pager | grep -v 'level=info' | tail -5)"
fi

note "with the Prometheus drop-in: $(systemd-analyze security bpfmemd.service --no-pager 2>&1 | grep Overall)"

# 10. bad input: each a clear journal message, the last good state kept
# a read-only state directory: snapshots fail, saying so; queries go on
printf '[Service]\nReadOnlyPaths=/var/lib/bpfmem\n' \
	>/etc/systemd/system/bpfmemd.service.d/readonly-state.conf
systemctl daemon-reload
systemctl restart bpfmemd
mark
kill -USR1 "$(prop bpfmemd MainPID)"
if poll 60 journal_has "snapshot.json failed: Read-only file system" &&
	out=$(bpfmem report 2>&1) && [ "$(systemctl is-active bpfmemd)" = active ]; then
	ok "a read-only state directory: $(since_mark | grep -F 'snapshot.json failed' | tail -1 | sed 's/^[^]]*\]: //'); queries still answered"
else
	not_ok "read-only state directory" "$(since_mark | tail -5)" "$out"
fi
rm /etc/systemd/system/bpfmemd.service.d/readonly-state.conf
systemctl daemon-reload
systemctl restart bpfmemd
# the socket already taken: a second daemon started by hand refuses it
# and the service keeps serving
# (a configuration of its own: the service's /metrics port is taken too;
# started from a shell, not from this unit: it logs to stderr then)
printf '[daemon]\n' >/root/plain.conf
if out=$(env -u INVOCATION_ID -u JOURNAL_STREAM timeout 120 bpfmemd --foreground \
	--config /root/plain.conf --socket /run/bpfmem/bpfmemd.sock 2>&1); then
	not_ok "a second bpfmemd on the service's socket started" "$out"
elif grep -q "another bpfmemd is serving /run/bpfmem/bpfmemd.sock" <<<"$out" && bpfmem report >/dev/null 2>&1; then
	ok "a socket already taken: $(grep -o 'another bpfmemd is serving.*' <<<"$out" | head -1)"
else
	not_ok "a second bpfmemd on the service's socket" "$out"
fi
# least privilege: the capabilities the running daemon holds are those
# bpfmem features reports it kept; a user outside group bpfmem is refused
# with the group to join, and the refusal is logged with its uid
pid=$(prop bpfmemd MainPID)
eff=$((16#$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")))
rep=$(bpfmem features --json | jq -r '.bpfmemd_capabilities.effective')
if [ "$eff" = "$rep" ]; then
	ok "bpfmemd holds what bpfmem features says it kept: $(bpfmem features --json | jq -r '[.bpfmemd_capabilities.kept[].name] | join(" ")') (CapEff $eff)"
else
	not_ok "capabilities kept" "CapEff $eff, bpfmem features: $rep"
fi
mark
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups bpfmem summary 2>&1)
if grep -qF "is not in group 'bpfmem'" <<<"$out" &&
	poll 30 journal_has "client refused: pid"; then
	ok "a user outside group bpfmem is refused and logged: $(since_mark | grep -F 'client refused' | head -1 | sed 's/^[^]]*\]: //')"
else
	not_ok "refusing a user outside group bpfmem" "$out" "$(since_mark | tail -3)"
fi

# the bpfmem group removed (with the hooks' user bpfmem, whose primary
# group it is): systemd refuses to start the unit and says why;
# systemd-sysusers (what the package runs) puts them back
userdel bpfmem
groupdel bpfmem
mark
systemctl restart bpfmemd 2>/dev/null
if poll 30 journal_has "group" && [ "$(systemctl is-active bpfmemd)" != active ]; then
	ok "a missing bpfmem group: $(since_mark | grep -i 'group' | head -1 | sed 's/^[^]]*\]: //')"
else
	not_ok "missing bpfmem group" "$(since_mark | tail -5)" "$(systemctl is-active bpfmemd)"
fi
systemd-sysusers
systemctl reset-failed bpfmemd
if systemctl restart bpfmemd && poll 60 running; then
	ok "systemd-sysusers restores the group and user and the service starts again"
else
	not_ok "restart after systemd-sysusers" "$(journalctl -u bpfmemd -q --no-pager | tail -5)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
systemctl poweroff --force --force
