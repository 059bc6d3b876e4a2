// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fdinfo.h"
#include "log.h"
#include "memcg.h"

/* mountinfo fields: id parent major:minor root mountpoint options -
 * fstype source superoptions (proc(5)). */
int memcg_find_root(const char *mountinfo, char *root, size_t size)
{
	const char *line = mountinfo;
	char v2[4096] = "";

	while (line && *line) {
		char mnt[4096], fstype[64], super[1024];
		const char *sep = strstr(line, " - ");
		const char *eol = strchr(line, '\n');

		if (sep && (!eol || sep < eol) &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, super) == 2) {
			if (!strcmp(fstype, "cgroup")) {
				char *opt, *save = NULL;

				for (opt = strtok_r(super, ",", &save); opt;
				     opt = strtok_r(NULL, ",", &save)) {
					if (!strcmp(opt, "memory")) {
						snprintf(root, size, "%s", mnt);
						return 0;
					}
				}
			} else if (!strcmp(fstype, "cgroup2") && !*v2) {
				snprintf(v2, sizeof(v2), "%s", mnt);
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	if (*v2) {
		char path[4160], ctrl[1024] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.controllers", v2);
		f = fopen(path, "re");
		if (f) {
			if (!fgets(ctrl, sizeof(ctrl), f))
				ctrl[0] = '\0';
			fclose(f);
		}
		for (char *tok = strtok(ctrl, " \n"); tok;
		     tok = strtok(NULL, " \n")) {
			if (!strcmp(tok, "memory")) {
				snprintf(root, size, "%s", v2);
				return 1;
			}
		}
	}
	return -ENOENT;
}

int memcg_table_init(struct memcg_table *t)
{
	char root[4096];
	struct stat st;
	char *mountinfo;
	int err;

	*t = (struct memcg_table){};
	mountinfo = read_text_file("/proc/self/mountinfo");
	if (!mountinfo)
		return -errno;
	err = memcg_find_root(mountinfo, root, sizeof(root));
	free(mountinfo);
	if (err < 0)
		return err;
	t->v2 = err;
	if (stat(root, &st))
		return -errno;
	t->root = strdup(root);
	if (!t->root)
		return -ENOMEM;
	t->root_id = st.st_ino;
	return 0;
}

/* nftw() has no context argument. */
static struct memcg_table *walking;
static size_t walk_cap;

static int walk_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	struct memcg_table *t = walking;
	struct memcg_entry *e;
	const char *rel = path + strlen(t->root);

	(void)ftw;
	if (flag != FTW_D)
		return 0;
	if (t->n == walk_cap) {
		size_t cap = walk_cap ? walk_cap * 2 : 64;
		struct memcg_entry *bigger =
			realloc(t->entries, cap * sizeof(*bigger));

		if (!bigger)
			return -1;
		t->entries = bigger;
		walk_cap = cap;
	}
	e = &t->entries[t->n];
	/* cgroupfs inode numbers are the kernfs node ids */
	e->id = st->st_ino;
	e->path = strdup(*rel ? rel : "/");
	if (!e->path)
		return -1;
	t->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct memcg_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void walk(struct memcg_table *t)
{
	walking = t;
	walk_cap = 0;
	if (nftw(t->root, walk_one, 64, FTW_PHYS | FTW_MOUNT))
		log_warn("walking %s for memory cgroup paths: %s\n", t->root,
			 strerror(errno));
	if (t->n > 1)
		qsort(t->entries, t->n, sizeof(*t->entries), cmp_entry);
	t->walked = 1;
}

const char *memcg_path(struct memcg_table *t, __u64 id)
{
	struct memcg_entry key = { .id = id }, *e;

	if (!t->root)
		return NULL;
	if (id == t->root_id)
		return "/";
	if (!t->walked)
		walk(t);
	e = bsearch(&key, t->entries, t->n, sizeof(*t->entries), cmp_entry);
	return e ? e->path : NULL;
}

size_t memcg_count(struct memcg_table *t)
{
	if (t->root && !t->walked)
		walk(t);
	return t->n;
}

const struct memcg_entry *memcg_find_path(struct memcg_table *t,
					  const char *path)
{
	if (!t->root)
		return NULL;
	if (!t->walked)
		walk(t);
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->entries[i].path, path))
			return &t->entries[i];
	return NULL;
}

void memcg_table_free(struct memcg_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->entries[i].path);
	free(t->entries);
	free(t->root);
	*t = (struct memcg_table){};
}
