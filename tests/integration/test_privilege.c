// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege with real users: a group and two users made for the
 * run (PID-suffixed, removed at the end), one in the group and one not.
 * The one outside is refused at the socket with the group to join, and
 * the daemon logs it with the peer's credentials; the member is served.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

static char group[32], outsider[32], member[32];

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
	(void)state;
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

static int users_remove(void **state)
{
	(void)state;
	daemons_kill();
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
	char conf[512];

	daemon_paths(d);
	assert_int_equal(chmod(d->dir, 0755), 0);
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 1s\nhistory = 1m\nsnapshot_every = 0\ngroup = %s\n%s",
		 group, extra);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(outsiders_are_refused_with_the_group_to_join),
	};

	return cmocka_run_group_tests(tests, users_add, users_remove);
}
