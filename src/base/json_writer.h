/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer. Serialising the maps is most of a warm run of
 * `bpfmem maps --json`; counted with callgrind for the same fields,
 * json-c (a document built first) cost about 30,000 instructions a map
 * and yajl's generator about 12,000, this about 3,700 (5,300 with the
 * fields added since). With yajl a warm run at 10,000 maps was 7.9 times
 * faster than bpftool, with this about 10 then (bench/RESULTS.md has
 * today's figures).
 * Output is UTF-8 as given, with the escapes RFC 8259 requires.
 */
#ifndef BPFMEM_JSON_WRITER_H
#define BPFMEM_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

/* Takes a large part of the text (buf to free, even on error) while the
 * writer goes on; 0 or -errno, which stops the writer. */
typedef int (*json_sink)(void *ctx, char *buf, size_t len);

struct json_writer {
	char *buf;
	size_t len, cap;
	FILE *out;		/* written out when large, and at the end */
	json_sink sink;		/* or handed over when large */
	void *sink_ctx;
	bool pretty;
	bool after_key;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
	int err;		/* first error, negative errno */
	/* Only these keys (NULL-terminated) in the objects at keep_depth;
	 * the others are dropped with their values. NULL: every key. */
	const char *const *keep;
	int keep_depth;
	int mute_depth;		/* > 0: dropping a value begun at this depth */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
/* A writer with no out that hands its text to sink in parts as it grows
 * large (json_flush_if_large()); json_take() gives the last part. */
void json_init_sink(struct json_writer *w, json_sink sink, void *ctx);
void json_object_open(struct json_writer *w);
void json_object_close(struct json_writer *w);
void json_array_open(struct json_writer *w);
void json_array_close(struct json_writer *w);
/* key: a plain ASCII name of n bytes, written without escaping */
void json_key_n(struct json_writer *w, const char *key, size_t n);
/* Inline so that a literal key is copied with its length known at
 * compile time, straight into room the buffer has, in compact output
 * that keeps every key: keys are a third of the text of a map, and
 * json_key_n() was a fifth of the daemon's time for a listing. */
static inline void json_key(struct json_writer *w, const char *key)
{
	size_t n = strlen(key);
	char *p;

	if (w->keep || w->mute_depth ||
	    w->pretty || w->after_key || !w->depth ||
	    w->len + n + 4 > w->cap) {
		json_key_n(w, key, n);
		return;
	}
	p = w->buf + w->len;
	if (w->has_items[w->depth])
		*p++ = ',';
	w->has_items[w->depth] = true;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->len = p - w->buf;
	w->after_key = true;
}
void json_string(struct json_writer *w, const char *s);
void json_u64(struct json_writer *w, uint64_t v);
void json_boolean(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* A finite number in the shortest of 15 significant digits: 0.9, 536870912. */
void json_double(struct json_writer *w, double v);
/* Writes what is buffered to out, or hands it to the sink, once it has
 * grown large. */
void json_flush_if_large(struct json_writer *w);
/* Ends the document with a newline, writes it out and frees the buffer;
 * 0 or the first error. */
int json_finish(struct json_writer *w);
/* For a writer with no out: ends the document with a newline and hands
 * its text over (*buf to free); 0, or the first error with nothing to
 * free. */
int json_take(struct json_writer *w, char **buf, size_t *len);

/* Writes compact JSON text indented as a pretty writer would, and a
 * newline. 0 or -EIO. */
int json_pretty_print(FILE *out, const char *compact);

/* "key": value shorthands */
static inline void json_kv_string(struct json_writer *w, const char *k,
				  const char *v)
{
	json_key(w, k);
	json_string(w, v);
}

static inline void json_kv_u64(struct json_writer *w, const char *k,
			       uint64_t v)
{
	json_key(w, k);
	json_u64(w, v);
}

static inline void json_kv_bool(struct json_writer *w, const char *k, bool v)
{
	json_key(w, k);
	json_boolean(w, v);
}

/* The number, or null when !valid. */
static inline void json_kv_u64_or_null(struct json_writer *w, const char *k,
				       bool valid, uint64_t v)
{
	json_key(w, k);
	if (valid)
		json_u64(w, v);
	else
		json_null(w);
}

/* The string, or null when s is NULL. */
static inline void json_kv_string_or_null(struct json_writer *w,
					  const char *k, const char *s)
{
	json_key(w, k);
	if (s)
		json_string(w, s);
	else
		json_null(w);
}

#endif
