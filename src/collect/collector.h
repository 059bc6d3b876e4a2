/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The collector walks every BPF map, program and BPF file descriptor with
 * the inventory iterators and turns the records into an inventory. It
 * keeps its own iterator programs loaded between collections, never a
 * reference to anybody else's object.
 */
#ifndef BPFMEM_COLLECTOR_H
#define BPFMEM_COLLECTOR_H

#include <stdbool.h>
#include "inventory/inventory.h"
#include "collect/kernel_features.h"

/* Exit codes of the command line, documented in README.md. */
enum bpfmem_exit {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_NO_PRIVILEGE = 3,
	EXIT_NO_KERNEL_SUPPORT = 4,
};

enum iter_kind {
	ITER_MAPS,
	ITER_PROGS,
	ITER_FDS,		/* holders: processes with fds to objects */
	ITER_LINKS,
	ITER_MEMCGS,		/* counters of every memory cgroup */
	NR_ITERS,
};

/* Where the command line keeps its iterators pinned between runs, one
 * directory a build. */
#define BPFMEM_PIN_ROOT "/sys/fs/bpf/bpfmem"

#define ITER_BIT(k) (1u << (k))
#define ITER_ALL ((1u << NR_ITERS) - 1)

struct collector_opts {
	/* What to collect (ITER_BIT mask); the rest is never loaded. */
	unsigned int iters;
	/* Directory on bpffs for iterators kept loaded between runs of the
	 * command line; NULL to load them afresh every time. */
	const char *pin_root;
	/* File for the memlock cache; NULL for none. */
	const char *cache_path;
	/* Walk every bpffs mount for pinned objects. */
	bool pins;
	/* List bpfmem's own programs and maps too, marked (src/collect/own_filter.h);
	 * else they are left out, and counted in inventory.own. */
	bool keep_own;
	/* Iterators pinned below it, by any run and build of bpfmem, are
	 * bpfmem's own too, whether this collector uses them or not
	 * (--no-cache, bpfmemd). NULL: none. */
	const char *own_pin_root;
	/* Probe every feature at start (bpfmemd, once), not only the cheap
	 * ones (src/collect/probe.h). */
	bool probe_all;
	/* Reuse the last walk of every open file on the host (the holders)
	 * for up to this long unless a map, program or link appeared since,
	 * and the last walk of the memory cgroup hierarchy (the paths)
	 * while the iterator finds the same memory cgroups online under the
	 * same names (bpfmemd's walk_interval; 0: walk both at every
	 * collection, and hash nothing for collector_probe()). */
	__u64 walks_max_age_ns;
};

struct collector;

/*
 * 0, or a negative errno with a one-line explanation that names what is
 * missing and how to fix it in msg; *exit_code says which kind of failure
 * (enum bpfmem_exit).
 */
int collector_new(const struct collector_opts *opts, struct collector **out,
		  char *msg, size_t msg_size, int *exit_code);
/* One collection's records, with memlock and memory cgroup paths: not
 * yet joined to their holders, users, links and pins, no real bytes, and
 * bpfmem's own objects not yet set apart. pipeline_collect() (src/pipeline/pipeline.h) is the whole
 * collection. */
int collector_collect(struct collector *c, struct inventory *inv);
/* Whether the last collection or probe found the objects of the whole
 * collection before it: then the next sample may probe first. */
bool collector_settled(const struct collector *c);
/* The last collection was not used: the next sample collects, and the one
 * after it compares with that. */
void collector_unsettle(struct collector *c);
/* What collector_probe() found against the last collection. */
enum probe_found {
	PROBE_OTHER,		/* other objects, or paths to walk: collect */
	PROBE_SAME,		/* the same: inv has the counters alone */
	/* the same objects, but the records of some maps changed (element
	 * counts): inv has the counters and those maps, with memlock */
	PROBE_MAPS_CHANGED,
};

/*
 * bpfmemd's cheap sample: runs the iterators but keeps only the memory
 * cgroups' counters (inv->memcg_recs) and the maps whose records changed
 * since the last sample (the last collector_collect(), patched by the
 * probes since), provided every other record, the holders, the pins and
 * bpfmem's pinned objects are as that collection read them and its
 * memory cgroup paths still stand (*found). A changed map that the
 * inventory set apart, or whose memlock cannot be read, makes it
 * PROBE_OTHER. inv is to free with inventory_free(). 0 or -errno.
 */
int collector_probe(struct collector *c, struct inventory *inv,
		    enum probe_found *found);
/* This machine's allocators and this kernel's struct sizes (the maps
 * iterator's first record), for the model; NULL where they could not be
 * read (no real bytes). */
const struct model_env *collector_model_env(const struct collector *c);
/* Sets bpfmem's own maps and programs apart (src/collect/own_filter.h):
 * after the model, whose bytes they are counted with. */
void collector_set_own_apart(struct collector *c, struct inventory *inv);
const struct features *collector_features(const struct collector *c);
/* The iterators (ITER_BIT mask) kept pinned for later runs, in *dir:
 * found pinned or pinned now; 0 without opts.pin_root. */
unsigned int collector_pinned(const struct collector *c, const char **dir);
/* "maps", "progs"...: the iterator's name, as pinned */
const char *iter_name(enum iter_kind k);
void collector_free(struct collector *c);

#endif
