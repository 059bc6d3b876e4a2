// SPDX-License-Identifier: GPL-2.0
/*
 * The collector as the daemon will use it: kept alive across collections,
 * it must never keep anybody's map alive, and its memlock cache must follow
 * the kernel's figure when a map's contents change.
 */
#include <dirent.h>
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
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "collect/collector.h"
#include "base/fdinfo.h"
#include "helpers.h"
#include "pipeline/pipeline.h"

#define CACHE_PATH "/tmp/bpfmem-test-memlock.cache"

static const struct map_info *find_map(const struct inventory *inv, __u32 id)
{
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (inv->maps[i].rec.id == id)
			return &inv->maps[i];
	return NULL;
}

static struct collector *open_collector(const struct collector_opts *opts)
{
	struct collector *c = NULL;
	char msg[256];
	int code;

	if (collector_new(opts, &c, msg, sizeof(msg), &code)) {
		print_error("collector_new: %s\n", msg);
		fail();
	}
	return c;
}

static struct collector *new_collector(const char *cache)
{
	struct collector_opts opts = { .iters = ITER_ALL,
				       .cache_path = cache };

	return open_collector(&opts);
}

/* Runs bpfmem over and over until killed: the command line racing with
 * the creator's exit. */
static pid_t start_cli_loop(void)
{
	pid_t pid = fork();

	if (!pid) {
		char *argv[] = { BPFMEM, "maps", "--json", NULL };

		for (;;)
			if (run_capture(argv, NULL, NULL))
				_exit(1);
	}
	return pid;
}

static void map_is_freed_when_its_creator_exits(void **state)
{
	static char *args[] = { "--one-map", "fx_lifecycle", NULL };
	struct collector *c = new_collector(NULL);
	struct inventory inv;
	struct fixture fx;
	const struct map_info *m;
	struct timespec t0, t1;
	pid_t loop;
	__u32 id;
	int fd;

	(void)state;
	/* started first: a forked child would inherit the fixture's stdin */
	loop = start_cli_loop();
	assert_int_equal(fixture_start(&fx, args), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	assert_true(id > 0);

	assert_int_equal(pipeline_collect(c, &inv), 0);
	m = find_map(&inv, id);
	assert_non_null(m);
	assert_int_equal(m->holders.count, 1);
	assert_int_equal(inventory_holders(&inv, m->holders)[0].pid, fx.pid);
	inventory_free(&inv);

	/* The creator was the only holder: its exit must free the map at
	 * once, although the collector and the command line are running. */
	assert_int_equal(fixture_stop(&fx), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			break;
		close(fd);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > 2) {
			print_error("map %u still exists 2 s after its creator exited\n",
				    id);
			fail();
		}
		usleep(1000);
	}
	assert_int_equal(errno, ENOENT);

	assert_int_equal(pipeline_collect(c, &inv), 0);
	assert_null(find_map(&inv, id));
	inventory_free(&inv);
	kill(loop, SIGKILL);
	waitpid(loop, NULL, 0);
	collector_free(c);
}

static __u64 fdinfo_memlock(__u32 id)
{
	char text[1024];
	__u64 v = 0;
	int fd = bpf_map_get_fd_by_id(id);

	assert_true(fd >= 0);
	assert_true(fdinfo_read(fd, text, sizeof(text)) > 0);
	close(fd);
	assert_int_equal(fdinfo_parse_u64(text, "memlock", &v), 0);
	return v;
}

static void cached_memlock_follows_the_kernel(void **state)
{
	struct collector *c;
	struct inventory inv;
	const struct map_info *m;
	__u64 before, slack = elem_count_slack();
	int fd;

	(void)state;
	unlink(CACHE_PATH);
	c = new_collector(CACHE_PATH);
	/* no-prealloc hash: memlock grows with the element count */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fx_cache", 4, 64, 4096,
			    &(struct bpf_map_create_opts){
				    .sz = sizeof(struct bpf_map_create_opts),
				    .map_flags = BPF_F_NO_PREALLOC });
	assert_true(fd >= 0);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);

	assert_int_equal(pipeline_collect(c, &inv), 0);
	m = find_map(&inv, info.id);
	assert_non_null(m);
	before = m->bytes_memlock;
	assert_int_equal(before, fdinfo_memlock(info.id));
	inventory_free(&inv);

	for (__u32 k = 0; k < 1000; k++) {
		char value[64] = { 1 };

		assert_int_equal(bpf_map_update_elem(fd, &k, value, BPF_ANY), 0);
	}
	/* a fresh collector reads the cache file the first one wrote */
	collector_free(c);
	c = new_collector(CACHE_PATH);
	assert_int_equal(pipeline_collect(c, &inv), 0);
	m = find_map(&inv, info.id);
	assert_non_null(m);
	assert_true(m->rec.elements + slack >= 1000 &&
		    m->rec.elements <= 1000 + slack);
	/* memlock counts elements since map_mem_usage (commit 90a5527d7686,
	 * 6.4); before, it is the same formula of max_entries throughout */
	if (kernel_struct_has("bpf_map_ops", "map_mem_usage"))
		assert_true(m->bytes_memlock > before);
	else
		assert_int_equal(m->bytes_memlock, before);
	assert_int_equal(m->bytes_memlock, fdinfo_memlock(info.id));
	inventory_free(&inv);

	for (__u32 k = 0; k < 600; k++)
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	assert_int_equal(pipeline_collect(c, &inv), 0);
	m = find_map(&inv, info.id);
	assert_true(m->rec.elements + slack >= 400 &&
		    m->rec.elements <= 400 + slack);
	assert_int_equal(m->bytes_memlock, fdinfo_memlock(info.id));
	inventory_free(&inv);

	close(fd);
	collector_free(c);
	unlink(CACHE_PATH);
}

static __u32 map_info_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* The daemon walks bpffs every sample and remembers what each pinned file
 * holds; a path pinned anew must show its new map. */
static void pins_follow_a_path_pinned_anew(void **state)
{
	struct collector_opts opts = { .iters = ITER_BIT(ITER_MAPS),
				       .pins = true };
	const char *path = "/sys/fs/bpf/bpfmem_test_repin";
	struct collector *c = NULL;
	struct inventory inv;
	const struct map_info *m;
	char msg[256];
	int code, a, b;

	(void)state;
	assert_int_equal(collector_new(&opts, &c, msg, sizeof(msg), &code), 0);
	a = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fx_pin_a", 4, 8, 1, NULL);
	b = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fx_pin_b", 4, 8, 1, NULL);
	assert_true(a >= 0 && b >= 0);
	unlink(path);
	for (int round = 0; round < 3; round++) {
		int fd = round == 2 ? b : a;

		if (round != 1) {
			unlink(path);
			assert_int_equal(bpf_obj_pin(fd, path), 0);
		}
		assert_int_equal(pipeline_collect(c, &inv), 0);
		m = find_map(&inv, map_info_id(fd));
		assert_non_null(m);
		assert_int_equal(m->pins.count, 1);
		assert_string_equal(inv.pins[m->pins.first].path, path);
		m = find_map(&inv, map_info_id(fd == a ? b : a));
		assert_int_equal(m->pins.count, 0);
		inventory_free(&inv);
	}
	unlink(path);
	close(a);
	close(b);
	collector_free(c);
}

/* Removes root/name/ * and root/name, or every directory in root and
 * root itself (name NULL). */
static void remove_pin_dir(const char *root, const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", root, name ? name : "");
	assert_int_equal(system(cmd), 0);
	if (!name)
		rmdir(root);
}

static void set_mtime(const char *path, time_t when)
{
	struct timespec ts[2] = { { .tv_sec = when }, { .tv_sec = when } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* A map of the test's own, held by it: a quiet machine (the VM) has no
 * other object for a collection to find. Its id. */
static __u32 own_map(int *fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	*fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fx_pins_held", 4, 8, 1,
			     NULL);
	assert_true(*fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(*fd, &info, &len), 0);
	return info.id;
}

static bool has_map(const struct inventory *inv, __u32 id)
{
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (inv->maps[i].rec.id == id)
			return true;
	return false;
}

/*
 * Pinned iterators of several builds in use side by side: a warm run
 * keeps another build's recently used pins, removes those unused for ten
 * minutes, marks its own used, and holds its pins from the start, so a
 * concurrent run unpinning them meanwhile does not fail the collection.
 */
static void pins_of_builds_in_use_are_kept(void **state)
{
	char root[64], old[128], recent[128], own[384] = "";
	__u32 id;
	int fd;
	struct collector_opts opts = { .iters = ITER_ALL };
	struct collector *c = NULL;
	struct inventory inv;
	struct stat st;
	char msg[256];
	int code;
	DIR *d;
	struct dirent *e;

	(void)state;
	snprintf(root, sizeof(root), "/sys/fs/bpf/bpfmem-test-%d", getpid());
	opts.pin_root = root;
	/* cold: loads and pins */
	assert_int_equal(collector_new(&opts, &c, msg, sizeof(msg), &code), 0);
	assert_false(collector_features(c)->pinned_iterators);
	collector_free(c);
	d = opendir(root);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(own, sizeof(own), "%s/%s", root, e->d_name);
	closedir(d);
	assert_true(own[0]);
	snprintf(old, sizeof(old), "%s/0000000000000old", root);
	snprintf(recent, sizeof(recent), "%s/000000000recent", root);
	assert_int_equal(mkdir(old, 0700), 0);
	assert_int_equal(mkdir(recent, 0700), 0);
	set_mtime(old, time(NULL) - 3600);
	set_mtime(recent, time(NULL) - 60);
	set_mtime(own, time(NULL) - 3600);

	/* warm */
	assert_int_equal(collector_new(&opts, &c, msg, sizeof(msg), &code), 0);
	assert_true(collector_features(c)->pinned_iterators);
	assert_int_equal(stat(old, &st), -1);
	assert_int_equal(stat(recent, &st), 0);
	assert_int_equal(stat(own, &st), 0);
	assert_true(st.st_mtime > time(NULL) - 60);
	/* another run unpins them all: this one still reads its iterators */
	id = own_map(&fd);
	remove_pin_dir(root, strrchr(own, '/') + 1);
	assert_int_equal(pipeline_collect(c, &inv), 0);
	assert_true(has_map(&inv, id));
	close(fd);
	inventory_free(&inv);
	collector_free(c);
	remove_pin_dir(root, NULL);
}

static struct collector *pinning_collector(const char *root)
{
	struct collector_opts opts = { .iters = ITER_ALL, .pin_root = root,
				       .own_pin_root = root };

	return open_collector(&opts);
}

/* The programs behind the links pinned in root's one build directory,
 * by bpftool. */
static void pinned_prog_ids(const char *root, struct own_pinned *own)
{
	static const char *const names[] = { "maps", "progs", "fds", "links",
					     "memcgs" };
	char path[300], dir[200];
	char *argv[] = { "bpftool", "-j", "link", "show", "pinned", path,
			 NULL };
	FILE *ls;

	snprintf(path, sizeof(path), "ls -d %s/*", root);
	ls = popen(path, "r");
	assert_non_null(ls);
	assert_non_null(fgets(dir, sizeof(dir), ls));
	pclose(ls);
	dir[strcspn(dir, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		json_object *l;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		/* the iterators this kernel has, as in src/collect/iterators.c */
		if (access(path, F_OK))
			continue;
		l = run_json(argv);
		own->progs[own->nr_progs++] = jget_u64(l, "prog_id");
		json_object_put(l);
	}
}

/* A collector using the iterators an earlier one pinned holds them: when
 * the pins go meanwhile (a run of another build of bpfmem removes them),
 * it still collects, and still leaves out their programs. */
static void pinned_iterators_removed_meanwhile_still_work(void **state)
{
	char root[64], rm[96];
	struct own_pinned own = {};
	__u32 id;
	int fd;
	struct collector *c;
	struct inventory inv;

	(void)state;
	snprintf(root, sizeof(root), "/sys/fs/bpf/bpfmem-test-%d", getpid());
	snprintf(rm, sizeof(rm), "rm -rf %s", root);
	collector_free(pinning_collector(root));	/* pins them */
	c = pinning_collector(root);
	assert_true(collector_features(c)->pinned_iterators);
	pinned_prog_ids(root, &own);
	id = own_map(&fd);
	assert_int_equal(system(rm), 0);
	assert_int_equal(pipeline_collect(c, &inv), 0);
	assert_true(has_map(&inv, id));
	close(fd);
	for (size_t i = 0; i < inv.nr_progs; i++)
		assert_false(own_pinned_has(&own, false, inv.progs[i].rec.id));
	inventory_free(&inv);
	collector_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_is_freed_when_its_creator_exits),
		cmocka_unit_test(cached_memlock_follows_the_kernel),
		cmocka_unit_test(pins_follow_a_path_pinned_anew),
		cmocka_unit_test(pins_of_builds_in_use_are_kept),
		cmocka_unit_test(pinned_iterators_removed_meanwhile_still_work),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("collector", tests, NULL, NULL);
}
