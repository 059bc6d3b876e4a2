// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include "daemon/journal.h"
#include "base/log.h"

#define MAX_FIELDS 16
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

bool journal_wanted(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
	    !fstat(STDERR_FILENO, &st) && st.st_dev == dev && st.st_ino == ino)
		return true;
	return getenv("INVOCATION_ID") && !access(JOURNAL_SOCKET, W_OK);
}

static void journal_sink(enum log_level level, const char *msg,
			 const struct log_field *fields, size_t nr_fields)
{
	static const int priority[] = {
		[LOG_LVL_ERROR] = 3,
		[LOG_LVL_WARN] = 4,
		[LOG_LVL_INFO] = 6,
		[LOG_LVL_DEBUG] = 7,
	};
	char text[MAX_FIELDS + 3][2200];
	struct iovec iov[MAX_FIELDS + 3];
	size_t n = 0;

	snprintf(text[n++], sizeof(text[0]), "MESSAGE=%s", msg);
	snprintf(text[n++], sizeof(text[0]), "PRIORITY=%d", priority[level]);
	snprintf(text[n++], sizeof(text[0]), "SYSLOG_IDENTIFIER=%s",
		 log_get_ident());
	for (size_t i = 0; i < nr_fields && i < MAX_FIELDS; i++)
		snprintf(text[n++], sizeof(text[0]), "%s=%s", fields[i].name,
			 fields[i].value);
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = text[i];
		iov[i].iov_len = strlen(text[i]);
	}
	if (sd_journal_sendv(iov, n) < 0)
		fprintf(stderr, "%s: %s\n", log_get_ident(), msg);
}

void journal_use(void)
{
	log_set_sink(journal_sink);
}
