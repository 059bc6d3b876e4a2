// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "base/fdinfo.h"
#include "base/atomic_file.h"
#include "base/log.h"
#include "collect/memlock.h"

#define CACHE_MAGIC "BPFMEMC1"

struct cache_header {
	char magic[8];
	__u32 entry_size;
	__u32 count;
};

void memlock_cache_free(struct memlock_cache *c)
{
	free(c->entries);
	*c = (struct memlock_cache){};
}

void memlock_cache_load(struct memlock_cache *c, const char *path)
{
	struct cache_header h;
	struct stat st;
	size_t bytes;
	int fd;

	*c = (struct memlock_cache){};
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || read(fd, &h, sizeof(h)) != sizeof(h) ||
	    memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) ||
	    h.entry_size != sizeof(struct memlock_entry))
		goto out;
	bytes = (size_t)h.count * sizeof(struct memlock_entry);
	if ((size_t)st.st_size != sizeof(h) + bytes)
		goto out;
	c->entries = malloc(bytes ? bytes : 1);
	if (!c->entries)
		goto out;
	if (read(fd, c->entries, bytes) != (ssize_t)bytes) {
		memlock_cache_free(c);
		goto out;
	}
	c->n = h.count;
	/* memlock_fill() walks it in ascending id */
	for (size_t i = 1; i < c->n; i++)
		if (c->entries[i - 1].id >= c->entries[i].id) {
			memlock_cache_free(c);
			break;
		}
out:
	close(fd);
}

int memlock_cache_save(const struct memlock_cache *c, const char *path)
{
	struct cache_header h = { .entry_size = sizeof(struct memlock_entry),
				  .count = c->n };
	struct iovec iov[] = {
		{ &h, sizeof(h) },
		{ c->entries, c->n * sizeof(struct memlock_entry) },
	};

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	return atomic_write(path, 0600, iov, 2, ATOMIC_VOLATILE);
}

/* -ENOENT when the map is gone. slot: NULL where none could be opened. */
static int read_memlock(struct fdinfo_slot *slot, __u32 id, __u64 *memlock)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
	char text[1024];
	int fd, err;

	fd = bpf_map_get_fd_by_id_opts(id, &opts);
	if (fd < 0)
		return -errno;
	err = fdinfo_slot_read(slot, fd, text, sizeof(text));
	if (err < 0)
		return err;
	return fdinfo_parse_u64(text, "memlock", memlock);
}

static bool entry_matches(const struct memlock_entry *e,
			  const struct bpfmem_map_rec *rec)
{
	bool counted = rec->rec_flags & BPFMEM_MAP_HAS_ELEMENTS;

	return e->kaddr == rec->kaddr && e->has_elements == counted &&
	       (!counted || e->elements == rec->elements);
}

/* fdinfo reads of maps the cache cannot answer, shared by worker
 * threads: each read is a few syscalls, and a cold run does one per map. */
struct reads {
	const struct map_info *maps;
	const size_t *which;	/* indices into maps */
	__u64 *memlock;
	int *err;
	size_t n;
	atomic_size_t next;
};

static void *read_some(void *arg)
{
	struct reads *r = arg;
	struct fdinfo_slot slot;
	bool has_slot = false, tried = false;
	size_t k;

	while ((k = atomic_fetch_add(&r->next, 1)) < r->n) {
		if (!tried) {
			has_slot = !fdinfo_slot_open(&slot);
			tried = true;
		}
		r->err[k] = read_memlock(has_slot ? &slot : NULL,
					 r->maps[r->which[k]].rec.id,
					 &r->memlock[k]);
	}
	if (has_slot)
		fdinfo_slot_close(&slot);
	return NULL;
}

/* Below this many reads a thread costs more than it saves. */
#define READS_PER_THREAD 512
#define MAX_THREADS 8

static void read_all(struct reads *r)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = r->n / READS_PER_THREAD;
	pthread_t tids[MAX_THREADS];
	size_t started = 0;

	if (threads > (size_t)cpus)
		threads = cpus;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* this thread reads too */
	for (; started + 1 < threads; started++)
		if (pthread_create(&tids[started], NULL, read_some, r))
			break;
	read_some(r);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

/* Moves map i to slot kept (kept <= i): a map is 576 bytes, and most
 * stay where they are. */
static void keep(struct inventory *inv, size_t kept, size_t i)
{
	if (kept != i)
		inv->maps[kept] = inv->maps[i];
}

int memlock_fill(struct memlock_cache *c, struct inventory *inv)
{
	struct reads r = { .maps = inv->maps };
	struct memlock_entry *fresh;
	const struct memlock_entry **old;
	size_t kept = 0, k = 0, *which;
	int err = -ENOMEM;

	fresh = calloc(inv->nr_maps ? inv->nr_maps : 1, sizeof(*fresh));
	old = calloc(inv->nr_maps ? inv->nr_maps : 1, sizeof(*old));
	which = calloc(inv->nr_maps ? inv->nr_maps : 1, sizeof(*which));
	r.memlock = calloc(inv->nr_maps ? inv->nr_maps : 1, sizeof(*r.memlock));
	r.err = calloc(inv->nr_maps ? inv->nr_maps : 1, sizeof(*r.err));
	if (!fresh || !old || !which || !r.memlock || !r.err)
		goto out;
	/* both in ascending id: one merge walk */
	for (size_t i = 0, j = 0; i < inv->nr_maps; i++) {
		__u32 id = inv->maps[i].rec.id;

		while (j < c->n && c->entries[j].id < id)
			j++;
		old[i] = j < c->n && c->entries[j].id == id ? &c->entries[j] :
							      NULL;
		if (!old[i] || !entry_matches(old[i], &inv->maps[i].rec))
			which[r.n++] = i;
	}
	r.which = which;
	read_all(&r);

	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];
		struct memlock_entry *e = &fresh[kept];

		if (k < r.n && which[k] == i) {
			int read_err = r.err[k];

			e->memlock = r.memlock[k++];
			if (read_err == -ENOENT)
				continue;	/* freed since it was iterated */
			c->dirty = true;
			e->id = m->rec.id;
			if (read_err) {
				/* kaddr stays 0: never matches, re-read next
				 * time */
				log_debug("map %u: memlock from fdinfo: %s\n",
					  m->rec.id, strerror(-read_err));
				m->has_memlock = false;
				keep(inv, kept++, i);
				continue;
			}
			e->kaddr = m->rec.kaddr;
			e->has_elements = !!(m->rec.rec_flags &
					     BPFMEM_MAP_HAS_ELEMENTS);
			e->elements = m->rec.elements;
		} else {
			*e = *old[i];
		}
		m->bytes_memlock = e->memlock;
		m->has_memlock = true;
		keep(inv, kept++, i);
	}
	if (kept != c->n)
		c->dirty = true;
	free(c->entries);
	c->entries = fresh;
	fresh = NULL;
	c->n = kept;
	inv->nr_maps = kept;
	err = 0;
out:
	free(fresh);
	free(old);
	free(which);
	free(r.memlock);
	free(r.err);
	return err;
}

static int cmp_entry_id(const void *key, const void *elem)
{
	__u32 id = *(const __u32 *)key;
	__u32 other = ((const struct memlock_entry *)elem)->id;

	return id < other ? -1 : id > other;
}

int memlock_update(struct memlock_cache *c, struct inventory *inv)
{
	size_t n = inv->nr_maps ? inv->nr_maps : 1;
	struct reads r = { .maps = inv->maps };
	struct memlock_entry **entry;
	size_t *which;
	int err = -ENOMEM;

	entry = calloc(n, sizeof(*entry));
	which = calloc(n, sizeof(*which));
	r.memlock = calloc(n, sizeof(*r.memlock));
	r.err = calloc(n, sizeof(*r.err));
	if (!entry || !which || !r.memlock || !r.err)
		goto out;
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];

		entry[i] = c->n ? bsearch(&m->rec.id, c->entries, c->n,
					  sizeof(*c->entries), cmp_entry_id) :
				  NULL;
		if (entry[i] && entry_matches(entry[i], &m->rec)) {
			m->bytes_memlock = entry[i]->memlock;
			m->has_memlock = true;
		} else {
			which[r.n++] = i;
		}
	}
	r.which = which;
	read_all(&r);
	for (size_t k = 0; k < r.n; k++) {
		struct map_info *m = &inv->maps[which[k]];
		struct memlock_entry *e = entry[which[k]];

		m->has_memlock = !r.err[k];
		m->bytes_memlock = r.err[k] ? 0 : r.memlock[k];
		if (!e)
			continue;
		/* kaddr 0 never matches: read again next time */
		e->kaddr = r.err[k] ? 0 : m->rec.kaddr;
		e->memlock = m->bytes_memlock;
		e->has_elements = !!(m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS);
		e->elements = m->rec.elements;
		c->dirty = true;
	}
	err = 0;
out:
	free(entry);
	free(which);
	free(r.memlock);
	free(r.err);
	return err;
}
