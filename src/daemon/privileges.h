/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capabilities bpfmemd keeps once started: those its samples, a
 * SIGHUP that attaches the accounting hooks, and its alert hooks need
 * (each with why, reported by the features request), the rest dropped
 * from the effective, permitted, inheritable, ambient and, where it holds
 * CAP_SETPCAP, bounding sets. Called before any other thread exists:
 * capabilities are per thread, and threads inherit them.
 */
#ifndef BPFMEMD_PRIVILEGES_H
#define BPFMEMD_PRIVILEGES_H

#include <stdbool.h>
#include <linux/types.h>
#include "base/json_writer.h"

struct privileges_need {
	bool hook_users;	/* a rule's hook runs as a user, not root */
	bool chown_group;	/* snapshot.json's group is not the daemon's */
};

struct privileges {
	__u64 kept;		/* bit per capability: effective now */
	__u64 dropped;		/* held before, dropped */
	bool bounding;		/* the bounding set was cut to kept */
	int err;		/* 0, or what failed (-errno) */
};

/* Drops what need does not call for; 0 or -errno (logged). */
int privileges_drop(const struct privileges_need *need, struct privileges *p);
/* "capabilities": {"kept": [{"name", "why"}...], "dropped": [names]...} */
void json_privileges(struct json_writer *w, const struct privileges *p);

#endif
