// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/format.h"
#include "base/names.h"
#include "report/output.h"
#include "model/model.h"

static size_t shown(size_t n, const struct output_opts *o)
{
	return o->top && o->top < n ? o->top : n;
}

char own_mark(bool own)
{
	return own ? '*' : ' ';
}

void print_own_note(FILE *out, const struct own_summary *s)
{
	char real[16], ml[16];

	if (!s->nr_maps && !s->nr_progs)
		return;
	fprintf(out, "%sbpfmem's own objects: %u maps, %u programs, %s real bytes, %s memlock (%s)\n",
		s->shown ? "* " : "", s->nr_maps, s->nr_progs,
		format_bytes(s->bytes_real, real, sizeof(real)),
		format_bytes(s->bytes_memlock, ml, sizeof(ml)),
		s->shown ? "listed, marked *" : "hidden; --own lists them");
}

static void print_map_header(FILE *out)
{
	fprintf(out, "%6s  %-22s %-15s %6s %6s %9s %9s %5s %10s %10s  %-16s %s\n",
		"ID", "TYPE", "NAME", "KEY", "VALUE", "MAX", "ELEMENTS",
		"FILL", "MEMLOCK", "REAL", "PIDS", "MEMCG");
}

static void print_map_row(FILE *out, const struct inventory *inv,
			  const struct map_info *m)
{
	const struct holder *h = inventory_holders(inv, m->holders);
	char type[32], elems[24], fill[16], memlock[16], real[16] = "-";
	char pids[64] = "-";

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
	if (m->has_real)
		format_bytes(model_total(&m->real), real, sizeof(real));
	if (h)
		snprintf(pids, sizeof(pids), "%s(%u)%s", h[0].comm, h[0].pid,
			 m->holders.count > 1 ? "+" : "");
	fprintf(out, "%6u%c %-22s %-15s %6u %6u %9u %9s %5s %10s %10s  %-16s %s\n",
		m->rec.id, own_mark(m->own), type, m->rec.name, m->rec.key_size,
		m->rec.value_size, m->rec.max_entries, elems, fill, memlock,
		real, pids, m->memcg_path ? m->memcg_path : "-");
}

int print_maps(FILE *out, const struct inventory *inv,
	       const struct output_opts *o)
{
	size_t n = shown(inv->nr_maps, o);

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		json_array_open(&w);
		for (size_t i = 0; i < n; i++) {
			json_map(&w, inv, &inv->maps[i]);
			json_flush_if_large(&w);
		}
		json_array_close(&w);
		return json_finish(&w);
	}
	print_map_header(out);
	for (size_t i = 0; i < n; i++)
		print_map_row(out, inv, &inv->maps[i]);
	return ferror(out) ? -EIO : 0;
}

static void print_prog_header(FILE *out)
{
	fprintf(out, "%6s  %-22s %-15s %-16s %9s %9s %10s %10s  %-12s %s\n",
		"ID", "TYPE", "NAME", "TAG", "XLATED", "JITED", "MEMLOCK",
		"REAL", "MAPS", "PIDS");
}

static void print_prog_row(FILE *out, const struct inventory *inv,
			   const struct prog_info *p)
{
	const struct holder *h = inventory_holders(inv, p->holders);
	char type[32], tag[2 * BPFMEM_TAG_LEN + 1], xl[16], jit[16], ml[16];
	char maps[64] = "-", pids[64] = "-", real[16] = "-";
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
	if (p->has_real)
		format_bytes(model_total(&p->real), real, sizeof(real));
	fprintf(out, "%6u%c %-22s %-15s %-16s %9s %9s %10s %10s  %-12s %s\n",
		p->rec.id, own_mark(p->own), type, prog_name(p), tag,
		format_bytes(p->rec.bytes_xlated, xl, sizeof(xl)),
		format_bytes(p->rec.bytes_jited, jit, sizeof(jit)),
		format_bytes(p->rec.bytes_memlock, ml, sizeof(ml)), real, maps,
		pids);
}

int print_progs(FILE *out, const struct inventory *inv,
		const struct output_opts *o)
{
	size_t n = shown(inv->nr_progs, o);

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		json_array_open(&w);
		for (size_t i = 0; i < n; i++) {
			json_prog(&w, inv, &inv->progs[i]);
			json_flush_if_large(&w);
		}
		json_array_close(&w);
		return json_finish(&w);
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

/* Type ids present in tt, largest memlock first (ties by type id). */
static int types_by_memlock(const struct type_total *tt, __u32 *order)
{
	int n = 0;

	for (__u32 t = 0; t < MAX_TYPES; t++) {
		int i;

		if (!tt[t].count)
			continue;
		/* insertion sort: a few dozen types at most */
		i = n++;
		while (i > 0 && tt[order[i - 1]].memlock < tt[t].memlock) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = t;
	}
	return n;
}

static void json_total(struct json_writer *w, const struct type_total *t,
		       bool progs)
{
	json_kv_u64(w, "count", t->count);
	json_kv_u64(w, "bytes_memlock", t->memlock);
	if (progs) {
		json_kv_u64(w, "bytes_xlated", t->xlated);
		json_kv_u64(w, "bytes_jited", t->jited);
	}
}

static void json_totals(struct json_writer *w, const char *key,
			const struct type_total *all,
			const struct type_total *by_type, bool progs)
{
	json_key(w, key);
	json_object_open(w);
	json_total(w, all, progs);
	__u32 order[MAX_TYPES];
	int n = types_by_memlock(by_type, order);

	json_key(w, "by_type");
	json_array_open(w);
	for (int i = 0; i < n; i++) {
		__u32 type = order[i];

		json_object_open(w);
		json_kv_type(w, progs ? prog_type_name(type) : map_type_name(type),
			  type);
		json_total(w, &by_type[type], progs);
		json_object_close(w);
	}
	json_array_close(w);
	json_object_close(w);
}

int json_summary(struct json_writer *w, const struct inventory *inv)
{
	struct totals *t = malloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	compute_totals(inv, t);
	json_object_open(w);
	json_totals(w, "maps", &t->all_maps, t->maps, false);
	json_totals(w, "progs", &t->all_progs, t->progs, true);
	json_own(w, &inv->own);
	json_object_close(w);
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
	__u32 order[MAX_TYPES];
	int n = types_by_memlock(tt, order);

	for (int i = 0; i < n; i++) {
		__u32 t = order[i];
		const struct type_total *x = &tt[t];
		char fill[16] = "-";

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
		struct json_writer w;
		int err;

		json_init(&w, out, o->pretty);
		err = json_summary(&w, inv);
		return json_finish(&w) ?: err;
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
	if (inv->own.nr_maps || inv->own.nr_progs)
		fputc('\n', out);
	print_own_note(out, &inv->own);
	free(t);
	return ferror(out) ? -EIO : 0;
}

int print_cgroups(FILE *out, const struct cgroup_rollup *r,
		  const struct output_opts *o, bool tree, bool dying_only)
{
	size_t shown_rows = 0, not_modelled = 0;

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		json_array_open(&w);
		for (size_t i = 0; i < r->n; i++) {
			if (dying_only && !r->cgroups[i].dying)
				continue;
			if (o->top && shown_rows++ >= o->top)
				break;
			json_cgroup(&w, &r->cgroups[i]);
		}
		json_array_close(&w);
		return json_finish(&w);
	}
	fprintf(out, "%-44s %-26s %5s %5s %11s %10s %10s %10s %11s %10s %10s %6s\n",
		tree ? "CGROUP (tree)" : "CGROUP", "OWNER", "MAPS", "PROGS",
		"REAL", "CHARGED", "ROOT", "MEMLOCK", "SUBTREE", "USAGE",
		"LIMIT", "BPF%");
	for (size_t i = 0; i < r->n; i++) {
		const struct cgroup_info *c = &r->cgroups[i];
		char path[512], owner[CGROUP_UNIT_LEN + 16], ml[16], sub[16];
		char real[16], charged[16], root[16], use[16], lim[16];
		char share[16];
		struct cgroup_owner named;

		if (dying_only && !c->dying)
			continue;
		if (o->top && shown_rows++ >= o->top)
			break;
		cgroup_row_name(c, path, sizeof(path), &named);
		if (tree && c->path) {
			const char *last = strrchr(c->path, '/');

			snprintf(path, sizeof(path), "%*s%s", 2 * c->depth, "",
				 c->depth ? last + 1 : "/");
		}
		not_modelled += c->nr_not_modelled;
		format_bytes_partial(c->bytes_real, c->real_complete, real, sizeof(real));
		format_bytes_partial(c->bytes_real_subtree, c->real_subtree_complete, sub,
			  sizeof(sub));
		fprintf(out, "%-44s %-26s %5zu %5zu %11s %10s %10s %10s %11s %10s %10s %6s\n",
			path, cgroup_owner_text(&named, owner, sizeof(owner)), c->nr_maps,
			c->nr_progs, real,
			format_bytes(c->bytes_real_charged, charged,
				     sizeof(charged)),
			format_bytes(c->bytes_real_root, root, sizeof(root)),
			format_bytes(c->bytes_memlock, ml, sizeof(ml)), sub,
			c->has_usage ? format_bytes(c->usage, use, sizeof(use)) :
				       "-",
			c->has_limit ? format_bytes(c->limit, lim, sizeof(lim)) :
				       "-",
			format_ratio(cgroup_bpf_share(c), share, sizeof(share)));
	}
	if (not_modelled)
		fprintf(out, "\n* %zu objects of these cgroups are of kinds the model does not cover: REAL counts the others.\n",
			not_modelled);
	return ferror(out) ? -EIO : 0;
}

static void hex(char *buf, size_t size, __u64 v)
{
	snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

int print_packs(FILE *out, const struct pack_table *t,
		const struct output_opts *o)
{
	char base[24], size[16], used[16], free_run[16], frag[16];

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		json_object_open(&w);
		json_kv_u64(&w, "pack_size", t->pack_size);
		json_key(&w, "packs");
		json_array_open(&w);
		for (size_t i = 0; i < t->n; i++) {
			const struct pack_info *p = &t->packs[i];
			double f = pack_fragmentation(p);

			json_object_open(&w);
			hex(base, sizeof(base), p->base);
			json_kv_string(&w, "pack", base);
			json_kv_u64(&w, "bytes", p->bytes);
			json_kv_u64(&w, "bytes_programs", p->bytes_programs);
			json_kv_u64(&w, "bytes_unused",
				    p->bytes - p->bytes_programs);
			json_kv_u64(&w, "images", p->images);
			json_kv_u64_or_null(&w, "largest_free_run",
					    p->extents_complete,
					    p->largest_free);
			json_key(&w, "fragmentation");
			if (f < 0)
				json_null(&w);
			else
				json_double(&w, f);
			json_key(&w, "progs");
			json_array_open(&w);
			for (size_t j = 0; j < p->nr_progs; j++)
				json_u64(&w, p->prog_ids[j]);
			json_array_close(&w);
			json_object_close(&w);
		}
		json_array_close(&w);
		json_kv_u64(&w, "own_allocation_images", t->own_images);
		json_kv_u64(&w, "own_allocation_bytes", t->own_bytes);
		json_object_close(&w);
		return json_finish(&w);
	}
	fprintf(out, "%-20s %10s %10s %7s %6s %12s %6s\n", "PACK", "SIZE",
		"PROGRAMS", "IMAGES", "PROGS", "LARGEST-FREE", "FRAG");
	for (size_t i = 0; i < t->n; i++) {
		const struct pack_info *p = &t->packs[i];
		double f = pack_fragmentation(p);

		hex(base, sizeof(base), p->base);
		if (p->extents_complete)
			format_bytes(p->largest_free, free_run,
				     sizeof(free_run));
		else
			snprintf(free_run, sizeof(free_run), "-");
		if (f < 0)
			snprintf(frag, sizeof(frag), "-");
		else
			snprintf(frag, sizeof(frag), "%.2f", f);
		fprintf(out, "%-20s %10s %10s %7u %6zu %12s %6s\n", base,
			format_bytes(p->bytes, size, sizeof(size)),
			format_bytes(p->bytes_programs, used, sizeof(used)),
			p->images, p->nr_progs, free_run, frag);
	}
	if (t->own_images)
		fprintf(out, "%u images too large for a pack: %s of their own\n",
			t->own_images,
			format_bytes(t->own_bytes, used, sizeof(used)));
	fprintf(out, "\nTrampolines and dispatchers also live in packs; they count as unused here.\n");
	return ferror(out) ? -EIO : 0;
}

/* A /proc/meminfo line: name, value in kB. */
static void meminfo_line(FILE *out, const char *name, __u64 bytes)
{
	fprintf(out, "%-16s%10llu kB\n", name, (unsigned long long)bytes / 1024);
}

int print_meminfo(FILE *out, const struct meminfo *m,
		  const struct output_opts *o)
{
	static const char *const names[MODEL_ALLOC_NR] = {
		[MODEL_SLAB] = "BPFSlab:", [MODEL_VMALLOC] = "BPFVmalloc:",
		[MODEL_PERCPU] = "BPFPercpu:", [MODEL_PAGES] = "BPFPages:",
	};

	if (o->json) {
		struct json_writer w;

		json_init(&w, out, o->pretty);
		json_object_open(&w);
		json_kv_u64(&w, "bytes_total", meminfo_total(m));
		json_kv_u64(&w, "bytes_maps", m->maps);
		json_kv_u64(&w, "bytes_progs", m->progs);
		json_kv_u64(&w, "bytes_other", m->other);
		for (int a = 0; a < MODEL_ALLOC_NR; a++) {
			char key[24];

			snprintf(key, sizeof(key), "bytes_%s",
				 model_alloc_name(a));
			json_kv_u64(&w, key, m->alloc[a]);
		}
		json_kv_u64(&w, "bytes_charged", m->charged);
		json_kv_u64(&w, "bytes_root", m->root);
		json_kv_u64(&w, "maps", m->nr_maps);
		json_kv_u64(&w, "maps_not_covered", m->maps_uncovered);
		json_kv_u64(&w, "progs", m->nr_progs);
		json_kv_u64(&w, "progs_not_covered", m->progs_uncovered);
		json_kv_u64(&w, "jit_packs", m->nr_packs);
		json_kv_u64(&w, "bytes_jit_packs", m->pack_bytes);
		json_object_close(&w);
		return json_finish(&w);
	}
	meminfo_line(out, "BPF:", meminfo_total(m));
	meminfo_line(out, "BPFMaps:", m->maps);
	meminfo_line(out, "BPFPrograms:", m->progs);
	meminfo_line(out, "BPFOther:", m->other);
	for (int a = 0; a < MODEL_ALLOC_NR; a++)
		meminfo_line(out, names[a], m->alloc[a]);
	meminfo_line(out, "BPFCharged:", m->charged);
	meminfo_line(out, "BPFUncharged:", m->root);
	meminfo_line(out, "BPFJitPacks:", m->pack_bytes);
	if (m->maps_uncovered || m->progs_uncovered)
		fprintf(out, "\nNot counted: %llu of %llu maps and %llu of %llu programs, of kinds the model does not cover yet.\n",
			(unsigned long long)m->maps_uncovered,
			(unsigned long long)m->nr_maps,
			(unsigned long long)m->progs_uncovered,
			(unsigned long long)m->nr_progs);
	fprintf(out, "Other: what JIT packs hold besides programs (trampolines, dispatchers, free chunks); BTF objects and links are not counted.\n");
	return ferror(out) ? -EIO : 0;
}
