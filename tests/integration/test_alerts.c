// SPDX-License-Identifier: GPL-2.0
/*
 * Alert rules in the real daemon: real maps appear, fill and go; the hooks
 * are real scripts in a temporary directory that write down the JSON and
 * environment they were given; the journal and systemd's notify socket
 * are sockets the test binds. Sampling every 100 ms keeps it fast.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define MIB (1024 * 1024)
/* Seconds the daemon gets to react (sample, fire, run a hook, log): the
 * waits end as soon as it has. A sample takes 0.7 s on emulated CPUs (the
 * 6.1 VM), which work elsewhere on the host can stall for seconds. */
#define REACT_S WAIT_S

/* The hooks here run as root (hook_user = root) to write the test's
 * files; test_privilege.c checks a hook's user and capabilities. */
static char dir[64];		/* the hooks' files */

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* A hook script NAME in dir with body; returns its path. */
static const char *script(const char *name, const char *body)
{
	static char path[8][128];
	static int next;
	char *p = path[next++ % 8];
	char text[2048];

	snprintf(p, 128, "%s/%s", dir, name);
	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	put_file(p, text);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

/* A map of the kernel's; its id from the kernel. */
static int make_map(enum bpf_map_type type, const char *name, __u32 value,
		    __u32 entries, __u32 flags, __u32 *id)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_map_create(type, name, 4, value, entries, &o);

	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	*id = info.id;
	return fd;
}

/* Waits up to secs for path to exist; its text (caller frees) or NULL. */
static char *wait_file(const char *path, double secs)
{
	double deadline = now_s() + secs;

	while (access(path, F_OK) && now_s() < deadline)
		usleep(20000);
	return access(path, F_OK) ? NULL : read_text(path);
}

static int count_lines(const char *path)
{
	char *t = read_text(path);
	int n = 0;

	for (char *p = t; *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

/* Hooks run on their own time: waits up to REACT_S for path to have n lines
 * (and returns how many it has). */
static int wait_lines(const char *path, int n)
{
	double until = now_s() + REACT_S;

	while (count_lines(path) < n && now_s() < until)
		usleep(20000);
	return count_lines(path);
}

/* The `alerts` command's alerts of rule (a new reference). */
static json_object *alerts_of(const struct daemon *d, const char *rule)
{
	json_object *v, *arr, *out = json_object_new_array();
	int fd = conn(d);

	v = ask_ok(fd, "{\"cmd\":\"alerts\"}", "alerts");
	close(fd);
	assert_true(json_object_object_get_ex(v, "alerts", &arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);

		if (!strcmp(jget_str(a, "rule"), rule))
			json_object_array_add(out, json_object_get(a));
	}
	json_object_put(v);
	return out;
}

/* The phase of rule's alert of object id: "pending", "firing" or NULL. */
static const char *phase_of(const struct daemon *d, const char *rule,
			    __u32 id)
{
	static char phase[16];
	json_object *arr = alerts_of(d, rule), *obj;
	const char *found = NULL;

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);

		assert_true(json_object_object_get_ex(a, "object", &obj));
		if (jget_u64(obj, "id") == id) {
			snprintf(phase, sizeof(phase), "%s",
				 jget_str(a, "state"));
			found = phase;
		}
	}
	json_object_put(arr);
	return found;
}

/* Samples in the daemon's history: a larger count proves a sample was
 * taken in between. */
static __u64 samples(const struct daemon *d)
{
	int fd = conn(d);
	json_object *v = ask_ok(fd, "{\"cmd\":\"history\",\"object\":\"total\"}",
				"history"), *pts;
	__u64 n;

	close(fd);
	assert_true(json_object_object_get_ex(v, "points", &pts));
	n = json_object_array_length(pts);
	json_object_put(v);
	return n;
}

/* Lets n more samples pass. */
static void let_samples_pass(const struct daemon *d, int n)
{
	__u64 until = samples(d) + n;
	double deadline = now_s() + WAIT_S;

	while (samples(d) < until && now_s() < deadline)
		usleep(50000);
	assert_true(samples(d) >= until);
}

/* Reads datagrams from fd until one has every needle; false after secs. */
static bool datagram_with(int fd, const char *const needles[], size_t n,
			  double secs)
{
	double deadline = now_s() + secs;
	char buf[16384];

	while (now_s() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;
		size_t found = 0;

		if (poll(&p, 1, 100) != 1)
			continue;
		len = recv(fd, buf, sizeof(buf) - 1, 0);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		for (size_t i = 0; i < n; i++)
			found += !!strstr(buf, needles[i]);
		if (found == n)
			return true;
	}
	return false;
}

/* Whether a process of group pgid runs (zombies do not count: who
 * reaps the orphaned sleep is up to init). */
static bool group_alive(pid_t pgid)
{
	char path[300], buf[512], *p, st;
	DIR *dp = opendir("/proc");
	struct dirent *e;
	bool alive = false;
	int pgrp;

	assert_non_null(dp);
	while (!alive && (e = readdir(dp))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* comm may hold spaces: the fields follow its ')' */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %c %*d %d", &st, &pgrp) == 2)
			alive = pgrp == pgid && st != 'Z';
		fclose(f);
	}
	closedir(dp);
	return alive;
}

/* A hook that keeps what it got: NAME.STATE.json and NAME.STATE.env,
 * written whole (renamed into place), and a line on its stdout. */
static const char *recording_hook(const char *name)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "cat > %1$s/.in.$$\n"
		 "env > %1$s/.env.$$\n"
		 "mv %1$s/.env.$$ %1$s/%2$s.$BPFMEM_STATE.env\n"
		 "printf '%%s|' \"$@\" > %1$s/%2$s.args\n"
		 "mv %1$s/.in.$$ %1$s/%2$s.$BPFMEM_STATE.json\n"
		 "echo \"recorded $BPFMEM_RULE $BPFMEM_STATE\"",
		 dir, name);
	return script(name, body);
}

static void a_large_map_fires_its_hook_and_resolves_when_it_goes(void **state)
{
	char conf[1024], path[128], env[160], host[256], want[64];
	const char *hook = recording_hook("big");
	json_object *j, *obj, *ev, *arr;
	char *text, *memcg, *line;
	struct daemon d;
	__u64 t0;
	__u32 id;
	int mapfd, fd, sub, ns;

	(void)state;
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 100ms\nhook_user = root\n"
		 "[alert:big]\nscope = map\nmatch = name:alt_big*\n"
		 "metric = bytes_real\nabove = 2MiB\nseverity = critical\n"
		 "exec = %s --flag 'two words'\n", hook);
	daemon_paths(&d);
	snprintf(path, sizeof(path), "%s/notify", d.dir);
	ns = bind_dgram(path);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", path);
	daemon_start_env(&d, conf, env);
	sub = conn(&d);
	json_object_put(ask_ok(sub, "{\"cmd\":\"subscribe\",\"topics\":[\"alerts\"]}",
			       "subscribe"));

	t0 = (__u64)time(NULL) * 1000;
	/* 4 MiB of values: the kernel holds at least that much */
	mapfd = make_map(BPF_MAP_TYPE_ARRAY, "alt_big", 4096, 1024, 0, &id);
	path_in(path, sizeof(path), "big.firing.json");
	text = wait_file(path, 10);
	assert_non_null(text);
	j = json_tokener_parse(text);
	assert_non_null(j);
	assert_string_equal(jget_str(j, "rule"), "big");
	assert_string_equal(jget_str(j, "state"), "firing");
	assert_string_equal(jget_str(j, "severity"), "critical");
	assert_string_equal(jget_str(j, "scope"), "map");
	assert_string_equal(jget_str(j, "metric"), "bytes_real");
	assert_true(json_object_object_get_ex(j, "object", &obj));
	assert_int_equal(jget_u64(obj, "id"), id);
	assert_string_equal(jget_str(obj, "name"), "alt_big");
	assert_string_equal(jget_str(obj, "type"), "array");
	/* the memory cgroup the kernel charges: this process's */
	memcg = proc_memcg_path(getpid());
	assert_non_null(memcg);
	assert_string_equal(jget_str(obj, "memcg"), memcg);
	free(memcg);
	assert_true(jget_u64(j, "value") >= 4 * MIB);
	assert_int_equal(jget_u64(j, "threshold"), 2 * MIB);
	assert_true(jget_u64(j, "since_ms") >= t0);
	assert_true(jget_u64(j, "since_ms") <= jget_u64(j, "time_ms"));
	gethostname(host, sizeof(host));
	assert_string_equal(jget_str(j, "host"), host);
	json_object_put(j);
	free(text);

	/* the environment: the alert's figures, PATH, nothing of ours */
	path_in(path, sizeof(path), "big.firing.env");
	text = wait_file(path, 1);
	assert_non_null(text);
	snprintf(want, sizeof(want), "BPFMEM_OBJECT_ID=%u\n", id);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "BPFMEM_RULE=big\n"));
	assert_non_null(strstr(text, "BPFMEM_STATE=firing\n"));
	assert_non_null(strstr(text, "BPFMEM_OBJECT_NAME=alt_big\n"));
	assert_non_null(strstr(text, "BPFMEM_THRESHOLD=2097152\n"));
	assert_null(strstr(text, "NOTIFY_SOCKET"));
	free(text);
	/* its output, in the log */
	expect_log(&d, "said: recorded big firing", REACT_S);

	/* the subscribers got it too */
	line = read_line(sub, WAIT_S * 1000);
	ev = json_tokener_parse(line);
	free(line);
	assert_true(json_object_object_get_ex(ev, "alert", &j));
	assert_string_equal(jget_str(j, "state"), "firing");
	assert_true(json_object_object_get_ex(j, "object", &obj));
	assert_int_equal(jget_u64(obj, "id"), id);
	json_object_put(ev);

	/* listed by `alerts`, counted in STATUS */
	assert_string_equal(phase_of(&d, "big", id), "firing");
	{
		const char *const status[] = { "STATUS=", "; 1 alerts firing" };

		assert_true(datagram_with(ns, status, 2, REACT_S));
	}
	fd = conn(&d);
	j = ask_ok(fd, "{\"cmd\":\"alerts\"}", "alerts");
	close(fd);
	assert_true(json_object_object_get_ex(j, "rules", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	assert_int_equal(jget_u64(json_object_array_get_idx(arr, 0), "firing"),
			 1);
	json_object_put(j);

	/* its words as written in exec, no shell between */
	path_in(path, sizeof(path), "big.args");
	text = read_text(path);
	assert_string_equal(text, "--flag|two words|");
	free(text);

	/* the map goes: resolved */
	close(mapfd);
	path_in(path, sizeof(path), "big.resolved.json");
	text = wait_file(path, 10);
	assert_non_null(text);
	j = json_tokener_parse(text);
	assert_string_equal(jget_str(j, "state"), "resolved");
	assert_true(json_object_object_get_ex(j, "gone", &obj));
	assert_true(json_object_get_boolean(obj));
	assert_true(json_object_object_get_ex(j, "object", &obj));
	assert_int_equal(jget_u64(obj, "id"), id);
	json_object_put(j);
	free(text);
	line = read_line(sub, WAIT_S * 1000);
	assert_non_null(strstr(line, "\"state\":\"resolved\""));
	free(line);
	assert_null(phase_of(&d, "big", id));
	close(sub);
	close(ns);
	assert_int_equal(daemon_stop(&d), 0);
}

static void for_and_hysteresis_hold(void **state)
{
	char conf[1024], log_for[128], log_fill[128], body[256];
	const char *hook_for, *hook_fill;
	json_object *arr, *a;
	struct daemon d;
	__u32 short_id, long_id, fill_id, key, n;
	double off;
	__u64 value = 0;
	int fshort, flong, ffill;

	(void)state;
	path_in(log_for, sizeof(log_for), "for.log");
	path_in(log_fill, sizeof(log_fill), "fill.log");
	snprintf(body, sizeof(body),
		 "echo \"$BPFMEM_OBJECT_NAME $BPFMEM_STATE\" >> %s", log_for);
	hook_for = script("for.sh", body);
	snprintf(body, sizeof(body),
		 "echo \"$BPFMEM_STATE $BPFMEM_VALUE\" >> %s", log_fill);
	hook_fill = script("fill.sh", body);
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 100ms\nhook_user = root\n"
		 "[alert:held]\nscope = map\nmatch = name:alt_for*\n"
		 "metric = bytes_real\nabove = 1MiB\nfor = 1s\nexec = %s\n"
		 "[alert:fill]\nscope = map\nmatch = name:alt_fill\n"
		 "metric = fill_ratio\nabove = 80%%\nresolve_below = 0.5\n"
		 "exec = %s\n",
		 hook_for, hook_fill);
	daemon_start(&d, conf);

	/* `for`: a map that lives 300 ms never fires, one that stays fires
	 * once it has been above for 1 s */
	fshort = make_map(BPF_MAP_TYPE_ARRAY, "alt_for_short", 4096, 1024, 0,
			  &short_id);
	flong = make_map(BPF_MAP_TYPE_ARRAY, "alt_for_long", 4096, 1024, 0,
			 &long_id);
	let_samples_pass(&d, 2);
	assert_string_equal(phase_of(&d, "held", long_id), "pending");
	close(fshort);
	assert_true(wait_log(&d, "alert held firing", REACT_S));
	arr = alerts_of(&d, "held");
	assert_int_equal(json_object_array_length(arr), 1);
	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(jget_str(a, "state"), "firing");
	assert_true(jget_u64(a, "fired_ms") - jget_u64(a, "since_ms") >= 1000);
	json_object_put(arr);
	let_samples_pass(&d, 2);
	assert_int_equal(wait_lines(log_for, 1), 1);
	{
		char *t = read_text(log_for);

		assert_string_equal(t, "alt_for_long firing\n");
		free(t);
	}

	/* hysteresis: fires above 80% full, stays firing down to 50%. Where
	 * the count lags by up to a batch on each CPU (6.1: 32 a CPU, the
	 * whole of a 100-entry map's 80% on one CPU), the map is ten times
	 * larger so that the lag stays under the gaps between thresholds */
	n = elem_count_slack() ? 1000 : 100;
	off = (double)elem_count_slack() / n;
	ffill = make_map(BPF_MAP_TYPE_HASH, "alt_fill", 8, n,
			 BPF_F_NO_PREALLOC, &fill_id);
	for (key = 0; key < n * 9 / 10; key++)
		assert_int_equal(bpf_map_update_elem(ffill, &key, &value, 0), 0);
	expect_log(&d, "alert fill firing", REACT_S);
	assert_int_equal(wait_lines(log_fill, 1), 1);
	for (key = n * 9 / 10 - 1; key >= n * 6 / 10; key--)
		assert_int_equal(bpf_map_delete_elem(ffill, &key), 0);
	let_samples_pass(&d, 3);
	assert_string_equal(phase_of(&d, "fill", fill_id), "firing");
	assert_int_equal(count_lines(log_fill), 1);
	for (key = n * 6 / 10 - 1; key >= n * 4 / 10; key--)
		assert_int_equal(bpf_map_delete_elem(ffill, &key), 0);
	expect_log(&d, "alert fill resolved", REACT_S);
	assert_int_equal(wait_lines(log_fill, 2), 2);
	/* back between the thresholds: quiet */
	for (key = n * 4 / 10; key < n * 7 / 10; key++)
		assert_int_equal(bpf_map_update_elem(ffill, &key, &value, 0), 0);
	let_samples_pass(&d, 3);
	assert_null(phase_of(&d, "fill", fill_id));
	{
		char *t = read_text(log_fill), s1[16], s2[16];
		double v1, v2;

		/* a sample may catch the updates half-way */
		assert_int_equal(sscanf(t, "%15s %lf\n%15s %lf", s1, &v1, s2,
					&v2), 4);
		assert_string_equal(s1, "firing");
		assert_true(v1 > 0.8 && v1 <= 0.9 + off);
		assert_string_equal(s2, "resolved");
		assert_true(v2 < 0.5 && v2 >= 0.4 - off);
		assert_int_equal(count_lines(log_fill), 2);
		free(t);
	}
	close(ffill);
	close(flong);
	assert_int_equal(daemon_stop(&d), 0);
}

static void a_hanging_hook_is_killed_at_its_timeout(void **state)
{
	char conf[512], pidfile[128], body[256], *text;
	const char *hook;
	struct daemon d;
	__u64 before;
	pid_t pid;
	__u32 id;
	int fd;

	(void)state;
	path_in(pidfile, sizeof(pidfile), "hang.pid");
	/* the shell waits for sleep: both must go */
	snprintf(body, sizeof(body), "echo $$ > %s\nsleep 60\necho never",
		 pidfile);
	hook = script("hang.sh", body);
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 100ms\nhook_user = root\n"
		 "[alert:hang]\nscope = map\nmatch = name:alt_hang\n"
		 "metric = bytes_real\nabove = 1MiB\ntimeout = 1s\nexec = %s\n",
		 hook);
	daemon_start(&d, conf);
	fd = make_map(BPF_MAP_TYPE_ARRAY, "alt_hang", 4096, 1024, 0, &id);
	text = wait_file(pidfile, REACT_S);
	assert_non_null(text);
	pid = atoi(text);
	free(text);
	assert_true(pid > 0);
	/* while it hangs, the daemon samples and answers */
	before = samples(&d);
	let_samples_pass(&d, 3);
	assert_true(samples(&d) > before);
	expect_log(&d, "still runs after its timeout of 1s: killing", REACT_S);
	expect_log(&d, "failed: it was killed by signal 9 at its timeout", REACT_S);
	/* the hook's process group is gone: the shell and its sleep */
	assert_false(group_alive(pid));
	assert_false(wait_log(&d, "said: never", 0));
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

static void failing_hooks_are_logged(void **state)
{
	char conf[1024];
	struct daemon d;
	__u32 id;
	int fd;

	(void)state;
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 100ms\nhook_user = root\n"
		 "[alert:exit1]\nscope = map\nmatch = name:alt_fail\n"
		 "metric = bytes_real\nabove = 1MiB\n"
		 "exec = /bin/sh -c 'echo about to fail >&2; exit 1'\n"
		 "[alert:missing]\nscope = map\nmatch = name:alt_fail\n"
		 "metric = bytes_real\nabove = 1MiB\n"
		 "exec = %s/no-such-hook\n", dir);
	daemon_start(&d, conf);
	fd = make_map(BPF_MAP_TYPE_ARRAY, "alt_fail", 4096, 1024, 0, &id);
	expect_log(&d, "alert exit1: hook", REACT_S);
	expect_log(&d, "said: about to fail", REACT_S);
	expect_log(&d, "failed: it exited with status 1", REACT_S);
	expect_log(&d, "/no-such-hook' failed: No such file or directory", REACT_S);
	/* the alert itself stands, and the daemon goes on */
	assert_string_equal(phase_of(&d, "missing", id), "firing");
	let_samples_pass(&d, 2);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

static void a_restart_does_not_fire_again(void **state)
{
	char conf[512], log[128], body[256], saved[256], *text;
	const char *hook;
	struct daemon d;
	__u32 id;
	int fd;

	(void)state;
	path_in(log, sizeof(log), "restart.log");
	snprintf(body, sizeof(body), "echo $BPFMEM_STATE >> %s", log);
	hook = script("restart.sh", body);
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 100ms\nhook_user = root\n"
		 "[alert:once]\nscope = map\nmatch = name:alt_restart\n"
		 "metric = bytes_real\nabove = 1MiB\nexec = %s\n", hook);
	daemon_start(&d, conf);
	fd = make_map(BPF_MAP_TYPE_ARRAY, "alt_restart", 4096, 1024, 0, &id);
	expect_log(&d, "alert once firing", REACT_S);
	/* its hook has run (a hook still starting dies with the daemon) */
	assert_int_equal(wait_lines(log, 1), 1);
	/* killed without warning: the state was written when it fired */
	daemon_kill(&d);
	snprintf(saved, sizeof(saved), "%s/alerts.json", d.state);
	text = read_text(saved);
	assert_non_null(strstr(text, "\"rule\":\"once\""));
	assert_non_null(strstr(text, "\"state\":\"firing\""));
	free(text);

	daemon_start(&d, conf);
	let_samples_pass(&d, 5);
	assert_string_equal(phase_of(&d, "once", id), "firing");
	assert_false(wait_log(&d, "alert once firing", 0));
	assert_int_equal(count_lines(log), 1);
	/* what fired before the restart resolves after it (the hook runs
	 * on its own time: wait for its line) */
	close(fd);
	expect_log(&d, "alert once resolved", REACT_S);
	wait_lines(log, 2);
	assert_int_equal(daemon_stop(&d), 0);
	text = read_text(log);
	assert_string_equal(text, "firing\nresolved\n");
	free(text);
}

/* Under systemd the records go to journald with their fields; the test
 * binds journald's socket (as test_daemon does) when no journald runs. */
static void firing_is_a_journal_record_with_fields(void **state)
{
	char id_env[64], want_id[48];
	struct daemon d;
	__u32 id;
	int jfd = journal_bind(), fd;

	(void)state;
	snprintf(id_env, sizeof(id_env), "INVOCATION_ID=%032d", getpid());
	daemon_start_env(&d,
			 "[daemon]\ninterval = 100ms\nhook_user = root\n"
			 "[alert:jr]\nscope = map\nmatch = name:alt_journal\n"
			 "metric = bytes_real\nabove = 1MiB\n",
			 id_env);
	fd = make_map(BPF_MAP_TYPE_ARRAY, "alt_journal", 4096, 1024, 0, &id);
	snprintf(want_id, sizeof(want_id), "BPFMEM_OBJECT_ID=%u\n", id);
	{
		const char *const firing[] = {
			"BPFMEM_ALERT_RULE=jr\n", "BPFMEM_ALERT_STATE=firing\n",
			"BPFMEM_ALERT_SEVERITY=warning\n",
			"BPFMEM_ALERT_METRIC=bytes_real\n",
			"BPFMEM_OBJECT_KIND=map\n", want_id, "PRIORITY=4\n",
		};
		const char *const resolved[] = {
			"BPFMEM_ALERT_RULE=jr\n", "BPFMEM_ALERT_STATE=resolved\n",
			want_id, "PRIORITY=6\n",
		};

		assert_true(datagram_with(jfd, firing, 7, REACT_S));
		close(fd);
		assert_true(datagram_with(jfd, resolved, 4, REACT_S));
	}
	assert_int_equal(daemon_stop(&d), 0);
	journal_unbind(jfd);
}

static void a_bad_rule_on_reload_keeps_the_rules_in_force(void **state)
{
	struct daemon d;
	__u32 id;
	int fd;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 100ms\n"
			 "[alert:kept]\nscope = map\nmatch = name:alt_reload\n"
			 "metric = bytes_real\nabove = 1MiB\n");
	put_file(d.conf, "[daemon]\ninterval = 100ms\n"
			 "[alert:kept]\nscope = map\nmatch = name:alt_reload\n"
			 "metric = bytes_real\nabove = 1MiB\n"
			 "[alert:bad]\nscope = map\nmetric = bytes_real\n"
			 "above = lots\n");
	kill(d.pid, SIGHUP);
	expect_log(&d, "bpfmemd.conf:11: [alert:bad] key 'above': 'lots' is not a threshold", REACT_S);
	expect_log(&d, "keeping the one in force", REACT_S);
	fd = make_map(BPF_MAP_TYPE_ARRAY, "alt_reload", 4096, 1024, 0, &id);
	expect_log(&d, "alert kept firing", REACT_S);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bpfmem-alerts-%d", getpid());
	return mkdir(dir, 0755);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	daemons_kill();
	snprintf(cmd, sizeof(cmd), "rm -rf %s /tmp/bpfmemd-test-%d", dir,
		 getpid());
	return system(cmd);
}

/* Each test starts its daemon afresh, with its own state directory. */
static int fresh(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/bpfmemd-test-%d", getpid());
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_large_map_fires_its_hook_and_resolves_when_it_goes, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(for_and_hysteresis_hold, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(a_hanging_hook_is_killed_at_its_timeout, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(failing_hooks_are_logged, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(a_restart_does_not_fire_again, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(firing_is_a_journal_record_with_fields, fresh, daemons_teardown),
		cmocka_unit_test_setup_teardown(a_bad_rule_on_reload_keeps_the_rules_in_force, fresh, daemons_teardown),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("alerts", tests, setup, teardown);
}
