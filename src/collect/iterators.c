// SPDX-License-Identifier: GPL-2.0
/*
 * The inventory iterators: held where an earlier run pinned them, else
 * loaded, attached and pinned for the next runs; opened for each read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/log.h"
#include "collect/collector_priv.h"
#include "collect/probe.h"
#include "inventory_id.h"

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

int iterators_start(struct collector *c, char *msg, size_t msg_size,
		    int *exit_code)
{
	unsigned int load;
	int err;

	load = c->opts.iters;
	if (c->opts.pin_root) {
		snprintf(c->pin_dir, sizeof(c->pin_dir), "%s/%s",
			 c->opts.pin_root, INVENTORY_OBJ_ID);
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
		if (err)
			return err;
		if (c->opts.pin_root)
			pin_iterators(c, load);
	}
	return 0;
}

void iterators_stop(struct collector *c)
{
	for (int k = 0; k < NR_ITERS; k++)
		bpf_link__destroy(c->links[k]);
	inventory_bpf__destroy(c->skel);
	close_pinned(c);
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

int iterators_open(struct collector *c, enum iter_kind k)
{
	int fd = bpf_iter_create(c->pinned_fd[k] >= 0 ?
					 c->pinned_fd[k] :
					 bpf_link__fd(c->links[k]));

	return fd < 0 ? -errno : fd;
}

int iterators_memcg_map_fd(struct collector *c, int which)
{
	int fd;

	if (c->pinned_fd[ITER_MEMCGS] >= 0)
		fd = dup(c->memcg_pinned_fd[which]);
	else
		fd = dup(bpf_map__fd(which ? c->skel->maps.memcg_count :
					    c->skel->maps.memcg_out));
	return fd < 0 ? -errno : fd;
}
