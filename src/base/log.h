/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_LOG_H
#define BPFMEM_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* A structured field for sinks that keep them (journald): NAME=value,
 * NAME in upper case. The stderr sink leaves them out. */
struct log_field {
	const char *name;
	const char *value;
};

/* Receives every message at or below the level: the text without the
 * program name, level prefix or trailing newline. */
typedef void (*log_sink)(enum log_level level, const char *msg,
			 const struct log_field *fields, size_t nr_fields);

void log_set_level(enum log_level level);
/* The program name that starts every stderr line ("bpfmem" by default). */
void log_set_ident(const char *ident);
const char *log_get_ident(void);
/* NULL restores stderr. */
void log_set_sink(log_sink sink);
/* Routes libbpf's messages through log_msg(); call once at start-up. */
void log_route_libbpf(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_fields(enum log_level level, const struct log_field *fields,
		size_t nr_fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
