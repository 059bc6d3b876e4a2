// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "fdinfo.h"
#include "log.h"
#include "pins.h"

int pins_parse_fdinfo(const char *text, __u32 *kind, __u32 *id)
{
	static const struct {
		const char *key;
		__u32 kind;
	} keys[] = {
		{ "map_id", BPFMEM_OBJ_MAP },
		{ "prog_id", BPFMEM_OBJ_PROG },
		{ "link_id", BPFMEM_OBJ_LINK },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		__u64 v;

		if (!fdinfo_parse_u64(text, keys[i].key, &v)) {
			*kind = keys[i].kind;
			*id = v;
			return 0;
		}
	}
	return -ENOENT;
}

char *pins_bpffs_mounts(const char *mountinfo)
{
	size_t len = 0;
	char *out = malloc(strlen(mountinfo) + 2);
	const char *line = mountinfo;

	if (!out)
		return NULL;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *sep = strstr(line, " - ");
		char mnt[4096], fstype[64];

		if (sep && (!eol || sep < eol) &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    sscanf(sep + 3, "%63s", fstype) == 1 &&
		    !strcmp(fstype, "bpf")) {
			strcpy(out + len, mnt);
			len += strlen(mnt) + 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	out[len] = '\0';
	return out;
}

/* nftw() has no context argument. */
static struct inventory *walking;
static size_t walk_cap;
static const struct pin_cache *known;
static struct pin_cache seen;
static size_t seen_cap;

static int cmp_known(const void *pa, const void *pb)
{
	const struct pin_known *a = pa, *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return a->ctime_ns < b->ctime_ns ? -1 : a->ctime_ns > b->ctime_ns;
}

/* The kind and id of the object pinned at path: from an earlier walk, or
 * by opening it for this one call (the pin keeps it alive anyway). */
static int identify(const char *path, struct pin_known *k)
{
	const struct pin_known *old = known->n ?
		bsearch(k, known->v, known->n, sizeof(*k), cmp_known) : NULL;
	char text[1024];
	int fd, err;

	if (old) {
		k->kind = old->kind;
		k->id = old->id;
		return 0;
	}
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = fdinfo_read(fd, text, sizeof(text));
	close(fd);
	if (err < 0)
		return err;
	return pins_parse_fdinfo(text, &k->kind, &k->id);
}

static int visit(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	struct inventory *inv = walking;
	struct pin_known k = {
		.dev = st->st_dev,
		.ino = st->st_ino,
		.ctime_ns = st->st_ctim.tv_sec * 1000000000ULL +
			    st->st_ctim.tv_nsec,
	};
	__u32 kind, id;

	(void)ftw;
	if (flag != FTW_F || identify(path, &k))
		return 0;
	kind = k.kind;
	id = k.id;
	if (seen.n == seen_cap) {
		size_t cap = seen_cap ? seen_cap * 2 : 64;
		struct pin_known *v = realloc(seen.v, cap * sizeof(*v));

		if (!v)
			return -1;
		seen.v = v;
		seen_cap = cap;
	}
	seen.v[seen.n++] = k;
	if (inv->nr_pins == walk_cap) {
		size_t cap = walk_cap ? walk_cap * 2 : 64;
		struct pin *p = realloc(inv->pins, cap * sizeof(*p));

		if (!p)
			return -1;
		inv->pins = p;
		walk_cap = cap;
	}
	inv->pins[inv->nr_pins].path = strdup(path);
	if (!inv->pins[inv->nr_pins].path)
		return -1;
	inv->pins[inv->nr_pins].kind = kind;
	inv->pins[inv->nr_pins].id = id;
	inv->nr_pins++;
	return 0;
}

static int cmp_pin(const void *pa, const void *pb)
{
	const struct pin *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return strcmp(a->path, b->path);
}

void pin_cache_free(struct pin_cache *cache)
{
	free(cache->v);
	*cache = (struct pin_cache){};
}

int pins_collect(struct inventory *inv, struct pin_cache *cache)
{
	char *mountinfo, *mounts;
	int err = 0;

	mountinfo = read_text_file("/proc/self/mountinfo");
	if (!mountinfo)
		return -errno;
	mounts = pins_bpffs_mounts(mountinfo);
	free(mountinfo);
	if (!mounts)
		return -ENOMEM;
	walking = inv;
	walk_cap = 0;
	known = cache;
	seen = (struct pin_cache){};
	seen_cap = 0;
	for (char *m = mounts; *m && !err; m += strlen(m) + 1) {
		if (nftw(m, visit, 32, FTW_PHYS | FTW_MOUNT)) {
			err = errno ? -errno : -ENOMEM;
			log_warn("walking bpffs at %s: %s\n", m, strerror(-err));
		}
	}
	free(mounts);
	if (seen.n > 1)
		qsort(seen.v, seen.n, sizeof(*seen.v), cmp_known);
	pin_cache_free(cache);
	*cache = seen;
	if (inv->nr_pins > 1)
		qsort(inv->pins, inv->nr_pins, sizeof(*inv->pins), cmp_pin);
	inv->has_pins = true;
	return err;
}
