/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle hooks: tracing programs that report every BPF map and program
 * created or freed while they run, with its creator, through a ring buffer.
 */
#ifndef BPFMEM_LIFECYCLE_H
#define BPFMEM_LIFECYCLE_H

#include "events.h"

struct lifecycle;

/* Which programs (bpf/lifecycle.bpf.c): bpfmemd.conf's `lifecycle`. */
enum lifecycle_backend {
	LIFECYCLE_AUTO,		/* fentry where the kernel allows it, else none */
	LIFECYCLE_FENTRY,
	LIFECYCLE_TRACEPOINT,	/* taxes every syscall: opt-in */
	LIFECYCLE_OFF,
};

typedef void (*lifecycle_cb)(void *ctx, const struct bpfmem_event *ev);

/* Loads and attaches the hooks of backend want (not LIFECYCLE_OFF); 0 or
 * a negative errno (messages logged; for LIFECYCLE_AUTO where fentry is
 * refused, -EOPNOTSUPP and why, at info level). */
int lifecycle_open(struct lifecycle **out, enum lifecycle_backend want,
		   lifecycle_cb cb, void *ctx);
/* The backend running: "fentry" or "tracepoint". */
const char *lifecycle_backend_name(const struct lifecycle *l);
/* The ring buffer's epoll fd: readable when events wait. */
int lifecycle_fd(const struct lifecycle *l);
/* Calls cb for every waiting event; the count, or a negative errno. */
int lifecycle_consume(struct lifecycle *l);
void lifecycle_close(struct lifecycle *l);

#endif
