/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who an alert's exec hook runs as: a user resolved when the configuration
 * is loaded (its uid, primary and supplementary groups), entered in the
 * forked child before exec. Any user but root runs with no capability in
 * any set, ambient and bounding included, and every hook with
 * PR_SET_NO_NEW_PRIVS: a setuid program it runs gains nothing.
 */
#ifndef BPFMEMD_HOOK_USER_H
#define BPFMEMD_HOOK_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HOOK_USER_NAME_MAX 32
#define HOOK_USER_GROUPS_MAX 64

struct hook_user {
	bool ok;		/* resolved: the hook may run */
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[HOOK_USER_GROUPS_MAX];
};

/* Looks name up (passwd and group databases). 0, or -ENOENT / -E2BIG with
 * the cause and the fix in msg. */
int hook_user_resolve(const char *name, struct hook_user *u, char *msg,
		      size_t size);
/* In the child between fork and exec (async-signal-safe calls only): takes
 * u's identity, drops every capability unless u is root, sets
 * no_new_privs. 0 or -errno. */
int hook_user_enter(const struct hook_user *u);

#endif
