/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bpfmem top`: the live view on a terminal (ncurses), or plain text
 * frames when stdout is not a terminal.
 */
#ifndef BPFMEM_TOP_H
#define BPFMEM_TOP_H

#include "collect/collector.h"
#include "report/top_view.h"

struct top_opts {
	struct top_state state;	/* view, sort key, delay to start with */
	unsigned long iterations;	/* frames before exiting; 0: until q */
	const char *socket;	/* bpfmemd's socket; NULL: in-process only */
	struct collector_opts copts;
};

/* Runs until q, a signal or the iterations are done; the exit status
 * (enum bpfmem_exit), after printing what went wrong. */
int top_run(const struct top_opts *o);

#endif
