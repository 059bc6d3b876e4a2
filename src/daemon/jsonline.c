// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "jsonline.h"

int jsonline_open(struct jsonline *l)
{
	l->buf = NULL;
	l->f = open_memstream(&l->buf, &l->len);
	if (!l->f)
		return -errno;
	json_init(&l->w, l->f, false);
	json_object_open(&l->w);
	return 0;
}

int jsonline_close(struct jsonline *l, char **buf, size_t *len)
{
	int err;

	json_object_close(&l->w);
	err = json_finish(&l->w);
	if (fclose(l->f) && !err)
		err = -errno;
	if (err) {
		free(l->buf);
		return err;
	}
	*buf = l->buf;
	*len = l->len;
	return 0;
}
