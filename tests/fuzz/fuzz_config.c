// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: bpfmemd.conf with its [alert:NAME] rules (src/daemon/config.c,
 * alert_rule.c), read through config_read() from a memfd as from a file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "daemon/config.h"
#include "daemon/alert_rule.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char msg[1024];

	if (fd < 0) {
		fd = memfd_create("bpfmemd.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if (config_read(&c, path, true, NULL, 0, msg, sizeof(msg)))
		return 0;	/* nothing is left to free */
	/* what the daemon does with a good one: copies the rules on reload
	 * and splits each hook's command when it fires */
	struct alert_rules copy = { 0 };

	if (!alert_rules_copy(&copy, &c.alerts)) {
		for (size_t i = 0; i < copy.n; i++) {
			/* as hooks.c's spawn() does */
			char buf[ALERT_EXEC_MAX], *argv[ALERT_ARGV_MAX];

			if (copy.v[i].exec[0] &&
			    (alert_split_exec(copy.v[i].exec, buf, sizeof(buf),
					      argv, ALERT_ARGV_MAX) <= 0 ||
			     argv[0][0] != '/'))
				abort();	/* alert_rule_set() accepted it */
		}
		alert_rules_free(&copy);
	}
	(void)config_history_samples(&c);
	config_free(&c);
	return 0;
}
