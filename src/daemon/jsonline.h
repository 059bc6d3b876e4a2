/* SPDX-License-Identifier: GPL-2.0 */
/* One JSON object built in memory as a protocol line (with its newline),
 * whole or in parts. */
#ifndef BPFMEMD_JSONLINE_H
#define BPFMEMD_JSONLINE_H

#include <stdio.h>
#include "base/json_writer.h"

struct jsonline {
	struct json_writer w;
};

/* Opens the line and its outer object; 0 (errors show at the close). */
int jsonline_open(struct jsonline *l);
/* As jsonline_open(), handing large lines to sink in parts as they are
 * written (json_flush_if_large()); the close gives the last part. */
void jsonline_open_sink(struct jsonline *l, json_sink sink, void *ctx);
/* Closes the object; 0 with the line in *buf (malloc'd) and *len, or
 * -errno with nothing to free. */
int jsonline_close(struct jsonline *l, char **buf, size_t *len);

#endif
