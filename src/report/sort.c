// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/names.h"
#include "report/sort.h"

struct field {
	const char *name;
	const char *alias;	/* bpftool's JSON name, where it differs */
	bool descending;	/* default direction */
};

enum map_key {
	MK_ID, MK_NAME, MK_TYPE, MK_REAL, MK_MEMLOCK, MK_ELEMENTS,
	MK_MAX_ENTRIES, MK_FILL, MK_KEY, MK_VALUE, MK_PIDS,
};

static const struct field map_fields[] = {
	[MK_ID] = { "id", NULL, false },
	[MK_NAME] = { "name", NULL, false },
	[MK_TYPE] = { "type", NULL, false },
	[MK_REAL] = { "real", "bytes_real", true },
	[MK_MEMLOCK] = { "memlock", "bytes_memlock", true },
	[MK_ELEMENTS] = { "elements", NULL, true },
	[MK_MAX_ENTRIES] = { "max_entries", NULL, true },
	[MK_FILL] = { "fill", "fill_ratio", true },
	[MK_KEY] = { "key", "bytes_key", true },
	[MK_VALUE] = { "value", "bytes_value", true },
	[MK_PIDS] = { "pids", NULL, true },
};

enum prog_key {
	PK_ID, PK_NAME, PK_TYPE, PK_REAL, PK_MEMLOCK, PK_XLATED, PK_JITED,
	PK_LOADED_AT, PK_MAPS,
};

static const struct field prog_fields[] = {
	[PK_ID] = { "id", NULL, false },
	[PK_NAME] = { "name", NULL, false },
	[PK_TYPE] = { "type", NULL, false },
	[PK_REAL] = { "real", "bytes_real", true },
	[PK_MEMLOCK] = { "memlock", "bytes_memlock", true },
	[PK_XLATED] = { "xlated", "bytes_xlated", true },
	[PK_JITED] = { "jited", "bytes_jited", true },
	[PK_LOADED_AT] = { "loaded_at", NULL, true },
	[PK_MAPS] = { "maps", "map_ids", true },
};

#define N_FIELDS(a) (int)(sizeof(a) / sizeof((a)[0]))

int sort_spec_parse(const char *text, enum sort_object obj,
		    struct sort_spec *out, const char **err)
{
	const struct field *fields = obj == SORT_MAPS ? map_fields :
							prog_fields;
	int n = obj == SORT_MAPS ? N_FIELDS(map_fields) : N_FIELDS(prog_fields);
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);

	*err = obj == SORT_MAPS ?
		"valid map fields: id name type real memlock elements max_entries fill key value pids, optionally :asc or :desc" :
		"valid program fields: id name type real memlock xlated jited loaded_at maps, optionally :asc or :desc";
	for (int i = 0; i < n; i++) {
		bool match = (strlen(fields[i].name) == len &&
			      !strncmp(fields[i].name, text, len)) ||
			     (fields[i].alias &&
			      strlen(fields[i].alias) == len &&
			      !strncmp(fields[i].alias, text, len));

		if (!match)
			continue;
		out->key = i;
		out->descending = fields[i].descending;
		if (!colon)
			return 0;
		if (!strcmp(colon + 1, "asc"))
			out->descending = false;
		else if (!strcmp(colon + 1, "desc"))
			out->descending = true;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

struct sort_spec sort_spec_default(enum sort_object obj)
{
	return (struct sort_spec){
		.key = obj == SORT_MAPS ? MK_REAL : PK_REAL,
		.descending = true,
	};
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_double(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Where the model does not cover an object its real bytes are unknown:
 * below every known figure, so last when largest come first. */
/* Objects the model does not cover sort last either way, as top sorts
 * them (the daemon picks the first rows of top's screens): the caller
 * reverses the result for a descending order. */
static int cmp_real(bool has_a, const struct model_bytes *a, bool has_b,
		    const struct model_bytes *b, bool descending)
{
	if (has_a != has_b)
		return descending ? has_a - has_b : has_b - has_a;
	return has_a ? cmp_u64(model_total(a), model_total(b)) : 0;
}

static int cmp_type(const char *na, __u32 a, const char *nb, __u32 b)
{
	if (na && nb)
		return strcmp(na, nb);
	return cmp_u64(a, b);
}

static int cmp_map(const void *pa, const void *pb, void *arg)
{
	const struct sort_spec *active = arg;
	const struct map_info *a = pa, *b = pb;
	int r = 0;

	switch (active->key) {
	case MK_ID:
		r = cmp_u64(a->rec.id, b->rec.id);
		break;
	case MK_NAME:
		r = cmp_str(a->rec.name, b->rec.name);
		break;
	case MK_TYPE:
		r = cmp_type(map_type_name(a->rec.type), a->rec.type,
			     map_type_name(b->rec.type), b->rec.type);
		break;
	case MK_REAL:
		r = cmp_real(a->has_real, &a->real, b->has_real, &b->real,
			     active->descending);
		break;
	case MK_MEMLOCK:
		r = cmp_u64(a->bytes_memlock, b->bytes_memlock);
		break;
	case MK_ELEMENTS:
		r = cmp_u64(a->rec.elements, b->rec.elements);
		break;
	case MK_MAX_ENTRIES:
		r = cmp_u64(a->rec.max_entries, b->rec.max_entries);
		break;
	case MK_FILL:
		r = cmp_double(map_fill_ratio(a), map_fill_ratio(b));
		break;
	case MK_KEY:
		r = cmp_u64(a->rec.key_size, b->rec.key_size);
		break;
	case MK_VALUE:
		r = cmp_u64(a->rec.value_size, b->rec.value_size);
		break;
	case MK_PIDS:
		r = cmp_u64(a->holders.count, b->holders.count);
		break;
	}
	if (active->descending)
		r = -r;
	/* Ties in ascending id order: stable output. */
	return r ? r : cmp_u64(a->rec.id, b->rec.id);
}

static int cmp_prog(const void *pa, const void *pb, void *arg)
{
	const struct sort_spec *active = arg;
	const struct prog_info *a = pa, *b = pb;
	int r = 0;

	switch (active->key) {
	case PK_ID:
		r = cmp_u64(a->rec.id, b->rec.id);
		break;
	case PK_NAME:
		r = cmp_str(prog_name(a), prog_name(b));
		break;
	case PK_TYPE:
		r = cmp_type(prog_type_name(a->rec.type), a->rec.type,
			     prog_type_name(b->rec.type), b->rec.type);
		break;
	case PK_REAL:
		r = cmp_real(a->has_real, &a->real, b->has_real, &b->real,
			     active->descending);
		break;
	case PK_MEMLOCK:
		r = cmp_u64(a->rec.bytes_memlock, b->rec.bytes_memlock);
		break;
	case PK_XLATED:
		r = cmp_u64(a->rec.bytes_xlated, b->rec.bytes_xlated);
		break;
	case PK_JITED:
		r = cmp_u64(a->rec.bytes_jited, b->rec.bytes_jited);
		break;
	case PK_LOADED_AT:
		r = cmp_u64(a->rec.load_time, b->rec.load_time);
		break;
	case PK_MAPS:
		r = cmp_u64(a->rec.nr_map_ids, b->rec.nr_map_ids);
		break;
	}
	if (active->descending)
		r = -r;
	return r ? r : cmp_u64(a->rec.id, b->rec.id);
}

void sort_maps(struct map_info *maps, size_t n, struct sort_spec spec)
{
	if (n > 1)
		qsort_r(maps, n, sizeof(*maps), cmp_map, &spec);
}

void sort_progs(struct prog_info *progs, size_t n, struct sort_spec spec)
{
	if (n > 1)
		qsort_r(progs, n, sizeof(*progs), cmp_prog, &spec);
}

/* The same orders over pointers: a map_info is 576 bytes, and a query
 * of the first few of 10,000 maps moved them all. */
static int cmp_map_ref(const void *pa, const void *pb, void *arg)
{
	return cmp_map(*(const struct map_info *const *)pa,
		       *(const struct map_info *const *)pb, arg);
}

static int cmp_prog_ref(const void *pa, const void *pb, void *arg)
{
	return cmp_prog(*(const struct prog_info *const *)pa,
			*(const struct prog_info *const *)pb, arg);
}

void sort_map_refs(const struct map_info **maps, size_t n,
		   struct sort_spec spec)
{
	if (n > 1)
		qsort_r(maps, n, sizeof(*maps), cmp_map_ref, &spec);
}

void sort_prog_refs(const struct prog_info **progs, size_t n,
		    struct sort_spec spec)
{
	if (n > 1)
		qsort_r(progs, n, sizeof(*progs), cmp_prog_ref, &spec);
}
