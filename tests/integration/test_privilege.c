// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege with real users: a group and two users made for the
 * run (PID-suffixed, removed at the end), one in the group and one not.
 * The one outside is refused at the socket with the group to join, and
 * the daemon logs it with the peer's credentials; the member is served.
 * Alert hooks run as their user with no capabilities and no new
 * privileges, as root only when a rule says so, and a rule whose user
 * does not exist loses its hook, not the rest. After start-up the daemon
 * holds only the capabilities bpfmem features says it kept, and samples
 * as before.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

static char group[32], outsider[32], member[32];
/* the first of the tools a real user needs that this system lacks (the
 * 6.1 VM's busybox root has none: the systemd VM checks there) */
static const char *missing_tool;

/* Skips a test that needs the test's users where they cannot be made. */
static void need_users(void)
{
	if (missing_tool) {
		print_message("# no %s here: no users to test with\n",
			      missing_tool);
		skip();
	}
}

static int run_quiet(char *const argv[])
{
	char *out = NULL, *err = NULL;
	int rc = run_capture(argv, &out, &err);

	if (rc)
		print_error("%s: exit %d: %s", argv[0], rc, err ? err : "");
	free(out);
	free(err);
	return rc;
}

static int users_add(void **state)
{
	static const char *const tools[] = { "groupadd", "useradd", "userdel",
					     "groupdel", "setpriv" };

	(void)state;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!in_path(tools[i])) {
			missing_tool = tools[i];
			return 0;
		}
	snprintf(group, sizeof(group), "bpfmt%d", getpid());
	snprintf(outsider, sizeof(outsider), "bpfmo%d", getpid());
	snprintf(member, sizeof(member), "bpfmm%d", getpid());
	if (run_quiet((char *[]){ "groupadd", "--system", group, NULL }))
		return -1;
	/* no home, no group of their own: users (100) is their primary */
	if (run_quiet((char *[]){ "useradd", "--system", "-M", "-N", "-s",
				  "/usr/sbin/nologin", outsider, NULL }) ||
	    run_quiet((char *[]){ "useradd", "--system", "-M", "-N", "-s",
				  "/usr/sbin/nologin", "-G", group, member,
				  NULL }))
		return -1;
	return 0;
}

/* A hook of the test's users a failed test left running (userdel
 * refuses a user with processes): found by uid, killed by pid. */
static void kill_processes_of(const char *user)
{
	struct passwd *pw = getpwnam(user);
	struct dirent *e;
	DIR *proc = opendir("/proc");
	char want[32];

	if (!pw || !proc)
		goto out;
	snprintf(want, sizeof(want), "%u", pw->pw_uid);
	while ((e = readdir(proc))) {
		pid_t pid = atoi(e->d_name);
		char *uid = pid > 0 ? proc_status_field(pid, "Uid") : NULL;

		/* real uid first */
		if (uid && !strncmp(uid, want, strlen(want)) &&
		    (uid[strlen(want)] == '\t' || uid[strlen(want)] == ' '))
			kill(pid, SIGKILL);
		free(uid);
	}
out:
	if (proc)
		closedir(proc);
}

static int users_remove(void **state)
{
	(void)state;
	if (missing_tool)
		return 0;
	daemons_kill();
	kill_processes_of(outsider);
	kill_processes_of(member);
	run_quiet((char *[]){ "userdel", outsider, NULL });
	run_quiet((char *[]){ "userdel", member, NULL });
	run_quiet((char *[]){ "groupdel", group, NULL });
	return 0;
}

/* Runs argv as user, with the user's groups and no capabilities. */
static int run_as(const char *user, char *const argv[], char **out,
		  char **err)
{
	struct passwd *pw = getpwnam(user);
	char uid[16], gid[16];
	char *full[16] = { "setpriv", "--reuid", uid, "--regid", gid,
			   "--init-groups", "--inh-caps=-all", "--" };
	int n = 8;

	assert_non_null(pw);
	snprintf(uid, sizeof(uid), "%u", pw->pw_uid);
	snprintf(gid, sizeof(gid), "%u", pw->pw_gid);
	for (int i = 0; argv[i] && n < 15; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	return run_capture(full, out, err);
}

/* The daemon with its socket where the test users can reach it. */
static void daemon_for_users(struct daemon *d, const char *extra)
{
	char conf[4096];

	daemon_paths(d);
	assert_int_equal(chmod(d->dir, 0755), 0);
	assert_true(snprintf(conf, sizeof(conf),
			     "[daemon]\ninterval = 1s\nhistory = 1m\nsnapshot_every = 0\ngroup = %s\n%s",
			     group, extra) < (int)sizeof(conf));
	daemon_start(d, conf);
}

static void outsiders_are_refused_with_the_group_to_join(void **state)
{
	char *argv[] = { BPFMEM, "summary", "--json", "--socket", NULL, NULL };
	char *out, *err, *log, want[128];
	struct passwd *pw = getpwnam(outsider);
	struct daemon d;
	int rc;

	(void)state;
	need_users();
	daemon_for_users(&d, "");
	argv[4] = d.sock;
	rc = run_as(outsider, argv, &out, &err);
	print_message("# outsider: exit %d: %s", rc, err);
	assert_int_not_equal(rc, 0);
	snprintf(want, sizeof(want), "is not in group '%s'", group);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "usermod -aG %s", group);
	assert_non_null(strstr(err, want));
	free(out);
	free(err);
	/* the daemon logged who it refused */
	log = read_text(d.log);
	snprintf(want, sizeof(want), "client refused: pid ");
	assert_non_null(strstr(log, want));
	snprintf(want, sizeof(want), " uid %u gid %u is neither root nor in group '%s'",
		 pw->pw_uid, pw->pw_gid, group);
	if (!strstr(log, want)) {
		print_error("no '%s' in the daemon's log:\n%s", want, log);
		fail();
	}
	free(log);
	/* a member is served */
	rc = run_as(member, argv, &out, &err);
	if (rc)
		print_error("member: exit %d: %s", rc, err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"bytes_memlock"));
	free(out);
	free(err);
	assert_int_equal(daemon_stop(&d), 0);
}

/* A hook that writes who it runs as to DIR/out-RULE. */
static const char *id_hook(const struct daemon *d)
{
	static char path[160];
	char body[512];

	snprintf(path, sizeof(path), "%s/id-hook", d->dir);
	snprintf(body, sizeof(body),
		 "#!/bin/sh\nf=%s/out/$BPFMEM_RULE\n"
		 "{ id -u; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status; } >$f.tmp && mv $f.tmp $f\n",
		 d->dir);
	put_file(path, body);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

/* DIR/out/RULE once the hook wrote it (the test fails after WAIT_S). */
static char *hook_output(const struct daemon *d, const char *rule)
{
	char path[160];
	double deadline = now_s() + WAIT_S;

	snprintf(path, sizeof(path), "%s/out/%s", d->dir, rule);
	while (access(path, R_OK)) {
		assert_true(now_s() < deadline);
		usleep(50000);
	}
	return read_text(path);
}

static void expect_line(const char *text, const char *line)
{
	if (!strstr(text, line)) {
		print_error("no '%s' in:\n%s", line, text);
		fail();
	}
}

static void hooks_run_as_their_user_without_capabilities(void **state)
{
	struct passwd *pw = getpwnam(outsider);
	char conf[4096], out_dir[160], want[64], *text, *log;
	const char *hook;
	struct daemon d;

	(void)state;
	need_users();
	daemon_paths(&d);
	assert_int_equal(chmod(d.dir, 0755), 0);
	snprintf(out_dir, sizeof(out_dir), "%s/out", d.dir);
	mkdir(out_dir, 0777);
	assert_int_equal(chmod(out_dir, 0777), 0);
	hook = id_hook(&d);
	/* the default user: hook_user; one rule as root, one as nobody */
	assert_true(snprintf(conf, sizeof(conf),
		 "hook_user = %s\n\n"
		 "[alert:plain]\nscope = total\nmetric = bytes_real\nabove = 1\nexec = %s\n\n"
		 "[alert:as-root]\nscope = total\nmetric = bytes_real\nabove = 1\nuser = root\nexec = %s\n\n"
		 "[alert:nobody-here]\nscope = total\nmetric = bytes_real\nabove = 1\nuser = bpfmx%d\nexec = %s\n\n"
		 "[alert:hangs]\nscope = total\nmetric = bytes_real\nabove = 1\ntimeout = 1s\nexec = /bin/sleep 600\n",
		 outsider, hook, hook, getpid(), hook) < (int)sizeof(conf));
	daemon_for_users(&d, conf);
	text = hook_output(&d, "plain");
	print_message("# hook as %s:\n%s", outsider, text);
	snprintf(want, sizeof(want), "%u\n", pw->pw_uid);
	assert_true(!strncmp(text, want, strlen(want)));
	expect_line(text, "CapInh:\t0000000000000000");
	expect_line(text, "CapPrm:\t0000000000000000");
	expect_line(text, "CapEff:\t0000000000000000");
	expect_line(text, "CapBnd:\t0000000000000000");
	expect_line(text, "CapAmb:\t0000000000000000");
	expect_line(text, "NoNewPrivs:\t1");
	free(text);
	text = hook_output(&d, "as-root");
	print_message("# hook as root:\n%s", text);
	assert_true(!strncmp(text, "0\n", 2));
	expect_line(text, "NoNewPrivs:\t1");
	free(text);
	/* the rule whose user does not exist: an error at load, no hook,
	 * and it still fires */
	log = read_text(d.log);
	snprintf(want, sizeof(want), "user 'bpfmx%d' does not exist", getpid());
	expect_line(log, "[alert:nobody-here]: ");
	expect_line(log, want);
	free(log);
	snprintf(out_dir, sizeof(out_dir), "%s/out/nobody-here", d.dir);
	assert_int_not_equal(access(out_dir, F_OK), 0);
	/* a hook of another uid is still killed at its timeout */
	expect_log(&d, "alert hangs: hook [", WAIT_S);
	expect_log(&d, "failed: it was killed by signal 9 at its timeout", WAIT_S);
	assert_int_equal(daemon_stop(&d), 0);
}

/* CapEff of the daemon equals the effective set bpfmem features reports,
 * whose names are want (NULL-terminated); a map made after the drop is
 * sampled with its memlock. */
static void check_capabilities(const struct daemon *d, const char *const want[])
{
	char *argv[] = { BPFMEM, "features", "--json", "--socket",
			 (char *)d->sock, NULL };
	json_object *doc = run_json(argv), *caps, *kept, *v;
	char *eff = proc_status_field(d->pid, "CapEff"), name[32];
	unsigned long long reported;
	size_t n = 0;
	double deadline = now_s() + WAIT_S;
	struct stat st;
	int fd, map;

	caps = jget(doc, "bpfmemd_capabilities");
	assert_non_null(caps);
	reported = jget_u64(caps, "effective");
	print_message("# CapEff %s, features: %s\n", eff,
		      json_object_to_json_string(jget(caps, "kept")));
	assert_int_equal(strtoull(eff, NULL, 16), reported);
	kept = jget(caps, "kept");
	for (; want[n]; n++)
		assert_string_equal(jget_str(json_object_array_get_idx(kept, n),
					     "name"), want[n]);
	assert_int_equal(json_object_array_length(kept), n);
	free(eff);
	json_object_put(doc);
	/* sampling still works: a map made now shows up with its memlock */
	snprintf(name, sizeof(name), "priv%d", getpid() % 100000);
	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 64, 128, NULL);
	assert_true(map >= 0);
	fd = conn(d);
	for (;;) {
		json_object *maps = ask_ok(fd, "{\"cmd\":\"maps\"}", "maps");
		bool seen = false;

		for (size_t i = 0; i < json_object_array_length(maps); i++) {
			v = json_object_array_get_idx(maps, i);
			if (!strcmp(jget_str(v, "name"), name) &&
			    jget_u64(v, "bytes_memlock") > 0)
				seen = true;
		}
		json_object_put(maps);
		if (seen)
			break;
		assert_true(now_s() < deadline);
		usleep(200000);
	}
	/* and the snapshot is the group's */
	v = ask_ok(fd, "{\"cmd\":\"snapshot\"}", "snapshot");
	assert_int_equal(stat(jget_str(v, "path"), &st), 0);
	assert_int_equal(st.st_gid, getgrnam(group)->gr_gid);
	json_object_put(v);
	close(fd);
	close(map);
}

static void keeps_only_the_capabilities_it_reports(void **state)
{
	/* started by root, not in the group: snapshot.json's group takes
	 * CAP_CHOWN (under systemd, Group=bpfmem, it does not) */
	static const char *const plain[] = { "cap_sys_admin", "cap_syslog",
					     "cap_chown", NULL };
	static const char *const hooks[] = { "cap_sys_admin", "cap_syslog",
					     "cap_setuid", "cap_setgid",
					     "cap_setpcap", "cap_kill",
					     "cap_chown", NULL };
	char conf[512];
	struct daemon d;

	(void)state;
	need_users();
	daemon_for_users(&d, "");
	check_capabilities(&d, plain);
	assert_int_equal(daemon_stop(&d), 0);
	/* a hook that runs as a user: what switching to it takes */
	snprintf(conf, sizeof(conf),
		 "[alert:never]\nscope = total\nmetric = bytes_real\nabove = 1000TiB\nuser = %s\nexec = /bin/true\n",
		 outsider);
	daemon_for_users(&d, conf);
	check_capabilities(&d, hooks);
	assert_int_equal(daemon_stop(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(outsiders_are_refused_with_the_group_to_join),
		daemon_test(hooks_run_as_their_user_without_capabilities),
		daemon_test(keeps_only_the_capabilities_it_reports),
	};

	return cmocka_run_group_tests(tests, users_add, users_remove);
}
