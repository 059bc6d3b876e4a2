// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: fdinfo text (src/base/fdinfo.c), the keys bpfmem asks for. The
 * text is NUL-terminated, as fdinfo_read() leaves it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "base/fdinfo.h"

static const char *const keys[] = {
	"memlock", "map_id", "prog_id", "link_id", "btf_id", "map_type",
	"key_size", "value_size", "max_entries", "map_flags", "pos", "flags",
	"mnt_id", "ino", "prog_type", "prog_tag", "run_time_ns", "run_cnt",
	"verified_insns", "link_type",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	__u64 v;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		(void)fdinfo_parse_u64(text, keys[i], &v);
	free(text);
	return 0;
}
