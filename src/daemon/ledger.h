/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger: the latest inventory with what the daemon adds to it (the
 * creators the lifecycle hooks saw), the system totals and the figures per
 * memory cgroup. Replaced whole by every sample; requests only read it.
 */
#ifndef BPFMEMD_LEDGER_H
#define BPFMEMD_LEDGER_H

#include "model/cgroups.h"
#include "daemon/creators.h"
#include "daemon/history.h"
#include "collect/collector.h"
#include "inventory/inventory.h"
#include "daemon/seen_paths.h"
#include "report/sort.h"

struct ledger_totals {
	__u64 maps;
	__u64 progs;
	__u64 maps_memlock;
	__u64 progs_memlock;
	__u64 progs_jited;
};

struct ledger {
	struct inventory inv;	/* maps and progs in ascending id */
	struct ledger_totals totals;
	struct cgroup_rollup cgroups;	/* as `bpfmem cgroups` builds it */
	/* copies of the create events map_info.creator and
	 * prog_info.creator point to */
	struct bpfmem_event *creators;
	/* memcg paths seen alive, kept across samples; memcg_seen_path of
	 * the objects points into it */
	struct seen_paths seen;
	__u64 creators_changes;	/* creators.changes when they were added */
	__u64 time_ms;		/* wall clock of the sample */
	__u64 samples;		/* taken since start */
	/* what the last sample read (pipeline_sample()): everything, only
	 * the memory cgroups' counters (PROBE_SAME: its objects were the
	 * sample's before), or those and the maps whose records changed
	 * (PROBE_MAPS_CHANGED); PROBE_OTHER for everything */
	enum probe_found read;
	/* the maps that sample patched, ascending id (ledger_record()) */
	__u32 *patched;
	size_t nr_patched;
	/* the maps in map_order_sort's order, until the maps or their
	 * figures change (ledger_map_order()); NULL when not asked */
	const struct map_info **map_order;
	struct sort_spec map_order_sort;
};

/* Takes inv over (the old inventory is freed). 0 or -ENOMEM, when the
 * ledger is left as it was and inv freed. */
int ledger_update(struct ledger *l, struct inventory *inv,
		  const struct creators *creators, __u64 time_ms);
/* A sample that found the objects of the last (pipeline_sample()): the
 * memory cgroups' counters of counters replace the ledger's, and each
 * cgroup's are read again. Takes counters over. 0, or -ENOMEM when the
 * create events read since could not be added (the rest is done). */
int ledger_refresh(struct ledger *l, struct inventory *counters,
		   const struct creators *creators, __u64 time_ms);
/* A sample that found the objects of the last, but some maps' records
 * changed (PROBE_MAPS_CHANGED): as ledger_refresh(), and those maps'
 * records, memlock and real bytes replace the ledger's, with the totals
 * and the figures per cgroup. Where a map is not in the ledger or moved
 * to another memory cgroup, only ledger_refresh() is done, and -EAGAIN
 * returned. Takes changed over. 0, -EAGAIN or -ENOMEM: after an error
 * the next sample must collect everything. */
int ledger_patch(struct ledger *l, struct inventory *changed,
		 const struct creators *creators, __u64 time_ms);
void ledger_free(struct ledger *l);
/* Every map of the ledger in spec's order, sorted once for the requests
 * until the next sample changes the maps or their figures: a tenth of
 * an answer listing 10,000 maps was the sort. Valid until then; NULL
 * when out of memory. */
const struct map_info *const *ledger_map_order(struct ledger *l,
					       struct sort_spec spec);
/* Adds the ledger's figures to the history as its newest sample. */
int ledger_record(const struct ledger *l, struct history *h);

#endif
