/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle hooks: tracing programs that report every BPF map and program
 * created or freed while they run, with its creator, through a ring buffer.
 */
#ifndef BPFMEM_LIFECYCLE_H
#define BPFMEM_LIFECYCLE_H

#include "events.h"

struct lifecycle;

typedef void (*lifecycle_cb)(void *ctx, const struct bpfmem_event *ev);

/* Loads and attaches the hooks; 0 or a negative errno (messages logged). */
int lifecycle_open(struct lifecycle **out, lifecycle_cb cb, void *ctx);
/* The ring buffer's epoll fd: readable when events wait. */
int lifecycle_fd(const struct lifecycle *l);
/* Calls cb for every waiting event; the count, or a negative errno. */
int lifecycle_consume(struct lifecycle *l);
void lifecycle_close(struct lifecycle *l);

#endif
