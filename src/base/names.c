// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "base/names.h"

/* Types newer than the libbpf this is built with (1.1); libbpf's own
 * table answers for the rest. */
static const char *const newer_map_types[] = {
	[32] = "cgrp_storage",
	[33] = "arena",
};

static const char *const newer_prog_types[] = {
	[32] = "netfilter",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *map_type_name(__u32 type)
{
	const char *name = libbpf_bpf_map_type_str(type);

	if (!name && type < ARRAY_LEN(newer_map_types))
		name = newer_map_types[type];
	return name;
}

const char *prog_type_name(__u32 type)
{
	const char *name = libbpf_bpf_prog_type_str(type);

	if (!name && type < ARRAY_LEN(newer_prog_types))
		name = newer_prog_types[type];
	return name;
}

/* Enum values are dense and small; 64 is well past the newest one. */
#define MAX_TYPE_PROBE 64

int map_type_from_name(const char *name)
{
	for (int t = 0; t < MAX_TYPE_PROBE; t++) {
		const char *n = map_type_name(t);

		if (n && !strcmp(n, name))
			return t;
	}
	return -1;
}

int prog_type_from_name(const char *name)
{
	for (int t = 0; t < MAX_TYPE_PROBE; t++) {
		const char *n = prog_type_name(t);

		if (n && !strcmp(n, name))
			return t;
	}
	return -1;
}

void type_text(char *buf, size_t size, const char *name, __u32 type)
{
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "type_%u", type);
}
