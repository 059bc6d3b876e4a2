/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A described machine for the model's unit tests: 2 CPUs, 4 KiB pages, the
 * kmalloc classes of x86_64 and the struct sizes of Linux 6.18 (what the
 * iterators read with CO-RE).
 */
#ifndef BPFMEM_TEST_MODEL_ENV_H
#define BPFMEM_TEST_MODEL_ENV_H

#include "inventory/model_types.h"

static const struct model_env env = {
	.possible_cpus = 2,
	.page_size = 4096,
	.nr_classes = 13,
	.classes = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
		     8192 },
	/* the struct sizes of 6.18 on x86_64 */
	.map_sizes = {
		.htab = 832, .htab_elem = 48, .bucket = 16, .array = 312,
		.queue_stack = 312, .freelist_head = 16, .lru_locallist = 32,
		.lru_list = 128, .mem_cache = 208,
		.array_aux = 88, .stack_map = 320, .stack_bucket = 16, .bloom = 312,
		.ringbuf_map = 304, .stab = 376, .shtab = 384, .shtab_bucket = 16,
		.dtab = 344, .dtab_netdev = 64, .cpu_map = 304, .cpu_map_entry = 360,
		.cpu_bulk_queue = 96, .ptr_ring = 192, .xsk_map = 304,
		.xsk_map_node = 32, .reuseport_array = 296, .arena = 400,
		.struct_ops_map = 512, .struct_ops_value = 64,
		.lpm_trie = 400, .lpm_node = 24,
		.storage_map = 448, .storage = 176, .storage_bucket = 16, .map = 296,
		.cgroup_storage_map = 328, .cgroup_storage = 104, .storage_buffer = 16,
	},
};

#endif
