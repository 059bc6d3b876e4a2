// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "report/top_view.h"

static struct top_row *add_map(struct top_frame *f, __u64 id, const char *name,
			       __u64 memlock, __u64 real, bool has_real,
			       __u64 elements, __u64 max)
{
	struct top_row *r = top_frame_add(f, TOP_MAPS);

	assert_non_null(r);
	r->id = id;
	r->name = strdup(name);
	strcpy(r->type, "hash");
	r->memlock = memlock;
	r->has_memlock = true;
	r->real = real;
	r->has_real = has_real;
	r->map.elements = elements;
	r->map.has_elements = true;
	r->map.max_entries = max;
	return r;
}

/* ids of view v in their present order */
static void order(const struct top_frame *f, enum top_view v, __u64 *out)
{
	for (size_t i = 0; i < f->nr_rows[v]; i++)
		out[i] = f->rows[v][i].id;
}

static void four_maps(struct top_frame *f)
{
	add_map(f, 1, "delta", 300, 0, false, 1, 10);
	add_map(f, 2, "alpha", 100, 500, true, 9, 10);
	add_map(f, 3, "charlie", 200, 200, true, 5, 10);
	add_map(f, 4, "bravo", 400, 200, true, 0, 0);
}

static void sorts_with_unknown_figures_last_and_ties_by_id(void **state)
{
	struct top_frame f = {};
	__u64 got[4];

	(void)state;
	four_maps(&f);
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_REAL, true);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 2, 3, 4, 1 }), sizeof(got));
	/* ascending: the unknown real of map 1 stays last */
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_REAL, false);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 3, 4, 2, 1 }), sizeof(got));
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_MEMLOCK, true);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 4, 1, 3, 2 }), sizeof(got));
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_NAME, false);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 2, 4, 3, 1 }), sizeof(got));
	/* fill: max_entries 0 has none */
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_FILL, true);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 2, 3, 1, 4 }), sizeof(got));
	top_sort(f.rows[TOP_MAPS], 4, TOP_MAPS, TOP_BY_ID, false);
	order(&f, TOP_MAPS, got);
	assert_memory_equal(got, ((__u64[]){ 1, 2, 3, 4 }), sizeof(got));
	top_frame_clear(&f);
}

static void the_same_key_again_reverses(void **state)
{
	struct top_state s = top_state_default();

	(void)state;
	assert_int_equal(s.key, TOP_BY_REAL);
	assert_true(s.descending);
	top_state_sort_by(&s, TOP_BY_REAL);
	assert_false(s.descending);
	top_state_sort_by(&s, TOP_BY_NAME);
	assert_int_equal(s.key, TOP_BY_NAME);
	assert_false(s.descending);
	top_state_sort_by(&s, TOP_BY_NAME);
	assert_true(s.descending);
	top_state_sort_by(&s, TOP_BY_MEMLOCK);
	assert_true(s.descending);
	assert_int_equal(top_key_from_name("fill"), TOP_BY_FILL);
	assert_int_equal(top_key_from_name("size"), -1);
}

static void delay_steps_along_a_ladder(void **state)
{
	(void)state;
	assert_true(top_delay_step(2, 1) == 3);
	assert_true(top_delay_step(2, -1) == 1);
	assert_true(top_delay_step(0.7, 1) == 1);
	assert_true(top_delay_step(0.7, -1) == 0.5);
	assert_true(top_delay_step(0.2, -1) == 0.2);
	assert_true(top_delay_step(300, 1) == 300);
}

static void fits_the_screen_with_the_help_line_last_and_scrolls(void **state)
{
	struct top_frame f = {};
	struct top_state s = top_state_default();
	struct top_lines l = {};

	(void)state;
	snprintf(f.source, sizeof(f.source), "collected in-process");
	for (int i = 1; i <= 50; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%d", i);
		add_map(&f, i, name, 4096 * i, 4096 * i, true, i, 100);
	}
	assert_int_equal(top_render(&f, &s, 100, 20, &l), 0);
	assert_int_equal(l.n, 20);
	for (size_t i = 0; i < l.n; i++)
		assert_true(strlen(l.line[i].text) <= 100);
	/* the clock at the right edge */
	assert_int_equal(strlen(l.line[0].text), 100);
	assert_int_equal(strncmp(l.line[19].text, "q quit", 6), 0);
	assert_int_equal(l.line[19].style, TOP_HEADING);
	/* largest first; the rows that do not fit are counted */
	assert_int_equal(strncmp(l.line[7].text, "     50 m50 ", 12), 0);
	assert_non_null(strstr(l.line[18].text, "rows 1-11 of 50"));
	assert_int_equal(s.page, 11);
	top_lines_free(&l);
	/* scrolled past the end: the last screenful */
	s.first = 45;
	assert_int_equal(top_render(&f, &s, 100, 20, &l), 0);
	assert_int_equal(s.first, 39);
	assert_int_equal(strncmp(l.line[7].text, "     11 m11 ", 12), 0);
	assert_non_null(strstr(l.line[18].text, "rows 40-50 of 50"));
	top_lines_free(&l);
	top_frame_clear(&f);
}

static void plain_frames_hold_every_row_and_bars_scale(void **state)
{
	struct top_frame f = {};
	struct top_state s = top_state_default();
	struct top_lines l = {};
	const char *bar;

	(void)state;
	add_map(&f, 7, "half", 100, 1000, true, 1, 1);
	add_map(&f, 8, "quarter", 100, 500, true, 1, 1);
	add_map(&f, 9, "rest", 100, 500, true, 1, 1);
	s.key = TOP_BY_MEMLOCK;
	s.descending = true;
	assert_int_equal(top_render(&f, &s, 0, 0, &l), 0);
	/* six lines of header, the column titles, three rows, no help */
	assert_int_equal(l.n, 6 + 1 + 3);
	/* the totals lead with real, memlock after */
	assert_int_equal(strncmp(l.line[1].text,
				 "Maps:       3  real 1.95 KiB  memlock 300 B",
				 43), 0);
	assert_non_null(strstr(l.line[6].text, "SHARE OF MEMLOCK"));
	bar = strstr(l.line[7].text, "33.3% ");
	assert_non_null(bar);
	assert_int_equal(strspn(bar + 6, "#"), 7);	/* a third of 20 */
	top_lines_free(&l);

	s.key = TOP_BY_REAL;
	assert_int_equal(top_render(&f, &s, 0, 0, &l), 0);
	assert_non_null(strstr(l.line[6].text, "SHARE OF REAL"));
	bar = strstr(l.line[7].text, "50.0% ");
	assert_non_null(bar);
	assert_int_equal(strspn(bar + 6, "#"), 10);
	assert_non_null(strstr(l.line[7].text, " half "));
	top_lines_free(&l);
	top_frame_clear(&f);
}

static void cgroup_paths_keep_their_end(void **state)
{
	struct top_frame f = {};
	struct top_state s = top_state_default();
	struct top_lines l = {};
	struct top_row *r = top_frame_add(&f, TOP_CGROUPS);
	const char *path = "/system.slice/a-very-long-unit-name-that-goes-on-and-on.service";

	(void)state;
	r->id = 5;
	r->name = strdup(path);
	r->memlock = 4096;
	r->has_memlock = true;
	s.view = TOP_CGROUPS;
	assert_int_equal(top_render(&f, &s, 80, 24, &l), 0);
	assert_null(strstr(l.line[7].text, path));
	assert_non_null(strstr(l.line[7].text, "..."));
	assert_non_null(strstr(l.line[7].text, "on-and-on.service"));
	top_lines_free(&l);
	top_frame_clear(&f);
}

/* Ids past a million keep bpfmem's own mark: the column grows to the
 * longest, and the rows stay aligned under its title. */
static void long_ids_keep_their_mark(void **state)
{
	struct top_frame f = {};
	struct top_state s = top_state_default();
	struct top_lines l = {};

	(void)state;
	add_map(&f, 1186245, "addrs", 200, 200, true, 1, 1)->own = true;
	add_map(&f, 42, "small", 100, 100, true, 1, 1);
	s.key = TOP_BY_MEMLOCK;
	s.descending = true;
	assert_int_equal(top_render(&f, &s, 100, 24, &l), 0);
	assert_int_equal(strncmp(l.line[6].text, "      ID ", 9), 0);
	assert_int_equal(strncmp(l.line[7].text, "1186245* addrs ", 15), 0);
	assert_int_equal(strncmp(l.line[8].text, "      42 small ", 15), 0);
	top_lines_free(&l);
	top_frame_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorts_with_unknown_figures_last_and_ties_by_id),
		cmocka_unit_test(the_same_key_again_reverses),
		cmocka_unit_test(delay_steps_along_a_ladder),
		cmocka_unit_test(fits_the_screen_with_the_help_line_last_and_scrolls),
		cmocka_unit_test(plain_frames_hold_every_row_and_bars_scale),
		cmocka_unit_test(cgroup_paths_keep_their_end),
		cmocka_unit_test(long_ids_keep_their_mark),
	};

	return cmocka_run_group_tests_name("top_view", tests, NULL, NULL);
}
