// SPDX-License-Identifier: GPL-2.0
/*
 * Who pays: processes in three memory cgroups, two of them nested, create
 * maps; `bpfmem cgroups` must charge each map to its creator's cgroup,
 * add up subtrees, read the cgroups' own counters, name units and
 * containers from the paths, and flag the charge of a removed cgroup whose
 * map stays pinned. The oracles are bpftool's memlock per map and the
 * cgroup files themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"
#include "base/memcg.h"

#define CONTAINER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define LIMIT (64ULL << 20)
#define PIN "/sys/fs/bpf/bpfmem_test_dying"
#define AGENT "fx-agent.service"	/* A's creator on cgroup v2 */
#define PAYER "fx-payer.service"	/* the report's payer */

enum { A, B, C, NR };

struct world {
	char root[256];		/* memory hierarchy mount */
	int v2;
	char top[128];		/* our parent cgroup, relative */
	char rel[NR][256];	/* a, a/b (nested), c */
	char home[NR][256];	/* where each creator lives now */
	struct fixture fx[NR];
	__u32 map_id[NR];
	__u32 prog_id[NR];	/* loaded by the same process */
	/* a program's cgroup is read from its slab (bpf_get_kmem_cache(),
	 * 6.13); before that bpfmem cannot tell it without the daemon */
	bool prog_memcg;
	pid_t payer;		/* start_big_map()'s child, until reaped */
};

/* v2: the cgroup's children get their own memory controller */
static int enable_memory(struct world *w, const char *rel)
{
	char path[600];

	if (!w->v2)
		return 0;
	snprintf(path, sizeof(path), "%s%s/cgroup.subtree_control", w->root, rel);
	return write_text_file(path, "+memory");
}

static int setup(void **state)
{
	static const char *const names[NR] = { "fx-web.service",
					       "fx-web.service/docker-" CONTAINER ".scope",
					       "fx-batch.slice" };
	struct world *w = calloc(1, sizeof(*w));
	struct memcg_table t;
	char path[600], limit[32];

	if (memcg_table_init(&t)) {
		print_error("no memory controller\n");
		return -1;
	}
	snprintf(w->root, sizeof(w->root), "%s", t.root);
	w->v2 = t.v2;
	w->prog_memcg = kernel_has_kfunc("bpf_get_kmem_cache");
	memcg_table_free(&t);
	*state = w;	/* the teardown removes what was made */
	snprintf(w->top, sizeof(w->top), "/bpfmem-test-%d", getpid());
	snprintf(path, sizeof(path), "%s%s", w->root, w->top);
	if (mkdir(path, 0755) || enable_memory(w, w->top))
		return -1;
	for (int i = 0; i < NR; i++) {
		char map_name[16];
		char *args[] = { "--one-map", map_name, NULL };

		snprintf(w->rel[i], sizeof(w->rel[i]), "%s/%s", w->top, names[i]);
		snprintf(path, sizeof(path), "%s%s", w->root, w->rel[i]);
		if (mkdir(path, 0755))
			return -1;
		snprintf(map_name, sizeof(map_name), "fx_cg_%d", i);
		snprintf(path, sizeof(path), "%s%s/cgroup.procs", w->root,
			 w->rel[i]);
		if (fixture_start_in(&w->fx[i], args, path))
			return -1;
		w->map_id[i] = jget_u64(json_object_array_get_idx(w->fx[i].objects, 0),
					"id");
		w->prog_id[i] = jget_u64(json_object_array_get_idx(w->fx[i].objects, 1),
					 "id");
		snprintf(w->home[i], sizeof(w->home[i]), "%s", w->rel[i]);
		/* cgroup v2 gives a memory controller only to the children of
		 * a cgroup without processes: A's map stays charged to A when
		 * its creator moves to a sibling (B is made after). */
		if (i == A && w->v2) {
			char pid[16];

			snprintf(w->home[A], sizeof(w->home[A]), "%s/%s", w->top,
				 AGENT);
			snprintf(path, sizeof(path), "%s%s", w->root, w->home[A]);
			if (mkdir(path, 0755))
				return -1;
			snprintf(path, sizeof(path), "%s%s/cgroup.procs", w->root,
				 w->home[A]);
			snprintf(pid, sizeof(pid), "%d", w->fx[A].pid);
			if (write_text_file(path, pid) || enable_memory(w, w->rel[A]))
				return -1;
		}
	}
	/* a limit on C, to read back */
	snprintf(path, sizeof(path), "%s%s/%s", w->root, w->rel[C],
		 w->v2 ? "memory.max" : "memory.limit_in_bytes");
	snprintf(limit, sizeof(limit), "%llu", LIMIT);
	if (write_text_file(path, limit))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char path[600];

	if (!w)
		return 0;
	unlink(PIN);
	if (w->payer) {
		kill(w->payer, SIGKILL);
		waitpid(w->payer, NULL, 0);
	}
	for (int i = 0; i < NR; i++)
		if (w->fx[i].pid)
			fixture_stop(&w->fx[i]);
	/* nested first */
	for (int i = NR - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s%s", w->root, w->rel[i]);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s%s/%s", w->root, w->top, AGENT);
	rmdir(path);
	snprintf(path, sizeof(path), "%s%s/%s", w->root, w->top, PAYER);
	rmdir(path);
	snprintf(path, sizeof(path), "%s%s", w->root, w->top);
	rmdir(path);
	free(w);
	return 0;
}

static json_object *find_path(json_object *arr, const char *path)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		const char *p = jget_str(c, "path");

		if (p && !strcmp(p, path))
			return c;
	}
	return NULL;
}

static __u64 bpftool_memlock_of(const char *kind, __u32 id)
{
	char idtext[16], kindtext[8];
	char *argv[] = { "bpftool", "-j", kindtext, "show", "id", idtext, NULL };
	json_object *m;
	__u64 v;

	snprintf(idtext, sizeof(idtext), "%u", id);
	snprintf(kindtext, sizeof(kindtext), "%s", kind);
	m = run_json(argv);
	v = jget_u64(m, "bytes_memlock");
	json_object_put(m);
	return v;
}

/* memlock of a cgroup's map and program (when bpfmem can place it), as
 * bpftool reads fdinfo */
static __u64 bpftool_memlock(const struct world *w, int i)
{
	return bpftool_memlock_of("map", w->map_id[i]) +
	       (w->prog_memcg ? bpftool_memlock_of("prog", w->prog_id[i]) : 0);
}

static __u64 read_counter(const struct world *w, const char *rel,
			  const char *file)
{
	char path[600], text[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/%s", w->root, rel, file);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	return strtoull(text, NULL, 10);
}

static bool has_id(json_object *arr, __u32 id)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (json_object_get_uint64(json_object_array_get_idx(arr, i)) == id)
			return true;
	return false;
}

static bool has_str(json_object *arr, const char *s)
{
	assert_true(json_object_is_type(arr, json_type_array));
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)),
			    s))
			return true;
	return false;
}

static void each_map_is_charged_to_its_creators_cgroup(void **state)
{
	struct world *w = *state;
	char *argv[] = { BPFMEM, "cgroups", "--json", NULL };
	json_object *cg = run_json(argv);
	__u64 memlock[NR];

	for (int i = 0; i < NR; i++) {
		json_object *c = find_path(cg, w->rel[i]);

		assert_non_null(c);
		memlock[i] = bpftool_memlock(w, i);
		assert_int_equal(json_object_array_length(jget(c, "maps")), 1);
		assert_true(has_id(jget(c, "maps"), w->map_id[i]));
		/* the program, charged to its loader's cgroup, found from
		 * the kernel without the daemon */
		assert_int_equal(json_object_array_length(jget(c, "progs")),
				 w->prog_memcg);
		assert_true(!w->prog_memcg ||
			    has_id(jget(c, "progs"), w->prog_id[i]));
		assert_int_equal(jget_u64(c, "bytes_memlock"), memlock[i]);
		assert_false(json_object_get_boolean(jget(c, "dying")));
	}
	/* the rollup of real bytes: the model covers these hash maps and
	 * programs, so each cgroup has its map's and program's (the figures
	 * themselves are checked against the kernel in test_accuracy) */
	{
		char *maps_argv[] = { BPFMEM, "maps", "--json", NULL };
		char *progs_argv[] = { BPFMEM, "progs", "--json", NULL };
		json_object *maps = run_json(maps_argv);
		json_object *progs = run_json(progs_argv);
		__u64 real[NR], charged[NR], root[NR];

		for (int i = 0; i < NR; i++) {
			json_object *m = json_find_id(maps, w->map_id[i]);
			json_object *p = json_find_id(progs, w->prog_id[i]);
			json_object *c = find_path(cg, w->rel[i]);

			assert_non_null(p);
			assert_true(jget_u64(p, "bytes_real") > 0);
			real[i] = jget_u64(m, "bytes_real");
			charged[i] = jget_u64(m, "bytes_real_charged");
			root[i] = jget_u64(m, "bytes_real_root");
			if (!w->prog_memcg) {
				assert_null(jget(p, "memcg"));
			} else {
				assert_string_equal(jget_str(jget(p, "memcg"),
							     "path"),
						    w->rel[i]);
				assert_false(json_object_get_boolean(
					jget(jget(p, "memcg"), "dying")));
				real[i] += jget_u64(p, "bytes_real");
				charged[i] += jget_u64(p, "bytes_real_charged");
				root[i] += jget_u64(p, "bytes_real_root");
			}
			assert_true(real[i] > 0);
			assert_int_equal(jget_u64(c, "bytes_real"), real[i]);
			/* who pays, as the objects' own split adds up */
			assert_int_equal(jget_u64(c, "bytes_real_charged"),
					 charged[i]);
			assert_int_equal(jget_u64(c, "bytes_real_root"), root[i]);
			assert_int_equal(charged[i] + root[i], real[i]);
			assert_int_equal(jget_u64(c, "not_modelled"), 0);
		}
		assert_int_equal(jget_u64(find_path(cg, w->rel[A]),
					  "bytes_real_subtree"),
				 real[A] + real[B]);
		json_object_put(maps);
		json_object_put(progs);
	}
	/* A's subtree holds B's map too */
	assert_int_equal(jget_u64(find_path(cg, w->rel[A]), "bytes_memlock_subtree"),
			 memlock[A] + memlock[B]);
	assert_int_equal(jget_u64(find_path(cg, w->rel[B]), "bytes_memlock_subtree"),
			 memlock[B]);
	json_object_put(cg);
}

static void owners_are_named_from_the_paths(void **state)
{
	struct world *w = *state;
	char *argv[] = { BPFMEM, "cgroups", "--json", NULL };
	json_object *cg = run_json(argv);
	json_object *a = find_path(cg, w->rel[A]), *b = find_path(cg, w->rel[B]);
	json_object *c = find_path(cg, w->rel[C]);

	assert_string_equal(jget_str(a, "unit"), "fx-web.service");
	assert_null(jget(a, "container"));
	assert_string_equal(jget_str(b, "unit"), "docker-" CONTAINER ".scope");
	assert_string_equal(jget_str(jget(b, "container"), "id"), CONTAINER);
	assert_string_equal(jget_str(jget(b, "container"), "runtime"), "docker");
	assert_string_equal(jget_str(c, "unit"), "fx-batch.slice");
	json_object_put(cg);
}

/* Each fixture holds its map and program: the holder's memory cgroup is
 * the one the kernel names for the process, and its unit and container
 * come from that path. */
static void holders_carry_their_cgroup_and_unit(void **state)
{
	struct world *w = *state;
	char *argv[] = { BPFMEM, "--bpffs", "maps", "--json", NULL };
	char *pargv[] = { BPFMEM, "--bpffs", "progs", "--json", NULL };
	json_object *maps = run_json(argv), *progs = run_json(pargv);

	for (int i = 0; i < NR; i++) {
		json_object *objs[2] = {
			json_find_id(maps, w->map_id[i]),
			json_find_id(progs, w->prog_id[i]),
		};
		/* the kernel's own word for the process's cgroup */
		char *kernel = proc_memcg_path(w->fx[i].pid);
		char home[600];
		struct stat st;
		__u64 home_id;

		/* a cgroup's id is its directory's inode number */
		snprintf(home, sizeof(home), "%s%s", w->root, w->home[i]);
		assert_int_equal(stat(home, &st), 0);
		home_id = st.st_ino;
		assert_non_null(kernel);
		assert_string_equal(kernel, w->home[i]);
		for (int k = 0; k < 2; k++) {
			json_object *pids, *h = NULL;

			assert_non_null(objs[k]);
			pids = jget(objs[k], "pids");
			for (size_t j = 0; j < json_object_array_length(pids); j++)
				if (jget_u64(json_object_array_get_idx(pids, j),
					     "pid") == (__u64)w->fx[i].pid)
					h = json_object_array_get_idx(pids, j);
			assert_non_null(h);
			/* held by the fixture, pinned nowhere */
			assert_false(json_object_get_boolean(jget(objs[k], "orphan")));
			assert_true(has_str(jget(objs[k], "kept_by"), "processes"));
			assert_false(has_str(jget(objs[k], "kept_by"), "pins"));
			assert_string_equal(jget_str(jget(h, "memcg"), "path"),
					    kernel);
			assert_int_equal(jget_u64(jget(h, "memcg"), "id"),
					 home_id);
			assert_string_equal(jget_str(h, "unit"),
					    i == B ? "docker-" CONTAINER ".scope" :
					    strrchr(w->home[i], '/') + 1);
			if (i == B)
				assert_string_equal(jget_str(jget(h, "container"),
							     "id"),
						    CONTAINER);
			else
				assert_null(jget(h, "container"));
		}
		free(kernel);
	}
	json_object_put(maps);
	json_object_put(progs);
}

static void cgroup_counters_are_the_cgroups_own(void **state)
{
	struct world *w = *state;
	char *argv[] = { BPFMEM, "cgroups", "--json", NULL };
	json_object *cg = run_json(argv);
	json_object *c = find_path(cg, w->rel[C]);
	__u64 usage = read_counter(w, w->rel[C], w->v2 ? "memory.current" :
							 "memory.usage_in_bytes");

	assert_int_equal(jget_u64(c, "limit_bytes"), LIMIT);
	/* no limit is null, not a huge number */
	assert_null(jget(find_path(cg, w->rel[A]), "limit_bytes"));
	/* usage moves a little between the two reads; the fixture is idle */
	assert_true(jget_u64(c, "usage_bytes") <= usage + 65536 &&
		    jget_u64(c, "usage_bytes") + 65536 >= usage);
	if (!w->v2) {
		__u64 kmem = read_counter(w, w->rel[C],
					  "memory.kmem.usage_in_bytes");

		assert_true(jget_u64(c, "kmem_bytes") <= kmem + 65536 &&
			    jget_u64(c, "kmem_bytes") + 65536 >= kmem);
	}
	json_object_put(cg);
}

static void tree_adds_the_cgroups_in_between(void **state)
{
	struct world *w = *state;
	char *argv[] = { BPFMEM, "cgroups", "--json", "--tree", NULL };
	json_object *cg = run_json(argv);
	json_object *top = find_path(cg, w->top);
	__u64 total = 0;

	for (int i = 0; i < NR; i++)
		total += bpftool_memlock(w, i);
	assert_non_null(top);
	assert_int_equal(jget_u64(top, "bytes_memlock"), 0);
	assert_int_equal(jget_u64(top, "bytes_memlock_subtree"), total);
	assert_non_null(find_path(cg, "/"));
	json_object_put(cg);
}

static void removed_cgroup_with_a_pinned_map_is_dying(void **state)
{
	struct world *w = *state;
	char *cgroups[] = { BPFMEM, "cgroups", "--json", "--dying", NULL };
	char *maps[] = { BPFMEM, "--bpffs", "maps", "--json", NULL };
	json_object *cg, *m, *map;
	char path[600];
	bool found = false;
	int fd;

	fd = bpf_map_get_fd_by_id(w->map_id[C]);
	assert_true(fd >= 0);
	unlink(PIN);
	assert_int_equal(bpf_obj_pin(fd, PIN), 0);
	close(fd);
	assert_int_equal(fixture_stop(&w->fx[C]), 0);
	w->fx[C].pid = 0;
	snprintf(path, sizeof(path), "%s%s", w->root, w->rel[C]);
	assert_int_equal(rmdir(path), 0);

	m = run_json(maps);
	map = json_find_id(m, w->map_id[C]);
	assert_non_null(map);
	assert_true(json_object_get_boolean(jget(jget(map, "memcg"), "dying")));
	assert_true(json_object_get_boolean(jget(map, "orphan")));
	/* only its pin keeps it, and the programs that use it if any */
	assert_true(has_str(jget(map, "kept_by"), "pins"));
	assert_false(has_str(jget(map, "kept_by"), "processes"));
	assert_int_equal(has_str(jget(map, "kept_by"), "programs"),
			 json_object_array_length(jget(map, "prog_ids")) > 0);
	assert_true(has_str(jget(map, "pinned"), PIN));

	cg = run_json(cgroups);
	for (size_t i = 0; i < json_object_array_length(cg); i++) {
		json_object *c = json_object_array_get_idx(cg, i);

		assert_true(json_object_get_boolean(jget(c, "dying")));
		found |= has_id(jget(c, "maps"), w->map_id[C]);
	}
	assert_true(found);
	json_object_put(cg);
	json_object_put(m);
}

/* A cgroup of its own below ours. */
struct leaf {
	char rel[300];		/* relative to the hierarchy's root */
	char path[700];
	char procs[720];	/* its cgroup.procs */
};

static void leaf_make(const struct world *w, const char *name, struct leaf *l)
{
	snprintf(l->rel, sizeof(l->rel), "%s/%s", w->top, name);
	snprintf(l->path, sizeof(l->path), "%s%s", w->root, l->rel);
	snprintf(l->procs, sizeof(l->procs), "%s/cgroup.procs", l->path);
	assert_int_equal(mkdir(l->path, 0755), 0);
}

/* A child that joins the cgroup of procs, creates a 64 MiB array there
 * (larger than any other agent's here, so among the report's first
 * payers), tells its id on *id and holds it until *release is closed.
 * It keeps no other file open: not the fixtures' stdin, nor the test's
 * output, which the runner reads to the end. */
static pid_t start_big_map(const char *procs, __u32 *id, int *release)
{
	int up[2], down[2];
	pid_t pid;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		char c;
		int fd;

		if (dup2(down[0], 0) < 0 || dup2(up[1], 1) < 0 ||
		    dup2(open("/dev/null", O_WRONLY), 2) < 0 ||
		    close_range(3, ~0U, 0))
			_exit(1);
		if (write_text_file(procs, "0"))
			_exit(1);
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fx_payer", 4, 65536,
				    1024, NULL);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    write(1, &info.id, sizeof(info.id)) != sizeof(info.id))
			_exit(1);
		while (read(0, &c, 1) > 0)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], id, sizeof(*id)), sizeof(*id));
	close(up[0]);
	*release = down[1];
	return pid;
}

static bool has_line_with(const char *text, const char *a, const char *b)
{
	for (const char *line = text; line; line = strchr(line, '\n')) {
		const char *end = strchr(++line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		if (strstr(buf, a) && strstr(buf, b))
			return true;
	}
	return false;
}

/* The report's "Who pays" names the memory cgroup a process created a
 * map in, with its unit, its map and the map's real bytes and memlock
 * (bpftool's). */
static void report_names_the_cgroup_that_pays(void **state)
{
	struct world *w = *state;
	struct leaf l;
	char *json_argv[] = { BPFMEM, "--no-daemon", "report", "--json", NULL };
	char *text_argv[] = { BPFMEM, "--no-daemon", "report", NULL };
	char *maps_argv[] = { BPFMEM, "--no-daemon", "maps", "--json", NULL };
	json_object *report, *maps, *payer, *map;
	char *text = NULL;
	int release, status;
	__u32 id;
	pid_t pid;

	leaf_make(w, PAYER, &l);
	pid = start_big_map(l.procs, &id, &release);
	w->payer = pid;	/* the teardown kills it if a check fails */

	report = run_json(json_argv);
	maps = run_json(maps_argv);
	assert_int_equal(run_capture(text_argv, &text, NULL), 0);
	payer = find_path(jget(report, "payers"), l.rel);
	map = json_find_id(maps, id);
	assert_non_null(map);
	if (!payer)
		print_error("%s not among the payers: %s\n", l.rel,
			    json_object_to_json_string(jget(report, "payers")));
	assert_non_null(payer);
	assert_string_equal(jget_str(payer, "unit"), PAYER);
	assert_int_equal(json_object_array_length(jget(payer, "maps")), 1);
	assert_true(has_id(jget(payer, "maps"), id));
	assert_true(jget_u64(map, "bytes_real") >= 64ULL << 20);
	assert_int_equal(jget_u64(payer, "bytes_real"),
			 jget_u64(map, "bytes_real"));
	assert_int_equal(jget_u64(payer, "bytes_memlock"),
			 bpftool_memlock_of("map", id));
	/* the text names it too, with its unit */
	if (!has_line_with(text, l.rel, PAYER))
		print_error("no payer line for %s in:\n%s\n", l.rel, text);
	assert_true(has_line_with(text, l.rel, PAYER));
	free(text);
	json_object_put(maps);
	json_object_put(report);
	close(release);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	w->payer = 0;
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	/* the map is freed after an RCU grace period, the cgroup with it */
	for (int try = 0; try < 50 && rmdir(l.path); try++)
		usleep(100000);
	assert_int_equal(access(l.path, F_OK), -1);
}

/* Through the daemon, a removed cgroup's charges name the path the daemon
 * saw it alive at, which the kernel no longer knows. */
static void daemon_remembers_the_path_of_a_removed_cgroup(void **state)
{
	static const char pin[] = "/sys/fs/bpf/bpfmem_test_gone";
	struct world *w = *state;
	struct daemon d;
	struct fixture fx;
	struct leaf l;
	char *args[] = { "--one-map", "fx_cg_gone", NULL };
	char *cgroups[] = { BPFMEM, "--socket", d.sock, "cgroups", "--json",
			    "--dying", NULL };
	char *maps[] = { BPFMEM, "--socket", d.sock, "maps", "--json", NULL };
	json_object *cg, *m, *map;
	bool found = false;
	__u32 id;
	int fd;

	leaf_make(w, "fx-gone.scope", &l);
	daemon_start(&d, "[daemon]\ninterval = 200ms\n");
	assert_int_equal(fixture_start_in(&fx, args, l.procs), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	wait_samples(&d, 2);	/* the daemon samples it alive */
	fd = bpf_map_get_fd_by_id(id);
	assert_true(fd >= 0);
	unlink(pin);
	assert_int_equal(bpf_obj_pin(fd, pin), 0);
	close(fd);
	assert_int_equal(fixture_stop(&fx), 0);
	assert_int_equal(rmdir(l.path), 0);
	wait_samples(&d, 2);	/* and removed */

	m = run_json(maps);
	map = json_find_id(m, id);
	assert_non_null(map);
	assert_true(json_object_get_boolean(jget(jget(map, "memcg"), "dying")));
	assert_string_equal(jget_str(jget(map, "memcg"), "path_seen"), l.rel);
	cg = run_json(cgroups);
	for (size_t i = 0; i < json_object_array_length(cg); i++) {
		json_object *c = json_object_array_get_idx(cg, i);
		json_object *removed = jget(c, "removed_paths");

		assert_true(json_object_get_boolean(jget(c, "dying")));
		if (!has_id(jget(c, "maps"), id))
			continue;
		found = true;
		assert_int_equal(json_object_array_length(removed), 1);
		assert_string_equal(json_object_get_string(
			json_object_array_get_idx(removed, 0)), l.rel);
	}
	assert_true(found);
	json_object_put(cg);
	json_object_put(m);
	unlink(pin);
	assert_int_equal(daemon_stop(&d), 0);
}

/* Through the daemon, objects created while its hooks run name their
 * creator: the process, its user, its memory cgroup and unit, the time;
 * objects older than the daemon have none. */
static void daemon_names_the_creators(void **state)
{
	struct world *w = *state;
	struct daemon d;
	struct fixture fx;
	char rel[300], procs[700];
	char *args[] = { "--one-map", "fx_cg_new", NULL };
	char *maps[] = { BPFMEM, "--socket", d.sock, "maps", "--json", NULL };
	char *progs[] = { BPFMEM, "--socket", d.sock, "progs", "--json", NULL };
	char conf[128];
	json_object *m, *p;
	__u32 ids[2];
	time_t t0, t1;

	/* the default where fentry attaches, else the opt-in tracepoints */
	snprintf(conf, sizeof(conf), "[daemon]\ninterval = 200ms\n%s",
		 lifecycle_config());
	daemon_start(&d, conf);
	/* a leaf of its own (on cgroup v2 A holds no process, C is gone) */
	snprintf(rel, sizeof(rel), "%s/fx-jobs.service", w->top);
	snprintf(procs, sizeof(procs), "%s%s", w->root, rel);
	assert_int_equal(mkdir(procs, 0755), 0);
	strcat(procs, "/cgroup.procs");
	t0 = time(NULL);
	assert_int_equal(fixture_start_in(&fx, args, procs), 0);
	t1 = time(NULL);
	for (int k = 0; k < 2; k++)
		ids[k] = jget_u64(json_object_array_get_idx(fx.objects, k), "id");
	wait_samples(&d, 2);
	m = run_json(maps);
	p = run_json(progs);
	for (int k = 0; k < 2; k++) {
		json_object *o = json_find_id(k ? p : m, ids[k]);
		json_object *c = jget(o, "creator");
		__u64 at = jget_u64(c, "created_at");

		assert_non_null(o);
		assert_non_null(c);
		assert_int_equal(jget_u64(c, "tgid"), fx.pid);
		assert_int_equal(jget_u64(c, "pid"), fx.pid);
		assert_string_equal(jget_str(c, "comm"), "mkobjs");
		assert_int_equal(jget_u64(c, "uid"), getuid());
		assert_true(at + 1 >= (__u64)t0 && at <= (__u64)t1 + 1);
		if (!jget_str(jget(c, "memcg"), "path"))
			print_error("%s's creator has no memcg path: %s\n",
				    k ? "program" : "map",
				    json_object_to_json_string(c));
		assert_non_null(jget_str(jget(c, "memcg"), "path"));
		assert_string_equal(jget_str(jget(c, "memcg"), "path"), rel);
		assert_string_equal(jget_str(c, "unit"), "fx-jobs.service");
	}
	/* created before the daemon started: null, present */
	for (int k = 0; k < 2; k++) {
		json_object *o = json_find_id(k ? p : m,
					      k ? w->prog_id[B] : w->map_id[B]);
		json_object *c = NULL;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "creator", &c));
		assert_null(c);
	}
	json_object_put(m);
	json_object_put(p);
	assert_int_equal(fixture_stop(&fx), 0);
	assert_int_equal(daemon_stop(&d), 0);
	/* its map is freed after an RCU grace period; the dying cgroup
	 * goes with it */
	snprintf(procs, sizeof(procs), "%s%s", w->root, rel);
	assert_int_equal(rmdir(procs), 0);
}

/* Waits for the next sample that read want ("all", "counters",
 * "changed_maps"); fails after 300 samples. How many samples that read
 * something else came first. */
static int sample_until(int sub, const char *want)
{
	for (int i = 0; i < 300; i++) {
		json_object *s = next_sample(sub);
		bool got = !strcmp(jget_str(s, "read"), want);

		json_object_put(s);
		if (got)
			return i;
	}
	fail_msg("no sample that read %s in 300", want);
	return -1;
}

/* A child in the cgroup of procs that faults in bytes of anonymous
 * memory (charged to that cgroup), says so on *up and holds it until
 * killed. Like start_big_map(), it keeps no other file open. */
static pid_t start_hog(const char *procs, size_t bytes, int *up)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (dup2(p[1], 1) < 0 ||
		    dup2(open("/dev/null", O_WRONLY), 2) < 0 ||
		    close_range(3, ~0U, 0) || write_text_file(procs, "0") ||
		    mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
			 0) == MAP_FAILED ||
		    write(1, "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	*up = p[0];
	return pid;
}

static __u64 daemon_usage(const struct daemon *d, const char *rel)
{
	char *argv[] = { BPFMEM, "--socket", (char *)d->sock, "cgroups",
			 "--json", NULL };
	json_object *cg = run_json(argv), *c = find_path(cg, rel);
	__u64 usage;

	assert_non_null(c);
	usage = jget_u64(c, "usage_bytes");
	json_object_put(cg);
	return usage;
}

/* bpfmemd's JSON of map id, to put; NULL when it lists none. */
static json_object *daemon_map_or_null(const struct daemon *d, __u32 id)
{
	char *argv[] = { BPFMEM, "--socket", (char *)d->sock, "maps", "--json",
			 NULL };
	json_object *maps = run_json(argv), *m = json_find_id(maps, id);

	if (m)
		json_object_get(m);
	json_object_put(maps);
	return m;
}

static json_object *daemon_map(const struct daemon *d, __u32 id)
{
	json_object *m = daemon_map_or_null(d, id);

	assert_non_null(m);
	return m;
}

static const char *daemon_map_path(const struct daemon *d, __u32 id)
{
	static char path[300];
	json_object *m = daemon_map(d, id);

	snprintf(path, sizeof(path), "%s",
		 jget_str(jget(m, "memcg"), "path") ?: "");
	json_object_put(m);
	return path;
}

/* Waits, up to 50 samples, for the daemon to show map id with elements,
 * and its memlock then to be bpftool's; true if the sample before was one
 * that read the changed maps alone (changed_maps; another process's new
 * object on the machine would make it read all). */
static bool wait_elements(const struct daemon *d, int sub, __u32 id,
			  __u64 elements)
{
	for (int i = 0; i < 50; i++) {
		json_object *s = next_sample(sub), *m = daemon_map(d, id);
		bool patched = !strcmp(jget_str(s, "read"), "changed_maps");
		bool done = jget_u64(m, "elements") == elements;

		if (done)
			assert_int_equal(jget_u64(m, "bytes_memlock"),
					 bpftool_memlock_of("map", id));
		json_object_put(m);
		json_object_put(s);
		if (done)
			return patched;
	}
	fail_msg("map %u never showed %llu elements", id,
		 (unsigned long long)elements);
	return false;
}

/*
 * While no object changes, bpfmemd's samples read only the memory
 * cgroups' counters ("counters"): a cgroup's usage still follows its
 * processes at every sample. A cgroup renamed (cgroup v1 allows it) and
 * a new map each make the next sample read everything, although the
 * walks are trusted for an hour; a map's elements, only that map.
 */
static void daemon_counters_follow_while_objects_rest(void **state)
{
	struct world *w = *state;
	struct daemon d;
	struct fixture fx;
	struct leaf l;
	char *args[] = { "--one-map", "fx_cg_idle", NULL };
	char renamed[700], rel[320];
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key;
	__u64 before, after = 0, value = 0;
	json_object *late = NULL;
	bool counted = false, patched;
	const char *path = "";
	int sub, up, fd;
	__u32 id;
	pid_t hog;

	leaf_make(w, "fx-idle.scope", &l);
	assert_int_equal(fixture_start_in(&fx, args, l.procs), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	daemon_start(&d, "[daemon]\ninterval = 100ms\nsnapshot_every = 0\n"
			 "walk_interval = 1h\n");
	sub = conn(&d);
	json_object_put(ask_ok(sub, "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}",
			       "subscribe"));
	sample_until(sub, "counters");
	before = daemon_usage(&d, l.rel);

	hog = start_hog(l.procs, 32u << 20, &up);
	w->payer = hog;	/* the teardown kills it if a check fails */
	/* the ledger asked is a counters-only sample's when the samples
	 * just before and just after the question both read counters */
	for (int i = 0; i < 100 && !(counted && after >= before + (30u << 20));
	     i++) {
		sample_until(sub, "counters");
		after = daemon_usage(&d, l.rel);
		counted = !sample_until(sub, "counters");
	}
	assert_true(counted);
	print_message("# %s: usage %llu, then %llu with 32 MiB touched, from counters-only samples\n",
		      l.rel, (unsigned long long)before,
		      (unsigned long long)after);
	assert_true(after >= before + (30u << 20));
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	w->payer = 0;
	close(up);

	/* cgroup v2 refuses to rename a cgroup */
	snprintf(renamed, sizeof(renamed), "%.600s-renamed", l.path);
	if (!rename(l.path, renamed)) {
		snprintf(rel, sizeof(rel), "%.300s-renamed", l.rel);
		for (int i = 0; i < 20 && strcmp(path, rel); i++) {
			sample_until(sub, "counters");
			path = daemon_map_path(&d, id);
		}
		assert_string_equal(path, rel);
		snprintf(l.path, sizeof(l.path), "%s", renamed);
	} else {
		assert_true(w->v2);
	}

	/* a new map: everything; then its elements: that map */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fx_cg_late", 4, 8, 16, &opts);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	for (int i = 0; i < 20 && !late; i++) {
		sample_until(sub, "all");
		late = daemon_map_or_null(&d, info.id);
	}
	assert_non_null(late);
	json_object_put(late);
	sample_until(sub, "counters");
	for (__u32 k = 0; k < 3; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &value, BPF_ANY), 0);
	patched = wait_elements(&d, sub, info.id, 3);
	key = 1;
	assert_int_equal(bpf_map_delete_elem(fd, &key), 0);
	patched |= wait_elements(&d, sub, info.id, 2);
	assert_true(patched);
	close(fd);
	close(sub);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
	for (int try = 0; try < 50 && rmdir(l.path); try++)
		usleep(100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_map_is_charged_to_its_creators_cgroup),
		cmocka_unit_test(owners_are_named_from_the_paths),
		cmocka_unit_test(holders_carry_their_cgroup_and_unit),
		cmocka_unit_test(cgroup_counters_are_the_cgroups_own),
		cmocka_unit_test(tree_adds_the_cgroups_in_between),
		cmocka_unit_test(removed_cgroup_with_a_pinned_map_is_dying),
		cmocka_unit_test(report_names_the_cgroup_that_pays),
		cmocka_unit_test(daemon_remembers_the_path_of_a_removed_cgroup),
		cmocka_unit_test(daemon_counters_follow_while_objects_rest),
		/* last: its map is freed after the others have counted */
		cmocka_unit_test(daemon_names_the_creators),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("cgroups", tests, setup, teardown);
}
