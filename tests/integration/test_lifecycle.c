// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle hooks against real creations and frees: the events must
 * name the object the kernel created (its id, type, name, address as the
 * inventory iterator sees it) and its creator (this process). Each test
 * runs with each backend: the tracepoint one everywhere, the fentry one
 * where the kernel attaches fentry programs (the 6.1 VM; this host
 * refuses them), and the default (auto) must take fentry there and
 * nothing elsewhere.
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
#include "collect/collector.h"
#include "collect/lifecycle.h"
#include "helpers.h"
#include "pipeline/pipeline.h"

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

/* The hooks of the test's backend (its state), which must load and
 * attach; skips the fentry backend where the kernel refuses fentry. */
static struct lifecycle *open_backend(void **state, struct seen *s)
{
	enum lifecycle_backend b = *(enum lifecycle_backend *)*state;
	struct lifecycle *l = NULL;

	if (b == LIFECYCLE_FENTRY && !fentry_attaches()) {
		free(s);
		skip();
	}
	assert_int_equal(lifecycle_open(&l, b, record, s), 0);
	assert_string_equal(lifecycle_backend_name(l),
			    b == LIFECYCLE_FENTRY ? "fentry" : "tracepoint");
	return l;
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
	assert_int_equal(pipeline_collect(c, &inv), 0);
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

	prctl(PR_SET_NAME, "lifecycle_test");
	l = open_backend(state, s);
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

	l = open_backend(state, s);
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

	l = open_backend(state, s);
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

/* The default: fentry where it attaches, else nothing (never the
 * syscall tracepoints, which slow every syscall on the host). */
static void auto_takes_fentry_or_nothing(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct lifecycle *l = NULL;
	int err;

	(void)state;
	err = lifecycle_open(&l, LIFECYCLE_AUTO, record, s);
	if (fentry_attaches()) {
		assert_int_equal(err, 0);
		assert_string_equal(lifecycle_backend_name(l), "fentry");
	} else {
		assert_int_equal(err, -EOPNOTSUPP);
		assert_null(l);
	}
	lifecycle_close(l);
	free(s);
}

int main(void)
{
	static enum lifecycle_backend fentry = LIFECYCLE_FENTRY,
				      tracepoint = LIFECYCLE_TRACEPOINT;
/* a test once with each backend, named after it */
#define BOTH(f) { #f " (tracepoint)", f, NULL, NULL, &tracepoint }, \
		{ #f " (fentry)", f, NULL, NULL, &fentry }
	const struct CMUnitTest tests[] = {
		BOTH(map_creation_and_free_are_reported),
		BOTH(program_load_and_free_are_reported),
		BOTH(failed_creations_are_not_reported),
		cmocka_unit_test(auto_takes_fentry_or_nothing),
	};
#undef BOTH

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
