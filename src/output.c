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

static json_object *type_json(const char *name, __u32 type)
{
	/* bpftool prints the number for a type it cannot name */
	return name ? json_object_new_string(name) :
		      json_object_new_uint64(type);
}

static json_object *holders_json(const struct inventory *inv,
				 struct holder_span span)
{
	const struct holder *h = inventory_holders(inv, span);
	json_object *arr = json_object_new_array_ext(span.count);

	for (__u32 i = 0; i < span.count; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "pid",
				       json_object_new_uint64(h[i].pid));
		json_object_object_add(o, "comm",
				       json_object_new_string(h[i].comm));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *u64_or_null(bool valid, __u64 v)
{
	return valid ? json_object_new_uint64(v) : NULL;
}

json_object *map_to_json(const struct inventory *inv,
			 const struct map_info *m)
{
	const struct bpfmem_map_rec *r = &m->rec;
	json_object *o = json_object_new_object();
	bool counted = r->rec_flags & BPFMEM_MAP_HAS_ELEMENTS;

	json_object_object_add(o, "id", json_object_new_uint64(r->id));
	json_object_object_add(o, "type",
			       type_json(map_type_name(r->type), r->type));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "flags", json_object_new_uint64(r->map_flags));
	json_object_object_add(o, "bytes_key",
			       json_object_new_uint64(r->key_size));
	json_object_object_add(o, "bytes_value",
			       json_object_new_uint64(r->value_size));
	json_object_object_add(o, "max_entries",
			       json_object_new_uint64(r->max_entries));
	json_object_object_add(o, "bytes_memlock",
			       u64_or_null(m->has_memlock, m->bytes_memlock));
	json_object_object_add(o, "frozen",
			       json_object_new_boolean(r->rec_flags &
						       BPFMEM_MAP_FROZEN));
	json_object_object_add(o, "btf_id", u64_or_null(r->btf_id, r->btf_id));
	json_object_object_add(o, "map_extra",
			       json_object_new_uint64(r->map_extra));
	json_object_object_add(o, "pids", holders_json(inv, m->holders));
	json_object_object_add(o, "elements", u64_or_null(counted, r->elements));
	if (r->memcg_id || m->memcg_path) {
		json_object *mc = json_object_new_object();

		json_object_object_add(mc, "id",
				       json_object_new_uint64(r->memcg_id));
		json_object_object_add(mc, "path",
				       m->memcg_path ?
					       json_object_new_string(m->memcg_path) :
					       NULL);
		json_object_object_add(o, "memcg", mc);
	} else {
		json_object_object_add(o, "memcg", NULL);
	}
	return o;
}

json_object *prog_to_json(const struct inventory *inv,
			  const struct prog_info *p)
{
	const struct bpfmem_prog_rec *r = &p->rec;
	json_object *o = json_object_new_object();
	json_object *ids = json_object_new_array_ext(r->nr_map_ids);
	char tag[2 * BPFMEM_TAG_LEN + 1];

	for (int i = 0; i < BPFMEM_TAG_LEN; i++)
		snprintf(tag + 2 * i, 3, "%02x", r->tag[i]);
	for (__u32 i = 0; i < r->nr_map_ids; i++)
		json_object_array_add(ids, json_object_new_uint64(r->map_ids[i]));

	json_object_object_add(o, "id", json_object_new_uint64(r->id));
	json_object_object_add(o, "type",
			       type_json(prog_type_name(r->type), r->type));
	json_object_object_add(o, "name", json_object_new_string(prog_name(p)));
	json_object_object_add(o, "tag", json_object_new_string(tag));
	json_object_object_add(o, "gpl_compatible",
			       json_object_new_boolean(r->rec_flags &
						       BPFMEM_PROG_GPL));
	json_object_object_add(o, "loaded_at",
			       json_object_new_uint64(p->loaded_at));
	json_object_object_add(o, "uid", json_object_new_uint64(r->uid));
	json_object_object_add(o, "bytes_xlated",
			       json_object_new_uint64(r->bytes_xlated));
	json_object_object_add(o, "jited",
			       json_object_new_boolean(r->rec_flags &
						       BPFMEM_PROG_JITED));
	json_object_object_add(o, "bytes_jited",
			       json_object_new_uint64(r->bytes_jited));
	json_object_object_add(o, "bytes_memlock",
			       json_object_new_uint64(r->bytes_memlock));
	json_object_object_add(o, "map_ids", ids);
	json_object_object_add(o, "btf_id", u64_or_null(r->btf_id, r->btf_id));
	json_object_object_add(o, "verified_insns",
			       json_object_new_uint64(r->verified_insns));
	json_object_object_add(o, "sleepable",
			       json_object_new_boolean(r->rec_flags &
						       BPFMEM_PROG_SLEEPABLE));
	json_object_object_add(o, "pids", holders_json(inv, p->holders));
	return o;
}

static int emit_json(FILE *out, json_object *root, const struct output_opts *o)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (o->pretty ? JSON_C_TO_STRING_PRETTY |
					 JSON_C_TO_STRING_SPACED :
				 JSON_C_TO_STRING_PLAIN);
	int err = fprintf(out, "%s\n",
			  json_object_to_json_string_ext(root, flags)) < 0 ?
			  -EIO :
			  0;

	json_object_put(root);
	return err;
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
		json_object *arr = json_object_new_array_ext(n);

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr,
					      map_to_json(inv, &inv->maps[i]));
		return emit_json(out, arr, o);
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
		json_object *arr = json_object_new_array_ext(n);

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr,
					      prog_to_json(inv, &inv->progs[i]));
		return emit_json(out, arr, o);
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

static json_object *total_json(const struct type_total *t, bool progs)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "count", json_object_new_uint64(t->count));
	json_object_object_add(o, "bytes_memlock",
			       json_object_new_uint64(t->memlock));
	if (progs) {
		json_object_object_add(o, "bytes_xlated",
				       json_object_new_uint64(t->xlated));
		json_object_object_add(o, "bytes_jited",
				       json_object_new_uint64(t->jited));
	}
	return o;
}

static json_object *by_type_json(const struct type_total *tt, bool progs)
{
	json_object *arr = json_object_new_array();

	for (__u32 type = 0; type < MAX_TYPES; type++) {
		json_object *o;

		if (!tt[type].count)
			continue;
		o = total_json(&tt[type], progs);
		json_object_object_add(
			o, "type",
			type_json(progs ? prog_type_name(type) :
					  map_type_name(type),
				  type));
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *summary_to_json(const struct inventory *inv)
{
	struct totals *t = malloc(sizeof(*t));
	json_object *o = json_object_new_object();
	json_object *maps, *progs;

	if (!t)
		return o;
	compute_totals(inv, t);
	maps = total_json(&t->all_maps, false);
	json_object_object_add(maps, "by_type", by_type_json(t->maps, false));
	progs = total_json(&t->all_progs, true);
	json_object_object_add(progs, "by_type", by_type_json(t->progs, true));
	json_object_object_add(o, "maps", maps);
	json_object_object_add(o, "progs", progs);
	free(t);
	return o;
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

	if (o->json)
		return emit_json(out, summary_to_json(inv), o);
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

static json_object *report_json(const struct inventory *inv)
{
	json_object *o = json_object_new_object();
	json_object *maps = json_object_new_array();
	json_object *progs = json_object_new_array();
	json_object *full = json_object_new_array();
	json_object *sparse = json_object_new_array();

	for (size_t i = 0; i < inv->nr_maps && i < REPORT_TOP; i++)
		json_object_array_add(maps, map_to_json(inv, &inv->maps[i]));
	for (size_t i = 0; i < inv->nr_progs && i < REPORT_TOP; i++)
		json_object_array_add(progs, prog_to_json(inv, &inv->progs[i]));
	for (size_t i = 0; i < inv->nr_maps; i++) {
		if (is_nearly_full(&inv->maps[i]))
			json_object_array_add(
				full, json_object_new_uint64(inv->maps[i].rec.id));
		if (is_sparse(&inv->maps[i]))
			json_object_array_add(
				sparse,
				json_object_new_uint64(inv->maps[i].rec.id));
	}
	json_object_object_add(o, "summary", summary_to_json(inv));
	json_object_object_add(o, "top_maps", maps);
	json_object_object_add(o, "top_progs", progs);
	json_object_object_add(o, "nearly_full_maps", full);
	json_object_object_add(o, "sparse_maps", sparse);
	return o;
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
		return emit_json(out, report_json(inv), o);

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
