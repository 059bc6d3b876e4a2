// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "base/log.h"

static enum log_level current_level = LOG_LVL_WARN;
static const char *ident = "bpfmem";
static log_sink sink;

void log_set_level(enum log_level level)
{
	current_level = level;
}

void log_set_ident(const char *name)
{
	ident = name;
}

const char *log_get_ident(void)
{
	return ident;
}

void log_set_sink(log_sink s)
{
	sink = s;
}

static void log_vfields(enum log_level level, const struct log_field *fields,
			size_t nr_fields, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_LVL_ERROR] = "error: ",
		[LOG_LVL_WARN] = "warning: ",
		[LOG_LVL_INFO] = "",
		[LOG_LVL_DEBUG] = "debug: ",
	};
	char msg[2048];
	size_t len;

	if (level > current_level)
		return;
	if (!sink) {
		fprintf(stderr, "%s: %s", ident, prefix[level]);
		vfprintf(stderr, fmt, ap);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	sink(level, msg, fields, nr_fields);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_fields(enum log_level level, const struct log_field *fields,
		size_t nr_fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, fields, nr_fields, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf warns about things we probe for on purpose; its warnings are
	 * our debug output unless the caller asked for more. */
	enum log_level ours = level == LIBBPF_WARN ? LOG_LVL_INFO :
						     LOG_LVL_DEBUG;

	if (ours > current_level)
		return 0;
	if (!sink) {
		fprintf(stderr, "%s: ", ident);
		return vfprintf(stderr, fmt, ap);
	}
	log_vfields(ours, NULL, 0, fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
