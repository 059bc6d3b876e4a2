// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/fdinfo.h"
#include "collect/own_ids.h"

static int add(__u32 **ids, size_t *n, __u32 id)
{
	__u32 *p;

	if (!id)
		return 0;
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return 0;
	p = realloc(*ids, (*n + 1) * sizeof(**ids));
	if (!p)
		return -ENOMEM;
	p[(*n)++] = id;
	*ids = p;
	return 0;
}

int own_ids_add_prog(struct own_ids *o, __u32 id)
{
	return add(&o->progs, &o->nr_progs, id);
}

int own_ids_add_map(struct own_ids *o, __u32 id)
{
	return add(&o->maps, &o->nr_maps, id);
}

static bool has(const __u32 *ids, size_t n, __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

bool own_ids_has_prog(const struct own_ids *o, __u32 id)
{
	return has(o->progs, o->nr_progs, id);
}

bool own_ids_has_map(const struct own_ids *o, __u32 id)
{
	return has(o->maps, o->nr_maps, id);
}

void own_ids_free(struct own_ids *o)
{
	free(o->progs);
	free(o->maps);
	*o = (struct own_ids){};
}

/* The program and the maps it uses. A program freed meanwhile adds
 * nothing: it cannot be listed either. */
static int add_prog_and_maps(struct own_ids *o, __u32 prog_id)
{
	__u32 map_ids[64], len;
	struct bpf_prog_info info;
	int fd, err;

	err = own_ids_add_prog(o, prog_id);
	fd = err ? -1 : bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return err;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(map_ids) / sizeof(*map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return 0;
	if (info.nr_map_ids > sizeof(map_ids) / sizeof(*map_ids))
		info.nr_map_ids = sizeof(map_ids) / sizeof(*map_ids);
	for (__u32 i = 0; i < info.nr_map_ids && !err; i++)
		err = own_ids_add_map(o, map_ids[i]);
	return err;
}

int own_ids_add_link(struct own_ids *o, int link_fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	return add_prog_and_maps(o, info.prog_id);
}

/* One pinned file: a map, or a link or program (both print "prog_id").
 * slot: where its fdinfo is read; NULL where none could be opened. */
static int add_pinned_file(struct own_ids *o, struct fdinfo_slot *slot,
			   const char *path)
{
	char text[1024];
	__u64 id;
	int fd, n;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;	/* unpinned meanwhile, or not BPF */
	n = fdinfo_slot_read(slot, fd, text, sizeof(text));
	if (n < 0)
		return 0;
	if (!fdinfo_parse_u64(text, "map_id", &id))
		return own_ids_add_map(o, id);
	if (!fdinfo_parse_u64(text, "prog_id", &id))
		return add_prog_and_maps(o, id);
	return 0;
}

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

int own_ids_add_pinned(struct own_ids *o, const char *root)
{
	DIR *top = opendir(root);
	struct fdinfo_slot slot;
	bool has_slot;
	struct dirent *e;
	int err = 0;

	if (!top)
		return 0;
	has_slot = !fdinfo_slot_open(&slot);
	while (!err && (e = readdir(top))) {
		char dir[PATH_MAX / 2], path[PATH_MAX];
		struct dirent *f;
		DIR *d;

		if (is_dot_or_dotdot(e->d_name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		d = opendir(dir);
		while (d && !err && (f = readdir(d))) {
			if (is_dot_or_dotdot(f->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			err = add_pinned_file(o, has_slot ? &slot : NULL,
					      path);
		}
		if (d)
			closedir(d);
	}
	if (has_slot)
		fdinfo_slot_close(&slot);
	closedir(top);
	return err;
}
