// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "daemon/alert_source.h"
#include "base/array_sort.h"

#define HAS(m) (1u << (m))

static int reserve(struct alert_source *s, enum alert_scope scope, size_t n)
{
	struct alert_object *v;

	if (n <= s->cap[scope])
		return 0;
	v = realloc(s->v[scope], n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v[scope] = v;
	s->cap[scope] = n;
	return 0;
}

static void set(struct alert_object *o, enum alert_metric m, double v)
{
	o->value[m] = v;
	o->known |= HAS(m);
}

/* (real - memlock) / real, in percent. */
static void set_error(struct alert_object *o, double real, double memlock)
{
	if (real > 0)
		set(o, ALERT_MEMLOCK_ERROR_PCT, (real - memlock) / real * 100);
}

/* Per minute, from the oldest sample of the last minute to now. */
static void set_growth(struct alert_object *o, const struct history *h,
		       enum hist_kind kind, __u64 now_ms, __u64 now_value)
{
	__u64 t, v[HIST_VALUES], then;

	if (history_since(h, kind, o->id, now_ms - ALERT_GROWTH_WINDOW_MS, &t,
			  v) || t >= now_ms)
		return;
	/* the total's memlock is of maps and programs */
	then = kind == HIST_TOTAL ? v[0] + v[1] : v[0];
	set(o, ALERT_GROWTH_PER_MIN, ((double)now_value - (double)then) *
					     60000.0 / (double)(now_ms - t));
}

static void maps(struct alert_object *out, const struct ledger *l,
		 const struct history *h, unsigned int need)
{
	const struct inventory *inv = &l->inv;

	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];
		struct alert_object *o = &out[i];
		double real = model_total(&m->real), fill;

		*o = (struct alert_object){
			.id = m->rec.id, .name = m->rec.name,
			.type = m->rec.type, .memcg = m->memcg_path,
		};
		if (m->has_real)
			set(o, ALERT_BYTES_REAL, real);
		if (m->has_memlock)
			set(o, ALERT_BYTES_MEMLOCK, m->bytes_memlock);
		if (m->has_real && m->has_memlock)
			set_error(o, real, m->bytes_memlock);
		fill = map_fill_ratio(m);
		if (fill >= 0)
			set(o, ALERT_FILL_RATIO, fill);
		set(o, ALERT_DYING, map_memcg_dying(m));
		if ((need & HAS(ALERT_GROWTH_PER_MIN)) && m->has_memlock)
			set_growth(o, h, HIST_MAP, l->time_ms,
				   m->bytes_memlock);
	}
}

static void progs(struct alert_object *out, const struct ledger *l,
		  const struct history *h, unsigned int need)
{
	const struct inventory *inv = &l->inv;

	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];
		struct alert_object *o = &out[i];

		*o = (struct alert_object){
			.id = p->rec.id, .name = prog_name(p),
			.type = p->rec.type, .memcg = p->memcg_path,
		};
		set(o, ALERT_BYTES_MEMLOCK, p->rec.bytes_memlock);
		if (p->has_real) {
			set(o, ALERT_BYTES_REAL, model_total(&p->real));
			set_error(o, model_total(&p->real),
				  p->rec.bytes_memlock);
		}
		if (need & HAS(ALERT_GROWTH_PER_MIN))
			set_growth(o, h, HIST_PROG, l->time_ms,
				   p->rec.bytes_memlock);
	}
}

static int cmp_id(const void *pa, const void *pb)
{
	const struct alert_object *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static void memcgs(struct alert_object *out, const struct ledger *l,
		   const struct history *h, unsigned int need)
{
	const struct cgroup_rollup *r = &l->cgroups;

	for (size_t i = 0; i < r->n; i++) {
		const struct cgroup_info *c = &r->cgroups[i];
		struct alert_object *o = &out[i];

		*o = (struct alert_object){ .id = c->id, .name = c->path };
		if (c->real_complete)
			set(o, ALERT_BYTES_REAL, c->bytes_real);
		set(o, ALERT_BYTES_MEMLOCK, c->bytes_memlock);
		if (c->real_complete)
			set_error(o, c->bytes_real, c->bytes_memlock);
		set(o, ALERT_DYING, c->dying);
		if (need & HAS(ALERT_GROWTH_PER_MIN))
			set_growth(o, h, HIST_MEMCG, l->time_ms,
				   c->bytes_memlock);
	}
	/* the rollup is in path order */
	sort_array(out, r->n, sizeof(*out), cmp_id);
}

/* Real bytes of maps and programs, known when the model covers every
 * one. */
static void total(struct alert_object *o, const struct ledger *l,
		  const struct history *h, unsigned int need)
{
	const struct inventory *inv = &l->inv;
	const struct ledger_totals *t = &l->totals;
	double real = 0;
	bool complete = true;

	*o = (struct alert_object){ .id = 0, .name = "total" };
	for (size_t i = 0; i < inv->nr_maps && complete; i++) {
		complete = inv->maps[i].has_real;
		real += model_total(&inv->maps[i].real);
	}
	for (size_t i = 0; i < inv->nr_progs && complete; i++) {
		complete = inv->progs[i].has_real;
		real += model_total(&inv->progs[i].real);
	}
	if (complete) {
		set(o, ALERT_BYTES_REAL, real);
		set_error(o, real, t->maps_memlock + t->progs_memlock);
	}
	set(o, ALERT_BYTES_MEMLOCK, t->maps_memlock + t->progs_memlock);
	if (need & HAS(ALERT_GROWTH_PER_MIN))
		set_growth(o, h, HIST_TOTAL, l->time_ms,
			   t->maps_memlock + t->progs_memlock);
}

int alert_source_build(struct alert_source *s, const struct ledger *l,
		       const struct history *h,
		       const unsigned int metrics[NR_ALERT_SCOPES],
		       struct alert_objects *o)
{
	const size_t n[NR_ALERT_SCOPES] = {
		[ALERT_SCOPE_TOTAL] = 1,
		[ALERT_SCOPE_MAP] = l->inv.nr_maps,
		[ALERT_SCOPE_PROG] = l->inv.nr_progs,
		[ALERT_SCOPE_MEMCG] = l->cgroups.n,
	};

	*o = (struct alert_objects){};
	for (int sc = 0; sc < NR_ALERT_SCOPES; sc++) {
		/* no rule looks at this scope */
		if (!metrics[sc])
			continue;
		if (reserve(s, sc, n[sc] ?: 1))
			return -ENOMEM;
		o->v[sc] = s->v[sc];
		o->n[sc] = n[sc];
	}
	if (metrics[ALERT_SCOPE_TOTAL])
		total(s->v[ALERT_SCOPE_TOTAL], l, h, metrics[ALERT_SCOPE_TOTAL]);
	if (metrics[ALERT_SCOPE_MAP])
		maps(s->v[ALERT_SCOPE_MAP], l, h, metrics[ALERT_SCOPE_MAP]);
	if (metrics[ALERT_SCOPE_PROG])
		progs(s->v[ALERT_SCOPE_PROG], l, h, metrics[ALERT_SCOPE_PROG]);
	if (metrics[ALERT_SCOPE_MEMCG])
		memcgs(s->v[ALERT_SCOPE_MEMCG], l, h,
		       metrics[ALERT_SCOPE_MEMCG]);
	return 0;
}

void alert_source_free(struct alert_source *s)
{
	for (int sc = 0; sc < NR_ALERT_SCOPES; sc++)
		free(s->v[sc]);
	*s = (struct alert_source){};
}
