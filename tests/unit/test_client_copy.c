// SPDX-License-Identifier: GPL-2.0
/*
 * conn_copy_result() (src/cli/client.c) over a SOCK_SEQPACKET pair: each
 * message written is what one receive gets, so an answer line arrives in
 * the pieces chosen here, as it may from bpfmemd: the head split, the
 * closing brace apart from the newline, the next line behind, an error
 * line instead, the daemon gone halfway.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cmocka_wrap.h"
#include "cli/client.h"

struct run {
	int err;
	char *out;
	size_t out_len;
	const char *next;	/* the line read after, or NULL */
	struct conn c;
};

/* Feeds pieces (NULL-terminated) as one message each, the last followed
 * by the end of the connection when hang_up, and copies the result. */
static void copy(struct run *r, const char *const *pieces, bool hang_up)
{
	FILE *out;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (const char *const *p = pieces; *p; p++)
		assert_int_equal(send(sv[1], *p, strlen(*p), 0),
				 (ssize_t)strlen(*p));
	if (hang_up)
		shutdown(sv[1], SHUT_WR);
	r->c = (struct conn){ .fd = sv[0] };
	out = open_memstream(&r->out, &r->out_len);
	assert_non_null(out);
	r->err = conn_copy_result(&r->c, "{\"maps\":", out);
	fclose(out);
	r->next = NULL;
	if (r->err >= 0) {
		shutdown(sv[1], SHUT_WR);
		if (conn_read_line(&r->c, &r->next))
			r->next = NULL;
	}
	close(sv[1]);
}

static void done(struct run *r)
{
	free(r->out);
	conn_close(&r->c);
}

static void result_in_pieces_is_copied_whole(void **state)
{
	static const char *const cases[][7] = {
		/* the closing brace and the newline apart */
		{ "{\"maps\":", "[1,2", "]", "}", "\n", NULL },
		/* the head split */
		{ "{\"ma", "ps\":[3]}\n", NULL },
		/* one byte at a time, around the end */
		{ "{\"maps\":[", "4", "]", "}\n", NULL },
		/* all at once */
		{ "{\"maps\":[5]}\n", NULL },
	};
	static const char *const expect[] = { "[1,2]\n", "[3]\n", "[4]\n",
					      "[5]\n" };

	(void)state;
	for (size_t i = 0; i < sizeof(expect) / sizeof(*expect); i++) {
		struct run r;

		copy(&r, cases[i], false);
		assert_int_equal(r.err, 0);
		assert_string_equal(r.out, expect[i]);
		assert_null(r.next);
		done(&r);
	}
}

static void the_next_line_stays_for_the_next_read(void **state)
{
	static const char *const pieces[] = {
		"{\"maps\":[6]}\n{\"version\":{}}\n", NULL };
	struct run r;

	(void)state;
	copy(&r, pieces, false);
	assert_int_equal(r.err, 0);
	assert_string_equal(r.out, "[6]\n");
	assert_non_null(r.next);
	assert_string_equal(r.next, "{\"version\":{}}");
	done(&r);
}

static void an_error_line_is_left_whole(void **state)
{
	static const char *const pieces[] = {
		"{\"error\":{\"code\":\"busy\",", "\"message\":\"ask again\"}}\n",
		NULL };
	struct run r;

	(void)state;
	copy(&r, pieces, false);
	assert_int_equal(r.err, 1);
	assert_int_equal(r.out_len, 0);
	assert_non_null(r.next);
	assert_string_equal(r.next,
			    "{\"error\":{\"code\":\"busy\",\"message\":\"ask again\"}}");
	done(&r);
}

static void a_line_cut_short_is_an_error(void **state)
{
	static const char *const gone[] = { "{\"maps\":[7,", "8", NULL };
	static const char *const no_result[] = { "{\"maps\":\n", NULL };
	static const char *const no_brace[] = { "{\"maps\":[9]]\n", NULL };
	struct run r;

	(void)state;
	copy(&r, gone, true);
	assert_int_equal(r.err, -EPIPE);
	done(&r);
	copy(&r, no_result, false);
	assert_int_equal(r.err, -EPROTO);
	done(&r);
	copy(&r, no_brace, false);
	assert_int_equal(r.err, -EPROTO);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(result_in_pieces_is_copied_whole),
		cmocka_unit_test(the_next_line_stays_for_the_next_read),
		cmocka_unit_test(an_error_line_is_left_whole),
		cmocka_unit_test(a_line_cut_short_is_an_error),
	};

	return cmocka_run_group_tests_name("client_copy", tests, NULL, NULL);
}
