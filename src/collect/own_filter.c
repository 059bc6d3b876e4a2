// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "collect/own_filter.h"
#include "own_names.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool known_map(const struct own_ids *const *known, size_t n, __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (own_ids_has_map(known[i], id))
			return true;
	return false;
}

static bool known_prog(const struct own_ids *const *known, size_t n,
		       __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (own_ids_has_prog(known[i], id))
			return true;
	return false;
}

/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a name. */
static bool has_own_name(const char *name, const char *const *names,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(name, names[i], BPFMEM_OBJ_NAME_LEN - 1))
			return true;
	return false;
}

static bool is_bpfmem_comm(const char *comm)
{
	return !strcmp(comm, "bpfmemd") || !strcmp(comm, "bpfmem");
}

/* This process's name as its holder records would give it: the group
 * leader's (a collection may run on a thread of another name). */
static bool self_is_bpfmem(void)
{
	char comm[BPFMEM_COMM_LEN + 1] = "";
	FILE *f = fopen("/proc/self/comm", "re");

	if (!f)
		return false;
	if (fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
	return is_bpfmem_comm(comm);
}

/* Held, and by bpfmem processes only; held_by_self: this process, a
 * bpfmem one, holds it (the collection leaves it out of the holders). */
static bool held_by_bpfmem(const struct inventory *inv, struct span span,
			   bool held_by_self)
{
	const struct holder *h = inventory_holders(inv, span);

	for (__u32 i = 0; i < span.count; i++)
		if (!is_bpfmem_comm(h[i].comm))
			return false;
	return span.count > 0 || held_by_self;
}

static int cmp_prog_id(const void *key, const void *elem)
{
	__u32 id = *(const __u32 *)key;
	__u32 other = ((const struct prog_info *)elem)->rec.id;

	return id < other ? -1 : id > other;
}

/* A map of a command line run's iterators after the run exited: the
 * kernel drops a freed program's maps only after an RCU grace period and
 * a work item, and meanwhile they are listed with no holder. No fd or pin
 * holds it, no live program uses it, and it has one of those maps' names
 * and their kind (an array: an inner map of a map-in-map is held the same
 * way, and its name is somebody else's choice). */
static bool dying_iterator_map(const struct map_info *m)
{
	return (m->rec.rec_flags & BPFMEM_MAP_NO_USER_REFS) &&
	       !m->users.count &&
	       (m->rec.type == BPF_MAP_TYPE_ARRAY ||
		m->rec.type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	       has_own_name(m->rec.name, own_iter_map_names,
			    N(own_iter_map_names));
}

/* inv->progs is in ascending id order here (src/collect/collector.c). */
static bool used_by_own_prog(const struct inventory *inv,
			     const struct map_info *m)
{
	for (__u32 i = 0; i < m->users.count; i++) {
		__u32 id = inv->map_users[m->users.first + i].prog_id;
		const struct prog_info *p = bsearch(&id, inv->progs,
						    inv->nr_progs,
						    sizeof(*p), cmp_prog_id);

		if (p && p->own)
			return true;
	}
	return false;
}

/* Removes the entries whose bool at own_at is set from the array at
 * *base, keeping the order. bpfmem's own objects are few, and often the
 * oldest (the iterators bpfmem-prepare pinned at boot): a run of them at
 * the front is dropped by moving *base past it (*front counts how far),
 * where moving the 10,000 map_info after it was most of this filter's
 * cost in a sample; later ones by moving whole runs. Returns the entries
 * kept. */
static size_t drop_own(void **base, size_t *front, size_t n, size_t size,
		       size_t own_at)
{
	char *p = *base;
	size_t kept = 0, i = 0;

	if (!n)
		return 0;
	while (i < n && *(bool *)(p + i * size + own_at))
		i++;
	p += i * size;
	n -= i;
	*front += i;
	*base = p;
	i = 0;
	while (i < n) {
		size_t run = i;

		while (run < n && !*(bool *)(p + run * size + own_at))
			run++;
		if (run > i && kept != i)
			memmove(p + kept * size, p + i * size, (run - i) * size);
		kept += run - i;
		i = run + 1;	/* past the own entry that ended the run */
	}
	return kept;
}

void own_filter(struct inventory *inv, const struct own_ids *const *known,
		size_t nr_known, const struct own_ids *held, bool keep)
{
	struct own_summary *s = &inv->own;
	bool self = self_is_bpfmem();

	*s = (struct own_summary){ .shown = keep };
	for (size_t i = 0; i < inv->nr_progs; i++) {
		struct prog_info *p = &inv->progs[i];

		p->own = known_prog(known, nr_known, p->rec.id) ||
			 (held_by_bpfmem(inv, p->holders,
					 self && own_ids_has_prog(held, p->rec.id)) &&
			  has_own_name(p->rec.name, own_prog_names,
				       N(own_prog_names)));
	}
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];

		m->own = known_map(known, nr_known, m->rec.id) ||
			 (held_by_bpfmem(inv, m->holders,
					 self && own_ids_has_map(held, m->rec.id)) &&
			  has_own_name(m->rec.name, own_map_names,
				       N(own_map_names))) ||
			 used_by_own_prog(inv, m) || dying_iterator_map(m);
		if (!m->own)
			continue;
		s->nr_maps++;
		s->bytes_memlock += m->bytes_memlock;
		s->bytes_real += m->has_real ? model_total(&m->real) : 0;
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];

		if (!p->own)
			continue;
		s->nr_progs++;
		s->bytes_memlock += p->rec.bytes_memlock;
		s->bytes_real += p->has_real ? model_total(&p->real) : 0;
	}
	if (keep)
		return;
	inv->nr_maps = drop_own((void **)&inv->maps, &inv->maps_front,
				inv->nr_maps, sizeof(*inv->maps),
				offsetof(struct map_info, own));
	inv->nr_progs = drop_own((void **)&inv->progs, &inv->progs_front,
				 inv->nr_progs, sizeof(*inv->progs),
				 offsetof(struct prog_info, own));
}

bool own_event(const struct bpfmem_event *ev)
{
	bool map = ev->kind == BPFMEM_EV_MAP_CREATE ||
		   ev->kind == BPFMEM_EV_MAP_FREE;

	if (!is_bpfmem_comm(ev->comm))
		return false;
	/* libbpf's feature probes, made and freed as bpfmem loads: unnamed
	 * or named libbpf_ (bpfmem demo names its objects) */
	if (!ev->name[0] || !strncmp(ev->name, "libbpf_", 7))
		return true;
	return map ? has_own_name(ev->name, own_map_names, N(own_map_names)) :
		     has_own_name(ev->name, own_prog_names, N(own_prog_names));
}
