// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "daemon/duration.h"

struct unit {
	const char *name;
	uint64_t ms;
};

/* Longest names first: "ms" before "m". */
static const struct unit units[] = {
	{ "ms", 1 },
	{ "s", MSEC_PER_SEC },
	{ "m", 60 * MSEC_PER_SEC },
	{ "h", 3600 * MSEC_PER_SEC },
	{ "d", 86400 * MSEC_PER_SEC },
};

#define NR_UNITS (sizeof(units) / sizeof(units[0]))

int duration_parse(const char *text, uint64_t *ms)
{
	const char *p = text;
	uint64_t total = 0;

	if (!*p)
		return -EINVAL;
	while (*p) {
		uint64_t n = 0;
		const struct unit *u = NULL;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			n = n * 10 + (*p - '0');
		}
		for (size_t i = 0; i < NR_UNITS; i++) {
			size_t len = strlen(units[i].name);

			/* "m" must not match the "m" of "ms" */
			if (!strncmp(p, units[i].name, len) &&
			    !(p[len] >= 'a' && p[len] <= 'z')) {
				u = &units[i];
				p += len;
				break;
			}
		}
		if (!u)
			return -EINVAL;
		if (n > (UINT64_MAX - total) / u->ms)
			return -ERANGE;
		total += n * u->ms;
	}
	*ms = total;
	return 0;
}

char *duration_format(uint64_t ms, char *buf, size_t size)
{
	size_t len = 0;

	if (!ms) {
		snprintf(buf, size, "0s");
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = NR_UNITS; i-- > 0 && len < size;) {
		uint64_t n = ms / units[i].ms;

		if (!n)
			continue;
		len += snprintf(buf + len, size - len, "%llu%s",
				(unsigned long long)n, units[i].name);
		ms -= n * units[i].ms;
	}
	return buf;
}
