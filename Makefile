# SPDX-License-Identifier: GPL-2.0
# bpfmem: `make` builds build/bpfmem; `make run` shows the report;
# `make test` runs every test. Quiet unless V=1.

VERSION := 0.1.0
comma := ,
BUILD := build
ARCH := x86

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

PREFIX ?= /usr/local
DESTDIR ?=

CFLAGS ?= -g -O2
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall \
	-Ivmlinux/$(ARCH) -Iinclude -MMD -MP
APP_CFLAGS := $(CPPFLAGS) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -MMD -MP \
	-D_GNU_SOURCE -DBPFMEM_VERSION='"$(VERSION)"' \
	-Iinclude -Isrc -I$(BUILD)
# LDFLAGS and CPPFLAGS: the packager's hardening (debian/rules)
LDLIBS := $(LDFLAGS) -lbpf -lelf -lz -ljson-c -pthread

# Sanitizers: `make test-asan` builds everything with SANITIZE=address,undefined
# into build/asan (the normal build in build/ stays as it is) and runs the
# unit and host integration tests there; `make test-asan-unit` the unit
# tests alone. The BPF objects (clang -target bpf) never get these flags;
# libbpf, libelf and the other system libraries are not instrumented.
SANITIZE ?=
ifneq ($(SANITIZE),)
ifeq ($(origin BUILD),file)
BUILD := build/$(if $(filter address$(comma)undefined,$(SANITIZE)),asan,san-$(subst $(comma),-,$(SANITIZE)))
endif
SAN_CFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
APP_CFLAGS += $(SAN_CFLAGS)
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps run check-layout test test-unit test-integration test-asan test-asan-unit test-vm vm-kernel-update accuracy-vm bench vmlinux clean install deb test-systemd

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

# src/ follows the data flow (docs/ARCHITECTURE.md): base/ and inventory/
# under collect/ (the kernel) and model/ (arithmetic over its records),
# pipeline/ joining them, report/ rendering, cli/ and daemon/ on top;
# `make check-layout` keeps each folder to what its README lets it include.
# The folders that load no BPF object and need no privilege are pure:
# unit tests link them, and a module of collect/ or daemon/ they test.
PURE_DIRS := base inventory model report
PURE_SRCS := $(wildcard $(PURE_DIRS:%=src/%/*.c))
# Reading the kernel (collect/, pipeline/); the command line's own (cli/).
APP_SRCS := $(wildcard src/collect/*.c src/pipeline/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
PURE_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(PURE_SRCS))
APP_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(APP_SRCS))
CLI_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(CLI_SRCS))
# Expanded where used, not when the Makefile is read: on a fresh machine
# `make run` reads it before `make deps` installs pkg-config and the .pc
# files, and would print their errors first.
NCURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncurses)
NCURSES_LDLIBS = $(shell $(PKG_CONFIG) --libs ncurses)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(INTEG_SRCS))
# what the accuracy harness shares with the integration tests
JSON_FIND := $(BUILD)/tests/json_find.o
INTEG_HELPERS := $(BUILD)/tests/helpers.o $(JSON_FIND)
MKOBJS := $(BUILD)/tests/mkobjs

all: $(BUILD)/bpfmem

deps:
	$(Q)./scripts/deps.sh

# On a machine where nothing else is loaded the report says so, and the
# demo shows one on objects of its own (made, reported, removed); where
# something is, the report is the answer and nothing is made.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./$(BUILD)/bpfmem report
	$(Q)if ./$(BUILD)/bpfmem summary --json | \
		jq -e '.maps.count + .progs.count == 0' >/dev/null; then \
		echo; ./$(BUILD)/bpfmem demo; fi

# make test also runs every fuzz target TEST_FUZZ_SECONDS from its seed
# corpus, crash inputs included (tests/fuzz/README.md): a crash fails it.
TEST_FUZZ_SECONDS ?= 10

# src/'s layers (src/*/README.md, docs/ARCHITECTURE.md); tests/layout
# checks the checker.
check-layout:
	$(Q)./scripts/check-layout

LAYOUT_TEST := tests/layout/test_layout

test: deps check-layout
	$(if $(SANITIZE),,$(Q)$(MAKE) --no-print-directory test-asan-unit)
	$(if $(SANITIZE),,$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS))
	$(Q)$(MAKE) --no-print-directory all tests-build $(if $(SANITIZE),,$(if $(VM_RUN),deb))
	$(Q)$(RUN_TESTS) $(if $(SANITIZE),,$(LAYOUT_TEST)) $(UNIT_BINS) $(INTEG_BINS) $(if $(SANITIZE),,$(VM_RUN))

test-unit: $(UNIT_BINS)
	$(Q)$(RUN_TESTS) $(UNIT_BINS)

test-integration: all $(INTEG_BINS) $(MKOBJS)
	$(Q)$(RUN_TESTS) $(INTEG_BINS)

# Under sanitizers every report (ASan, LSan at each exit, UBSan) is a file
# in $(BUILD)/sanitizer/, the daemon's too; tests/sanitized.sh prints them
# and fails when there is one. No VM: it runs the normal build's binaries.
RUN_TESTS = $(if $(SANITIZE),./tests/sanitized.sh $(abspath $(BUILD))/sanitizer,./tests/run.sh)

test-asan: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined test

test-asan-unit:
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined test-unit

.PHONY: tests-build
tests-build: $(UNIT_BINS) $(INTEG_BINS) $(MKOBJS) $(BUILD)/tests/accuracy

# The same build on Debian's 6.1 kernel in qemu (tests/vm/README.md),
# beside its package under a real systemd (tests/systemd/README.md): two
# VMs side by side (VM_RUN= leaves both out).
VM_RUN := tests/vms

test-vm: deps
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)./tests/run.sh tests/vm/run

# The package installed and run by a real systemd: Debian 12 booted with
# systemd as PID 1 on the VM's kernel (tests/systemd/README.md).
test-systemd: deps deb
	$(Q)$(MAKE) --no-print-directory $(MKOBJS)
	$(Q)./tests/run.sh tests/systemd/run

# Moves the VM's kernel pin (tests/vm/kernel) to Debian's newest 6.1 and
# keeps it there only when the VM suite passes on it.
vm-kernel-update: deps
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)./tests/vm/kernel-update

# The whole accuracy matrix on 6.1, every case alone (about 30 minutes
# without KVM; make test runs one case of each family there).
accuracy-vm: deps
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)VM_TIMEOUT=3600 VM_TESTS=none VM_ACC=all ./tests/run.sh tests/vm/run

bench: all $(MKOBJS) $(BUILD)/bench/memcg_counters
	$(Q)./bench/run

$(BUILD)/bench/memcg_counters: bench/memcg_counters.c $(APP_OBJS) $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(APP_CFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

# The accounting hooks' cost: workloads with them attached and detached.
$(BUILD)/bench/hooks_bench.bpf.o: bench/hooks_bench.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/hooks_bench.skel.h: $(BUILD)/bench/hooks_bench.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/bench/hooks: bench/hooks.c bench/measure.c $(BUILD)/bench/hooks_bench.skel.h $(APP_OBJS) $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -I$(BUILD)/bench $(filter %.c %.o,$^) $(LDLIBS) -o $@

bench: $(BUILD)/bench/hooks

# bpfmemd's cost on work that is not BPF's: default, opt-in tracepoints.
$(BUILD)/bench/lifecycle: bench/lifecycle.c bench/measure.c bench/measure.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(APP_CFLAGS) $(filter %.c,$^) -o $@

bench: $(BUILD)/bench/lifecycle

vmlinux:
	$(call msg,GEN,vmlinux/$(ARCH)/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c \
		> vmlinux/$(ARCH)/vmlinux.h

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Names the pinned iterators of this build (src/collect/iterators.c): a digest of
# the BPF object, so another build's record layout is never read.
$(BUILD)/inventory_id.h: $(BUILD)/bpf/inventory.bpf.o
	$(call msg,GEN,$@)
	$(Q)printf '#define INVENTORY_OBJ_ID "%s"\n' \
		"$$(sha256sum $< | cut -c1-16)" > $@

$(BUILD)/src/collect/iterators.o: $(BUILD)/inventory_id.h

# The names bpfmem's BPF objects give their maps and programs, from the
# skeletons: how src/collect/own_filter.c knows bpfmemd's objects from outside.
$(BUILD)/own_names.h: $(SKELS)
	$(call msg,GEN,$@)
	$(Q){ echo 'static const char *const own_map_names[] = {'; \
	  sed -n 's/.*s->maps\[[0-9]*\]\.name = \("[^"]*"\);/\t\1,/p' $^; \
	  echo '};'; \
	  echo 'static const char *const own_prog_names[] = {'; \
	  sed -n 's/.*s->progs\[[0-9]*\]\.name = \("[^"]*"\);/\t\1,/p' $^; \
	  echo '};'; \
	  echo '/* the maps of the iterators a command line run loads */'; \
	  echo 'static const char *const own_iter_map_names[] = {'; \
	  sed -n 's/.*s->maps\[[0-9]*\]\.name = \("[^"]*"\);/\t\1,/p' $(BUILD)/inventory.skel.h; \
	  echo '};'; } > $@

$(BUILD)/src/collect/own_filter.o: $(BUILD)/own_names.h
$(BUILD)/src/cli/top.o: SRC_CFLAGS = $(NCURSES_CFLAGS)

$(BUILD)/src/%.o: src/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(APP_CFLAGS) $(SRC_CFLAGS) -c $< -o $@

# Sources that include a skeleton wait for all of them.
$(APP_OBJS) $(CLI_OBJS): $(SKELS)

$(BUILD)/bpfmem: $(CLI_OBJS) $(APP_OBJS) $(PURE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ $(NCURSES_LDLIBS) $(LDLIBS) -o $@

$(BUILD)/tests/fixture.bpf.o: tests/fixtures/fixture.bpf.c | $(BUILD)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/fixture.skel.h: $(BUILD)/tests/fixture.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(MKOBJS): tests/fixtures/mkobjs.c $(BUILD)/tests/fixture.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -I$(BUILD)/tests $< $(LDLIBS) -o $@

# the integration tests run the binaries of their own build
TEST_CFLAGS := -DBUILD_DIR='"$(BUILD)"'

$(BUILD)/tests/helpers.o: tests/integration/helpers.c | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(JSON_FIND): tests/json_find.c | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -c $< -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(PURE_OBJS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) $(filter %.c %.o,$^) -lcmocka $(LDLIBS) -o $@

# unit tests of a collect/ module's pure part link that module too
$(BUILD)/tests/test_pins: $(BUILD)/src/collect/pins.o
$(BUILD)/tests/test_kernel_features: $(BUILD)/src/collect/kernel_features.o
# and of the command line's socket client
$(BUILD)/tests/test_client_copy: $(BUILD)/src/cli/client.o

$(BUILD)/tests/test_%: tests/integration/test_%.c $(INTEG_HELPERS) $(APP_OBJS) $(PURE_OBJS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) $(TEST_CFLAGS) $(filter %.c %.o,$^) -lcmocka -ljson-c $(LDLIBS) -o $@

$(BUILD)/bpf $(BUILD)/tests:
	$(Q)mkdir -p $@

install: all
	$(Q)install -D -m 0755 $(BUILD)/bpfmem $(DESTDIR)$(SBINDIR)/bpfmem

# A Debian package (debian/), built from a copy of the tracked files so
# that its clean step leaves this tree's build alone: build/deb/*.deb,
# then lintian over it.
DEB_DIR := $(BUILD)/deb
deb:
	$(Q)./scripts/deps.sh deb
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/bpfmem-$(VERSION)
	$(Q)git ls-files -z --cached --others --exclude-standard | tar -c --null -T - | tar -x -C $(DEB_DIR)/bpfmem-$(VERSION)
	$(Q)cd $(DEB_DIR)/bpfmem-$(VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -30 ../build.log; echo "make deb: dpkg-buildpackage failed: $(DEB_DIR)/build.log"; exit 1; }
	$(Q)lintian --fail-on error $(DEB_DIR)/*.changes
	$(Q)ls $(DEB_DIR)/*.deb

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

-include $(wildcard $(BUILD)/bpf/*.d $(BUILD)/src/*/*.d $(BUILD)/tests/*.d)

# ---------------------------------------------------------------------------
# bpfmemd, the daemon (src/daemon/): sd-event, inih, json-c, libmicrohttpd
# (the Prometheus endpoint). It links the
# collector and renderers of bpfmem (APP_OBJS, PURE_OBJS); none of its own
# sources go into bpfmem.

SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# the unit names the installed binary: written at install time
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d

DAEMON_SRCS := $(wildcard src/daemon/*.c)
DAEMON_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(DAEMON_SRCS))
DAEMON_PKGS := libsystemd inih json-c libmicrohttpd
DAEMON_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DAEMON_PKGS))
DAEMON_LDLIBS = $(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS))

all: $(BUILD)/bpfmemd

$(BUILD)/src/daemon/%.o: src/daemon/%.c $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(APP_CFLAGS) $(DAEMON_CFLAGS) -c $< -o $@

$(BUILD)/bpfmemd: $(DAEMON_OBJS) $(APP_OBJS) $(PURE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ $(DAEMON_LDLIBS) $(LDLIBS) -o $@

# Alert rules over a synthetic ledger: pure evaluation, no kernel.
ALERT_BENCH_OBJS := $(addprefix $(BUILD)/src/daemon/,alert_eval.o \
	alert_source.o alert_rule.o config.o duration.o history.o ledger.o \
	creators.o seen_paths.o)

$(BUILD)/bench/alert_eval: bench/alert_eval.c $(ALERT_BENCH_OBJS) $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(APP_CFLAGS) $(DAEMON_CFLAGS) $(filter %.c %.o,$^) $(DAEMON_LDLIBS) $(LDLIBS) -o $@

bench: $(BUILD)/bench/alert_eval

# Unit tests of the daemon's pure modules link those objects.
DAEMON_TEST = $(call msg,CC,$@) $(CC) $(APP_CFLAGS) $(DAEMON_CFLAGS) \
	$(filter %.c %.o,$^) -lcmocka $(DAEMON_LDLIBS) $(LDLIBS) -o $@

$(BUILD)/tests/test_duration: tests/unit/test_duration.c $(BUILD)/src/daemon/duration.o | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

CONFIG_OBJS := $(BUILD)/src/daemon/config.o $(BUILD)/src/daemon/duration.o \
	$(BUILD)/src/daemon/alert_rule.o $(BUILD)/src/base/names.o

$(BUILD)/tests/test_config: tests/unit/test_config.c $(CONFIG_OBJS) | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_alert_eval: tests/unit/test_alert_eval.c $(BUILD)/src/daemon/alert_eval.o | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_history: tests/unit/test_history.c $(BUILD)/src/daemon/history.o | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_event_log: tests/unit/test_event_log.c $(BUILD)/src/daemon/event_log.o $(BUILD)/src/daemon/creators.o | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_sample_diff: tests/unit/test_sample_diff.c $(BUILD)/src/daemon/sample_diff.o | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_ledger_samples: tests/unit/test_ledger_samples.c $(addprefix $(BUILD)/src/daemon/,ledger.o creators.o seen_paths.o history.o) $(PURE_OBJS) | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_prom_render: tests/unit/test_prom_render.c $(BUILD)/src/daemon/prom_render.o $(PURE_OBJS) | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

$(BUILD)/tests/test_request: tests/unit/test_request.c $(BUILD)/src/daemon/request.o $(BUILD)/src/daemon/duration.o $(PURE_OBJS) | $(BUILD)/tests
	$(Q)$(DAEMON_TEST)

# The integration tests run build/bpfmemd.
$(INTEG_BINS): | $(BUILD)/bpfmemd

.PHONY: install-daemon
install: install-daemon
install-daemon: all
	$(Q)install -D -m 0755 $(BUILD)/bpfmemd $(DESTDIR)$(SBINDIR)/bpfmemd
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)for u in bpfmemd.service bpfmemd.socket bpfmem-prepare.service; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' systemd/$$u.in \
			> $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(Q)install -D -m 0644 systemd/bpfmem.tmpfiles $(DESTDIR)$(TMPFILESDIR)/bpfmem.conf
	$(Q)install -D -m 0644 systemd/bpfmem.sysusers $(DESTDIR)$(SYSUSERSDIR)/bpfmem.conf
	$(Q)install -D -m 0644 docs/man/bpfmem.8 $(DESTDIR)$(MANDIR)/man8/bpfmem.8
	$(Q)install -D -m 0644 docs/man/bpfmemd.8 $(DESTDIR)$(MANDIR)/man8/bpfmemd.8
	$(Q)install -D -m 0644 docs/man/bpfmemd.conf.5 $(DESTDIR)$(MANDIR)/man5/bpfmemd.conf.5
	$(Q)[ -e $(DESTDIR)$(SYSCONFDIR)/bpfmem/bpfmemd.conf ] || \
		install -D -m 0644 systemd/bpfmemd.conf $(DESTDIR)$(SYSCONFDIR)/bpfmem/bpfmemd.conf


# ---------------------------------------------------------------------------
# accuracy harness (tests/accuracy/, issue 3): `make accuracy` measures the
# ground truth of every map type and some program sizes on this machine,
# each in a fresh memory cgroup, beside memlock (root, about 3 minutes).
# Not part of `make test`. ACC_ARGS passes options, e.g. ACC_ARGS='--only hash'.

ACC_DIR := $(BUILD)/accuracy
ACC_BIN := $(BUILD)/tests/accuracy
ACC_JSON ?= $(BUILD)/accuracy.json
ACC_ARGS ?=
ACC_SRCS := $(filter-out %.bpf.c,$(wildcard tests/accuracy/*.c))
ACC_OBJS := $(patsubst tests/accuracy/%.c,$(ACC_DIR)/%.o,$(ACC_SRCS))
ACC_SKELS := $(ACC_DIR)/fill.skel.h $(ACC_DIR)/pcpu.skel.h
# what it shares with bpfmem: fdinfo parsing, type names, the memcg root,
# and the collector with the real-bytes model, asked as bpfmem asks it,
# and the accounting hooks (--traced), or bpfmemd's figures (--daemon)
ACC_SHARED := $(APP_OBJS) $(BUILD)/src/cli/client.o $(JSON_FIND) \
	$(PURE_OBJS)

.PHONY: accuracy
accuracy: deps
	$(Q)$(MAKE) --no-print-directory $(ACC_BIN)
	$(Q)./$(ACC_BIN) --json $(ACC_JSON) $(ACC_ARGS)

$(ACC_DIR)/%.bpf.o: tests/accuracy/%.bpf.c | $(ACC_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(ACC_DIR)/%.skel.h: $(ACC_DIR)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(ACC_DIR)/%.o: tests/accuracy/%.c $(ACC_SKELS) | $(ACC_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -I$(ACC_DIR) -c $< -o $@

$(ACC_BIN): $(ACC_OBJS) $(ACC_SHARED) | $(BUILD)/tests
	$(call msg,LINK,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ $(LDLIBS) -o $@

# The third-party tools' test measures with the harness's instruments:
# the memcg counter, settling, and the per-CPU tracer.
$(BUILD)/tests/test_thirdparty: $(ACC_DIR)/measure.o $(ACC_DIR)/pcpu_trace.o

$(ACC_DIR):
	$(Q)mkdir -p $@

-include $(wildcard $(ACC_DIR)/*.d)

# ---------------------------------------------------------------------------
# libFuzzer targets (tests/fuzz/README.md): the parsers of what bpfmemd and
# bpfmem read from others: socket requests, the configuration and its alert
# rules, durations and sizes, fdinfo, cgroup paths. clang with
# -fsanitize=fuzzer,address,undefined (libclang-rt-14-dev: `scripts/deps.sh
# fuzz`); `make fuzz FUZZ_SECONDS=N` runs each target N seconds from its
# seed corpus (tests/fuzz/corpus/NAME/, never written to); `make
# fuzz-regress` runs each over its corpus once, crash inputs included.

.PHONY: fuzz fuzz-build fuzz-regress
FUZZ_SECONDS ?= 10
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := address,undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	-std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-DBPFMEM_VERSION='"$(VERSION)"' -Iinclude -Isrc
FUZZ_TARGETS := request config duration fdinfo cgroup_owner
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
fuzz_objs = $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(1))

$(FUZZ_DIR)/obj/%.o: src/%.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(DAEMON_CFLAGS) \
		-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/fuzz_request: $(call fuzz_objs,src/daemon/request.c src/daemon/duration.c $(PURE_SRCS))
$(FUZZ_DIR)/fuzz_config: $(call fuzz_objs,src/daemon/config.c src/daemon/alert_rule.c src/daemon/duration.c src/base/names.c)
$(FUZZ_DIR)/fuzz_duration: $(call fuzz_objs,src/daemon/duration.c src/daemon/alert_rule.c src/base/names.c)
$(FUZZ_DIR)/fuzz_fdinfo: $(call fuzz_objs,src/base/fdinfo.c)
$(FUZZ_DIR)/fuzz_cgroup_owner: $(call fuzz_objs,src/base/cgroup_owner.c)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c
	$(call msg,FUZZ-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(DAEMON_CFLAGS) \
		-fsanitize=fuzzer,$(FUZZ_SAN) $(filter %.c %.o,$^) $(DAEMON_LDLIBS) $(LDLIBS) -o $@

fuzz-build:
	$(Q)./scripts/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)./tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	$(Q)./tests/fuzz/run $(FUZZ_DIR) 0 $(FUZZ_TARGETS)

-include $(wildcard $(FUZZ_DIR)/obj/*.d $(FUZZ_DIR)/obj/*/*.d)
