// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/format.h"
#include "report/top_view.h"

#define NAME_MIN 12
#define NAME_WANTED 30		/* columns go before the name is cut below */
#define BAR_MIN 8
#define BAR_MAX 40
#define BAR_PLAIN 20
#define LINE_MAX_CHARS 4096

static const char *const view_names[TOP_NR_VIEWS] = {
	[TOP_MAPS] = "maps",
	[TOP_PROGS] = "programs",
	[TOP_CGROUPS] = "cgroups",
};

static const char *const key_names[TOP_NR_KEYS] = {
	[TOP_BY_REAL] = "real",
	[TOP_BY_MEMLOCK] = "memlock",
	[TOP_BY_FILL] = "fill",
	[TOP_BY_NAME] = "name",
	[TOP_BY_ID] = "id",
};

/* What the fill key sorts by in each view. */
static const char *const fill_names[TOP_NR_VIEWS] = {
	[TOP_MAPS] = "fill",
	[TOP_PROGS] = "jited",
	[TOP_CGROUPS] = "objects",
};

static const double delays[] = { 0.2, 0.5, 1, 2, 3, 5, 10, 30, 60, 300 };
#define NR_DELAYS (sizeof(delays) / sizeof(delays[0]))

struct top_row *top_frame_add(struct top_frame *f, enum top_view v)
{
	if (f->nr_rows[v] == f->cap[v]) {
		size_t cap = f->cap[v] ? 2 * f->cap[v] : 64;
		struct top_row *bigger = realloc(f->rows[v], cap * sizeof(*bigger));

		if (!bigger)
			return NULL;
		f->rows[v] = bigger;
		f->cap[v] = cap;
	}
	f->rows[v][f->nr_rows[v]] = (struct top_row){};
	return &f->rows[v][f->nr_rows[v]++];
}

void top_frame_clear(struct top_frame *f)
{
	for (int v = 0; v < TOP_NR_VIEWS; v++) {
		for (size_t i = 0; i < f->nr_rows[v]; i++)
			free(f->rows[v][i].name);
		free(f->rows[v]);
	}
	*f = (struct top_frame){};
}

struct top_state top_state_default(void)
{
	return (struct top_state){
		.view = TOP_MAPS,
		.key = TOP_BY_REAL,
		.descending = true,
		.delay = 2,
		.keys_help = true,
	};
}

void top_state_sort_by(struct top_state *s, enum top_key key)
{
	s->first = 0;
	if (s->key == key) {
		s->descending = !s->descending;
		return;
	}
	s->key = key;
	/* sizes largest first, names and ids ascending */
	s->descending = key != TOP_BY_NAME && key != TOP_BY_ID;
}

double top_delay_step(double delay, int direction)
{
	if (direction > 0) {
		for (size_t i = 0; i < NR_DELAYS; i++)
			if (delays[i] > delay + 1e-9)
				return delays[i];
		return delays[NR_DELAYS - 1];
	}
	for (size_t i = NR_DELAYS; i-- > 0;)
		if (delays[i] < delay - 1e-9)
			return delays[i];
	return delays[0];
}

int top_key_from_name(const char *name)
{
	for (int k = 0; k < TOP_NR_KEYS; k++)
		if (!strcmp(name, key_names[k]))
			return k;
	return -1;
}

/* The figure the fill key sorts by; false when unknown. */
static bool fill_value(const struct top_row *r, enum top_view v, double *out)
{
	switch (v) {
	case TOP_MAPS:
		if (!r->map.has_elements || !r->map.max_entries)
			return false;
		*out = (double)r->map.elements / r->map.max_entries;
		return true;
	case TOP_PROGS:
		*out = r->prog.jited;
		return true;
	default:
		*out = (double)r->cg.maps + r->cg.progs;
		return true;
	}
}

struct sort_ctx {
	enum top_view view;
	enum top_key key;
	bool descending;
};

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct top_row *a = pa, *b = pb;
	const struct sort_ctx *c = arg;
	bool ka, kb;
	int d = 0;
	double fa = 0, fb = 0;

	switch (c->key) {
	case TOP_BY_REAL:
		ka = a->has_real, kb = b->has_real;
		d = cmp_u64(a->real, b->real);
		break;
	case TOP_BY_MEMLOCK:
		ka = a->has_memlock, kb = b->has_memlock;
		d = cmp_u64(a->memlock, b->memlock);
		break;
	case TOP_BY_FILL:
		ka = fill_value(a, c->view, &fa);
		kb = fill_value(b, c->view, &fb);
		d = (fa > fb) - (fa < fb);
		break;
	case TOP_BY_NAME:
		ka = a->name, kb = b->name;
		d = ka && kb ? strcmp(a->name, b->name) : 0;
		break;
	default:
		ka = kb = true;
		d = cmp_u64(a->id, b->id);
		break;
	}
	/* unknown figures last whichever the order */
	if (ka != kb)
		return ka ? -1 : 1;
	if (ka && d)
		return c->descending ? -d : d;
	return cmp_u64(a->id, b->id);
}

void top_sort(struct top_row *rows, size_t n, enum top_view v,
	      enum top_key key, bool descending)
{
	struct sort_ctx c = { v, key, descending };

	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), cmp_rows, &c);
}

/* Columns: a title, a width (0: the name, which takes what is left) and
 * whether it goes first when the screen is too narrow. */
struct column {
	const char *title;
	int width;
	bool left;
	bool optional;
	void (*cell)(const struct top_row *r, char *buf, size_t size);
};

static void bytes_or_dash(bool known, __u64 v, char *buf, size_t size)
{
	if (known)
		format_bytes(v, buf, size);
	else
		snprintf(buf, size, "-");
}

static void cell_id(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%llu%s", (unsigned long long)r->id, r->own ? "*" : "");
}

static void cell_name(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%s", r->name ? r->name : "(removed)");
}

static void cell_type(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%s", r->type[0] ? r->type : "-");
}

static void cell_memlock(const struct top_row *r, char *b, size_t n)
{
	bytes_or_dash(r->has_memlock, r->memlock, b, n);
}

static void cell_real(const struct top_row *r, char *b, size_t n)
{
	bytes_or_dash(r->has_real, r->real, b, n);
}

static void cell_elements(const struct top_row *r, char *b, size_t n)
{
	if (r->map.has_elements)
		snprintf(b, n, "%llu", (unsigned long long)r->map.elements);
	else
		snprintf(b, n, "-");
}

static void cell_max(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%llu", (unsigned long long)r->map.max_entries);
}

static void cell_fill(const struct top_row *r, char *b, size_t n)
{
	double f;

	format_ratio(fill_value(r, TOP_MAPS, &f) ? f : -1, b, n);
}

static void cell_jited(const struct top_row *r, char *b, size_t n)
{
	format_bytes(r->prog.jited, b, n);
}

static void cell_xlated(const struct top_row *r, char *b, size_t n)
{
	format_bytes(r->prog.xlated, b, n);
}

static void cell_cg_maps(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%u", r->cg.maps);
}

static void cell_cg_progs(const struct top_row *r, char *b, size_t n)
{
	snprintf(b, n, "%u", r->cg.progs);
}

static void cell_usage(const struct top_row *r, char *b, size_t n)
{
	bytes_or_dash(r->cg.has_usage, r->cg.usage, b, n);
}

static void cell_limit(const struct top_row *r, char *b, size_t n)
{
	bytes_or_dash(r->cg.has_limit, r->cg.limit, b, n);
}

#define MAX_COLUMNS 10

static const struct column columns[TOP_NR_VIEWS][MAX_COLUMNS] = {
	[TOP_MAPS] = {
		{ "ID", 7, false, false, cell_id },
		{ "NAME", 0, true, false, cell_name },
		{ "TYPE", 16, true, true, cell_type },
		{ "MEMLOCK", 9, false, false, cell_memlock },
		{ "REAL", 9, false, false, cell_real },
		{ "ELEMENTS", 9, false, true, cell_elements },
		{ "MAX", 9, false, true, cell_max },
		{ "FILL", 5, false, false, cell_fill },
	},
	[TOP_PROGS] = {
		{ "ID", 7, false, false, cell_id },
		{ "NAME", 0, true, false, cell_name },
		{ "TYPE", 16, true, true, cell_type },
		{ "MEMLOCK", 9, false, false, cell_memlock },
		{ "REAL", 9, false, false, cell_real },
		{ "JITED", 9, false, false, cell_jited },
		{ "XLATED", 9, false, true, cell_xlated },
	},
	[TOP_CGROUPS] = {
		{ "ID", 7, false, true, cell_id },
		{ "CGROUP", 0, true, false, cell_name },
		{ "OWNER", 20, true, true, cell_type },
		{ "MAPS", 5, false, false, cell_cg_maps },
		{ "PROGS", 5, false, false, cell_cg_progs },
		{ "MEMLOCK", 9, false, false, cell_memlock },
		{ "REAL", 9, false, false, cell_real },
		{ "USAGE", 9, false, true, cell_usage },
		{ "LIMIT", 9, false, true, cell_limit },
	},
};

static int nr_columns(enum top_view v)
{
	int n = 0;

	while (n < MAX_COLUMNS && columns[v][n].title)
		n++;
	return n;
}

struct layout {
	bool shown[MAX_COLUMNS];
	int id_width;		/* its column's width at least */
	int name_width;
	int bar_width;
};

/* A column's width in this layout: the name's is what is left; the id's
 * grows to the longest id with its own mark (ids pass a million on hosts
 * that load many objects). */
static int col_width(const struct column *col, const struct layout *l)
{
	if (col->cell == cell_id)
		return l->id_width;
	return col->width ? col->width : l->name_width;
}

/* Which columns fit in width, how wide the name and the bar are. */
static void lay_out(const struct top_frame *f, enum top_view v, int width,
		    struct layout *l)
{
	int n = nr_columns(v), fixed = 0, longest = 4;
	/* the share column: "100.0% " and the bar */
	const int share_text = 7;

	l->id_width = columns[v][0].width;
	l->name_width = 0;
	for (size_t i = 0; i < f->nr_rows[v]; i++) {
		const char *name = f->rows[v][i].name;
		int len = name ? (int)strlen(name) : 9;
		char id[32];

		if (len > longest)
			longest = len;
		cell_id(&f->rows[v][i], id, sizeof(id));
		if ((int)strlen(id) > l->id_width)
			l->id_width = strlen(id);
	}
	if (longest > LINE_MAX_CHARS / 2)
		longest = LINE_MAX_CHARS / 2;
	for (int c = 0; c < n; c++) {
		l->shown[c] = true;
		fixed += columns[v][c].width ? col_width(&columns[v][c], l) + 1 :
					       0;
	}
	if (!width) {
		l->name_width = longest;
		l->bar_width = BAR_PLAIN;
		return;
	}
	/* drop optional columns, rightmost first, until name and bar fit */
	int wanted = longest < NAME_WANTED ? longest : NAME_WANTED;

	for (int c = n - 1; c >= 0; c--) {
		if (fixed + wanted + 1 + share_text + BAR_MIN <= width)
			break;
		if (columns[v][c].optional) {
			l->shown[c] = false;
			fixed -= col_width(&columns[v][c], l) + 1;
		}
	}
	l->name_width = width - fixed - 1 - share_text - BAR_MIN;
	if (l->name_width > longest)
		l->name_width = longest;
	if (l->name_width < NAME_MIN)
		l->name_width = NAME_MIN;
	l->bar_width = width - fixed - l->name_width - 1 - share_text;
	if (l->bar_width > BAR_MAX)
		l->bar_width = BAR_MAX;
	if (l->bar_width < 0)
		l->bar_width = 0;
}

static int add_line(struct top_lines *out, enum top_style style, int width,
		    const char *fmt, ...)
{
	char buf[LINE_MAX_CHARS];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (width > 0 && width < (int)sizeof(buf))
		buf[width] = '\0';
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 64;
		struct top_line *bigger = realloc(out->line, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		out->line = bigger;
		out->cap = cap;
	}
	out->line[out->n].style = style;
	out->line[out->n].text = strdup(buf);
	if (!out->line[out->n].text)
		return -ENOMEM;
	out->n++;
	return 0;
}

void top_lines_free(struct top_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i].text);
	free(l->line);
	*l = (struct top_lines){};
}

/* Appends text cut or padded to w; paths keep their end. */
static size_t put_cell(char *buf, size_t at, size_t size, const char *text,
		       int w, bool left, bool keep_end)
{
	int len = strlen(text);

	if (at >= size)
		return at;
	if (len > w && keep_end && w > 3)
		at += snprintf(buf + at, size - at, "...%s", text + len - (w - 3));
	else if (left)
		at += snprintf(buf + at, size - at, "%-*.*s", w, w, text);
	else
		at += snprintf(buf + at, size - at, "%*.*s", w, w, text);
	return at < size ? at : size;
}

static bool bar_value(const struct top_row *r, bool by_real, __u64 *v)
{
	*v = by_real ? r->real : r->memlock;
	return by_real ? r->has_real : r->has_memlock;
}

static void format_row(char *buf, size_t size, const struct top_row *r,
		       enum top_view v, const struct layout *l, bool by_real,
		       __u64 total)
{
	size_t at = 0;
	__u64 val;

	for (int c = 0; c < nr_columns(v); c++) {
		const struct column *col = &columns[v][c];
		char cell[LINE_MAX_CHARS];

		if (!l->shown[c])
			continue;
		col->cell(r, cell, sizeof(cell));
		at = put_cell(buf, at, size, cell,
			      col_width(col, l), col->left,
			      v == TOP_CGROUPS && !col->width);
		at = put_cell(buf, at, size, " ", 1, true, false);
	}
	if (!bar_value(r, by_real, &val) || !total) {
		snprintf(buf + at, size - at, "     -");
		return;
	}
	double share = (double)val / total;
	int hashes = (int)(share * l->bar_width + 0.5);

	at += snprintf(buf + at, size - at, "%5.1f%%%s", share * 100,
		       hashes ? " " : "");
	for (int i = 0; i < hashes && at + 1 < size; i++)
		buf[at++] = '#';
	buf[at < size ? at : size - 1] = '\0';
}

static void format_heading(char *buf, size_t size, enum top_view v,
			   const struct layout *l, bool by_real)
{
	size_t at = 0;

	for (int c = 0; c < nr_columns(v); c++) {
		const struct column *col = &columns[v][c];

		if (!l->shown[c])
			continue;
		at = put_cell(buf, at, size, col->title,
			      col_width(col, l), col->left,
			      false);
		at = put_cell(buf, at, size, " ", 1, true, false);
	}
	snprintf(buf + at, size - at, "SHARE OF %s",
		 by_real ? "REAL" : "MEMLOCK");
}

struct totals {
	struct top_totals all;
	const struct top_row *largest;	/* cgroups: by real, then memlock */
};

static void total_up(const struct top_frame *f, enum top_view v,
		     struct totals *t)
{
	*t = (struct totals){ .all.n = f->nr_rows[v] };
	if (f->partial[v]) {
		t->all = f->totals[v];
		return;
	}
	for (size_t i = 0; i < f->nr_rows[v]; i++) {
		const struct top_row *r = &f->rows[v][i];

		t->all.memlock += r->has_memlock ? r->memlock : 0;
		t->all.real += r->has_real ? r->real : 0;
		t->all.with_real += r->has_real;
		if (v == TOP_PROGS)
			t->all.jited += r->prog.jited;
		if (!t->largest || r->real > t->largest->real ||
		    (r->real == t->largest->real &&
		     r->memlock > t->largest->memlock))
			t->largest = r;
	}
}

static const char *real_text(const struct totals *t, const char *what,
			     char *buf, size_t size)
{
	char b[16];

	const struct top_totals *a = &t->all;

	if (!a->with_real)
		snprintf(buf, size, "real: not modelled");
	else if (a->with_real == a->n)
		snprintf(buf, size, "real %s", format_bytes(a->real, b, sizeof(b)));
	else
		snprintf(buf, size, "real %s (%zu of %zu %s modelled)",
			 format_bytes(a->real, b, sizeof(b)), a->with_real,
			 a->n, what);
	return buf;
}

/* How many objects a view has, fetched or not. */
static size_t view_count(const struct top_frame *f, enum top_view v)
{
	return f->partial[v] ? f->totals[v].n : f->nr_rows[v];
}

static int render_header(const struct top_frame *f, const struct top_state *s,
			 int width, struct top_lines *out)
{
	struct totals maps, progs, cgs;
	char clock[16], ml[16], ml2[16], jit[16], rt[96], every[32];
	char title[LINE_MAX_CHARS];
	struct tm tm;
	int err;

	total_up(f, TOP_MAPS, &maps);
	total_up(f, TOP_PROGS, &progs);
	total_up(f, TOP_CGROUPS, &cgs);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&f->time, &tm));
	snprintf(every, sizeof(every), "every %gs%s", s->delay,
		 s->paused ? ", paused" : "");
	snprintf(title, sizeof(title), "bpfmem top - %s - %s", f->source, every);
	/* the clock at the right edge of the screen */
	err = add_line(out, TOP_TEXT, width, "%-*s %s",
		       width > 9 ? width - 9 : 0, title, clock);
	/* real first: what the kernel holds, then what it reports */
	err = err ?: add_line(out, TOP_TEXT, width,
			      "Maps:  %6zu  %s  memlock %s", maps.all.n,
			      real_text(&maps, "maps", rt, sizeof(rt)),
			      format_bytes(maps.all.memlock, ml, sizeof(ml)));
	err = err ?: add_line(out, TOP_TEXT, width,
			      "Progs: %6zu  %s  memlock %s  jited %s",
			      progs.all.n,
			      real_text(&progs, "programs", rt, sizeof(rt)),
			      format_bytes(progs.all.memlock, ml, sizeof(ml)),
			      format_bytes(progs.all.jited, jit, sizeof(jit)));
	if (cgs.largest)
		err = err ?: add_line(out, TOP_TEXT, width,
				      "Cgroups: %4zu charged  %s  memlock %s  largest %s (real %s)",
				      cgs.all.n,
				      real_text(&cgs, "cgroups", rt, sizeof(rt)),
				      format_bytes(cgs.all.memlock, ml, sizeof(ml)),
				      cgs.largest->name ? cgs.largest->name :
							  "(removed)",
				      format_bytes(cgs.largest->real, ml2,
						   sizeof(ml2)));
	else
		err = err ?: add_line(out, TOP_TEXT, width,
				      "Cgroups: %4zu charged", cgs.all.n);
	err = err ?: add_line(out, f->note[0] ? TOP_ALERT : TOP_TEXT, width,
			      "%s", f->note);
	err = err ?: add_line(out, TOP_TEXT, width,
			      "View: %s (%zu)  sorted by %s, %s", view_names[s->view],
			      view_count(f, s->view),
			      s->key == TOP_BY_FILL ? fill_names[s->view] :
						      key_names[s->key],
			      s->descending ? "largest first" : "smallest first");
	return err;
}

static int render_help(const struct top_state *s, int width,
		       struct top_lines *out)
{
	return add_line(out, TOP_HEADING, width,
			"q quit  1 maps 2 progs 3 cgroups  sort: r real m memlock f %s n name i id  +/- delay  space %s",
			fill_names[s->view], s->paused ? "resume" : "pause");
}

int top_render(struct top_frame *f, struct top_state *s, int width,
	       int height, struct top_lines *out)
{
	enum top_view v = s->view;
	bool by_real = false;
	char buf[LINE_MAX_CHARS];
	struct layout l;
	size_t rows, shown;
	__u64 total = 0;
	int err;

	top_sort(f->rows[v], f->nr_rows[v], v, s->key, s->descending);
	/* bars of real bytes when sorting by them and the model covers
	 * something here (it sorts first then), of memlock otherwise */
	if (s->key == TOP_BY_REAL && f->nr_rows[v])
		by_real = f->rows[v][0].has_real;
	err = render_header(f, s, width, out);
	if (err)
		return err;
	lay_out(f, v, width, &l);
	format_heading(buf, sizeof(buf), v, &l, by_real);
	err = add_line(out, TOP_HEADING, width, "%-*s", width, buf);
	if (f->partial[v])
		total = by_real ? f->totals[v].real : f->totals[v].memlock;
	for (size_t i = 0; !f->partial[v] && i < f->nr_rows[v]; i++) {
		__u64 val;

		if (bar_value(&f->rows[v][i], by_real, &val))
			total += val;
	}
	rows = f->nr_rows[v];
	shown = rows;
	if (height > 0) {
		/* the header above, the help line below */
		long room = height - (long)out->n - (s->keys_help ? 1 : 0);

		room = room < 0 ? 0 : room;
		if ((size_t)room < rows)
			shown = room ? room - 1 : 0;
	}
	/* scrolled no further than the last screenful */
	s->page = shown;
	if (s->first > rows - shown)
		s->first = rows - shown;
	for (size_t i = s->first; !err && i < s->first + shown; i++) {
		format_row(buf, sizeof(buf), &f->rows[v][i], v, &l, by_real,
			   total);
		err = add_line(out, TOP_TEXT, width, "%s", buf);
	}
	if (!err && shown < view_count(f, v) &&
	    (height <= 0 || out->n < (size_t)height))
		err = add_line(out, TOP_TEXT, width,
			       "(rows %zu-%zu of %zu: arrows, PgUp, PgDn, Home, End scroll)",
			       s->first + 1, s->first + shown,
			       view_count(f, v));
	if (!err && height > 0 && s->keys_help) {
		/* the help line on the screen's last line */
		while (!err && out->n < (size_t)height - 1)
			err = add_line(out, TOP_TEXT, width, "%s", "");
		err = err ?: render_help(s, width, out);
	}
	return err;
}
