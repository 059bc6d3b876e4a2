/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle events from two successive samples, for when no lifecycle
 * hooks run (bpfmemd.conf `lifecycle`: auto where the kernel refuses
 * fentry, or off): an object in the new sample and not in the old one
 * was created, one in the old and not in the new was freed. At sample
 * granularity: an object that lives between two samples is never seen,
 * the creator is unknown (null) and the time is the sample's.
 */
#ifndef BPFMEMD_SAMPLE_DIFF_H
#define BPFMEMD_SAMPLE_DIFF_H

#include "daemon/event_log.h"
#include "inventory/inventory.h"

typedef void (*sample_diff_cb)(void *ctx, const struct event_entry *e);

/* Calls cb for every map, then every program, created or freed from
 * before to now (both in ascending id, as the ledger keeps them): frees
 * carry the last sampled figures, creations the new ones. An id seen
 * again at another address is a free and a creation. */
void sample_diff(const struct inventory *before, const struct inventory *now,
		 __u64 time_ms, sample_diff_cb cb, void *ctx);

#endif
