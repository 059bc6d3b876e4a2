/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where `bpfmem top` gets its figures: bpfmemd's latest sample when its
 * socket answers, an in-process collection otherwise, switching either
 * way as the daemon comes and goes.
 */
#ifndef BPFMEM_TOP_SOURCE_H
#define BPFMEM_TOP_SOURCE_H

#include <stdbool.h>
#include "cli/client.h"
#include "collect/collector.h"
#include "report/top_view.h"

struct top_source {
	const char *socket;		/* NULL: collect in-process only */
	struct collector_opts copts;
	struct conn conn;
	bool connected;
	bool had_daemon;		/* it answered once this session */
	struct collector *collector;	/* made on first need */
};

/* What a screen shows: from the daemon, only the maps it needs. */
struct top_want {
	enum top_view view;
	enum top_key key;
	bool descending;
	size_t rows;		/* from the top of that order */
};

void top_source_init(struct top_source *s, const char *socket,
		     const struct collector_opts *copts);
/* The screen's want: its state, and the rows to its bottom. */
struct top_want top_want_of(const struct top_state *st, size_t screen_rows);
/*
 * Clears f and fills it with a new collection; want NULL asks for every
 * object, as plain frames print them. 0, or -errno when neither
 * source gave figures: f->note says why and *exit_code which kind of
 * failure (enum bpfmem_exit). f->note also tells when the daemon stopped
 * answering and the figures were collected in-process.
 */
int top_source_fetch(struct top_source *s, const struct top_want *want,
		     struct top_frame *f, int *exit_code);
void top_source_free(struct top_source *s);

#endif
