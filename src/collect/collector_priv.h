/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The collector, shared by collector.c (reading the iterators into an
 * inventory) and iterators.c (loading, pinning and opening them). Private
 * to src/collect/.
 */
#ifndef BPFMEM_COLLECTOR_PRIV_H
#define BPFMEM_COLLECTOR_PRIV_H

#include <limits.h>
#include "collect/collector.h"
#include "collect/memlock.h"
#include "collect/own_ids.h"
#include "collect/pins.h"
#include "inventory.skel.h"

/* the kinds whose new ids make bpfmemd walk holders again: maps, programs,
 * links */
#define NR_HOLDER_KINDS 3

/* A map record of the last collection, hashed (src/base/digest.h), and
 * whether the inventory kept the map: not one of bpfmem's own, set apart
 * (collector_set_own_apart()), nor freed before its memlock was read. */
struct map_digest {
	__u32 id;
	bool kept;
	__u64 hash;
};

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
	__u64 walked_hash;	/* of its holders (digest_holders()) */
	__u32 walked_max_id[NR_HOLDER_KINDS];
	/* the last walk of the memory cgroup hierarchy, and the names of
	 * the memory cgroups online when it was made */
	struct memcg_table memcgs_walked;
	__u64 memcgs_walked_names;
	char *chunk;			/* for_each_record()'s buffer */
	/* what the collection or probe under way has read
	 * (src/base/digest.h) but map records, what the last whole
	 * collection read, and whether the last sample found the objects
	 * that collection did (or changed maps only: collector_probe()) */
	__u64 reading;
	__u64 digest;
	bool settled;
	/* each map record of the last collection, in the iterator's order,
	 * patched by collector_probe(); and those of the collection under
	 * way */
	struct map_digest *map_digests;
	size_t nr_map_digests;
	struct map_digest *maps_read;
	size_t nr_maps_read, cap_maps_read;
	size_t last_count[NR_ITERS];	/* records of the last collection */
};

#define SET_MSG(...) snprintf(msg, msg_size, __VA_ARGS__)

/* Holds the iterators an earlier run pinned and loads the others (pinning
 * them under opts.pin_root); 0, or -errno with msg and *exit_code set as
 * for collector_new(). */
int iterators_start(struct collector *c, char *msg, size_t msg_size,
		    int *exit_code);
/* Unloads what iterators_start() loaded and lets go of the pins. */
void iterators_stop(struct collector *c);
/* A new read session of iterator k; -errno on failure. */
int iterators_open(struct collector *c, enum iter_kind k);
/* An fd of one of the memory cgroup iterator's maps (0: its records,
 * 1: their count), to close; -errno on failure. */
int iterators_memcg_map_fd(struct collector *c, int which);

#endif
