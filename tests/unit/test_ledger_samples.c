// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger's three kinds of sample (src/daemon/ledger.h) on made-up
 * inventories: a whole collection replaces it; a counters-only sample
 * swaps the memory cgroups' counters in and keeps every object; a
 * changed-maps sample patches those maps' figures and the totals, or,
 * for a map the ledger does not have where the sample says, takes only
 * the counters and asks for a collection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "daemon/ledger.h"

#define MEMCG 9

static struct map_info map(__u32 id, __u64 memlock, __u64 elements)
{
	struct map_info m = {
		.rec = { .id = id, .kaddr = 0x1000 * id,
			 .type = BPF_MAP_TYPE_HASH, .memcg_id = MEMCG,
			 .elements = elements,
			 .rec_flags = BPFMEM_MAP_HAS_MEMCG |
				      BPFMEM_MAP_HAS_ELEMENTS },
		.bytes_memlock = memlock,
		.has_memlock = true,
		.has_real = true,
		.real = { .memcg = 2 * memlock },
	};

	strcpy(m.rec.name, "fx");
	return m;
}

/* An inventory of the given maps (ascending id) and one memory cgroup's
 * counters, in malloc'd arrays as a collection's. */
static struct inventory inventory(const struct map_info *maps, size_t n,
				  __u64 usage_pages)
{
	struct inventory inv = {
		.maps = malloc((n ?: 1) * sizeof(*maps)),
		.nr_maps = n,
		.memcg_recs = calloc(1, sizeof(struct bpfmem_memcg_rec)),
		.nr_memcg_recs = 1,
	};

	assert_non_null(inv.maps);
	assert_non_null(inv.memcg_recs);
	if (n)
		memcpy(inv.maps, maps, n * sizeof(*maps));
	inv.memcg_recs[0] = (struct bpfmem_memcg_rec){
		.id = MEMCG, .usage_pages = usage_pages, .online = 1,
	};
	return inv;
}

struct world {
	struct ledger l;
	struct creators cr;
};

/* A ledger after one collection of maps 1, 2, 3 (memlock 100 each). */
static int setup(void **state)
{
	const struct map_info maps[] = { map(1, 100, 0), map(2, 100, 4),
					 map(3, 100, 0) };
	struct world *w = calloc(1, sizeof(*w));
	struct inventory inv = inventory(maps, 3, 10);

	if (!w || ledger_update(&w->l, &inv, &w->cr, 1000))
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	ledger_free(&w->l);
	creators_free(&w->cr);
	free(w);
	return 0;
}

static void a_collection_reads_everything(void **state)
{
	struct world *w = *state;

	assert_int_equal(w->l.read, PROBE_OTHER);
	assert_int_equal(w->l.samples, 1);
	assert_int_equal(w->l.totals.maps, 3);
	assert_int_equal(w->l.totals.maps_memlock, 300);
}

static void counters_only_keeps_every_object(void **state)
{
	struct world *w = *state;
	struct inventory counters = inventory(NULL, 0, 77);
	const struct map_info *maps = w->l.inv.maps;

	assert_int_equal(ledger_refresh(&w->l, &counters, &w->cr, 2000), 0);
	assert_int_equal(w->l.read, PROBE_SAME);
	assert_int_equal(w->l.samples, 2);
	assert_int_equal(w->l.time_ms, 2000);
	/* the same arrays, the new counters */
	assert_ptr_equal(w->l.inv.maps, maps);
	assert_int_equal(w->l.inv.nr_maps, 3);
	assert_int_equal(w->l.inv.memcg_recs[0].usage_pages, 77);
	assert_int_equal(w->l.totals.maps_memlock, 300);
}

static void changed_maps_are_patched_with_the_totals(void **state)
{
	struct world *w = *state;
	const struct map_info changed[] = { map(2, 250, 9) };
	struct inventory patch = inventory(changed, 1, 55);

	assert_int_equal(ledger_patch(&w->l, &patch, &w->cr, 3000), 0);
	assert_int_equal(w->l.read, PROBE_MAPS_CHANGED);
	assert_int_equal(w->l.inv.nr_maps, 3);
	assert_int_equal(w->l.inv.maps[1].rec.id, 2);
	assert_int_equal(w->l.inv.maps[1].rec.elements, 9);
	assert_int_equal(w->l.inv.maps[1].bytes_memlock, 250);
	assert_int_equal(model_total(&w->l.inv.maps[1].real), 500);
	/* the others as they were */
	assert_int_equal(w->l.inv.maps[0].bytes_memlock, 100);
	assert_int_equal(w->l.inv.maps[2].rec.elements, 0);
	assert_int_equal(w->l.totals.maps_memlock, 450);
	assert_int_equal(w->l.inv.memcg_recs[0].usage_pages, 55);
}

/* A map the ledger lacks, or one now charged elsewhere: nothing of the
 * maps changes, the counters do, and the caller must collect. */
static void a_map_not_where_the_ledger_has_it_is_refused(void **state)
{
	struct world *w = *state;
	struct map_info moved = map(3, 999, 7);
	const struct map_info unknown[] = { map(4, 999, 7) };
	struct inventory patch = inventory(unknown, 1, 66);

	assert_int_equal(ledger_patch(&w->l, &patch, &w->cr, 4000), -EAGAIN);
	assert_int_equal(w->l.read, PROBE_SAME);
	assert_int_equal(w->l.inv.memcg_recs[0].usage_pages, 66);
	assert_int_equal(w->l.totals.maps_memlock, 300);

	moved.rec.memcg_id = MEMCG + 1;
	patch = inventory(&moved, 1, 67);
	assert_int_equal(ledger_patch(&w->l, &patch, &w->cr, 5000), -EAGAIN);
	assert_int_equal(w->l.inv.maps[2].bytes_memlock, 100);
	assert_int_equal(w->l.inv.maps[2].rec.memcg_id, MEMCG);
	assert_int_equal(w->l.samples, 3);
}

static __u32 order_ids(struct ledger *l, struct sort_spec spec, size_t i)
{
	const struct map_info *const *order = ledger_map_order(l, spec);

	assert_non_null(order);
	return order[i]->rec.id;
}

/* The order the ledger keeps for requests follows what samples change:
 * the same between counters-only samples, another after a patch, after a
 * collection, and for another sort. */
static void the_kept_order_follows_the_figures(void **state)
{
	struct world *w = *state;
	struct sort_spec by_memlock = { .key = 0, .descending = true };
	const struct map_info grown[] = { map(2, 900, 4) };
	const struct map_info next[] = { map(4, 50, 0), map(5, 5000, 0) };
	struct inventory counters = inventory(NULL, 0, 77);
	struct inventory patch = inventory(grown, 1, 10);
	struct inventory all = inventory(next, 2, 10);
	const char *err;

	assert_int_equal(sort_spec_parse("memlock", SORT_MAPS, &by_memlock,
					 &err), 0);
	/* ties by ascending id */
	assert_int_equal(order_ids(&w->l, by_memlock, 0), 1);
	assert_int_equal(order_ids(&w->l, by_memlock, 2), 3);
	assert_int_equal(ledger_refresh(&w->l, &counters, &w->cr, 2000), 0);
	/* not sorted again: a figure changed behind the ledger's back
	 * (never done outside this test) does not show */
	w->l.inv.maps[2].bytes_memlock = 1000;
	assert_int_equal(order_ids(&w->l, by_memlock, 0), 1);
	assert_int_equal(ledger_patch(&w->l, &patch, &w->cr, 3000), 0);
	assert_int_equal(order_ids(&w->l, by_memlock, 0), 3);
	assert_int_equal(order_ids(&w->l, by_memlock, 1), 2);
	/* real bytes: 1,800 for the patched map */
	assert_int_equal(order_ids(&w->l, sort_spec_default(SORT_MAPS), 0), 2);
	by_memlock.descending = false;
	assert_int_equal(order_ids(&w->l, by_memlock, 0), 1);
	by_memlock.descending = true;
	assert_int_equal(ledger_update(&w->l, &all, &w->cr, 4000), 0);
	assert_int_equal(order_ids(&w->l, by_memlock, 0), 5);
	assert_int_equal(order_ids(&w->l, by_memlock, 1), 4);
}

/* A create event read after its map's first sample reaches the ledger at
 * the next counters-only sample. */
static void a_late_creator_is_added(void **state)
{
	struct world *w = *state;
	struct inventory counters = inventory(NULL, 0, 10);
	struct bpfmem_event ev = {
		.kind = BPFMEM_EV_MAP_CREATE, .kaddr = 0x2000, .id = 2,
		.pid = 42, .tgid = 42,
	};

	assert_null(w->l.inv.maps[1].creator);
	assert_int_equal(creators_add(&w->cr, &ev), 0);
	assert_int_equal(ledger_refresh(&w->l, &counters, &w->cr, 6000), 0);
	assert_non_null(w->l.inv.maps[1].creator);
	assert_int_equal(w->l.inv.maps[1].creator->tgid, 42);
	assert_null(w->l.inv.maps[0].creator);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_collection_reads_everything,
						setup, teardown),
		cmocka_unit_test_setup_teardown(counters_only_keeps_every_object,
						setup, teardown),
		cmocka_unit_test_setup_teardown(changed_maps_are_patched_with_the_totals,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_map_not_where_the_ledger_has_it_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(the_kept_order_follows_the_figures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_late_creator_is_added,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
