// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmem's own objects, against a real bpfmemd with its accounting hooks
 * on: hidden from every listing, in-process and from the daemon, and all
 * listed and marked with --own. Which objects are the daemon's is the
 * kernel's word: the maps and programs its file descriptors name
 * (/proc/PID/fdinfo) and the maps its programs use (bpftool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"
#include "report/output.h"
#include "collect/own_filter.h"
#include "report/report.h"

struct ids {
	__u32 maps[OWN_MAX], progs[OWN_MAX];
	size_t nr_maps, nr_progs;
};

static bool has(const __u32 *ids, size_t n, __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* "KEY:\tN" of one fdinfo file, or 0. */
static __u32 fdinfo_id(const char *path, const char *key)
{
	char *text = read_text(path), *p = strstr(text, key);
	__u32 id = 0;

	if (p && p[strlen(key)] == ':')
		id = strtoul(p + strlen(key) + 1, NULL, 10);
	free(text);
	return id;
}

/* A map or a program; a link's fdinfo names its program too. */
static void add_fd(const char *path, void *arg)
{
	struct ids *o = arg;
	__u32 id;

	if ((id = fdinfo_id(path, "map_id")))
		own_add(o->maps, &o->nr_maps, id);
	else if ((id = fdinfo_id(path, "prog_id")))
		own_add(o->progs, &o->nr_progs, id);
}

/* The daemon's maps and programs by the kernel's word: what its fds name,
 * and the maps those programs use. */
static void daemon_ids(pid_t pid, struct ids *o)
{
	char *argv[] = { "bpftool", "-j", "prog", "show", NULL };
	json_object *progs;

	fdinfo_each(pid, add_fd, o);
	progs = run_json(argv);
	for (size_t i = 0; i < o->nr_progs; i++) {
		json_object *p = json_find_id(progs, o->progs[i]);
		json_object *maps = p ? jget(p, "map_ids") : NULL;

		for (size_t k = 0; k < json_object_array_length(maps); k++)
			own_add(o->maps, &o->nr_maps, json_object_get_uint64(
				json_object_array_get_idx(maps, k)));
	}
	json_object_put(progs);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

static json_object *list(const char *what, const char *where,
			 const char *socket)
{
	char *argv[] = { BPFMEM, (char *)what, "-j", (char *)where,
			 (char *)socket, NULL };

	return run_json(argv);
}

/* Whether each of ids is in the listing, and marked as bpfmem's. */
static void expect_listed(json_object *arr, const __u32 *ids, size_t n,
			  bool listed, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_find_id(arr, ids[i]);

		if (!o != !listed) {
			print_error("%s %u of bpfmemd is %s\n", what, ids[i],
				    listed ? "missing" : "listed");
			fail();
		}
		if (o && !json_object_get_boolean(jget(o, "bpfmem_own"))) {
			print_error("%s %u of bpfmemd is not marked\n", what,
				    ids[i]);
			fail();
		}
	}
}

/* Every object marked as bpfmem's is, by the kernel's word: held by
 * bpfmem processes only, or pinned under bpfmem's root, or a map of such
 * a program; or freed meanwhile (another test's bpfmem exited). */
static bool comm_is_bpfmem(pid_t pid)
{
	char path[64], *comm;
	bool yes;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm = read_text(path);
	yes = !strcmp(comm, "bpfmemd\n") || !strcmp(comm, "bpfmem\n") ||
	      !*comm;	/* exited meanwhile */
	free(comm);
	return yes;
}

static void expect_marked_are_bpfmem(json_object *arr, bool map,
				     const struct own_pinned *pinned,
				     const struct ids *used)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		__u32 id = jget_u64(o, "id");
		pid_t pids[16];
		int n, fd;

		if (!json_object_get_boolean(jget(o, "bpfmem_own")))
			continue;
		if (own_pinned_has(pinned, map, id) ||
		    (map && has(used->maps, used->nr_maps, id)))
			continue;
		n = procfs_holders(map ? "map_id" : "prog_id", id, pids, 16);
		for (int k = 0; k < n; k++)
			if (!comm_is_bpfmem(pids[k])) {
				print_error("%s %u marked bpfmem's is held by pid %d\n",
					    map ? "map" : "prog", id, pids[k]);
				fail();
			}
		fd = map ? bpf_map_get_fd_by_id(id) : bpf_prog_get_fd_by_id(id);
		if (n <= 0 && fd >= 0) {
			print_error("%s %u marked bpfmem's: no holder, not pinned by bpfmem\n",
				    map ? "map" : "prog", id);
			fail();
		}
		if (fd >= 0)
			close(fd);
	}
}

/* Whether a line of text starts with cell, right-aligned: after spaces
 * only, and followed by one. */
static bool has_row(const char *text, const char *cell)
{
	size_t len = strlen(cell);

	for (const char *p = strstr(text, cell); p; p = strstr(p + 1, cell)) {
		const char *q = p;

		while (q > text && q[-1] == ' ')
			q--;
		if ((q == text || q[-1] == '\n') && p[len] == ' ')
			return true;
	}
	return false;
}

/* top's plain frame (every row of the maps view): the daemon's maps,
 * marked with --own, absent without. */
static void expect_in_top(const struct ids *d, bool own)
{
	char *argv[] = { BPFMEM, "top", "-n", "1",
			 own ? "--own" : "--no-daemon", NULL };
	char *out = NULL, marked[24], bare[24];

	assert_int_equal(run_capture(argv, &out, NULL), 0);
	for (size_t i = 0; i < d->nr_maps; i++) {
		/* the ID column, the mark within it */
		snprintf(marked, sizeof(marked), "%u*", d->maps[i]);
		snprintf(bare, sizeof(bare), "%u", d->maps[i]);
		if (own ? !has_row(out, marked) : has_row(out, marked) ||
						  has_row(out, bare))
			fail_msg("top%s: map %u of bpfmemd %s", own ? " --own" : "",
				 d->maps[i], own ? "not marked" : "listed");
	}
	free(out);
}

static void daemon_objects_hidden_everywhere_listed_with_own(void **state)
{
	struct ids d = {}, used = {};
	struct own_pinned pinned = {};
	json_object *maps, *progs, *report;
	char sock_opt[160], name[16], path[256], *text;
	struct daemon dm;
	int fd, c;

	(void)state;
	/* a map of someone else's with a name of bpfmem's: listed (made
	 * before the daemon's first sample, which its answers come from) */
	snprintf(name, sizeof(name), "events");
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 8, 1, NULL);
	assert_true(fd >= 0);
	daemon_start(&dm, "[daemon]\ntrace_allocations = yes\n");
	snprintf(sock_opt, sizeof(sock_opt), "--socket=%s", dm.sock);
	daemon_ids(dm.pid, &d);
	assert_true(d.nr_maps > 0 && d.nr_progs > 0);

	for (int via = 0; via < 2; via++) {
		const char *where = via ? sock_opt : "--no-daemon";

		maps = list("maps", where, NULL);
		progs = list("progs", where, NULL);
		expect_listed(maps, d.maps, d.nr_maps, false, "map");
		expect_listed(progs, d.progs, d.nr_progs, false, "prog");
		for (size_t i = 0; i < json_object_array_length(maps); i++)
			assert_false(json_object_get_boolean(jget(
				json_object_array_get_idx(maps, i), "bpfmem_own")));
		assert_non_null(json_find_id(maps, map_id(fd)));
		json_object_put(maps);
		json_object_put(progs);
		report = list("report", where, NULL);
		assert_true(jget_u64(jget(report, "bpfmem_own"), "maps") >=
			    d.nr_maps);
		assert_true(jget_u64(jget(report, "bpfmem_own"), "programs") >=
			    d.nr_progs);
		assert_true(jget_u64(jget(report, "bpfmem_own"), "bytes_real") > 0);
		json_object_put(report);
	}

	/* the snapshot file: the same */
	c = conn(&dm);
	json_object_put(ask_ok(c, "{\"cmd\":\"snapshot\"}", "snapshot"));
	close(c);
	snprintf(path, sizeof(path), "%s/snapshot.json", dm.state);
	text = read_text(path);
	report = json_tokener_parse(text);
	free(text);
	assert_non_null(report);
	expect_listed(jget(report, "maps"), d.maps, d.nr_maps, false, "map");
	expect_listed(jget(report, "progs"), d.progs, d.nr_progs, false, "prog");
	assert_true(jget_u64(jget(report, "bpfmem_own"), "maps") >= d.nr_maps);
	json_object_put(report);

	expect_in_top(&d, false);
	expect_in_top(&d, true);

	maps = list("maps", "--own", NULL);
	progs = list("progs", "--own", NULL);
	expect_listed(maps, d.maps, d.nr_maps, true, "map");
	expect_listed(progs, d.progs, d.nr_progs, true, "prog");
	assert_false(json_object_get_boolean(jget(
		json_find_id(maps, map_id(fd)), "bpfmem_own")));
	/* the maps of the programs marked, by bpftool */
	own_pinned_read(&pinned);
	for (size_t i = 0; i < json_object_array_length(progs); i++) {
		json_object *p = json_object_array_get_idx(progs, i);
		json_object *ids = jget(p, "map_ids");

		if (!json_object_get_boolean(jget(p, "bpfmem_own")))
			continue;
		for (size_t k = 0; k < json_object_array_length(ids); k++)
			own_add(used.maps, &used.nr_maps, json_object_get_uint64(
				json_object_array_get_idx(ids, k)));
	}
	expect_marked_are_bpfmem(maps, true, &pinned, &used);
	expect_marked_are_bpfmem(progs, false, &pinned, &used);
	json_object_put(maps);
	json_object_put(progs);
	close(fd);
	assert_int_equal(daemon_stop(&dm), 0);
}

/* The rules alone, on a made-up collection: bpfmemd's objects by holder
 * and name, and the maps its programs use; nobody else's. */
static void filter_by_holder_name_and_use(void **state)
{
	struct holder holders[] = {
		{ .kind = BPFMEM_OBJ_MAP, .id = 10, .comm = "bpfmemd" },
		{ .kind = BPFMEM_OBJ_MAP, .id = 11, .comm = "bpfmemd" },
		{ .kind = BPFMEM_OBJ_MAP, .id = 12, .comm = "bpftrace" },
		{ .kind = BPFMEM_OBJ_MAP, .id = 13, .comm = "bpfmemd" },
		{ .kind = BPFMEM_OBJ_MAP, .id = 13, .comm = "agent" },
		{ .kind = BPFMEM_OBJ_PROG, .id = 20, .comm = "bpfmemd" },
	};
	struct map_user users[] = { { .map_id = 14, .prog_id = 20 } };
	struct map_info maps[7] = {};
	struct prog_info progs[1] = {};
	const char *names[7] = { "events", "bench_0", "events", "events",
				 "ringbuf", "lpm_stack", "lpm_stack" };
	struct inventory inv = {
		.maps = maps, .nr_maps = 7, .progs = progs, .nr_progs = 1,
		.holders = holders, .nr_holders = 6, .map_users = users,
		.nr_map_users = 1,
	};
	struct own_ids none = {};
	const struct own_ids *known[] = { &none };

	(void)state;
	for (int i = 0; i < 7; i++) {
		maps[i].rec.id = 10 + i;
		strcpy(maps[i].rec.name, names[i]);
		maps[i].holders = inventory_find_holders(&inv, BPFMEM_OBJ_MAP,
							 10 + i);
		maps[i].bytes_memlock = 1000;
		maps[i].has_real = true;
		maps[i].real.memcg = 1500;
	}
	maps[4].users = inventory_find_users(&inv, 14);
	/* an iterator's map no fd or pin holds (a run that exited), and a
	 * hash of that name that only its outer map holds (map-in-map) */
	maps[5].rec.rec_flags = BPFMEM_MAP_NO_USER_REFS;
	maps[5].rec.type = BPF_MAP_TYPE_PERCPU_ARRAY;
	maps[6].rec.rec_flags = BPFMEM_MAP_NO_USER_REFS;
	maps[6].rec.type = BPF_MAP_TYPE_HASH;
	progs[0].rec.id = 20;
	strcpy(progs[0].rec.name, "bpf_exit");
	progs[0].rec.bytes_memlock = 4096;
	progs[0].holders = inventory_find_holders(&inv, BPFMEM_OBJ_PROG, 20);
	own_filter(&inv, known, 1, &none, false);
	/* left: the name is not bpfmem's, the holder not bpfmem, another
	 * holder beside bpfmemd */
	assert_int_equal(inv.nr_maps, 4);
	assert_int_equal(inv.maps[0].rec.id, 11);
	assert_int_equal(inv.maps[1].rec.id, 12);
	assert_int_equal(inv.maps[2].rec.id, 13);
	assert_int_equal(inv.maps[3].rec.id, 16);
	/* the own map in front is stepped over, the rest not moved */
	assert_int_equal(inv.maps_front, 1);
	assert_ptr_equal(inv.maps, &maps[1]);
	assert_int_equal(inv.nr_progs, 0);
	/* 10, 14 by use, 15 left by a run */
	assert_int_equal(inv.own.nr_maps, 3);
	assert_int_equal(inv.own.nr_progs, 1);
	assert_int_equal(inv.own.bytes_memlock, 3000 + 4096);
	assert_int_equal(inv.own.bytes_real, 4500);
	assert_false(inv.own.shown);
}

static char *report_text(struct inventory *inv, bool json)
{
	struct output_opts o = { .json = json };
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(print_report(f, inv, &o), 0);
	fclose(f);
	return text;
}

static void empty_report_says_nothing_is_loaded(void **state)
{
	struct inventory inv = {
		.own = { .nr_maps = 9, .nr_progs = 6, .bytes_real = 3 << 20,
			 .bytes_memlock = 2 << 20 },
	};
	char *text = report_text(&inv, false);
	json_object *v;

	(void)state;
	if (strncmp(text, "No BPF map or program is loaded on this machine other than bpfmem's own.", 72) ||
	    !strstr(text, "bpfmem demo") ||
	    !strstr(text, "bpfmem's own objects: 9 maps, 6 programs, 3.00 MiB real bytes, 2.00 MiB memlock (hidden; --own lists them)"))
		fail_msg("%s", text);
	free(text);
	text = report_text(&inv, true);
	v = json_tokener_parse(text);
	assert_int_equal(jget_u64(jget(v, "bpfmem_own"), "programs"), 6);
	json_object_put(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter_by_holder_name_and_use),
		cmocka_unit_test(empty_report_says_nothing_is_loaded),
		daemon_test(daemon_objects_hidden_everywhere_listed_with_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
