// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "model/cgroups.h"
#include "base/format.h"
#include "base/names.h"
#include "report/report.h"
#include "base/array_sort.h"

#define REPORT_TOP 10
/* A map this large that holds under a tenth of its capacity is worth
 * a look: its memory is mostly reserved, not used. */
#define REPORT_SPARSE_MIN_BYTES (1ULL << 20)
#define REPORT_SPARSE_RATIO 0.10
#define REPORT_FULL_RATIO 0.90

/* Real bytes against memlock for a set of objects. The error compares
 * like with like: the memlock of the objects the model covers against
 * their real bytes. */
struct real_vs_memlock {
	__u64 count;
	__u64 modelled;
	__u64 real;		/* of the modelled objects */
	__u64 memlock;		/* of every object */
	__u64 memlock_modelled;
};

struct report_totals {
	struct real_vs_memlock maps, progs, all;
	/* real bytes charged to memory cgroups, and to the root one */
	__u64 charged, root;
};

static void add(struct real_vs_memlock *t, bool has_real,
		const struct model_bytes *b, __u64 memlock)
{
	t->count++;
	t->memlock += memlock;
	if (!has_real)
		return;
	t->modelled++;
	t->real += model_total(b);
	t->memlock_modelled += memlock;
}

static void add_object(struct report_totals *t, struct real_vs_memlock *kind,
		       bool has_real, const struct model_bytes *b,
		       __u64 memlock)
{
	add(kind, has_real, b, memlock);
	add(&t->all, has_real, b, memlock);
	if (has_real) {
		t->charged += b->memcg;
		t->root += b->root;
	}
}

static void compute_totals(const struct inventory *inv,
			   struct report_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];

		add_object(t, &t->maps, m->has_real, &m->real,
			   m->bytes_memlock);
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];

		add_object(t, &t->progs, p->has_real, &p->real,
			   p->rec.bytes_memlock);
	}
}

/* (memlock - real) / real in per cent; false when real is 0. */
static bool error_pct(__u64 memlock, __u64 real, double *pct)
{
	if (!real)
		return false;
	*pct = ((double)memlock - (double)real) * 100 / real;
	return true;
}

/* "-4.00 MiB (-26.5%)": memlock minus real; "-" where unknown. */
static char *error_text(__u64 memlock, __u64 real, bool known, char *buf,
			size_t size)
{
	char b[16];
	double pct;

	if (!known || !error_pct(memlock, real, &pct)) {
		snprintf(buf, size, "-");
		return buf;
	}
	format_bytes(memlock >= real ? memlock - real : real - memlock, b,
		     sizeof(b));
	/* a small error is not "-0.0%" */
	if (pct > -0.05 && pct < 0.05 && memlock != real)
		snprintf(buf, size, "%c%s (under 0.1%%)",
			 memlock > real ? '+' : '-', b);
	else
		snprintf(buf, size, "%c%s (%+.1f%%)",
			 memlock >= real ? '+' : '-', b, pct);
	return buf;
}

/* Objects with real bytes first, largest first; the others by memlock;
 * ties by id. */
static int cmp_real(bool ha, __u64 ra, __u64 ma, __u32 ia, bool hb,
		    __u64 rb, __u64 mb, __u32 ib)
{
	if (ha != hb)
		return ha ? -1 : 1;
	if (ra != rb)
		return ra > rb ? -1 : 1;
	if (ma != mb)
		return ma > mb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static int cmp_map(const void *pa, const void *pb)
{
	const struct map_info *a = pa, *b = pb;

	return cmp_real(a->has_real, model_total(&a->real), a->bytes_memlock,
			a->rec.id, b->has_real, model_total(&b->real),
			b->bytes_memlock, b->rec.id);
}

static int cmp_prog(const void *pa, const void *pb)
{
	const struct prog_info *a = pa, *b = pb;

	return cmp_real(a->has_real, model_total(&a->real),
			a->rec.bytes_memlock, a->rec.id, b->has_real,
			model_total(&b->real), b->rec.bytes_memlock, b->rec.id);
}

static void sort_by_real(struct inventory *inv)
{
	/* an empty inventory may have no arrays at all */
	sort_array(inv->maps, inv->nr_maps, sizeof(*inv->maps), cmp_map);
	sort_array(inv->progs, inv->nr_progs, sizeof(*inv->progs), cmp_prog);
}

/* One of the inventory's maps or programs, for the largest objects. */
struct object_ref {
	bool is_map;
	__u32 id;
	const char *type;	/* NULL: a type without a name */
	__u32 type_nr;
	const char *name;
	bool has_real, has_memlock;
	__u64 real, memlock;
	const char *memcg_path;
	bool own;
};

static struct object_ref map_ref(const struct map_info *m)
{
	return (struct object_ref){
		.is_map = true, .id = m->rec.id,
		.type = map_type_name(m->rec.type), .type_nr = m->rec.type,
		.name = m->rec.name, .has_real = m->has_real,
		.has_memlock = m->has_memlock, .real = model_total(&m->real),
		.memlock = m->bytes_memlock, .memcg_path = m->memcg_path,
		.own = m->own,
	};
}

static struct object_ref prog_ref(const struct prog_info *p)
{
	return (struct object_ref){
		.is_map = false, .id = p->rec.id,
		.type = prog_type_name(p->rec.type), .type_nr = p->rec.type,
		.name = prog_name(p), .has_real = p->has_real,
		.has_memlock = true, .real = model_total(&p->real),
		.memlock = p->rec.bytes_memlock, .memcg_path = p->memcg_path,
		.own = p->own,
	};
}

/* The n largest maps and programs together, from an inventory sorted
 * by sort_by_real(): a merge of the two. Returns how many. */
static size_t largest_objects(const struct inventory *inv,
			      struct object_ref *out, size_t n)
{
	size_t i = 0, j = 0, k = 0;

	for (; k < n && (i < inv->nr_maps || j < inv->nr_progs); k++) {
		struct object_ref m = {}, p = {};

		if (i < inv->nr_maps)
			m = map_ref(&inv->maps[i]);
		if (j < inv->nr_progs)
			p = prog_ref(&inv->progs[j]);
		if (j == inv->nr_progs ||
		    (i < inv->nr_maps &&
		     cmp_real(m.has_real, m.real, m.memlock, m.id, p.has_real,
			      p.real, p.memlock, p.id) <= 0)) {
			out[k] = m;
			i++;
		} else {
			out[k] = p;
			j++;
		}
	}
	return k;
}

/* The memory cgroups charged, largest real bytes first. */
static int payers_build(const struct inventory *inv, struct cgroup_rollup *r)
{
	int err = cgroup_rollup_build(inv, false, r);

	if (!err)
		cgroup_rollup_sort_by_bytes(r);
	return err;
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

static void json_map_ids(struct json_writer *w, const char *key,
			 const struct inventory *inv,
			 bool (*pick)(const struct map_info *))
{
	json_key(w, key);
	json_array_open(w);
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (pick(&inv->maps[i]))
			json_u64(w, inv->maps[i].rec.id);
	json_array_close(w);
}

static void json_error(struct json_writer *w, __u64 memlock, __u64 real,
		       bool known)
{
	double pct;

	json_key(w, "error_bytes");
	if (known)
		json_double(w, (double)memlock - (double)real);
	else
		json_null(w);
	json_key(w, "error_pct");
	if (known && error_pct(memlock, real, &pct))
		json_double(w, pct);
	else
		json_null(w);
}

static void json_real_vs_memlock(struct json_writer *w, const char *key,
				 const struct real_vs_memlock *t)
{
	json_key(w, key);
	json_object_open(w);
	json_kv_u64(w, "count", t->count);
	json_kv_u64(w, "modelled", t->modelled);
	json_kv_u64(w, "not_modelled", t->count - t->modelled);
	json_kv_u64(w, "bytes_real", t->real);
	json_kv_u64(w, "bytes_memlock", t->memlock);
	json_kv_u64(w, "bytes_memlock_modelled", t->memlock_modelled);
	json_error(w, t->memlock_modelled, t->real, t->modelled);
	json_object_close(w);
}

static void json_totals(struct json_writer *w, const struct report_totals *t)
{
	json_key(w, "totals");
	json_object_open(w);
	json_real_vs_memlock(w, "maps", &t->maps);
	json_real_vs_memlock(w, "progs", &t->progs);
	json_real_vs_memlock(w, "total", &t->all);
	json_kv_u64(w, "bytes_real_charged", t->charged);
	json_kv_u64(w, "bytes_real_root", t->root);
	json_object_close(w);
}

static void json_largest(struct json_writer *w, const struct inventory *inv)
{
	struct object_ref objs[REPORT_TOP];
	size_t n = largest_objects(inv, objs, REPORT_TOP);

	json_key(w, "largest");
	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		const struct object_ref *o = &objs[i];

		json_object_open(w);
		json_kv_string(w, "kind", o->is_map ? "map" : "prog");
		json_kv_u64(w, "id", o->id);
		json_kv_type(w, o->type, o->type_nr);
		json_kv_string(w, "name", o->name);
		json_kv_u64_or_null(w, "bytes_real", o->has_real, o->real);
		json_kv_u64_or_null(w, "bytes_memlock", o->has_memlock,
				    o->memlock);
		json_error(w, o->memlock, o->real,
			   o->has_real && o->has_memlock);
		json_kv_string_or_null(w, "memcg_path", o->memcg_path);
		json_object_close(w);
	}
	json_array_close(w);
}

int json_report(struct json_writer *w, struct inventory *inv)
{
	struct report_totals t;
	struct cgroup_rollup r;
	int err;

	sort_by_real(inv);
	compute_totals(inv, &t);
	err = payers_build(inv, &r);
	if (err)
		return err;
	json_object_open(w);
	json_totals(w, &t);
	json_key(w, "payers");
	json_array_open(w);
	for (size_t i = 0; i < r.n && i < REPORT_TOP; i++)
		json_cgroup(w, &r.cgroups[i]);
	json_array_close(w);
	cgroup_rollup_free(&r);
	json_largest(w, inv);
	json_key(w, "summary");
	err = json_summary(w, inv);
	json_key(w, "top_maps");
	json_array_open(w);
	for (size_t i = 0; i < inv->nr_maps && i < REPORT_TOP; i++)
		json_map(w, inv, &inv->maps[i]);
	json_array_close(w);
	json_key(w, "top_progs");
	json_array_open(w);
	for (size_t i = 0; i < inv->nr_progs && i < REPORT_TOP; i++)
		json_prog(w, inv, &inv->progs[i]);
	json_array_close(w);
	json_map_ids(w, "nearly_full_maps", inv, is_nearly_full);
	json_map_ids(w, "sparse_maps", inv, is_sparse);
	json_own(w, &inv->own);
	json_object_close(w);
	return err;
}

static void print_total_row(FILE *out, const char *what,
			    const struct real_vs_memlock *t)
{
	char real[16], ml[16], err[48];

	fprintf(out, "  %-10s %7llu %11s %10s  %s\n", what,
		(unsigned long long)t->count,
		format_bytes_partial(t->real, t->modelled == t->count, real,
				     sizeof(real)),
		format_bytes(t->memlock, ml, sizeof(ml)),
		error_text(t->memlock_modelled, t->real, t->modelled, err,
			   sizeof(err)));
}

static double share(__u64 part, __u64 whole)
{
	return whole ? (double)part * 100 / whole : 0;
}

static void print_totals(FILE *out, const struct report_totals *t)
{
	char b[16];

	fprintf(out, "BPF memory: real bytes (what the kernel holds) against memlock (what it reports)\n\n");
	fprintf(out, "  %-10s %7s %11s %10s  %s\n", "", "COUNT", "REAL",
		"MEMLOCK", "MEMLOCK - REAL");
	print_total_row(out, "maps", &t->maps);
	print_total_row(out, "programs", &t->progs);
	print_total_row(out, "total", &t->all);
	if (t->all.modelled < t->all.count)
		fprintf(out, "  * real of %llu of %llu maps and %llu of %llu programs: the model does not cover\n"
			"    the others yet; the error compares those modelled with their own memlock\n",
			(unsigned long long)t->maps.modelled,
			(unsigned long long)t->maps.count,
			(unsigned long long)t->progs.modelled,
			(unsigned long long)t->progs.count);
	fprintf(out, "\n  real bytes charged to memory cgroups  %10s (%.1f%%)\n",
		format_bytes(t->charged, b, sizeof(b)),
		share(t->charged, t->all.real));
	fprintf(out, "  real bytes charged to root (no limit) %10s (%.1f%%)\n",
		format_bytes(t->root, b, sizeof(b)),
		share(t->root, t->all.real));
}

static int print_payers(FILE *out, const struct inventory *inv)
{
	struct cgroup_rollup r;
	int err = payers_build(inv, &r);

	if (err)
		return err;
	fprintf(out, "\nWho pays: memory cgroups by real bytes\n");
	if (!r.n)
		fprintf(out, "  no memory cgroup is charged for a BPF object\n");
	else
		fprintf(out, "  %-50s %-26s %5s %5s %11s %10s\n", "CGROUP",
			"OWNER", "MAPS", "PROGS", "REAL", "MEMLOCK");
	for (size_t i = 0; i < r.n && i < REPORT_TOP; i++) {
		const struct cgroup_info *c = &r.cgroups[i];
		char path[512], owner[CGROUP_UNIT_LEN + 16], real[16], ml[16];
		struct cgroup_owner o;

		cgroup_row_name(c, path, sizeof(path), &o);
		fprintf(out, "  %-50s %-26s %5zu %5zu %11s %10s\n", path,
			cgroup_owner_text(&o, owner, sizeof(owner)),
			c->nr_maps, c->nr_progs,
			format_bytes_partial(c->bytes_real, c->real_complete,
					     real, sizeof(real)),
			format_bytes(c->bytes_memlock, ml, sizeof(ml)));
	}
	if (r.n > REPORT_TOP)
		fprintf(out, "  ... %zu more: bpfmem cgroups\n",
			r.n - REPORT_TOP);
	cgroup_rollup_free(&r);
	return 0;
}

static void print_largest(FILE *out, const struct inventory *inv)
{
	struct object_ref objs[REPORT_TOP];
	size_t n = largest_objects(inv, objs, REPORT_TOP);

	fprintf(out, "\nLargest objects by real bytes\n");
	fprintf(out, "  %-4s %8s  %-22s %-16s %10s %10s  %-22s %s\n", "KIND",
		"ID", "TYPE", "NAME", "REAL", "MEMLOCK", "MEMLOCK - REAL",
		"MEMCG");
	for (size_t i = 0; i < n; i++) {
		const struct object_ref *o = &objs[i];
		char type[32], real[16] = "-", ml[16] = "-", err[48];

		type_text(type, sizeof(type), o->type, o->type_nr);
		if (o->has_real)
			format_bytes(o->real, real, sizeof(real));
		if (o->has_memlock)
			format_bytes(o->memlock, ml, sizeof(ml));
		fprintf(out, "  %-4s %8u%c %-22s %-16s %10s %10s  %-22s %s\n",
			o->is_map ? "map" : "prog", o->id, own_mark(o->own),
			type, o->name, real,
			ml,
			error_text(o->memlock, o->real,
				   o->has_real && o->has_memlock, err,
				   sizeof(err)),
			o->memcg_path ? o->memcg_path : "-");
	}
}

static void print_fill(FILE *out, const struct inventory *inv)
{
	size_t flagged = 0;

	fprintf(out, "\nFill\n");
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];
		char fill[16], ml[16], real[16] = "-";

		if (!is_nearly_full(m) && !is_sparse(m))
			continue;
		flagged++;
		if (m->has_real)
			format_bytes(model_total(&m->real), real, sizeof(real));
		fprintf(out, "  map %u %s: %s of %u entries used, real %s, memlock %s%s\n",
			m->rec.id, m->rec.name,
			format_ratio(map_fill_ratio(m), fill, sizeof(fill)),
			m->rec.max_entries, real,
			format_bytes(m->bytes_memlock, ml, sizeof(ml)),
			is_nearly_full(m) ? " (nearly full: updates may fail)" :
					    " (mostly empty)");
	}
	if (!flagged)
		fprintf(out, "  no map is nearly full or mostly empty\n");
}

int print_report(FILE *out, struct inventory *inv,
		 const struct output_opts *o)
{
	struct report_totals t;
	int err;

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		err = json_report(&w, inv);
		return json_finish(&w) ?: err;
	}
	sort_by_real(inv);
	compute_totals(inv, &t);
	if (!inv->nr_maps && !inv->nr_progs) {
		fprintf(out, "No BPF map or program is loaded on this machine%s.\n"
			"bpfmem demo makes a few in a scratch memory cgroup, reports them and\n"
			"removes them.\n",
			inv->own.nr_maps || inv->own.nr_progs ?
				" other than bpfmem's own" : "");
		print_own_note(out, &inv->own);
		return ferror(out) ? -EIO : 0;
	}
	print_totals(out, &t);
	err = print_payers(out, inv);
	if (err)
		return err;
	print_largest(out, inv);
	print_fill(out, inv);
	fprintf(out, "\nREAL is what the kernel holds for each object, by bpfmem's model of it\n(docs/ACCURACY.md); memlock is the kernel's own estimate (fdinfo).\n");
	print_own_note(out, &inv->own);
	return ferror(out) ? -EIO : 0;
}
