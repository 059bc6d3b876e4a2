// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "base/names.h"
#include "model/crosscheck.h"
#include "model/model.h"
#include "report/json_objects.h"

void json_kv_type(struct json_writer *w, const char *name, __u32 type)
{
	json_key(w, "type");
	/* bpftool prints the number for a type it cannot name */
	if (name)
		json_string(w, name);
	else
		json_u64(w, type);
}

/* UAPI value from Linux 6.6; Debian 12's headers are older. */
#define LINK_TYPE_TCX 11

static void json_pins(struct json_writer *w, const struct inventory *inv,
		      struct span span)
{
	json_key(w, "pinned");
	if (!inv->has_pins) {
		json_null(w);	/* not looked for: --bpffs */
		return;
	}
	json_array_open(w);
	for (__u32 i = 0; i < span.count; i++)
		json_string(w, inv->pins[span.first + i].path);
	json_array_close(w);
}

/* What keeps an object alive, of what bpfmem can see: "processes" (fds),
 * "pins", and "programs" (maps they use) or "links" (programs). null when
 * the pins were not looked for (--bpffs): an empty list would be a guess.
 * Empty: something bpfmem does not see (an outer map, a program array, a
 * program attached without a link). */
static void json_kept_by(struct json_writer *w, const struct inventory *inv,
			 struct span holders, struct span pins,
			 const char *users_word, __u32 users)
{
	json_key(w, "kept_by");
	if (!inv->has_pins) {
		json_null(w);
		return;
	}
	json_array_open(w);
	if (holders.count)
		json_string(w, "processes");
	if (pins.count)
		json_string(w, "pins");
	if (users)
		json_string(w, users_word);
	json_array_close(w);
}

static void json_link_target(struct json_writer *w,
			     const struct bpfmem_link_rec *l)
{
	char ifname[IF_NAMESIZE];

	json_key(w, "target");
	json_object_open(w);
	switch (l->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		json_kv_string(w, "tracepoint", l->target_name);
		break;
	case BPF_LINK_TYPE_CGROUP:
		json_kv_u64(w, "cgroup_id", l->target_id);
		break;
	case BPF_LINK_TYPE_ITER:
		json_kv_string(w, "iterator", l->target_name);
		if (l->target_id)
			json_kv_u64(w, strcmp(l->target_name, "cgroup") ?
					       "map_id" :
					       "cgroup_id",
				    l->target_id);
		break;
	case BPF_LINK_TYPE_NETNS:
		json_kv_u64(w, "netns_ino", l->target_id);
		break;
	case BPF_LINK_TYPE_XDP:
	case LINK_TYPE_TCX:
		json_kv_u64(w, "ifindex", l->target_id);
		if (if_indextoname(l->target_id, ifname))
			json_kv_string(w, "ifname", ifname);
		break;
	case BPF_LINK_TYPE_TRACING:
		json_kv_u64(w, "btf_id", l->target_id);
		json_kv_string(w, "function", l->target_name);
		break;
	}
	json_object_close(w);
}

static void json_links(struct json_writer *w, const struct inventory *inv,
		       struct span span)
{
	json_key(w, "links");
	json_array_open(w);
	for (__u32 i = 0; i < span.count; i++) {
		const struct bpfmem_link_rec *l = &inv->links[span.first + i];
		const char *type = libbpf_bpf_link_type_str(l->type);
		const char *attach = libbpf_bpf_attach_type_str(l->attach_type);

		json_object_open(w);
		json_kv_u64(w, "id", l->id);
		json_key(w, "type");
		if (type)
			json_string(w, type);
		else
			json_u64(w, l->type);
		json_key(w, "attach_type");
		/* 0 is cgroup_inet_ingress for cgroup links, unset else */
		if (!l->attach_type && l->type != BPF_LINK_TYPE_CGROUP)
			json_null(w);
		else if (attach)
			json_string(w, attach);
		else
			json_u64(w, l->attach_type);
		json_link_target(w, l);
		json_object_close(w);
	}
	json_array_close(w);
}

/* Who a cgroup belongs to, from its path: unit, container, pod_uid. */
static void json_owner(struct json_writer *w, const struct cgroup_owner *o)
{
	json_key(w, "unit");
	if (o->unit[0])
		json_string(w, o->unit);
	else
		json_null(w);
	json_key(w, "container");
	if (o->container_id[0]) {
		json_object_open(w);
		json_kv_string(w, "id", o->container_id);
		json_kv_string_or_null(w, "runtime", o->runtime);
		json_object_close(w);
	} else {
		json_null(w);
	}
	json_key(w, "pod_uid");
	if (o->pod_uid[0])
		json_string(w, o->pod_uid);
	else
		json_null(w);
}

/* cgroup_owner_parse(), remembering the last path: the holders of
 * thousands of maps are mostly one process, and parsing its path again
 * for each was a twentieth of an answer listing them. */
static void owner_of(const char *path, struct cgroup_owner *o)
{
	static __thread char last[256];
	static __thread struct cgroup_owner last_owner;
	bool fits = strlen(path) < sizeof(last);

	if (fits && !strcmp(path, last)) {
		*o = last_owner;
		return;
	}
	cgroup_owner_parse(path, o);
	if (fits) {
		strcpy(last, path);
		last_owner = *o;
	}
}

/* A process's memory cgroup {id, path} (null for id 0, unknown) and the
 * unit, container and pod its path names. */
static void json_task_memcg(struct json_writer *w, __u64 id, const char *path)
{
	struct cgroup_owner o = {};

	json_key(w, "memcg");
	if (!id) {
		json_null(w);
	} else {
		json_object_open(w);
		json_kv_u64(w, "id", id);
		json_kv_string_or_null(w, "path", path);
		json_object_close(w);
	}
	if (path)
		owner_of(path, &o);
	json_owner(w, &o);
}

/* Who created the object, as the lifecycle hooks saw it; null for objects
 * older than the hooks. The creator's memory cgroup is the object's
 * (obj_memcg_id at obj_memcg_path) unless that charge moved since. */
static void json_creator(struct json_writer *w, const struct inventory *inv,
			 const struct bpfmem_event *ev, const char *memcg_path)
{
	json_key(w, "creator");
	if (!ev) {
		json_null(w);
		return;
	}
	json_object_open(w);
	json_kv_u64(w, "pid", ev->pid);
	json_kv_u64(w, "tgid", ev->tgid);
	json_kv_string(w, "comm", ev->comm);
	json_kv_u64(w, "uid", ev->uid);
	json_kv_u64(w, "cgroup_id", ev->cgroup_id);
	json_task_memcg(w, ev->memcg_id, memcg_path);
	json_kv_u64(w, "created_at", boot_to_unix_seconds(inv, ev->time_ns));
	json_object_close(w);
}

/* What the accounting hooks counted, by allocator; null where they did not
 * see the object whole. */
static void json_traced(struct json_writer *w, bool has_traced,
			const struct bpfmem_traced *t)
{
	__u64 bytes;
	bool known = traced_bytes(has_traced, t, &bytes);

	json_kv_u64_or_null(w, "bytes_traced", known, bytes);
	json_key(w, "traced");
	if (!known) {
		json_null(w);
		return;
	}
	json_object_open(w);
	json_kv_u64(w, "slab", t->bytes[BPFMEM_TRACED_SLAB]);
	json_kv_u64(w, "pages", t->bytes[BPFMEM_TRACED_PAGES]);
	json_kv_u64(w, "percpu", t->bytes[BPFMEM_TRACED_PERCPU]);
	json_kv_u64(w, "root", t->root);
	json_object_close(w);
}

static void json_holders(struct json_writer *w, const struct inventory *inv,
			 struct span span)
{
	const struct holder *h = inventory_holders(inv, span);

	json_key(w, "pids");
	json_array_open(w);
	for (__u32 i = 0; i < span.count; i++) {
		json_object_open(w);
		json_kv_u64(w, "pid", h[i].pid);
		json_kv_string(w, "comm", h[i].comm);
		json_task_memcg(w, h[i].memcg_id, h[i].memcg_path);
		json_object_close(w);
	}
	json_array_close(w);
}

/* bytes_real, who pays it, what it is and why it is not memlock; null
 * where the model does not cover the object. */
static void json_real(struct json_writer *w, bool known,
		      const struct model_bytes *b, enum model_part first,
		      enum model_part end)
{
	json_kv_u64_or_null(w, "bytes_real", known, model_total(b));
	json_kv_u64_or_null(w, "bytes_real_charged", known, b->memcg);
	json_kv_u64_or_null(w, "bytes_real_root", known, b->root);
	json_kv_u64_or_null(w, "bytes_modelled", known, model_total(b));
	json_key(w, "breakdown");
	if (!known) {
		json_null(w);
	} else {
		json_object_open(w);
		for (int a = 0; a < MODEL_ALLOC_NR; a++)
			json_kv_u64(w, model_alloc_name(a), b->alloc[a]);
		for (int p = first; p < (int)end; p++)
			json_kv_u64(w, model_part_name(p), b->part[p]);
		json_object_close(w);
	}
	json_key(w, "reasons");
	json_array_open(w);
	for (int r = 0; known && r < MODEL_R_NR; r++)
		if (b->reasons & (1u << r))
			json_string(w, model_reason_text(1u << r));
	json_array_close(w);
}

/* The memory cgroup charged: {id, path, dying}, or null. */
static void json_memcg(struct json_writer *w, __u64 id, const char *path,
		       bool dying, const char *seen)
{
	json_key(w, "memcg");
	if (!id && !path) {
		json_null(w);
		return;
	}
	json_object_open(w);
	json_kv_u64(w, "id", id);
	json_kv_string_or_null(w, "path", path);
	json_kv_bool(w, "dying", dying);
	/* a living cgroup is seen where it is */
	if (!seen && !dying)
		seen = path;
	json_kv_string_or_null(w, "path_seen", seen);
	json_object_close(w);
}

/* The program's JIT images: where they sit and what they take. */
static void json_jit(struct json_writer *w, const struct bpfmem_prog_rec *r)
{
	char base[24];

	json_key(w, "jit");
	json_object_open(w);
	json_key(w, "entry");
	if (r->image) {
		snprintf(base, sizeof(base), "0x%llx",
			 (unsigned long long)r->image);
		json_string(w, base);
	} else {
		json_null(w);
	}
	json_kv_u64(w, "images", r->nr_images);
	json_kv_u64(w, "bytes_own_allocation", r->image_own_bytes);
	json_key(w, "packs");
	json_array_open(w);
	for (__u32 i = 0; i < r->nr_packs && i < BPFMEM_PROG_MAX_PACKS; i++) {
		json_object_open(w);
		snprintf(base, sizeof(base), "0x%llx",
			 (unsigned long long)r->packs[i].base);
		json_kv_string(w, "pack", base);
		json_kv_u64(w, "bytes", r->packs[i].bytes);
		json_kv_u64(w, "images", r->packs[i].images);
		json_object_close(w);
	}
	json_array_close(w);
	json_kv_bool(w, "packs_truncated",
		     r->rec_flags & BPFMEM_PROG_PACKS_TRUNCATED);
	json_object_close(w);
}

void json_map(struct json_writer *w, const struct inventory *inv,
	      const struct map_info *m)
{
	const struct bpfmem_map_rec *r = &m->rec;
	struct traced_cmp cmp;

	json_object_open(w);
	json_kv_u64(w, "id", r->id);
	json_kv_type(w, map_type_name(r->type), r->type);
	json_kv_string(w, "name", r->name);
	json_kv_u64(w, "flags", r->map_flags);
	json_kv_u64(w, "bytes_key", r->key_size);
	json_kv_u64(w, "bytes_value", r->value_size);
	json_kv_u64(w, "max_entries", r->max_entries);
	json_kv_u64_or_null(w, "bytes_memlock", m->has_memlock,
			    m->bytes_memlock);
	json_real(w, m->has_real, &m->real, 0, MODEL_MAP_PART_NR);
	json_traced(w, m->has_traced, &m->traced);
	traced_compare_map(m, &cmp);
	json_key(w, "traced_vs_model_pct");
	if (cmp.has_pct)
		json_double(w, cmp.pct);
	else
		json_null(w);
	json_kv_string_or_null(w, "traced_vs_model", cmp.reason);
	json_kv_bool(w, "frozen", r->rec_flags & BPFMEM_MAP_FROZEN);
	json_kv_u64_or_null(w, "btf_id", r->btf_id, r->btf_id);
	json_kv_u64(w, "map_extra", r->map_extra);
	json_holders(w, inv, m->holders);
	json_key(w, "prog_ids");
	json_array_open(w);
	for (__u32 i = 0; i < m->users.count; i++)
		json_u64(w, inv->map_users[m->users.first + i].prog_id);
	json_array_close(w);
	json_pins(w, inv, m->pins);
	/* no process holds it: pins, programs or an outer map keep it */
	json_kv_bool(w, "orphan", !m->holders.count);
	json_kept_by(w, inv, m->holders, m->pins, "programs", m->users.count);
	json_kv_u64_or_null(w, "elements",
			    r->rec_flags & BPFMEM_MAP_HAS_ELEMENTS,
			    r->elements);
	json_memcg(w, r->memcg_id, m->memcg_path, map_memcg_dying(m),
		   m->memcg_seen_path);
	json_creator(w, inv, m->creator, m->creator_memcg_path);
	json_kv_bool(w, "bpfmem_own", m->own);
	json_object_close(w);
}

void json_prog(struct json_writer *w, const struct inventory *inv,
	       const struct prog_info *p)
{
	const struct bpfmem_prog_rec *r = &p->rec;
	char tag[2 * BPFMEM_TAG_LEN + 1];

	for (int i = 0; i < BPFMEM_TAG_LEN; i++)
		snprintf(tag + 2 * i, 3, "%02x", r->tag[i]);
	json_object_open(w);
	json_kv_u64(w, "id", r->id);
	json_kv_type(w, prog_type_name(r->type), r->type);
	json_kv_string(w, "name", prog_name(p));
	json_kv_string(w, "tag", tag);
	json_kv_bool(w, "gpl_compatible", r->rec_flags & BPFMEM_PROG_GPL);
	json_kv_u64(w, "loaded_at", p->loaded_at);
	json_kv_u64(w, "uid", r->uid);
	json_kv_u64(w, "bytes_xlated", r->bytes_xlated);
	json_kv_bool(w, "jited", r->rec_flags & BPFMEM_PROG_JITED);
	json_kv_u64(w, "bytes_jited", r->bytes_jited);
	json_kv_u64(w, "bytes_memlock", r->bytes_memlock);
	json_real(w, p->has_real, &p->real, MODEL_MAP_PART_NR, MODEL_PART_NR);
	json_jit(w, r);
	json_traced(w, p->has_traced, &p->traced);
	json_key(w, "map_ids");
	json_array_open(w);
	for (__u32 i = 0; i < r->nr_map_ids; i++)
		json_u64(w, r->map_ids[i]);
	json_array_close(w);
	json_kv_u64_or_null(w, "btf_id", r->btf_id, r->btf_id);
	json_kv_u64(w, "verified_insns", r->verified_insns);
	json_kv_bool(w, "sleepable", r->rec_flags & BPFMEM_PROG_SLEEPABLE);
	json_holders(w, inv, p->holders);
	json_links(w, inv, p->links);
	json_pins(w, inv, p->pins);
	/* no process holds it: pins, links, attachments or program arrays
	 * keep it */
	json_kv_bool(w, "orphan", !p->holders.count);
	json_kept_by(w, inv, p->holders, p->pins, "links", p->links.count);
	json_memcg(w, r->memcg_id, p->memcg_path, prog_memcg_dying(p),
		   p->memcg_seen_path);
	json_creator(w, inv, p->creator, p->creator_memcg_path);
	json_kv_bool(w, "bpfmem_own", p->own);
	json_object_close(w);
}

void json_own(struct json_writer *w, const struct own_summary *s)
{
	json_key(w, "bpfmem_own");
	json_object_open(w);
	json_kv_u64(w, "maps", s->nr_maps);
	json_kv_u64(w, "programs", s->nr_progs);
	json_kv_u64(w, "bytes_real", s->bytes_real);
	json_kv_u64(w, "bytes_memlock", s->bytes_memlock);
	json_kv_bool(w, "listed", s->shown);
	json_object_close(w);
}

static void json_u64_array(struct json_writer *w, const char *key,
			   const __u32 *ids, size_t n)
{
	json_key(w, key);
	json_array_open(w);
	for (size_t i = 0; i < n; i++)
		json_u64(w, ids[i]);
	json_array_close(w);
}

void json_cgroup(struct json_writer *w, const struct cgroup_info *c)
{
	json_object_open(w);
	json_kv_u64(w, "id", c->id);
	json_kv_string_or_null(w, "path", c->path);
	json_kv_bool(w, "dying", c->dying);
	json_key(w, "removed_paths");
	json_array_open(w);
	for (size_t i = 0; i < c->nr_removed_paths; i++)
		json_string(w, c->removed_paths[i]);
	json_array_close(w);
	json_owner(w, &c->owner);
	json_kv_u64(w, "bytes_memlock", c->bytes_memlock);
	json_kv_u64(w, "bytes_memlock_subtree", c->bytes_memlock_subtree);
	json_kv_u64_or_null(w, "bytes_real", c->real_complete, c->bytes_real);
	json_kv_u64_or_null(w, "bytes_real_charged", c->real_complete,
			    c->bytes_real_charged);
	json_kv_u64_or_null(w, "bytes_real_root", c->real_complete,
			    c->bytes_real_root);
	json_kv_u64(w, "not_modelled", c->nr_not_modelled);
	json_kv_u64_or_null(w, "bytes_real_subtree", c->real_subtree_complete,
			    c->bytes_real_subtree);
	json_u64_array(w, "maps", c->map_ids, c->nr_maps);
	json_u64_array(w, "progs", c->prog_ids, c->nr_progs);
	json_kv_u64_or_null(w, "usage_bytes", c->has_usage, c->usage);
	json_kv_u64_or_null(w, "limit_bytes", c->has_limit, c->limit);
	json_kv_u64_or_null(w, "kmem_bytes", c->has_kmem, c->kmem);
	json_object_close(w);
}
