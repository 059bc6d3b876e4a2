// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "base/cgroup_owner.h"

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static bool is_hex64(const char *s, size_t len)
{
	if (len < 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* Container ids as runtimes spell them in one path component:
 * "docker-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope",
 * "libpod-<id>.scope", "<slice>:cri-containerd:<id>", or a bare "<id>"
 * (cgroupfs drivers). */
static void parse_container(const char *c, size_t len, struct cgroup_owner *o)
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} prefixes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};
	const char *colon = memchr(c, ':', len);

	if (colon) {
		/* systemd driver without scopes: "slice:runtime:id" */
		const char *id = memchr(colon + 1, ':', len - (colon + 1 - c));

		if (id && is_hex64(id + 1, len - (id + 1 - c))) {
			memcpy(o->container_id, id + 1, 64);
			o->runtime = !strncmp(colon + 1, "cri-containerd", 14) ?
					     "containerd" :
				     !strncmp(colon + 1, "crio", 4) ? "cri-o" :
								     "docker";
		}
		return;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (len > n && !memcmp(c, prefixes[i].prefix, n) &&
		    is_hex64(c + n, len - n)) {
			memcpy(o->container_id, c + n, 64);
			o->runtime = prefixes[i].runtime;
			return;
		}
	}
	if (len == 64 && is_hex64(c, len)) {
		memcpy(o->container_id, c, 64);
		o->runtime = NULL;	/* cgroupfs: the path does not say */
	}
}

/* "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid with _>.slice". */
static void parse_pod(const char *c, size_t len, struct cgroup_owner *o)
{
	const char *p = NULL;
	size_t n;

	for (size_t i = 0; i + 3 < len; i++)
		if (!memcmp(c + i, "pod", 3) && (i == 0 || c[i - 1] == '-'))
			p = c + i + 3;
	if (!p)
		return;
	n = len - (p - c);
	if (ends_with(p, n, ".slice"))
		n -= strlen(".slice");
	if (n != POD_UID_LEN - 1)
		return;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i] == '_' ? '-' : p[i];

		if (!isxdigit((unsigned char)ch) && ch != '-')
			return;
		o->pod_uid[i] = ch;
	}
	o->pod_uid[n] = '\0';
}

void cgroup_owner_parse(const char *path, struct cgroup_owner *o)
{
	const char *c = path;

	/* the innermost unit, pod and container win: later components
	 * overwrite earlier ones */
	*o = (struct cgroup_owner){};
	while (*c) {
		const char *end;
		size_t len;

		while (*c == '/')
			c++;
		end = strchrnul(c, '/');
		len = end - c;
		if (!len)
			break;
		if ((ends_with(c, len, ".service") || ends_with(c, len, ".scope") ||
		     ends_with(c, len, ".slice")) &&
		    len < CGROUP_UNIT_LEN) {
			memcpy(o->unit, c, len);
			o->unit[len] = '\0';
		}
		parse_pod(c, len, o);
		parse_container(c, len, o);
		c = end;
	}
}

const char *cgroup_owner_text(const struct cgroup_owner *o, char *buf,
			      size_t size)
{
	if (o->container_id[0])
		snprintf(buf, size, "%s %.12s",
			 o->runtime ? o->runtime : "container",
			 o->container_id);
	else if (o->pod_uid[0])
		snprintf(buf, size, "pod %s", o->pod_uid);
	else if (o->unit[0])
		snprintf(buf, size, "%s", o->unit);
	else
		snprintf(buf, size, "-");
	return buf;
}
