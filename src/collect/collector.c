// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the inventory iterators into an inventory: maps, programs, the
 * processes holding them, links, memory cgroups; memlock from fdinfo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/array_sort.h"
#include "base/digest.h"
#include "base/log.h"
#include "collect/collector_priv.h"
#include "collect/machine.h"
#include "collect/own_filter.h"
#include "collect/probe.h"

int collector_new(const struct collector_opts *opts, struct collector **out,
		  char *msg, size_t msg_size, int *exit_code)
{
	struct collector *c;
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

	err = iterators_start(c, msg, msg_size, exit_code);
	if (err) {
		collector_free(c);
		return err;
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

void collector_free(struct collector *c)
{
	if (!c)
		return;
	iterators_stop(c);
	memlock_cache_free(&c->cache);
	pin_cache_free(&c->pins);
	own_ids_free(&c->loaded);
	own_ids_free(&c->pinned_own);
	own_ids_free(&c->held);
	free(c->walked);
	memcg_table_free(&c->memcgs_walked);
	free(c->chunk);
	free(c->map_digests);
	free(c->maps_read);
	free(c);
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
	/* bpfmemd's; the holders are hashed once a walk is reduced to them
	 * (build_holders()), as a reused walk reads no file; maps one by
	 * one (add_map()) */
	bool digested = c->opts.walks_max_age_ns && k != ITER_FDS &&
			k != ITER_MAPS;
	size_t have = 0;
	ssize_t got;
	int fd, err = 0;

	if (!c->chunk && !(c->chunk = malloc(ITER_CHUNK)))
		return -ENOMEM;
	fd = iterators_open(c, k);
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
		for (; have - used >= rec_size && !err; used += rec_size) {
			if (digested)
				c->reading = digest_add(c->reading,
							c->chunk + used,
							rec_size);
			err = each(c->chunk + used, arg);
		}
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
			  iter_name(k), have, rec_size);
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

/* What a walk reads of each holder: not the path, which points into one
 * collection's table. */
static __u64 digest_holders(__u64 h, const struct holder *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h = digest_u64(h, (__u64)v[i].kind << 32 | v[i].id);
		h = digest_u64(h, (__u64)v[i].pid << 32 | v[i].memcg_id >> 32);
		h = digest_u64(h, v[i].memcg_id);
		h = digest_add(h, v[i].comm, sizeof(v[i].comm));
	}
	return h;
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
	c->walked_hash = digest_holders(DIGEST_SEED, copy, n);
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
 * Whether the last walk of every open file stands for this collection.
 * Walking every open file on the host is most of a sample's cost where
 * processes hold many maps, so bpfmemd reuses the last walk for
 * opts.walks_max_age_ns unless an object appeared since (a new id: ids
 * only grow); a process that opens or closes an object that already
 * existed shows within that age. max_id gets the newest ids, read before
 * a walk, so that an object made during it is seen as new by the next
 * collection.
 */
static bool walk_reusable(struct collector *c, __u64 now, __u32 *max_id)
{
	static const enum bpfmem_obj_kind kinds[NR_HOLDER_KINDS] = {
		BPFMEM_OBJ_MAP, BPFMEM_OBJ_PROG, BPFMEM_OBJ_LINK,
	};
	bool reuse = c->opts.walks_max_age_ns && c->walked;

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
	return reuse;
}

/* The processes holding each object: a copy of the last walk where it
 * stands, else a new walk, kept for the next collections. */
static int read_holders(struct collector *c, struct inventory *inv)
{
	__u32 max_id[NR_HOLDER_KINDS];
	__u64 now = now_ns();
	int err;

	if (walk_reusable(c, now, max_id)) {
		inv->holders = malloc((c->nr_walked ? c->nr_walked : 1) *
				      sizeof(*inv->holders));
		if (!inv->holders)
			return -ENOMEM;
		memcpy(inv->holders, c->walked,
		       c->nr_walked * sizeof(*inv->holders));
		inv->nr_holders = c->nr_walked;
		return 0;
	}
	own_ids_free(&c->held);
	err = walk_holders(c, inv);
	if (!err && c->opts.walks_max_age_ns)
		err = keep_walk(c, inv, now, max_id);
	return err;
}

/* The hash of inv's holders, read by read_holders(): the kept walk's. */
static __u64 holders_hash(const struct collector *c,
			  const struct inventory *inv)
{
	return c->opts.walks_max_age_ns ?
		       c->walked_hash :
		       digest_holders(DIGEST_SEED, inv->holders, inv->nr_holders);
}

static int build_holders(struct collector *c, struct inventory *inv)
{
	int err = read_holders(c, inv);

	if (err)
		return err;
	c->reading = digest_u64(c->reading, holders_hash(c, inv));
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

/* The fields add_map() sets from a map's record but its path, which names
 * one collection's memory cgroup table: set it where *path_from_table. */
static void map_fixup(const struct collector *c, const struct inventory *inv,
		      struct map_info *m, bool *path_from_table)
{
	*path_from_table = false;
	m->rec.name[BPFMEM_OBJ_NAME_LEN - 1] = '\0';
	if (!feature_has(&c->features, FEAT_MEMCG)) {
		/* no hierarchy: an id nothing can name */
		m->rec.memcg_id = 0;
	} else if (m->rec.rec_flags & BPFMEM_MAP_HAS_MEMCG) {
		*path_from_table = true;
	} else {
		/* no objcg: created in the root memory cgroup */
		m->rec.memcg_id = inv->memcgs.root_id;
		m->memcg_path = "/";
	}
}

static __u64 map_rec_hash(const void *rec)
{
	return digest_add(DIGEST_SEED, rec, sizeof(struct bpfmem_map_rec));
}

/* bpfmemd: the hash of each map record, for collector_probe(). */
static int keep_map_hash(struct collector *c, const void *rec)
{
	struct map_digest *d;

	if (!c->opts.walks_max_age_ns)
		return 0;
	if (c->nr_maps_read == c->cap_maps_read) {
		size_t cap = c->cap_maps_read ? 2 * c->cap_maps_read : 1024;

		d = realloc(c->maps_read, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		c->maps_read = d;
		c->cap_maps_read = cap;
	}
	d = &c->maps_read[c->nr_maps_read++];
	d->id = ((const struct bpfmem_map_rec *)rec)->id;
	d->kept = false;	/* collector_set_own_apart() */
	d->hash = map_rec_hash(rec);
	return 0;
}

static int add_map(const void *r, void *arg)
{
	struct sink *k = arg;
	struct collector *c = k->c;
	struct inventory *inv = k->inv;
	struct map_info *m;
	bool from_table;

	if (!k->sizes_read) {
		c->model.map_sizes =
			((const struct bpfmem_map_sizes_rec *)r)->sizes;
		k->sizes_read = true;
		return 0;
	}
	if (keep_map_hash(c, r))
		return -ENOMEM;
	m = append(&inv->maps, &k->cap, inv->nr_maps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	inv->nr_maps++;
	m->rec = *(const struct bpfmem_map_rec *)r;
	if (m->rec.rec_flags & BPFMEM_MAP_COUNT_KFUNC)
		feature_set(&c->features, FEAT_KFUNC_ELEM_COUNT, true, 0,
			    "called by the maps iterator");
	map_fixup(c, inv, m, &from_table);
	if (from_table)
		m->memcg_path = memcg_path(&inv->memcgs, m->rec.memcg_id);
	return 0;
}

static int build_maps(struct collector *c, struct inventory *inv)
{
	struct sink sink = { .c = c, .inv = inv };
	int err;

	c->nr_maps_read = 0;
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
	iter = iterators_open(c, ITER_MEMCGS);
	out = iterators_memcg_map_fd(c, 0);
	cnt = iterators_memcg_map_fd(c, 1);
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

/* The names of the memory cgroups online, as the iterator read them: the
 * same for two readings unless a cgroup was renamed between them. */
static __u64 memcg_names(const struct inventory *inv)
{
	__u64 h = DIGEST_SEED;

	for (size_t i = 0; i < inv->nr_memcg_recs; i++) {
		const struct bpfmem_memcg_rec *r = &inv->memcg_recs[i];

		if (!r->online || r->id == inv->memcgs.root_id)
			continue;
		h = digest_u64(h, r->id);
		h = digest_u64(h, r->name_addr);
		h = digest_add(h, r->name_head, sizeof(r->name_head));
	}
	return h;
}

/*
 * bpfmemd: whether the last walk of the hierarchy still names every
 * memory cgroup: the iterator finds the same ones online, under the same
 * names. Reading the directories of 1,000 v1 memory cgroups, 30 files
 * each, was 40% of a sample.
 */
static bool memcgs_walk_reusable(const struct collector *c,
				 const struct inventory *inv)
{
	return c->opts.walks_max_age_ns && memcgs_walk_current(c, inv) &&
	       memcg_names(inv) == c->memcgs_walked_names;
}

/* The cgroup paths from the last walk of the hierarchy, where it stands. */
static int reuse_memcgs_walk(struct collector *c, struct inventory *inv,
			     bool *reused)
{
	*reused = memcgs_walk_reusable(c, inv);
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
	c->memcgs_walked_names = memcg_names(inv);
}

const struct model_env *collector_model_env(const struct collector *c)
{
	return c->has_model ? &c->model : NULL;
}

void collector_set_own_apart(struct collector *c, struct inventory *inv)
{
	size_t j = 0;

	own_filter(inv, (const struct own_ids *const[]){ &c->loaded,
			 &c->pinned_own }, 2, &c->held, c->opts.keep_own);
	/* the maps a patch may touch: those the inventory lists, ascending
	 * id as the map iterator hands them over */
	for (size_t i = 0; i < c->nr_map_digests; i++) {
		struct map_digest *d = &c->map_digests[i];

		while (j < inv->nr_maps && inv->maps[j].rec.id < d->id)
			j++;
		d->kept = j < inv->nr_maps && inv->maps[j].rec.id == d->id &&
			  !inv->maps[j].own;
	}
}

/* A collection or probe begins: bpfmem's pinned objects (another run of
 * bpfmem pins and unpins them) are the first thing it reads. */
static int read_own_pins(struct collector *c)
{
	int err = 0;

	c->reading = DIGEST_SEED;
	own_ids_free(&c->pinned_own);
	if (c->opts.own_pin_root)
		err = own_ids_add_pinned(&c->pinned_own, c->opts.own_pin_root);
	c->reading = digest_add(c->reading, c->pinned_own.maps,
				c->pinned_own.nr_maps * sizeof(__u32));
	c->reading = digest_add(c->reading, c->pinned_own.progs,
				c->pinned_own.nr_progs * sizeof(__u32));
	return err;
}

static __u64 digest_pins(__u64 h, const struct pin *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = digest_str(digest_u64(h, (__u64)v[i].kind << 32 | v[i].id),
			       v[i].path);
	return h;
}

static bool all_memlock(const struct inventory *inv)
{
	for (size_t i = 0; i < inv->nr_maps; i++)
		if (!inv->maps[i].has_memlock)
			return false;
	return true;
}

/* Whether the collection under way read the maps the last one did; their
 * records may differ (element counts): the probes patch those. */
static bool maps_read_same(const struct collector *c)
{
	if (c->nr_maps_read != c->nr_map_digests)
		return false;
	for (size_t i = 0; i < c->nr_maps_read; i++)
		if (c->maps_read[i].id != c->map_digests[i].id)
			return false;
	return true;
}

static void keep_maps_read(struct collector *c)
{
	free(c->map_digests);
	c->map_digests = c->maps_read;
	c->nr_map_digests = c->nr_maps_read;
	c->maps_read = NULL;
	c->nr_maps_read = c->cap_maps_read = 0;
}

int collector_collect(struct collector *c, struct inventory *inv)
{
	struct timespec real, boot;
	bool memcgs_reused = false, memcgs_same = false;
	int err = 0;

	*inv = (struct inventory){};
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	inv->boot_to_real_ns = (real.tv_sec - boot.tv_sec) * 1000000000LL +
			       real.tv_nsec - boot.tv_nsec;
	probe_memcg_table(&c->features, &inv->memcgs);
	err = read_own_pins(c);
	if (c->has_model)
		inv->prog_pack_size = c->model.prog_pack_size;
	/* memory cgroups first: whether their paths need a walk, and the
	 * paths the records point at; programs before the maps' users,
	 * which invert the programs' map ids */
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
	if (!err && c->opts.pins)
		c->reading = digest_pins(c->reading, inv->pins, inv->nr_pins);
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
	if (!memcgs_reused) {
		memcgs_same = memcg_table_same(&inv->memcgs,
					       &c->memcgs_walked);
		keep_memcgs_walk(c, inv);
	}
	/* without walks_max_age_ns the records are not hashed; a memlock
	 * that could not be read is read again by the next collection */
	c->settled = c->opts.walks_max_age_ns &&
		     (memcgs_reused || memcgs_same) && c->reading == c->digest &&
		     maps_read_same(c) && all_memlock(inv);
	c->digest = c->reading;
	keep_maps_read(c);
	if (c->opts.cache_path && c->cache.dirty) {
		err = memlock_cache_save(&c->cache, c->opts.cache_path);
		if (err)
			log_debug("saving the memlock cache %s: %s\n",
				  c->opts.cache_path, strerror(-err));
		c->cache.dirty = false;
	}
	return 0;
}

bool collector_settled(const struct collector *c)
{
	return c->settled;
}

void collector_unsettle(struct collector *c)
{
	c->settled = false;
	c->digest = 0;	/* no reading hashes to 0 but by chance */
}

static int ignore_record(const void *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 0;
}

/* The holders as a collection would read them, into the reading: the
 * kept walk's hash, or a new walk's. */
static int probe_holders(struct collector *c)
{
	struct inventory walk = {};
	__u32 max_id[NR_HOLDER_KINDS];
	__u64 hash = c->walked_hash;
	int err;

	if (!walk_reusable(c, now_ns(), max_id)) {
		err = read_holders(c, &walk);
		if (!err)
			hash = holders_hash(c, &walk);
		inventory_free(&walk);
		if (err)
			return err;
	}
	c->reading = digest_u64(c->reading, hash);
	return 0;
}

/* More changed maps than this make a collection instead: a patch is for
 * the few maps whose element counts move. */
#define MAX_PATCHED_MAPS 4096

struct map_probe {
	struct collector *c;
	struct inventory *inv;	/* the maps whose records changed */
	size_t cap, next;
	bool sizes_read;
	bool other;		/* not the last collection's maps */
};

/* Each map record against the last collection's, in the iterator's
 * order: a changed one is kept (and its hash), another id stops the
 * walk (1). */
static int probe_map(const void *r, void *arg)
{
	const struct bpfmem_map_rec *rec = r;
	struct map_probe *p = arg;
	struct collector *c = p->c;
	struct map_digest *d;
	struct map_info *m;
	bool from_table;
	__u64 hash;

	if (!p->sizes_read) {
		p->sizes_read = true;
		return 0;
	}
	if (p->next >= c->nr_map_digests ||
	    c->map_digests[p->next].id != rec->id) {
		p->other = true;
		return 1;
	}
	d = &c->map_digests[p->next++];
	hash = map_rec_hash(r);
	if (hash == d->hash)
		return 0;
	/* more than a patch is for, or a map the inventory set apart
	 * (bpfmem's own, counted apart): a collection */
	if (p->inv->nr_maps >= MAX_PATCHED_MAPS || !d->kept) {
		p->other = true;
		return 1;
	}
	m = append(&p->inv->maps, &p->cap, p->inv->nr_maps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	p->inv->nr_maps++;
	m->rec = *rec;
	map_fixup(c, p->inv, m, &from_table);
	d->hash = hash;
	return 0;
}

/* The maps of the last collection whose records changed, into inv; *other
 * when the maps are not those of the last collection. */
static int probe_maps(struct collector *c, struct inventory *inv,
		      bool *other)
{
	struct map_probe p = { .c = c, .inv = inv, .cap = 16 };
	int err;

	inv->maps = malloc(p.cap * sizeof(*inv->maps));
	if (!inv->maps)
		return -ENOMEM;
	err = for_each_record(c, ITER_MAPS, sizeof(struct bpfmem_map_rec),
			      probe_map, &p);
	if (err < 0)
		return err;
	*other = p.other || p.next != c->nr_map_digests;
	if (*other)
		return 0;
	err = memlock_update(&c->cache, inv);
	/* a read that failed is tried again by a collection, as ever */
	for (size_t i = 0; !err && i < inv->nr_maps; i++)
		if (!inv->maps[i].has_memlock)
			*other = true;
	return err;
}

/*
 * Reads what collector_collect() reads, in its order, into the reading
 * alone, except for the memory cgroups' counters, which go into inv, and
 * the maps, whose records are compared one by one.
 */
int collector_probe(struct collector *c, struct inventory *inv,
		    enum probe_found *found)
{
	unsigned int iters = c->opts.iters;
	bool other = false;
	int err;

	*found = PROBE_OTHER;
	*inv = (struct inventory){};
	probe_memcg_table(&c->features, &inv->memcgs);
	err = read_own_pins(c);
	if (!err && (iters & ITER_BIT(ITER_MEMCGS)))
		err = build_memcgs(c, inv);
	/* paths to walk again: a collection */
	if (err || !memcgs_walk_reusable(c, inv))
		goto out;
	if (iters & ITER_BIT(ITER_FDS))
		err = probe_holders(c);
	if (!err && (iters & ITER_BIT(ITER_LINKS)))
		err = for_each_record(c, ITER_LINKS,
				      sizeof(struct bpfmem_link_rec),
				      ignore_record, NULL);
	if (!err && c->opts.pins) {
		struct inventory pins = {};

		err = pins_collect(&pins, &c->pins);
		if (!err)
			c->reading = digest_pins(c->reading, pins.pins,
						 pins.nr_pins);
		inventory_free(&pins);
	}
	if (!err && (iters & ITER_BIT(ITER_PROGS)))
		err = for_each_record(c, ITER_PROGS,
				      sizeof(struct bpfmem_prog_rec),
				      ignore_record, NULL);
	if (!err && (iters & ITER_BIT(ITER_MAPS)))
		err = probe_maps(c, inv, &other);
	if (!err && !other && c->reading == c->digest)
		*found = inv->nr_maps ? PROBE_MAPS_CHANGED : PROBE_SAME;
out:
	c->settled = *found != PROBE_OTHER;
	if (err)
		inventory_free(inv);
	return err;
}
