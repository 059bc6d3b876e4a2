// SPDX-License-Identifier: GPL-2.0
/*
 * Inserts or deletes elements of a map held in acc_outer from a BPF
 * program, so that elements come from the allocator's per-CPU caches the
 * way they do when programs fill maps. Run by BPF_PROG_TEST_RUN with six
 * arguments: first key, count, 1 to delete, the map's slot, an LPM trie's
 * prefix length (0 for other maps), and 1 to insert only the keys that
 * are missing (a retry after failed inserts). Keys and values are the scratch
 * buffer with the index in its first four bytes (big-endian after the
 * prefix length of an LPM key), as the harness builds them in user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define ACC_SCRATCH 4096

struct acc_buf {
	__u8 b[ACC_SCRATCH];
};

/* user space creates it, with the case's map as inner template and a slot
 * for each of the case's objects */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} acc_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct acc_buf);
} acc_scratch SEC(".maps");

struct acc_args {
	__u32 first;
	__u32 del;
	__u32 slot;
	__u32 prefix;
	__u32 missing;		/* insert only keys not there yet */
	__u32 failed;
};

static long fill_one(__u64 i, struct acc_args *a)
{
	__u32 zero = 0;
	struct acc_buf *buf;
	void *inner;
	/* 32 bits: the verifier turns the helper into a direct call of the
	 * map's operation, which returned int before v6.4 (commit
	 * d7ba4cc900bf "bpf: return long from bpf_map_ops funcs"): on 6.1
	 * the upper half of -EEXIST is zero. */
	int err;

	inner = bpf_map_lookup_elem(&acc_outer, &a->slot);
	buf = bpf_map_lookup_elem(&acc_scratch, &zero);
	if (!inner || !buf)
		return 1;
	if (a->prefix) {
		*(__u32 *)buf->b = a->prefix;
		*(__u32 *)(buf->b + 4) = bpf_htonl(a->first + (__u32)i);
	} else {
		*(__u32 *)buf->b = a->first + (__u32)i;
	}
	if (a->del)
		err = bpf_map_delete_elem(inner, buf->b);
	else
		err = bpf_map_update_elem(inner, buf->b, buf->b,
					  a->missing ? BPF_NOEXIST : BPF_ANY);
	if (err && !(a->missing && err == -17 /* EEXIST */))
		a->failed++;
	return 0;
}

SEC("raw_tp")
int acc_fill(__u64 *ctx)
{
	struct acc_args a = { .first = ctx[0], .del = ctx[2], .slot = ctx[3],
			      .prefix = ctx[4], .missing = ctx[5] };

	bpf_loop(ctx[1], fill_one, &a, 0);
	/* the count of failed operations is the test run's return value */
	return a.failed;
}
