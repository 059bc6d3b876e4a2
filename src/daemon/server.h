/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Unix-socket server: non-blocking clients on the daemon's event loop,
 * one request a line, responses queued per client. A client that does not
 * read only grows its own queue: once it holds CLIENT_OUT_HIGH bytes its
 * further requests wait, and a subscriber that falls SUBSCRIBER_MAX_BACKLOG
 * behind is dropped. All clients together hold at most max_unread bytes
 * of answers (SERVER_OUT_MAX by default) and the answer under way: one
 * begun when they pass it is refused (busy), however many clients stop
 * reading. Nothing a client does blocks the loop.
 */
#ifndef BPFMEMD_SERVER_H
#define BPFMEMD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#define CLIENT_OUT_HIGH (1u << 20)
#define SUBSCRIBER_MAX_BACKLOG (16u << 20)
#define SERVER_MAX_CLIENTS 4096
/* The default bound: 20 answers of 10,000 maps (11.5 MB each). Lines of
 * at most SERVER_SMALL_LINE bytes (errors, busy among them) have room
 * above it, so that a refusal still reaches its client. */
#define SERVER_OUT_MAX (256u << 20)
#define SERVER_SMALL_LINE 4096
#define SERVER_SMALL_ROOM (16u << 20)

struct server;
struct client;

/* One request line, without its newline; responds with client_send(). */
typedef void (*request_handler)(void *ctx, struct client *c,
				const char *line, size_t len);

/* Serves listen_fd (bound and listening; the server closes it) to root
 * and the members of group gid, named group; others
 * get a forbidden error and are logged. */
int server_new(sd_event *e, int listen_fd, gid_t gid, const char *group,
	       request_handler handler, void *ctx, struct server **out);
void server_free(struct server *s);
/* The bound on answers queued for all clients together (max_unread);
 * SERVER_OUT_MAX until set. */
void server_set_out_max(struct server *s, size_t bytes);
size_t server_nr_clients(const struct server *s);
/* Queues a copy of line (with its newline) for every subscriber of
 * topic. */
void server_publish(struct server *s, unsigned int topic, const char *line,
		    size_t len);

/* Queues buf (malloc'd; the client frees it) for the client. 0, or
 * -EBUSY with buf freed when the clients' queues together would pass
 * the server's bound. */
int client_send(struct client *c, char *buf, size_t len);
/* Queues a part of an answer and writes what the socket takes at once, so
 * that a large answer goes out while the rest is being written. The first
 * part is refused as client_send() refuses a line; the later ones never
 * are (the answer is under way). 0, -EBUSY (first part only), or -EPIPE
 * when the client is gone; buf is freed on error. */
int client_send_part(struct client *c, char *buf, size_t len, bool first);
/* Closes the client at the next chance: for an answer sent in part that
 * cannot be finished. */
void client_abort(struct client *c);
void client_subscribe(struct client *c, unsigned int topics);

#endif
