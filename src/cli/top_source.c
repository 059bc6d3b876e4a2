// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "model/cgroups.h"
#include "base/names.h"
#include "cli/remote.h"
#include "cli/top_source.h"
#include "pipeline/pipeline.h"

void top_source_init(struct top_source *s, const char *socket,
		     const struct collector_opts *copts)
{
	*s = (struct top_source){ .socket = socket, .copts = *copts };
	s->conn.fd = -1;
}

void top_source_free(struct top_source *s)
{
	if (s->connected)
		conn_close(&s->conn);
	collector_free(s->collector);
	*s = (struct top_source){};
}

/* The number at key: false when absent or null. */
static bool jnum(json_object *o, const char *key, __u64 *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static size_t jlen(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return 0;
	return json_object_array_length(v);
}

/* Name, type and the figures every object has. */
static int row_from_json(struct top_row *r, json_object *o,
			 const char *name_key)
{
	json_object *type;
	const char *name = jstr(o, name_key);

	jnum(o, "id", &r->id);
	if (name && !(r->name = strdup(name)))
		return -ENOMEM;
	/* a number for a type the daemon's build cannot name */
	if (json_object_object_get_ex(o, "type", &type) && type)
		snprintf(r->type, sizeof(r->type), "%s%s",
			 json_object_is_type(type, json_type_string) ? "" :
								       "type_",
			 json_object_get_string(type));
	r->has_memlock = jnum(o, "bytes_memlock", &r->memlock);
	r->has_real = jnum(o, "bytes_real", &r->real);
	return 0;
}

static int rows_from_json(struct top_frame *f, enum top_view v,
			  json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct top_row *r = top_frame_add(f, v);
		int err;

		if (!r)
			return -ENOMEM;
		err = row_from_json(r, o, v == TOP_CGROUPS ? "path" : "name");
		if (err)
			return err;
		if (v == TOP_MAPS) {
			r->map.has_elements = jnum(o, "elements",
						   &r->map.elements);
			jnum(o, "max_entries", &r->map.max_entries);
		} else if (v == TOP_PROGS) {
			jnum(o, "bytes_jited", &r->prog.jited);
			jnum(o, "bytes_xlated", &r->prog.xlated);
		} else {
			struct cgroup_owner owner = {};
			json_object *ctr;

			snprintf(owner.unit, sizeof(owner.unit), "%s",
				 jstr(o, "unit") ?: "");
			snprintf(owner.pod_uid, sizeof(owner.pod_uid), "%s",
				 jstr(o, "pod_uid") ?: "");
			if (json_object_object_get_ex(o, "container", &ctr) &&
			    ctr) {
				snprintf(owner.container_id,
					 sizeof(owner.container_id), "%s",
					 jstr(ctr, "id") ?: "");
				owner.runtime = jstr(ctr, "runtime");
			}
			cgroup_owner_text(&owner, r->type, sizeof(r->type));
			r->cg.maps = jlen(o, "maps");
			r->cg.progs = jlen(o, "progs");
			r->cg.has_usage = jnum(o, "usage_bytes", &r->cg.usage);
			r->cg.has_limit = jnum(o, "limit_bytes", &r->cg.limit);
		}
	}
	return 0;
}

static const char *const view_cmds[TOP_NR_VIEWS] = {
	[TOP_MAPS] = "maps",
	[TOP_PROGS] = "progs",
	[TOP_CGROUPS] = "cgroups",
};

/* The members rows_from_json() reads: at 10,000 maps the whole objects
 * are 11 MB, which json-c took seconds to parse; these are about 1 MB. */
static const char *const view_fields[TOP_NR_VIEWS][16] = {
	[TOP_MAPS] = { "id", "name", "type", "bytes_memlock", "bytes_real",
		       "elements", "max_entries" },
	[TOP_PROGS] = { "id", "name", "type", "bytes_memlock", "bytes_real",
			"bytes_jited", "bytes_xlated" },
	[TOP_CGROUPS] = { "id", "path", "type", "bytes_memlock", "bytes_real",
			  "unit", "pod_uid", "container", "maps", "progs",
			  "usage_bytes", "limit_bytes" },
};

/* The daemon's sort fields for top's keys (src/report/sort.c). */
static const char *const key_fields[TOP_NR_KEYS] = {
	[TOP_BY_REAL] = "real",
	[TOP_BY_MEMLOCK] = "memlock",
	[TOP_BY_FILL] = "fill",
	[TOP_BY_NAME] = "name",
	[TOP_BY_ID] = "id",
};

struct top_want top_want_of(const struct top_state *st, size_t screen_rows)
{
	return (struct top_want){
		.view = st->view,
		.key = st->key,
		.descending = st->descending,
		/* scrolled to the end: every row */
		.rows = st->first >= SIZE_MAX / 4 ? 0 : st->first + screen_rows,
	};
}

/* Every object of view v, or with want only the maps the screen shows,
 * in its order. */
static json_object *view_request(enum top_view v, const struct top_want *want)
{
	json_object *req = remote_request(view_cmds[v]);
	json_object *fields = json_object_new_array();
	char sort[32];

	for (const char *const *f = view_fields[v]; *f; f++)
		json_object_array_add(fields, json_object_new_string(*f));
	json_object_object_add(req, "fields", fields);
	if (want && v == TOP_MAPS) {
		/* the first rows of another view's order are never shown */
		bool shown = want->view == TOP_MAPS;

		snprintf(sort, sizeof(sort), "%s:%s",
			 key_fields[shown ? want->key : TOP_BY_ID],
			 shown && want->descending ? "desc" : "asc");
		json_object_object_add(req, "sort",
				       json_object_new_string(sort));
		/* rows 0: all of them (the End key) */
		if (!shown || want->rows)
			json_object_object_add(req, "limit",
					       json_object_new_uint64(shown ?
									      want->rows :
									      1));
	}
	return req;
}

/* The maps' totals, from the daemon's report: 0 or -EPROTO with msg. */
static int fetch_map_totals(struct top_source *s, struct top_frame *f,
			    char *msg, size_t size)
{
	json_object *req = remote_request("report");
	json_object *report = remote_call(&s->conn, req, "report", NULL, msg,
					  size);
	json_object *totals, *maps;
	struct top_totals *t = &f->totals[TOP_MAPS];
	__u64 n = 0, modelled = 0;

	json_object_put(req);
	if (!report)
		return -EPROTO;
	if (!json_object_object_get_ex(report, "totals", &totals) ||
	    !json_object_object_get_ex(totals, "maps", &maps) ||
	    !jnum(maps, "count", &n)) {
		json_object_put(report);
		snprintf(msg, size, "bpfmemd's report has no totals.maps");
		return -EPROTO;
	}
	jnum(maps, "modelled", &modelled);
	jnum(maps, "bytes_memlock", &t->memlock);
	jnum(maps, "bytes_real", &t->real);
	t->n = n;
	t->with_real = modelled;
	f->partial[TOP_MAPS] = true;
	json_object_put(report);
	return 0;
}

/* The daemon's latest sample; 0 or -errno with msg. */
static int fetch_remote(struct top_source *s, const struct top_want *want,
			struct top_frame *f, char *msg, size_t size)
{
	int err = want ? fetch_map_totals(s, f, msg, size) : 0;

	for (int v = 0; !err && v < TOP_NR_VIEWS; v++) {
		json_object *req = view_request(v, want);
		json_object *result = remote_call(&s->conn, req, view_cmds[v],
						  NULL, msg, size);

		json_object_put(req);
		if (!result)
			return -EPROTO;
		err = json_object_is_type(result, json_type_array) ?
			      rows_from_json(f, v, result) :
			      -EPROTO;
		json_object_put(result);
		if (err)
			snprintf(msg, size, "reading bpfmemd's %s failed: %s",
				 view_cmds[v], strerror(-err));
	}
	return err;
}

static int rows_from_inventory(struct top_frame *f,
			       const struct inventory *inv,
			       const struct cgroup_rollup *cg)
{
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];
		const char *type = map_type_name(m->rec.type);
		struct top_row *r = top_frame_add(f, TOP_MAPS);

		if (!r || !(r->name = strdup(m->rec.name)))
			return -ENOMEM;
		r->id = m->rec.id;
		r->own = m->own;
		type_text(r->type, sizeof(r->type), type, m->rec.type);
		r->has_memlock = m->has_memlock;
		r->memlock = m->bytes_memlock;
		r->has_real = m->has_real;
		r->real = model_total(&m->real);
		r->map.has_elements = m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS;
		r->map.elements = m->rec.elements;
		r->map.max_entries = m->rec.max_entries;
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];
		const char *type = prog_type_name(p->rec.type);
		struct top_row *r = top_frame_add(f, TOP_PROGS);

		if (!r || !(r->name = strdup(prog_name(p))))
			return -ENOMEM;
		r->id = p->rec.id;
		r->own = p->own;
		type_text(r->type, sizeof(r->type), type, p->rec.type);
		r->has_memlock = true;
		r->memlock = p->rec.bytes_memlock;
		r->has_real = p->has_real;
		r->real = model_total(&p->real);
		r->prog.jited = p->rec.bytes_jited;
		r->prog.xlated = p->rec.bytes_xlated;
	}
	for (size_t i = 0; i < cg->n; i++) {
		const struct cgroup_info *c = &cg->cgroups[i];
		struct top_row *r = top_frame_add(f, TOP_CGROUPS);

		if (!r || (c->path && !(r->name = strdup(c->path))))
			return -ENOMEM;
		r->id = c->id;
		cgroup_owner_text(&c->owner, r->type, sizeof(r->type));
		r->has_memlock = true;
		r->memlock = c->bytes_memlock;
		r->has_real = c->real_complete;
		r->real = c->bytes_real;
		r->cg.maps = c->nr_maps;
		r->cg.progs = c->nr_progs;
		r->cg.has_usage = c->has_usage;
		r->cg.usage = c->usage;
		r->cg.has_limit = c->has_limit;
		r->cg.limit = c->limit;
	}
	return 0;
}

static int fetch_local(struct top_source *s, struct top_frame *f,
		       int *exit_code)
{
	struct cgroup_rollup cg;
	struct inventory inv;
	int err;

	if (!s->collector) {
		err = collector_new(&s->copts, &s->collector, f->note,
				    sizeof(f->note), exit_code);
		if (err)
			return err;
	}
	*exit_code = EXIT_FAILURE_RUNTIME;
	err = pipeline_collect(s->collector, &inv);
	if (err) {
		snprintf(f->note, sizeof(f->note),
			 "collecting the inventory failed: %s", strerror(-err));
		return err;
	}
	err = cgroup_rollup_build(&inv, false, &cg);
	if (!err) {
		err = rows_from_inventory(f, &inv, &cg);
		cgroup_rollup_free(&cg);
	}
	inventory_free(&inv);
	if (err)
		snprintf(f->note, sizeof(f->note), "building the view failed: %s",
			 strerror(-err));
	return err;
}

int top_source_fetch(struct top_source *s, const struct top_want *want,
		     struct top_frame *f, int *exit_code)
{
	char msg[256] = "";
	int err;

	top_frame_clear(f);
	f->time = time(NULL);
	if (s->socket && !s->connected) {
		err = conn_open(&s->conn, s->socket);
		s->connected = !err;
		if (err)
			snprintf(msg, sizeof(msg), "%s", strerror(-err));
	}
	if (s->connected) {
		err = fetch_remote(s, want, f, msg, sizeof(msg));
		if (!err) {
			s->had_daemon = true;
			snprintf(f->source, sizeof(f->source),
				 "from bpfmemd (%s)", s->socket);
			return 0;
		}
		/* it went away or answered nonsense: ask again next time */
		conn_close(&s->conn);
		s->connected = false;
		top_frame_clear(f);
		f->time = time(NULL);
	}
	err = fetch_local(s, f, exit_code);
	if (err)
		return err;
	snprintf(f->source, sizeof(f->source), "collected in-process");
	/* without a daemon from the start, in-process is the normal case */
	if (s->had_daemon)
		snprintf(f->note, sizeof(f->note),
			 "bpfmemd on %s went away (%s): collected in-process until it answers again",
			 s->socket, msg);
	return 0;
}
