// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/history.h"

struct seen {
	__u64 time[16];
	__u64 v0[16];
	int n;
};

static void visit(void *ctx, __u64 time_ms, const __u64 *v)
{
	struct seen *s = ctx;

	s->time[s->n] = time_ms;
	s->v0[s->n++] = v[0];
}

static struct hist_value val(__u64 id, __u64 v0)
{
	return (struct hist_value){ .id = id, .v = { v0 } };
}

/* One sample at time t of maps ids[] with values v[]. */
static void put_maps(struct history *h, __u64 t, const __u64 *ids,
		     const __u64 *v, size_t n)
{
	struct hist_value vals[8];

	for (size_t i = 0; i < n; i++)
		vals[i] = val(ids[i], v[i]);
	assert_int_equal(history_begin(h, t), 0);
	assert_int_equal(history_put(h, HIST_MAP, vals, n), 0);
}

static void every_sample_is_visited_with_the_value_then(void **state)
{
	struct history h;
	struct seen s = {};
	__u64 ids[] = { 1, 2 };

	(void)state;
	assert_int_equal(history_init(&h, 10), 0);
	put_maps(&h, 100, ids, (__u64[]){ 10, 20 }, 2);
	put_maps(&h, 200, ids, (__u64[]){ 10, 20 }, 2);
	put_maps(&h, 300, ids, (__u64[]){ 11, 20 }, 2);
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v0[0], 10);
	assert_int_equal(s.v0[1], 10);
	assert_int_equal(s.v0[2], 11);
	assert_int_equal(s.time[2], 300);
	/* unchanged figures are stored once */
	assert_int_equal(h.series[HIST_MAP][1].n, 1);
	assert_int_equal(h.series[HIST_MAP][0].n, 2);
	s.n = 0;
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 200, visit, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(history_walk(&h, HIST_MAP, 3, 0, visit, &s),
			 -ENOENT);
	history_free(&h);
}

static void gone_objects_have_no_points_and_leave_with_the_window(void **state)
{
	struct history h;
	struct seen s = {};
	__u64 one[] = { 1 }, both[] = { 1, 2 };

	(void)state;
	assert_int_equal(history_init(&h, 3), 0);
	put_maps(&h, 1, both, (__u64[]){ 5, 6 }, 2);
	put_maps(&h, 2, one, (__u64[]){ 5 }, 1);	/* map 2 freed */
	put_maps(&h, 3, both, (__u64[]){ 5, 7 }, 2);	/* id back */
	assert_int_equal(history_walk(&h, HIST_MAP, 2, 0, visit, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.time[0], 1);
	assert_int_equal(s.v0[1], 7);
	/* three more samples without map 2: it falls out of the window */
	put_maps(&h, 4, one, (__u64[]){ 5 }, 1);
	put_maps(&h, 5, one, (__u64[]){ 5 }, 1);
	put_maps(&h, 6, one, (__u64[]){ 5 }, 1);
	put_maps(&h, 7, one, (__u64[]){ 5 }, 1);
	assert_int_equal(history_walk(&h, HIST_MAP, 2, 0, visit, &s),
			 -ENOENT);
	assert_int_equal(h.nr_series[HIST_MAP], 1);
	/* map 1 never changed: one point, though 7 samples went by */
	assert_int_equal(h.series[HIST_MAP][0].n, 1);
	s.n = 0;
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.time[0], 5);
	history_free(&h);
}

static void resizing_keeps_the_newest_samples(void **state)
{
	struct history h;
	struct seen s = {};
	__u64 one[] = { 1 };

	(void)state;
	assert_int_equal(history_init(&h, 4), 0);
	for (__u64 t = 1; t <= 4; t++)
		put_maps(&h, t, one, &t, 1);
	assert_int_equal(history_resize(&h, 2), 0);
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v0[0], 3);
	assert_int_equal(s.v0[1], 4);
	assert_int_equal(history_resize(&h, 8), 0);
	for (__u64 t = 5; t <= 10; t++)
		put_maps(&h, t, one, &t, 1);
	s.n = 0;
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.time[0], 3);
	history_free(&h);
}

/* What growth_per_min reads: the oldest figures within a window. */
static void since_finds_the_oldest_figures_in_a_window(void **state)
{
	struct history h;
	__u64 one[] = { 1 }, both[] = { 1, 2 }, t, v[HIST_VALUES];

	(void)state;
	assert_int_equal(history_init(&h, 10), 0);
	put_maps(&h, 100, one, (__u64[]){ 10 }, 1);
	put_maps(&h, 200, both, (__u64[]){ 11, 5 }, 2);
	put_maps(&h, 300, both, (__u64[]){ 11, 6 }, 2);
	put_maps(&h, 400, one, (__u64[]){ 12 }, 1);
	put_maps(&h, 500, both, (__u64[]){ 13, 7 }, 2);
	assert_int_equal(history_since(&h, HIST_MAP, 1, 0, &t, v), 0);
	assert_int_equal(t, 100);
	assert_int_equal(v[0], 10);
	/* 250 falls between samples: the one at 300, with the figures
	 * stored at 200 */
	assert_int_equal(history_since(&h, HIST_MAP, 1, 250, &t, v), 0);
	assert_int_equal(t, 300);
	assert_int_equal(v[0], 11);
	/* map 2 did not exist at 100 */
	assert_int_equal(history_since(&h, HIST_MAP, 2, 0, &t, v), 0);
	assert_int_equal(t, 200);
	assert_int_equal(v[0], 5);
	/* gone at 400: the next sample it is in */
	assert_int_equal(history_since(&h, HIST_MAP, 2, 350, &t, v), 0);
	assert_int_equal(t, 500);
	assert_int_equal(v[0], 7);
	assert_int_equal(history_since(&h, HIST_MAP, 1, 501, &t, v), -ENOENT);
	assert_int_equal(history_since(&h, HIST_MAP, 3, 0, &t, v), -ENOENT);
	history_free(&h);
}

/* A sample that patched some maps updates theirs alone; the others hold
 * their figures, and none is gone. */
static void an_update_touches_only_the_maps_given(void **state)
{
	const __u64 ids[] = { 1, 2 }, v[] = { 10, 20 };
	struct hist_value changed = val(2, 25), unknown = val(9, 1);
	struct history h;
	struct seen s = {};

	(void)state;
	assert_int_equal(history_init(&h, 10), 0);
	put_maps(&h, 100, ids, v, 2);
	assert_int_equal(history_begin(&h, 200), 0);
	assert_int_equal(history_update(&h, HIST_MAP, &changed, 1), 0);
	assert_int_equal(history_begin(&h, 300), 0);
	assert_int_equal(history_update(&h, HIST_MAP, &unknown, 1), -ENOENT);
	assert_int_equal(history_walk(&h, HIST_MAP, 2, 0, visit, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v0[0], 20);
	assert_int_equal(s.v0[1], 25);
	assert_int_equal(s.v0[2], 25);
	s.n = 0;
	assert_int_equal(history_walk(&h, HIST_MAP, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v0[2], 10);
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_update_touches_only_the_maps_given),
		cmocka_unit_test(every_sample_is_visited_with_the_value_then),
		cmocka_unit_test(gone_objects_have_no_points_and_leave_with_the_window),
		cmocka_unit_test(resizing_keeps_the_newest_samples),
		cmocka_unit_test(since_finds_the_oldest_figures_in_a_window),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
