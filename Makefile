# SPDX-License-Identifier: GPL-2.0
# bpfmem: `make` builds build/bpfmem; `make run` shows the report;
# `make test` runs every test. Quiet unless V=1.

VERSION := 0.1.0
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
APP_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -MMD -MP \
	-D_GNU_SOURCE -DBPFMEM_VERSION='"$(VERSION)"' \
	-Iinclude -Isrc -I$(BUILD)
LDLIBS := -lbpf -lelf -lz

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps run test test-unit test-integration bench vmlinux clean install

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

# Modules with no BPF or kernel dependency; unit tests link these alone.
PURE_SRCS := src/format.c src/names.c src/sort.c src/fdinfo.c src/inventory.c src/memcg.c src/log.c src/json_writer.c src/cgroup_owner.c src/cgroups.c src/pins.c
APP_SRCS := $(filter-out $(PURE_SRCS) src/main.c,$(wildcard src/*.c))
PURE_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(PURE_SRCS))
APP_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(APP_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(INTEG_SRCS))
INTEG_HELPERS := $(BUILD)/tests/helpers.o
MKOBJS := $(BUILD)/tests/mkobjs

all: $(BUILD)/bpfmem

deps:
	$(Q)./scripts/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./$(BUILD)/bpfmem report

test: deps
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)./tests/run.sh $(UNIT_BINS) $(INTEG_BINS)

test-unit: $(UNIT_BINS)
	$(Q)./tests/run.sh $(UNIT_BINS)

test-integration: all $(INTEG_BINS) $(MKOBJS)
	$(Q)./tests/run.sh $(INTEG_BINS)

.PHONY: tests-build
tests-build: $(UNIT_BINS) $(INTEG_BINS) $(MKOBJS)

bench: all $(MKOBJS)
	$(Q)./bench/inventory

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

# Names the pinned iterators of this build (src/collector.c): a digest of
# the BPF object, so another build's record layout is never read.
$(BUILD)/inventory_id.h: $(BUILD)/bpf/inventory.bpf.o
	$(call msg,GEN,$@)
	$(Q)printf '#define INVENTORY_OBJ_ID "%s"\n' \
		"$$(sha256sum $< | cut -c1-16)" > $@

$(BUILD)/src/collector.o: $(BUILD)/inventory_id.h

$(BUILD)/src/%.o: src/%.c | $(BUILD)/src
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -c $< -o $@

# Sources that include a skeleton wait for all of them.
$(APP_OBJS) $(BUILD)/src/main.o: $(SKELS)

$(BUILD)/bpfmem: $(BUILD)/src/main.o $(APP_OBJS) $(PURE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/fixture.bpf.o: tests/fixtures/fixture.bpf.c | $(BUILD)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/fixture.skel.h: $(BUILD)/tests/fixture.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(MKOBJS): tests/fixtures/mkobjs.c $(BUILD)/tests/fixture.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -I$(BUILD)/tests $< $(LDLIBS) -o $@

$(INTEG_HELPERS): tests/integration/helpers.c | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) -c $< -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(PURE_OBJS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ -lcmocka $(LDLIBS) -o $@

$(BUILD)/tests/test_%: tests/integration/test_%.c $(INTEG_HELPERS) $(APP_OBJS) $(PURE_OBJS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(APP_CFLAGS) $^ -lcmocka -ljson-c $(LDLIBS) -o $@

$(BUILD)/bpf $(BUILD)/src $(BUILD)/tests:
	$(Q)mkdir -p $@

install: all
	$(Q)install -D -m 0755 $(BUILD)/bpfmem $(DESTDIR)$(PREFIX)/sbin/bpfmem

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

-include $(wildcard $(BUILD)/bpf/*.d $(BUILD)/src/*.d $(BUILD)/tests/*.d)
