// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "daemon/ledger.h"
#include "base/array_sort.h"

/* Points every object the hooks saw created at a copy of its create
 * event that lives as long as this ledger. */
static int add_creators(struct inventory *inv, const struct creators *cr,
			struct bpfmem_event **out)
{
	struct bpfmem_event *copies;
	size_t n = 0;

	copies = calloc(inv->nr_maps + inv->nr_progs ?: 1, sizeof(*copies));
	if (!copies)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];
		const struct bpfmem_event *e = creators_find(
			cr, BPFMEM_EV_MAP_CREATE, m->rec.kaddr);

		if (e) {
			copies[n] = *e;
			m->creator = &copies[n++];
			m->creator_memcg_path = memcg_path(&inv->memcgs,
							   e->memcg_id);
		} else {
			m->creator = NULL;
			m->creator_memcg_path = NULL;
		}
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		struct prog_info *p = &inv->progs[i];
		const struct bpfmem_event *e = creators_find(
			cr, BPFMEM_EV_PROG_LOAD, p->rec.kaddr);

		if (e) {
			copies[n] = *e;
			p->creator = &copies[n++];
			p->creator_memcg_path = memcg_path(&inv->memcgs,
							   e->memcg_id);
		} else {
			p->creator = NULL;
			p->creator_memcg_path = NULL;
		}
	}
	*out = copies;
	return 0;
}

static void forget_map_order(struct ledger *l)
{
	free(l->map_order);
	l->map_order = NULL;
}

static void ledger_free_contents(struct ledger *l)
{
	forget_map_order(l);
	free(l->patched);
	l->patched = NULL;
	l->nr_patched = 0;
	inventory_free(&l->inv);
	cgroup_rollup_free(&l->cgroups);
	free(l->creators);
	seen_paths_free(&l->seen);
}

static void sum(const struct inventory *inv, struct ledger_totals *t)
{
	*t = (struct ledger_totals){
		.maps = inv->nr_maps,
		.progs = inv->nr_progs,
	};
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (inv->maps[i].has_memlock)
			t->maps_memlock += inv->maps[i].bytes_memlock;
	for (size_t i = 0; i < inv->nr_progs; i++) {
		t->progs_memlock += inv->progs[i].rec.bytes_memlock;
		t->progs_jited += inv->progs[i].rec.bytes_jited;
	}
}

int ledger_update(struct ledger *l, struct inventory *inv,
		  const struct creators *creators, __u64 time_ms)
{
	struct cgroup_rollup cgroups;
	struct bpfmem_event *copies;
	struct seen_paths seen;
	int err;

	err = add_creators(inv, creators, &copies);
	if (err) {
		inventory_free(inv);
		return err;
	}
	err = seen_paths_update(&l->seen, inv, &seen);
	if (err) {
		free(copies);
		inventory_free(inv);
		return err;
	}
	err = cgroup_rollup_build(inv, false, &cgroups);
	if (err) {
		seen_paths_free(&seen);
		free(copies);
		inventory_free(inv);
		return err;
	}
	ledger_free_contents(l);
	l->inv = *inv;
	*inv = (struct inventory){};
	l->cgroups = cgroups;
	l->creators = copies;
	l->creators_changes = creators->changes;
	l->seen = seen;
	sum(&l->inv, &l->totals);
	l->time_ms = time_ms;
	l->samples++;
	l->read = PROBE_OTHER;
	return 0;
}

/* The memory cgroups' counters of a sample replace the ledger's; the
 * sample is freed. */
static void take_counters(struct ledger *l, struct inventory *sample)
{
	struct bpfmem_memcg_rec *recs = l->inv.memcg_recs;
	size_t nr = l->inv.nr_memcg_recs;

	l->inv.memcg_recs = sample->memcg_recs;
	l->inv.nr_memcg_recs = sample->nr_memcg_recs;
	sample->memcg_recs = recs;
	sample->nr_memcg_recs = nr;
	inventory_free(sample);
}

/* A sample that did not collect: its time, and the create events read
 * after their objects' first sample. 0 or -ENOMEM. */
static int sample_kept(struct ledger *l, const struct creators *creators,
		       __u64 time_ms, enum probe_found read)
{
	struct bpfmem_event *copies;

	l->time_ms = time_ms;
	l->samples++;
	l->read = read;
	if (creators->changes == l->creators_changes)
		return 0;
	if (add_creators(&l->inv, creators, &copies))
		return -ENOMEM;
	free(l->creators);
	l->creators = copies;
	l->creators_changes = creators->changes;
	return 0;
}

int ledger_refresh(struct ledger *l, struct inventory *counters,
		   const struct creators *creators, __u64 time_ms)
{
	take_counters(l, counters);
	/* the same objects in the same cgroups: only their counters moved */
	cgroup_rollup_read_counters(&l->inv, &l->cgroups);
	return sample_kept(l, creators, time_ms, PROBE_SAME);
}

static int cmp_map_id(const void *key, const void *elem)
{
	__u32 id = *(const __u32 *)key;
	__u32 other = ((const struct map_info *)elem)->rec.id;

	return id < other ? -1 : id > other;
}

int ledger_patch(struct ledger *l, struct inventory *changed,
		 const struct creators *creators, __u64 time_ms)
{
	struct map_info **target = calloc(changed->nr_maps ?: 1,
					  sizeof(*target));
	__u32 *ids = calloc(changed->nr_maps ?: 1, sizeof(*ids));
	struct cgroup_rollup cgroups;
	int err;

	if (!target || !ids) {
		free(target);
		free(ids);
		inventory_free(changed);
		return -ENOMEM;
	}
	for (size_t i = 0; i < changed->nr_maps; i++) {
		const struct map_info *m = &changed->maps[i];

		target[i] = l->inv.nr_maps ?
			bsearch(&m->rec.id, l->inv.maps, l->inv.nr_maps,
				sizeof(*l->inv.maps), cmp_map_id) : NULL;
		/* the path, seen path and rollup name the old cgroup */
		if (!target[i] || target[i]->rec.memcg_id != m->rec.memcg_id) {
			free(target);
			free(ids);
			return ledger_refresh(l, changed, creators, time_ms) ?:
			       -EAGAIN;
		}
	}
	for (size_t i = 0; i < changed->nr_maps; i++) {
		const struct map_info *m = &changed->maps[i];

		target[i]->rec = m->rec;
		target[i]->bytes_memlock = m->bytes_memlock;
		target[i]->has_memlock = m->has_memlock;
		target[i]->has_real = m->has_real;
		target[i]->real = m->real;
		ids[i] = m->rec.id;
	}
	free(target);
	forget_map_order(l);
	free(l->patched);
	l->patched = ids;
	l->nr_patched = changed->nr_maps;
	take_counters(l, changed);
	sum(&l->inv, &l->totals);
	err = cgroup_rollup_build(&l->inv, false, &cgroups);
	if (err) {
		cgroup_rollup_read_counters(&l->inv, &l->cgroups);
	} else {
		cgroup_rollup_free(&l->cgroups);
		l->cgroups = cgroups;
	}
	return sample_kept(l, creators, time_ms, PROBE_MAPS_CHANGED) ?: err;
}

void ledger_free(struct ledger *l)
{
	ledger_free_contents(l);
	*l = (struct ledger){};
}

const struct map_info *const *ledger_map_order(struct ledger *l,
					       struct sort_spec spec)
{
	if (l->map_order && l->map_order_sort.key == spec.key &&
	    l->map_order_sort.descending == spec.descending)
		return l->map_order;
	forget_map_order(l);
	l->map_order = malloc((l->inv.nr_maps ?: 1) * sizeof(*l->map_order));
	if (!l->map_order)
		return NULL;
	for (size_t i = 0; i < l->inv.nr_maps; i++)
		l->map_order[i] = &l->inv.maps[i];
	sort_map_refs(l->map_order, l->inv.nr_maps, spec);
	l->map_order_sort = spec;
	return l->map_order;
}

static int cmp_hist_id(const void *pa, const void *pb)
{
	const struct hist_value *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static struct hist_value map_value(const struct map_info *m)
{
	bool counted = m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS;

	return (struct hist_value){
		.id = m->rec.id,
		.v = { m->bytes_memlock, m->rec.elements, m->has_memlock,
		       counted },
	};
}

int ledger_record(const struct ledger *l, struct history *h)
{
	const struct inventory *inv = &l->inv;
	const struct ledger_totals *t = &l->totals;
	size_t n = inv->nr_maps > inv->nr_progs ? inv->nr_maps : inv->nr_progs;
	struct hist_value total = {
		.v = { t->maps_memlock, t->progs_memlock, t->maps, t->progs },
	};
	struct hist_value *v;
	int err;

	if (n < l->cgroups.n)
		n = l->cgroups.n;
	/* every figure kept is an object's: none moved */
	if (l->read == PROBE_SAME)
		return history_begin(h, l->time_ms);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	history_begin(h, l->time_ms);
	err = history_put(h, HIST_TOTAL, &total, 1);
	/* a patch: the maps it changed, the programs as they were */
	if (!err && l->read == PROBE_MAPS_CHANGED) {
		size_t k = 0;

		for (size_t i = 0; i < inv->nr_maps && k < l->nr_patched; i++)
			if (inv->maps[i].rec.id == l->patched[k])
				v[k++] = map_value(&inv->maps[i]);
		err = history_update(h, HIST_MAP, v, k);
		if (err != -ENOENT)
			goto memcgs;
	}
	for (size_t i = 0; i < inv->nr_maps; i++)
		v[i] = map_value(&inv->maps[i]);
	if (!err || err == -ENOENT)
		err = history_put(h, HIST_MAP, v, inv->nr_maps);
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];

		v[i] = (struct hist_value){
			.id = p->rec.id,
			.v = { p->rec.bytes_memlock, p->rec.bytes_jited },
		};
	}
	if (!err)
		err = history_put(h, HIST_PROG, v, inv->nr_progs);
memcgs:
	for (size_t i = 0; i < l->cgroups.n; i++) {
		const struct cgroup_info *c = &l->cgroups.cgroups[i];

		v[i] = (struct hist_value){
			.id = c->id,
			.v = { c->bytes_memlock, c->bytes_memlock_subtree,
			       c->nr_maps, c->nr_progs },
		};
	}
	/* the rollup is in path order */
	sort_array(v, l->cgroups.n, sizeof(*v), cmp_hist_id);
	if (!err)
		err = history_put(h, HIST_MEMCG, v, l->cgroups.n);
	free(v);
	return err;
}
