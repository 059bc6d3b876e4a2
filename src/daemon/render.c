// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "base/names.h"
#include "report/json_objects.h"
#include "daemon/render.h"

void json_totals(struct json_writer *w, const struct ledger_totals *t)
{
	json_object_open(w);
	json_kv_u64(w, "maps", t->maps);
	json_kv_u64(w, "progs", t->progs);
	json_kv_u64(w, "bytes_memlock_maps", t->maps_memlock);
	json_kv_u64(w, "bytes_memlock_progs", t->progs_memlock);
	json_kv_u64(w, "bytes_memlock", t->maps_memlock + t->progs_memlock);
	json_kv_u64(w, "bytes_jited", t->progs_jited);
	json_object_close(w);
}

static const char *event_kind_name(__u32 kind)
{
	switch (kind) {
	case BPFMEM_EV_MAP_CREATE:
		return "map_create";
	case BPFMEM_EV_MAP_FREE:
		return "map_free";
	case BPFMEM_EV_PROG_LOAD:
		return "prog_load";
	case BPFMEM_EV_PROG_FREE:
		return "prog_free";
	default:
		return "unknown";
	}
}

static bool event_is_map(__u32 kind)
{
	return kind == BPFMEM_EV_MAP_CREATE || kind == BPFMEM_EV_MAP_FREE;
}

/* Strings from the kernel's fixed-size arrays need not end in NUL. */
static void json_kv_bounded(struct json_writer *w, const char *k,
			    const char *s, size_t size)
{
	char buf[64];
	size_t n = 0;

	while (n < size && n < sizeof(buf) - 1 && s[n])
		n++;
	memcpy(buf, s, n);
	buf[n] = '\0';
	json_kv_string(w, k, buf);
}

void json_event(struct json_writer *w, const struct event_entry *e)
{
	const struct bpfmem_event *ev = &e->ev;
	bool map = event_is_map(ev->kind);
	const char *type = map ? map_type_name(ev->obj_type) :
				 prog_type_name(ev->obj_type);

	json_object_open(w);
	json_kv_u64(w, "cursor", e->cursor);
	json_kv_u64(w, "time_ms", e->time_ms);
	json_kv_string(w, "event", event_kind_name(ev->kind));
	json_kv_string(w, "object", map ? "map" : "prog");
	json_kv_u64(w, "id", ev->id);
	json_key(w, "type");
	if (type)
		json_string(w, type);
	else
		json_u64(w, ev->obj_type);
	json_kv_bounded(w, "name", ev->name, sizeof(ev->name));
	json_kv_u64_or_null(w, "bytes_memlock", e->has_bytes,
			    e->bytes_memlock);
	json_kv_u64_or_null(w, "memcg_id", ev->memcg_id, ev->memcg_id);
	json_key(w, "creator");
	if (ev->pid) {
		json_object_open(w);
		json_kv_u64(w, "pid", ev->tgid);
		json_kv_u64(w, "tid", ev->pid);
		json_kv_u64(w, "uid", ev->uid);
		json_kv_bounded(w, "comm", ev->comm, sizeof(ev->comm));
		json_kv_u64(w, "cgroup_id", ev->cgroup_id);
		json_object_close(w);
	} else {
		json_null(w);
	}
	json_object_close(w);
}

void json_hist_point(struct json_writer *w, enum hist_kind k, __u64 time_ms,
		     const __u64 *v)
{
	json_object_open(w);
	json_kv_u64(w, "time_ms", time_ms);
	switch (k) {
	case HIST_TOTAL:
		json_kv_u64(w, "bytes_memlock_maps", v[0]);
		json_kv_u64(w, "bytes_memlock_progs", v[1]);
		json_kv_u64(w, "maps", v[2]);
		json_kv_u64(w, "progs", v[3]);
		break;
	case HIST_MAP:
		json_kv_u64_or_null(w, "bytes_memlock", v[2], v[0]);
		json_kv_u64_or_null(w, "elements", v[3], v[1]);
		break;
	case HIST_PROG:
		json_kv_u64(w, "bytes_memlock", v[0]);
		json_kv_u64(w, "bytes_jited", v[1]);
		break;
	case HIST_MEMCG:
		json_kv_u64(w, "bytes_memlock", v[0]);
		json_kv_u64(w, "bytes_memlock_subtree", v[1]);
		json_kv_u64(w, "maps", v[2]);
		json_kv_u64(w, "progs", v[3]);
		break;
	default:
		break;
	}
	json_object_close(w);
}

static void json_features(struct json_writer *w, const struct host_info *h)
{
	json_object_open(w);
	json_kv_bool(w, "btf", feature_has(&h->features, FEAT_BTF));
	json_kv_bool(w, "kfunc_elem_count", feature_has(&h->features, FEAT_KFUNC_ELEM_COUNT));
	json_kv_bool(w, "memcg", feature_has(&h->features, FEAT_MEMCG));
	json_kv_bool(w, "lifecycle_events", h->lifecycle);
	json_kv_bool(w, "accounting_hooks", h->accounting);
	json_object_close(w);
}

void json_snapshot(struct json_writer *w, const struct ledger *l,
		   const struct host_info *h)
{
	const struct inventory *inv = &l->inv;

	json_object_open(w);
	json_kv_u64(w, "schema_version", SNAPSHOT_SCHEMA_VERSION);
	json_kv_u64(w, "time_ms", l->time_ms);
	json_kv_string(w, "host", h->host);
	json_kv_string(w, "kernel", h->kernel);
	json_key(w, "features");
	json_features(w, h);
	json_key(w, "totals");
	json_totals(w, &l->totals);
	json_own(w, &inv->own);
	json_key(w, "maps");
	json_array_open(w);
	for (size_t i = 0; i < inv->nr_maps; i++) {
		json_map(w, inv, &inv->maps[i]);
		json_flush_if_large(w);
	}
	json_array_close(w);
	json_key(w, "progs");
	json_array_open(w);
	for (size_t i = 0; i < inv->nr_progs; i++) {
		json_prog(w, inv, &inv->progs[i]);
		json_flush_if_large(w);
	}
	json_array_close(w);
	json_key(w, "cgroups");
	json_array_open(w);
	for (size_t i = 0; i < l->cgroups.n; i++)
		json_cgroup(w, &l->cgroups.cgroups[i]);
	json_array_close(w);
	json_object_close(w);
}
