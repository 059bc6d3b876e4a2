/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded log of lifecycle events (BPF objects created and freed). Every
 * event gets a cursor one above the previous one; clients ask for the
 * events after the last cursor they saw and learn how many they missed
 * when the log wrapped.
 */
#ifndef BPFMEMD_EVENT_LOG_H
#define BPFMEMD_EVENT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

#define EVENT_LOG_SIZE 8192

struct event_entry {
	__u64 cursor;
	__u64 time_ms;		/* wall clock */
	__u64 bytes_memlock;	/* at creation, or last sampled before free */
	bool has_bytes;
	struct bpfmem_event ev;
};

struct event_log {
	struct event_entry *ring;
	size_t cap;
	__u64 last;		/* cursor of the newest event, 0 when none */
};

int event_log_init(struct event_log *l, size_t cap);
void event_log_free(struct event_log *l);
/* Adds a copy of e with the next cursor; returns the entry, valid until
 * the next add. */
struct event_entry *event_log_add(struct event_log *l,
				  const struct event_entry *e);
/* The oldest entry still held with a cursor above since, or NULL; *lost
 * counts the events above since that the log no longer holds. */
const struct event_entry *event_log_after(const struct event_log *l,
					  __u64 since, __u64 *lost);
/* The entry after e, or NULL. */
const struct event_entry *event_log_next(const struct event_log *l,
					 const struct event_entry *e);
#endif
