/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfmemd's state and main loop: sampling on a timer, lifecycle events from
 * the ring buffer, the socket server, snapshots, signals and systemd.
 */
#ifndef BPFMEMD_DAEMON_H
#define BPFMEMD_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>
#include "collect/collector.h"
#include "daemon/alerts.h"
#include "daemon/config.h"
#include "daemon/creators.h"
#include "daemon/event_log.h"
#include "daemon/history.h"
#include "daemon/ledger.h"
#include "collect/accounting.h"
#include "collect/lifecycle.h"
#include "daemon/privileges.h"
#include "daemon/prom_export.h"
#include "daemon/render.h"
#include "daemon/server.h"

#define MAX_OVERRIDES 8

struct bpfmemd {
	/* where the configuration comes from */
	const char *config_path;
	bool config_given;	/* --config: a missing file is an error */
	struct config_override overrides[MAX_OVERRIDES];
	size_t nr_overrides;
	struct config cfg;	/* in force */

	sd_event *event;
	sd_event_source *timer;
	__u64 next_sample_usec;	/* CLOCK_MONOTONIC */
	struct collector *collector;
	/* the collection running on its own thread (daemon.c) */
	pthread_t worker;
	bool worker_running;
	int worker_fd;		/* eventfd: the collection ended */
	sd_event_source *worker_io;
	struct inventory worker_inv;
	bool worker_may_probe;		/* pipeline_sample(), or collect */
	enum probe_found worker_found;
	int worker_err;
	__u64 worker_start;	/* CLOCK_MONOTONIC ns */
	struct lifecycle *lifecycle;	/* NULL when the hooks failed */
	/* accounting hooks (bytes_traced); NULL when they failed */
	struct accounting *accounting;
	struct creators creators;
	struct ledger ledger;
	struct history history;
	struct event_log events;
	struct alerts alerts;
	bool alerts_open;
	struct server *server;
	struct prom_export prom;
	struct host_info host;
	struct privileges privileges;	/* what it kept after start-up */
	gid_t gid;		/* group bpfmem, or (gid_t)-1 */
	bool socket_bound;	/* bound here: removed at exit */
	char socket_path[sizeof(((struct config *)0)->socket)];
	unsigned int since_snapshot;	/* samples */
	__u64 snapshot_ns;		/* CLOCK_MONOTONIC of the last one */
	int ready_fd;		/* closed once serving (main.c's detach) */
};

/* Runs until SIGTERM or SIGINT; the process's exit status. */
int daemon_run(struct bpfmemd *d);
/* Writes STATE_DIR/snapshot.json now; 0 or -errno (logged). */
int daemon_snapshot(struct bpfmemd *d, size_t *bytes);

#endif
