/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `bpfmem top` shows, as text: one frame of rows (maps, programs or
 * memory cgroups) sorted by a key, the totals above them and each row's
 * share as a bar. Pure: the terminal (src/cli/top.c) and the plain output
 * both print these lines.
 */
#ifndef BPFMEM_TOP_VIEW_H
#define BPFMEM_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <linux/types.h>

enum top_view {
	TOP_MAPS,
	TOP_PROGS,
	TOP_CGROUPS,
	TOP_NR_VIEWS,
};

enum top_key {
	TOP_BY_REAL,
	TOP_BY_MEMLOCK,
	TOP_BY_FILL,		/* maps: fill; programs: JIT size; cgroups: objects */
	TOP_BY_NAME,
	TOP_BY_ID,
	TOP_NR_KEYS,
};

struct top_row {
	__u64 id;
	char *name;		/* owned; a cgroup's path, NULL when removed */
	char type[40];		/* maps, programs: type; cgroups: owner */
	__u64 memlock, real;
	bool has_memlock, has_real;
	bool own;		/* bpfmem's own (--own): its id marked * */
	union {
		struct {
			__u64 elements, max_entries;
			bool has_elements;
		} map;
		struct {
			__u64 jited, xlated;
		} prog;
		struct {
			__u32 maps, progs;
			__u64 usage, limit;
			bool has_usage, has_limit;
		} cg;
	};
};

/* A view's figures over all its objects. */
struct top_totals {
	size_t n;
	size_t with_real;	/* objects the model covers */
	__u64 memlock, real, jited;
};

/* One collection, from the daemon or in-process. */
struct top_frame {
	struct top_row *rows[TOP_NR_VIEWS];
	size_t nr_rows[TOP_NR_VIEWS];
	size_t cap[TOP_NR_VIEWS];
	/* Views of which the source sent only the first rows in the order
	 * of the state it was asked for (the daemon sorted them), with the
	 * totals of all: a screen shows a few of 100,000 maps. */
	bool partial[TOP_NR_VIEWS];
	struct top_totals totals[TOP_NR_VIEWS];	/* where partial */
	char source[160];	/* where the figures come from */
	char note[320];		/* what went wrong, "" when nothing */
	time_t time;
};

/* A new row of view v, zeroed; NULL when out of memory. */
struct top_row *top_frame_add(struct top_frame *f, enum top_view v);
void top_frame_clear(struct top_frame *f);

struct top_state {
	enum top_view view;
	enum top_key key;
	bool descending;
	bool paused;
	double delay;		/* seconds between refreshes */
	bool keys_help;		/* the help line at the bottom */
	size_t first;		/* the row at the top of the table */
	size_t page;		/* rows that fit, as last rendered */
};

/* The default state: maps by real bytes, largest first. */
struct top_state top_state_default(void);
/* Selects key, from the top row; the same key again reverses the
 * order. */
void top_state_sort_by(struct top_state *s, enum top_key key);
/* The next delay on the ladder above or below the current one. */
double top_delay_step(double delay, int direction);
/* "real", "memlock", "fill", "name", "id"; -1 for anything else. */
int top_key_from_name(const char *name);

/* Sorts the rows of view v; unknown figures last, ties by id. */
void top_sort(struct top_row *rows, size_t n, enum top_view v,
	      enum top_key key, bool descending);

enum top_style {
	TOP_TEXT,
	TOP_HEADING,		/* the column titles */
	TOP_ALERT,		/* a note about the source */
};

struct top_line {
	enum top_style style;
	char *text;
};

struct top_lines {
	struct top_line *line;
	size_t n, cap;
};

/*
 * Lays out frame f for a screen width x height (width 0: as wide as the
 * rows need, height 0: every row; no help line), from row s->first
 * (brought back within the rows; s->page is set to the rows shown). Sorts
 * the frame's rows of the current view. 0 or -ENOMEM.
 */
int top_render(struct top_frame *f, struct top_state *s, int width,
	       int height, struct top_lines *out);
void top_lines_free(struct top_lines *l);

#endif
