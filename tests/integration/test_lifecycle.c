// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle hooks against real creations and frees: the events must
 * name the object the kernel created (its id, type, name, address as the
 * inventory iterator sees it) and its creator (this process).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "collector.h"
#include "lifecycle.h"

#define MAX_EVENTS 256

struct seen {
	struct bpfmem_event ev[MAX_EVENTS];
	int n;
};

static void record(void *ctx, const struct bpfmem_event *ev)
{
	struct seen *s = ctx;

	if (s->n < MAX_EVENTS)
		s->ev[s->n++] = *ev;
}

/* Polls the ring buffer until an event of kind for kaddr (or id) comes,
 * for at most 3 s: frees run from a workqueue after an RCU grace period. */
static const struct bpfmem_event *wait_event(struct lifecycle *l,
					     struct seen *s, __u32 kind,
					     __u32 id, __u64 kaddr)
{
	for (int tries = 0; tries < 300; tries++) {
		struct pollfd p = { .fd = lifecycle_fd(l), .events = POLLIN };

		for (int i = 0; i < s->n; i++)
			if (s->ev[i].kind == kind &&
			    ((id && s->ev[i].id == id) ||
			     (kaddr && s->ev[i].kaddr == kaddr)))
				return &s->ev[i];
		poll(&p, 1, 10);
		assert_true(lifecycle_consume(l) >= 0);
	}
	return NULL;
}

static __u64 map_kaddr(__u32 id)
{
	struct collector_opts opts = { .iters = ITER_BIT(ITER_MAPS) };
	struct collector *c;
	struct inventory inv;
	char msg[256];
	__u64 kaddr = 0;
	int code;

	assert_int_equal(collector_new(&opts, &c, msg, sizeof(msg), &code), 0);
	assert_int_equal(collector_collect(c, &inv), 0);
	for (size_t i = 0; i < inv.nr_maps; i++)
		if (inv.maps[i].rec.id == id)
			kaddr = inv.maps[i].rec.kaddr;
	inventory_free(&inv);
	collector_free(c);
	return kaddr;
}

static void map_creation_and_free_are_reported(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	const struct bpfmem_event *ev;
	struct lifecycle *l;
	__u64 kaddr;
	int fd;

	(void)state;
	prctl(PR_SET_NAME, "lifecycle_test");
	assert_int_equal(lifecycle_open(&l, record, s), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "fx_life", 4, 8, 64, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);

	ev = wait_event(l, s, BPFMEM_EV_MAP_CREATE, info.id, 0);
	assert_non_null(ev);
	assert_int_equal(ev->obj_type, BPF_MAP_TYPE_LRU_HASH);
	assert_string_equal(ev->name, "fx_life");
	assert_int_equal(ev->tgid, getpid());
	assert_int_equal(ev->uid, getuid());
	assert_string_equal(ev->comm, "lifecycle_test");
	assert_true(ev->time_ns > 0);
	/* the address the inventory iterator sees: frees are matched by it */
	kaddr = map_kaddr(info.id);
	assert_int_equal(ev->kaddr, kaddr);

	close(fd);
	ev = wait_event(l, s, BPFMEM_EV_MAP_FREE, 0, kaddr);
	assert_non_null(ev);
	assert_string_equal(ev->name, "fx_life");
	assert_int_equal(ev->obj_type, BPF_MAP_TYPE_LRU_HASH);
	lifecycle_close(l);
	free(s);
}

static void program_load_and_free_are_reported(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	const struct bpfmem_event *ev, *freed;
	struct lifecycle *l;
	int fd;

	(void)state;
	assert_int_equal(lifecycle_open(&l, record, s), 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "fx_life_prog", "GPL",
			   insns, 2, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);

	ev = wait_event(l, s, BPFMEM_EV_PROG_LOAD, info.id, 0);
	assert_non_null(ev);
	assert_int_equal(ev->obj_type, BPF_PROG_TYPE_SOCKET_FILTER);
	assert_string_equal(ev->name, "fx_life_prog");
	assert_int_equal(ev->tgid, getpid());
	assert_true(ev->kaddr != 0);

	close(fd);
	freed = wait_event(l, s, BPFMEM_EV_PROG_FREE, 0, ev->kaddr);
	assert_non_null(freed);
	assert_string_equal(freed->name, "fx_life_prog");
	lifecycle_close(l);
	free(s);
}

static void failed_creations_are_not_reported(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct lifecycle *l;
	int fd;

	(void)state;
	assert_int_equal(lifecycle_open(&l, record, s), 0);
	/* a hash map cannot have zero entries */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fx_bad", 4, 8, 0, NULL);
	assert_true(fd < 0);
	usleep(50000);
	assert_true(lifecycle_consume(l) >= 0);
	for (int i = 0; i < s->n; i++)
		assert_true(strcmp(s->ev[i].name, "fx_bad"));
	lifecycle_close(l);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_creation_and_free_are_reported),
		cmocka_unit_test(program_load_and_free_are_reported),
		cmocka_unit_test(failed_creations_are_not_reported),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
