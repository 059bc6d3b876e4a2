// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "base/format.h"

static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
				     "EiB" };

char *format_bytes(uint64_t bytes, char *buf, size_t size)
{
	double v = bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (v < 9.995)
		snprintf(buf, size, "%.2f %s", v, units[u]);
	else if (v < 99.95)
		snprintf(buf, size, "%.1f %s", v, units[u]);
	else
		snprintf(buf, size, "%.0f %s", v, units[u]);
	return buf;
}

char *format_bytes_partial(uint64_t bytes, bool complete, char *buf,
			   size_t size)
{
	size_t n;

	format_bytes(bytes, buf, size);
	n = strlen(buf);
	if (!complete && n + 1 < size)
		snprintf(buf + n, size - n, "*");
	return buf;
}

char *format_ratio(double ratio, char *buf, size_t size)
{
	if (ratio < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.0f%%", ratio * 100);
	return buf;
}
