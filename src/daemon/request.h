/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests of the socket protocol (docs/PROTOCOL.md): one JSON object a
 * line, checked strictly: unknown commands and fields and values of the
 * wrong type are errors that say what is allowed.
 */
#ifndef BPFMEMD_REQUEST_H
#define BPFMEMD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "daemon/history.h"
#include "report/sort.h"

#define PROTOCOL_SCHEMA_VERSION 1
/* A request line longer than this is refused (the connection stays). */
#define REQUEST_MAX_BYTES 65536

enum command {
	CMD_VERSION,
	CMD_SUMMARY,
	CMD_REPORT,
	CMD_MAPS,
	CMD_PROGS,
	CMD_CGROUPS,
	CMD_EVENTS,
	CMD_HISTORY,
	CMD_SNAPSHOT,
	CMD_SUBSCRIBE,
	CMD_ALERTS,
	CMD_FEATURES,
	NR_COMMANDS,
};

enum api_error {
	API_OK,
	API_BAD_JSON,		/* not one JSON object */
	API_BAD_REQUEST,	/* wrong field, type or value */
	API_UNKNOWN_COMMAND,
	API_TOO_LARGE,		/* over REQUEST_MAX_BYTES */
	API_NOT_FOUND,		/* no such object in the history */
	API_INTERNAL,		/* the daemon failed (out of memory, disk) */
	API_FORBIDDEN,		/* the peer is not root nor in the group */
	API_BUSY,		/* clients hold SERVER_OUT_MAX bytes unread */
	NR_API_ERRORS,
};

enum cgroup_sort_key {
	CG_SORT_MEMLOCK,
	CG_SORT_MAPS,
	CG_SORT_ID,
	CG_SORT_PATH,
};

#define TOPIC_EVENTS (1u << 0)
#define TOPIC_SAMPLES (1u << 1)
#define TOPIC_ALERTS (1u << 2)

#define REQUEST_TEXT_MAX 256
#define REQUEST_FIELDS_MAX 32	/* "fields": at most this many names */
#define REQUEST_FIELD_LEN 32	/* of fewer characters */

struct request {
	enum command cmd;
	bool table;		/* "format": "table" */
	size_t limit;		/* 0: all */
	struct sort_spec sort;	/* maps, progs */
	bool has_cg_sort;	/* else the order of `bpfmem cgroups` */
	enum cgroup_sort_key cg_sort;
	bool cg_descending;
	/* filters; has_* says which are set */
	bool has_id, has_type, has_pid;
	__u64 id;
	__u32 type;
	__u32 pid;
	char name[REQUEST_TEXT_MAX];	/* "" when not filtered */
	char memcg[REQUEST_TEXT_MAX];	/* path prefix, "" when not filtered */
	bool dying;		/* cgroups: only those holding dying charges */
	__u64 since;		/* events: cursor */
	enum hist_kind object;	/* history */
	uint64_t range_ms;	/* history: 0 for all of it */
	unsigned int topics;	/* subscribe */
	/* maps, progs, cgroups: only these members of each object; 0: all */
	size_t nr_fields;
	char fields[REQUEST_FIELDS_MAX][REQUEST_FIELD_LEN];
};

const char *command_name(enum command cmd);
const char *api_error_name(enum api_error e);
/*
 * Parses one request line (without its newline). API_OK, or the error
 * with a message naming the field and what it takes in msg.
 */
enum api_error request_parse(const char *line, size_t len,
			     struct request *r, char *msg, size_t size);

#endif
