// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "base/json_writer.h"

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static struct json_writer start(struct capture *c, bool pretty)
{
	struct json_writer w;

	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
	json_init(&w, c->f, pretty);
	return w;
}

static void end(struct capture *c, struct json_writer *w)
{
	assert_int_equal(json_finish(w), 0);
	fclose(c->f);
}

static void writes_nested_values_with_commas(void **state)
{
	struct capture c;
	struct json_writer w = start(&c, false);

	(void)state;
	json_object_open(&w);
	json_kv_u64(&w, "id", 42);
	json_kv_string(&w, "name", "fx");
	json_key(&w, "ids");
	json_array_open(&w);
	json_u64(&w, 0);
	json_u64(&w, UINT64_MAX);
	json_array_close(&w);
	json_key(&w, "empty");
	json_array_open(&w);
	json_array_close(&w);
	json_kv_bool(&w, "t", true);
	json_kv_u64_or_null(&w, "n", false, 7);
	json_object_close(&w);
	end(&c, &w);
	assert_string_equal(c.text,
			    "{\"id\":42,\"name\":\"fx\",\"ids\":[0,18446744073709551615],"
			    "\"empty\":[],\"t\":true,\"n\":null}\n");
	free(c.text);
}

/* keep: only the named members of the objects at keep_depth, whatever
 * the dropped values hold; deeper objects are whole */
static void keeps_only_the_named_members(void **state)
{
	static const char *const keep[] = { "id", "sub", NULL };
	struct capture c;
	struct json_writer w = start(&c, false);

	(void)state;
	json_array_open(&w);
	w.keep = keep;
	w.keep_depth = w.depth + 1;
	for (int i = 0; i < 2; i++) {
		json_object_open(&w);
		json_kv_string(&w, "name", "fx");
		json_kv_u64(&w, "id", i);
		json_key(&w, "list");
		json_array_open(&w);
		json_object_open(&w);
		json_kv_u64(&w, "id", 9);
		json_object_close(&w);
		json_null(&w);
		json_array_close(&w);
		json_key(&w, "sub");
		json_object_open(&w);
		json_kv_bool(&w, "x", true);
		json_kv_u64_or_null(&w, "name", false, 0);
		json_object_close(&w);
		json_key(&w, "d");
		json_double(&w, 0.5);
		json_object_close(&w);
	}
	w.keep = NULL;
	json_array_close(&w);
	end(&c, &w);
	assert_string_equal(c.text,
			    "[{\"id\":0,\"sub\":{\"x\":true,\"name\":null}},"
			    "{\"id\":1,\"sub\":{\"x\":true,\"name\":null}}]\n");
	free(c.text);
}

static void escapes_what_rfc8259_requires(void **state)
{
	struct capture c;
	struct json_writer w = start(&c, false);

	(void)state;
	json_array_open(&w);
	json_string(&w, "a\"b\\c\n\t\r\x01\x1f/é");
	json_string(&w, "");
	json_array_close(&w);
	end(&c, &w);
	assert_string_equal(c.text,
			    "[\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f/é\",\"\"]\n");
	free(c.text);
}

/* The escape of one byte, as RFC 8259 asks; "" for a byte kept. */
static const char *escape_of(unsigned char b, char *buf)
{
	switch (b) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	}
	if (b < 0x20) {
		sprintf(buf, "\\u%04x", b);
		return buf;
	}
	return "";
}

/* Strings are checked eight bytes at a time: each byte value at each
 * place of a 19-byte string (two words and a tail), among plain bytes. */
static void escapes_every_byte_at_every_place(void **state)
{
	(void)state;
	for (int b = 1; b < 256; b++) {
		for (size_t at = 0; at < 19; at++) {
			char s[20], expect[64], esc[8];
			const char *e;
			struct capture c;
			struct json_writer w = start(&c, false);

			memset(s, 'x', 19);
			s[19] = '\0';
			s[at] = (char)b;
			e = escape_of(b, esc);
			if (*e)
				snprintf(expect, sizeof(expect),
					 "\"%.*s%s%s\"\n", (int)at, s, e,
					 s + at + 1);
			else
				snprintf(expect, sizeof(expect), "\"%s\"\n",
					 s);
			json_string(&w, s);
			end(&c, &w);
			if (strcmp(c.text, expect)) {
				print_error("byte 0x%02x at %zu: %s", b, at,
					    c.text);
				fail();
			}
			free(c.text);
		}
	}
}

struct parts {
	char *text;
	size_t len;
	int calls;
	int fail_at;	/* the call that fails, 0: none */
};

static int collect_part(void *ctx, char *buf, size_t len)
{
	struct parts *p = ctx;

	if (++p->calls == p->fail_at) {
		free(buf);
		return -EPIPE;
	}
	p->text = realloc(p->text, p->len + len + 1);
	assert_non_null(p->text);
	memcpy(p->text + p->len, buf, len);
	p->len += len;
	p->text[p->len] = '\0';
	free(buf);
	return 0;
}

static void write_numbers(struct json_writer *w, size_t n)
{
	json_object_open(w);
	json_key(w, "n");
	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		json_u64(w, i);
		json_flush_if_large(w);
	}
	json_array_close(w);
	json_object_close(w);
}

/* What write() writes, in parts to a sink and then the last, is what it
 * writes to a writer that builds it whole, which must hold expect. */
static void expect_parts_make_whole(void (*write)(struct json_writer *w,
						  size_t n),
				    size_t n, const char *expect)
{
	struct parts p = {};
	struct json_writer whole, parted;
	char *all, *last;
	size_t all_len, last_len;

	json_init(&whole, NULL, false);
	write(&whole, n);
	assert_int_equal(json_take(&whole, &all, &all_len), 0);
	assert_non_null(strstr(all, expect));
	json_init_sink(&parted, collect_part, &p);
	write(&parted, n);
	assert_int_equal(json_take(&parted, &last, &last_len), 0);
	assert_true(p.calls > 5);
	assert_int_equal(p.len + last_len, all_len);
	assert_memory_equal(p.text, all, p.len);
	assert_memory_equal(last, all + p.len, last_len);
	free(all);
	free(last);
	free(p.text);
}

/* A sink gets the text of a large document in parts, which with the last
 * make the document a writer builds whole. */
static void a_sink_gets_large_documents_in_parts(void **state)
{
	(void)state;
	expect_parts_make_whole(write_numbers, 100000, ",99999]}\n");
}

static void write_objects(struct json_writer *w, size_t n)
{
	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "m%zu", i);
		json_object_open(w);
		json_kv_u64(w, "id", i);
		json_kv_string(w, "name", name);
		json_key(w, i % 7 ? "bytes_value" : "k");
		json_array_open(w);
		json_u64(w, i * 977);
		json_null(w);
		json_array_close(w);
		json_object_close(w);
		json_flush_if_large(w);
	}
	json_array_close(w);
}

/* Keys are written inline where the buffer has room and by json_key_n()
 * where it has not: objects of several keys, across the ends of buffers
 * and of parts, make the document a whole writer makes. */
static void keyed_objects_across_parts_match_a_whole_document(void **state)
{
	(void)state;
	expect_parts_make_whole(write_objects, 20000,
				"{\"id\":19999,\"name\":\"m19999\",\"k\":[19539023,null]}]\n");
}

/* A part the sink refuses stops the writer: no further part, and the
 * error at the end with nothing to free. */
static void a_sink_error_stops_the_writer(void **state)
{
	struct parts p = { .fail_at = 2 };
	struct json_writer w;
	char *last = NULL;
	size_t last_len = 0;

	(void)state;
	json_init_sink(&w, collect_part, &p);
	write_numbers(&w, 100000);
	assert_int_equal(json_take(&w, &last, &last_len), -EPIPE);
	assert_int_equal(p.calls, 2);
	assert_null(last);
	free(p.text);
}

static void pretty_output_is_indented(void **state)
{
	struct capture c;
	struct json_writer w = start(&c, true);

	(void)state;
	json_array_open(&w);
	json_object_open(&w);
	json_kv_u64(&w, "a", 1);
	json_key(&w, "b");
	json_object_open(&w);
	json_object_close(&w);
	json_object_close(&w);
	json_array_close(&w);
	end(&c, &w);
	assert_string_equal(c.text,
			    "[\n  {\n    \"a\": 1,\n    \"b\": {}\n  }\n]\n");
	free(c.text);
}

/* Text serialised compactly and re-indented reads as the pretty writer's. */
static void reindented_compact_text_matches_pretty_output(void **state)
{
	struct capture pretty, compact, reindented;
	struct json_writer a = start(&pretty, true), b = start(&compact, false);

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct json_writer *w = i ? &b : &a;

		json_array_open(w);
		json_object_open(w);
		json_kv_string(w, "s", "a,b:{c}[d]\"e\\");
		json_key(w, "empty");
		json_array_open(w);
		json_array_close(w);
		json_key(w, "o");
		json_object_open(w);
		json_object_close(w);
		json_kv_u64(w, "n", 7);
		json_object_close(w);
		json_array_close(w);
	}
	end(&pretty, &a);
	end(&compact, &b);
	compact.text[compact.len - 1] = '\0';	/* the newline */
	reindented.f = open_memstream(&reindented.text, &reindented.len);
	assert_int_equal(json_pretty_print(reindented.f, compact.text), 0);
	fclose(reindented.f);
	assert_string_equal(reindented.text, pretty.text);
	free(pretty.text);
	free(compact.text);
	free(reindented.text);
}

static void large_documents_are_flushed_whole(void **state)
{
	struct capture c;
	struct json_writer w = start(&c, false);
	size_t n = 100000;

	(void)state;
	json_array_open(&w);
	for (size_t i = 0; i < n; i++) {
		json_u64(&w, 1);
		json_flush_if_large(&w);
	}
	json_array_close(&w);
	end(&c, &w);
	/* "[" + n "1" + n-1 "," + "]\n" */
	assert_int_equal(c.len, 2 * n + 2);
	assert_int_equal(c.text[c.len - 2], ']');
	free(c.text);
}

static void too_deep_nesting_is_an_error(void **state)
{
	struct capture c;
	struct json_writer w = start(&c, false);

	(void)state;
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		json_array_open(&w);
	assert_int_not_equal(json_finish(&w), 0);
	fclose(c.f);
	free(c.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_nested_values_with_commas),
		cmocka_unit_test(keeps_only_the_named_members),
		cmocka_unit_test(escapes_what_rfc8259_requires),
		cmocka_unit_test(escapes_every_byte_at_every_place),
		cmocka_unit_test(a_sink_gets_large_documents_in_parts),
		cmocka_unit_test(keyed_objects_across_parts_match_a_whole_document),
		cmocka_unit_test(a_sink_error_stops_the_writer),
		cmocka_unit_test(pretty_output_is_indented),
		cmocka_unit_test(reindented_compact_text_matches_pretty_output),
		cmocka_unit_test(large_documents_are_flushed_whole),
		cmocka_unit_test(too_deep_nesting_is_an_error),
	};

	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
