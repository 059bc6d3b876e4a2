// SPDX-License-Identifier: GPL-2.0
/*
 * meminfo and packs on a described inventory: the totals are the sums of
 * the objects' own figures, uncovered objects are counted and not guessed,
 * and a pack's unused space and free runs follow from where its images
 * are.
 */
#include "cmocka_wrap.h"
#include "model/meminfo.h"
#include "model/packs.h"

#define PACK (2u << 20)
#define BASE 0xffffffffc0000000ull

static struct model_bytes bytes(__u64 memcg, __u64 root, enum model_alloc a)
{
	struct model_bytes b = { .memcg = memcg, .root = root };

	b.alloc[a] = memcg + root;
	return b;
}

static void totals_are_the_objects_sums(void **state)
{
	struct map_info maps[3] = {
		{ .has_real = true, .real = bytes(1000, 24, MODEL_SLAB) },
		{ .has_real = true, .real = bytes(8192, 0, MODEL_VMALLOC) },
		{ .has_real = false },	/* a type the model does not cover */
	};
	struct prog_info progs[2] = {
		{ .has_real = true, .real = bytes(6000, 128, MODEL_VMALLOC) },
		{ .has_real = true, .real = bytes(7000, 192, MODEL_VMALLOC) },
	};
	struct inventory inv = { .maps = maps, .nr_maps = 3, .progs = progs,
				 .nr_progs = 2, .prog_pack_size = PACK };
	struct pack_table packs;
	struct meminfo m;

	(void)state;
	progs[0].rec.nr_packs = progs[1].rec.nr_packs = 1;
	progs[0].rec.packs[0] = (struct bpfmem_prog_pack_share){ BASE, 128, 1 };
	progs[1].rec.packs[0] = (struct bpfmem_prog_pack_share){ BASE, 192, 1 };
	assert_int_equal(packs_build(&inv, &packs), 0);
	meminfo_build(&inv, &packs, &m);
	assert_int_equal(m.maps, 1024 + 8192);
	assert_int_equal(m.progs, 6128 + 7192);
	assert_int_equal(m.maps_uncovered, 1);
	assert_int_equal(m.progs_uncovered, 0);
	/* the pack's rest is "other" */
	assert_int_equal(m.other, PACK - 320);
	assert_int_equal(meminfo_total(&m), 1024 + 8192 + 6128 + 7192 +
						    PACK - 320);
	assert_int_equal(m.alloc[MODEL_SLAB] + m.alloc[MODEL_VMALLOC] +
				 m.alloc[MODEL_PERCPU] + m.alloc[MODEL_PAGES],
			 meminfo_total(&m));
	assert_int_equal(m.charged + m.root, meminfo_total(&m));
	assert_int_equal(m.nr_packs, 1);
	packs_free(&packs);
}

static void free_runs_follow_the_images(void **state)
{
	struct prog_info progs[2] = {};
	struct inventory inv = { .progs = progs, .nr_progs = 2,
				 .prog_pack_size = PACK };
	struct pack_table t;
	const struct pack_info *p;

	(void)state;
	/* 64 bytes at the start, 128 bytes at 1 MiB */
	progs[0].rec = (struct bpfmem_prog_rec){
		.id = 7, .nr_images = 1, .nr_packs = 1,
		.images = { { BASE, 64 } },
		.packs = { { BASE, 64, 1 } },
	};
	progs[1].rec = (struct bpfmem_prog_rec){
		.id = 9, .nr_images = 1, .nr_packs = 1,
		.images = { { BASE + (1 << 20), 128 } },
		.packs = { { BASE, 128, 1 } },
	};
	assert_int_equal(packs_build(&inv, &t), 0);
	assert_int_equal(t.n, 1);
	p = &t.packs[0];
	assert_int_equal(p->bytes_programs, 192);
	assert_int_equal(p->nr_progs, 2);
	assert_true(p->extents_complete);
	assert_int_equal(p->largest_free, (1 << 20) - 64);
	/* unused: 2 MiB - 192, of which the largest run is 1 MiB - 64 */
	assert_true(pack_fragmentation(p) > 0.49 && pack_fragmentation(p) < 0.51);
	packs_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totals_are_the_objects_sums),
		cmocka_unit_test(free_runs_follow_the_images),
	};

	return cmocka_run_group_tests_name("meminfo", tests, NULL, NULL);
}
