// SPDX-License-Identifier: GPL-2.0
/* The exposition text: label escaping, line format, families, the series
 * bound and its `other` sums, unknown values left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/prom_render.h"

static const struct prom_stats stats = { .sample_seconds = 0.25,
					 .version = "1.2.3" };

static char *escaped(const char *s)
{
	struct prom_buf b = {};

	prom_put_label_value(&b, s);
	assert_false(b.oom);
	return b.p ? b.p : strdup("");
}

static void expect_escape(const char *in, const char *want)
{
	char *got = escaped(in);

	if (strcmp(got, want))
		fail_msg("escape of '%s': '%s', want '%s'", in, got, want);
	free(got);
}

static void escaping(void **state)
{
	(void)state;
	expect_escape("plain/path.slice", "plain/path.slice");
	expect_escape("a\\b", "a\\\\b");
	expect_escape("say \"hi\"", "say \\\"hi\\\"");
	expect_escape("two\nlines", "two\\nlines");
	expect_escape("", "");
	/* UTF-8 kept; stray bytes, overlong forms and surrogates replaced */
	expect_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d",
		      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d");
	expect_escape("x\xffy", "x\xef\xbf\xbdy");
	expect_escape("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	expect_escape("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_escape("cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd");
}

/* A ledger built by hand: maps, programs, memory cgroups. */
struct world {
	struct ledger l;
	struct map_info maps[128];
	struct prog_info progs[8];
	struct cgroup_info cgroups[8];
};

static void add_map(struct world *w, __u32 id, const char *name,
		    __u32 type, __u64 memlock, bool real, __s64 elements,
		    const char *memcg)
{
	struct map_info *m = &w->maps[w->l.inv.nr_maps++];

	*m = (struct map_info){
		.rec = { .id = id, .type = type, .max_entries = 64,
			 .memcg_id = memcg ? 77 : 0 },
		.bytes_memlock = memlock,
		.has_memlock = true,
		.memcg_path = memcg,
		.has_real = real,
		.real = { .memcg = memlock + 100, .root = 8 },
	};
	strncpy(m->rec.name, name, sizeof(m->rec.name));
	if (elements >= 0) {
		m->rec.elements = elements;
		m->rec.rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
	}
	w->l.totals.maps++;
	w->l.totals.maps_memlock += memlock;
}

static void add_prog(struct world *w, __u32 id, const char *name,
		     const char *func, __u32 type, __u64 memlock)
{
	struct prog_info *p = &w->progs[w->l.inv.nr_progs++];

	*p = (struct prog_info){
		.rec = { .id = id, .type = type, .bytes_memlock = memlock },
	};
	strncpy(p->rec.name, name, sizeof(p->rec.name));
	strncpy(p->rec.func_name, func, sizeof(p->rec.func_name));
	w->l.totals.progs++;
	w->l.totals.progs_memlock += memlock;
}

static void add_cgroup(struct world *w, __u64 id, const char *path,
		       const char *unit, __u64 memlock, bool real)
{
	struct cgroup_info *c = &w->cgroups[w->l.cgroups.n++];

	*c = (struct cgroup_info){ .id = id, .path = path,
				   .bytes_memlock = memlock,
				   .bytes_real = memlock + 1,
				   .real_complete = real };
	snprintf(c->owner.unit, sizeof(c->owner.unit), "%s", unit);
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->l.inv.maps = w->maps;
	w->l.inv.progs = w->progs;
	w->l.cgroups.cgroups = w->cgroups;
	w->l.samples = 42;
	w->l.time_ms = 1700000000123ULL;
	return w;
}

static char *render(const struct world *w, unsigned int max_series)
{
	struct prom_buf b = {};

	assert_int_equal(prom_render(&b, &w->l, &stats, max_series), 0);
	assert_non_null(b.p);
	assert_int_equal(strlen(b.p), b.len);
	return b.p;
}

static void expect_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	for (; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("no line '%s' in:\n%s", line, text);
}

static void expect_no(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("'%s' should be absent:\n%s", part, text);
}

/*
 * Checks what promtool would: every line a comment or NAME{labels} VALUE;
 * HELP then TYPE once per family, before its samples, each family's
 * samples together; no label set twice. Returns the number of samples.
 */
static size_t check_format(char *text)
{
	char seen[64][64] = {}, last[64] = "", *save, *line;
	char *copy = strdup(text);
	size_t nr_seen = 0, samples = 0;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64], *v, *end;
		size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyz_");

		if (!strncmp(line, "# HELP ", 7)) {
			n = strspn(line + 7, "abcdefghijklmnopqrstuvwxyz_");
			assert_true(n > 0 && n < sizeof(name));
			memcpy(name, line + 7, n);
			name[n] = '\0';
			for (size_t i = 0; i < nr_seen; i++)
				if (!strcmp(seen[i], name))
					fail_msg("family %s twice", name);
			assert_true(nr_seen < 64);
			strcpy(seen[nr_seen++], name);
			strcpy(last, name);
			line = strtok_r(NULL, "\n", &save);
			assert_non_null(line);
			assert_true(!strncmp(line, "# TYPE ", 7) &&
				    !strncmp(line + 7, name, n) &&
				    (!strcmp(line + 8 + n, "gauge") ||
				     !strcmp(line + 8 + n, "counter")));
			continue;
		}
		assert_true(n > 0 && n < sizeof(name));
		memcpy(name, line, n);
		name[n] = '\0';
		if (strcmp(name, last))
			fail_msg("sample of %s outside its family: %s", last,
				 line);
		v = strrchr(line, ' ');
		assert_non_null(v);
		strtod(v + 1, &end);
		if (end == v + 1 || *end)
			fail_msg("value not a number: %s", line);
		if (line[n] == '{')
			assert_true(v[-1] == '}');
		else
			assert_true(line + n == v);
		samples++;
	}
	free(copy);
	return samples;
}

static void formatting(void **state)
{
	struct world *w = world_new();
	char *t;

	(void)state;
	add_map(w, 5, "fx_hash", 1, 4096, true, 10, "/sys.slice/a.service");
	add_map(w, 6, "fx_ringbuf", 27, 8192, false, -1, NULL);
	add_map(w, 9, "fx_odd", 999, 100, true, -1, NULL);
	add_prog(w, 20, "tracepoint__sys", "tracepoint__syscalls__sys_enter",
		 5, 4096);
	add_cgroup(w, 77, "/sys.slice/a.service", "a.service", 4096, true);
	add_cgroup(w, 78, "/we\"ird\\na\nme", "", 2048, false);
	add_cgroup(w, 79, NULL, "", 1024, true);
	w->l.totals.progs_jited = 1;
	w->l.inv.own = (struct own_summary){ .nr_maps = 30, .nr_progs = 12,
					     .bytes_real = 36000000,
					     .bytes_memlock = 35000000 };
	t = render(w, PROM_DEFAULT_SERIES);
	/* maps 2 + 3 + 1 + 3, program 1, cgroups 2 + 3, totals 12 */
	assert_int_equal(check_format(t), 27);
	/* bpfmem's own, apart */
	expect_line(t, "bpfmem_own_bytes{measure=\"real\"} 36000000");
	expect_line(t, "bpfmem_own_bytes{measure=\"memlock\"} 35000000");
	expect_line(t, "bpfmem_own_objects{kind=\"map\"} 30");
	expect_line(t, "bpfmem_own_objects{kind=\"prog\"} 12");
	expect_line(t, "# HELP bpfmem_map_memlock_bytes Memory charged to a map as its fdinfo shows (memlock), in bytes.");
	expect_line(t, "# TYPE bpfmem_map_memlock_bytes gauge");
	expect_line(t, "bpfmem_map_memlock_bytes{id=\"5\",name=\"fx_hash\",type=\"hash\",memcg=\"/sys.slice/a.service\"} 4096");
	expect_line(t, "bpfmem_map_memlock_bytes{id=\"6\",name=\"fx_ringbuf\",type=\"ringbuf\",memcg=\"\"} 8192");
	/* a type this build has no name for: its number */
	expect_line(t, "bpfmem_map_memlock_bytes{id=\"9\",name=\"fx_odd\",type=\"999\",memcg=\"\"} 100");
	expect_line(t, "bpfmem_map_real_bytes{id=\"5\",name=\"fx_hash\",type=\"hash\",memcg=\"/sys.slice/a.service\"} 4204");
	/* unknown: absent, not 0 */
	expect_no(t, "bpfmem_map_real_bytes{id=\"6\"");
	expect_no(t, "bpfmem_map_elements{id=\"6\"");
	expect_line(t, "bpfmem_map_elements{id=\"5\",name=\"fx_hash\",type=\"hash\",memcg=\"/sys.slice/a.service\"} 10");
	expect_line(t, "bpfmem_map_max_entries{id=\"6\",name=\"fx_ringbuf\",type=\"ringbuf\",memcg=\"\"} 64");
	/* the BTF name where the kernel's is cut short */
	expect_line(t, "bpfmem_prog_memlock_bytes{id=\"20\",name=\"tracepoint__syscalls__sys_enter\",type=\"tracepoint\"} 4096");
	expect_line(t, "bpfmem_memcg_memlock_bytes{path=\"/sys.slice/a.service\",unit=\"a.service\"} 4096");
	expect_line(t, "bpfmem_memcg_memlock_bytes{path=\"/we\\\"ird\\\\na\\nme\",unit=\"\"} 2048");
	expect_line(t, "bpfmem_memcg_memlock_bytes{path=\"(removed 79)\",unit=\"\"} 1024");
	expect_line(t, "bpfmem_memcg_real_bytes{path=\"/sys.slice/a.service\",unit=\"a.service\"} 4097");
	expect_no(t, "bpfmem_memcg_real_bytes{path=\"/we");
	expect_line(t, "bpfmem_memlock_bytes{kind=\"map\"} 12388");
	expect_line(t, "bpfmem_memlock_bytes{kind=\"prog\"} 4096");
	/* one map without real bytes: no total */
	expect_no(t, "bpfmem_real_bytes{");
	expect_line(t, "bpfmem_maps 3");
	expect_line(t, "bpfmem_progs 1");
	expect_line(t, "bpfmem_sample_duration_seconds 0.25");
	expect_line(t, "bpfmem_sample_timestamp_seconds 1700000000.123");
	expect_line(t, "# TYPE bpfmem_samples_total counter");
	expect_line(t, "bpfmem_samples_total 42");
	expect_line(t, "bpfmem_build_info{version=\"1.2.3\"} 1");
	/* nothing summed: no `other`; no rules, no alerts */
	expect_no(t, "other");
	expect_no(t, "bpfmem_alerts_firing");
	/* the program not modelled: no series, no total */
	expect_no(t, "bpfmem_prog_real_bytes");
	free(t);

	/* every map modelled: the total is there */
	w->maps[1].has_real = true;
	t = render(w, PROM_DEFAULT_SERIES);
	expect_line(t, "bpfmem_real_bytes{kind=\"map\"} 12712");
	expect_no(t, "bpfmem_real_bytes{kind=\"prog\"}");
	free(t);

	/* the program modelled: its series and the programs' total */
	w->progs[0].has_real = true;
	w->progs[0].real = (struct model_bytes){ .memcg = 5000, .root = 120 };
	t = render(w, PROM_DEFAULT_SERIES);
	check_format(t);
	expect_line(t, "# TYPE bpfmem_prog_real_bytes gauge");
	expect_line(t, "bpfmem_prog_real_bytes{id=\"20\",name=\"tracepoint__syscalls__sys_enter\",type=\"tracepoint\"} 5120");
	expect_line(t, "bpfmem_real_bytes{kind=\"prog\"} 5120");
	free(t);
	free(w);
}

static void alerts(void **state)
{
	const struct prom_rule_count rules[] = {
		{ .rule = "big-map", .firing = 3 },
		{ .rule = "quiet.one", .firing = 0 },
	};
	struct prom_stats st = stats;
	struct world *w = world_new();
	struct prom_buf b = {};

	(void)state;
	st.rules = rules;
	st.nr_rules = 2;
	assert_int_equal(prom_render(&b, &w->l, &st, PROM_MIN_SERIES), 0);
	check_format(b.p);
	expect_line(b.p, "# TYPE bpfmem_alerts_firing gauge");
	expect_line(b.p, "bpfmem_alerts_firing{rule=\"big-map\"} 3");
	/* a rule with nothing firing is 0, not absent */
	expect_line(b.p, "bpfmem_alerts_firing{rule=\"quiet.one\"} 0");
	prom_buf_free(&b);
	free(w);
}

static void empty(void **state)
{
	struct world *w = world_new();
	char *t;

	(void)state;
	t = render(w, PROM_MIN_SERIES);
	check_format(t);
	expect_no(t, "bpfmem_map_");
	expect_no(t, "bpfmem_prog_");
	expect_line(t, "bpfmem_maps 0");
	expect_line(t, "bpfmem_real_bytes{kind=\"map\"} 0");
	free(t);
	free(w);
}

/* Sums the values of the lines that start with prefix. */
static __u64 sum_of(const char *text, const char *prefix, size_t *lines)
{
	const char *p = text;
	__u64 sum = 0;

	*lines = 0;
	while ((p = strstr(p, prefix))) {
		if (p == text || p[-1] == '\n') {
			const char *nl = strchr(p, '\n');
			const char *sp = nl;

			while (sp[-1] != ' ')
				sp--;
			sum += strtoull(sp, NULL, 10);
			(*lines)++;
		}
		p++;
	}
	return sum;
}

static void bounding(void **state)
{
	struct world *w = world_new();
	__u64 memlock = 0, elements = 0;
	unsigned int max = 30;
	size_t own, n, samples;
	char *t, want[160];

	(void)state;
	/* ids ascending, sizes in a shuffled order; 3 series each */
	for (__u32 i = 0; i < 100; i++) {
		__u64 bytes = 4096 * (1 + (i * 37) % 100);

		add_map(w, 1000 + i, "m", 2, bytes, false, i, NULL);
		memlock += bytes;
		elements += i;
	}
	add_prog(w, 7, "p", "", 6, 4096 * 200 + 1);
	add_cgroup(w, 77, "/big", "", 10 << 20, true);
	t = render(w, max);
	samples = check_format(t);
	/* the cgroup (2 series), the program (1), then maps of 3 series in
	 * the 19 left of max - 8 (room for `other`): the six largest */
	sum_of(t, "bpfmem_map_memlock_bytes{id=\"1", &own);
	assert_int_equal(own, 6);
	for (__u32 i = 0; i < 100; i++) {
		bool top = (i * 37) % 100 >= 94;

		snprintf(want, sizeof(want), "bpfmem_map_memlock_bytes{id=\"%u\"",
			 1000 + i);
		if (top != (strstr(t, want) != NULL))
			fail_msg("map %u (%llu bytes) %s", 1000 + i,
				 (unsigned long long)w->maps[i].bytes_memlock,
				 top ? "lacks its series" : "has a series");
	}
	/* the `other` sums add up to the totals */
	assert_int_equal(sum_of(t, "bpfmem_map_memlock_bytes{", &n), memlock);
	assert_int_equal(n, 7);
	expect_line(t, "bpfmem_map_max_entries{id=\"other\"} 6016");
	assert_int_equal(sum_of(t, "bpfmem_map_elements{", &n), elements);
	/* real bytes of none of them known: no `other` either */
	expect_no(t, "bpfmem_map_real_bytes");
	expect_line(t, "bpfmem_prog_memlock_bytes{id=\"7\",name=\"p\",type=\"xdp\"} 819201");
	expect_no(t, "bpfmem_prog_memlock_bytes{id=\"other\"}");
	expect_no(t, "path=\"other\"");
	/* the per-object series within the bound: all but 12 totals */
	assert_true(samples - 12 <= max);
	free(t);

	/* the bound at its least: 8 series beside `other`; the cgroup,
	 * the program, the largest map */
	t = render(w, PROM_MIN_SERIES);
	assert_true(check_format(t) - 12 <= PROM_MIN_SERIES);
	expect_line(t, "bpfmem_memcg_memlock_bytes{path=\"/big\",unit=\"\"} 10485760");
	assert_int_equal(sum_of(t, "bpfmem_map_memlock_bytes{", &n), memlock);
	assert_int_equal(n, 2);
	expect_line(t, "bpfmem_map_memlock_bytes{id=\"1027\",name=\"m\",type=\"array\",memcg=\"\"} 409600");
	free(t);
	free(w);
}

static void scrapes(void **state)
{
	struct prom_buf b = {};

	(void)state;
	assert_int_equal(prom_render_scrapes(&b, 7), 0);
	assert_string_equal(b.p, "# HELP bpfmem_scrapes_total Requests for /metrics served, this one included.\n"
				 "# TYPE bpfmem_scrapes_total counter\n"
				 "bpfmem_scrapes_total 7\n");
	prom_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escaping),
		cmocka_unit_test(formatting),
		cmocka_unit_test(empty),
		cmocka_unit_test(alerts),
		cmocka_unit_test(bounding),
		cmocka_unit_test(scrapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
