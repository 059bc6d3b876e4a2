// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include "base/atomic_file.h"
#include "base/fdinfo.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "cli/remote.h"

static json_object *remote_parse(const char *line, const char *cmd,
				 const char **raw, char *msg, size_t msg_size);

/* Sends req and reads the response line; 0, or -errno with msg. */
static int exchange(struct conn *c, json_object *req, const char **line,
		    char *msg, size_t msg_size)
{
	int err = conn_send(c, json_object_to_json_string_ext(
					req, JSON_C_TO_STRING_PLAIN));
	/* read even when sending failed: a daemon that refused this
	 * client said why before it hung up */
	int read_err = conn_read_line(c, line);

	if (!read_err)
		return 0;
	err = err ?: read_err;
	snprintf(msg, msg_size, "talking to bpfmemd failed: %s",
		 strerror(-err));
	return err;
}

json_object *remote_call(struct conn *c, json_object *req, const char *cmd,
			 const char **raw, char *msg, size_t msg_size)
{
	const char *line;

	if (exchange(c, req, &line, msg, msg_size))
		return NULL;
	return remote_parse(line, cmd, raw, msg, msg_size);
}

static json_object *remote_parse(const char *line, const char *cmd,
				 const char **raw, char *msg, size_t msg_size)
{
	json_object *resp, *result;
	size_t prefix = strlen(cmd) + 4;	/* {"cmd": */

	resp = json_tokener_parse(line);
	if (json_object_object_get_ex(resp, "error", &result)) {
		json_object *text;

		json_object_object_get_ex(result, "message", &text);
		snprintf(msg, msg_size, "bpfmemd: %s",
			 json_object_get_string(text));
		json_object_put(resp);
		return NULL;
	}
	if (!json_object_object_get_ex(resp, cmd, &result)) {
		snprintf(msg, msg_size, "bpfmemd answered something else than '%s'",
			 cmd);
		json_object_put(resp);
		return NULL;
	}
	/* the protocol promises {"cmd":RESULT}: the text between is what
	 * the command writes in-process */
	if (raw) {
		((char *)line)[strlen(line) - 1] = '\0';
		*raw = line + prefix;
	}
	json_object_get(result);
	json_object_put(resp);
	return result;
}

/*
 * As remote_call() for a result only printed as the daemon wrote it: a
 * line that begins {"cmd": is that result (docs/PROTOCOL.md), and is not
 * parsed: at 10,000 maps it is 11 MB, and json-c took longer over it than
 * the daemon to write it. Anything else (an error) goes through
 * remote_call()'s checks. Returns *raw, valid until the next call, or
 * NULL with the error printed.
 */
static const char *call_raw(struct conn *c, json_object *req, const char *cmd)
{
	const char *line, *raw;
	char msg[512], head[64];
	int n = snprintf(head, sizeof(head), "{\"%s\":", cmd);
	size_t len;
	json_object *result;

	if (exchange(c, req, &line, msg, sizeof(msg))) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return NULL;
	}
	len = strlen(line);
	if (n > 0 && (size_t)n < sizeof(head) && len > (size_t)n + 1 &&
	    !strncmp(line, head, n) && line[len - 1] == '}') {
		((char *)line)[len - 1] = '\0';
		return line + n;
	}
	/* not the result: parse it for the error */
	result = remote_parse(line, cmd, &raw, msg, sizeof(msg));
	if (!result) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return NULL;
	}
	json_object_put(result);
	return raw;
}

/* remote_call(), the error printed. */
static json_object *call(struct conn *c, json_object *req, const char *cmd,
			 const char **raw)
{
	char msg[512];
	json_object *result = remote_call(c, req, cmd, raw, msg, sizeof(msg));

	if (!result)
		fprintf(stderr, "bpfmem: %s\n", msg);
	return result;
}

json_object *remote_request(const char *cmd)
{
	json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

static int print_raw(FILE *out, const char *raw, bool pretty)
{
	if (pretty)
		return json_pretty_print(out, raw);
	fprintf(out, "%s\n", raw);
	return ferror(out) ? -EIO : 0;
}

/* A result printed compact, copied as bpfmemd writes it while it arrives;
 * a line that is not the result is parsed for its error. */
static int copy_raw(struct conn *c, json_object *req, const char *cmd,
		    FILE *out)
{
	char head[64], msg[512];
	const char *line, *raw;
	json_object *result;
	int err, copied;

	snprintf(head, sizeof(head), "{\"%s\":", cmd);
	err = conn_send(c, json_object_to_json_string_ext(
				   req, JSON_C_TO_STRING_PLAIN));
	/* read even when sending failed: a daemon that refused this
	 * client said why before it hung up */
	copied = conn_copy_result(c, head, out);
	if (!copied)
		return 0;
	if (copied == -EIO) {
		fprintf(stderr, "bpfmem: writing the answer failed\n");
		return copied;
	}
	err = copied == 1 ? conn_read_line(c, &line) : err ?: copied;
	if (err) {
		fprintf(stderr, "bpfmem: talking to bpfmemd failed: %s\n",
			strerror(-err));
		return err;
	}
	result = remote_parse(line, cmd, &raw, msg, sizeof(msg));
	if (!result) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return -EPROTO;
	}
	json_object_put(result);
	return print_raw(out, raw, false);
}

int remote_print(struct conn *c, const char *cmd, const char *sort,
		 bool dying, const struct output_opts *o, FILE *out)
{
	json_object *req = remote_request(cmd), *result;
	const char *raw;
	int err;

	json_object_object_add(req, "format",
			       json_object_new_string(o->json ? "json" :
								"table"));
	if (sort)
		json_object_object_add(req, "sort", json_object_new_string(sort));
	if (o->top)
		json_object_object_add(req, "limit",
				       json_object_new_int64(o->top));
	if (dying)
		json_object_object_add(req, "dying",
				       json_object_new_boolean(true));
	if (o->json && !o->pretty) {
		err = copy_raw(c, req, cmd, out);
		json_object_put(req);
		return err;
	}
	if (o->json) {
		raw = call_raw(c, req, cmd);
		json_object_put(req);
		return raw ? print_raw(out, raw, true) : -EPROTO;
	}
	result = call(c, req, cmd, &raw);
	json_object_put(req);
	if (!result)
		return -EPROTO;
	err = fputs(json_object_get_string(result), out) < 0 ? -EIO : 0;
	json_object_put(result);
	return err;
}

static __u64 get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) :
						       0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) :
						       NULL;
}

static void time_text(__u64 time_ms, char *buf, size_t size)
{
	time_t t = time_ms / 1000;
	struct tm tm;

	strftime(buf, size, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
}

static void print_event_header(FILE *out)
{
	fprintf(out, "%8s  %-19s  %-11s %8s  %-20s %-16s %10s  %s\n", "CURSOR",
		"TIME", "EVENT", "ID", "TYPE", "NAME", "MEMLOCK", "CREATOR");
}

static void print_event_row(FILE *out, json_object *ev)
{
	json_object *creator, *memlock;
	char when[32], ml[16] = "-", who[64] = "-";

	time_text(get_u64(ev, "time_ms"), when, sizeof(when));
	if (json_object_object_get_ex(ev, "bytes_memlock", &memlock) && memlock)
		format_bytes(json_object_get_uint64(memlock), ml, sizeof(ml));
	if (json_object_object_get_ex(ev, "creator", &creator) && creator)
		snprintf(who, sizeof(who), "%s(%llu)", get_str(creator, "comm"),
			 (unsigned long long)get_u64(creator, "pid"));
	fprintf(out, "%8llu  %-19s  %-11s %8llu  %-20s %-16s %10s  %s\n",
		(unsigned long long)get_u64(ev, "cursor"), when,
		get_str(ev, "event"), (unsigned long long)get_u64(ev, "id"),
		get_str(ev, "type") ?: "-", get_str(ev, "name") ?: "",
		ml, who);
}

static int follow(struct conn *c, bool json, FILE *out)
{
	const char *line;
	int err;

	for (;;) {
		json_object *msg, *ev;

		err = conn_read_line(c, &line);
		if (err)
			return err == -EPIPE ? 0 : err;
		msg = json_tokener_parse(line);
		if (json_object_object_get_ex(msg, "event", &ev)) {
			if (json)
				fprintf(out, "%s\n",
					json_object_to_json_string_ext(
						ev, JSON_C_TO_STRING_PLAIN));
			else
				print_event_row(out, ev);
			fflush(out);
		}
		json_object_put(msg);
	}
}

int remote_events(struct conn *c, bool follow_on, const struct output_opts *o,
		  FILE *out)
{
	json_object *req, *result, *items;
	const char *raw;
	int err = 0;

	if (follow_on) {
		/* subscribe first: nothing falls between the log and the
		 * stream */
		req = remote_request("subscribe");
		result = call(c, req, "subscribe", NULL);
		json_object_put(req);
		if (!result)
			return -EPROTO;
		json_object_put(result);
	}
	req = remote_request("events");
	result = call(c, req, "events", &raw);
	json_object_put(req);
	if (!result)
		return -EPROTO;
	json_object_object_get_ex(result, "items", &items);
	if (o->json && !follow_on) {
		err = print_raw(out, raw, o->pretty);
	} else {
		if (!o->json)
			print_event_header(out);
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *ev = json_object_array_get_idx(items, i);

			if (o->json)
				fprintf(out, "%s\n",
					json_object_to_json_string_ext(
						ev, JSON_C_TO_STRING_PLAIN));
			else
				print_event_row(out, ev);
		}
	}
	json_object_put(result);
	fflush(out);
	if (!err && follow_on)
		err = follow(c, o->json, out);
	return err;
}

int remote_history(struct conn *c, const char *object, __u64 id,
		   const char *range, const struct output_opts *o, FILE *out)
{
	json_object *req = remote_request("history"), *result, *points;
	const char *raw;
	int err = 0;

	json_object_object_add(req, "object", json_object_new_string(object));
	if (strcmp(object, "total"))
		json_object_object_add(req, "id", json_object_new_int64(id));
	if (range)
		json_object_object_add(req, "range",
				       json_object_new_string(range));
	result = call(c, req, "history", &raw);
	json_object_put(req);
	if (!result)
		return -EPROTO;
	if (o->json) {
		err = print_raw(out, raw, o->pretty);
		json_object_put(result);
		return err;
	}
	json_object_object_get_ex(result, "points", &points);
	for (size_t i = 0; i < json_object_array_length(points); i++) {
		json_object *p = json_object_array_get_idx(points, i);
		char when[32];

		/* the columns are the points' own fields */
		if (!i) {
			fprintf(out, "%-19s", "TIME");
			json_object_object_foreach(p, key, val) {
				(void)val;
				if (strcmp(key, "time_ms"))
					fprintf(out, "  %22s", key);
			}
			fputc('\n', out);
		}
		time_text(get_u64(p, "time_ms"), when, sizeof(when));
		fprintf(out, "%-19s", when);
		json_object_object_foreach(p, k, v) {
			char text[24];

			if (!strcmp(k, "time_ms"))
				continue;
			if (!v)
				snprintf(text, sizeof(text), "-");
			else if (!strncmp(k, "bytes_", 6))
				format_bytes(json_object_get_uint64(v), text,
					     sizeof(text));
			else
				snprintf(text, sizeof(text), "%llu",
					 (unsigned long long)json_object_get_uint64(v));
			fprintf(out, "  %22s", text);
		}
		fputc('\n', out);
	}
	json_object_put(result);
	return ferror(out) ? -EIO : 0;
}

/* Copies the daemon's snapshot to path, so that path never holds half a
 * snapshot either. */
static int copy_atomically(const char *from, const char *path)
{
	char *text = read_text_file(from);
	struct iovec iov;
	int err;

	if (!text)
		return -errno;
	iov = (struct iovec){ text, strlen(text) };
	err = atomic_write(path, 0640, &iov, 1, ATOMIC_DURABLE);
	free(text);
	return err;
}

int remote_snapshot(struct conn *c, const char *path, FILE *out)
{
	json_object *req = remote_request("snapshot");
	json_object *result = call(c, req, "snapshot", NULL);
	const char *written;
	int err = 0;

	json_object_put(req);
	if (!result)
		return -EPROTO;
	written = get_str(result, "path");
	if (path) {
		err = copy_atomically(written, path);
		if (err)
			fprintf(stderr, "bpfmem: copying %s to %s failed: %s\n",
				written, path, strerror(-err));
	} else {
		fprintf(out, "%s\n", written);
	}
	json_object_put(result);
	return err;
}

json_object *remote_capabilities(struct conn *c, char *msg, size_t size)
{
	json_object *req = remote_request("features"), *resp, *caps = NULL;
	const char *line;

	if (!exchange(c, req, &line, msg, size)) {
		resp = json_tokener_parse(line);
		if (json_object_object_get_ex(resp, "capabilities", &caps))
			json_object_get(caps);
		else
			snprintf(msg, size, "bpfmemd did not report its capabilities: it is older than this bpfmem");
		json_object_put(resp);
	}
	json_object_put(req);
	return caps;
}

void print_capabilities(FILE *out, json_object *caps)
{
	json_object *kept = NULL, *dropped = NULL;
	size_t n;

	json_object_object_get_ex(caps, "kept", &kept);
	json_object_object_get_ex(caps, "dropped", &dropped);
	fprintf(out, "\nbpfmemd keeps these capabilities after start-up:\n");
	n = json_object_array_length(kept);
	for (size_t i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(kept, i);

		fprintf(out, "  %-14s %s\n", get_str(k, "name"),
			get_str(k, "why"));
	}
	if (!n)
		fprintf(out, "  none\n");
	n = json_object_array_length(dropped);
	fprintf(out, "and dropped %zu:", n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %s", json_object_get_string(
					    json_object_array_get_idx(dropped, i)));
	fprintf(out, "\n");
}
