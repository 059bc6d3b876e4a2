/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /metrics endpoint: libmicrohttpd on its own thread, serving the
 * exposition the event loop renders after each sample.
 */
#ifndef BPFMEMD_PROM_HTTP_H
#define BPFMEMD_PROM_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

struct prom_http;

/* Listens on addr (what = its text, for messages) and serves from a
 * thread of its own. 0 or -errno with what failed and the fix in msg. */
int prom_http_start(const struct sockaddr *addr, socklen_t len,
		    const char *what, struct prom_http **out, char *msg,
		    size_t size);
/* Replaces the exposition served with body (malloc'ed, taken over). */
void prom_http_publish(struct prom_http *h, char *body, size_t len);
/* Stops serving and frees h; NULL is ignored. */
void prom_http_stop(struct prom_http *h);

#endif
