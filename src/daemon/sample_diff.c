// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "daemon/sample_diff.h"

_Static_assert(BPFMEM_EV_NAME_LEN == BPFMEM_OBJ_NAME_LEN,
	       "an event carries the object's whole name");

static void map_event(const struct map_info *m, __u32 kind, __u64 time_ms,
		      sample_diff_cb cb, void *ctx)
{
	struct event_entry e = {
		.time_ms = time_ms,
		.bytes_memlock = m->bytes_memlock,
		.has_bytes = m->has_memlock,
		.ev = { .kind = kind, .id = m->rec.id, .kaddr = m->rec.kaddr,
			.obj_type = m->rec.type },
	};

	if (m->rec.rec_flags & BPFMEM_MAP_HAS_MEMCG)
		e.ev.memcg_id = m->rec.memcg_id;
	memcpy(e.ev.name, m->rec.name, sizeof(e.ev.name));
	cb(ctx, &e);
}

static void prog_event(const struct prog_info *p, __u32 kind, __u64 time_ms,
		       sample_diff_cb cb, void *ctx)
{
	struct event_entry e = {
		.time_ms = time_ms,
		.bytes_memlock = p->rec.bytes_memlock,
		.has_bytes = true,
		.ev = { .kind = kind, .id = p->rec.id, .kaddr = p->rec.kaddr,
			.obj_type = p->rec.type },
	};

	if (p->rec.rec_flags & BPFMEM_PROG_HAS_MEMCG)
		e.ev.memcg_id = p->rec.memcg_id;
	memcpy(e.ev.name, p->rec.name, sizeof(e.ev.name));
	cb(ctx, &e);
}

/* One merge walk over two id-sorted arrays: what only before has was
 * freed, what only now has was created. */
#define DIFF(before, nr_before, now, nr_now, emit, freed, created)	\
	do {								\
		size_t i = 0, j = 0;					\
									\
		while (i < (nr_before) || j < (nr_now)) {		\
			if (j == (nr_now) ||				\
			    (i < (nr_before) &&				\
			     (before)[i].rec.id < (now)[j].rec.id)) {	\
				emit(&(before)[i++], freed, time_ms, cb, ctx); \
			} else if (i == (nr_before) ||			\
				   (now)[j].rec.id < (before)[i].rec.id) { \
				emit(&(now)[j++], created, time_ms, cb, ctx); \
			} else {					\
				if ((before)[i].rec.kaddr != (now)[j].rec.kaddr) { \
					emit(&(before)[i], freed, time_ms, cb, ctx); \
					emit(&(now)[j], created, time_ms, cb, ctx); \
				}					\
				i++;					\
				j++;					\
			}						\
		}							\
	} while (0)

void sample_diff(const struct inventory *before, const struct inventory *now,
		 __u64 time_ms, sample_diff_cb cb, void *ctx)
{
	DIFF(before->maps, before->nr_maps, now->maps, now->nr_maps, map_event,
	     BPFMEM_EV_MAP_FREE, BPFMEM_EV_MAP_CREATE);
	DIFF(before->progs, before->nr_progs, now->progs, now->nr_progs,
	     prog_event, BPFMEM_EV_PROG_FREE, BPFMEM_EV_PROG_LOAD);
}
