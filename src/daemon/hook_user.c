// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "daemon/hook_user.h"

int hook_user_resolve(const char *name, struct hook_user *u, char *msg,
		      size_t size)
{
	struct passwd *pw;
	int n = HOOK_USER_GROUPS_MAX;

	*u = (struct hook_user){};
	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		snprintf(msg, size, "user '%s' does not exist%s%s: create it (the package's sysusers.d makes bpfmem), or name another with user = in the rule or hook_user = in [daemon]",
			 name, errno ? ": " : "", errno ? strerror(errno) : "");
		return -ENOENT;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (getgrouplist(name, pw->pw_gid, u->groups, &n) < 0) {
		snprintf(msg, size, "user '%s' is in more than %d groups: name a user in fewer",
			 name, HOOK_USER_GROUPS_MAX);
		return -E2BIG;
	}
	u->ngroups = n;
	u->ok = true;
	return 0;
}

/* Empties the effective, permitted and inheritable sets. */
static int caps_clear(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

int hook_user_enter(const struct hook_user *u)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	if (u->uid) {
		/* while CAP_SETPCAP is still there: unit files without it
		 * in their bounding set make this EPERM, and the set is
		 * emptied below anyway */
		for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0;
		     cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
			    errno != EPERM)
				return -errno;
		if (setgroups(u->ngroups, u->groups) ||
		    setresgid(u->gid, u->gid, u->gid) ||
		    setresuid(u->uid, u->uid, u->uid))
			return -errno;
		/* setresuid() from root clears them already, unless
		 * SECBIT_KEEP_CAPS: leave nothing to chance */
		if (caps_clear())
			return -EPERM;
	}
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}
