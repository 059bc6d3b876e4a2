/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alerts' state machine: every sample, each rule looks at each object
 * of its scope that it matches. An object whose metric crosses the
 * threshold is pending; once that has held `for` long it fires; it
 * resolves when the metric comes back past the resolve threshold or the
 * object goes. A firing alert is told again every `repeat`. Objects whose
 * metric is unknown in a sample are skipped, their state kept as it was.
 * Pure: the caller turns the notices into hooks, journal records and
 * events.
 */
#ifndef BPFMEMD_ALERT_EVAL_H
#define BPFMEMD_ALERT_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "daemon/alert_rule.h"

/* One object as the rules see it; value[m] is valid where known has bit
 * 1 << m. */
struct alert_object {
	__u64 id;		/* map or program id, memcg id; 0: the total */
	const char *name;	/* map or program name, memcg path */
	__u32 type;		/* map or program type */
	const char *memcg;	/* a map's memcg path; NULL when unknown */
	double value[NR_ALERT_METRICS];
	unsigned int known;
};

/* The objects of one sample, each scope's in ascending id. */
struct alert_objects {
	const struct alert_object *v[NR_ALERT_SCOPES];
	size_t n[NR_ALERT_SCOPES];
};

enum alert_phase {
	ALERT_PENDING,
	ALERT_FIRING,
	ALERT_RESOLVED,		/* in notices only */
};

struct alert_state {
	char rule[ALERT_NAME_MAX];
	size_t rule_idx;	/* in the engine's rules */
	enum alert_scope scope;
	__u64 id;
	enum alert_phase phase;
	__u64 since_ms;		/* the condition has held since */
	__u64 fired_ms;		/* 0 while pending */
	__u64 notified_ms;	/* last told (firing or repeated) */
	double value;		/* latest known */
	/* the object as last seen; owned by the engine, "" when unknown */
	char *name;
	char *memcg;
	__u32 type;
	bool fresh;		/* made by the evaluation under way */
};

/* A firing (first or repeated) or a resolution to tell; its strings are
 * the engine's, valid until the next evaluation or configuration. */
struct alert_notice {
	const struct alert_rule *rule;
	struct alert_state state;	/* phase FIRING or RESOLVED */
	bool repeat;
	bool gone;		/* resolved because the object went (or no
				 * longer matches) */
	__u64 time_ms;
};

struct alert_engine {
	const struct alert_rules *rules;
	struct alert_state *states;	/* ascending (rule_idx, id) */
	size_t n;
	/* which rules match which map and program, kept from sample to
	 * sample (names never change): ids ascending, then one bit a rule */
	struct {
		__u64 *ids;
		__u64 *bits;
		size_t n;
	} cache[NR_ALERT_SCOPES];
	size_t words;		/* of bits per object */
	/* strings of states that ended, which notices may still name */
	char **grave;
	size_t nr_grave, cap_grave;
	bool changed;		/* states changed since alert_engine_saved() */
};

void alert_engine_init(struct alert_engine *e);
void alert_engine_free(struct alert_engine *e);
/*
 * Uses rules from now on (kept by the caller). States of rules that are
 * gone or changed scope are dropped; the others are kept.
 */
void alert_engine_configure(struct alert_engine *e,
			    const struct alert_rules *rules);
/* Puts back states saved earlier (before the first sample), taking over
 * their strings (malloc'd); those of unknown rules are dropped. 0 or
 * -ENOMEM (the strings are then freed). */
int alert_engine_restore(struct alert_engine *e,
			 const struct alert_state *states, size_t n);
/*
 * Evaluates every rule over the sample taken at now_ms. The notices (in
 * rule order) go to *out (malloc'd, NULL when none). 0 or -ENOMEM (the
 * states are then as before).
 */
int alert_engine_eval(struct alert_engine *e, const struct alert_objects *o,
		      __u64 now_ms, struct alert_notice **out, size_t *nout);
/* The rule's match and the object. */
bool alert_rule_matches(const struct alert_rule *r,
			const struct alert_object *obj);

/* How many alerts are firing and pending, per rule, for exporters. */
typedef void (*alert_rule_visit)(void *ctx, const struct alert_rule *r,
				 size_t firing, size_t pending);
void alert_engine_each_rule(const struct alert_engine *e,
			    alert_rule_visit visit, void *ctx);
size_t alert_engine_firing(const struct alert_engine *e);
/* Which metrics some rule of scope needs: bit 1 << metric. */
unsigned int alert_engine_metrics(const struct alert_engine *e,
				  enum alert_scope scope);

#endif
