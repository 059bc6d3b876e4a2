/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records written by the inventory iterators (bpf/inventory.bpf.c) and read
 * by the collector (src/collect/collector.c). Fixed-width fields only: the same
 * layout is compiled for the BPF target and for user space.
 */
#ifndef BPFMEM_RECORDS_H
#define BPFMEM_RECORDS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BPFMEM_OBJ_NAME_LEN 16
#define BPFMEM_COMM_LEN 16
#define BPFMEM_TAG_LEN 8
/* Long enough for the BTF function names programs are given in practice;
 * bpftool shows that name where the 16-byte one is cut short. */
#define BPFMEM_FUNC_NAME_LEN 64
/* MAX_USED_MAPS in include/linux/bpf_verifier.h */
#define BPFMEM_MAX_USED_MAPS 64

/* Sizes of the kernel structs the real-bytes model (src/model/model.h) needs,
 * read with CO-RE by the map iterator: this kernel's, not the build's. */
struct bpfmem_kernel_sizes {
	__u32 htab;
	__u32 htab_elem;
	__u32 bucket;
	__u32 array;
	__u32 queue_stack;
	__u32 freelist_head;
	__u32 lru_locallist;
	__u32 lru_list;
	__u32 mem_cache;
	/* the other map types' structs (0 where this kernel has none) */
	__u32 array_aux;	/* prog_array's bpf_array_aux */
	__u32 stack_map;
	__u32 stack_bucket;	/* stack_map_bucket, before its value */
	__u32 bloom;
	__u32 ringbuf_map;
	__u32 stab;		/* sockmap */
	__u32 shtab;		/* sockhash */
	__u32 shtab_bucket;
	__u32 dtab;		/* devmap, devmap_hash */
	__u32 dtab_netdev;	/* a devmap entry */
	__u32 cpu_map;
	__u32 cpu_map_entry;
	__u32 cpu_bulk_queue;	/* xdp_bulk_queue, per CPU, per entry */
	__u32 ptr_ring;
	__u32 xsk_map;
	__u32 xsk_map_node;	/* an xskmap entry */
	__u32 reuseport_array;
	__u32 arena;
	__u32 struct_ops_map;
	__u32 struct_ops_value;
	__u32 lpm_trie;
	__u32 lpm_node;
	__u32 storage_map;	/* struct bpf_local_storage_map */
	__u32 storage;		/* struct bpf_local_storage */
	__u32 storage_bucket;
	__u32 map;		/* struct bpf_map: a map-in-map's inner meta */
	__u32 cgroup_storage_map;	/* struct bpf_cgroup_storage_map */
	__u32 cgroup_storage;	/* struct bpf_cgroup_storage, one a cgroup */
	__u32 storage_buffer;	/* struct bpf_storage_buffer, before its value */
	__u32 pad;
};

enum bpfmem_map_rec_flags {
	/* elements is a count the kernel keeps, not a guess */
	BPFMEM_MAP_HAS_ELEMENTS = 1u << 0,
	/* map->objcg is set: memcg_id names the charged memory cgroup */
	BPFMEM_MAP_HAS_MEMCG = 1u << 1,
	BPFMEM_MAP_FROZEN = 1u << 2,
	/* the kernel is built without kmem accounting for BPF maps */
	BPFMEM_MAP_NO_MEMCG_FIELD = 1u << 3,
	/* the memory cgroup the map was charged to was removed: the charge
	 * moved to memcg_id, its nearest living ancestor */
	BPFMEM_MAP_MEMCG_REPARENTED = 1u << 4,
	/* elements came from bpf_map_sum_elem_count() */
	BPFMEM_MAP_COUNT_KFUNC = 1u << 5,
	/* pages is what the kernel holds, not a guess */
	BPFMEM_MAP_HAS_PAGES = 1u << 6,
	/* elements (and trie nodes, storages) come from bpf_mem_alloc */
	BPFMEM_MAP_MEM_ALLOC = 1u << 7,
	/* cached[] and cache_unit[] were read from every CPU's cache */
	BPFMEM_MAP_HAS_CACHE = 1u << 8,
	/* nodes was counted */
	BPFMEM_MAP_HAS_NODES = 1u << 9,
	/* a preallocated hash map keeps spare elements for updates */
	BPFMEM_MAP_HTAB_SPARES = 1u << 10,
	/* a hash map counts its elements in a percpu_counter */
	BPFMEM_MAP_HTAB_PCOUNT = 1u << 11,
	/* no file descriptor or pin holds the map (map->usercnt is 0): only
	 * the kernel does (programs, an outer map), or it is being freed */
	BPFMEM_MAP_NO_USER_REFS = 1u << 12,
};

/* A map's bpf_mem_allocs: the elements' (hash elements, LPM trie nodes,
 * local storage elements) and a second one (per-CPU hash values, local
 * storages). */
enum bpfmem_map_alloc {
	BPFMEM_MA_ELEMS,
	BPFMEM_MA_SECOND,
	BPFMEM_MA_NR,
};

struct bpfmem_map_rec {
	__u64 kaddr;		/* struct bpf_map *: joins hooks' per-map data */
	__u64 elements;		/* valid with BPFMEM_MAP_HAS_ELEMENTS */
	__u64 memcg_id;		/* cgroup id (kernfs id) of the charged memcg */
	__u64 map_extra;
	__u64 pages;		/* ringbuf: pages allocated; arena: pages in
				 * use (valid with BPFMEM_MAP_HAS_PAGES) */
	/* objects each bpf_mem_alloc keeps free for the map, summed over
	 * every CPU: its free lists and the objects waiting for RCU grace
	 * periods (valid with BPFMEM_MAP_HAS_CACHE) */
	__u64 cached[BPFMEM_MA_NR];
	/* LPM trie: nodes, intermediate ones included; local storage: the
	 * owners' storages this map allocated (BPFMEM_MAP_HAS_NODES) */
	__u64 nodes;
	__u32 cache_unit[BPFMEM_MA_NR];	/* their unit_size; 0: none */
	__u32 id;
	__u32 type;		/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 btf_id;
	__u32 btf_key_type_id;
	__u32 btf_value_type_id;
	__u32 btf_vmlinux_value_type_id;
	__u32 rec_flags;	/* enum bpfmem_map_rec_flags */
	__s32 numa_node;
	/* per-type internals the real-bytes model reads; 0 where not known */
	__u32 elem_size;	/* htab, sockhash, local storage element size */
	__u32 n_buckets;	/* htab/sockhash/devmap_hash buckets */
	__u32 bypass_spec_v1;	/* arrays are not sized to a power of two */
	__u32 bitset_mask;	/* bloom filter: its bits, minus one */
	__u32 funcs_cnt;	/* struct_ops: function pointers of the struct */
	char name[BPFMEM_OBJ_NAME_LEN];
};

/* The map iterator's first record, before any map's: the kernel's struct
 * sizes, the same for every map (a map record carrying them was half
 * sizes). Padded to a map record's size: the stream is whole records. */
struct bpfmem_map_sizes_rec {
	struct bpfmem_kernel_sizes sizes;
	__u8 pad[sizeof(struct bpfmem_map_rec) -
		 sizeof(struct bpfmem_kernel_sizes)];
};

enum bpfmem_prog_rec_flags {
	BPFMEM_PROG_JITED = 1u << 0,
	BPFMEM_PROG_GPL = 1u << 1,
	BPFMEM_PROG_SLEEPABLE = 1u << 2,
	/* memcg_id names the memory cgroup charged for the program's
	 * accounted memory (found from the obj_cgroup of prog->aux) */
	BPFMEM_PROG_HAS_MEMCG = 1u << 3,
	/* that memory cgroup was removed: the charge moved to memcg_id */
	BPFMEM_PROG_MEMCG_REPARENTED = 1u << 4,
	/* prog->aux lies in a slab without memcg pointers: the load was
	 * charged to no memory cgroup (root) */
	BPFMEM_PROG_MEMCG_ROOT = 1u << 5,
	BPFMEM_PROG_HAS_ACTIVE = 1u << 6,	/* per-CPU recursion counter */
	BPFMEM_PROG_HAS_JITED_LINFO = 1u << 7,
	BPFMEM_PROG_HAS_KFUNC_TAB = 1u << 8,
	BPFMEM_PROG_HAS_KFUNC_BTF_TAB = 1u << 9,
	BPFMEM_PROG_HAS_PRIV_STACK = 1u << 10,
	/* the images were in more packs than packs[] holds */
	BPFMEM_PROG_PACKS_TRUNCATED = 1u << 11,
	/* more images than images[] holds */
	BPFMEM_PROG_IMAGES_TRUNCATED = 1u << 12,
};

/* Sizes of the kernel structs the program model (src/model/model_prog.h)
 * needs: this kernel's, read with CO-RE. */
struct bpfmem_prog_sizes {
	__u32 aux;		/* struct bpf_prog_aux */
	__u32 stats;		/* struct bpf_prog_stats, per CPU */
	__u32 func_info;	/* struct bpf_func_info */
	__u32 func_info_aux;	/* struct bpf_func_info_aux */
	__u32 line_info;	/* struct bpf_line_info */
	__u32 poke_desc;	/* struct bpf_jit_poke_descriptor */
	__u32 kfunc_tab;	/* struct bpf_kfunc_desc_tab */
	__u32 kfunc_btf_tab;	/* struct bpf_kfunc_btf_tab */
	__u32 btf_mod_pair;	/* struct btf_mod_pair (used_btfs) */
	__u32 pad;
};

/* One JIT image: its binary header's address and size (64-byte chunks). */
#define BPFMEM_PROG_MAX_IMAGES 8
struct bpfmem_prog_image {
	__u64 addr;
	__u32 bytes;
	__u32 pad;
};

/* Programs' JIT images share packs (kernel/bpf/core.c bpf_prog_pack_alloc):
 * the bytes of one program's images in one pack. */
#define BPFMEM_PROG_MAX_PACKS 4
struct bpfmem_prog_pack_share {
	__u64 base;		/* the pack's first byte */
	__u32 bytes;		/* the images' chunks (binary header size) */
	__u32 images;
};

struct bpfmem_prog_rec {
	__u64 kaddr;		/* struct bpf_prog * */
	__u64 load_time;	/* CLOCK_BOOTTIME ns */
	__u64 bytes_memlock;	/* prog->pages * PAGE_SIZE, as fdinfo shows */
	__u32 id;
	__u32 type;		/* enum bpf_prog_type */
	__u32 expected_attach_type;
	__u32 bytes_xlated;
	__u32 bytes_jited;	/* sum over subprograms, as bpf_prog_info */
	__u32 uid;
	__u32 btf_id;
	__u32 verified_insns;
	__u32 func_cnt;
	__u32 rec_flags;	/* enum bpfmem_prog_rec_flags */
	__u32 nr_map_ids;
	__u32 map_ids[BPFMEM_MAX_USED_MAPS];
	/* what the real-bytes model of programs reads */
	__u64 memcg_id;		/* with BPFMEM_PROG_HAS_MEMCG */
	__u64 image;		/* prog->bpf_func, the main image's entry */
	__u32 pages;		/* prog->pages: struct bpf_prog and insns */
	__u32 sub_pages;	/* the same, over every subprogram */
	__u32 used_map_cnt;
	__u32 used_btf_cnt;
	__u32 func_info_cnt;
	__u32 nr_linfo;
	__u32 size_poke_tab;
	__u32 stack_depth;	/* for the private stack */
	__u32 nr_images;	/* JIT images: one, or one a subprogram */
	__u32 image_own_bytes;	/* images too big for a pack, page-rounded */
	__u32 nr_packs;
	__u32 pad;
	struct bpfmem_prog_pack_share packs[BPFMEM_PROG_MAX_PACKS];
	/* where the images are, for the packs' free runs */
	struct bpfmem_prog_image images[BPFMEM_PROG_MAX_IMAGES];
	struct bpfmem_prog_sizes sizes;
	__u8 tag[BPFMEM_TAG_LEN];
	char name[BPFMEM_OBJ_NAME_LEN];
	/* the main function's BTF name, read only when name is cut short */
	char func_name[BPFMEM_FUNC_NAME_LEN];
};

#define BPFMEM_TARGET_NAME_LEN 64

/* Where a link attaches its program; which field says it depends on the
 * link type (see bpf/inventory.bpf.c dump_links). */
struct bpfmem_link_rec {
	__u64 kaddr;		/* struct bpf_link * */
	__u64 target_id;	/* cgroup id, ifindex, netns inode, BTF id */
	__u32 id;
	__u32 type;		/* enum bpf_link_type */
	__u32 prog_id;
	__u32 attach_type;	/* enum bpf_attach_type */
	char target_name[BPFMEM_TARGET_NAME_LEN];	/* tracepoint, iterator,
							 * function */
};

/* One memory cgroup's own counters, in pages (page_counter). */
struct bpfmem_memcg_rec {
	__u64 id;		/* cgroup id (kernfs node id) */
	__u64 usage_pages;
	__u64 max_pages;	/* PAGE_COUNTER_MAX pages: no limit */
	__u64 kmem_pages;	/* cgroup v1's kernel memory counter */
	__u32 online;		/* 0: removed, kept alive by charges */
	__u32 has_kmem;		/* the kernel keeps kmem_pages */
	/* the cgroup's name (its kernfs node's): a rename gives it a new
	 * string, so the address and first bytes tell that the paths
	 * walked before still stand */
	__u64 name_addr;
	char name_head[16];	/* NUL-padded */
};

/* What kind of BPF object an fd refers to; the iterator tells them apart by
 * the anonymous inode's name. */
enum bpfmem_obj_kind {
	BPFMEM_OBJ_MAP = 1,
	BPFMEM_OBJ_PROG = 2,
	BPFMEM_OBJ_LINK = 3,
	BPFMEM_OBJ_BTF = 4,
};

struct bpfmem_fd_rec {
	__u32 pid;		/* tgid */
	__u32 fd;
	__u32 kind;		/* enum bpfmem_obj_kind */
	__u32 id;
	char comm[BPFMEM_COMM_LEN];	/* group leader's comm */
	__u64 memcg_id;		/* group leader's memory cgroup; 0: none */
};

#endif /* BPFMEM_RECORDS_H */
