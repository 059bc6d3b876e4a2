// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/alert_eval.h"
#include "base/array_sort.h"

void alert_engine_init(struct alert_engine *e)
{
	*e = (struct alert_engine){};
}

static void cache_clear(struct alert_engine *e)
{
	for (int s = 0; s < NR_ALERT_SCOPES; s++) {
		free(e->cache[s].ids);
		free(e->cache[s].bits);
		e->cache[s].ids = NULL;
		e->cache[s].bits = NULL;
		e->cache[s].n = 0;
	}
}

static void free_strings(struct alert_state *st)
{
	free(st->name);
	free(st->memcg);
}

/* Frees what notices of the last evaluation named. */
static void empty_grave(struct alert_engine *e)
{
	for (size_t i = 0; i < e->nr_grave; i++)
		free(e->grave[i]);
	e->nr_grave = 0;
}

void alert_engine_free(struct alert_engine *e)
{
	cache_clear(e);
	empty_grave(e);
	free(e->grave);
	for (size_t i = 0; i < e->n; i++)
		free_strings(&e->states[i]);
	free(e->states);
	*e = (struct alert_engine){};
}

static int find_rule(const struct alert_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].name, name))
			return i;
	return -1;
}

static int cmp_state(const void *pa, const void *pb)
{
	const struct alert_state *a = pa, *b = pb;

	if (a->rule_idx != b->rule_idx)
		return a->rule_idx < b->rule_idx ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Keeps the states whose rule still exists with the same scope, renumbered
 * to rules, in order. */
static void keep_known(struct alert_engine *e, const struct alert_rules *rs)
{
	size_t kept = 0;

	for (size_t i = 0; i < e->n; i++) {
		struct alert_state *st = &e->states[i];
		int r = find_rule(rs, st->rule);

		if (r < 0 || rs->v[r].scope != st->scope) {
			e->changed = true;
			free_strings(st);
			continue;
		}
		st->rule_idx = r;
		e->states[kept++] = *st;
	}
	e->n = kept;
	sort_array(e->states, e->n, sizeof(*e->states), cmp_state);
}

void alert_engine_configure(struct alert_engine *e,
			    const struct alert_rules *rules)
{
	e->rules = rules;
	e->words = (rules->n + 63) / 64;
	/* the bits are by rule index */
	cache_clear(e);
	empty_grave(e);
	keep_known(e, rules);
}

int alert_engine_restore(struct alert_engine *e,
			 const struct alert_state *states, size_t n)
{
	struct alert_state *v;

	v = realloc(e->states, (e->n + n ?: 1) * sizeof(*v));
	if (!v) {
		for (size_t i = 0; i < n; i++)
			free_strings((struct alert_state *)&states[i]);
		return -ENOMEM;
	}
	memcpy(v + e->n, states, n * sizeof(*v));
	e->states = v;
	e->n += n;
	keep_known(e, e->rules);
	return 0;
}

bool alert_rule_matches(const struct alert_rule *r,
			const struct alert_object *obj)
{
	switch (r->match) {
	case ALERT_MATCH_ALL:
		return true;
	case ALERT_MATCH_NAME:
		return !fnmatch(r->pattern, obj->name ? obj->name : "", 0);
	case ALERT_MATCH_TYPE:
		return obj->type == r->type;
	}
	return false;
}

static bool scope_cached(enum alert_scope s)
{
	/* map and program names never change; memcg paths may (a removed
	 * cgroup loses its path), and there are few of them */
	return s == ALERT_SCOPE_MAP || s == ALERT_SCOPE_PROG;
}

/* Rebuilds the scope's match bits: copied for objects seen before,
 * computed for new ones. */
static int cache_update(struct alert_engine *e, enum alert_scope s,
			const struct alert_object *objs, size_t n)
{
	const struct alert_rules *rs = e->rules;
	__u64 *ids, *bits;
	size_t j = 0;

	ids = malloc((n ?: 1) * sizeof(*ids));
	bits = calloc((n ?: 1) * (e->words ?: 1), sizeof(*bits));
	if (!ids || !bits) {
		free(ids);
		free(bits);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		__u64 *b = bits + i * e->words;

		ids[i] = objs[i].id;
		while (j < e->cache[s].n && e->cache[s].ids[j] < objs[i].id)
			j++;
		if (j < e->cache[s].n && e->cache[s].ids[j] == objs[i].id) {
			memcpy(b, e->cache[s].bits + j * e->words,
			       e->words * sizeof(*b));
			continue;
		}
		for (size_t r = 0; r < rs->n; r++)
			if (rs->v[r].scope == s &&
			    alert_rule_matches(&rs->v[r], &objs[i]))
				b[r / 64] |= 1ULL << (r % 64);
	}
	free(e->cache[s].ids);
	free(e->cache[s].bits);
	e->cache[s].ids = ids;
	e->cache[s].bits = bits;
	e->cache[s].n = n;
	return 0;
}

struct eval {
	struct alert_engine *e;
	__u64 now;
	struct alert_state *out;	/* the new states */
	size_t n, cap;
	struct alert_notice *notices;
	size_t nr_notices, notices_cap;
	int err;
};

/* Room for one more of size bytes in *v; false (ev->err set) without. */
static bool grow(struct eval *ev, void **v, size_t n, size_t *cap,
		 size_t size)
{
	void *bigger;

	if (ev->err)
		return false;
	if (n < *cap)
		return true;
	bigger = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!bigger) {
		ev->err = -ENOMEM;
		return false;
	}
	*v = bigger;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

static void keep(struct eval *ev, const struct alert_state *st)
{
	if (grow(ev, (void **)&ev->out, ev->n, &ev->cap, sizeof(*st)))
		ev->out[ev->n++] = *st;
}

static void notice(struct eval *ev, const struct alert_rule *r,
		   const struct alert_state *st, bool repeat, bool gone)
{
	if (!grow(ev, (void **)&ev->notices, ev->nr_notices,
		  &ev->notices_cap, sizeof(*ev->notices)))
		return;
	ev->notices[ev->nr_notices++] = (struct alert_notice){
		.rule = r, .state = *st, .repeat = repeat, .gone = gone,
		.time_ms = ev->now,
	};
}

/* An old state ends; notices may still name its object. The grave has
 * room for every old state's strings. */
static void bury(struct eval *ev, const struct alert_state *st)
{
	struct alert_engine *e = ev->e;

	e->grave[e->nr_grave++] = st->name;
	e->grave[e->nr_grave++] = st->memcg;
	e->changed = true;
}

/* The object went, or no longer matches: a firing alert resolves. */
static void gone(struct eval *ev, const struct alert_rule *r,
		 const struct alert_state *st)
{
	struct alert_state res = *st;

	bury(ev, st);
	if (st->phase != ALERT_FIRING)
		return;
	res.phase = ALERT_RESOLVED;
	notice(ev, r, &res, false, true);
}

static void fire(struct eval *ev, const struct alert_rule *r,
		 struct alert_state *st)
{
	st->phase = ALERT_FIRING;
	st->fired_ms = ev->now;
	st->notified_ms = ev->now;
	ev->e->changed = true;
	notice(ev, r, st, false, false);
}

/* A new state's copy of the object's description. */
static int describe(struct alert_state *st, const struct alert_object *o)
{
	st->name = strdup(o->name ? o->name : "");
	st->memcg = strdup(o->memcg ? o->memcg : "");
	st->type = o->type;
	st->fresh = true;
	if (st->name && st->memcg)
		return 0;
	free_strings(st);
	return -ENOMEM;
}

/* One object's known metric v against the rule; old is its state. */
static void step(struct eval *ev, size_t ri, const struct alert_object *o,
		 double v, const struct alert_state *old)
{
	const struct alert_rule *r = &ev->e->rules->v[ri];
	bool cond = r->below ? v < r->threshold : v > r->threshold;
	bool resolve = r->below ? v > r->resolve : v < r->resolve;
	struct alert_state st;

	if (!old) {
		if (!cond)
			return;
		st = (struct alert_state){
			.rule_idx = ri, .scope = r->scope, .id = o->id,
			.phase = ALERT_PENDING, .since_ms = ev->now,
			.value = v,
		};
		snprintf(st.rule, sizeof(st.rule), "%s", r->name);
		if (ev->err || (ev->err = describe(&st, o)))
			return;
		ev->e->changed = true;
		if (!r->for_ms)
			fire(ev, r, &st);
		keep(ev, &st);
		return;
	}
	st = *old;
	st.value = v;
	if (st.phase == ALERT_PENDING) {
		if (!cond) {
			bury(ev, old);
			return;
		}
		if (ev->now - st.since_ms >= r->for_ms)
			fire(ev, r, &st);
		keep(ev, &st);
		return;
	}
	if (resolve) {
		st.phase = ALERT_RESOLVED;
		bury(ev, old);
		notice(ev, r, &st, false, false);
		return;
	}
	if (r->repeat_ms && ev->now - st.notified_ms >= r->repeat_ms) {
		st.notified_ms = ev->now;
		ev->e->changed = true;
		notice(ev, r, &st, true, false);
	}
	keep(ev, &st);
}

static bool matches(const struct alert_engine *e, size_t ri,
		    enum alert_scope s, size_t i, const struct alert_object *o)
{
	if (scope_cached(s))
		return e->cache[s].bits[i * e->words + ri / 64] &
		       (1ULL << (ri % 64));
	return alert_rule_matches(&e->rules->v[ri], o);
}

/* The rule over its scope's objects, merged with its states [*j, end). */
static void eval_rule(struct eval *ev, size_t ri, const struct alert_objects *o,
		      size_t *j)
{
	const struct alert_engine *e = ev->e;
	const struct alert_rule *r = &e->rules->v[ri];
	const struct alert_state *old = e->states;
	const struct alert_object *objs = o->v[r->scope];
	size_t n = o->n[r->scope];

	for (size_t i = 0; i < n; i++) {
		const struct alert_object *ob = &objs[i];
		const struct alert_state *has = NULL;

		while (*j < e->n && old[*j].rule_idx == ri &&
		       old[*j].id < ob->id)
			gone(ev, r, &old[(*j)++]);
		if (*j < e->n && old[*j].rule_idx == ri && old[*j].id == ob->id)
			has = &old[(*j)++];
		if (!matches(e, ri, r->scope, i, ob)) {
			if (has)
				gone(ev, r, has);
			continue;
		}
		if (!(ob->known & (1u << r->metric))) {
			/* unknown this time: neither 0 nor gone */
			if (has)
				keep(ev, has);
			continue;
		}
		step(ev, ri, ob, ob->value[r->metric], has);
	}
	while (*j < e->n && old[*j].rule_idx == ri)
		gone(ev, r, &old[(*j)++]);
}

int alert_engine_eval(struct alert_engine *e, const struct alert_objects *o,
		      __u64 now_ms, struct alert_notice **out, size_t *nout)
{
	struct eval ev = { .e = e, .now = now_ms };
	size_t j = 0;
	char **grave;
	int err;

	*out = NULL;
	*nout = 0;
	empty_grave(e);
	if (e->cap_grave < 2 * e->n) {
		grave = realloc(e->grave, 2 * e->n * sizeof(*grave));
		if (!grave)
			return -ENOMEM;
		e->grave = grave;
		e->cap_grave = 2 * e->n;
	}
	for (int s = 0; s < NR_ALERT_SCOPES; s++) {
		if (!scope_cached(s) || !alert_engine_metrics(e, s))
			continue;
		err = cache_update(e, s, o->v[s], o->n[s]);
		if (err)
			return err;
	}
	for (size_t ri = 0; ri < e->rules->n; ri++) {
		/* states of rules before ri are all consumed */
		eval_rule(&ev, ri, o, &j);
	}
	if (ev.err) {
		/* the old states keep their strings; the new ones go */
		e->nr_grave = 0;
		for (size_t i = 0; i < ev.n; i++)
			if (ev.out[i].fresh)
				free_strings(&ev.out[i]);
		free(ev.out);
		free(ev.notices);
		return ev.err;
	}
	for (size_t i = 0; i < ev.n; i++)
		ev.out[i].fresh = false;
	free(e->states);
	e->states = ev.out;
	e->n = ev.n;
	*out = ev.notices;
	*nout = ev.nr_notices;
	return 0;
}

void alert_engine_each_rule(const struct alert_engine *e,
			    alert_rule_visit visit, void *ctx)
{
	size_t j = 0;

	for (size_t ri = 0; e->rules && ri < e->rules->n; ri++) {
		size_t firing = 0, pending = 0;

		for (; j < e->n && e->states[j].rule_idx == ri; j++) {
			if (e->states[j].phase == ALERT_FIRING)
				firing++;
			else
				pending++;
		}
		visit(ctx, &e->rules->v[ri], firing, pending);
	}
}

size_t alert_engine_firing(const struct alert_engine *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n; i++)
		n += e->states[i].phase == ALERT_FIRING;
	return n;
}

unsigned int alert_engine_metrics(const struct alert_engine *e,
				  enum alert_scope scope)
{
	unsigned int m = 0;

	for (size_t i = 0; e->rules && i < e->rules->n; i++)
		if (e->rules->v[i].scope == scope)
			m |= 1u << e->rules->v[i].metric;
	return m;
}
