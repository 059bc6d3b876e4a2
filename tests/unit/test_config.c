// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmocka_wrap.h"
#include "config.h"

static char path[64];

static int write_conf(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/bpfmemd-test-%d.conf", getpid());
	return 0;
}

static int remove_conf(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void put(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Loads text; returns the error and the message. */
static int load(const char *text, struct config *c, char *msg, size_t size)
{
	put(text);
	msg[0] = '\0';
	return config_read(c, path, true, NULL, 0, msg, size);
}

static void defaults_and_every_key(void **state)
{
	struct config c;
	char msg[512];

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.interval_ms, 5000);
	assert_int_equal(c.history_ms, 3600000);
	assert_string_equal(c.socket, "/run/bpfmem/bpfmemd.sock");
	assert_string_equal(c.state_dir, "/var/lib/bpfmem");
	assert_int_equal(load("# comment\n[daemon]\ninterval = 100ms\n"
			      "history = 2h\n; other comment\n"
			      "socket = /tmp/x.sock\nstate_dir = /tmp/st\n"
			      "snapshot_every = 0\n",
			      &c, msg, sizeof(msg)),
			 0);
	assert_int_equal(c.interval_ms, 100);
	assert_int_equal(c.history_ms, 7200000);
	assert_int_equal(c.snapshot_every, 0);
	assert_string_equal(c.socket, "/tmp/x.sock");
	assert_string_equal(c.state_dir, "/tmp/st");
	assert_int_equal(config_history_samples(&c), 72001);
}

static void expect_error(const char *text, const char *line_key,
			 const char *why)
{
	struct config c;
	char msg[512], where[128];

	if (load(text, &c, msg, sizeof(msg)) != -EINVAL)
		fail_msg("accepted: %s", text);
	snprintf(where, sizeof(where), "%s:%s", path, line_key);
	if (strncmp(msg, where, strlen(where)) || !strstr(msg, why))
		fail_msg("message '%s' lacks '%s' or '%s'", msg, where, why);
}

static void errors_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error("[daemon]\n\ninterval = 5x\n", "3: key 'interval'",
		     "not a duration");
	expect_error("[daemon]\ninterval = 10ms\n", "2: key 'interval'",
		     "out of range: use 100ms to 1h");
	expect_error("[daemon]\ninterval = 5s\nfrobnicate = 1\n",
		     "3: key 'frobnicate'", "unknown key");
	expect_error("[other]\ninterval = 5s\n", "2: key 'interval'",
		     "unknown section [other]");
	expect_error("interval = 5s\n", "1: key 'interval'",
		     "before any section");
	expect_error("[daemon]\nsocket = relative.sock\n", "2: key 'socket'",
		     "not an absolute path");
	expect_error("[daemon]\nsnapshot_every = -1\n",
		     "2: key 'snapshot_every'", "whole number");
	expect_error("[daemon]\nthis line has no equals sign\n", "2:",
		     "expected");
	expect_error("[daemon]\nhistory = 1s\ninterval = 5s\n", "",
		     "history (1000 ms) is shorter than interval");
	expect_error("[daemon]\nhistory = 7d\ninterval = 100ms\n", "",
		     "more than 100000");
}

static void missing_file_is_defaults_unless_named(void **state)
{
	struct config c;
	char msg[512];

	(void)state;
	unlink(path);
	assert_int_equal(config_read(&c, path, false, NULL, 0, msg,
				     sizeof(msg)),
			 0);
	assert_int_equal(c.interval_ms, 5000);
	assert_int_equal(config_read(&c, path, true, NULL, 0, msg,
				     sizeof(msg)),
			 -ENOENT);
	assert_non_null(strstr(msg, "no such file"));
}

static void command_line_wins_and_is_checked(void **state)
{
	struct config_override o[] = {
		{ "interval", "--interval", "2s" },
		{ "socket", "--socket", "/tmp/cli.sock" },
	};
	struct config_override bad = { "interval", "--interval", "fast" };
	struct config c;
	char msg[512];

	(void)state;
	put("[daemon]\ninterval = 1m\nsocket = /tmp/file.sock\n");
	assert_int_equal(config_read(&c, path, true, o, 2, msg, sizeof(msg)),
			 0);
	assert_int_equal(c.interval_ms, 2000);
	assert_string_equal(c.socket, "/tmp/cli.sock");
	assert_int_equal(config_read(&c, path, true, &bad, 1, msg,
				     sizeof(msg)),
			 -EINVAL);
	assert_non_null(strstr(msg, "--interval: 'fast' is not a duration"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_every_key),
		cmocka_unit_test(errors_name_file_line_and_key),
		cmocka_unit_test(missing_file_is_defaults_unless_named),
		cmocka_unit_test(command_line_wins_and_is_checked),
	};

	return cmocka_run_group_tests_name("config", tests, write_conf,
					   remove_conf);
}
