// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/seen_paths.h"

static int cmp_seen(const void *pa, const void *pb)
{
	const struct seen_path *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static const char *find(const struct seen_paths *t, __u32 kind, __u32 id)
{
	struct seen_path key = { .kind = kind, .id = id };
	const struct seen_path *s =
		t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_seen) :
		       NULL;

	return s ? s->path : NULL;
}

/* Copies of the paths of one update, by the address they were copied
 * from: the memory cgroup table gives objects of one cgroup one pointer. */
#define COPIES_SLOTS 1024

struct copies {
	const char *from[COPIES_SLOTS];
	const char *to[COPIES_SLOTS];
};

/* The table's own copy of path, made once per distinct pointer. */
static const char *intern(struct seen_paths *t, struct copies *c,
			  size_t *cap, const char *path)
{
	size_t slot = ((uintptr_t)path >> 4) % COPIES_SLOTS;
	char *copy;

	for (size_t k = 0; k < COPIES_SLOTS; k++) {
		size_t i = (slot + k) % COPIES_SLOTS;

		if (c->from[i] == path)
			return c->to[i];
		if (!c->from[i]) {
			slot = i;
			break;
		}
	}
	if (t->nr_strs == *cap) {
		size_t more = *cap ? *cap * 2 : 16;
		char **bigger = realloc(t->strs, more * sizeof(*bigger));

		if (!bigger)
			return NULL;
		t->strs = bigger;
		*cap = more;
	}
	copy = strdup(path);
	if (!copy)
		return NULL;
	t->strs[t->nr_strs++] = copy;
	if (!c->from[slot]) {	/* a full table only stops sharing */
		c->from[slot] = path;
		c->to[slot] = copy;
	}
	return copy;
}

/* The path to remember for one object: its cgroup's, while alive; the
 * remembered one after. */
static int add(struct seen_paths *t, struct copies *c, size_t *cap,
	       const struct seen_paths *old, __u32 kind, __u32 id,
	       const char *path, bool dying, const char **seen)
{
	const char *keep = dying ? find(old, kind, id) : path;
	const char *copy;

	*seen = NULL;
	if (!keep)
		return 0;
	copy = intern(t, c, cap, keep);
	if (!copy)
		return -ENOMEM;
	t->v[t->n++] = (struct seen_path){ kind, id, copy };
	*seen = copy;
	return 0;
}

int seen_paths_update(const struct seen_paths *old, struct inventory *inv,
		      struct seen_paths *out)
{
	struct seen_paths t = {};
	struct copies *copies = calloc(1, sizeof(*copies));
	size_t cap = 0;
	int err = 0;

	t.v = calloc(inv->nr_maps + inv->nr_progs ?: 1, sizeof(*t.v));
	if (!t.v || !copies) {
		free(t.v);
		free(copies);
		return -ENOMEM;
	}
	for (size_t i = 0; i < inv->nr_maps && !err; i++) {
		struct map_info *m = &inv->maps[i];

		err = add(&t, copies, &cap, old, BPFMEM_OBJ_MAP, m->rec.id,
			  m->memcg_path,
			  map_memcg_dying(m), &m->memcg_seen_path);
	}
	for (size_t i = 0; i < inv->nr_progs && !err; i++) {
		struct prog_info *p = &inv->progs[i];

		err = add(&t, copies, &cap, old, BPFMEM_OBJ_PROG, p->rec.id,
			  p->memcg_path,
			  p->rec.memcg_id && prog_memcg_dying(p),
			  &p->memcg_seen_path);
	}
	free(copies);
	if (err) {
		for (size_t i = 0; i < inv->nr_maps; i++)
			inv->maps[i].memcg_seen_path = NULL;
		for (size_t i = 0; i < inv->nr_progs; i++)
			inv->progs[i].memcg_seen_path = NULL;
		seen_paths_free(&t);
		return err;
	}
	/* maps, then programs, each in ascending id: already sorted */
	*out = t;
	return 0;
}

void seen_paths_free(struct seen_paths *t)
{
	for (size_t i = 0; i < t->nr_strs; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->v);
	*t = (struct seen_paths){};
}
