// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a cgroup path to its systemd unit, container and pod
 * (src/base/cgroup_owner.c), and the column text made of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/cgroup_owner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1);
	struct cgroup_owner o;
	char buf[CGROUP_UNIT_LEN + 64];

	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	memset(&o, 0xa5, sizeof(o));	/* what it leaves unset shows */
	cgroup_owner_parse(path, &o);
	if (!memchr(o.unit, '\0', sizeof(o.unit)) ||
	    !memchr(o.container_id, '\0', sizeof(o.container_id)) ||
	    !memchr(o.pod_uid, '\0', sizeof(o.pod_uid)))
		abort();
	(void)cgroup_owner_text(&o, buf, sizeof(buf));
	/* a small buffer too */
	(void)cgroup_owner_text(&o, buf, 8);
	free(path);
	return 0;
}
