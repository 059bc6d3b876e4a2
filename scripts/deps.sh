#!/bin/sh
# Installs the Debian 12 packages bpfmem needs to build and test (with
# `deb`, to package it too); does nothing (and no apt-get update) when
# they are all present.
set -eu

PACKAGES="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev \
zlib1g-dev libjson-c-dev libcmocka-dev jq libsystemd-dev libinih-dev systemd \
libncurses-dev tmux libmicrohttpd-dev prometheus qemu-system-x86 \
busybox-static strace iproute2 bpftrace xdp-tools libbpf-tools"
# `deps.sh deb`: also what `make deb` builds and checks the package with
[ "${1:-}" = deb ] && PACKAGES="$PACKAGES dpkg-dev debhelper lintian mmdebstrap"
# `deps.sh fuzz`: clang's libFuzzer and sanitizer runtimes (`make fuzz`),
# only recommended by clang-14, so absent after --no-install-recommends
[ "${1:-}" = fuzz ] && PACKAGES="$PACKAGES libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing; run 'sudo make deps'" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
