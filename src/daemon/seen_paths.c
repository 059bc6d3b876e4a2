// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "seen_paths.h"

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

/* The path to remember for one object: its cgroup's, while alive; the
 * remembered one after. */
static int add(struct seen_paths *t, const struct seen_paths *old,
	       __u32 kind, __u32 id, const char *path, bool dying,
	       const char **seen)
{
	const char *keep = dying ? find(old, kind, id) : path;
	char *copy;

	*seen = NULL;
	if (!keep)
		return 0;
	copy = strdup(keep);
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
	int err = 0;

	t.v = calloc(inv->nr_maps + inv->nr_progs ?: 1, sizeof(*t.v));
	if (!t.v)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_maps && !err; i++) {
		struct map_info *m = &inv->maps[i];

		err = add(&t, old, BPFMEM_OBJ_MAP, m->rec.id, m->memcg_path,
			  map_memcg_dying(m), &m->memcg_seen_path);
	}
	for (size_t i = 0; i < inv->nr_progs && !err; i++) {
		struct prog_info *p = &inv->progs[i];

		err = add(&t, old, BPFMEM_OBJ_PROG, p->rec.id, p->memcg_path,
			  p->rec.memcg_id && prog_memcg_dying(p),
			  &p->memcg_seen_path);
	}
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
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	*t = (struct seen_paths){};
}
