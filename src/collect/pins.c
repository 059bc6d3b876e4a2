// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "base/dirwalk.h"
#include "base/fdinfo.h"
#include "base/log.h"
#include "collect/pins.h"
#include "base/array_sort.h"

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

/* One walk over the bpffs mounts. */
struct pin_walk {
	struct inventory *inv;
	size_t pins_cap;
	const struct pin_cache *known;
	struct pin_cache seen;
	size_t seen_cap;
	const char *mounts;	/* NUL-separated: not entered from another */
	__u64 dev;		/* of the mount walked */
};

static int cmp_known(const void *pa, const void *pb)
{
	const struct pin_known *a = pa, *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

/* The kind and id of the object pinned at path: from an earlier walk, or
 * by opening it for this one call (the pin keeps it alive anyway). */
static int identify(const struct pin_cache *known, const char *path,
		    struct pin_known *k)
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

static int visit(struct pin_walk *w, const char *path, __u64 ino)
{
	struct inventory *inv = w->inv;
	struct pin_known k = { .dev = w->dev, .ino = ino };

	/* unpinned meanwhile, or not a BPF object: not a pin */
	if (identify(w->known, path, &k))
		return 0;
	if (w->seen.n == w->seen_cap) {
		size_t cap = w->seen_cap ? w->seen_cap * 2 : 64;
		struct pin_known *v = realloc(w->seen.v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->seen.v = v;
		w->seen_cap = cap;
	}
	w->seen.v[w->seen.n++] = k;
	if (inv->nr_pins == w->pins_cap) {
		size_t cap = w->pins_cap ? w->pins_cap * 2 : 64;
		struct pin *p = realloc(inv->pins, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		inv->pins = p;
		w->pins_cap = cap;
	}
	inv->pins[inv->nr_pins].path = strdup(path);
	if (!inv->pins[inv->nr_pins].path)
		return -ENOMEM;
	inv->pins[inv->nr_pins].kind = k.kind;
	inv->pins[inv->nr_pins].id = k.id;
	inv->nr_pins++;
	return 0;
}

static bool is_mount(const char *mounts, const char *path)
{
	for (const char *m = mounts; *m; m += strlen(m) + 1)
		if (!strcmp(m, path))
			return true;
	return false;
}

/* Directory entries alone tell what is needed: d_type, and d_ino, which
 * is new for every pin (a path pinned again is a new inode). A walk
 * that stat()ed every pin (nftw) was a fifth of a sample's CPU. */
static int walk_one(void *ctx, const char *path, const struct dirent *de)
{
	struct pin_walk *w = ctx;

	if (de->d_type == DT_REG)
		return visit(w, path, de->d_ino);
	return de->d_type == DT_DIR && !is_mount(w->mounts, path) ?
		       DIRWALK_ENTER : 0;
}

static int walk_mount(struct pin_walk *w, const char *mnt)
{
	char path[PATH_MAX];
	size_t len = strlen(mnt);
	struct stat st;
	int dfd;

	/* "/" would give "//name" */
	while (len > 1 && mnt[len - 1] == '/')
		len--;
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, mnt, len);
	path[len] = '\0';
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st)) {
		close(dfd);
		return -errno;
	}
	w->dev = st.st_dev;
	return dirwalk(dfd, path, len == 1 ? 0 : len, sizeof(path), walk_one, w);
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
	struct pin_walk w = {};
	char *mountinfo, *mounts;
	int err = 0;

	mountinfo = read_text_file("/proc/self/mountinfo");
	if (!mountinfo)
		return -errno;
	mounts = pins_bpffs_mounts(mountinfo);
	free(mountinfo);
	if (!mounts)
		return -ENOMEM;
	w.inv = inv;
	w.known = cache;
	w.mounts = mounts;
	for (char *m = mounts; *m && !err; m += strlen(m) + 1) {
		err = walk_mount(&w, m);
		if (err)
			log_warn("walking bpffs at %s: %s\n", m, strerror(-err));
	}
	free(mounts);
	sort_array(w.seen.v, w.seen.n, sizeof(*w.seen.v), cmp_known);
	pin_cache_free(cache);
	*cache = w.seen;
	sort_array(inv->pins, inv->nr_pins, sizeof(*inv->pins), cmp_pin);
	inv->has_pins = true;
	return err;
}
