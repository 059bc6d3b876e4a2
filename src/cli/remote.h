/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands answered by bpfmemd: the command line prints what the daemon
 * sends, exactly as it would print its own collection.
 */
#ifndef BPFMEM_REMOTE_H
#define BPFMEM_REMOTE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <json-c/json.h>
#include "cli/client.h"
#include "report/output.h"

/* A request {"cmd": cmd}, for the caller to add fields to. */
json_object *remote_request(const char *cmd);
/* Sends req and reads its response: the result (the caller puts it), or
 * NULL with what went wrong in msg. *raw, when raw is not NULL, is the
 * result's text as the daemon wrote it, valid until the next call. */
json_object *remote_call(struct conn *c, json_object *req, const char *cmd,
			 const char **raw, char *msg, size_t msg_size);
/* maps, progs, summary, report, cgroups; sort may be NULL; dying keeps
 * the cgroups holding charges of removed ones. 0, or negative after the
 * error was printed. */
int remote_print(struct conn *c, const char *cmd, const char *sort,
		 bool dying, const struct output_opts *o, FILE *out);
/* The event log; with follow, then every new event until interrupted. */
int remote_events(struct conn *c, bool follow, const struct output_opts *o,
		  FILE *out);
/* object: total, map, prog or cgroup; range may be NULL (all). */
int remote_history(struct conn *c, const char *object, __u64 id,
		   const char *range, const struct output_opts *o, FILE *out);
/* Has the daemon write its snapshot, and copies it to path (NULL: prints
 * where it is). */
int remote_snapshot(struct conn *c, const char *path, FILE *out);
/* The capabilities the daemon kept after start-up, as its features
 * request reports them (docs/PROTOCOL.md), or NULL with why in msg. */
json_object *remote_capabilities(struct conn *c, char *msg, size_t size);
/* Them as text: each kept one with why, then those dropped. */
void print_capabilities(FILE *out, json_object *caps);

#endif
