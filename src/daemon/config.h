/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfmemd.conf: an INI file with the sections [daemon] and [prometheus],
 * and one [alert:NAME] section a rule (alert_rule.h). The command line
 * sets the keys of [daemon] and wins over the file.
 */
#ifndef BPFMEMD_CONFIG_H
#define BPFMEMD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "daemon/alert_rule.h"
#include "collect/lifecycle.h"

#define CONFIG_DEFAULT_PATH "/etc/bpfmem/bpfmemd.conf"
#define CONFIG_DEFAULT_SOCKET "/run/bpfmem/bpfmemd.sock"
#define CONFIG_DEFAULT_STATE_DIR "/var/lib/bpfmem"
/* the group whose members may use the socket, and the user that alert
 * exec hooks run as unless their rule names another */
#define CONFIG_DEFAULT_GROUP "bpfmem"
#define CONFIG_DEFAULT_HOOK_USER "bpfmem"

#define CONFIG_INTERVAL_MIN_MS 100
#define CONFIG_INTERVAL_MAX_MS (3600 * 1000)
#define CONFIG_HISTORY_MAX_MS (7 * 86400 * 1000ULL)
#define CONFIG_WALK_INTERVAL_MS (10 * 1000)
#define CONFIG_MAX_HOOKS_LIMIT 1000
/* max_unread: an answer of a few thousand maps at least, 64 GiB at most */
#define CONFIG_MAX_UNREAD_MIN (1ull << 20)
#define CONFIG_MAX_UNREAD_MAX (64ull << 30)

/* The accounting hooks' address table: entries (docs/man/bpfmemd.conf.5) */
#define CONFIG_TRACED_ALLOCATIONS_MIN 1024
#define CONFIG_TRACED_ALLOCATIONS_MAX (16u << 20)

/* Bounds the history's sample ring (8 bytes a sample, plus changes). */
#define CONFIG_HISTORY_MAX_SAMPLES 100000

struct config {
	uint64_t interval_ms;
	uint64_t history_ms;
	/* how long the walk of every open file (holders) is reused while
	 * nothing says it changed; 0: both walks, holders and memory cgroup
	 * paths, at every sample */
	uint64_t walk_interval_ms;
	/* a snapshot every this many samples, or every this long; both 0:
	 * only on SIGUSR1 and request */
	unsigned int snapshot_every;
	uint64_t snapshot_every_ms;
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char state_dir[PATH_MAX];
	char group[HOOK_USER_NAME_MAX + 1];
	char hook_user[HOOK_USER_NAME_MAX + 1];
	/* exec hooks of alert rules running at once; more wait */
	unsigned int max_hooks;
	/* bytes of answers queued for clients that have not read them, all
	 * clients together (src/daemon/server.h) */
	uint64_t max_unread;
	/* which lifecycle hooks record creators and events: the tracepoint
	 * backend taxes every syscall on the host, so auto never takes it */
	enum lifecycle_backend lifecycle;
	/* the accounting hooks attached (bytes_traced); they slow down
	 * allocation-heavy work (bench/RESULTS.md) */
	bool trace_allocations;
	/* live allocations the hooks can track at once: the size of their
	 * preallocated address table; past it bytes_traced is null */
	unsigned int traced_allocations;
	struct alert_rules alerts;	/* owned: config_free() */
	/* [prometheus]: the endpoint's address as written ("" off) and
	 * parsed, node_exporter's textfile ("" off), the series bound */
	char prom_listen[64];
	struct sockaddr_storage prom_addr;
	socklen_t prom_addr_len;
	char prom_textfile[PATH_MAX];
	unsigned int prom_max_series;
};

/* A key set on the command line: it wins over the file. */
struct config_override {
	const char *key;
	const char *option;	/* "--interval", for messages */
	const char *value;
};

void config_defaults(struct config *c);
/*
 * The configuration in force: defaults, then path (which may be missing
 * unless must_exist), then the overrides, checked. 0 or -errno with the
 * message naming file, line and key (or option) in msg; on failure
 * nothing is left to free.
 */
int config_read(struct config *c, const char *path, bool must_exist,
		const struct config_override *o, size_t nr_overrides,
		char *msg, size_t size);
void config_free(struct config *c);
/* Samples the history keeps: history / interval, and the newest. */
size_t config_history_samples(const struct config *c);
/* The `lifecycle` value's name: "auto", "fentry", "tracepoint", "off". */
const char *config_lifecycle_name(enum lifecycle_backend b);

#endif
