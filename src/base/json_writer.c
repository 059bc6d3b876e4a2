// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/json_writer.h"

#define FLUSH_BYTES (64 * 1024)
#define PART_BYTES (FLUSH_BYTES + FLUSH_BYTES / 4)

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
	*w = (struct json_writer){ .out = out, .pretty = pretty };
}

void json_init_sink(struct json_writer *w, json_sink sink, void *ctx)
{
	*w = (struct json_writer){ .sink = sink, .sink_ctx = ctx };
}

static bool grow(struct json_writer *w, size_t n)
{
	size_t cap;
	char *bigger;

	if (w->err)
		return false;
	cap = w->cap ? w->cap : 4096;
	while (cap < w->len + n)
		cap *= 2;
	bigger = realloc(w->buf, cap);
	if (!bigger) {
		w->err = -ENOMEM;
		return false;
	}
	w->buf = bigger;
	w->cap = cap;
	return true;
}

static inline bool reserve(struct json_writer *w, size_t n)
{
	return w->len + n <= w->cap || grow(w, n);
}

static inline void put(struct json_writer *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void put_char(struct json_writer *w, char c)
{
	if (reserve(w, 1))
		w->buf[w->len++] = c;
}

static void newline_indent(struct json_writer *w)
{
	if (!reserve(w, 1 + 2 * (size_t)w->depth))
		return;
	w->buf[w->len++] = '\n';
	memset(w->buf + w->len, ' ', 2 * (size_t)w->depth);
	w->len += 2 * (size_t)w->depth;
}

/* Separator and indentation before a value or key at the current depth;
 * inlined: it comes before every key and value. */
static inline __attribute__((always_inline)) void
before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	if (w->has_items[w->depth])
		put_char(w, ',');
	w->has_items[w->depth] = true;
	if (w->pretty)
		newline_indent(w);
}

/* A value that a dropped key began: true to write nothing. */
static inline bool muted_value(struct json_writer *w)
{
	if (!w->mute_depth)
		return false;
	if (w->depth == w->mute_depth)
		w->mute_depth = 0;	/* the dropped value ends here */
	return true;
}

static bool kept(const struct json_writer *w, const char *key)
{
	for (const char *const *k = w->keep; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

static void open(struct json_writer *w, char c)
{
	if (w->mute_depth) {
		if (w->depth + 1 < JSON_MAX_DEPTH)
			w->depth++;
		return;
	}
	before_item(w);
	put_char(w, c);
	if (w->depth + 1 >= JSON_MAX_DEPTH) {
		w->err = w->err ? w->err : -E2BIG;
		return;
	}
	w->has_items[++w->depth] = false;
}

static void close_(struct json_writer *w, char c)
{
	bool had_items = w->has_items[w->depth];

	if (w->mute_depth) {
		if (w->depth > 0)
			w->depth--;
		if (w->depth == w->mute_depth)
			w->mute_depth = 0;
		return;
	}
	if (w->depth > 0)
		w->depth--;
	if (w->pretty && had_items)
		newline_indent(w);
	put_char(w, c);
}

void json_object_open(struct json_writer *w)
{
	open(w, '{');
}

void json_object_close(struct json_writer *w)
{
	close_(w, '}');
}

void json_array_open(struct json_writer *w)
{
	open(w, '[');
}

void json_array_close(struct json_writer *w)
{
	close_(w, ']');
}

/* Bytes a JSON string must escape: control characters, '"' and '\\'. */
static const bool needs_escape[256] = {
	[0 ... 0x1f] = true, ['"'] = true, ['\\'] = true,
};

#define ONES (~0ull / 255)

/* Whether a byte of v is 0 (Hacker's Delight 6-1: never misses one). */
static inline uint64_t has_zero_byte(uint64_t v)
{
	return (v - ONES) & ~v & (ONES * 0x80);
}

/* Whether none of the n bytes at s needs an escape, eight at a time: most
 * strings (names, paths, comms) need none, and a byte at a time was a
 * sixth of the daemon's time for a listing. */
static bool plain(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		/* a byte below 0x20 has bits 5-7 clear */
		if (has_zero_byte(v & (ONES * 0xe0)) ||
		    has_zero_byte(v ^ (ONES * '"')) ||
		    has_zero_byte(v ^ (ONES * '\\')))
			return false;
	}
	for (; i < n; i++)
		if (needs_escape[s[i]])
			return false;
	return true;
}

static void put_escaped(struct json_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (plain(p, n)) {
		if (reserve(w, n + 2)) {
			w->buf[w->len++] = '"';
			memcpy(w->buf + w->len, s, n);
			w->len += n;
			w->buf[w->len++] = '"';
		}
		return;
	}
	put_char(w, '"');
	for (;;) {
		const unsigned char *run = p;

		/* copy runs that need no escape in one go; NUL ends them */
		while (!needs_escape[*p])
			p++;
		put(w, (const char *)run, p - run);
		if (!*p)
			break;
		switch (*p) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
				      hex[*p & 15] };

			put(w, u, sizeof(u));
		}
		}
		p++;
	}
	put_char(w, '"');
}

void json_key_n(struct json_writer *w, const char *key, size_t n)
{
	if (w->mute_depth)
		return;
	if (w->keep && w->depth == w->keep_depth && !kept(w, key)) {
		w->mute_depth = w->depth;
		return;
	}
	before_item(w);
	/* keys are our own plain ASCII names: nothing to escape */
	if (reserve(w, n + 4)) {
		w->buf[w->len++] = '"';
		memcpy(w->buf + w->len, key, n);
		w->len += n;
		w->buf[w->len++] = '"';
		w->buf[w->len++] = ':';
		if (w->pretty)
			w->buf[w->len++] = ' ';
	}
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (muted_value(w))
		return;
	before_item(w);
	put_escaped(w, s);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char buf[20], *p = buf + sizeof(buf);

	if (muted_value(w))
		return;
	before_item(w);
	/* two digits a division: most figures are bytes, 6 to 10 digits */
	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = '0' + v;
	}
	put(w, p, buf + sizeof(buf) - p);
}

void json_double(struct json_writer *w, double v)
{
	char buf[32];
	int n;

	if (muted_value(w))
		return;
	n = snprintf(buf, sizeof(buf), "%.15g", v);
	before_item(w);
	put(w, buf, n);
}

void json_boolean(struct json_writer *w, bool v)
{
	if (muted_value(w))
		return;
	before_item(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void json_null(struct json_writer *w)
{
	if (muted_value(w))
		return;
	before_item(w);
	put(w, "null", 4);
}

static void flush(struct json_writer *w)
{
	if (w->sink && w->len && !w->err) {
		int err = w->sink(w->sink_ctx, w->buf, w->len);

		/* the next part goes into a buffer of its own, with room
		 * for the object that passes FLUSH_BYTES: the buffers held
		 * stay close to the bytes counted (max_unread) */
		w->len = 0;
		w->cap = PART_BYTES;
		w->buf = err ? NULL : malloc(w->cap);
		if (!w->buf) {
			w->cap = 0;
			w->err = err ?: -ENOMEM;
		}
	} else if (w->out && w->len) {
		if (fwrite(w->buf, 1, w->len, w->out) != w->len && !w->err)
			w->err = -EIO;
		w->len = 0;
	}
}

void json_flush_if_large(struct json_writer *w)
{
	if (w->len >= FLUSH_BYTES)
		flush(w);
}

int json_finish(struct json_writer *w)
{
	int err;

	put_char(w, '\n');
	flush(w);
	err = w->err;
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	return err;
}

int json_take(struct json_writer *w, char **buf, size_t *len)
{
	int err;

	put_char(w, '\n');
	err = w->err;
	if (err) {
		free(w->buf);
	} else {
		*buf = w->buf;
		*len = w->len;
	}
	w->buf = NULL;
	w->len = w->cap = 0;
	return err;
}

/* Indentation of compact JSON text in the layout json_init(..., true)
 * writes: for output that arrives already serialised (from bpfmemd). */
int json_pretty_print(FILE *out, const char *compact)
{
	int depth = 0;
	bool in_string = false;

	for (const char *p = compact; *p; p++) {
		char c = *p;

		if (in_string) {
			fputc(c, out);
			if (c == '\\' && p[1])
				fputc(*++p, out);
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			fputc(c, out);
			break;
		case '{':
		case '[':
			fputc(c, out);
			/* empty containers stay on one line */
			if (p[1] == (c == '{' ? '}' : ']')) {
				fputc(*++p, out);
				break;
			}
			fprintf(out, "\n%*s", 2 * ++depth, "");
			break;
		case '}':
		case ']':
			fprintf(out, "\n%*s%c", 2 * --depth, "", c);
			break;
		case ',':
			fprintf(out, ",\n%*s", 2 * depth, "");
			break;
		case ':':
			fputs(": ", out);
			break;
		default:
			fputc(c, out);
		}
	}
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
