// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon/commands.h"
#include "daemon/daemon.h"
#include "daemon/jsonline.h"
#include "report/output.h"
#include "report/report.h"
#include "daemon/request.h"
#include "daemon/snapshot.h"
#include "report/sort.h"

static void send_error(struct client *c, enum api_error e, const char *msg)
{
	struct jsonline l;
	char *buf;
	size_t len;

	if (jsonline_open(&l))
		return;
	json_key(&l.w, "error");
	json_object_open(&l.w);
	json_kv_string(&l.w, "code", api_error_name(e));
	json_kv_string(&l.w, "message", msg);
	json_object_close(&l.w);
	if (!jsonline_close(&l, &buf, &len))
		client_send(c, buf, len);
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static bool has_holder(const struct inventory *inv, struct span span,
		       __u32 pid)
{
	const struct holder *h = inventory_holders(inv, span);

	for (__u32 i = 0; i < span.count; i++)
		if (h[i].pid == pid)
			return true;
	return false;
}

/* path is prefix itself or below it. */
static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!path)
		return false;
	if (n && prefix[n - 1] == '/')
		n--;
	return !strncmp(path, prefix, n) && (path[n] == '/' || !path[n]);
}

static bool map_matches(const struct inventory *inv, const struct map_info *m,
			const struct request *r)
{
	return (!r->has_id || m->rec.id == r->id) &&
	       (!r->has_type || m->rec.type == r->type) &&
	       (!r->name[0] || !strcmp(m->rec.name, r->name)) &&
	       (!r->has_pid || has_holder(inv, m->holders, r->pid)) &&
	       (!r->memcg[0] || under(m->memcg_path, r->memcg));
}

static bool prog_matches(const struct inventory *inv,
			 const struct prog_info *p, const struct request *r)
{
	return (!r->has_id || p->rec.id == r->id) &&
	       (!r->has_type || p->rec.type == r->type) &&
	       (!r->name[0] || !strcmp(prog_name(p), r->name)) &&
	       (!r->has_pid || has_holder(inv, p->holders, r->pid));
}

/* The first limit (0: all) of the objects of [0, n) that match, in the
 * request's order, as pointers into the ledger: a map is 576 bytes, and
 * copying 10,000 of them was a sixth of an answer. */
#define REFS_OF(kind, info_t, matches, sort_refs)			\
static int kind##_refs(const struct inventory *inv, const info_t *all,	\
		       size_t n, const struct request *r,		\
		       const info_t ***out, size_t *nr_out)		\
{									\
	const info_t **refs = malloc((n ?: 1) * sizeof(*refs));		\
	size_t k = 0;							\
									\
	if (!refs)							\
		return -ENOMEM;						\
	for (size_t i = 0; i < n; i++)					\
		if (matches(inv, &all[i], r))				\
			refs[k++] = &all[i];				\
	sort_refs(refs, k, r->sort);					\
	*nr_out = r->limit && r->limit < k ? r->limit : k;		\
	*out = refs;							\
	return 0;							\
}

REFS_OF(maps, struct map_info, map_matches, sort_map_refs)
REFS_OF(progs, struct prog_info, prog_matches, sort_prog_refs)

/* The objects a request lists, in its order. */
struct view {
	const struct map_info **maps;
	size_t nr_maps;
	const struct prog_info **progs;
	size_t nr_progs;
};

/* Every object of the ledger in id order. */
static int all_refs(const struct inventory *inv, struct view *v)
{
	v->maps = malloc((inv->nr_maps ?: 1) * sizeof(*v->maps));
	v->progs = malloc((inv->nr_progs ?: 1) * sizeof(*v->progs));
	if (!v->maps || !v->progs)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_maps; i++)
		v->maps[i] = &inv->maps[i];
	for (size_t i = 0; i < inv->nr_progs; i++)
		v->progs[i] = &inv->progs[i];
	v->nr_maps = inv->nr_maps;
	v->nr_progs = inv->nr_progs;
	return 0;
}

static bool filtered(const struct request *r)
{
	return r->has_id || r->has_type || r->name[0] || r->has_pid ||
	       r->memcg[0];
}

/* The first limit (0: all) of the ledger's maps in the request's order,
 * which the ledger keeps between samples. */
static int all_maps(struct ledger *l, const struct request *r,
		    struct view *v)
{
	const struct map_info *const *order = ledger_map_order(l, r->sort);
	size_t n = l->inv.nr_maps;

	v->maps = malloc((n ?: 1) * sizeof(*v->maps));
	if (!order || !v->maps)
		return -ENOMEM;
	memcpy(v->maps, order, n * sizeof(*v->maps));
	v->nr_maps = r->limit && r->limit < n ? r->limit : n;
	return 0;
}

static int view_build(struct ledger *l, const struct request *r,
		      struct view *v)
{
	const struct inventory *inv = &l->inv;

	*v = (struct view){};
	if (r->cmd == CMD_MAPS && !filtered(r))
		return all_maps(l, r, v);
	if (r->cmd == CMD_MAPS)
		return maps_refs(inv, inv->maps, inv->nr_maps, r, &v->maps,
				 &v->nr_maps);
	if (r->cmd == CMD_PROGS)
		return progs_refs(inv, inv->progs, inv->nr_progs, r,
				  &v->progs, &v->nr_progs);
	/* the report sorts what it is given: a copy, not the ledger */
	if (r->cmd == CMD_REPORT)
		return all_refs(inv, v);
	return 0;
}

static void view_free(struct view *v)
{
	free(v->maps);
	free(v->progs);
}

/*
 * The ledger's inventory with the view's objects in its order, for the
 * printers that take one: shares everything with the ledger but the
 * array it lists. Free inv->maps or inv->progs where they differ from
 * the ledger's.
 */
static int view_inventory(const struct ledger *l, const struct view *v,
			  struct inventory *inv)
{
	*inv = l->inv;
	if (v->maps) {
		inv->maps = malloc((v->nr_maps ?: 1) * sizeof(*inv->maps));
		inv->maps_front = 0;
		if (!inv->maps)
			return -ENOMEM;
		for (size_t i = 0; i < v->nr_maps; i++)
			inv->maps[i] = *v->maps[i];
		inv->nr_maps = v->nr_maps;
	}
	if (v->progs) {
		inv->progs = malloc((v->nr_progs ?: 1) * sizeof(*inv->progs));
		inv->progs_front = 0;
		if (!inv->progs)
			return -ENOMEM;
		for (size_t i = 0; i < v->nr_progs; i++)
			inv->progs[i] = *v->progs[i];
		inv->nr_progs = v->nr_progs;
	}
	return 0;
}

static void view_inventory_free(const struct ledger *l, struct inventory *inv)
{
	if (inv->maps != l->inv.maps)
		free(inv->maps);
	if (inv->progs != l->inv.progs)
		free(inv->progs);
}

static int cmp_cgroup(const void *pa, const void *pb, void *arg)
{
	const struct cgroup_info *a = pa, *b = pb;
	const struct request *cg_order = arg;
	int d = 0;

	switch (cg_order->cg_sort) {
	case CG_SORT_MEMLOCK:
		d = (a->bytes_memlock > b->bytes_memlock) -
		    (a->bytes_memlock < b->bytes_memlock);
		break;
	case CG_SORT_MAPS:
		d = (a->nr_maps > b->nr_maps) - (a->nr_maps < b->nr_maps);
		break;
	case CG_SORT_PATH:
		d = strcmp(a->path ?: "", b->path ?: "");
		break;
	case CG_SORT_ID:
		break;
	}
	if (!d)
		d = (a->id > b->id) - (a->id < b->id);
	return cg_order->cg_descending ? -d : d;
}

/* The ledger's cgroups that match, in the request's order (by default
 * the order of `bpfmem cgroups`). Frees with free(v->cgroups). */
static int cgroups_view(const struct ledger *l, const struct request *r,
			struct cgroup_rollup *v)
{
	v->n = 0;
	v->cgroups = malloc((l->cgroups.n ?: 1) * sizeof(*v->cgroups));
	if (!v->cgroups)
		return -ENOMEM;
	for (size_t i = 0; i < l->cgroups.n; i++)
		if ((!r->memcg[0] ||
		     under(l->cgroups.cgroups[i].path, r->memcg)) &&
		    (!r->dying || l->cgroups.cgroups[i].dying))
			v->cgroups[v->n++] = l->cgroups.cgroups[i];
	if (!r->has_cg_sort) {
		cgroup_rollup_sort_by_bytes(v);
	} else {
		if (v->n > 1)
			qsort_r(v->cgroups, v->n, sizeof(*v->cgroups), cmp_cgroup,
				(void *)r);
	}
	return 0;
}

/* The text `bpfmem COMMAND` prints, as a JSON string. */
static int json_table(struct json_writer *w, const struct request *r,
		      struct inventory *v, const struct cgroup_rollup *cg)
{
	struct output_opts o = { .top = r->limit };
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int err = 0;

	if (!f)
		return -errno;
	switch (r->cmd) {
	case CMD_SUMMARY:
		err = print_summary(f, v, &o);
		break;
	case CMD_REPORT:
		err = print_report(f, v, &o);
		break;
	case CMD_MAPS:
		err = print_maps(f, v, &o);
		break;
	case CMD_PROGS:
		err = print_progs(f, v, &o);
		break;
	case CMD_CGROUPS:
		err = print_cgroups(f, cg, &o, false, false);
		break;
	default:
		break;
	}
	if (fclose(f) && !err)
		err = -errno;
	if (!err)
		json_string(w, text);
	free(text);
	return err;
}

/* A JSON array of the view's objects (or the cgroups), only the
 * request's fields of each where it names them. */
static void json_list(struct json_writer *w, const struct inventory *inv,
		      const struct request *r, const struct view *v,
		      const struct cgroup_rollup *cg)
{
	const char *keep[REQUEST_FIELDS_MAX + 1] = {};
	size_t n;

	json_array_open(w);
	for (size_t i = 0; i < r->nr_fields; i++)
		keep[i] = r->fields[i];
	if (r->nr_fields) {
		w->keep = keep;
		w->keep_depth = w->depth + 1;
	}
	n = r->cmd == CMD_MAPS ? v->nr_maps :
	    r->cmd == CMD_PROGS ? v->nr_progs : cg->n;
	if (r->limit && r->limit < n)
		n = r->limit;
	for (size_t i = 0; i < n; i++) {
		if (r->cmd == CMD_MAPS)
			json_map(w, inv, v->maps[i]);
		else if (r->cmd == CMD_PROGS)
			json_prog(w, inv, v->progs[i]);
		else
			json_cgroup(w, &cg->cgroups[i]);
		json_flush_if_large(w);
		if (w->err)
			break;	/* refused (busy), or the client is gone */
	}
	w->keep = NULL;
	json_array_close(w);
}

static int cmd_inventory(struct bpfmemd *d, const struct request *r,
			 struct json_writer *w)
{
	struct cgroup_rollup cg = {};
	struct inventory inv;
	struct view v;
	int err;

	err = view_build(&d->ledger, r, &v);
	if (!err && r->cmd == CMD_CGROUPS)
		err = cgroups_view(&d->ledger, r, &cg);
	if (err) {
		view_free(&v);
		return err;
	}
	json_key(w, command_name(r->cmd));
	if (r->table) {
		err = view_inventory(&d->ledger, &v, &inv);
		err = err ?: json_table(w, r, &inv, &cg);
		view_inventory_free(&d->ledger, &inv);
	} else if (r->cmd == CMD_SUMMARY) {
		err = json_summary(w, &d->ledger.inv);
	} else if (r->cmd == CMD_REPORT) {
		err = view_inventory(&d->ledger, &v, &inv);
		err = err ?: json_report(w, &inv);
		view_inventory_free(&d->ledger, &inv);
	} else {
		json_list(w, &d->ledger.inv, r, &v, &cg);
	}
	free(cg.cgroups);
	view_free(&v);
	return err;
}

static void cmd_version(struct json_writer *w)
{
	json_key(w, "version");
	json_object_open(w);
	json_kv_string(w, "version", BPFMEM_VERSION);
	json_kv_u64(w, "schema_version", PROTOCOL_SCHEMA_VERSION);
	json_kv_u64(w, "snapshot_schema_version", SNAPSHOT_SCHEMA_VERSION);
	json_object_close(w);
}

static void cmd_events(struct bpfmemd *d, const struct request *r,
		       struct json_writer *w)
{
	__u64 lost, next = r->since, n = 0;
	const struct event_entry *e = event_log_after(&d->events, r->since,
						      &lost);

	json_key(w, "events");
	json_object_open(w);
	json_kv_bool(w, "recording", d->lifecycle);
	json_kv_u64(w, "lost", lost);
	json_key(w, "items");
	json_array_open(w);
	for (; e && (!r->limit || n < r->limit);
	     e = event_log_next(&d->events, e), n++) {
		json_event(w, e);
		next = e->cursor;
	}
	json_array_close(w);
	/* what to send as "since" next time */
	json_kv_u64(w, "cursor", next > d->events.last ? d->events.last : next);
	json_object_close(w);
}

struct hist_ctx {
	struct json_writer *w;
	enum hist_kind kind;
};

static void hist_point(void *ctx, __u64 time_ms, const __u64 *v)
{
	struct hist_ctx *h = ctx;

	json_hist_point(h->w, h->kind, time_ms, v);
}

static enum api_error cmd_history(struct bpfmemd *d, const struct request *r,
				  struct json_writer *w, char *msg,
				  size_t size)
{
	static const char *const names[NR_HIST_KINDS] = {
		[HIST_TOTAL] = "total", [HIST_MAP] = "map",
		[HIST_PROG] = "prog", [HIST_MEMCG] = "cgroup",
	};
	struct hist_ctx ctx = { .w = w, .kind = r->object };
	__u64 id = r->object == HIST_TOTAL ? 0 : r->id;
	__u64 now = now_ms();
	__u64 since = r->range_ms && r->range_ms < now ? now - r->range_ms : 0;

	/* a missing object is found out before anything is written */
	if (history_walk(&d->history, r->object, id, UINT64_MAX, hist_point,
			 &ctx)) {
		snprintf(msg, size, "no %s with id %llu in the history (the last %llu s)",
			 names[r->object], (unsigned long long)id,
			 (unsigned long long)(d->cfg.history_ms / 1000));
		return API_NOT_FOUND;
	}
	json_key(w, "history");
	json_object_open(w);
	json_kv_string(w, "object", names[r->object]);
	json_kv_u64_or_null(w, "id", r->object != HIST_TOTAL, id);
	json_kv_u64(w, "interval_ms", d->cfg.interval_ms);
	json_key(w, "points");
	json_array_open(w);
	history_walk(&d->history, r->object, id, since, hist_point, &ctx);
	json_array_close(w);
	json_object_close(w);
	return API_OK;
}

static int cmd_snapshot(struct bpfmemd *d, struct json_writer *w)
{
	size_t bytes;
	char path[PATH_MAX + 32];
	int err = daemon_snapshot(d, &bytes);

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s", d->cfg.state_dir,
		 SNAPSHOT_NAME);
	json_key(w, "snapshot");
	json_object_open(w);
	json_kv_string(w, "path", path);
	json_kv_u64(w, "bytes", bytes);
	json_kv_u64(w, "time_ms", d->ledger.time_ms);
	json_object_close(w);
	return 0;
}

static void cmd_subscribe(struct bpfmemd *d, struct client *c,
			  const struct request *r, struct json_writer *w)
{
	client_subscribe(c, r->topics);
	json_key(w, "subscribe");
	json_object_open(w);
	json_key(w, "topics");
	json_array_open(w);
	if (r->topics & TOPIC_EVENTS)
		json_string(w, "events");
	if (r->topics & TOPIC_SAMPLES)
		json_string(w, "samples");
	if (r->topics & TOPIC_ALERTS)
		json_string(w, "alerts");
	json_array_close(w);
	json_kv_u64(w, "cursor", d->events.last);
	json_object_close(w);
}

/* An answer on its way to a client, in parts. */
struct answer {
	struct client *c;
	bool started;	/* a part went out: only the rest may follow */
};

static int answer_part(void *ctx, char *buf, size_t len)
{
	struct answer *a = ctx;
	int err = client_send_part(a->c, buf, len, !a->started);

	a->started |= !err;
	return err;
}

void commands_handle(void *ctx, struct client *c, const char *line,
		     size_t len)
{
	struct bpfmemd *d = ctx;
	struct answer a = { .c = c };
	struct jsonline resp;
	struct request r;
	enum api_error e;
	char msg[512], *buf;
	size_t n;
	int err = 0, sent;

	e = request_parse(line, len, &r, msg, sizeof(msg));
	if (e) {
		send_error(c, e, msg);
		return;
	}
	/* a large answer (10 MB at 10,000 maps) goes out while it is
	 * written: the client reads it meanwhile, and the daemon never
	 * holds it whole */
	jsonline_open_sink(&resp, answer_part, &a);
	switch (r.cmd) {
	case CMD_VERSION:
		cmd_version(&resp.w);
		break;
	case CMD_EVENTS:
		cmd_events(d, &r, &resp.w);
		break;
	case CMD_HISTORY:
		e = cmd_history(d, &r, &resp.w, msg, sizeof(msg));
		break;
	case CMD_SNAPSHOT:
		err = cmd_snapshot(d, &resp.w);
		break;
	case CMD_SUBSCRIBE:
		cmd_subscribe(d, c, &r, &resp.w);
		break;
	case CMD_FEATURES:
		json_features_report(&resp.w, &d->host.features);
		json_privileges(&resp.w, &d->privileges);
		break;
	case CMD_ALERTS:
		json_key(&resp.w, "alerts");
		json_alert_states(&resp.w, &d->alerts);
		break;
	default:
		err = cmd_inventory(d, &r, &resp.w);
		break;
	}
	sent = jsonline_close(&resp, &buf, &n);
	if (!sent && (e || err))
		free(buf);
	else if (!sent)
		sent = answer_part(&a, buf, n);
	if (!sent && !e && !err)
		return;
	/* errors are found before anything is written, but a client gone
	 * or memory run out halfway leaves a line that cannot be ended */
	if (a.started || sent == -EPIPE) {
		client_abort(c);
		return;
	}
	if (sent == -EBUSY) {
		snprintf(msg, sizeof(msg),
			 "bpfmemd is busy: clients that do not read hold %llu MiB of answers (max_unread); ask again",
			 (unsigned long long)(d->cfg.max_unread >> 20));
		send_error(c, API_BUSY, msg);
		return;
	}
	if (err)
		snprintf(msg, sizeof(msg), "%s failed: %s", command_name(r.cmd),
			 strerror(-err));
	else if (!e)
		snprintf(msg, sizeof(msg), "%s failed: out of memory",
			 command_name(r.cmd));
	send_error(c, e ?: API_INTERNAL, msg);
}
