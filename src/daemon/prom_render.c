// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/names.h"
#include "daemon/prom_render.h"
#include "base/array_sort.h"

/* Room kept for the `other` series: a map's four metrics, a program's
 * two, a memory cgroup's two. */
#define OTHER_SERIES 8

void prom_buf_free(struct prom_buf *b)
{
	free(b->p);
	*b = (struct prom_buf){};
}

static bool reserve(struct prom_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put(struct prom_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct prom_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void putf(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* Length of the well-formed UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void prom_put_label_value(struct prom_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\')
			puts_(b, "\\\\");
		else if (*p == '"')
			puts_(b, "\\\"");
		else if (*p == '\n')
			puts_(b, "\\n");
		else if (n)
			put(b, (const char *)p, n);
		else
			puts_(b, "\xef\xbf\xbd");
		p += n ? n : 1;
	}
}

/* A kernel name: a fixed array that need not end in NUL. */
static void put_name(struct prom_buf *b, const char *s, size_t size)
{
	char buf[BPFMEM_FUNC_NAME_LEN + 1];
	size_t n = strnlen(s, size < sizeof(buf) ? size : sizeof(buf) - 1);

	memcpy(buf, s, n);
	buf[n] = '\0';
	prom_put_label_value(b, buf);
}

static void put_type(struct prom_buf *b, const char *name, __u32 type)
{
	if (name)
		puts_(b, name);
	else
		putf(b, "%u", type);
}

/* A metric family: HELP and TYPE go out before its first sample, so a
 * family without samples is left out. */
struct family {
	const char *name;
	const char *type;
	const char *help;
	bool open;
};

#define GAUGE(n, h) { .name = n, .type = "gauge", .help = h }
#define COUNTER(n, h) { .name = n, .type = "counter", .help = h }

static void sample_start(struct prom_buf *b, struct family *f)
{
	if (!f->open)
		putf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
		     f->name, f->type);
	f->open = true;
	puts_(b, f->name);
}

static void sample_u64(struct prom_buf *b, __u64 v)
{
	putf(b, " %" PRIu64 "\n", (uint64_t)v);
}

/* The sum of the objects without series of their own, where there are
 * any and each has the value. */
static void sample_other(struct prom_buf *b, struct family *f,
			 const char *labels, bool show, __u64 sum)
{
	if (!show)
		return;
	sample_start(b, f);
	puts_(b, labels);
	sample_u64(b, sum);
}

/* ---- which objects get series of their own ---------------------------- */

enum obj_kind { OBJ_MAP, OBJ_PROG, OBJ_MEMCG };

struct rank {
	__u64 bytes;
	__u64 id;
	__u32 kind;		/* enum obj_kind */
	__u32 idx;
};

struct selection {
	bool *map, *prog, *memcg;	/* own series, by index */
	size_t other_maps, other_progs, other_memcgs;
};

static unsigned int map_series(const struct map_info *m)
{
	return 1 + m->has_memlock + m->has_real +
	       !!(m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS);
}

static unsigned int memcg_series(const struct cgroup_info *c)
{
	return 1 + c->real_complete;
}

/* Largest first; the lower id first among equals, so the choice is the
 * same from one sample to the next. */
static int cmp_rank(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int select_objects(const struct ledger *l, unsigned int max_series,
			  struct selection *s)
{
	const struct inventory *inv = &l->inv;
	size_t n = inv->nr_maps + inv->nr_progs + l->cgroups.n, k = 0;
	__u64 budget = max_series > OTHER_SERIES ? max_series - OTHER_SERIES :
						   0;
	struct rank *r = calloc(n ? n : 1, sizeof(*r));

	s->map = calloc(inv->nr_maps ? inv->nr_maps : 1, 1);
	s->prog = calloc(inv->nr_progs ? inv->nr_progs : 1, 1);
	s->memcg = calloc(l->cgroups.n ? l->cgroups.n : 1, 1);
	if (!r || !s->map || !s->prog || !s->memcg) {
		free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];

		r[k++] = (struct rank){ .bytes = m->bytes_memlock,
					.id = m->rec.id, .kind = OBJ_MAP,
					.idx = i };
	}
	for (size_t i = 0; i < inv->nr_progs; i++)
		r[k++] = (struct rank){ .bytes = inv->progs[i].rec.bytes_memlock,
					.id = inv->progs[i].rec.id,
					.kind = OBJ_PROG, .idx = i };
	for (size_t i = 0; i < l->cgroups.n; i++)
		r[k++] = (struct rank){ .bytes = l->cgroups.cgroups[i].bytes_memlock,
					.id = l->cgroups.cgroups[i].id,
					.kind = OBJ_MEMCG, .idx = i };
	sort_array(r, n, sizeof(*r), cmp_rank);
	s->other_maps = inv->nr_maps;
	s->other_progs = inv->nr_progs;
	s->other_memcgs = l->cgroups.n;
	/* the first that does not fit ends it: every object with series of
	 * its own is larger than every one summed */
	for (k = 0; k < n; k++) {
		unsigned int cost;

		if (r[k].kind == OBJ_MAP)
			cost = map_series(&inv->maps[r[k].idx]);
		else if (r[k].kind == OBJ_PROG)
			cost = 1 + inv->progs[r[k].idx].has_real;
		else
			cost = memcg_series(&l->cgroups.cgroups[r[k].idx]);
		if (cost > budget)
			break;
		budget -= cost;
		if (r[k].kind == OBJ_MAP) {
			s->map[r[k].idx] = true;
			s->other_maps--;
		} else if (r[k].kind == OBJ_PROG) {
			s->prog[r[k].idx] = true;
			s->other_progs--;
		} else {
			s->memcg[r[k].idx] = true;
			s->other_memcgs--;
		}
	}
	free(r);
	return 0;
}

static void selection_free(struct selection *s)
{
	free(s->map);
	free(s->prog);
	free(s->memcg);
}

/* ---- maps ------------------------------------------------------------- */

static bool map_memlock(const struct map_info *m, __u64 *v)
{
	*v = m->bytes_memlock;
	return m->has_memlock;
}

static bool map_real(const struct map_info *m, __u64 *v)
{
	*v = model_total(&m->real);
	return m->has_real;
}

static bool map_elements(const struct map_info *m, __u64 *v)
{
	*v = m->rec.elements;
	return m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS;
}

static bool map_max_entries(const struct map_info *m, __u64 *v)
{
	*v = m->rec.max_entries;
	return true;
}

/* The memcg label: its path, "(removed ID)" once removed, "" for none. */
static void put_memcg(struct prom_buf *b, __u64 id, const char *path)
{
	if (path)
		prom_put_label_value(b, path);
	else if (id)
		putf(b, "(removed %" PRIu64 ")", (uint64_t)id);
}

static void map_labels(struct prom_buf *b, const struct map_info *m)
{
	putf(b, "{id=\"%u\",name=\"", m->rec.id);
	put_name(b, m->rec.name, sizeof(m->rec.name));
	puts_(b, "\",type=\"");
	put_type(b, map_type_name(m->rec.type), m->rec.type);
	puts_(b, "\",memcg=\"");
	put_memcg(b, m->rec.memcg_id, m->memcg_path);
	puts_(b, "\"}");
}

/* One metric of every map with series of its own, then the sum of the
 * rest where each of them has the value. */
static void map_family(struct prom_buf *b, const struct inventory *inv,
		       const struct selection *s, struct family *f,
		       bool (*get)(const struct map_info *, __u64 *))
{
	__u64 v, other = 0;
	bool known = true;

	for (size_t i = 0; i < inv->nr_maps; i++) {
		bool has = get(&inv->maps[i], &v);

		if (!s->map[i]) {
			known &= has;
			other += v;
		} else if (has) {
			sample_start(b, f);
			map_labels(b, &inv->maps[i]);
			sample_u64(b, v);
		}
	}
	sample_other(b, f, "{id=\"other\"}", s->other_maps && known, other);
}

/* ---- programs and memory cgroups ---------------------------------------- */

static bool prog_memlock(const struct prog_info *p, __u64 *v)
{
	*v = p->rec.bytes_memlock;
	return true;
}

static bool prog_real(const struct prog_info *p, __u64 *v)
{
	*v = model_total(&p->real);
	return p->has_real;
}

/* As map_family, for programs. */
static void prog_family(struct prom_buf *b, const struct inventory *inv,
			const struct selection *s, struct family *f,
			bool (*get)(const struct prog_info *, __u64 *))
{
	__u64 v, other = 0;
	bool known = true;

	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];
		bool has = get(p, &v);

		if (!s->prog[i]) {
			known &= has;
			other += v;
			continue;
		}
		if (!has)
			continue;
		sample_start(b, f);
		putf(b, "{id=\"%u\",name=\"", p->rec.id);
		if (p->rec.func_name[0])
			put_name(b, p->rec.func_name, sizeof(p->rec.func_name));
		else
			put_name(b, p->rec.name, sizeof(p->rec.name));
		puts_(b, "\",type=\"");
		put_type(b, prog_type_name(p->rec.type), p->rec.type);
		puts_(b, "\"}");
		sample_u64(b, v);
	}
	sample_other(b, f, "{id=\"other\"}", s->other_progs && known, other);
}

static void memcg_family(struct prom_buf *b, const struct cgroup_rollup *r,
			 const struct selection *s, struct family *f, bool real)
{
	__u64 other = 0;
	bool known = true;

	for (size_t i = 0; i < r->n; i++) {
		const struct cgroup_info *c = &r->cgroups[i];
		bool has = !real || c->real_complete;
		__u64 v = real ? c->bytes_real : c->bytes_memlock;

		if (!s->memcg[i]) {
			known &= has;
			other += v;
			continue;
		}
		if (!has)
			continue;
		sample_start(b, f);
		puts_(b, "{path=\"");
		put_memcg(b, c->id, c->path);
		puts_(b, "\",unit=\"");
		prom_put_label_value(b, c->owner.unit);
		puts_(b, "\"}");
		sample_u64(b, v);
	}
	sample_other(b, f, "{path=\"other\"}", s->other_memcgs && known,
		     other);
}

/* ---- totals ------------------------------------------------------------ */

static void labelled(struct prom_buf *b, struct family *f,
		     const char *labels, __u64 v)
{
	sample_start(b, f);
	puts_(b, labels);
	sample_u64(b, v);
}

/* bpfmem's own maps and programs, left out of every other series
 * (src/collect/own_filter.h): what bpfmem itself costs, apart. */
static void own(struct prom_buf *b, const struct own_summary *o)
{
	struct family bytes = GAUGE("bpfmem_own_bytes",
		"Kernel memory of bpfmem's own maps and programs (its iterators, bpfmemd's hooks), in bytes: real by the model, and memlock.");
	struct family objects = GAUGE("bpfmem_own_objects",
		"bpfmem's own maps and programs, which no series but these counts.");

	labelled(b, &bytes, "{measure=\"real\"}", o->bytes_real);
	labelled(b, &bytes, "{measure=\"memlock\"}", o->bytes_memlock);
	labelled(b, &objects, "{kind=\"map\"}", o->nr_maps);
	labelled(b, &objects, "{kind=\"prog\"}", o->nr_progs);
}

static void totals(struct prom_buf *b, const struct ledger *l,
		   const struct prom_stats *st)
{
	const struct ledger_totals *t = &l->totals;
	struct family memlock = GAUGE("bpfmem_memlock_bytes",
		"Memlock of every map or every program, in bytes.");
	struct family real = GAUGE("bpfmem_real_bytes",
		"Real kernel memory of every map or every program, in bytes; present only while the model covers every one of them.");
	struct family maps = GAUGE("bpfmem_maps", "BPF maps loaded.");
	struct family progs = GAUGE("bpfmem_progs", "BPF programs loaded.");
	struct family dur = GAUGE("bpfmem_sample_duration_seconds",
		"Time the last sample took to collect, in seconds.");
	struct family stamp = GAUGE("bpfmem_sample_timestamp_seconds",
		"Wall clock of the last sample, in seconds since the epoch.");
	struct family samples = COUNTER("bpfmem_samples_total",
		"Samples taken since the daemon started.");
	struct family build = GAUGE("bpfmem_build_info",
		"Always 1; the version of bpfmemd in a label.");
	struct family alerts = GAUGE("bpfmem_alerts_firing",
		"Alerts of a rule firing now (one per matching object).");
	__u64 real_sum = 0;
	bool real_known = true;

	sample_start(b, &memlock);
	puts_(b, "{kind=\"map\"}");
	sample_u64(b, t->maps_memlock);
	sample_start(b, &memlock);
	puts_(b, "{kind=\"prog\"}");
	sample_u64(b, t->progs_memlock);
	for (size_t i = 0; i < l->inv.nr_maps; i++) {
		real_known &= l->inv.maps[i].has_real;
		real_sum += model_total(&l->inv.maps[i].real);
	}
	if (real_known) {
		sample_start(b, &real);
		puts_(b, "{kind=\"map\"}");
		sample_u64(b, real_sum);
	}
	real_sum = 0;
	real_known = true;
	for (size_t i = 0; i < l->inv.nr_progs; i++) {
		real_known &= l->inv.progs[i].has_real;
		real_sum += model_total(&l->inv.progs[i].real);
	}
	if (real_known) {
		sample_start(b, &real);
		puts_(b, "{kind=\"prog\"}");
		sample_u64(b, real_sum);
	}
	sample_start(b, &maps);
	sample_u64(b, t->maps);
	sample_start(b, &progs);
	sample_u64(b, t->progs);
	own(b, &l->inv.own);
	sample_start(b, &dur);
	putf(b, " %.9g\n", st->sample_seconds);
	sample_start(b, &stamp);
	putf(b, " %.3f\n", l->time_ms / 1000.0);
	sample_start(b, &samples);
	sample_u64(b, l->samples);
	sample_start(b, &build);
	puts_(b, "{version=\"");
	prom_put_label_value(b, st->version);
	puts_(b, "\"} 1\n");
	for (size_t i = 0; i < st->nr_rules; i++) {
		sample_start(b, &alerts);
		puts_(b, "{rule=\"");
		prom_put_label_value(b, st->rules[i].rule);
		puts_(b, "\"}");
		sample_u64(b, st->rules[i].firing);
	}
}

int prom_render(struct prom_buf *b, const struct ledger *l,
		const struct prom_stats *st, unsigned int max_series)
{
	struct family map_real_f = GAUGE("bpfmem_map_real_bytes",
		"Kernel memory a map holds by the real-bytes model, in bytes; absent where the model does not cover the map.");
	struct family map_memlock_f = GAUGE("bpfmem_map_memlock_bytes",
		"Memory charged to a map as its fdinfo shows (memlock), in bytes.");
	struct family map_elements_f = GAUGE("bpfmem_map_elements",
		"Elements in a map, where the kernel counts them.");
	struct family map_max_f = GAUGE("bpfmem_map_max_entries",
		"A map's max_entries.");
	struct family prog_real_f = GAUGE("bpfmem_prog_real_bytes",
		"Kernel memory a program holds by the real-bytes model (image, aux and metadata, func/line info, its share of JIT packs), in bytes; absent where the model does not cover the program.");
	struct family prog_memlock_f = GAUGE("bpfmem_prog_memlock_bytes",
		"Memory charged to a program as its fdinfo shows (memlock), in bytes.");
	struct family memcg_real_f = GAUGE("bpfmem_memcg_real_bytes",
		"Real kernel memory of the BPF maps and programs charged to a memory cgroup (not its descendants), in bytes; absent unless the model covers each.");
	struct family memcg_memlock_f = GAUGE("bpfmem_memcg_memlock_bytes",
		"Memlock of the BPF objects charged to a memory cgroup (not its descendants), in bytes.");
	const struct inventory *inv = &l->inv;
	struct selection s = {};
	int err;

	err = select_objects(l, max_series, &s);
	if (!err) {
		map_family(b, inv, &s, &map_real_f, map_real);
		map_family(b, inv, &s, &map_memlock_f, map_memlock);
		map_family(b, inv, &s, &map_elements_f, map_elements);
		map_family(b, inv, &s, &map_max_f, map_max_entries);
		prog_family(b, inv, &s, &prog_real_f, prog_real);
		prog_family(b, inv, &s, &prog_memlock_f, prog_memlock);
		memcg_family(b, &l->cgroups, &s, &memcg_real_f, true);
		memcg_family(b, &l->cgroups, &s, &memcg_memlock_f, false);
		totals(b, l, st);
	}
	selection_free(&s);
	return err ? err : b->oom ? -ENOMEM : 0;
}

int prom_render_scrapes(struct prom_buf *b, unsigned long long scrapes)
{
	struct family f = COUNTER("bpfmem_scrapes_total",
		"Requests for /metrics served, this one included.");

	sample_start(b, &f);
	putf(b, " %llu\n", scrapes);
	return b->oom ? -ENOMEM : 0;
}
