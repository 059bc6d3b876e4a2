// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "format.h"
#include "names.h"
#include "output.h"
#include "sort.h"

#define REPORT_TOP 10
/* A map this large that holds under a tenth of its capacity is worth
 * a look: its memory is mostly reserved, not used. */
#define REPORT_SPARSE_MIN_BYTES (1ULL << 20)
#define REPORT_SPARSE_RATIO 0.10
#define REPORT_FULL_RATIO 0.90

yajl_gen json_gen_new(bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return NULL;
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	return g;
}

static void gen_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

static void gen_str(yajl_gen g, const char *key, const char *value)
{
	gen_key(g, key);
	yajl_gen_string(g, (const unsigned char *)value, strlen(value));
}

static void gen_u64_value(yajl_gen g, __u64 v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	yajl_gen_number(g, p, buf + sizeof(buf) - p);
}

static void gen_u64(yajl_gen g, const char *key, __u64 v)
{
	gen_key(g, key);
	gen_u64_value(g, v);
}

static void gen_bool(yajl_gen g, const char *key, bool v)
{
	gen_key(g, key);
	yajl_gen_bool(g, v);
}

static void gen_u64_or_null(yajl_gen g, const char *key, bool valid, __u64 v)
{
	gen_key(g, key);
	if (valid)
		gen_u64_value(g, v);
	else
		yajl_gen_null(g);
}

static void gen_type(yajl_gen g, const char *name, __u32 type)
{
	gen_key(g, "type");
	/* bpftool prints the number for a type it cannot name */
	if (name)
		yajl_gen_string(g, (const unsigned char *)name, strlen(name));
	else
		gen_u64_value(g, type);
}

static void gen_holders(yajl_gen g, const struct inventory *inv,
			struct holder_span span)
{
	const struct holder *h = inventory_holders(inv, span);

	gen_key(g, "pids");
	yajl_gen_array_open(g);
	for (__u32 i = 0; i < span.count; i++) {
		yajl_gen_map_open(g);
		gen_u64(g, "pid", h[i].pid);
		gen_str(g, "comm", h[i].comm);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

void json_map(yajl_gen g, const struct inventory *inv, const struct map_info *m)
{
	const struct bpfmem_map_rec *r = &m->rec;

	yajl_gen_map_open(g);
	gen_u64(g, "id", r->id);
	gen_type(g, map_type_name(r->type), r->type);
	gen_str(g, "name", r->name);
	gen_u64(g, "flags", r->map_flags);
	gen_u64(g, "bytes_key", r->key_size);
	gen_u64(g, "bytes_value", r->value_size);
	gen_u64(g, "max_entries", r->max_entries);
	gen_u64_or_null(g, "bytes_memlock", m->has_memlock, m->bytes_memlock);
	gen_bool(g, "frozen", r->rec_flags & BPFMEM_MAP_FROZEN);
	gen_u64_or_null(g, "btf_id", r->btf_id, r->btf_id);
	gen_u64(g, "map_extra", r->map_extra);
	gen_holders(g, inv, m->holders);
	gen_u64_or_null(g, "elements", r->rec_flags & BPFMEM_MAP_HAS_ELEMENTS,
			r->elements);
	gen_key(g, "memcg");
	if (r->memcg_id || m->memcg_path) {
		yajl_gen_map_open(g);
		gen_u64(g, "id", r->memcg_id);
		gen_key(g, "path");
		if (m->memcg_path)
			yajl_gen_string(g, (const unsigned char *)m->memcg_path,
					strlen(m->memcg_path));
		else
			yajl_gen_null(g);
		yajl_gen_map_close(g);
	} else {
		yajl_gen_null(g);
	}
	yajl_gen_map_close(g);
}

void json_prog(yajl_gen g, const struct inventory *inv,
	       const struct prog_info *p)
{
	const struct bpfmem_prog_rec *r = &p->rec;
	char tag[2 * BPFMEM_TAG_LEN + 1];

	for (int i = 0; i < BPFMEM_TAG_LEN; i++)
		snprintf(tag + 2 * i, 3, "%02x", r->tag[i]);
	yajl_gen_map_open(g);
	gen_u64(g, "id", r->id);
	gen_type(g, prog_type_name(r->type), r->type);
	gen_str(g, "name", prog_name(p));
	gen_str(g, "tag", tag);
	gen_bool(g, "gpl_compatible", r->rec_flags & BPFMEM_PROG_GPL);
	gen_u64(g, "loaded_at", p->loaded_at);
	gen_u64(g, "uid", r->uid);
	gen_u64(g, "bytes_xlated", r->bytes_xlated);
	gen_bool(g, "jited", r->rec_flags & BPFMEM_PROG_JITED);
	gen_u64(g, "bytes_jited", r->bytes_jited);
	gen_u64(g, "bytes_memlock", r->bytes_memlock);
	gen_key(g, "map_ids");
	yajl_gen_array_open(g);
	for (__u32 i = 0; i < r->nr_map_ids; i++)
		gen_u64_value(g, r->map_ids[i]);
	yajl_gen_array_close(g);
	gen_u64_or_null(g, "btf_id", r->btf_id, r->btf_id);
	gen_u64(g, "verified_insns", r->verified_insns);
	gen_bool(g, "sleepable", r->rec_flags & BPFMEM_PROG_SLEEPABLE);
	gen_holders(g, inv, p->holders);
	yajl_gen_map_close(g);
}

/* No document is built in memory: the generator's buffer is written out
 * whenever it has grown past this. */
#define JSON_FLUSH_BYTES (64 * 1024)

void json_flush(yajl_gen g, FILE *out, bool force)
{
	const unsigned char *buf;
	size_t len;

	yajl_gen_get_buf(g, &buf, &len);
	if (len && (force || len >= JSON_FLUSH_BYTES)) {
		fwrite(buf, 1, len, out);
		yajl_gen_clear(g);
	}
}

/* Ends the document: the rest of it, a newline, the stream's error state. */
static int gen_finish(FILE *out, yajl_gen g)
{
	json_flush(g, out, true);
	yajl_gen_free(g);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

static size_t shown(size_t n, const struct output_opts *o)
{
	return o->top && o->top < n ? o->top : n;
}

static void type_text(char *buf, size_t size, const char *name, __u32 type)
{
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "type_%u", type);
}

static void print_map_header(FILE *out)
{
	fprintf(out, "%6s  %-22s %-15s %6s %6s %9s %9s %5s %10s  %-16s %s\n",
		"ID", "TYPE", "NAME", "KEY", "VALUE", "MAX", "ELEMENTS",
		"FILL", "MEMLOCK", "PIDS", "MEMCG");
}

static void print_map_row(FILE *out, const struct inventory *inv,
			  const struct map_info *m)
{
	const struct holder *h = inventory_holders(inv, m->holders);
	char type[32], elems[24], fill[16], memlock[16], pids[64] = "-";

	type_text(type, sizeof(type), map_type_name(m->rec.type), m->rec.type);
	if (m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS)
		snprintf(elems, sizeof(elems), "%llu",
			 (unsigned long long)m->rec.elements);
	else
		snprintf(elems, sizeof(elems), "-");
	format_ratio(map_fill_ratio(m), fill, sizeof(fill));
	if (m->has_memlock)
		format_bytes(m->bytes_memlock, memlock, sizeof(memlock));
	else
		snprintf(memlock, sizeof(memlock), "-");
	if (h)
		snprintf(pids, sizeof(pids), "%s(%u)%s", h[0].comm, h[0].pid,
			 m->holders.count > 1 ? "+" : "");
	fprintf(out, "%6u  %-22s %-15s %6u %6u %9u %9s %5s %10s  %-16s %s\n",
		m->rec.id, type, m->rec.name, m->rec.key_size,
		m->rec.value_size, m->rec.max_entries, elems, fill, memlock,
		pids, m->memcg_path ? m->memcg_path : "-");
}

int print_maps(FILE *out, const struct inventory *inv,
	       const struct output_opts *o)
{
	size_t n = shown(inv->nr_maps, o);

	if (o->json) {
		yajl_gen g = json_gen_new(o->pretty);

		if (!g)
			return -ENOMEM;
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n; i++) {
			json_map(g, inv, &inv->maps[i]);
			json_flush(g, out, false);
		}
		yajl_gen_array_close(g);
		return gen_finish(out, g);
	}
	print_map_header(out);
	for (size_t i = 0; i < n; i++)
		print_map_row(out, inv, &inv->maps[i]);
	return ferror(out) ? -EIO : 0;
}

static void print_prog_header(FILE *out)
{
	fprintf(out, "%6s  %-22s %-15s %-16s %9s %9s %10s  %-12s %s\n", "ID",
		"TYPE", "NAME", "TAG", "XLATED", "JITED", "MEMLOCK", "MAPS",
		"PIDS");
}

static void print_prog_row(FILE *out, const struct inventory *inv,
			   const struct prog_info *p)
{
	const struct holder *h = inventory_holders(inv, p->holders);
	char type[32], tag[2 * BPFMEM_TAG_LEN + 1], xl[16], jit[16], ml[16];
	char maps[64] = "-", pids[64] = "-";
	size_t len = 0;

	type_text(type, sizeof(type), prog_type_name(p->rec.type), p->rec.type);
	for (int i = 0; i < BPFMEM_TAG_LEN; i++)
		snprintf(tag + 2 * i, 3, "%02x", p->rec.tag[i]);
	for (__u32 i = 0; i < p->rec.nr_map_ids && len < sizeof(maps); i++)
		len += snprintf(maps + len, sizeof(maps) - len, "%s%u",
				i ? "," : "", p->rec.map_ids[i]);
	if (h)
		snprintf(pids, sizeof(pids), "%s(%u)%s", h[0].comm, h[0].pid,
			 p->holders.count > 1 ? "+" : "");
	fprintf(out, "%6u  %-22s %-15s %-16s %9s %9s %10s  %-12s %s\n",
		p->rec.id, type, prog_name(p), tag,
		format_bytes(p->rec.bytes_xlated, xl, sizeof(xl)),
		format_bytes(p->rec.bytes_jited, jit, sizeof(jit)),
		format_bytes(p->rec.bytes_memlock, ml, sizeof(ml)), maps, pids);
}

int print_progs(FILE *out, const struct inventory *inv,
		const struct output_opts *o)
{
	size_t n = shown(inv->nr_progs, o);

	if (o->json) {
		yajl_gen g = json_gen_new(o->pretty);

		if (!g)
			return -ENOMEM;
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n; i++) {
			json_prog(g, inv, &inv->progs[i]);
			json_flush(g, out, false);
		}
		yajl_gen_array_close(g);
		return gen_finish(out, g);
	}
	print_prog_header(out);
	for (size_t i = 0; i < n; i++)
		print_prog_row(out, inv, &inv->progs[i]);
	return ferror(out) ? -EIO : 0;
}

/* Per-type totals; type ids are small and dense. */
#define MAX_TYPES 64

struct type_total {
	__u64 count;
	__u64 memlock;
	__u64 xlated;
	__u64 jited;
	__u64 elements;
	__u64 max_entries;	/* of the maps whose elements are known */
};

struct totals {
	struct type_total maps[MAX_TYPES], progs[MAX_TYPES];
	struct type_total all_maps, all_progs;
};

static void add_total(struct type_total *t, __u64 memlock)
{
	t->count++;
	t->memlock += memlock;
}

static void compute_totals(const struct inventory *inv, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];
		struct type_total *tt = &t->maps[m->rec.type % MAX_TYPES];

		add_total(tt, m->bytes_memlock);
		add_total(&t->all_maps, m->bytes_memlock);
		if (m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS) {
			tt->elements += m->rec.elements;
			tt->max_entries += m->rec.max_entries;
		}
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];
		struct type_total *tt = &t->progs[p->rec.type % MAX_TYPES];

		add_total(tt, p->rec.bytes_memlock);
		add_total(&t->all_progs, p->rec.bytes_memlock);
		tt->xlated += p->rec.bytes_xlated;
		tt->jited += p->rec.bytes_jited;
		t->all_progs.xlated += p->rec.bytes_xlated;
		t->all_progs.jited += p->rec.bytes_jited;
	}
}

static void gen_total(yajl_gen g, const struct type_total *t, bool progs)
{
	gen_u64(g, "count", t->count);
	gen_u64(g, "bytes_memlock", t->memlock);
	if (progs) {
		gen_u64(g, "bytes_xlated", t->xlated);
		gen_u64(g, "bytes_jited", t->jited);
	}
}

static void gen_totals(yajl_gen g, const char *key, const struct type_total *all,
		       const struct type_total *by_type, bool progs)
{
	gen_key(g, key);
	yajl_gen_map_open(g);
	gen_total(g, all, progs);
	gen_key(g, "by_type");
	yajl_gen_array_open(g);
	for (__u32 type = 0; type < MAX_TYPES; type++) {
		if (!by_type[type].count)
			continue;
		yajl_gen_map_open(g);
		gen_type(g, progs ? prog_type_name(type) : map_type_name(type),
			 type);
		gen_total(g, &by_type[type], progs);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* The members of the summary object, for the caller's open map. */
static int gen_summary_fields(yajl_gen g, const struct inventory *inv)
{
	struct totals *t = malloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	compute_totals(inv, t);
	gen_totals(g, "maps", &t->all_maps, t->maps, false);
	gen_totals(g, "progs", &t->all_progs, t->progs, true);
	free(t);
	return 0;
}

static void print_type_table(FILE *out, const struct type_total *tt,
			     bool progs)
{
	char ml[16], xl[16], jit[16], type[32];

	if (progs)
		fprintf(out, "  %-24s %7s %10s %10s %10s\n", "PROG TYPE",
			"COUNT", "MEMLOCK", "XLATED", "JITED");
	else
		fprintf(out, "  %-24s %7s %10s %10s\n", "MAP TYPE", "COUNT",
			"MEMLOCK", "FILL");
	for (__u32 t = 0; t < MAX_TYPES; t++) {
		const struct type_total *x = &tt[t];
		char fill[16] = "-";

		if (!x->count)
			continue;
		type_text(type, sizeof(type),
			  progs ? prog_type_name(t) : map_type_name(t), t);
		format_bytes(x->memlock, ml, sizeof(ml));
		if (progs) {
			fprintf(out, "  %-24s %7llu %10s %10s %10s\n", type,
				(unsigned long long)x->count, ml,
				format_bytes(x->xlated, xl, sizeof(xl)),
				format_bytes(x->jited, jit, sizeof(jit)));
			continue;
		}
		if (x->max_entries)
			format_ratio((double)x->elements / x->max_entries, fill,
				     sizeof(fill));
		fprintf(out, "  %-24s %7llu %10s %10s\n", type,
			(unsigned long long)x->count, ml, fill);
	}
}

int print_summary(FILE *out, const struct inventory *inv,
		  const struct output_opts *o)
{
	struct totals *t;
	char ml[16];

	if (o->json) {
		yajl_gen g = json_gen_new(o->pretty);
		int err;

		if (!g)
			return -ENOMEM;
		yajl_gen_map_open(g);
		err = gen_summary_fields(g, inv);
		yajl_gen_map_close(g);
		return err ? err : gen_finish(out, g);
	}
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	compute_totals(inv, t);
	fprintf(out, "Maps: %llu, memlock %s\n",
		(unsigned long long)t->all_maps.count,
		format_bytes(t->all_maps.memlock, ml, sizeof(ml)));
	print_type_table(out, t->maps, false);
	fprintf(out, "\nPrograms: %llu, memlock %s\n",
		(unsigned long long)t->all_progs.count,
		format_bytes(t->all_progs.memlock, ml, sizeof(ml)));
	print_type_table(out, t->progs, true);
	free(t);
	return ferror(out) ? -EIO : 0;
}

static bool is_sparse(const struct map_info *m)
{
	double fill = map_fill_ratio(m);

	return fill >= 0 && fill < REPORT_SPARSE_RATIO &&
	       m->bytes_memlock >= REPORT_SPARSE_MIN_BYTES;
}

static bool is_nearly_full(const struct map_info *m)
{
	/* arrays are always "full": only maps that can run out count */
	return map_fill_ratio(m) >= REPORT_FULL_RATIO &&
	       m->rec.type != BPF_MAP_TYPE_ARRAY &&
	       m->rec.type != BPF_MAP_TYPE_PERCPU_ARRAY;
}

static void gen_map_ids(yajl_gen g, const char *key,
			const struct inventory *inv,
			bool (*pick)(const struct map_info *))
{
	gen_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (pick(&inv->maps[i]))
			gen_u64_value(g, inv->maps[i].rec.id);
	yajl_gen_array_close(g);
}

static int print_report_json(FILE *out, const struct inventory *inv,
			     const struct output_opts *o)
{
	yajl_gen g = json_gen_new(o->pretty);
	int err;

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	gen_key(g, "summary");
	yajl_gen_map_open(g);
	err = gen_summary_fields(g, inv);
	yajl_gen_map_close(g);
	gen_key(g, "top_maps");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < inv->nr_maps && i < REPORT_TOP; i++)
		json_map(g, inv, &inv->maps[i]);
	yajl_gen_array_close(g);
	gen_key(g, "top_progs");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < inv->nr_progs && i < REPORT_TOP; i++)
		json_prog(g, inv, &inv->progs[i]);
	yajl_gen_array_close(g);
	gen_map_ids(g, "nearly_full_maps", inv, is_nearly_full);
	gen_map_ids(g, "sparse_maps", inv, is_sparse);
	yajl_gen_map_close(g);
	return err ? err : gen_finish(out, g);
}

int print_report(FILE *out, struct inventory *inv,
		 const struct output_opts *o)
{
	struct output_opts top = *o;
	size_t nfull = 0, nsparse = 0;
	char ml[16], jit[16];
	struct totals *t;
	int err;

	sort_maps(inv->maps, inv->nr_maps, sort_spec_default(SORT_MAPS));
	sort_progs(inv->progs, inv->nr_progs, sort_spec_default(SORT_PROGS));
	if (o->json)
		return print_report_json(out, inv, o);

	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	compute_totals(inv, t);
	fprintf(out, "BPF memory as the kernel reports it (memlock)\n\n");
	fprintf(out, "  maps      %7llu  %10s\n",
		(unsigned long long)t->all_maps.count,
		format_bytes(t->all_maps.memlock, ml, sizeof(ml)));
	fprintf(out, "  programs  %7llu  %10s  (JIT images %s)\n",
		(unsigned long long)t->all_progs.count,
		format_bytes(t->all_progs.memlock, ml, sizeof(ml)),
		format_bytes(t->all_progs.jited, jit, sizeof(jit)));
	fprintf(out, "  total              %10s\n\n",
		format_bytes(t->all_maps.memlock + t->all_progs.memlock, ml,
			     sizeof(ml)));
	free(t);

	top.top = REPORT_TOP;
	fprintf(out, "Largest maps\n");
	err = print_maps(out, inv, &top);
	fprintf(out, "\nLargest programs\n");
	if (!err)
		err = print_progs(out, inv, &top);
	if (err)
		return err;

	fprintf(out, "\nFill\n");
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];
		char fill[16];

		if (!is_nearly_full(m) && !is_sparse(m))
			continue;
		if (is_nearly_full(m))
			nfull++;
		else
			nsparse++;
		fprintf(out, "  map %u %s: %s of %u entries used, memlock %s%s\n",
			m->rec.id, m->rec.name,
			format_ratio(map_fill_ratio(m), fill, sizeof(fill)),
			m->rec.max_entries,
			format_bytes(m->bytes_memlock, ml, sizeof(ml)),
			is_nearly_full(m) ? " (nearly full: updates may fail)" :
					    " (mostly empty)");
	}
	if (!nfull && !nsparse)
		fprintf(out, "  no map is nearly full or mostly empty\n");
	fprintf(out, "\nmemlock is the kernel's own estimate, not what it charges to memory cgroups.\n");
	return ferror(out) ? -EIO : 0;
}
