/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON of what only the daemon has: totals, memory cgroups, lifecycle
 * events, history points, the snapshot document. Maps, programs and
 * memory cgroups are written by src/report/json_objects.h, as
 * `bpfmem --json` writes them.
 */
#ifndef BPFMEMD_RENDER_H
#define BPFMEMD_RENDER_H

#include "collect/collector.h"
#include "daemon/event_log.h"
#include "daemon/history.h"
#include "base/json_writer.h"
#include "daemon/ledger.h"

#define SNAPSHOT_SCHEMA_VERSION 1

struct host_info {
	char host[256];
	char kernel[128];
	/* the collector's, copied after each sample: the collection thread
	 * updates its own while requests are answered */
	struct features features;
	bool lifecycle;		/* lifecycle events are being recorded */
	bool accounting;	/* the accounting hooks run (bytes_traced) */
};

void json_totals(struct json_writer *w, const struct ledger_totals *t);
void json_event(struct json_writer *w, const struct event_entry *e);
/* One history point of an object of kind k. */
void json_hist_point(struct json_writer *w, enum hist_kind k, __u64 time_ms,
		     const __u64 *v);
/* The snapshot document (docs/PROTOCOL.md): the whole ledger. */
void json_snapshot(struct json_writer *w, const struct ledger *l,
		   const struct host_info *h);

#endif
