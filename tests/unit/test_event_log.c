// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/creators.h"
#include "daemon/event_log.h"

static struct event_entry entry(__u32 kind, __u32 id)
{
	return (struct event_entry){
		.ev = { .kind = kind, .id = id, .kaddr = 0x1000 + id,
			.pid = 7 },
	};
}

static void cursors_grow_and_since_returns_what_follows(void **state)
{
	struct event_log l;
	const struct event_entry *e;
	__u64 lost;

	(void)state;
	assert_int_equal(event_log_init(&l, 4), 0);
	assert_null(event_log_after(&l, 0, &lost));
	for (__u32 id = 1; id <= 3; id++) {
		struct event_entry x = entry(BPFMEM_EV_MAP_CREATE, id);

		assert_int_equal(event_log_add(&l, &x)->cursor, id);
	}
	e = event_log_after(&l, 1, &lost);
	assert_int_equal(lost, 0);
	assert_int_equal(e->cursor, 2);
	e = event_log_next(&l, e);
	assert_int_equal(e->ev.id, 3);
	assert_null(event_log_next(&l, e));
	assert_null(event_log_after(&l, 3, &lost));
	event_log_free(&l);
}

static void a_wrapped_log_counts_what_was_lost(void **state)
{
	struct event_log l;
	const struct event_entry *e;
	__u64 lost;

	(void)state;
	assert_int_equal(event_log_init(&l, 4), 0);
	for (__u32 id = 1; id <= 10; id++) {
		struct event_entry x = entry(BPFMEM_EV_PROG_LOAD, id);

		event_log_add(&l, &x);
	}
	/* holds 7..10 */
	e = event_log_after(&l, 2, &lost);
	assert_int_equal(lost, 4);
	assert_int_equal(e->cursor, 7);
	e = event_log_after(&l, 0, &lost);
	assert_int_equal(lost, 6);
	e = event_log_after(&l, 8, &lost);
	assert_int_equal(lost, 0);
	assert_int_equal(e->cursor, 9);
	event_log_free(&l);
}

static void creators_are_kept_until_the_free(void **state)
{
	struct creators c = {};
	struct bpfmem_event ev = { .kind = BPFMEM_EV_MAP_CREATE, .pid = 42 };
	struct bpfmem_event out;

	(void)state;
	for (__u32 id = 1; id <= 5000; id++) {
		ev.id = id;
		ev.kaddr = 0xffff888000000000ULL + 256ULL * id;
		assert_int_equal(creators_add(&c, &ev), 0);
	}
	/* a program at a map's address is another object */
	ev.kind = BPFMEM_EV_PROG_LOAD;
	ev.id = 7;
	ev.kaddr = 0xffff888000000000ULL + 256;
	assert_int_equal(creators_add(&c, &ev), 0);
	assert_int_equal(creators_find(&c, BPFMEM_EV_MAP_CREATE,
				       0xffff888000000000ULL + 256)->id, 1);
	assert_int_equal(creators_find(&c, BPFMEM_EV_PROG_LOAD,
				       0xffff888000000000ULL + 256)->id, 7);
	/* frees carry the address only, as the kernel has released the id */
	for (__u32 id = 1; id <= 4900; id++) {
		struct bpfmem_event f = {
			.kind = BPFMEM_EV_MAP_FREE,
			.kaddr = 0xffff888000000000ULL + 256ULL * id,
		};

		assert_int_equal(creators_remove(&c, &f, &out), 1);
		assert_int_equal(out.id, id);
		assert_int_equal(out.pid, 42);
		assert_int_equal(creators_remove(&c, &f, &out), 0);
	}
	assert_null(creators_find(&c, BPFMEM_EV_MAP_CREATE,
				  0xffff888000000000ULL + 256 * 10));
	assert_non_null(creators_find(&c, BPFMEM_EV_MAP_CREATE,
				      0xffff888000000000ULL + 256 * 4950));
	assert_non_null(creators_find(&c, BPFMEM_EV_PROG_LOAD,
				      0xffff888000000000ULL + 256));
	assert_int_equal(c.used, 101);
	/* tombstones go when the table is rebuilt */
	for (__u32 id = 6000; id <= 9000; id++) {
		ev.kind = BPFMEM_EV_MAP_CREATE;
		ev.id = id;
		ev.kaddr = 0xffff888000000000ULL + 256ULL * id;
		assert_int_equal(creators_add(&c, &ev), 0);
	}
	assert_true(c.used + c.removed <= c.cap / 2);
	creators_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cursors_grow_and_since_returns_what_follows),
		cmocka_unit_test(a_wrapped_log_counts_what_was_lost),
		cmocka_unit_test(creators_are_kept_until_the_free),
	};

	return cmocka_run_group_tests_name("event_log", tests, NULL, NULL);
}
