// SPDX-License-Identifier: GPL-2.0
/*
 * libmicrohttpd runs its own polling thread here rather than inside
 * sd-event: the event loop renders the exposition once a sample and swaps
 * it in under a mutex, so a scrape only copies a finished buffer and never
 * reads the ledger, and a slow or stuck HTTP client can delay neither the
 * sampling nor the socket's clients. The lock is held for a pointer swap
 * and one copy, never for I/O.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "base/log.h"
#include "daemon/prom_http.h"
#include "daemon/prom_render.h"

#define PATH "/metrics"
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* Prometheus keeps one connection per target; a few more for people. */
#define MAX_CONNECTIONS 32
#define CONNECTION_TIMEOUT_S 10

struct prom_http {
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	char *body;		/* NULL until the first publish */
	size_t len;
	unsigned long long scrapes;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warn("prometheus endpoint: %s\n", buf);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     char *body, size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c,
				  unsigned int status, const char *text)
{
	char *body = strdup(text);

	return body ? reply(c, status, body, strlen(text), "text/plain") :
		      MHD_NO;
}

/* The exposition as published, then the scrape counter. */
static enum MHD_Result serve(struct prom_http *h, struct MHD_Connection *c)
{
	struct prom_buf b = {};
	bool ready;
	int err = 0;

	pthread_mutex_lock(&h->lock);
	ready = h->body;
	if (ready) {
		b.p = malloc(h->len + 1);
		if (b.p) {
			memcpy(b.p, h->body, h->len);
			b.len = h->len;
			b.cap = h->len + 1;
			err = prom_render_scrapes(&b, ++h->scrapes);
		}
	}
	pthread_mutex_unlock(&h->lock);
	if (!ready)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "no sample yet\n");
	if (!b.p || err) {
		prom_buf_free(&b);
		return MHD_NO;
	}
	return reply(c, MHD_HTTP_OK, b.p, b.len, CONTENT_TYPE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET and HEAD\n");
	if (strcmp(url, PATH))
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "not found: the metrics are at " PATH "\n");
	return serve(cls, c);
}

static int listen_on(const struct sockaddr *addr, socklen_t len,
		     const char *what, char *msg, size_t size)
{
	int fd, one = 1, err;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		snprintf(msg, size, "[prometheus] listen = %s: socket(): %s",
			 what, strerror(-err));
		return err;
	}
	/* a restarted daemon binds again while old connections linger */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, addr, len) || listen(fd, MAX_CONNECTIONS)) {
		err = -errno;
		snprintf(msg, size, "[prometheus] listen = %s: binding failed: %s: %s",
			 what, strerror(-err),
			 err == -EADDRINUSE ? "another process listens there; choose another port" :
			 err == -EADDRNOTAVAIL ? "no interface has that address" :
			 "check the address");
		close(fd);
		return err;
	}
	return fd;
}

int prom_http_start(const struct sockaddr *addr, socklen_t len,
		    const char *what, struct prom_http **out, char *msg,
		    size_t size)
{
	struct prom_http *h = calloc(1, sizeof(*h));
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	int fd;

	if (!h) {
		snprintf(msg, size, "out of memory for the prometheus endpoint");
		return -ENOMEM;
	}
	fd = listen_on(addr, len, what, msg, size);
	if (fd < 0) {
		free(h);
		return fd;
	}
	if (addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	pthread_mutex_init(&h->lock, NULL);
	h->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h,
		/* first, or MHD prints its own messages until it is seen */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(msg, size, "[prometheus] listen = %s: libmicrohttpd did not start (see its message above)",
			 what);
		close(fd);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

void prom_http_publish(struct prom_http *h, char *body, size_t len)
{
	char *old;

	pthread_mutex_lock(&h->lock);
	old = h->body;
	h->body = body;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
}

void prom_http_stop(struct prom_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	pthread_mutex_destroy(&h->lock);
	free(h->body);
	free(h);
}
