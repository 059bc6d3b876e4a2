// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmem's inventory against the kernel's own meters: bpftool's JSON (the
 * oracle for every field they share), fdinfo in /proc (holders), key walks
 * (element counts) and /proc/PID/cgroup (memory cgroups). The fixture
 * creates a map of every type this kernel supports and several programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"
#include "base/names.h"

struct world {
	struct fixture fx;
	json_object *maps, *progs;		/* bpfmem --json */
	json_object *bt_maps, *bt_progs;	/* bpftool -j */
	/* bpfmem's pinned iterators, before and after the listings:
	 * bpfmem hides them, bpftool lists them */
	struct own_pinned own;
};

static int setup(void **state)
{
	static char *fill[] = { "--fill", NULL };
	/* --own: every object, bpfmem's (other tests' daemons) too, as bpftool */
	char *maps[] = { BPFMEM, "maps", "--json", "--own", "--sort", "id", NULL };
	char *progs[] = { BPFMEM, "progs", "--json", "--own", "--sort", "id", NULL };
	char *bt_maps[] = { "bpftool", "-j", "map", "show", NULL };
	char *bt_progs[] = { "bpftool", "-j", "prog", "show", NULL };
	struct world *w = calloc(1, sizeof(*w));

	if (fixture_start(&w->fx, fill)) {
		print_error("mkobjs did not start\n");
		return -1;
	}
	/* A first run pins bpfmem's iterators, so that both tools below see
	 * the same set of programs. */
	json_object_put(run_json(progs));
	own_pinned_read(&w->own);
	w->maps = run_json(maps);
	w->progs = run_json(progs);
	w->bt_maps = run_json(bt_maps);
	w->bt_progs = run_json(bt_progs);
	own_pinned_read(&w->own);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	int err = fixture_stop(&w->fx);

	json_object_put(w->maps);
	json_object_put(w->progs);
	json_object_put(w->bt_maps);
	json_object_put(w->bt_progs);
	free(w);
	return err;
}

static void expect_u64(json_object *ours, json_object *theirs,
		       const char *key, __u64 id)
{
	json_object *a = jget(ours, key), *b = jget(theirs, key);

	if (!b)
		return;		/* bpftool omits some fields when zero */
	if (!a || json_object_get_uint64(a) != json_object_get_uint64(b)) {
		print_error("id %llu (%s): %s: bpfmem %s, bpftool %s\n",
			    (unsigned long long)id, jget_str(theirs, "name"), key,
			    a ? json_object_to_json_string(a) : "(none)",
			    json_object_to_json_string(b));
		fail();
	}
}

static bool object_exists(const char *what, __u32 id)
{
	int fd = !strcmp(what, "map") ? bpf_map_get_fd_by_id(id) :
					bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return true;
}

/*
 * bpftool 7.1's listing of all maps shows a ring buffer without BTF with
 * the btf_id of the map listed before it; asked for that one map, it shows
 * none. Its per-map answer is the oracle then.
 */
static void expect_map_btf_id(json_object *ours, json_object *theirs, __u64 id)
{
	char idtext[24];
	char *one[] = { "bpftool", "-j", "map", "show", "id", idtext, NULL };
	json_object *single;
	char *out = NULL;

	if (jget_u64(ours, "btf_id") == jget_u64(theirs, "btf_id"))
		return;
	snprintf(idtext, sizeof(idtext), "%llu", (unsigned long long)id);
	/* freed since the listings (another test's bpfmemd exited): no
	 * oracle left, and nothing to compare */
	if (run_capture(one, &out, NULL) && !object_exists("map", id)) {
		free(out);
		return;
	}
	single = json_tokener_parse(out);
	free(out);
	assert_non_null(single);
	expect_u64(ours, single, "btf_id", id);
	assert_int_equal(jget_u64(ours, "btf_id"), jget_u64(single, "btf_id"));
	json_object_put(single);
}

static void expect_str(json_object *ours, json_object *theirs,
		       const char *key, __u64 id)
{
	const char *a = jget_str(ours, key), *b = jget_str(theirs, key);

	if (!b)
		return;
	if (!a || strcmp(a, b)) {
		print_error("id %llu: %s: bpfmem '%s', bpftool '%s'\n",
			    (unsigned long long)id, key, a ? a : "(none)", b);
		fail();
	}
}

/* bpftool 7.1 prints a number for types newer than its libbpf. */
static void expect_type(json_object *ours, json_object *theirs, __u64 id,
			bool prog)
{
	json_object *b = jget(theirs, "type");
	const char *a = jget_str(ours, "type");
	int want;

	if (json_object_is_type(b, json_type_string)) {
		expect_str(ours, theirs, "type", id);
		return;
	}
	want = json_object_get_int(b);
	assert_non_null(a);
	if ((prog ? prog_type_from_name(a) : map_type_from_name(a)) != want) {
		print_error("id %llu: type: bpfmem '%s', bpftool %d\n",
			    (unsigned long long)id, a, want);
		fail();
	}
}


/*
 * The two listings were taken moments apart: an object only one of them
 * has must have been created after ours (a higher id than any we saw) or
 * freed since (the kernel no longer knows its id), or be one of bpfmem's
 * pinned iterators, which bpfmem leaves out.
 */
static void expect_same_ids(json_object *ours, json_object *theirs,
			    const char *what, const struct own_pinned *own)
{
	size_t n = json_object_array_length(theirs);
	size_t m = json_object_array_length(ours);
	__u64 newest = 0;

	for (size_t i = 0; i < m; i++) {
		__u64 id = jget_u64(json_object_array_get_idx(ours, i), "id");

		if (id > newest)
			newest = id;
		if (!json_find_id(theirs, id) && object_exists(what, id)) {
			print_error("%s %llu: listed by bpfmem, not by bpftool\n",
				    what, (unsigned long long)id);
			fail();
		}
	}
	for (size_t i = 0; i < n; i++) {
		__u64 id = jget_u64(json_object_array_get_idx(theirs, i), "id");

		if (!json_find_id(ours, id) && id < newest &&
		    !own_pinned_has(own, !strcmp(what, "map"), id)) {
			print_error("%s %llu: listed by bpftool, not by bpfmem\n",
				    what, (unsigned long long)id);
			fail();
		}
	}
}

static void every_fixture_object_is_listed(void **state)
{
	struct world *w = *state;
	size_t n = json_object_array_length(w->fx.objects), maps = 0, progs = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *fx = json_object_array_get_idx(w->fx.objects, i);
		const char *kind = jget_str(fx, "kind");
		json_object *arr, *ours;

		if (!strcmp(kind, "skip")) {
			print_message("# skipped by the fixture: %s map: %s\n",
				      jget_str(fx, "type"),
				      jget_str(fx, "reason"));
			continue;
		}
		if (strcmp(kind, "map") && strcmp(kind, "prog"))
			continue;
		arr = !strcmp(kind, "map") ? w->maps : w->progs;
		ours = json_find_id(arr, jget_u64(fx, "id"));
		if (!ours) {
			print_error("%s %s (id %llu) is missing\n", kind,
				    jget_str(fx, "name"),
				    (unsigned long long)jget_u64(fx, "id"));
			fail();
		}
		assert_string_equal(jget_str(ours, "name"), jget_str(fx, "name"));
		assert_string_equal(jget_str(ours, "type"), jget_str(fx, "type"));
		if (!strcmp(kind, "map"))
			maps++;
		else
			progs++;
	}
	/* every map type of this kernel, bar those needing missing setup */
	assert_true(maps >= 25);
	assert_true(progs >= 6);
}

static void maps_match_bpftool_field_by_field(void **state)
{
	struct world *w = *state;
	size_t n = json_object_array_length(w->bt_maps);

	expect_same_ids(w->maps, w->bt_maps, "map", &w->own);
	for (size_t i = 0; i < n; i++) {
		json_object *theirs = json_object_array_get_idx(w->bt_maps, i);
		__u64 id = jget_u64(theirs, "id");
		json_object *ours = json_find_id(w->maps, id);
		json_object *frozen = jget(theirs, "frozen");

		if (!ours)
			continue;	/* created after our listing */
		expect_type(ours, theirs, id, false);
		expect_str(ours, theirs, "name", id);
		expect_u64(ours, theirs, "flags", id);
		expect_u64(ours, theirs, "bytes_key", id);
		expect_u64(ours, theirs, "bytes_value", id);
		expect_u64(ours, theirs, "max_entries", id);
		expect_u64(ours, theirs, "bytes_memlock", id);
		expect_map_btf_id(ours, theirs, id);
		assert_int_equal(json_object_get_boolean(jget(ours, "frozen")),
				 frozen && json_object_get_int(frozen));
	}
}

static void progs_match_bpftool_field_by_field(void **state)
{
	struct world *w = *state;
	size_t n = json_object_array_length(w->bt_progs);

	expect_same_ids(w->progs, w->bt_progs, "prog", &w->own);
	for (size_t i = 0; i < n; i++) {
		json_object *theirs = json_object_array_get_idx(w->bt_progs, i);
		__u64 id = jget_u64(theirs, "id");
		json_object *ours = json_find_id(w->progs, id);
		json_object *a_ids = jget(ours, "map_ids");
		json_object *b_ids = jget(theirs, "map_ids");
		__s64 dt;

		if (!ours)
			continue;	/* created after our listing */
		expect_type(ours, theirs, id, true);
		expect_str(ours, theirs, "name", id);
		expect_str(ours, theirs, "tag", id);
		expect_u64(ours, theirs, "uid", id);
		expect_u64(ours, theirs, "bytes_xlated", id);
		expect_u64(ours, theirs, "bytes_jited", id);
		expect_u64(ours, theirs, "bytes_memlock", id);
		expect_u64(ours, theirs, "btf_id", id);
		assert_int_equal(
			json_object_get_boolean(jget(ours, "gpl_compatible")),
			json_object_get_boolean(jget(theirs, "gpl_compatible")));
		assert_int_equal(json_object_get_boolean(jget(ours, "jited")),
				 json_object_get_boolean(jget(theirs, "jited")));
		/* both convert boot time to wall time with clocks read at
		 * slightly different moments */
		dt = (__s64)jget_u64(ours, "loaded_at") -
		     (__s64)jget_u64(theirs, "loaded_at");
		assert_true(dt >= -1 && dt <= 1);
		assert_int_equal(json_object_array_length(a_ids),
				 b_ids ? json_object_array_length(b_ids) : 0);
		for (size_t k = 0; b_ids && k < json_object_array_length(b_ids);
		     k++)
			assert_int_equal(
				json_object_get_uint64(
					json_object_array_get_idx(a_ids, k)),
				json_object_get_uint64(
					json_object_array_get_idx(b_ids, k)));
	}
}

/* Holders change as processes come and go; the fixture's objects are
 * held by the fixture alone for the whole test. */
static void expect_holders(struct world *w, json_object *objs,
			   const char *kind, const char *key)
{
	size_t n = json_object_array_length(w->fx.objects), checked = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *fx = json_object_array_get_idx(w->fx.objects, i);
		json_object *o, *pids;
		__u32 id = jget_u64(fx, "id");
		pid_t want[64];
		int nw;

		if (strcmp(jget_str(fx, "kind"), kind))
			continue;
		o = json_find_id(objs, id);
		assert_non_null(o);
		pids = jget(o, "pids");
		nw = procfs_holders(key, id, want, 64);
		checked++;

		assert_true(nw >= 0);
		if ((int)json_object_array_length(pids) != nw) {
			print_error("%s %u: bpfmem lists %zu holders, /proc has %d\n",
				    key, id, json_object_array_length(pids), nw);
			fail();
		}
		for (int k = 0; k < nw; k++) {
			json_object *p = json_object_array_get_idx(pids, k);
			char comm[64], path[64];
			FILE *f;

			assert_int_equal(jget_u64(p, "pid"), want[k]);
			snprintf(path, sizeof(path), "/proc/%d/comm", want[k]);
			f = fopen(path, "re");
			assert_non_null(f);
			assert_non_null(fgets(comm, sizeof(comm), f));
			fclose(f);
			comm[strcspn(comm, "\n")] = '\0';
			assert_string_equal(jget_str(p, "comm"), comm);
		}
	}
	assert_true(checked > 0);
}

static void holders_match_procfs(void **state)
{
	struct world *w = *state;

	expect_holders(w, w->maps, "map", "map_id");
	expect_holders(w, w->progs, "prog", "prog_id");
}

/* The kernel's element count against a walk of the keys. */
static __u64 count_keys(__u32 id)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char key[256], next[256];
	__u64 n = 0;
	int fd = bpf_map_get_fd_by_id_opts(id, &opts);

	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_true(info.key_size <= sizeof(key));
	if (!bpf_map_get_next_key(fd, NULL, next)) {
		do {
			n++;
			memcpy(key, next, info.key_size);
		} while (!bpf_map_get_next_key(fd, key, next));
	}
	close(fd);
	return n;
}

static void element_counts_match_the_maps_contents(void **state)
{
	struct world *w = *state;
	size_t n = json_object_array_length(w->fx.objects), checked = 0;
	__u64 slack = elem_count_slack();

	for (size_t i = 0; i < n; i++) {
		json_object *fx = json_object_array_get_idx(w->fx.objects, i);
		json_object *ours, *elems;
		const char *type = jget_str(fx, "type");
		__u64 id = jget_u64(fx, "id");

		if (strcmp(jget_str(fx, "kind"), "map"))
			continue;
		ours = json_find_id(w->maps, id);
		elems = jget(ours, "elements");
		/* Before bpf_map_sum_elem_count() (6.6), only hash maps
		 * without preallocation count (inc_elem_count() runs on that
		 * path alone): the others have no count to show */
		if (slack && strstr(type, "hash") && strcmp(type, "sockhash") &&
		    strcmp(type, "devmap_hash") &&
		    (strstr(type, "lru") || !(jget_u64(ours, "flags") & BPF_F_NO_PREALLOC))) {
			assert_null(elems);
			checked++;
		}
		if (!elems)
			continue;
		if (strstr(type, "hash") || !strcmp(type, "lpm_trie")) {
			__u64 keys = count_keys(id);

			__u64 e = json_object_get_uint64(elems);

			if (e + slack < keys || e > keys + slack) {
				print_error("map %llu (%s): elements %llu, key walk %llu, slack %llu\n",
					    (unsigned long long)id, type,
					    (unsigned long long)e,
					    (unsigned long long)keys,
					    (unsigned long long)slack);
				fail();
			}
			checked++;
		}
		if (jget(fx, "elements")) {
			__u64 e = json_object_get_uint64(elems);
			__u64 want = jget_u64(fx, "elements");

			assert_true(e + slack >= want && e <= want + slack);
		}
	}
	/* the hash family, LPM trie, sockhash and devmap_hash at least */
	assert_true(checked >= 8);
}

static void memcg_is_the_creators_memory_cgroup(void **state)
{
	struct world *w = *state;
	char *want = proc_memcg_path(w->fx.pid);
	size_t n = json_object_array_length(w->fx.objects), checked = 0;

	if (!want) {
		print_message("# no memory controller: skipped\n");
		skip();
	}
	for (size_t i = 0; i < n; i++) {
		json_object *fx = json_object_array_get_idx(w->fx.objects, i);
		json_object *ours;

		if (strcmp(jget_str(fx, "kind"), "map"))
			continue;
		ours = json_find_id(w->maps, jget_u64(fx, "id"));
		assert_non_null(jget(ours, "memcg"));
		assert_string_equal(jget_str(jget(ours, "memcg"), "path"), want);
		checked++;
	}
	assert_true(checked > 0);
	free(want);
}

/* Every link bpftool lists hangs off its program in bpfmem, with the same
 * type and attach point. */
static void links_match_bpftool(void **state)
{
	struct world *w = *state;
	char *argv[] = { "bpftool", "-j", "link", "show", NULL };
	json_object *links = run_json(argv);
	size_t n = json_object_array_length(links), checked = 0;
	__u64 newest = 0;

	for (size_t i = 0; i < json_object_array_length(w->progs); i++) {
		json_object *l = jget(json_object_array_get_idx(w->progs, i),
				     "links");

		for (size_t k = 0; k < json_object_array_length(l); k++)
			if (jget_u64(json_object_array_get_idx(l, k), "id") > newest)
				newest = jget_u64(json_object_array_get_idx(l, k), "id");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *bl = json_object_array_get_idx(links, i);
		json_object *prog = json_find_id(w->progs, jget_u64(bl, "prog_id"));
		json_object *ours, *target;

		/* loaded or linked after our listing */
		if (!prog || jget_u64(bl, "id") > newest)
			continue;
		ours = json_find_id(jget(prog, "links"), jget_u64(bl, "id"));
		if (!ours) {
			print_error("link %llu of program %llu is missing\n",
				    (unsigned long long)jget_u64(bl, "id"),
				    (unsigned long long)jget_u64(bl, "prog_id"));
			fail();
		}
		expect_str(ours, bl, "type", jget_u64(bl, "id"));
		target = jget(ours, "target");
		if (jget_str(bl, "tp_name"))
			assert_string_equal(jget_str(target, "tracepoint"),
					    jget_str(bl, "tp_name"));
		if (jget_str(bl, "target_name"))
			assert_string_equal(jget_str(target, "iterator"),
					    jget_str(bl, "target_name"));
		if (jget(bl, "cgroup_id"))
			assert_int_equal(jget_u64(target, "cgroup_id"),
					 jget_u64(bl, "cgroup_id"));
		if (jget(bl, "ifindex"))
			assert_int_equal(jget_u64(target, "ifindex"),
					 jget_u64(bl, "ifindex"));
		checked++;
	}
	/* the fixture's raw_tracepoint link at least (bpfmem's own
	 * iterators are left out of its listings) */
	assert_true(checked >= 1);
	json_object_put(links);
}

/* Programs using a map: the inverse of bpftool's map_ids. */
static void map_users_are_the_programs_that_use_them(void **state)
{
	struct world *w = *state;
	size_t n = json_object_array_length(w->bt_progs), checked = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *bp = json_object_array_get_idx(w->bt_progs, i);
		json_object *ids = jget(bp, "map_ids");

		for (size_t k = 0; ids && k < json_object_array_length(ids); k++) {
			__u64 map_id = json_object_get_uint64(
				json_object_array_get_idx(ids, k));
			json_object *map = json_find_id(w->maps, map_id);
			json_object *users;
			bool found = false;

			if (!map)
				continue;
			users = jget(map, "prog_ids");
			for (size_t u = 0; u < json_object_array_length(users); u++)
				found |= json_object_get_uint64(
						 json_object_array_get_idx(users, u)) ==
					 jget_u64(bp, "id");
			assert_true(found);
			checked++;
		}
	}
	assert_true(checked >= 3);
}

/* Pins as bpftool -f finds them (it walks /sys/fs/bpf). */
static void pins_match_bpftool(void **state)
{
	struct world *w = *state;
	char *ours_argv[] = { BPFMEM, "maps", "--json", "--bpffs", NULL };
	char *bt_argv[] = { "bpftool", "-j", "-f", "map", "show", NULL };
	const char *pin = "/sys/fs/bpf/bpfmem_test_pin";
	json_object *fx = json_object_array_get_idx(w->fx.objects, 0);
	json_object *ours, *theirs, *o, *b;
	int fd;

	unlink(pin);
	fd = bpf_map_get_fd_by_id(jget_u64(fx, "id"));
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_pin(fd, pin), 0);
	close(fd);
	ours = run_json(ours_argv);
	theirs = run_json(bt_argv);
	unlink(pin);

	o = json_find_id(ours, jget_u64(fx, "id"));
	b = json_find_id(theirs, jget_u64(fx, "id"));
	assert_non_null(o);
	assert_non_null(b);
	assert_int_equal(json_object_array_length(jget(o, "pinned")), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    jget(o, "pinned"), 0)),
			    json_object_get_string(json_object_array_get_idx(
				    jget(b, "pinned"), 0)));
	/* the fixture holds it too: not an orphan */
	assert_false(json_object_get_boolean(jget(o, "orphan")));
	json_object_put(ours);
	json_object_put(theirs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_object_is_listed),
		cmocka_unit_test(maps_match_bpftool_field_by_field),
		cmocka_unit_test(progs_match_bpftool_field_by_field),
		cmocka_unit_test(holders_match_procfs),
		cmocka_unit_test(element_counts_match_the_maps_contents),
		cmocka_unit_test(memcg_is_the_creators_memory_cgroup),
		cmocka_unit_test(links_match_bpftool),
		cmocka_unit_test(map_users_are_the_programs_that_use_them),
		cmocka_unit_test(pins_match_bpftool),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("inventory", tests, setup, teardown);
}
