// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "cmocka_wrap.h"
#include "daemon/config.h"

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
	assert_false(c.trace_allocations);	/* an audit mode: opt-in */
	/* never the syscall tracepoints unless asked */
	assert_int_equal(c.lifecycle, LIFECYCLE_AUTO);
	assert_string_equal(config_lifecycle_name(c.lifecycle), "auto");
	assert_int_equal(load("[daemon]\nlifecycle = tracepoint\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.lifecycle, LIFECYCLE_TRACEPOINT);
	assert_int_equal(load("[daemon]\nlifecycle = off\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.lifecycle, LIFECYCLE_OFF);
	assert_int_equal(load("[daemon]\nlifecycle = fentry\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.lifecycle, LIFECYCLE_FENTRY);
	assert_int_equal(c.traced_allocations, 131072);
	assert_int_equal(c.max_unread, 256ull << 20);
	assert_int_equal(load("[daemon]\nmax_unread = 1.5GiB\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.max_unread, 3ull << 29);
	/* a minute whatever the interval; a bare number counts samples */
	assert_int_equal(c.snapshot_every_ms, 60000);
	assert_int_equal(c.snapshot_every, 0);
	assert_int_equal(load("[daemon]\nsnapshot_every = 12\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.snapshot_every, 12);
	assert_int_equal(c.snapshot_every_ms, 0);
	assert_int_equal(load("[daemon]\nsnapshot_every = 12\n"
			      "snapshot_every = 30s\n", &c, msg, sizeof(msg)),
			 0);
	assert_int_equal(c.snapshot_every, 0);
	assert_int_equal(c.snapshot_every_ms, 30000);
	assert_int_equal(c.walk_interval_ms, 10000);
	assert_int_equal(load("[daemon]\nwalk_interval = 0s\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_int_equal(c.walk_interval_ms, 0);
	assert_int_equal(load("[daemon]\ntrace_allocations = yes\n", &c, msg,
			      sizeof(msg)),
			 0);
	assert_true(c.trace_allocations);
	assert_int_equal(load("# comment\n[daemon]\ninterval = 100ms\n"
			      "history = 2h\n; other comment\n"
			      "socket = /tmp/x.sock\nstate_dir = /tmp/st\n"
			      "snapshot_every = 0\ntrace_allocations = no\n"
			      "traced_allocations = 1048576\n",
			      &c, msg, sizeof(msg)),
			 0);
	assert_false(c.trace_allocations);
	assert_int_equal(c.traced_allocations, 1048576);
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
	/* nothing to free after a failure */
	assert_null(c.alerts.v);
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
	expect_error("[daemon]\nsnapshot_every = lots\n",
		     "2: key 'snapshot_every'", "nor a duration");
	expect_error("[daemon]\nsnapshot_every = 100ms\n",
		     "2: key 'snapshot_every'", "out of range: use 1s to 1d");
	expect_error("[daemon]\nthis line has no equals sign\n", "2:",
		     "expected");
	expect_error("[daemon]\nhistory = 1s\ninterval = 5s\n", "",
		     "history (1000 ms) is shorter than interval");
	expect_error("[daemon]\nhistory = 7d\ninterval = 100ms\n", "",
		     "more than 100000");
}

static void prometheus_section(void **state)
{
	struct sockaddr_in *in;
	struct sockaddr_in6 *in6;
	struct config c;
	char msg[512];

	(void)state;
	config_defaults(&c);
	/* off by default */
	assert_string_equal(c.prom_listen, "");
	assert_string_equal(c.prom_textfile, "");
	assert_int_equal(c.prom_max_series, 2000);
	assert_int_equal(load("[prometheus]\nlisten = 127.0.0.1:9477\n"
			      "textfile = /var/lib/node/bpfmem.prom\n"
			      "max_series = 16\n[daemon]\ninterval = 1s\n",
			      &c, msg, sizeof(msg)),
			 0);
	in = (struct sockaddr_in *)&c.prom_addr;
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 9477);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(c.prom_addr_len, sizeof(*in));
	assert_string_equal(c.prom_listen, "127.0.0.1:9477");
	assert_string_equal(c.prom_textfile, "/var/lib/node/bpfmem.prom");
	assert_int_equal(c.prom_max_series, 16);
	assert_int_equal(load("[prometheus]\nlisten = [::1]:1\n", &c, msg,
			      sizeof(msg)),
			 0);
	in6 = (struct sockaddr_in6 *)&c.prom_addr;
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 1);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	assert_int_equal(c.prom_addr_len, sizeof(*in6));

	expect_error("[prometheus]\nlisten = localhost:9477\n",
		     "2: [prometheus] key 'listen'",
		     "'localhost' is not a numeric IPv4 address");
	expect_error("[prometheus]\nlisten = ::1:9477\n",
		     "2: [prometheus] key 'listen'", "in brackets");
	expect_error("[prometheus]\nlisten = [127.0.0.1]:9477\n",
		     "2: [prometheus] key 'listen'", "not a numeric");
	expect_error("[prometheus]\nlisten = 127.0.0.1\n",
		     "2: [prometheus] key 'listen'", "not ADDRESS:PORT");
	expect_error("[prometheus]\nlisten = 127.0.0.1:65536\n",
		     "2: [prometheus] key 'listen'", "1 to 65535");
	expect_error("[prometheus]\nlisten = 127.0.0.1:0\n",
		     "2: [prometheus] key 'listen'", "1 to 65535");
	expect_error("[prometheus]\nlisten = 127.0.0.1:http\n",
		     "2: [prometheus] key 'listen'", "1 to 65535");
	expect_error("[prometheus]\n\ntextfile = /tmp/bpfmem.txt\n",
		     "3: [prometheus] key 'textfile'", "end in .prom");
	expect_error("[prometheus]\ntextfile = bpfmem.prom\n",
		     "2: [prometheus] key 'textfile'", "absolute path");
	expect_error("[prometheus]\nmax_series = 15\n",
		     "2: [prometheus] key 'max_series'", "below 16");
	expect_error("[prometheus]\nmax_series = many\n",
		     "2: [prometheus] key 'max_series'", "whole number");
	expect_error("[prometheus]\ninterval = 1s\n",
		     "2: [prometheus] key 'interval'",
		     "has listen, textfile and max_series");
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

/* [alert:NAME] sections: keys, values, checks across keys. */
static void the_issue_example_loads(void **state)
{
	struct config c;
	char msg[512];
	const struct alert_rule *r;

	(void)state;
	assert_int_equal(load("[daemon]\ninterval = 1s\nmax_hooks = 2\n"
			      "[alert:big-map]\n"
			      "scope = map            ; total | map | prog | memcg\n"
			      "match = name:cilium_*\n"
			      "metric = bytes_real\n"
			      "above = 512MiB\n"
			      "for = 30s\n"
			      "resolve_below = 400MiB\n"
			      "repeat = 1h\n"
			      "severity = critical\n"
			      "exec = /usr/local/bin/page-oncall --team bpf\n"
			      "[alert:full]\nscope = map\nmatch = type:hash\n"
			      "metric = fill_ratio\nabove = 90%\n"
			      "[alert:cg]\nscope = memcg\nmatch = path:/system.slice/*\n"
			      "metric = dying\n"
			      "[alert:shrink]\nscope = total\nmetric = bytes_memlock\n"
			      "below = 1.5kB\nresolve_above = 2kB\ntimeout = 2s\n",
			      &c, msg, sizeof(msg)),
			 0);
	assert_int_equal(c.max_hooks, 2);
	assert_int_equal(c.alerts.n, 4);
	r = &c.alerts.v[0];
	assert_string_equal(r->name, "big-map");
	assert_int_equal(r->scope, ALERT_SCOPE_MAP);
	assert_int_equal(r->match, ALERT_MATCH_NAME);
	assert_string_equal(r->pattern, "cilium_*");
	assert_int_equal(r->metric, ALERT_BYTES_REAL);
	assert_false(r->below);
	assert_true(r->threshold == 512.0 * 1024 * 1024);
	assert_true(r->resolve == 400.0 * 1024 * 1024);
	assert_int_equal(r->for_ms, 30000);
	assert_int_equal(r->repeat_ms, 3600000);
	assert_int_equal(r->timeout_ms, 10000);
	assert_int_equal(r->severity, ALERT_CRITICAL);
	assert_string_equal(r->exec, "/usr/local/bin/page-oncall --team bpf");
	r = &c.alerts.v[1];
	assert_int_equal(r->match, ALERT_MATCH_TYPE);
	assert_int_equal(r->type, 1);	/* BPF_MAP_TYPE_HASH */
	assert_true(r->threshold == 0.9);
	/* resolves where it fired without resolve_below */
	assert_true(r->resolve == 0.9);
	assert_int_equal(r->severity, ALERT_WARNING);
	r = &c.alerts.v[2];
	assert_int_equal(r->metric, ALERT_DYING);
	r = &c.alerts.v[3];
	assert_true(r->below);
	assert_true(r->threshold == 1500);
	assert_true(r->resolve == 2000);
	assert_int_equal(r->timeout_ms, 2000);
	config_free(&c);
}

static void bad_keys_and_values_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nfrobnicate = 1\n",
		     "5", "[alert:a] key 'frobnicate': unknown key");
	expect_error("[alert:a]\nscope = maps\n", "2",
		     "key 'scope': 'maps': scope is total");
	expect_error("[alert:a]\nscope = map\nmetric = size\n", "3",
		     "key 'metric'");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 512MB!\n",
		     "4", "key 'above': '512MB!' is not a threshold");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nfor = 30\n",
		     "5", "key 'for': '30' is not a duration");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nrepeat = soon\n",
		     "5", "key 'repeat'");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nseverity = page\n",
		     "5", "key 'severity'");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nexec = page-oncall\n",
		     "5", "absolute path");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nexec = /bin/x 'open\n",
		     "5", "key 'exec'");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\ntimeout = 0s\n",
		     "5", "key 'timeout'");
	expect_error("[alert:a]\nscope = map\nmatch = type:nosuch\n", "3",
		     "key 'match'");
	expect_error("[alert:a]\nscope = map\nmatch = cilium_*\n", "3",
		     "name:GLOB");
	expect_error("[alert:a]\nscope = map\nscope = prog\n", "3",
		     "key 'scope': given again (first at line 2)");
	expect_error("[alert:]\nscope = map\n", "2", "a rule's name");
	expect_error("[daemon]\nmax_hooks = 0\n", "2", "key 'max_hooks'");
	expect_error("[daemon]\ntrace_allocations = maybe\n", "2",
		     "key 'trace_allocations'");
	expect_error("[daemon]\nlifecycle = kprobe\n", "2",
		     "key 'lifecycle': 'kprobe' is not auto, fentry, tracepoint or off");
	expect_error("[daemon]\nmax_unread = 512KiB\n", "2",
		     "key 'max_unread': '512KiB' is not a size from 1 MiB to 64 GiB");
	expect_error("[daemon]\nmax_unread = lots\n", "2", "key 'max_unread'");
	expect_error("[daemon]\nwalk_interval = 2h\n", "2",
		     "key 'walk_interval': '2h' is out of range: use 0s to 1h");
	expect_error("[daemon]\nmax_unread = 90%\n", "2", "key 'max_unread'");
	expect_error("[daemon]\ntraced_allocations = 100\n", "2",
		     "1024 at least");
	expect_error("[daemon]\ntraced_allocations = 99999999999\n", "2",
		     "from 0 to 16777216");
	expect_error("[alert:a b]\nscope = map\n", "2", "a rule's name");
}

static void rules_are_checked_whole(void **state)
{
	(void)state;
	/* the line of the key at fault, or the section's first key */
	expect_error("[alert:a]\nmetric = bytes_real\nabove = 1\n", "2",
		     "key 'scope' is missing");
	expect_error("[alert:a]\nscope = map\nabove = 1\n", "2",
		     "key 'metric' is missing");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\n\n[alert:b]\nscope = map\n",
		     "3", "above = VALUE or below = VALUE");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\nbelow = 2\n",
		     "5", "not both");
	expect_error("[alert:a]\nscope = prog\nmetric = dying\n",
		     "3", "a program has no dying");
	expect_error("[alert:a]\nscope = total\nmetric = fill_ratio\nabove = 1\n",
		     "3", "the total has no fill_ratio");
	expect_error("[alert:a]\nscope = total\nmatch = name:x\nmetric = bytes_real\nabove = 1\n",
		     "3", "key 'match': the total is one object");
	expect_error("[alert:a]\nscope = memcg\nmatch = type:hash\nmetric = bytes_real\nabove = 1\n",
		     "3", "memory cgroups have no type");
	expect_error("[alert:a]\nscope = prog\nmatch = type:hash\nmetric = bytes_memlock\nabove = 1\n",
		     "3", "no prog type is called 'hash'");
	expect_error("[alert:a]\nscope = map\nmetric = fill_ratio\nabove = 1MiB\n",
		     "4", "key 'above': fill_ratio takes a ratio");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 50%\n",
		     "4", "key 'above': bytes_real takes a size");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1MiB\nresolve_below = 2MiB\n",
		     "5", "key 'resolve_below': must be at or below");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nbelow = 1MiB\nresolve_below = 2MiB\n",
		     "5", "resolves with resolve_above");
	expect_error("[alert:a]\nscope = map\nmetric = dying\nabove = 0\n",
		     "4", "leave above and below out");
	expect_error("[alert:a]\nscope = map\nmetric = bytes_real\nabove = 1\n[daemon]\ninterval = 1s\n[alert:a]\nscope = map\n",
		     "8", "already defined at line 2");
}

static void sizes_and_exec_words(void **state)
{
	char buf[256], *argv[8];
	double b;

	(void)state;
	assert_int_equal(alert_parse_size("512MiB", &b), 0);
	assert_true(b == 536870912.0);
	assert_int_equal(alert_parse_size("1.5GiB", &b), 0);
	assert_true(b == 1.5 * 1024 * 1024 * 1024);
	assert_int_equal(alert_parse_size("10MB", &b), 0);
	assert_true(b == 1e7);
	assert_int_equal(alert_parse_size("4096", &b), 0);
	assert_true(b == 4096);
	assert_int_equal(alert_parse_size("-1MiB", &b), -EINVAL);
	assert_int_equal(alert_parse_size("5%", &b), -EINVAL);
	assert_int_equal(alert_parse_size("5 MiB", &b), -EINVAL);
	assert_int_equal(alert_parse_size("MiB", &b), -EINVAL);

	assert_int_equal(alert_split_exec("/bin/x  -a 'b c' \"d'e\"", buf,
					  sizeof(buf), argv, 8), 4);
	assert_string_equal(argv[0], "/bin/x");
	assert_string_equal(argv[1], "-a");
	assert_string_equal(argv[2], "b c");
	assert_string_equal(argv[3], "d'e");
	assert_null(argv[4]);
	assert_int_equal(alert_split_exec("   ", buf, sizeof(buf), argv, 8),
			 -EINVAL);
	assert_int_equal(alert_split_exec("/bin/x \"a", buf, sizeof(buf),
					  argv, 8), -EINVAL);
	assert_int_equal(alert_split_exec("a b c d e f g h", buf, sizeof(buf),
					  argv, 8), -EINVAL);
	assert_int_equal(alert_split_exec("/bin/longer", buf, 6, argv, 8),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_every_key),
		cmocka_unit_test(errors_name_file_line_and_key),
		cmocka_unit_test(prometheus_section),
		cmocka_unit_test(missing_file_is_defaults_unless_named),
		cmocka_unit_test(command_line_wins_and_is_checked),
		cmocka_unit_test(the_issue_example_loads),
		cmocka_unit_test(bad_keys_and_values_name_file_line_and_key),
		cmocka_unit_test(rules_are_checked_whole),
		cmocka_unit_test(sizes_and_exec_words),
	};

	return cmocka_run_group_tests_name("config", tests, write_conf,
					   remove_conf);
}
