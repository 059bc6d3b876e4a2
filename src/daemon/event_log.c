// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "daemon/event_log.h"

int event_log_init(struct event_log *l, size_t cap)
{
	*l = (struct event_log){};
	l->ring = calloc(cap, sizeof(*l->ring));
	if (!l->ring)
		return -ENOMEM;
	l->cap = cap;
	return 0;
}

void event_log_free(struct event_log *l)
{
	free(l->ring);
	*l = (struct event_log){};
}

static __u64 first_cursor(const struct event_log *l)
{
	return l->last >= l->cap ? l->last - l->cap + 1 : 1;
}

static struct event_entry *slot(const struct event_log *l, __u64 cursor)
{
	return &l->ring[cursor % l->cap];
}

struct event_entry *event_log_add(struct event_log *l,
				  const struct event_entry *e)
{
	struct event_entry *s = slot(l, ++l->last);

	*s = *e;
	s->cursor = l->last;
	return s;
}

const struct event_entry *event_log_after(const struct event_log *l,
					  __u64 since, __u64 *lost)
{
	__u64 first = first_cursor(l);

	*lost = since + 1 < first ? first - since - 1 : 0;
	if (since >= l->last)
		return NULL;
	return slot(l, since + 1 < first ? first : since + 1);
}

const struct event_entry *event_log_next(const struct event_log *l,
					 const struct event_entry *e)
{
	return e->cursor < l->last ? slot(l, e->cursor + 1) : NULL;
}
