/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One collection of every BPF map and program: the iterator records plus
 * what user space adds (memlock from fdinfo, holders, memcg path).
 */
#ifndef BPFMEM_INVENTORY_H
#define BPFMEM_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include "records.h"
#include "base/memcg.h"
#include "events.h"
#include "inventory/model_types.h"
#include "traced.h"

/* A process holding an fd to a BPF object. */
struct holder {
	__u32 kind;		/* enum bpfmem_obj_kind */
	__u32 id;
	__u32 pid;
	char comm[BPFMEM_COMM_LEN];
	__u64 memcg_id;		/* the process's memory cgroup; 0: unknown */
	const char *memcg_path;	/* NULL when unknown */
};

/* A slice of one of the inventory's arrays. */
struct span {
	__u32 first;
	__u32 count;
};

/* A BPF object pinned in a bpffs mount. */
struct pin {
	__u32 kind;		/* enum bpfmem_obj_kind */
	__u32 id;
	char *path;
};

/* A program using a map (from the program's map_ids). */
struct map_user {
	__u32 map_id;
	__u32 prog_id;
};

struct map_info {
	struct bpfmem_map_rec rec;
	__u64 bytes_memlock;
	bool has_memlock;
	struct span holders;
	struct span users;		/* inventory.map_users */
	struct span pins;		/* inventory.pins */
	const char *memcg_path;		/* NULL when unknown */
	/* the path the daemon saw the charged cgroup alive at, kept after
	 * it is removed (src/daemon/seen_paths.h); NULL when unknown */
	const char *memcg_seen_path;
	/* the real-bytes model's figure (src/model/model.h), where it covers
	 * the map */
	bool has_real;
	struct model_bytes real;
	/* seen by the lifecycle hooks (the daemon); NULL when created
	 * before they ran */
	const struct bpfmem_event *creator;
	const char *creator_memcg_path;	/* its memcg's, as memcg_path */
	/* what the accounting hooks (the daemon) counted since its
	 * creation; has_traced false when they did not see it created */
	bool has_traced;
	struct bpfmem_traced traced;
	/* one of bpfmem's own (src/collect/own_filter.h), listed on request */
	bool own;
};

struct prog_info {
	struct bpfmem_prog_rec rec;
	struct span holders;
	struct span links;		/* inventory.links */
	struct span pins;
	__u64 loaded_at;		/* Unix time, seconds */
	const struct bpfmem_event *creator;	/* as for maps */
	const char *creator_memcg_path;
	const char *memcg_path;		/* as for maps */
	const char *memcg_seen_path;
	bool has_real;			/* as for maps (src/model/model_prog.h) */
	struct model_bytes real;
	bool has_traced;			/* as for maps */
	struct bpfmem_traced traced;
	bool own;				/* as for maps */
};

/* bpfmem's own maps and programs in the collection (src/collect/own_filter.h):
 * hidden from its lists unless shown, counted here either way */
struct own_summary {
	__u32 nr_maps;
	__u32 nr_progs;
	__u64 bytes_real;	/* the model's, where it covers them */
	__u64 bytes_memlock;
	bool shown;		/* listed, marked, rather than hidden */
};

struct inventory {
	struct map_info *maps;		/* ascending id */
	size_t nr_maps;
	struct prog_info *progs;	/* ascending id */
	size_t nr_progs;
	/* ascending (kind, id, pid), one per process and object */
	struct holder *holders;
	size_t nr_holders;
	/* ascending (prog_id, id) */
	struct bpfmem_link_rec *links;
	size_t nr_links;
	/* ascending (map_id, prog_id) */
	struct map_user *map_users;
	size_t nr_map_users;
	/* ascending (kind, id, path); only when pins were asked for */
	struct pin *pins;
	size_t nr_pins;
	bool has_pins;
	/* every memory cgroup's counters, ascending id; none where the
	 * cgroup iterator is not available */
	struct bpfmem_memcg_rec *memcg_recs;
	size_t nr_memcg_recs;
	/* map_info.memcg_path points into it */
	struct memcg_table memcgs;
	/* the size of a JIT pack (src/model/packs.h); 0 when unknown */
	__u64 prog_pack_size;
	/* CLOCK_REALTIME - CLOCK_BOOTTIME when collected, in ns */
	__s64 boot_to_real_ns;
	struct own_summary own;
	/* entries own_filter() dropped from the front of maps and progs:
	 * the arrays begin that far into their allocations */
	size_t maps_front, progs_front;
};

void inventory_free(struct inventory *inv);
const struct holder *inventory_holders(const struct inventory *inv,
				       struct span span);
/* The pins of object (kind, id). */
struct span inventory_find_pins(const struct inventory *inv, __u32 kind,
				__u32 id);
/* The links of a program; the programs using a map. */
struct span inventory_find_links(const struct inventory *inv, __u32 prog_id);
struct span inventory_find_users(const struct inventory *inv, __u32 map_id);
/* Points every map and program at its holders, users, links and pins
 * (the arrays sorted as above). */
void inventory_join(struct inventory *inv);
/* The holders of object (kind, id). */
struct span inventory_find_holders(const struct inventory *inv, __u32 kind,
				   __u32 id);
/* The name bpftool shows: the BTF function name where aux->name is cut. */
static inline const char *prog_name(const struct prog_info *p)
{
	return p->rec.func_name[0] ? p->rec.func_name : p->rec.name;
}

/* A CLOCK_BOOTTIME stamp as Unix time in seconds, as bpftool converts
 * load times. */
static inline __u64 boot_to_unix_seconds(const struct inventory *inv,
					 __u64 boot_ns)
{
	return (inv->boot_to_real_ns + (__s64)boot_ns) / 1000000000LL;
}

/* The memory cgroup the map was charged to has been removed: the charge
 * now sits with an ancestor (the one memcg names), or the memcg is gone
 * from the hierarchy. */
static inline bool map_memcg_dying(const struct map_info *m)
{
	return (m->rec.rec_flags & BPFMEM_MAP_MEMCG_REPARENTED) ||
	       (m->rec.memcg_id && !m->memcg_path);
}

static inline bool prog_memcg_dying(const struct prog_info *p)
{
	return (p->rec.rec_flags & BPFMEM_PROG_MEMCG_REPARENTED) ||
	       (p->rec.memcg_id && !p->memcg_path);
}

/* Fraction of max_entries in use, or -1 where the kernel keeps no count. */
double map_fill_ratio(const struct map_info *m);

#endif
