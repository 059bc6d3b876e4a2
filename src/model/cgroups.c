// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "model/cgroups.h"
#include "base/array_sort.h"

/* v1 shows no limit as PAGE_COUNTER_MAX pages, about 2^63 bytes. */
#define NO_LIMIT_FLOOR (1ULL << 62)

int cgroup_parse_counter(const char *text, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!strcmp(text, "max\n") || !strcmp(text, "max"))
		return 1;
	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end && *end != '\n'))
		return -EINVAL;
	if (v >= NO_LIMIT_FLOOR)
		return 1;
	*out = v;
	return 0;
}

/* 0, 1 for "no limit", or -errno. */
static int read_counter(const char *root, const char *path, const char *file,
			__u64 *out)
{
	char name[PATH_MAX], text[64];
	ssize_t n;
	int fd;

	if (snprintf(name, sizeof(name), "%s%s/%s", root,
		     strcmp(path, "/") ? path : "", file) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -EINVAL;
	text[n] = '\0';
	return cgroup_parse_counter(text, out);
}

static int cmp_rec_id(const void *key, const void *elem)
{
	__u64 id = *(const __u64 *)key;
	__u64 other = ((const struct bpfmem_memcg_rec *)elem)->id;

	return id < other ? -1 : id > other;
}

static const struct bpfmem_memcg_rec *find_rec(const struct inventory *inv,
					       __u64 id)
{
	return inv->nr_memcg_recs ?
		       bsearch(&id, inv->memcg_recs, inv->nr_memcg_recs,
			       sizeof(*inv->memcg_recs), cmp_rec_id) :
		       NULL;
}

/* From the memory cgroup iterator: the page counters the files print. The
 * root is left to the files: v1 computes its usage from global counters. */
static bool counters_from_iterator(const struct inventory *inv,
				   struct cgroup_info *c)
{
	const struct bpfmem_memcg_rec *r = find_rec(inv, c->id);
	__u64 page = sysconf(_SC_PAGESIZE);

	if (!r || c->id == inv->memcgs.root_id)
		return false;
	c->has_usage = true;
	c->usage = r->usage_pages * page;
	c->has_limit = r->max_pages < NO_LIMIT_FLOOR / page;
	c->limit = r->max_pages * page;
	c->has_kmem = r->has_kmem;
	c->kmem = r->kmem_pages * page;
	return true;
}

/* v1 and v2 name the same counters differently; the root cgroup of v2 has
 * no memory.current or memory.max at all. */
static void read_counters(const struct inventory *inv, struct cgroup_info *c)
{
	const struct memcg_table *t = &inv->memcgs;
	static const char *const usage[] = { "memory.usage_in_bytes",
					     "memory.current" };
	static const char *const limit[] = { "memory.limit_in_bytes",
					     "memory.max" };
	int v2 = t->v2;

	if (!c->path)
		return;
	if (counters_from_iterator(inv, c))
		return;
	c->has_usage = !read_counter(t->root, c->path, usage[v2], &c->usage);
	/* "no limit" is a known value, reported as null */
	c->has_limit = !read_counter(t->root, c->path, limit[v2], &c->limit);
	if (!v2)
		c->has_kmem = !read_counter(t->root, c->path,
					    "memory.kmem.usage_in_bytes",
					    &c->kmem);
}

void cgroup_rollup_read_counters(const struct inventory *inv,
				 struct cgroup_rollup *r)
{
	for (size_t i = 0; i < r->n; i++)
		read_counters(inv, &r->cgroups[i]);
}

static int path_depth(const char *path)
{
	int depth = 0;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			depth++;
	return depth;
}

/* Finds or adds the cgroup of id. */
static struct cgroup_info *get(struct cgroup_rollup *r, size_t *cap, __u64 id,
			       const char *path)
{
	struct cgroup_info *c;

	for (size_t i = 0; i < r->n; i++)
		if (r->cgroups[i].id == id)
			return &r->cgroups[i];
	if (r->n == *cap) {
		size_t bigger = *cap ? *cap * 2 : 16;
		struct cgroup_info *p =
			realloc(r->cgroups, bigger * sizeof(*p));

		if (!p)
			return NULL;
		r->cgroups = p;
		*cap = bigger;
	}
	c = &r->cgroups[r->n++];
	*c = (struct cgroup_info){ .id = id, .path = path,
				   .real_complete = true };
	if (path) {
		cgroup_owner_parse(path, &c->owner);
		c->depth = path_depth(path);
	}
	return c;
}

static int add_id(__u32 **ids, size_t *n, __u32 id)
{
	__u32 *p = realloc(*ids, (*n + 1) * sizeof(**ids));

	if (!p)
		return -ENOMEM;
	p[(*n)++] = id;
	*ids = p;
	return 0;
}

static void add_real(struct cgroup_info *c, bool has_real,
		     const struct model_bytes *b)
{
	c->real_complete &= has_real;
	if (!has_real) {
		c->nr_not_modelled++;
		return;
	}
	c->bytes_real += model_total(b);
	c->bytes_real_charged += b->memcg;
	c->bytes_real_root += b->root;
}

/* Remembers path as one of the removed cgroups whose charge c holds. */
static int add_removed(struct cgroup_info *c, const char *path)
{
	const char **p;

	if (!path)
		return 0;
	for (size_t i = 0; i < c->nr_removed_paths; i++)
		if (!strcmp(c->removed_paths[i], path))
			return 0;
	p = realloc(c->removed_paths, (c->nr_removed_paths + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	p[c->nr_removed_paths++] = path;
	c->removed_paths = p;
	return 0;
}

/* Is a an ancestor of b (or b itself)? */
static bool contains(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strcmp(a, "/"))
		return true;
	return !strncmp(a, b, n) && (b[n] == '/' || !b[n]);
}

static int add_ancestors(const struct inventory *inv, struct cgroup_rollup *r,
			 size_t *cap)
{
	struct memcg_table *t = (struct memcg_table *)&inv->memcgs;
	size_t charged = r->n;

	for (size_t i = 0; i < charged; i++) {
		char path[PATH_MAX];
		char *slash;

		if (!r->cgroups[i].path)
			continue;
		snprintf(path, sizeof(path), "%s", r->cgroups[i].path);
		while ((slash = strrchr(path, '/'))) {
			const struct memcg_entry *e;

			if (slash == path)
				slash[1] = '\0';
			else
				*slash = '\0';
			e = memcg_find_path(t, path);
			if (e && !get(r, cap, e->id, e->path))
				return -ENOMEM;
			if (slash == path)
				break;
		}
	}
	return 0;
}

static int cmp_cgroup(const void *pa, const void *pb)
{
	const struct cgroup_info *a = pa, *b = pb;

	if (!a->path || !b->path)
		return !a->path - !b->path;
	return strcmp(a->path, b->path);
}

int cgroup_rollup_build(const struct inventory *inv, bool ancestors,
			struct cgroup_rollup *out)
{
	struct cgroup_rollup r = {};
	size_t cap = 0;
	int err = 0;

	for (size_t i = 0; i < inv->nr_maps && !err; i++) {
		const struct map_info *m = &inv->maps[i];
		struct cgroup_info *c;

		if (!m->rec.memcg_id)
			continue;
		c = get(&r, &cap, m->rec.memcg_id, m->memcg_path);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->dying |= map_memcg_dying(m);
		c->bytes_memlock += m->bytes_memlock;
		add_real(c, m->has_real, &m->real);
		err = add_id(&c->map_ids, &c->nr_maps, m->rec.id);
		if (!err && map_memcg_dying(m))
			err = add_removed(c, m->memcg_seen_path);
	}
	for (size_t i = 0; i < inv->nr_progs && !err; i++) {
		const struct prog_info *p = &inv->progs[i];
		struct cgroup_info *c;

		/* a program's memory is charged to its loader's memory
		 * cgroup: read from the kernel (prog->aux's memcg pointer)
		 * where it can be, else as the lifecycle hooks saw it */
		if (p->rec.memcg_id) {
			c = get(&r, &cap, p->rec.memcg_id, p->memcg_path);
		} else if (p->creator && p->creator->memcg_id) {
			c = get(&r, &cap, p->creator->memcg_id,
				memcg_path((struct memcg_table *)&inv->memcgs,
					   p->creator->memcg_id));
		} else {
			continue;
		}
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->dying |= p->rec.memcg_id && prog_memcg_dying(p);
		c->bytes_memlock += p->rec.bytes_memlock;
		add_real(c, p->has_real, &p->real);
		if (p->rec.memcg_id && prog_memcg_dying(p))
			err = add_removed(c, p->memcg_seen_path);
		if (err)
			break;
		err = add_id(&c->prog_ids, &c->nr_progs, p->rec.id);
	}
	if (!err && ancestors)
		err = add_ancestors(inv, &r, &cap);
	if (err) {
		cgroup_rollup_free(&r);
		return err;
	}
	for (size_t i = 0; i < r.n; i++) {
		struct cgroup_info *c = &r.cgroups[i];

		read_counters(inv, c);
		c->real_subtree_complete = true;
		for (size_t j = 0; j < r.n; j++) {
			const struct cgroup_info *d = &r.cgroups[j];

			if (i != j &&
			    !(c->path && d->path && contains(c->path, d->path)))
				continue;
			c->bytes_memlock_subtree += d->bytes_memlock;
			c->bytes_real_subtree += d->bytes_real;
			c->real_subtree_complete &= d->real_complete;
		}
	}
	sort_array(r.cgroups, r.n, sizeof(*r.cgroups), cmp_cgroup);
	*out = r;
	return 0;
}

void cgroup_rollup_free(struct cgroup_rollup *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->cgroups[i].map_ids);
		free(r->cgroups[i].prog_ids);
		free(r->cgroups[i].removed_paths);
	}
	free(r->cgroups);
	*r = (struct cgroup_rollup){};
}

void cgroup_row_name(const struct cgroup_info *c, char *path, size_t size,
		     struct cgroup_owner *owner)
{
	if (c->dying && c->nr_removed_paths) {
		char more[32] = "";

		if (c->nr_removed_paths > 1)
			snprintf(more, sizeof(more), ", %zu more",
				 c->nr_removed_paths - 1);
		snprintf(path, size, "%s (removed%s)", c->removed_paths[0],
			 more);
		cgroup_owner_parse(c->removed_paths[0], owner);
		return;
	}
	snprintf(path, size, "%s%s", c->path ? c->path : "(removed)",
		 c->dying && c->path ? " (dying)" : "");
	*owner = c->owner;
}

double cgroup_bpf_share(const struct cgroup_info *c)
{
	if (!c->has_limit || !c->limit)
		return -1;
	return (double)c->bytes_memlock_subtree / c->limit;
}

static int cmp_bytes(const void *pa, const void *pb)
{
	const struct cgroup_info *a = pa, *b = pb;

	if (a->bytes_real != b->bytes_real)
		return a->bytes_real < b->bytes_real ? 1 : -1;
	if (a->bytes_memlock != b->bytes_memlock)
		return a->bytes_memlock < b->bytes_memlock ? 1 : -1;
	return cmp_cgroup(pa, pb);
}

void cgroup_rollup_sort_by_bytes(struct cgroup_rollup *r)
{
	sort_array(r->cgroups, r->n, sizeof(*r->cgroups), cmp_bytes);
}
