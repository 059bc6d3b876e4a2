/* SPDX-License-Identifier: GPL-2.0 */
/* The commands of the socket protocol (docs/PROTOCOL.md). */
#ifndef BPFMEMD_COMMANDS_H
#define BPFMEMD_COMMANDS_H

#include <stddef.h>
#include "daemon/server.h"

/* Answers one request line: server.h's request_handler, ctx the daemon
 * (struct bpfmemd). */
void commands_handle(void *ctx, struct client *c, const char *line,
		     size_t len);

#endif
