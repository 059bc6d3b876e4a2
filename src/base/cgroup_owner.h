/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a cgroup belongs to, read from its path: the systemd unit, the
 * container and the Kubernetes pod, as systemd, Docker, containerd, CRI-O
 * and podman name the cgroups they create.
 */
#ifndef BPFMEM_CGROUP_OWNER_H
#define BPFMEM_CGROUP_OWNER_H

#include <stddef.h>

#define CGROUP_UNIT_LEN 256
#define CONTAINER_ID_LEN 65	/* 64 hex digits */
#define POD_UID_LEN 37		/* 8-4-4-4-12 */

struct cgroup_owner {
	char unit[CGROUP_UNIT_LEN];	/* innermost .service, .scope or .slice */
	char container_id[CONTAINER_ID_LEN];
	const char *runtime;		/* "docker", "containerd", "cri-o", "podman" */
	char pod_uid[POD_UID_LEN];	/* with dashes, as Kubernetes shows it */
};

/* Fills what the path shows; fields it does not show are "" (runtime
 * NULL). */
void cgroup_owner_parse(const char *path, struct cgroup_owner *out);
/* One phrase for a column: the unit, else the container, else the pod;
 * "-" when the path shows none. Returns buf. */
const char *cgroup_owner_text(const struct cgroup_owner *o, char *buf,
			      size_t size);

#endif
