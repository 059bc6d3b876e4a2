// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "base/log.h"
#include "daemon/request.h"
#include "daemon/server.h"

#define READ_CHUNK 16384
#define ACCEPT_BATCH 16

struct chunk {
	struct chunk *next;
	char *buf;
	size_t len, off;
};

struct client {
	struct server *srv;
	struct client *prev, *next;
	int fd;
	sd_event_source *io;
	struct ucred cred;
	char *in;
	size_t in_len, in_cap;
	bool discarding;	/* dropping an oversized request */
	bool eof;		/* the peer will send no more */
	bool dead;		/* a write failed: close at the next chance */
	struct chunk *out_head, *out_tail;
	size_t out_bytes;
	size_t queued;		/* ever, for handle_lines()' budget */
	unsigned int topics;
};

struct server {
	sd_event *event;
	int fd;
	sd_event_source *listen;
	request_handler handler;
	void *ctx;
	gid_t gid;		/* members may connect; (gid_t)-1: root only */
	char group[64];
	struct client *clients;
	size_t nr_clients, max_clients;
	size_t out_bytes;	/* queued for all clients */
	size_t out_max;		/* server_set_out_max() */
};

static void client_close(struct client *c)
{
	struct server *s = c->srv;

	log_debug("client pid %u: closed\n", c->cred.pid);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nr_clients--;
	s->out_bytes -= c->out_bytes;
	while (c->out_head) {
		struct chunk *k = c->out_head;

		c->out_head = k->next;
		free(k->buf);
		free(k);
	}
	sd_event_source_disable_unref(c->io);
	close(c->fd);
	free(c->in);
	free(c);
	/* accepting may have stopped at the limit */
	sd_event_source_set_enabled(s->listen, SD_EVENT_ON);
}

static int queue(struct client *c, char *buf, size_t len, bool bounded)
{
	struct chunk *k;
	size_t max = c->srv->out_max +
		     (len <= SERVER_SMALL_LINE ? SERVER_SMALL_ROOM : 0);

	/* an answer alone always goes: the bound holds one more at most */
	if (bounded && c->srv->out_bytes && c->srv->out_bytes + len > max) {
		free(buf);
		return -EBUSY;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		free(buf);
		c->dead = true;
		return 0;
	}
	k->buf = buf;
	k->len = len;
	if (c->out_tail)
		c->out_tail->next = k;
	else
		c->out_head = k;
	c->out_tail = k;
	c->out_bytes += len;
	c->queued += len;
	c->srv->out_bytes += len;
	return 0;
}

int client_send(struct client *c, char *buf, size_t len)
{
	return queue(c, buf, len, true);
}

void client_subscribe(struct client *c, unsigned int topics)
{
	c->topics |= topics;
}

/* Writes what the socket takes now. */
static void flush(struct client *c)
{
	while (c->out_head && !c->dead) {
		struct chunk *k = c->out_head;
		ssize_t n = send(c->fd, k->buf + k->off, k->len - k->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			return;
		}
		k->off += n;
		c->out_bytes -= n;
		c->srv->out_bytes -= n;
		if (k->off < k->len)
			return;
		c->out_head = k->next;
		if (!c->out_head)
			c->out_tail = NULL;
		free(k->buf);
		free(k);
	}
}

int client_send_part(struct client *c, char *buf, size_t len, bool first)
{
	int err;

	if (c->dead) {
		free(buf);
		return -EPIPE;
	}
	err = queue(c, buf, len, first);
	if (!err)
		flush(c);
	return err ?: c->dead ? -EPIPE : 0;
}

void client_abort(struct client *c)
{
	c->dead = true;
}

static void reply_too_large(struct client *c)
{
	char *buf;
	int len = asprintf(&buf, "{\"error\":{\"code\":\"%s\",\"message\":\"request of more than %d bytes: the rest of the line is ignored\"}}\n",
			   api_error_name(API_TOO_LARGE), REQUEST_MAX_BYTES);

	if (len < 0)
		c->dead = true;
	else
		client_send(c, buf, len);
}

/* Whether a complete request line waits in c->in. */
static bool line_waiting(const struct client *c)
{
	return c->in_len && memchr(c->in, '\n', c->in_len);
}

/* Handles the complete lines read so far while the client keeps up, and
 * until CLIENT_OUT_HIGH bytes were answered: answers go out while they
 * are written, so a client that reads as fast could otherwise keep the
 * loop on its pipelined requests, samples and other clients waiting
 * (client_update() comes back for the rest). */
static void handle_lines(struct client *c)
{
	struct server *s = c->srv;
	size_t start = 0, queued = c->queued;

	while (!c->dead && c->out_bytes < CLIENT_OUT_HIGH &&
	       c->queued - queued < CLIENT_OUT_HIGH) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		size_t len;

		if (!nl) {
			if (c->in_len - start > REQUEST_MAX_BYTES &&
			    !c->discarding) {
				reply_too_large(c);
				c->discarding = true;
			}
			if (c->discarding)
				start = c->in_len;
			break;
		}
		len = nl - (c->in + start);
		if (c->discarding) {
			c->discarding = false;
		} else {
			/* telnet and friends end lines with \r\n */
			while (len && (c->in[start + len - 1] == '\r' ||
				       c->in[start + len - 1] == ' '))
				len--;
			if (len)
				s->handler(s->ctx, c, c->in + start, len);
		}
		start = nl - c->in + 1;
		flush(c);
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
}

/* Reads, answers and writes what can be; false when the client is gone. */
static bool client_update(struct client *c)
{
	uint32_t events = 0;
	bool waiting;

	handle_lines(c);
	flush(c);
	waiting = !c->dead && line_waiting(c);
	if (c->dead || (c->eof && !c->out_bytes && !waiting)) {
		client_close(c);
		return false;
	}
	if (!c->eof && c->out_bytes < CLIENT_OUT_HIGH)
		events |= EPOLLIN;
	/* writable at once: the lines left waiting come next time round,
	 * after what else the loop has to do */
	if (c->out_bytes || waiting)
		events |= EPOLLOUT;
	sd_event_source_set_io_events(c->io, events);
	return true;
}

static void read_input(struct client *c)
{
	for (;;) {
		ssize_t n;

		if (c->in_cap - c->in_len < READ_CHUNK) {
			size_t cap = c->in_cap ? 2 * c->in_cap : 2 * READ_CHUNK;
			char *in;

			/* an oversized request is dropped as it comes */
			if (c->in_len > REQUEST_MAX_BYTES)
				return;
			in = realloc(c->in, cap);
			if (!in) {
				c->dead = true;
				return;
			}
			c->in = in;
			c->in_cap = cap;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			return;
		}
		if (!n) {
			c->eof = true;
			return;
		}
		c->in_len += n;
		if (c->in_len > REQUEST_MAX_BYTES)
			return;
	}
}

static int on_client(sd_event_source *src, int fd, uint32_t revents,
		     void *userdata)
{
	struct client *c = userdata;

	(void)src;
	(void)fd;
	if (revents & EPOLLIN)
		read_input(c);
	else if (revents & (EPOLLHUP | EPOLLERR))
		c->eof = c->dead = true;
	client_update(c);
	return 0;
}

static void log_peer(const struct client *c)
{
	char pid[16], uid[16], gid[16];
	struct log_field f[] = {
		{ "BPFMEM_PEER_PID", pid },
		{ "BPFMEM_PEER_UID", uid },
		{ "BPFMEM_PEER_GID", gid },
	};

	snprintf(pid, sizeof(pid), "%u", c->cred.pid);
	snprintf(uid, sizeof(uid), "%u", c->cred.uid);
	snprintf(gid, sizeof(gid), "%u", c->cred.gid);
	log_fields(LOG_LVL_INFO, f, 3, "client connected: pid %u uid %u gid %u\n",
		   c->cred.pid, c->cred.uid, c->cred.gid);
}

/* Root, or a member of the group (primary or supplementary, as the peer
 * had them at connect: SO_PEERGROUPS). */
static bool peer_allowed(const struct server *s, int fd,
			 const struct ucred *cred)
{
	socklen_t len = 0;
	gid_t *groups;
	bool member = false;

	if (!cred->uid)
		return true;
	if (s->gid == (gid_t)-1)
		return false;
	if (cred->gid == s->gid)
		return true;
	/* ERANGE with the size needed */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, NULL, &len) &&
	    errno != ERANGE)
		return false;
	groups = malloc(len ?: 1);
	if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		len = 0;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		member |= groups[i] == s->gid;
	free(groups);
	return member;
}

/* Tells the peer why and hangs up; nothing it sent is read. */
static void refuse(const struct server *s, int fd, const struct ucred *cred)
{
	char pid[16], uid[16], gid[16], *line;
	struct log_field f[] = {
		{ "BPFMEM_PEER_PID", pid },
		{ "BPFMEM_PEER_UID", uid },
		{ "BPFMEM_PEER_GID", gid },
	};
	int len;

	snprintf(pid, sizeof(pid), "%u", cred->pid);
	snprintf(uid, sizeof(uid), "%u", cred->uid);
	snprintf(gid, sizeof(gid), "%u", cred->gid);
	log_fields(LOG_LVL_WARN, f, 3, "client refused: pid %u uid %u gid %u is neither root nor in group '%s'\n",
		   cred->pid, cred->uid, cred->gid, s->group);
	len = asprintf(&line, "{\"error\":{\"code\":\"%s\",\"message\":\"uid %u is not in group '%s': only root and its members may use bpfmemd; join it (sudo usermod -aG %s USER, then log in again)\"}}\n",
		       api_error_name(API_FORBIDDEN), cred->uid, s->group,
		       s->group);
	/* a short line into an empty socket: it fits, or the peer is gone */
	if (len > 0) {
		send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(line);
	}
	close(fd);
}

static void add_client(struct server *s, int fd)
{
	struct ucred cred = { .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof(cred);
	struct client *c;
	int err;

	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	if (!peer_allowed(s, fd, &cred)) {
		refuse(s, fd, &cred);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->cred = cred;
	err = sd_event_add_io(s->event, &c->io, fd, EPOLLIN, on_client, c);
	if (err < 0) {
		log_warn("cannot watch client pid %u: %s\n", c->cred.pid,
			 strerror(-err));
		close(fd);
		free(c);
		return;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nr_clients++;
	log_peer(c);
}

static int on_listen(sd_event_source *src, int fd, uint32_t revents,
		     void *userdata)
{
	struct server *s = userdata;

	(void)revents;
	/* a few at a time: a flood of connections waits in the listen queue
	 * instead of joining the clients served in turn all at once */
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int cfd;

		if (s->nr_clients >= s->max_clients) {
			/* the listen queue holds the rest until one leaves */
			log_warn("%zu clients connected, the most allowed: not accepting more until one disconnects\n",
				 s->nr_clients);
			sd_event_source_set_enabled(src, SD_EVENT_OFF);
			return 0;
		}
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				log_warn("accepting a client failed: %s: raise LimitNOFILE=\n",
					 strerror(errno));
				sd_event_source_set_enabled(src, SD_EVENT_OFF);
			}
			return 0;
		}
		add_client(s, cfd);
	}
	return 0;
}

/* Leaves room below the fd limit for the collector's own files. */
static size_t max_clients(void)
{
	struct rlimit rl;
	size_t n = SERVER_MAX_CLIENTS;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < n + 128)
		n = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : rl.rlim_cur / 2;
	return n;
}

int server_new(sd_event *e, int listen_fd, gid_t gid, const char *group,
	       request_handler handler, void *ctx, struct server **out)
{
	struct server *s = calloc(1, sizeof(*s));
	int err;

	if (!s) {
		close(listen_fd);
		return -ENOMEM;
	}
	s->event = e;
	s->fd = listen_fd;
	s->handler = handler;
	s->ctx = ctx;
	s->gid = gid;
	snprintf(s->group, sizeof(s->group), "%s", group);
	s->max_clients = max_clients();
	s->out_max = SERVER_OUT_MAX;
	err = sd_event_add_io(e, &s->listen, listen_fd, EPOLLIN, on_listen, s);
	if (err < 0) {
		close(listen_fd);
		free(s);
		return err;
	}
	sd_event_source_set_io_fd_own(s->listen, true);
	/* connected clients first: a flood of new connections waits in the
	 * listen queue, not in front of those already served */
	sd_event_source_set_priority(s->listen, SD_EVENT_PRIORITY_NORMAL + 1);
	*out = s;
	return 0;
}

void server_free(struct server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_close(s->clients);
	sd_event_source_disable_unref(s->listen);
	free(s);
}

void server_set_out_max(struct server *s, size_t bytes)
{
	s->out_max = bytes;
}

size_t server_nr_clients(const struct server *s)
{
	return s->nr_clients;
}

void server_publish(struct server *s, unsigned int topic, const char *line,
		    size_t len)
{
	struct client *c = s->clients, *next;

	for (; c; c = next) {
		char *copy;

		next = c->next;
		if (!(c->topics & topic))
			continue;
		if (c->out_bytes > SUBSCRIBER_MAX_BACKLOG) {
			log_warn("dropping subscriber pid %u: %zu bytes behind\n",
				 c->cred.pid, c->out_bytes);
			client_close(c);
			continue;
		}
		copy = malloc(len);
		if (copy)
			memcpy(copy, line, len);
		if (!copy) {
			c->dead = true;
		} else if (client_send(c, copy, len)) {
			log_warn("dropping subscriber pid %u: the clients hold %zu MiB of answers unread (max_unread)\n",
				 c->cred.pid, s->out_bytes >> 20);
			client_close(c);
			continue;
		}
		client_update(c);
	}
}
