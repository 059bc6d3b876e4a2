// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "base/log.h"
#include "daemon/privileges.h"

#define BIT(cap) (1ull << (cap))

/*
 * Why each is kept. Measured on 6.18 by dropping one capability more and
 * running a daemon through samples, a snapshot and a SIGHUP that attaches
 * the accounting hooks (docs/man/bpfmemd.8): without CAP_SYS_ADMIN no map
 * had its memlock; without CAP_BPF, CAP_PERFMON and CAP_SYSLOG too every
 * map had it and the hooks attached (17 programs held, then 41): the
 * kernel takes CAP_SYS_ADMIN for the first two in bpf(). CAP_SYSLOG stays
 * all the same: on Debian's 6.1 the hooks' __ksym externs did not load
 * without the /proc/kallsyms addresses it shows (docs/SYSTEMD.md), and a
 * SIGHUP loads the accounting hooks' again. Without CAP_KILL
 * a hook running as another user outlived its timeout
 * (test_privilege.c).
 */
enum when { ALWAYS, HOOK_USERS, CHOWN_GROUP };

static const struct {
	int cap;
	enum when when;
	const char *name, *why;
} needs[] = {
	{ CAP_SYS_ADMIN, ALWAYS, "cap_sys_admin",
	  "opens maps and programs by id (BPF_MAP_GET_FD_BY_ID) for their memlock each sample, and loads and attaches the accounting hooks when SIGHUP turns trace_allocations on (the kernel takes it for CAP_BPF and CAP_PERFMON)" },
	{ CAP_SYSLOG, ALWAYS, "cap_syslog",
	  "shows /proc/kallsyms addresses to libbpf for the accounting hooks' kernel symbols when SIGHUP loads them (Debian's 6.1 refused them without it)" },
	{ CAP_SETUID, HOOK_USERS, "cap_setuid",
	  "runs alert hooks as their user" },
	{ CAP_SETGID, HOOK_USERS, "cap_setgid",
	  "gives alert hooks their user's groups" },
	{ CAP_SETPCAP, HOOK_USERS, "cap_setpcap",
	  "empties the bounding set of alert hooks run as a user" },
	{ CAP_KILL, HOOK_USERS, "cap_kill",
	  "kills an alert hook that runs as another user at its timeout" },
	{ CAP_CHOWN, CHOWN_GROUP, "cap_chown",
	  "gives snapshot.json to the socket's group, which bpfmemd is not in" },
};

#define NR_NEEDS (sizeof(needs) / sizeof(needs[0]))

static int caps_get(__u64 *eff, __u64 *prm)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &h, d))
		return -errno;
	*eff = d[0].effective | (__u64)d[1].effective << 32;
	*prm = d[0].permitted | (__u64)d[1].permitted << 32;
	return 0;
}

static int caps_set(__u64 caps)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ .effective = caps, .permitted = caps },
		{ .effective = caps >> 32, .permitted = caps >> 32 },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

int privileges_drop(const struct privileges_need *need, struct privileges *p)
{
	__u64 eff = 0, prm = 0, want = 0;
	int err;

	*p = (struct privileges){};
	for (size_t i = 0; i < NR_NEEDS; i++)
		if (needs[i].when == ALWAYS ||
		    (needs[i].when == HOOK_USERS && need->hook_users) ||
		    (needs[i].when == CHOWN_GROUP && need->chown_group))
			want |= BIT(needs[i].cap);
	err = caps_get(&eff, &prm);
	if (err)
		goto out;
	p->kept = prm & want;
	p->dropped = prm & ~want;
	/* before CAP_SETPCAP goes: a root hook would get the bounding set
	 * back at exec. Without it (a unit's CapabilityBoundingSet=) the
	 * bounding set is already the unit's. */
	p->bounding = true;
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (want & BIT(cap) || !prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			continue;
		if (errno != EPERM) {
			err = -errno;
			goto out;
		}
		p->bounding = false;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL) {
		err = -errno;
		goto out;
	}
	err = caps_set(p->kept);
out:
	p->err = err;
	if (err) {
		p->kept = eff;
		p->dropped = 0;
		log_error("dropping the capabilities bpfmemd does not need failed: %s: it keeps them\n",
			  strerror(-err));
	}
	return err;
}

static const char *cap_name(int cap)
{
	static const char *const names[] = {
		"cap_chown", "cap_dac_override", "cap_dac_read_search",
		"cap_fowner", "cap_fsetid", "cap_kill", "cap_setgid",
		"cap_setuid", "cap_setpcap", "cap_linux_immutable",
		"cap_net_bind_service", "cap_net_broadcast", "cap_net_admin",
		"cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
		"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
		"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin",
		"cap_sys_boot", "cap_sys_nice", "cap_sys_resource",
		"cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
		"cap_audit_write", "cap_audit_control", "cap_setfcap",
		"cap_mac_override", "cap_mac_admin", "cap_syslog",
		"cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
		"cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
	};

	return cap < (int)(sizeof(names) / sizeof(names[0])) ? names[cap] :
							      "cap_unknown";
}

void json_privileges(struct json_writer *w, const struct privileges *p)
{
	json_key(w, "capabilities");
	json_object_open(w);
	json_key(w, "kept");
	json_array_open(w);
	for (size_t i = 0; i < NR_NEEDS; i++) {
		if (!(p->kept & BIT(needs[i].cap)))
			continue;
		json_object_open(w);
		json_kv_string(w, "name", needs[i].name);
		json_kv_string(w, "why", needs[i].why);
		json_object_close(w);
	}
	json_array_close(w);
	json_key(w, "dropped");
	json_array_open(w);
	for (int cap = 0; cap < 64; cap++)
		if (p->dropped & BIT(cap))
			json_string(w, cap_name(cap));
	json_array_close(w);
	json_kv_u64(w, "effective", p->kept);
	json_kv_bool(w, "bounding_set_cut", p->bounding);
	json_object_close(w);
}
