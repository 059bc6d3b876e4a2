// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collector.h"
#include "inventory.skel.h"
#include "inventory_id.h"
#include "base/log.h"
#include "collect/machine.h"
#include "collect/memlock.h"
#include "collect/own_filter.h"
#include "collect/own_ids.h"
#include "collect/pins.h"
#include "collect/probe.h"
#include "base/array_sort.h"

/* Records the memory cgroup iterator can hold: room for the hierarchy to
 * double from now, at least this many. Cgroups beyond it are read from
 * files. */
#define MEMCG_MIN_SLOTS 256

static __u32 memcg_slots(void)
{
	struct memcg_table t;
	__u32 slots = MEMCG_MIN_SLOTS;

	if (!memcg_table_init(&t)) {
		while (slots < 2 * memcg_count(&t))
			slots *= 2;
		memcg_table_free(&t);
	}
	return slots;
}

/* Names of the memory cgroup iterator's maps in the pin directory. */
static const char *const memcg_map_pin_names[] = { "memcg_out", "memcg_count" };

static const char *const iter_pin_names[NR_ITERS] = {
	[ITER_MAPS] = "maps",
	[ITER_PROGS] = "progs",
	[ITER_FDS] = "fds",
	[ITER_LINKS] = "links",
	[ITER_MEMCGS] = "memcgs",
};

/* what each iterator needs from the kernel */
static const enum feature_id iter_features[NR_ITERS] = {
	[ITER_MAPS] = FEAT_ITER_MAP,
	[ITER_PROGS] = FEAT_ITER_PROG,
	[ITER_FDS] = FEAT_ITER_TASK_FILE,
	[ITER_LINKS] = FEAT_ITER_LINK,
	[ITER_MEMCGS] = FEAT_ITER_CGROUP,
};

/* the kinds whose new ids make bpfmemd walk holders again: maps, programs,
 * links */
#define NR_HOLDER_KINDS 3

struct collector {
	struct collector_opts opts;
	struct features features;
	struct inventory_bpf *skel;
	struct bpf_link *links[NR_ITERS];
	/* pinned iterator files of this build, when reused or created */
	char pin_dir[PATH_MAX / 2];
	/* the links an earlier run pinned, and the memory cgroup
	 * iterator's maps, held from the start (-1: none): a run of
	 * another build may remove the pins at any time */
	int pinned_fd[NR_ITERS];
	int memcg_pinned_fd[2];
	/* the iterators (ITER_BIT mask) pinned for later runs: found pinned,
	 * or pinned by this one */
	unsigned int pinned;
	struct memlock_cache cache;
	struct pin_cache pins;
	struct model_env model;
	bool has_model;
	/* programs and maps this process knows as bpfmem's
	 * (src/collect/own_filter.h): those this collector loaded, those pinned
	 * under own_pin_root when the last collection began; and those
	 * this process held then, bpfmem's when their names are (bpfmemd's
	 * lifecycle and accounting hooks) */
	struct own_ids loaded;
	struct own_ids pinned_own;
	struct own_ids held;
	/* the last walk of every open file (opts.walks_max_age_ns): its
	 * holders, when it began, and the highest map, program and link
	 * ids that existed before it began */
	struct holder *walked;
	size_t nr_walked;
	__u64 walked_ns;
	__u32 walked_max_id[NR_HOLDER_KINDS];
	/* the last walk of the memory cgroup hierarchy, and when
	 * (opts.walks_max_age_ns) */
	struct memcg_table memcgs_walked;
	__u64 memcgs_walked_ns;
	char *chunk;			/* for_each_record()'s buffer */
	size_t last_count[NR_ITERS];	/* records of the last collection */
};

#define SET_MSG(...) snprintf(msg, msg_size, __VA_ARGS__)

static void pin_path(const struct collector *c, enum iter_kind k, char *path,
		     size_t size)
{
	snprintf(path, size, "%s/%s", c->pin_dir, iter_pin_names[k]);
}

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/*
 * Iterators pinned by other builds of bpfmem would stay loaded forever;
 * but two builds in use side by side (a daemon and a command line of
 * another version, an upgrade) must not unpin each other's at every run,
 * which made every run of both load and verify its iterators again. Each
 * run marks its build's directory used (its mtime), and a build's
 * directory unused for PIN_IDLE_SEC is removed.
 */
#define PIN_IDLE_SEC 600

static void remove_stale_pins(const struct collector *c)
{
	const char *mine = strrchr(c->pin_dir, '/') + 1;
	DIR *root = opendir(c->opts.pin_root);
	struct timespec now;
	struct dirent *e;

	if (!root)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	while ((e = readdir(root))) {
		char dir[PATH_MAX / 2], path[PATH_MAX];
		struct dirent *f;
		struct stat st;
		DIR *d;

		if (is_dot_or_dotdot(e->d_name) || !strcmp(e->d_name, mine))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", c->opts.pin_root,
			 e->d_name);
		if (!stat(dir, &st) && S_ISDIR(st.st_mode) &&
		    now.tv_sec - st.st_mtime < PIN_IDLE_SEC)
			continue;	/* another build, in use */
		d = opendir(dir);
		while (d && (f = readdir(d))) {
			if (is_dot_or_dotdot(f->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			unlink(path);
		}
		if (d)
			closedir(d);
		rmdir(dir);
	}
	closedir(root);
}

/* This build's pins are in use: other builds' runs keep them. */
static void mark_pins_used(const struct collector *c)
{
	if (utimensat(AT_FDCWD, c->pin_dir, NULL, 0))
		log_debug("marking %s used: %s\n", c->pin_dir,
			  strerror(errno));
}

/* Publishes a link under its name in one rename, so that a concurrent run
 * sees the whole iterator or none (bpffs forbids dots in names). */
static void pin_iterator(struct collector *c, enum iter_kind k)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int err;

	snprintf(tmp, sizeof(tmp), "%s/tmp-%d-%s", c->pin_dir, getpid(),
		 iter_pin_names[k]);
	pin_path(c, k, path, sizeof(path));
	err = bpf_link__pin(c->links[k], tmp);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		log_debug("not keeping the %s iterator: pinning %s: %s\n",
			  iter_pin_names[k], path, strerror(-err));
		bpf_link__unpin(c->links[k]);
		return;
	}
	c->pinned |= ITER_BIT(k);
}

/* The memory cgroup iterator's maps are pinned beside its link, before
 * it: a reader that finds the link finds them. */
static int pin_memcg_maps(struct collector *c)
{
	struct bpf_map *maps[] = { c->skel->maps.memcg_out,
				   c->skel->maps.memcg_count };
	char tmp[PATH_MAX], path[PATH_MAX];

	for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++) {
		int err;

		snprintf(tmp, sizeof(tmp), "%s/tmp-%d-%s", c->pin_dir,
			 getpid(), memcg_map_pin_names[i]);
		snprintf(path, sizeof(path), "%s/%s", c->pin_dir,
			 memcg_map_pin_names[i]);
		err = bpf_map__pin(maps[i], tmp);
		if (!err && rename(tmp, path))
			err = -errno;
		if (err) {
			bpf_map__unpin(maps[i], tmp);
			return err;
		}
	}
	return 0;
}

static void pin_iterators(struct collector *c, unsigned int load)
{
	if ((mkdir(c->opts.pin_root, 0700) && errno != EEXIST) ||
	    (mkdir(c->pin_dir, 0700) && errno != EEXIST)) {
		log_debug("not keeping the iterators: mkdir %s: %s\n",
			  c->pin_dir, strerror(errno));
		return;
	}
	remove_stale_pins(c);
	for (int k = 0; k < NR_ITERS; k++) {
		if (!(load & ITER_BIT(k)) || !c->links[k])
			continue;
		if (k == ITER_MEMCGS && pin_memcg_maps(c)) {
			log_debug("not keeping the memcgs iterator: pinning its maps failed\n");
			continue;
		}
		pin_iterator(c, k);
	}
}

static __u32 map_id(struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

static __u32 prog_id(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.id;
}

static struct bpf_program *iter_prog(struct inventory_bpf *skel,
				     enum iter_kind k)
{
	switch (k) {
	case ITER_MAPS:
		return skel->progs.dump_maps;
	case ITER_PROGS:
		return skel->progs.dump_progs;
	case ITER_LINKS:
		return skel->progs.dump_links;
	case ITER_MEMCGS:
		return skel->progs.dump_memcgs;
	default:
		return skel->progs.dump_bpf_fds;
	}
}

/* Opens and loads the iterators in load (ITER_BIT mask) and no others:
 * every program costs CO-RE relocation and verification. */
static int open_and_load(struct collector *c, unsigned int load)
{
	struct bpf_program *prog;
	int err;

	c->skel = inventory_bpf__open();
	if (!c->skel)
		return -errno;
	bpf_object__for_each_program(prog, c->skel->obj)
		bpf_program__set_autoload(prog, false);
	for (int k = 0; k < NR_ITERS; k++)
		if (load & ITER_BIT(k))
			bpf_program__set_autoload(iter_prog(c->skel, k), true);
	if (c->has_model) {
		/* where the program iterator looks for JIT packs */
		c->skel->rodata->pack_size = c->model.prog_pack_size;
		c->skel->rodata->page_shift = __builtin_ctz(c->model.page_size);
	}
	if (load & ITER_BIT(ITER_MAPS)) {
		/* per-CPU offsets for the model's allocator caches */
		probe_percpu_lookup(&c->features);
		if (feature_has(&c->features, FEAT_PERCPU_LOOKUP))
			bpf_program__set_autoload(c->skel->progs.find_cpu_offsets,
						  true);
	} else {
		/* the maps iterator's own (its globals are always created:
		 * the skeleton maps them) */
		bpf_map__set_autocreate(c->skel->maps.cpu_probe, false);
		bpf_map__set_autocreate(c->skel->maps.lpm_stack, false);
		bpf_map__set_autocreate(c->skel->maps.loop_state, false);
	}
	if (load & ITER_BIT(ITER_MEMCGS)) {
		bpf_map__set_max_entries(c->skel->maps.memcg_out, memcg_slots());
	} else {
		bpf_map__set_autocreate(c->skel->maps.memcg_out, false);
		bpf_map__set_autocreate(c->skel->maps.memcg_count, false);
	}
	err = inventory_bpf__load(c->skel);
	if (err) {
		inventory_bpf__destroy(c->skel);
		c->skel = NULL;
	}
	return err;
}

/* The memory cgroup iterator walks the hierarchy below the cgroup its link
 * holds: the root of the one with the memory controller. Without it (no
 * memory controller, or a kernel whose cgroup iterator takes no v1
 * cgroup), the counters are read from the cgroup files instead. */
static void attach_memcgs(struct collector *c, struct bpf_program *prog)
{
	struct memcg_table t;

	if (memcg_table_init(&t))
		return;
	c->links[ITER_MEMCGS] = attach_cgroup_iter(prog, t.root);
	if (!c->links[ITER_MEMCGS])
		log_debug("memory cgroup iterator: %s; reading cgroup files instead\n",
			  strerror(errno));
	memcg_table_free(&t);
}

/* Every program and map of the object this run loaded is new and ours,
 * find_cpu_offsets included: the listing shows the kernel's state
 * without this process. */
static int note_loaded(struct collector *c)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err = 0;

	bpf_object__for_each_map(map, c->skel->obj)
		if (!err && bpf_map__fd(map) >= 0)
			err = own_ids_add_map(&c->loaded, map_id(map));
	bpf_object__for_each_program(prog, c->skel->obj)
		if (!err && bpf_program__fd(prog) >= 0)
			err = own_ids_add_prog(&c->loaded, prog_id(prog));
	return err;
}

/*
 * Fills the maps iterator's per-CPU offsets (bpf/inventory.bpf.c
 * find_cpu_offsets): one walk of the maps until our per-CPU probe. Without
 * them the model estimates what bpf_mem_alloc caches.
 */
static void find_cpu_offsets(struct collector *c)
{
	struct bpf_program *prog = c->skel->progs.find_cpu_offsets;
	struct bpf_link *link;
	char buf[64];
	int fd;

	if (bpf_program__fd(prog) < 0)
		return;
	c->skel->bss->cpu_probe_id = map_id(c->skel->maps.cpu_probe);
	link = bpf_program__attach_iter(prog, NULL);
	fd = link ? bpf_iter_create(bpf_link__fd(link)) : -errno;
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	if (!c->skel->bss->nr_cpu_off)
		log_debug("per-CPU offsets not found: allocator caches are estimated\n");
}

static int load_iterators(struct collector *c, unsigned int load, char *msg,
			  size_t msg_size, int *exit_code)
{
	int err;

	err = open_and_load(c, load);
	if (err) {
		/* EACCES is the verifier's refusal: privileges were checked */
		if (err == -EPERM) {
			SET_MSG("the kernel refused to load BPF programs (%s): run as root, or with CAP_SYS_ADMIN",
				strerror(-err));
			*exit_code = EXIT_NO_PRIVILEGE;
		} else {
			enum feature_id missing;

			/* name the iterator the kernel lacks, if one does */
			probe_iterators(&c->features);
			missing = features_first_fatal(&c->features);
			if (missing != NR_FEATURES)
				feature_message(&c->features, missing, msg,
						msg_size);
			else
				SET_MSG("loading the BPF iterators failed (%s): the kernel needs CONFIG_DEBUG_INFO_BTF and BPF iterators (Linux 5.8 or newer); run with -vv for libbpf's log",
					strerror(-err));
			*exit_code = EXIT_NO_KERNEL_SUPPORT;
		}
		return err;
	}
	err = note_loaded(c);
	if (err)
		return err;
	for (int k = 0; k < NR_ITERS; k++) {
		struct bpf_program *prog = iter_prog(c->skel, k);

		if (!(load & ITER_BIT(k)))
			continue;
		if (k == ITER_MEMCGS) {
			attach_memcgs(c, prog);
			continue;
		}
		if (k == ITER_MAPS)
			find_cpu_offsets(c);
		c->links[k] = bpf_program__attach_iter(prog, NULL);
		if (!c->links[k]) {
			err = -errno;
			feature_set(&c->features, iter_features[k], false, err,
				    "attaching bpfmem's %s iterator",
				    iter_pin_names[k]);
			feature_message(&c->features, iter_features[k], msg,
					msg_size);
			*exit_code = EXIT_NO_KERNEL_SUPPORT;
			return err;
		}
	}
	return 0;
}

static void close_pinned(struct collector *c)
{
	for (int k = 0; k < NR_ITERS; k++)
		if (c->pinned_fd[k] >= 0)
			close(c->pinned_fd[k]);
	for (int i = 0; i < 2; i++)
		if (c->memcg_pinned_fd[i] >= 0)
			close(c->memcg_pinned_fd[i]);
}

/* Holds the iterator k an earlier run pinned (for the memory cgroup
 * iterator, its maps too) and notes its program and maps as ours. 0, or
 * -errno when it is not pinned whole. */
static int hold_pinned(struct collector *c, enum iter_kind k)
{
	char path[PATH_MAX];
	int fd, err = 0;

	pin_path(c, k, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	for (int i = 0; k == ITER_MEMCGS && i < 2 && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", c->pin_dir,
			 memcg_map_pin_names[i]);
		c->memcg_pinned_fd[i] = bpf_obj_get(path);
		if (c->memcg_pinned_fd[i] < 0)
			err = -errno;
	}
	if (!err)
		err = own_ids_add_link(&c->loaded, fd);
	if (err) {
		close(fd);
		for (int i = 0; k == ITER_MEMCGS && i < 2; i++)
			if (c->memcg_pinned_fd[i] >= 0)
				close(c->memcg_pinned_fd[i]);
		c->memcg_pinned_fd[0] = c->memcg_pinned_fd[1] = -1;
		return err;
	}
	c->pinned_fd[k] = fd;
	c->pinned |= ITER_BIT(k);
	return 0;
}

int collector_new(const struct collector_opts *opts, struct collector **out,
		  char *msg, size_t msg_size, int *exit_code)
{
	struct collector *c;
	unsigned int load;
	int err;

	*exit_code = EXIT_FAILURE_RUNTIME;
	if (!probe_cap_sys_admin()) {
		SET_MSG("bpfmem needs CAP_SYS_ADMIN to see every BPF object: run it as root (sudo bpfmem ...)");
		*exit_code = EXIT_NO_PRIVILEGE;
		return -EPERM;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->opts = *opts;
	for (int k = 0; k < NR_ITERS; k++)
		c->pinned_fd[k] = -1;
	c->memcg_pinned_fd[0] = c->memcg_pinned_fd[1] = -1;
	if (opts->probe_all)
		probe_all(&c->features);
	else
		probe_basic(&c->features);
	if (!feature_has(&c->features, FEAT_BTF)) {
		feature_message(&c->features, FEAT_BTF, msg, msg_size);
		*exit_code = EXIT_NO_KERNEL_SUPPORT;
		free(c);
		return -ENOENT;
	}
	err = machine_read(&c->model);
	c->has_model = !err;
	if (err)
		log_debug("no real-bytes model: reading this machine's allocators: %s\n",
			  strerror(-err));
	if (opts->cache_path)
		memlock_cache_load(&c->cache, opts->cache_path);

	load = opts->iters;
	if (opts->pin_root) {
		snprintf(c->pin_dir, sizeof(c->pin_dir), "%s/%s",
			 opts->pin_root, INVENTORY_OBJ_ID);
		for (int k = 0; k < NR_ITERS; k++)
			if ((load & ITER_BIT(k)) && !hold_pinned(c, k))
				load &= ~ITER_BIT(k);
		c->features.pinned_iterators = !load;
		if (!load) {
			mark_pins_used(c);
			remove_stale_pins(c);
		}
	}
	if (load) {
		err = load_iterators(c, load, msg, msg_size, exit_code);
		if (err) {
			collector_free(c);
			return err;
		}
		if (opts->pin_root)
			pin_iterators(c, load);
	}
	features_log(&c->features);
	log_debug("iterators pinned from a previous run: %s\n",
		  c->features.pinned_iterators ? "all" : "not all");
	*out = c;
	return 0;
}

const struct features *collector_features(const struct collector *c)
{
	return &c->features;
}

unsigned int collector_pinned(const struct collector *c, const char **dir)
{
	*dir = c->pin_dir;
	return c->pinned;
}

const char *iter_name(enum iter_kind k)
{
	return iter_pin_names[k];
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (int k = 0; k < NR_ITERS; k++)
		bpf_link__destroy(c->links[k]);
	inventory_bpf__destroy(c->skel);
	close_pinned(c);
	memlock_cache_free(&c->cache);
	pin_cache_free(&c->pins);
	own_ids_free(&c->loaded);
	own_ids_free(&c->pinned_own);
	own_ids_free(&c->held);
	free(c->walked);
	memcg_table_free(&c->memcgs_walked);
	free(c->chunk);
	free(c);
}

/* A new read session of an iterator; -errno on failure. */
static int open_iterator(struct collector *c, enum iter_kind k)
{
	int fd = bpf_iter_create(c->pinned_fd[k] >= 0 ?
					 c->pinned_fd[k] :
					 bpf_link__fd(c->links[k]));

	return fd < 0 ? -errno : fd;
}

/* The records an iterator's read hands over at once: the buffer stays
 * allocated, where reading a whole run into fresh memory faulted in
 * megabytes of pages at every sample of bpfmemd. */
#define ITER_CHUNK (64u << 10)

/*
 * Runs one iterator to the end, handing each record to each() in order; a
 * read may end inside a record, whose start waits for the next. Stops at
 * the first error each() returns.
 */
static int for_each_record(struct collector *c, enum iter_kind k,
			   size_t rec_size,
			   int (*each)(const void *rec, void *arg), void *arg)
{
	size_t have = 0;
	ssize_t got;
	int fd, err = 0;

	if (!c->chunk && !(c->chunk = malloc(ITER_CHUNK)))
		return -ENOMEM;
	fd = open_iterator(c, k);
	if (fd < 0)
		return fd;
	for (;;) {
		size_t used = 0;

		got = read(fd, c->chunk + have, ITER_CHUNK - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += got;
		for (; have - used >= rec_size && !err; used += rec_size)
			err = each(c->chunk + used, arg);
		if (err)
			break;
		memmove(c->chunk, c->chunk + used, have - used);
		have -= used;
	}
	if (got < 0)
		err = -errno;
	close(fd);
	if (!err && have) {
		log_error("the %s iterator wrote a record cut short: %zu bytes of %zu\n",
			  iter_pin_names[k], have, rec_size);
		err = -EPROTO;
	}
	return err;
}

/* Room for one more entry at (*arr)[n] (of *cap, never 0), zeroed; NULL
 * when out of memory. */
static void *append(void *arr_p, size_t *cap, size_t n, size_t size)
{
	void **arr = arr_p;
	char *p;

	if (n == *cap) {
		size_t more = *cap * 2;
		void *bigger = realloc(*arr, more * size);

		if (!bigger)
			return NULL;
		*arr = bigger;
		*cap = more;
	}
	p = (char *)*arr + n * size;
	memset(p, 0, size);
	return p;
}

static int cmp_holder(const void *pa, const void *pb)
{
	const struct holder *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* What one iterator run fills: its collection, and the array's room. */
struct sink {
	struct collector *c;
	struct inventory *inv;
	size_t cap;
	__u32 self;
	bool sizes_read;	/* the map iterator's first record */
};

/* The array an iterator of kind k fills, sized as the last collection's
 * and never NULL (the sorts and searches over it take no NULL). */
static int sink_start(struct sink *sink, enum iter_kind k, void *arr_p,
		      size_t size)
{
	void **arr = arr_p;

	sink->cap = sink->c->last_count[k] ? sink->c->last_count[k] : 1;
	*arr = malloc(sink->cap * size);
	return *arr ? 0 : -ENOMEM;
}

static int add_holder(const void *r, void *arg)
{
	const struct bpfmem_fd_rec *rec = r;
	struct sink *k = arg;
	struct inventory *inv = k->inv;
	struct holder *h;

	/* ours: not a holder to show (src/collect/own_filter.h) */
	if (rec->pid == k->self)
		return rec->kind == BPFMEM_OBJ_MAP ?
			own_ids_add_map(&k->c->held, rec->id) :
		       rec->kind == BPFMEM_OBJ_PROG ?
			own_ids_add_prog(&k->c->held, rec->id) : 0;
	h = append(&inv->holders, &k->cap, inv->nr_holders, sizeof(*h));
	if (!h)
		return -ENOMEM;
	inv->nr_holders++;
	h->kind = rec->kind;
	h->id = rec->id;
	h->pid = rec->pid;
	memcpy(h->comm, rec->comm, sizeof(h->comm));
	h->comm[sizeof(h->comm) - 1] = '\0';
	/* no hierarchy: an id nothing can name */
	if (feature_has(&k->c->features, FEAT_MEMCG))
		h->memcg_id = rec->memcg_id;
	return 0;
}

static int walk_holders(struct collector *c, struct inventory *inv)
{
	struct sink sink = { .c = c, .inv = inv, .self = getpid() };
	size_t n, kept = 0;
	int err;

	err = sink_start(&sink, ITER_FDS, &inv->holders,
			 sizeof(*inv->holders));
	if (!err)
		err = for_each_record(c, ITER_FDS, sizeof(struct bpfmem_fd_rec),
				      add_holder, &sink);
	if (err)
		return err;
	c->last_count[ITER_FDS] = inv->nr_holders;
	sort_array(inv->holders, inv->nr_holders, sizeof(*inv->holders),
		   cmp_holder);
	/* One entry per process, however many fds it has to the object. */
	n = inv->nr_holders;
	for (size_t i = 0; i < n; i++)
		if (!kept || cmp_holder(&inv->holders[kept - 1],
					&inv->holders[i]))
			inv->holders[kept++] = inv->holders[i];
	inv->nr_holders = kept;
	return 0;
}

/* The highest id of a kind that exists now, from *max up: one bpf() call
 * when none is newer. -errno when the kernel cannot say. */
static int newest_id(enum bpfmem_obj_kind kind, __u32 *max)
{
	__u32 next;
	int err;

	for (;;) {
		err = kind == BPFMEM_OBJ_MAP ? bpf_map_get_next_id(*max, &next) :
		      kind == BPFMEM_OBJ_PROG ? bpf_prog_get_next_id(*max, &next) :
		      bpf_link_get_next_id(*max, &next);
		if (err)
			return errno == ENOENT ? 0 : -errno;
		*max = next;
	}
}

/* Keeps a copy of this collection's walk for the next ones to reuse. */
static int keep_walk(struct collector *c, const struct inventory *inv,
		     __u64 now, const __u32 *max_id)
{
	size_t n = inv->nr_holders;
	struct holder *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	memcpy(copy, inv->holders, n * sizeof(*copy));
	free(c->walked);
	c->walked = copy;
	c->nr_walked = n;
	c->walked_ns = now;
	memcpy(c->walked_max_id, max_id, sizeof(c->walked_max_id));
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/*
 * The processes holding each object. Walking every open file on the host
 * is most of a sample's cost where processes hold many maps, so bpfmemd
 * reuses the last walk for opts.walks_max_age_ns unless an object
 * appeared since (a new id: ids only grow); a process that opens or
 * closes an object that already existed shows within that age. The ids
 * are read before the walk, so an object made during it is seen as new
 * by the next collection.
 */
static int build_holders(struct collector *c, struct inventory *inv)
{
	static const enum bpfmem_obj_kind kinds[NR_HOLDER_KINDS] = {
		BPFMEM_OBJ_MAP, BPFMEM_OBJ_PROG, BPFMEM_OBJ_LINK,
	};
	__u32 max_id[NR_HOLDER_KINDS];
	bool reuse = c->opts.walks_max_age_ns && c->walked;
	__u64 now = now_ns();
	int err = 0;

	if (reuse && now - c->walked_ns >= c->opts.walks_max_age_ns)
		reuse = false;
	for (int k = 0; c->opts.walks_max_age_ns && k < NR_HOLDER_KINDS;
	     k++) {
		max_id[k] = c->walked_max_id[k];
		if (newest_id(kinds[k], &max_id[k]))
			reuse = false;	/* cannot tell: walk */
		else if (max_id[k] != c->walked_max_id[k])
			reuse = false;
	}
	if (reuse) {
		inv->holders = malloc((c->nr_walked ? c->nr_walked : 1) *
				      sizeof(*inv->holders));
		if (!inv->holders)
			return -ENOMEM;
		memcpy(inv->holders, c->walked,
		       c->nr_walked * sizeof(*inv->holders));
		inv->nr_holders = c->nr_walked;
	} else {
		own_ids_free(&c->held);
		err = walk_holders(c, inv);
		if (!err && c->opts.walks_max_age_ns)
			err = keep_walk(c, inv, now, max_id);
		if (err)
			return err;
	}
	/* paths name this collection's memory cgroup table */
	for (size_t i = 0; i < inv->nr_holders; i++) {
		struct holder *h = &inv->holders[i];

		h->memcg_path = h->memcg_id ?
			memcg_path(&inv->memcgs, h->memcg_id) : NULL;
	}
	return 0;
}

static int cmp_map_id(const void *a, const void *b)
{
	__u32 x = ((const struct map_info *)a)->rec.id;
	__u32 y = ((const struct map_info *)b)->rec.id;

	return x < y ? -1 : x > y;
}

static int cmp_prog_id(const void *a, const void *b)
{
	__u32 x = ((const struct prog_info *)a)->rec.id;
	__u32 y = ((const struct prog_info *)b)->rec.id;

	return x < y ? -1 : x > y;
}

static int add_map(const void *r, void *arg)
{
	struct sink *k = arg;
	struct collector *c = k->c;
	struct inventory *inv = k->inv;
	struct map_info *m;

	if (!k->sizes_read) {
		c->model.map_sizes =
			((const struct bpfmem_map_sizes_rec *)r)->sizes;
		k->sizes_read = true;
		return 0;
	}
	m = append(&inv->maps, &k->cap, inv->nr_maps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	inv->nr_maps++;
	m->rec = *(const struct bpfmem_map_rec *)r;
	if (m->rec.rec_flags & BPFMEM_MAP_COUNT_KFUNC)
		feature_set(&c->features, FEAT_KFUNC_ELEM_COUNT, true, 0,
			    "called by the maps iterator");
	m->rec.name[BPFMEM_OBJ_NAME_LEN - 1] = '\0';
	if (!feature_has(&c->features, FEAT_MEMCG)) {
		/* no hierarchy: an id nothing can name */
		m->rec.memcg_id = 0;
	} else if (m->rec.rec_flags & BPFMEM_MAP_HAS_MEMCG) {
		m->memcg_path = memcg_path(&inv->memcgs, m->rec.memcg_id);
	} else {
		/* no objcg: created in the root memory cgroup */
		m->rec.memcg_id = inv->memcgs.root_id;
		m->memcg_path = "/";
	}
	return 0;
}

static int build_maps(struct collector *c, struct inventory *inv)
{
	struct sink sink = { .c = c, .inv = inv };
	int err;

	err = sink_start(&sink, ITER_MAPS, &inv->maps, sizeof(*inv->maps));
	if (!err)
		err = for_each_record(c, ITER_MAPS,
				      sizeof(struct bpfmem_map_rec), add_map,
				      &sink);
	if (err)
		return err;
	c->last_count[ITER_MAPS] = inv->nr_maps;
	sort_array(inv->maps, inv->nr_maps, sizeof(*inv->maps), cmp_map_id);
	return memlock_fill(&c->cache, inv);
}

static int cmp_link(const void *pa, const void *pb)
{
	const struct bpfmem_link_rec *a = pa, *b = pb;

	if (a->prog_id != b->prog_id)
		return a->prog_id < b->prog_id ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int add_link(const void *r, void *arg)
{
	struct sink *k = arg;
	struct inventory *inv = k->inv;
	struct bpfmem_link_rec *l = append(&inv->links, &k->cap,
					   inv->nr_links, sizeof(*l));

	if (!l)
		return -ENOMEM;
	inv->nr_links++;
	*l = *(const struct bpfmem_link_rec *)r;
	l->target_name[BPFMEM_TARGET_NAME_LEN - 1] = '\0';
	return 0;
}

static int build_links(struct collector *c, struct inventory *inv)
{
	struct sink sink = { .c = c, .inv = inv };
	int err;

	err = sink_start(&sink, ITER_LINKS, &inv->links, sizeof(*inv->links));
	if (!err)
		err = for_each_record(c, ITER_LINKS, sizeof(*inv->links),
				      add_link, &sink);
	if (err)
		return err;
	c->last_count[ITER_LINKS] = inv->nr_links;
	sort_array(inv->links, inv->nr_links, sizeof(*inv->links), cmp_link);
	return 0;
}


static int cmp_user(const void *pa, const void *pb)
{
	const struct map_user *a = pa, *b = pb;

	if (a->map_id != b->map_id)
		return a->map_id < b->map_id ? -1 : 1;
	return a->prog_id < b->prog_id ? -1 : a->prog_id > b->prog_id;
}

/* Inverts the programs' map_ids: which programs use each map. */
static int build_map_users(struct inventory *inv)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->nr_progs; i++)
		n += inv->progs[i].rec.nr_map_ids;
	inv->map_users = calloc(n ? n : 1, sizeof(*inv->map_users));
	if (!inv->map_users)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct bpfmem_prog_rec *r = &inv->progs[i].rec;

		for (__u32 k = 0; k < r->nr_map_ids; k++)
			inv->map_users[inv->nr_map_users++] = (struct map_user){
				.map_id = r->map_ids[k], .prog_id = r->id
			};
	}
	sort_array(inv->map_users, inv->nr_map_users, sizeof(*inv->map_users),
		   cmp_user);
	return 0;
}


static int cmp_memcg_rec(const void *pa, const void *pb)
{
	const struct bpfmem_memcg_rec *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* An fd of one of the memory cgroup iterator's maps, to close. */
static int memcg_map_fd(struct collector *c, int which)
{
	int fd;

	if (c->pinned_fd[ITER_MEMCGS] >= 0)
		fd = dup(c->memcg_pinned_fd[which]);
	else
		fd = dup(bpf_map__fd(which ? c->skel->maps.memcg_count :
					    c->skel->maps.memcg_out));
	return fd < 0 ? -errno : fd;
}

/* Runs the memory cgroup iterator, then copies its records out of the
 * mmapped array. */
static int build_memcgs(struct collector *c, struct inventory *inv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, count = 0;
	int iter = -1, out = -1, cnt = -1, err;
	void *recs = MAP_FAILED;
	size_t size = 0;
	char buf[64];

	if (c->pinned_fd[ITER_MEMCGS] < 0 && !c->links[ITER_MEMCGS])
		return 0;	/* the files are read instead */
	iter = open_iterator(c, ITER_MEMCGS);
	out = memcg_map_fd(c, 0);
	cnt = memcg_map_fd(c, 1);
	err = iter < 0 ? iter : out < 0 ? out : cnt < 0 ? cnt : 0;
	if (err)
		goto out;
	/* the walk writes nothing to the file: reading it runs it */
	while ((err = read(iter, buf, sizeof(buf))) > 0)
		;
	if (err < 0 || bpf_map_lookup_elem(cnt, &zero, &count) ||
	    bpf_obj_get_info_by_fd(out, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (count > info.max_entries) {
		log_debug("memory cgroup iterator: %u cgroups, room for %u; reading cgroup files instead\n",
			  count, info.max_entries);
		goto out;
	}
	size = (size_t)info.max_entries * info.value_size;
	recs = mmap(NULL, size, PROT_READ, MAP_SHARED, out, 0);
	inv->memcg_recs = calloc(count ? count : 1, sizeof(*inv->memcg_recs));
	if (recs == MAP_FAILED || !inv->memcg_recs) {
		err = recs == MAP_FAILED ? -errno : -ENOMEM;
		goto out;
	}
	memcpy(inv->memcg_recs, recs, (size_t)count * sizeof(*inv->memcg_recs));
	inv->nr_memcg_recs = count;
	sort_array(inv->memcg_recs, inv->nr_memcg_recs,
		   sizeof(*inv->memcg_recs), cmp_memcg_rec);
out:
	if (recs != MAP_FAILED)
		munmap(recs, size);
	if (iter >= 0)
		close(iter);
	if (out >= 0)
		close(out);
	if (cnt >= 0)
		close(cnt);
	return err;
}

static int add_prog(const void *r, void *arg)
{
	struct sink *k = arg;
	struct collector *c = k->c;
	struct inventory *inv = k->inv;
	struct prog_info *p = append(&inv->progs, &k->cap, inv->nr_progs,
				     sizeof(*p));

	if (!p)
		return -ENOMEM;
	inv->nr_progs++;
	p->rec = *(const struct bpfmem_prog_rec *)r;
	p->rec.name[BPFMEM_OBJ_NAME_LEN - 1] = '\0';
	p->rec.func_name[BPFMEM_FUNC_NAME_LEN - 1] = '\0';
	if (p->rec.nr_map_ids > BPFMEM_MAX_USED_MAPS)
		p->rec.nr_map_ids = BPFMEM_MAX_USED_MAPS;
	p->loaded_at = boot_to_unix_seconds(inv, p->rec.load_time);
	if (!feature_has(&c->features, FEAT_MEMCG)) {
		p->rec.memcg_id = 0;
	} else if (p->rec.rec_flags & BPFMEM_PROG_HAS_MEMCG) {
		p->memcg_path = memcg_path(&inv->memcgs, p->rec.memcg_id);
	} else if (p->rec.rec_flags & BPFMEM_PROG_MEMCG_ROOT) {
		/* no memcg pointer: loaded in the root memory cgroup */
		p->rec.memcg_id = inv->memcgs.root_id;
		p->memcg_path = "/";
	}
	return 0;
}

static int build_progs(struct collector *c, struct inventory *inv)
{
	struct sink sink = { .c = c, .inv = inv };
	int err;

	err = sink_start(&sink, ITER_PROGS, &inv->progs, sizeof(*inv->progs));
	if (!err)
		err = for_each_record(c, ITER_PROGS,
				      sizeof(struct bpfmem_prog_rec), add_prog,
				      &sink);
	if (err)
		return err;
	c->last_count[ITER_PROGS] = inv->nr_progs;
	sort_array(inv->progs, inv->nr_progs, sizeof(*inv->progs), cmp_prog_id);
	return 0;
}

/* Whether the last walk of the memory cgroup hierarchy has every memory
 * cgroup the iterator found online, and no other. */
static bool memcgs_walk_current(const struct collector *c,
				const struct inventory *inv)
{
	const struct memcg_table *w = &c->memcgs_walked;
	size_t online = 0;

	if (!w->walked || !inv->nr_memcg_recs || !inv->memcgs.root ||
	    strcmp(w->root, inv->memcgs.root) || w->root_id != inv->memcgs.root_id)
		return false;
	for (size_t i = 0; i < inv->nr_memcg_recs; i++) {
		const struct bpfmem_memcg_rec *r = &inv->memcg_recs[i];

		if (!r->online || r->id == inv->memcgs.root_id)
			continue;
		if (!memcg_table_has(w, r->id))
			return false;
		online++;
	}
	return online + 1 == w->n;	/* the walk has the root too */
}

/*
 * bpfmemd: the cgroup paths from the last walk of the hierarchy, when the
 * iterator finds the same memory cgroups online and the walk is younger
 * than opts.walks_max_age_ns (a cgroup renamed shows within it). Reading
 * the directories of 1,000 v1 memory cgroups, 30 files each, was 40% of
 * a sample.
 */
static int reuse_memcgs_walk(struct collector *c, struct inventory *inv,
			     bool *reused)
{
	*reused = c->opts.walks_max_age_ns &&
		  now_ns() - c->memcgs_walked_ns < c->opts.walks_max_age_ns &&
		  memcgs_walk_current(c, inv);
	return *reused ? memcg_table_copy(&inv->memcgs, &c->memcgs_walked) :
			 0;
}

/* Keeps a copy of this collection's walk of the hierarchy, if it made
 * one, for the next collections to reuse. */
static void keep_memcgs_walk(struct collector *c, const struct inventory *inv)
{
	struct memcg_table copy = {
		.v2 = inv->memcgs.v2, .root_id = inv->memcgs.root_id,
	};

	if (!c->opts.walks_max_age_ns || !inv->memcgs.walked ||
	    !inv->memcgs.root)
		return;
	copy.root = strdup(inv->memcgs.root);
	if (!copy.root || memcg_table_copy(&copy, &inv->memcgs)) {
		memcg_table_free(&copy);
		return;		/* the next collection walks again */
	}
	memcg_table_free(&c->memcgs_walked);
	c->memcgs_walked = copy;
	c->memcgs_walked_ns = now_ns();
}

const struct model_env *collector_model_env(const struct collector *c)
{
	return c->has_model ? &c->model : NULL;
}

void collector_set_own_apart(struct collector *c, struct inventory *inv)
{
	own_filter(inv, (const struct own_ids *const[]){ &c->loaded,
			 &c->pinned_own }, 2, &c->held, c->opts.keep_own);
}

int collector_collect(struct collector *c, struct inventory *inv)
{
	struct timespec real, boot;
	bool memcgs_reused = false;
	int err = 0;

	*inv = (struct inventory){};
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	inv->boot_to_real_ns = (real.tv_sec - boot.tv_sec) * 1000000000LL +
			       real.tv_nsec - boot.tv_nsec;
	probe_memcg_table(&c->features, &inv->memcgs);
	/* pins come and go between collections (another run of bpfmem) */
	own_ids_free(&c->pinned_own);
	if (c->opts.own_pin_root)
		err = own_ids_add_pinned(&c->pinned_own, c->opts.own_pin_root);
	if (c->has_model)
		inv->prog_pack_size = c->model.prog_pack_size;
	/* memory cgroups first: whether their paths need a walk; then
	 * holders, links and pins: programs and maps point into them;
	 * programs before maps, whose users they are */
	if (!err && (c->opts.iters & ITER_BIT(ITER_MEMCGS)))
		err = build_memcgs(c, inv);
	if (!err)
		err = reuse_memcgs_walk(c, inv, &memcgs_reused);
	if (!err && (c->opts.iters & ITER_BIT(ITER_FDS)))
		err = build_holders(c, inv);
	if (!err && (c->opts.iters & ITER_BIT(ITER_LINKS)))
		err = build_links(c, inv);
	if (!err && c->opts.pins)
		err = pins_collect(inv, &c->pins);
	if (!err && (c->opts.iters & ITER_BIT(ITER_PROGS)))
		err = build_progs(c, inv);
	if (!err)
		err = build_map_users(inv);
	if (!err && (c->opts.iters & ITER_BIT(ITER_MAPS)))
		err = build_maps(c, inv);
	if (err) {
		inventory_free(inv);
		return err;
	}
	if (!memcgs_reused)
		keep_memcgs_walk(c, inv);
	if (c->opts.cache_path && c->cache.dirty) {
		err = memlock_cache_save(&c->cache, c->opts.cache_path);
		if (err)
			log_debug("saving the memlock cache %s: %s\n",
				  c->opts.cache_path, strerror(-err));
		c->cache.dirty = false;
	}
	return 0;
}
