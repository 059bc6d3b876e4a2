/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs alert hooks without ever waiting for them: each is forked and
 * exec'd (no shell) in a process group of its own, as its user
 * (hook_user.h), its input written
 * to a pipe on its stdin, its stdout and stderr logged line by line, its
 * exit and its timeout (the whole group is SIGKILLed) handled by the
 * event loop. At most max run at once; the rest wait in a bounded queue.
 * SIGCHLD must be blocked (sd-event's child sources).
 */
#ifndef BPFMEMD_HOOKS_H
#define BPFMEMD_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>
#include "daemon/hook_user.h"

/* Hooks waiting for a free slot beyond this are dropped (logged). */
#define HOOKS_MAX_QUEUED 256
/* Longer output lines are logged in pieces. */
#define HOOKS_LINE_MAX 1024

struct hooks;

int hooks_new(sd_event *e, unsigned int max, struct hooks **out);
void hooks_set_max(struct hooks *h, unsigned int max);
/* Leaves running hooks running; their output is no longer read. */
void hooks_free(struct hooks *h);

struct hook_run {
	const char *label;	/* who it is for, in log lines ("rule big") */
	const char *exec;	/* alert_split_exec() splits it */
	char *const *env;	/* NAME=value, NULL-terminated */
	const char *input;	/* to its stdin */
	size_t len;		/* at most HOOKS_MAX_INPUT */
	uint64_t timeout_ms;
	const struct hook_user *user;	/* resolved: who it runs as */
};

#define HOOKS_MAX_INPUT 65536

/* Starts the hook now or queues it (copies everything). 0, -ENOMEM,
 * -ENOBUFS (queue full) or -E2BIG (input too long); logged. */
int hooks_run(struct hooks *h, const struct hook_run *r);

#endif
