// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: durations (src/daemon/duration.c: the configuration's and the
 * protocol's "1m30s") and sizes (alert_parse_size in alert_rule.c:
 * "512MiB", the thresholds of alert rules), as NUL-terminated text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/duration.h"
#include "daemon/alert_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char buf[64];
	uint64_t ms, back;
	double bytes;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!duration_parse(text, &ms)) {
		/* its documented promise: format reads back the same */
		duration_format(ms, buf, sizeof(buf));
		if (duration_parse(buf, &back) || back != ms)
			abort();
	}
	if (!alert_parse_size(text, &bytes) && !(bytes >= 0))
		abort();	/* negative or NaN */
	free(text);
	return 0;
}
