// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: one request line of the socket protocol (src/daemon/request.c),
 * as the server hands it over: bytes and a length, no NUL promised. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request r;
	char msg[512];
	/* a copy of exactly size bytes: ASan sees any read past the line */
	char *line = malloc(size ? size : 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	memset(&r, 0, sizeof(r));
	if (request_parse(line, size, &r, msg, sizeof(msg)) == API_OK) {
		/* the strings it fills are terminated */
		if (!memchr(r.name, '\0', sizeof(r.name)) ||
		    !memchr(r.memcg, '\0', sizeof(r.memcg)))
			abort();
		(void)command_name(r.cmd);
	} else if (!memchr(msg, '\0', sizeof(msg))) {
		abort();
	}
	free(line);
	return 0;
}
