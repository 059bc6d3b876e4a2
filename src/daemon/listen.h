/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's listening socket: passed by systemd or bound here. */
#ifndef BPFMEMD_LISTEN_H
#define BPFMEMD_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The socket systemd passed (bpfmemd.socket), or path bound here with mode
 * 0666: anyone may connect, and the server refuses (and logs) whoever is
 * neither root nor in the group (server.h). A stale socket file left by a
 * killed daemon is replaced; one that a live daemon answers on is not.
 * A listening fd, or -errno with the cause and fix in msg.
 */
int listen_socket(const char *path, bool *activated, char *msg,
		  size_t size);

#endif
