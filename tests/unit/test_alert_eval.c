// SPDX-License-Identifier: GPL-2.0
/* The alert state machine over made-up samples: pending, for, firing,
 * hysteresis, repeat, unknown values, objects that go, restore and
 * reconfiguration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/alert_eval.h"

#define MIB (1024.0 * 1024)

static struct alert_rule rule(const char *name, enum alert_scope scope,
			      enum alert_metric metric, double threshold,
			      double resolve)
{
	struct alert_rule r = {
		.scope = scope, .metric = metric, .threshold = threshold,
		.resolve = resolve, .severity = ALERT_WARNING,
	};

	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

static struct alert_object map(__u64 id, const char *name, double real)
{
	struct alert_object o = {
		.id = id, .name = name, .type = 1,
		.known = 1u << ALERT_BYTES_REAL,
	};

	o.value[ALERT_BYTES_REAL] = real;
	return o;
}

struct run {
	struct alert_engine e;
	struct alert_rules rules;
	struct alert_notice *notices;
	size_t n;
};

static void setup_run(struct run *r, struct alert_rule *rules, size_t n)
{
	r->rules = (struct alert_rules){ .v = rules, .n = n };
	alert_engine_init(&r->e);
	alert_engine_configure(&r->e, &r->rules);
	r->notices = NULL;
	r->n = 0;
}

/* One sample of maps at time t; the notices replace the last ones. */
static void sample(struct run *r, const struct alert_object *maps, size_t n,
		   __u64 t)
{
	struct alert_objects o = {};

	o.v[ALERT_SCOPE_MAP] = maps;
	o.n[ALERT_SCOPE_MAP] = n;
	free(r->notices);
	assert_int_equal(alert_engine_eval(&r->e, &o, t, &r->notices, &r->n),
			 0);
}

static void expect_notice(const struct run *r, size_t i, const char *rule,
			  enum alert_phase phase, __u64 id, bool repeat)
{
	assert_true(i < r->n);
	assert_string_equal(r->notices[i].rule->name, rule);
	assert_int_equal(r->notices[i].state.phase, phase);
	assert_int_equal(r->notices[i].state.id, id);
	assert_int_equal(r->notices[i].repeat, repeat);
}

static void finish(struct run *r)
{
	free(r->notices);
	alert_engine_free(&r->e);
}

static void fires_after_for_and_resolves_when_the_map_goes(void **state)
{
	struct alert_rule rules[] = {
		rule("big", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 512 * MIB,
		     512 * MIB),
	};
	struct alert_object m[] = { map(3, "small", MIB),
				    map(7, "big", 600 * MIB) };
	struct run r;

	(void)state;
	rules[0].for_ms = 30000;
	setup_run(&r, rules, 1);
	sample(&r, m, 2, 1000);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.e.n, 1);
	assert_int_equal(r.e.states[0].phase, ALERT_PENDING);
	assert_int_equal(r.e.states[0].since_ms, 1000);
	/* 29.9 s: not yet */
	sample(&r, m, 2, 30900);
	assert_int_equal(r.n, 0);
	sample(&r, m, 2, 31000);
	assert_int_equal(r.n, 1);
	expect_notice(&r, 0, "big", ALERT_FIRING, 7, false);
	assert_string_equal(r.notices[0].state.name, "big");
	assert_true(r.notices[0].state.value == 600 * MIB);
	assert_int_equal(r.notices[0].state.since_ms, 1000);
	assert_int_equal(alert_engine_firing(&r.e), 1);
	/* still above: told once, no repeat configured */
	sample(&r, m, 2, 40000);
	assert_int_equal(r.n, 0);
	/* the map goes */
	sample(&r, m, 1, 41000);
	assert_int_equal(r.n, 1);
	expect_notice(&r, 0, "big", ALERT_RESOLVED, 7, false);
	assert_int_equal(r.e.n, 0);
	finish(&r);
}

static void a_dip_before_for_starts_over(void **state)
{
	struct alert_rule rules[] = {
		rule("big", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 100, 100),
	};
	struct alert_object hi = map(1, "m", 200), lo = map(1, "m", 50);
	struct run r;

	(void)state;
	rules[0].for_ms = 1000;
	setup_run(&r, rules, 1);
	sample(&r, &hi, 1, 0);
	sample(&r, &lo, 1, 500);
	assert_int_equal(r.e.n, 0);
	sample(&r, &hi, 1, 900);
	sample(&r, &hi, 1, 1500);
	assert_int_equal(r.n, 0);
	sample(&r, &hi, 1, 1900);
	expect_notice(&r, 0, "big", ALERT_FIRING, 1, false);
	assert_int_equal(r.notices[0].state.since_ms, 900);
	finish(&r);
}

static void hysteresis_holds_between_the_thresholds(void **state)
{
	struct alert_rule rules[] = {
		rule("h", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 100, 60),
	};
	struct alert_object m;
	struct run r;

	(void)state;
	setup_run(&r, rules, 1);
	m = map(5, "m", 150);
	sample(&r, &m, 1, 0);
	expect_notice(&r, 0, "h", ALERT_FIRING, 5, false);
	m = map(5, "m", 80);	/* under the threshold, above resolve */
	sample(&r, &m, 1, 100);
	assert_int_equal(r.n, 0);
	assert_int_equal(alert_engine_firing(&r.e), 1);
	assert_true(r.e.states[0].value == 80);
	m = map(5, "m", 60);	/* at resolve: not under it */
	sample(&r, &m, 1, 200);
	assert_int_equal(r.n, 0);
	m = map(5, "m", 59);
	sample(&r, &m, 1, 300);
	expect_notice(&r, 0, "h", ALERT_RESOLVED, 5, false);
	assert_true(r.notices[0].state.value == 59);
	m = map(5, "m", 90);	/* under the threshold: stays quiet */
	sample(&r, &m, 1, 400);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.e.n, 0);
	finish(&r);
}

static void below_rules_and_repeat(void **state)
{
	struct alert_rule rules[] = {
		rule("low", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 20),
	};
	struct alert_object m = map(2, "m", 5);
	struct run r;

	(void)state;
	rules[0].below = true;
	rules[0].repeat_ms = 1000;
	setup_run(&r, rules, 1);
	sample(&r, &m, 1, 0);
	expect_notice(&r, 0, "low", ALERT_FIRING, 2, false);
	sample(&r, &m, 1, 999);
	assert_int_equal(r.n, 0);
	sample(&r, &m, 1, 1000);
	expect_notice(&r, 0, "low", ALERT_FIRING, 2, true);
	assert_int_equal(r.notices[0].state.notified_ms, 1000);
	sample(&r, &m, 1, 1500);
	assert_int_equal(r.n, 0);
	m = map(2, "m", 15);	/* between: still firing */
	sample(&r, &m, 1, 2000);
	expect_notice(&r, 0, "low", ALERT_FIRING, 2, true);
	m = map(2, "m", 21);
	sample(&r, &m, 1, 2100);
	expect_notice(&r, 0, "low", ALERT_RESOLVED, 2, false);
	finish(&r);
}

static void unknown_values_are_skipped_not_zero(void **state)
{
	struct alert_rule rules[] = {
		rule("low", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
		rule("high", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
	};
	struct alert_object m = map(2, "m", 50);
	struct run r;

	(void)state;
	rules[0].below = true;
	setup_run(&r, rules, 2);
	sample(&r, &m, 1, 0);
	expect_notice(&r, 0, "high", ALERT_FIRING, 2, false);
	assert_int_equal(r.n, 1);
	/* unknown: the below rule does not see 0, the firing one holds */
	m.known = 0;
	sample(&r, &m, 1, 100);
	assert_int_equal(r.n, 0);
	assert_int_equal(alert_engine_firing(&r.e), 1);
	assert_true(r.e.states[0].value == 50);
	finish(&r);
}

static void matches_names_types_and_paths(void **state)
{
	struct alert_rule rules[] = {
		rule("cil", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 0, 0),
		rule("arr", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 0, 0),
		rule("slice", ALERT_SCOPE_MEMCG, ALERT_BYTES_REAL, 0, 0),
	};
	struct alert_object m[] = { map(1, "cilium_ct4", 1),
				    map(2, "other", 1),
				    map(3, "cilium_lb", 1) };
	struct alert_object cg[] = {
		{ .id = 10, .name = "/system.slice/a.service",
		  .known = 1u << ALERT_BYTES_REAL, .value = { 1 } },
		{ .id = 11, .name = "/user.slice",
		  .known = 1u << ALERT_BYTES_REAL, .value = { 1 } },
		{ .id = 12, .name = NULL,	/* removed */
		  .known = 1u << ALERT_BYTES_REAL, .value = { 1 } },
	};
	struct alert_objects o = {};
	struct run r;

	(void)state;
	rules[0].match = ALERT_MATCH_NAME;
	strcpy(rules[0].pattern, "cilium_*");
	rules[1].match = ALERT_MATCH_TYPE;
	rules[1].type = 2;
	m[1].type = 2;
	rules[2].match = ALERT_MATCH_NAME;
	strcpy(rules[2].pattern, "/system.slice/*");
	setup_run(&r, rules, 3);
	o.v[ALERT_SCOPE_MAP] = m;
	o.n[ALERT_SCOPE_MAP] = 3;
	o.v[ALERT_SCOPE_MEMCG] = cg;
	o.n[ALERT_SCOPE_MEMCG] = 3;
	assert_int_equal(alert_engine_eval(&r.e, &o, 0, &r.notices, &r.n), 0);
	assert_int_equal(r.n, 4);
	expect_notice(&r, 0, "cil", ALERT_FIRING, 1, false);
	expect_notice(&r, 1, "cil", ALERT_FIRING, 3, false);
	expect_notice(&r, 2, "arr", ALERT_FIRING, 2, false);
	expect_notice(&r, 3, "slice", ALERT_FIRING, 10, false);
	/* the second sample takes the matches from the cache: the same */
	free(r.notices);
	assert_int_equal(alert_engine_eval(&r.e, &o, 1, &r.notices, &r.n), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(alert_engine_firing(&r.e), 4);
	finish(&r);
}

struct counts {
	size_t firing[4], pending[4], n;
};

static void count(void *ctx, const struct alert_rule *r, size_t firing,
		  size_t pending)
{
	struct counts *c = ctx;

	(void)r;
	c->firing[c->n] = firing;
	c->pending[c->n++] = pending;
}

static void restore_and_reconfigure_keep_states_without_refiring(void **state)
{
	struct alert_rule rules[] = {
		rule("a", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
		rule("b", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
	};
	struct alert_rule later[] = {
		rule("b", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
		rule("new", ALERT_SCOPE_MAP, ALERT_BYTES_REAL, 10, 10),
	};
	struct alert_rules later_rules = { later, 2 };
	struct alert_object m[] = { map(1, "x", 50), map(2, "y", 50) };
	struct alert_state saved[4];
	struct counts c = {};
	struct run r;
	size_t n;

	(void)state;
	rules[1].for_ms = 10000;
	setup_run(&r, rules, 2);
	sample(&r, m, 2, 0);
	assert_int_equal(r.n, 2);	/* a fires at once for both */
	n = r.e.n;
	assert_int_equal(n, 4);
	/* as alerts.c reads them back: strings of their own */
	memcpy(saved, r.e.states, n * sizeof(*saved));
	for (size_t i = 0; i < n; i++) {
		saved[i].name = strdup(saved[i].name);
		saved[i].memcg = strdup(saved[i].memcg);
	}
	finish(&r);

	/* a restart: the states come back, nothing fires again, b's for
	 * counts from before */
	setup_run(&r, rules, 2);
	assert_int_equal(alert_engine_restore(&r.e, saved, n), 0);
	sample(&r, m, 2, 5000);
	assert_int_equal(r.n, 0);
	sample(&r, m, 2, 10000);
	assert_int_equal(r.n, 2);
	expect_notice(&r, 0, "b", ALERT_FIRING, 1, false);
	alert_engine_each_rule(&r.e, count, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.firing[0], 2);
	assert_int_equal(c.firing[1], 2);

	/* a reload drops rule a's states; b's stay firing */
	alert_engine_configure(&r.e, &later_rules);
	assert_int_equal(r.e.n, 2);
	assert_true(r.e.changed);
	sample(&r, m, 2, 11000);
	assert_int_equal(r.n, 2);
	expect_notice(&r, 0, "new", ALERT_FIRING, 1, false);
	expect_notice(&r, 1, "new", ALERT_FIRING, 2, false);
	assert_int_equal(alert_engine_firing(&r.e), 4);
	finish(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fires_after_for_and_resolves_when_the_map_goes),
		cmocka_unit_test(a_dip_before_for_starts_over),
		cmocka_unit_test(hysteresis_holds_between_the_thresholds),
		cmocka_unit_test(below_rules_and_repeat),
		cmocka_unit_test(unknown_values_are_skipped_not_zero),
		cmocka_unit_test(matches_names_types_and_paths),
		cmocka_unit_test(restore_and_reconfigure_keep_states_without_refiring),
	};

	return cmocka_run_group_tests_name("alert_eval", tests, NULL, NULL);
}
