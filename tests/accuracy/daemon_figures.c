// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "cli/client.h"
#include "model/crosscheck.h"
#include "daemon_figures.h"
#include "../json_find.h"

/* The next line that is not a sample or an event: the response. */
static int response(struct conn *c, const char *key, json_object **out)
{
	const char *line;
	int err;

	do {
		err = conn_read_line(c, &line);
		if (err)
			return err;
	} while (!strncmp(line, "{\"sample\"", 9) ||
		 !strncmp(line, "{\"event\"", 8));
	*out = json_tokener_parse(line);
	if (!*out)
		return -EBADMSG;
	if (!json_object_object_get_ex(*out, key, NULL)) {
		json_object_put(*out);
		return -EPROTO;
	}
	return 0;
}

/* A map's traced_vs_model_pct against its reason. */
static void check_told(json_object *m, struct daemon_figures *f)
{
	json_object *pct = NULL, *why = NULL;
	bool has_pct, has_why;

	json_object_object_get_ex(m, "traced_vs_model_pct", &pct);
	json_object_object_get_ex(m, "traced_vs_model", &why);
	has_pct = pct && !json_object_is_type(pct, json_type_null);
	has_why = why && json_object_is_type(why, json_type_string);
	if (has_pct && fabs(json_object_get_double(pct)) > TRACED_TOLERANCE_PCT) {
		f->disagree++;
		f->disagree_told += has_why;
	} else if (has_why) {
		f->told_wrongly++;
	}
}

int daemon_figures_read(const char *sock, const __u32 *ids,
			const __u32 *prog_ids, int n,
			struct daemon_figures *out, char *msg, size_t size)
{
	json_object *maps = NULL, *progs = NULL, *arr;
	const char *line;
	struct conn c;
	int err, samples = 0;

	*out = (struct daemon_figures){ .whole = true };
	err = conn_open(&c, sock);
	if (err) {
		snprintf(msg, size, "connecting to bpfmemd at %s: %s", sock,
			 strerror(-err));
		return err;
	}
	err = conn_send(&c, "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}");
	err = err ?: response(&c, "subscribe", &maps);
	json_object_put(maps);
	maps = NULL;
	while (!err && samples < 2) {
		err = conn_read_line(&c, &line);
		samples += !err && !strncmp(line, "{\"sample\"", 9);
	}
	err = err ?: conn_send(&c, "{\"cmd\":\"maps\"}");
	err = err ?: response(&c, "maps", &maps);
	err = err ?: conn_send(&c, "{\"cmd\":\"progs\"}");
	err = err ?: response(&c, "progs", &progs);
	if (err) {
		snprintf(msg, size, "asking bpfmemd at %s for maps and progs: %s",
			 sock, strerror(-err));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		json_object *o, *v;

		json_object_object_get_ex(prog_ids[i] ? progs : maps,
					  prog_ids[i] ? "progs" : "maps", &arr);
		o = json_find_id(arr, prog_ids[i] ?: ids[i]);
		if (!o) {
			snprintf(msg, size, "bpfmemd does not list %s %u",
				 prog_ids[i] ? "program" : "map",
				 prog_ids[i] ?: ids[i]);
			err = -ENOENT;
			goto out;
		}
		if (!json_object_object_get_ex(o, "bytes_traced", &v) ||
		    json_object_is_type(v, json_type_null))
			out->whole = false;
		else
			out->traced += json_object_get_int64(v);
		if (!prog_ids[i])
			check_told(o, out);
	}
out:
	json_object_put(maps);
	json_object_put(progs);
	conn_close(&c);
	return err;
}
