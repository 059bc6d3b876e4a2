// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmemd as it runs: the real daemon on a temporary socket, state
 * directory and configuration, queried over its socket, compared with
 * bpfmem's in-process output, signalled, starved by a client that never
 * reads, killed in the middle of snapshots, and watched by a test
 * NOTIFY_SOCKET.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define NR_CLIENTS 256
#define BENCH_DIR_FMT "/sys/fs/bpf/bpfmemd-test-%d"

static void expect_error(int fd, const char *req, const char *code,
			 const char *in_msg)
{
	json_object *v = ask(fd, req), *e;

	if (!json_object_object_get_ex(v, "error", &e) ||
	    strcmp(jget_str(e, "code"), code) ||
	    !strstr(jget_str(e, "message"), in_msg)) {
		print_error("%.80s: %s\n", req, json_object_to_json_string(v));
		fail();
	}
	json_object_put(v);
}

static const char *const fast_config =
	"[daemon]\ninterval = 100ms\nhistory = 1m\nsnapshot_every = 0\n";

static void every_command_answers(void **state)
{
	static const char *const keys[] = { "summary", "report", "maps",
					    "progs", "cgroups" };
	struct daemon d;
	json_object *v, *o;
	int fd;

	(void)state;
	daemon_start(&d, fast_config);
	fd = conn(&d);
	v = ask_ok(fd, "{\"cmd\":\"version\"}", "version");
	assert_string_equal(jget_str(v, "version"), BPFMEM_VERSION);
	assert_int_equal(jget_u64(v, "schema_version"), 1);
	json_object_put(v);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char req[128];

		snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}", keys[i]);
		json_object_put(ask_ok(fd, req, keys[i]));
		snprintf(req, sizeof(req), "{\"cmd\":\"%s\",\"format\":\"table\"}",
			 keys[i]);
		v = ask_ok(fd, req, keys[i]);
		assert_true(json_object_is_type(v, json_type_string));
		json_object_put(v);
	}
	v = ask_ok(fd, "{\"cmd\":\"events\",\"since\":0}", "events");
	assert_true(json_object_object_get_ex(v, "items", &o));
	json_object_put(v);
	v = ask_ok(fd, "{\"cmd\":\"history\",\"object\":\"total\",\"range\":\"1m\"}",
		   "history");
	assert_true(json_object_object_get_ex(v, "points", &o));
	assert_true(json_object_array_length(o) >= 1);
	json_object_put(v);
	v = ask_ok(fd, "{\"cmd\":\"snapshot\"}", "snapshot");
	assert_true(jget_u64(v, "bytes") > 0);
	assert_int_equal(access(jget_str(v, "path"), R_OK), 0);
	json_object_put(v);
	v = ask_ok(fd, "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}",
		   "subscribe");
	json_object_put(v);
	/* samples stream in, every 100 ms */
	for (int i = 0; i < 2; i++) {
		char *line = read_line(fd, WAIT_S * 1000);

		assert_non_null(strstr(line, "{\"sample\":{\"time_ms\":"));
		free(line);
	}
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

/* The daemon's objects are those `bpfmem --json` prints in-process. */
static void compare(json_object *daemon, json_object *cli, json_object *fx,
		    const char *kind)
{
	size_t n = json_object_array_length(fx), compared = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(fx, i), *a, *b;
		__u64 id = jget_u64(o, "id");

		if (strcmp(jget_str(o, "kind"), kind))
			continue;
		a = json_find_id(daemon, id);
		b = json_find_id(cli, id);
		if (!a || !b || !json_object_equal(a, b)) {
			print_error("%s %llu\ndaemon: %s\nbpfmem: %s\n", kind,
				    (unsigned long long)id,
				    a ? json_object_to_json_string(a) : "-",
				    b ? json_object_to_json_string(b) : "-");
			fail();
		}
		compared++;
	}
	assert_true(compared > 5);
}

static void maps_and_progs_are_what_bpfmem_prints(void **state)
{
	static char *fill[] = { "--fill", NULL };
	char *maps_cli[] = { BPFMEM, "maps", "--json", "--bpffs",
			     "--no-cache", NULL };
	char *progs_cli[] = { BPFMEM, "progs", "--json", "--bpffs",
			      "--no-cache", NULL };
	json_object *dm, *dp, *cm, *cp, *v;
	struct fixture fx;
	struct daemon d;
	char req[128];
	int fd;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	/* one sample, taken after the fixture made its objects */
	daemon_start(&d, "[daemon]\ninterval = 1h\nhistory = 1h\n");
	fd = conn(&d);
	dm = ask_ok(fd, "{\"cmd\":\"maps\",\"sort\":\"id\"}", "maps");
	dp = ask_ok(fd, "{\"cmd\":\"progs\"}", "progs");
	cm = run_json(maps_cli);
	cp = run_json(progs_cli);
	compare(dm, cm, fx.objects, "map");
	compare(dp, cp, fx.objects, "prog");
	/* sort and limit as the command line's --sort and --top */
	assert_true(jget_u64(json_object_array_get_idx(dm, 0), "id") <
		    jget_u64(json_object_array_get_idx(dm, 1), "id"));
	/* the fixture's own: other suites' fixtures may run meanwhile */
	snprintf(req, sizeof(req),
		 "{\"cmd\":\"maps\",\"limit\":2,\"sort\":\"id:desc\",\"name\":\"fx_hash\",\"pid\":%d}",
		 fx.pid);
	v = ask_ok(fd, req, "maps");
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(jget_str(json_object_array_get_idx(v, 0), "name"),
			    "fx_hash");
	json_object_put(v);
	snprintf(req, sizeof(req), "{\"cmd\":\"maps\",\"pid\":%d}", fx.pid);
	v = ask_ok(fd, req, "maps");
	assert_true(json_object_array_length(v) > 5);
	json_object_put(v);
	json_object_put(dm);
	json_object_put(dp);
	json_object_put(cm);
	json_object_put(cp);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

/* The maps of a listing named bench_*: what mkobjs --hold made. */
static size_t count_bench_maps(json_object *maps)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(maps); i++)
		if (!strncmp(jget_str(json_object_array_get_idx(maps, i), "name"),
			     "bench_", 6))
			n++;
	return n;
}

/*
 * A listing of 2,000 held maps (1 to 2 MB) leaves bpfmemd in parts while it is
 * written, and the command line copies it out as it arrives: what it
 * prints is the whole document, the same as --pretty's, and clients that
 * hang up halfway leave the daemon answering the next one whole.
 */
static void a_large_listing_arrives_whole_in_parts(void **state)
{
	/* 4 processes: the VM allows 1,024 files a process */
	static char *hold[] = { "--hold", "2000", "--procs", "4", NULL };
	static const char req[] = "{\"cmd\":\"maps\"}\n";
	struct fixture fx;
	struct daemon d;
	json_object *compact, *pretty, *asked;
	char *out = NULL, buf[4096];
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(fixture_start(&fx, hold), 0);
	/* one sample, taken after the fixture made its maps */
	daemon_start(&d, "[daemon]\ninterval = 1h\nsnapshot_every = 0\n");
	char *compact_argv[] = { BPFMEM, "--socket", d.sock, "maps", "--json",
				 "--sort", "id", NULL };
	char *pretty_argv[] = { BPFMEM, "--socket", d.sock, "maps", "--pretty",
				"--sort", "id", NULL };

	assert_int_equal(run_capture(compact_argv, &out, NULL), 0);
	len = strlen(out);
	assert_true(len > (1u << 20));	/* 16 parts at least */
	/* the outer object's brace is not copied: one array, one newline */
	assert_int_equal(out[0], '[');
	assert_string_equal(out + len - 2, "]\n");
	compact = json_tokener_parse(out);
	assert_non_null(compact);
	assert_true(count_bench_maps(compact) >= 2000);
	pretty = run_json(pretty_argv);
	assert_true(json_object_equal(compact, pretty));
	/* clients that read the first bytes and hang up */
	for (int i = 0; i < 5; i++) {
		fd = conn(&d);
		send_all(fd, req, sizeof(req) - 1);
		assert_true(read(fd, buf, sizeof(buf)) > 0);
		close(fd);
	}
	fd = conn(&d);
	asked = ask_ok(fd, "{\"cmd\":\"maps\",\"sort\":\"id\"}", "maps");
	assert_true(json_object_equal(asked, compact));
	json_object_put(asked);
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	close(fd);
	json_object_put(compact);
	json_object_put(pretty);
	free(out);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

/* Newlines in what a read of fd gets: lines that ended. */
static int lines_read(int fd)
{
	static char buf[1 << 16];
	ssize_t n = read(fd, buf, sizeof(buf));
	int lines = 0;

	assert_true(n > 0);
	for (ssize_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/*
 * A client that sends many listings at once and reads them as they come
 * is answered about 1 MiB of answers at a time, samples going on in
 * between: answered all in one go, the 400 listings of 2,000 maps would
 * hold the loop, and every sample, until the last.
 */
static void pipelined_listings_leave_room_for_samples(void **state)
{
	static char *hold[] = { "--hold", "2000", "--procs", "4", NULL };
	static const char req[] = "{\"cmd\":\"maps\"}\n";
	enum { ASKED = 400 };
	char batch[ASKED * (sizeof(req) - 1)];
	int sub, fd, answers = 0, samples = 0;
	struct fixture fx;
	struct daemon d;
	double start;

	(void)state;
	assert_int_equal(fixture_start(&fx, hold), 0);
	daemon_start(&d, "[daemon]\ninterval = 100ms\nsnapshot_every = 0\n");
	sub = conn(&d);
	json_object_put(ask_ok(sub, "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}",
			       "subscribe"));
	fd = conn(&d);
	for (int i = 0; i < ASKED; i++)
		memcpy(batch + i * (sizeof(req) - 1), req, sizeof(req) - 1);
	send_all(fd, batch, sizeof(batch));
	start = now_s();
	while (answers < ASKED) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = sub, .events = POLLIN } };

		assert_true(poll(p, 2, WAIT_S * 1000) > 0);
		if (p[1].revents & POLLIN)
			samples += lines_read(sub);
		if (p[0].revents & POLLIN)
			answers += lines_read(fd);
	}
	print_message("# %d listings of 2,000 maps asked at once, answered in %.2f s: %d samples meanwhile (interval 100 ms)\n",
		      ASKED, now_s() - start, samples);
	assert_true(samples >= 2);
	close(fd);
	close(sub);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

static void bad_requests_get_errors_and_the_connection_stays(void **state)
{
	struct daemon d;
	char *big;
	int fd;

	(void)state;
	daemon_start(&d, fast_config);
	fd = conn(&d);
	expect_error(fd, "{\"cmd\":", "bad_json", "not one JSON object");
	expect_error(fd, "not json at all", "bad_json", "not one JSON object");
	expect_error(fd, "[\"maps\"]", "bad_json", "must be a JSON object");
	expect_error(fd, "{\"cmd\":\"frobnicate\"}", "unknown_command",
		     "unknown command 'frobnicate'");
	expect_error(fd, "{\"cmd\":[1]}", "bad_request", "must be a string");
	expect_error(fd, "{\"cmd\":\"maps\",\"limit\":\"ten\"}", "bad_request",
		     "'limit' must be a whole number");
	expect_error(fd, "{\"cmd\":\"maps\",\"colour\":\"red\"}", "bad_request",
		     "unknown field 'colour'");
	expect_error(fd, "{\"cmd\":\"history\",\"object\":\"map\",\"id\":4000000000}",
		     "not_found", "no map with id 4000000000");
	/* a line over the cap: one error, the rest of the line ignored */
	big = malloc(200000);
	memset(big, 'x', 199999);
	big[199999] = '\0';
	expect_error(fd, big, "too_large", "more than 65536 bytes");
	free(big);
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	/* a request split over writes is one request */
	send_all(fd, "{\"cmd\":", 7);
	usleep(50000);
	json_object_put(ask_ok(fd, "\"version\"}", "version"));
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

static void serves_256_clients_at_once(void **state)
{
	static int fds[NR_CLIENTS];
	struct daemon d;
	double t0;

	(void)state;
	daemon_start(&d, fast_config);
	t0 = now_s();
	for (int i = 0; i < NR_CLIENTS; i++)
		fds[i] = conn(&d);
	for (int i = 0; i < NR_CLIENTS; i++)
		send_all(fds[i], "{\"cmd\":\"summary\"}\n", 18);
	for (int i = 0; i < NR_CLIENTS; i++) {
		char *line = read_line(fds[i], 5000);

		assert_non_null(strstr(line, "{\"summary\":"));
		free(line);
		close(fds[i]);
	}
	print_message("# %d clients connected and answered in %.0f ms\n",
		      NR_CLIENTS, (now_s() - t0) * 1000);
	assert_int_equal(daemon_stop(&d), 0);
}

/* The slowest of 20 summaries asked 50 ms apart, in seconds. */
static double slowest_of_20_summaries(int fd)
{
	double t0, worst = 0;

	for (int i = 0; i < 20; i++) {
		t0 = now_s();
		json_object_put(ask_ok(fd, "{\"cmd\":\"summary\"}", "summary"));
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
		usleep(50000);
	}
	return worst;
}

static void a_stalled_client_delays_nobody(void **state)
{
	static char *fill[] = { "--fill", NULL };
	struct fixture fx;
	struct daemon d;
	json_object *v, *pts;
	int stalled, fd, rcv = 4096;
	__u64 before, after;
	double worst, unstalled;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	daemon_start(&d, fast_config);
	stalled = conn(&d);
	setsockopt(stalled, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* far more than the socket holds; it never reads a byte */
	for (int i = 0; i < 200; i++)
		send_all(stalled, "{\"cmd\":\"maps\"}\n", 15);
	fd = conn(&d);
	v = ask_ok(fd, "{\"cmd\":\"history\",\"object\":\"total\"}", "history");
	json_object_object_get_ex(v, "points", &pts);
	before = json_object_array_length(pts);
	json_object_put(v);
	worst = slowest_of_20_summaries(fd);
	v = ask_ok(fd, "{\"cmd\":\"history\",\"object\":\"total\"}", "history");
	json_object_object_get_ex(v, "points", &pts);
	after = json_object_array_length(pts);
	json_object_put(v);
	close(stalled);
	/* the same questions with nobody stalled: the daemon's own pace on
	 * this machine (a collection under emulation takes far longer) */
	unstalled = slowest_of_20_summaries(fd);
	print_message("# with a stalled client: %llu samples in ~1 s, slowest answer %.1f ms (%.1f ms without)\n",
		      (unsigned long long)(after - before), worst * 1000,
		      unstalled * 1000);
	/* 100 ms interval: about ten samples went by */
	assert_true(after - before >= 7);
	/* a client blocking the loop would hold every answer to the end */
	assert_true(worst < 2 * unstalled + 0.25);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

static __u64 interval_ms(const struct daemon *d)
{
	int fd = conn(d);
	json_object *v = ask_ok(fd, "{\"cmd\":\"history\"}", "history");
	__u64 ms = jget_u64(v, "interval_ms");

	json_object_put(v);
	close(fd);
	return ms;
}

static void sighup_reloads_and_a_bad_config_keeps_the_old(void **state)
{
	struct daemon d;
	char *log;
	double deadline;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 200ms\n");
	assert_int_equal(interval_ms(&d), 200);
	put_file(d.conf, "[daemon]\ninterval = 200ms\ninterval = often\n");
	kill(d.pid, SIGHUP);
	deadline = now_s() + WAIT_S;
	do {
		usleep(20000);
		log = read_text(d.log);
		if (strstr(log, "keeping the one in force"))
			break;
		free(log);
		log = NULL;
	} while (now_s() < deadline);
	assert_non_null(log);
	assert_non_null(strstr(log, "bpfmemd.conf:3: key 'interval': 'often' is not a duration"));
	free(log);
	assert_int_equal(interval_ms(&d), 200);
	put_file(d.conf, "[daemon]\ninterval = 300ms\n");
	kill(d.pid, SIGHUP);
	deadline = now_s() + WAIT_S;
	while (interval_ms(&d) != 300 && now_s() < deadline)
		usleep(20000);
	assert_int_equal(interval_ms(&d), 300);
	assert_int_equal(daemon_stop(&d), 0);
}

static json_object *read_snapshot(const struct daemon *d)
{
	char path[160], *text;
	json_object *v;

	snprintf(path, sizeof(path), "%s/snapshot.json", d->state);
	text = read_text(path);
	v = text[0] ? json_tokener_parse(text) : NULL;
	free(text);
	return v;
}

static void sigusr1_writes_a_snapshot(void **state)
{
	static const char *const keys[] = { "schema_version", "time_ms", "host",
					    "kernel", "features", "totals",
					    "maps", "progs", "cgroups" };
	struct daemon d;
	json_object *v = NULL, *x;
	double deadline;

	(void)state;
	daemon_start(&d, fast_config);
	kill(d.pid, SIGUSR1);
	deadline = now_s() + WAIT_S;
	while (!(v = read_snapshot(&d)) && now_s() < deadline)
		usleep(20000);
	assert_non_null(v);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_object_get_ex(v, keys[i], &x))
			fail_msg("snapshot lacks %s", keys[i]);
	assert_int_equal(jget_u64(v, "schema_version"), 1);
	json_object_object_get_ex(v, "totals", &x);
	json_object_object_get_ex(v, "maps", &v);
	assert_int_equal(jget_u64(x, "maps"), json_object_array_length(v));
	json_object_put(json_object_get(x));
	assert_int_equal(daemon_stop(&d), 0);
}

struct reader {
	const char *path;
	volatile bool stop;
	long reads, torn;
};

/* Reads the snapshot over and over: every read must parse whole. */
static void *poll_snapshot(void *arg)
{
	struct reader *r = arg;

	while (!r->stop) {
		char *text = read_text(r->path);
		json_object *v;

		if (text[0]) {
			v = json_tokener_parse(text);
			if (!v || !json_object_object_get_ex(v, "cgroups", NULL))
				r->torn++;
			json_object_put(v);
			r->reads++;
		}
		free(text);
	}
	return NULL;
}

static void snapshots_are_never_torn_even_by_sigkill(void **state)
{
	char bench_dir[80], n[] = "2000", tmp[200];
	char *bench[] = { MKOBJS, "--bench", n, "--pin-dir", bench_dir, NULL };
	char *unpin[] = { MKOBJS, "--unpin-dir", bench_dir, NULL };
	struct reader r = {};
	char path[160];
	pthread_t t;
	struct daemon d;
	int mid_write = 0;

	(void)state;
	/* thousands of maps make each snapshot a few hundred KB */
	snprintf(bench_dir, sizeof(bench_dir), BENCH_DIR_FMT, getpid());
	assert_int_equal(run_capture(bench, NULL, NULL), 0);
	daemon_start(&d, "[daemon]\ninterval = 100ms\nsnapshot_every = 1\n");
	snprintf(path, sizeof(path), "%s/snapshot.json", d.state);
	snprintf(tmp, sizeof(tmp), "%s/.snapshot.json.tmp", d.state);
	r.path = path;
	usleep(300000);
	pthread_create(&t, NULL, poll_snapshot, &r);
	srand(getpid());
	unlink(tmp);
	for (int i = 0; i < 6; i++) {
		double until = now_s() + 0.3 + (rand() % 100) / 1000.0;

		/* kill while a snapshot is being written when we catch one */
		while (now_s() < until && access(tmp, F_OK))
			usleep(100);
		daemon_kill(&d);
		if (!access(tmp, F_OK))
			mid_write++;
		daemon_start(&d, "[daemon]\ninterval = 100ms\nsnapshot_every = 1\n");
	}
	usleep(200000);
	r.stop = true;
	pthread_join(t, NULL);
	print_message("# %ld reads, %ld torn; %d of 6 SIGKILLs left a partial temporary file\n",
		      r.reads, r.torn, mid_write);
	assert_int_equal(r.torn, 0);
	assert_true(r.reads > 10);
	/* the kills did land in the middle of writes */
	assert_true(mid_write > 0);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(run_capture(unpin, NULL, NULL), 0);
}

static void check_config_exit_codes_and_messages(void **state)
{
	struct daemon d;
	char *out = NULL, *err = NULL, missing[160];
	char *argv[] = { BPFMEMD, "--check-config", "--config", d.conf, NULL };
	char *over[] = { BPFMEMD, "--check-config", "--config", d.conf,
			 "--interval", "2s", NULL };
	char *absent[] = { BPFMEMD, "--check-config", "--config", missing,
			   NULL };

	(void)state;
	daemon_paths(&d);
	put_file(d.conf, "[daemon]\ninterval = 1m\n");
	assert_int_equal(run_capture(argv, &out, &err), 0);
	assert_non_null(strstr(out, "valid"));
	assert_non_null(strstr(out, "interval = 1m"));
	free(out);
	free(err);
	assert_int_equal(run_capture(over, &out, &err), 0);
	assert_non_null(strstr(out, "interval = 2s"));
	free(out);
	free(err);
	put_file(d.conf, "[daemon]\n# fine\nsnapshot_every = lots\n");
	assert_int_equal(run_capture(argv, &out, &err), 6);
	assert_non_null(strstr(err, "bpfmemd.conf:3: key 'snapshot_every'"));
	free(out);
	free(err);
	snprintf(missing, sizeof(missing), "%s/none.conf", d.dir);
	assert_int_equal(run_capture(absent, &out, &err), 6);
	assert_non_null(strstr(err, "no such file"));
	free(out);
	free(err);
}

static void tells_systemd_ready_status_watchdog_and_stopping(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool ready = false, status = false, watchdog = false, stopping = false;
	char env[160], buf[4096];
	struct daemon d;
	double deadline;
	int ns;

	(void)state;
	daemon_paths(&d);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/notify", d.dir);
	unlink(a.sun_path);
	ns = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(ns, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", a.sun_path);
	setenv("WATCHDOG_USEC", "200000", 1);
	daemon_start_env(&d, fast_config, env);
	unsetenv("WATCHDOG_USEC");
	deadline = now_s() + WAIT_S;
	while (!(ready && status && watchdog) && now_s() < deadline) {
		struct pollfd p = { .fd = ns, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 500) != 1)
			continue;
		n = recv(ns, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		ready |= !!strstr(buf, "READY=1");
		status |= !!strstr(buf, "STATUS=") && !!strstr(buf, " maps (");
		watchdog |= !!strstr(buf, "WATCHDOG=1");
	}
	assert_true(ready);
	assert_true(status);
	assert_true(watchdog);
	kill(d.pid, SIGTERM);
	deadline = now_s() + WAIT_S;
	while (!stopping && now_s() < deadline) {
		struct pollfd p = { .fd = ns, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 500) != 1)
			continue;
		n = recv(ns, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		stopping |= !!strstr(buf, "STOPPING=1");
	}
	assert_true(stopping);
	assert_int_equal(daemon_stop(&d), 0);
	close(ns);
}

static void lifecycle_events_name_the_creator(void **state)
{
	static char *one[] = { "--one-map", "fx_daemon_ev", NULL };
	struct fixture fx;
	struct daemon d;
	json_object *v, *items, *ev = NULL;
	char req[160], conf[160], *line;
	__u64 id, cursor;
	int sub, fd;

	(void)state;
	/* the default where fentry attaches, else the opt-in tracepoints */
	snprintf(conf, sizeof(conf), "%s%s", fast_config, lifecycle_config());
	daemon_start(&d, conf);
	fd = conn(&d);
	v = ask_ok(fd, "{\"cmd\":\"events\"}", "events");
	if (!json_object_get_boolean(json_object_object_get(v, "recording"))) {
		json_object_put(v);
		close(fd);
		daemon_stop(&d);
		skip();
	}
	cursor = jget_u64(v, "cursor");
	json_object_put(v);
	sub = conn(&d);
	json_object_put(ask_ok(sub, "{\"cmd\":\"subscribe\"}", "subscribe"));
	assert_int_equal(fixture_start(&fx, one), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	/* the stream carries the creation, among other processes' events */
	for (;;) {
		json_object *e;

		line = read_line(sub, WAIT_S * 1000);
		v = json_tokener_parse(line);
		free(line);
		if (json_object_object_get_ex(v, "event", &e) &&
		    jget_u64(e, "id") == id &&
		    !strcmp(jget_str(e, "event"), "map_create")) {
			ev = json_object_get(e);
			json_object_put(v);
			break;
		}
		json_object_put(v);
	}
	assert_string_equal(jget_str(ev, "name"), "fx_daemon_ev");
	assert_string_equal(jget_str(json_object_object_get(ev, "creator"),
				     "comm"),
			    "mkobjs");
	assert_int_equal(jget_u64(json_object_object_get(ev, "creator"), "pid"),
			 fx.pid);
	json_object_put(ev);
	ev = NULL;
	/* the next sample names the creator in the map itself */
	wait_samples(&d, 2);
	snprintf(req, sizeof(req), "{\"cmd\":\"maps\",\"id\":%llu}",
		 (unsigned long long)id);
	v = ask_ok(fd, req, "maps");
	assert_int_equal(jget_u64(json_object_object_get(
					  json_object_array_get_idx(v, 0),
					  "creator"),
				  "tgid"),
			 fx.pid);
	json_object_put(v);
	snprintf(req, sizeof(req), "{\"cmd\":\"history\",\"object\":\"map\",\"id\":%llu}",
		 (unsigned long long)id);
	json_object_put(ask_ok(fd, req, "history"));
	assert_int_equal(fixture_stop(&fx), 0);
	/* the free, with the creator it had; `events` since the cursor */
	snprintf(req, sizeof(req), "{\"cmd\":\"events\",\"since\":%llu}",
		 (unsigned long long)cursor);
	for (int tries = 0; tries < 50 && !ev; tries++) {
		v = ask_ok(fd, req, "events");
		json_object_object_get_ex(v, "items", &items);
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *e = json_object_array_get_idx(items, i);

			if (jget_u64(e, "id") == id &&
			    !strcmp(jget_str(e, "event"), "map_free"))
				ev = json_object_get(e);
		}
		json_object_put(v);
		usleep(100000);
	}
	assert_non_null(ev);
	assert_true(jget_u64(ev, "cursor") > cursor);
	assert_true(jget_u64(ev, "bytes_memlock") > 0);
	assert_string_equal(jget_str(json_object_object_get(ev, "creator"),
				     "comm"),
			    "mkobjs");
	json_object_put(ev);
	close(sub);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

/* The event of kind for object id in the daemon's log (`events`), polled
 * for up to WAIT_S; a reference, or NULL. */
static json_object *wait_logged(int fd, const char *kind, __u64 id)
{
	double deadline = now_s() + WAIT_S;
	json_object *v, *items, *ev = NULL;

	while (!ev && now_s() < deadline) {
		v = ask_ok(fd, "{\"cmd\":\"events\"}", "events");
		json_object_object_get_ex(v, "items", &items);
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *e = json_object_array_get_idx(items, i);

			if (jget_u64(e, "id") == id &&
			    !strcmp(jget_str(e, "event"), kind))
				ev = json_object_get(e);
		}
		json_object_put(v);
		if (!ev)
			usleep(50000);
	}
	return ev;
}

/* No creator in the log is a bpfmem process: a cold command line
 * loads its iterators (maps and programs bpfmem names), which `events`
 * leaves out as the listings do. A map of the test's made after them
 * marks the point by which their events were read. */
static void own_objects_make_no_events(void **state)
{
	static char *marker[] = { "--one-map", "fx_after_own", NULL };
	char *cold[] = { BPFMEM, "--no-daemon", "--no-cache", "maps", "--json",
			 NULL };
	char conf[160];
	struct fixture fx;
	struct daemon d;
	json_object *v, *items, *ev;
	size_t own = 0;
	int fd;

	(void)state;
	snprintf(conf, sizeof(conf), "%s%s", fast_config, lifecycle_config());
	daemon_start(&d, conf);
	fd = conn(&d);
	v = ask_ok(fd, "{\"cmd\":\"events\"}", "events");
	if (!json_object_get_boolean(jget(v, "recording"))) {
		json_object_put(v);
		close(fd);
		daemon_stop(&d);
		skip();
	}
	json_object_put(v);
	json_object_put(run_json(cold));
	assert_int_equal(fixture_start(&fx, marker), 0);
	ev = wait_logged(fd, "map_create",
			 jget_u64(json_object_array_get_idx(fx.objects, 0),
				  "id"));
	assert_non_null(ev);
	json_object_put(ev);
	v = ask_ok(fd, "{\"cmd\":\"events\",\"since\":0}", "events");
	json_object_object_get_ex(v, "items", &items);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *creator = jget(json_object_array_get_idx(items, i),
					    "creator");
		const char *comm = creator && !json_object_is_type(creator,
								  json_type_null) ?
					   jget_str(creator, "comm") :
					   NULL;

		if (comm && (!strcmp(comm, "bpfmem") || !strcmp(comm, "bpfmemd"))) {
			print_error("an event of bpfmem's own: %s\n",
				    json_object_to_json_string(
					    json_object_array_get_idx(items, i)));
			own++;
		}
	}
	json_object_put(v);
	assert_int_equal(own, 0);
	assert_int_equal(fixture_stop(&fx), 0);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * With no lifecycle hooks (lifecycle = off, as auto is where the kernel
 * refuses fentry) the log still learns of creations and frees, from
 * successive samples: with the object's id, name and memlock, and no
 * creator.
 */
static void without_hooks_events_come_from_samples(void **state)
{
	static char *one[] = { "--one-map", "fx_diffed", NULL };
	struct fixture fx;
	struct daemon d;
	json_object *ev, *v;
	__u64 id;
	int fd;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 100ms\nlifecycle = off\n");
	fd = conn(&d);
	v = ask_ok(fd, "{\"cmd\":\"events\"}", "events");
	assert_false(json_object_get_boolean(jget(v, "recording")));
	json_object_put(v);
	assert_int_equal(fixture_start(&fx, one), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	ev = wait_logged(fd, "map_create", id);
	assert_non_null(ev);
	assert_string_equal(jget_str(ev, "name"), "fx_diffed");
	assert_true(json_object_is_type(jget(ev, "creator"), json_type_null));
	assert_true(jget_u64(ev, "bytes_memlock") > 0);
	json_object_put(ev);
	assert_int_equal(fixture_stop(&fx), 0);
	ev = wait_logged(fd, "map_free", id);
	assert_non_null(ev);
	assert_string_equal(jget_str(ev, "name"), "fx_diffed");
	json_object_put(ev);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

/* Without --foreground it returns once serving, and keeps serving. */
static void started_by_hand_it_returns_when_ready(void **state)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct daemon d;
	int status, fd;
	pid_t pid;

	(void)state;
	daemon_paths(&d);
	put_file(d.conf, fast_config);
	pid = fork();
	if (!pid) {
		int log = open(d.log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(log, 2);
		dup2(open("/dev/null", O_WRONLY), 1);
		execl(BPFMEMD, BPFMEMD, "--config", d.conf, "--socket", d.sock,
		      "--state-dir", d.state, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* ready means answering: no retry needed */
	fd = conn(&d);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len),
			 0);
	json_object_put(ask_ok(fd, "{\"cmd\":\"summary\"}", "summary"));
	close(fd);
	assert_int_equal(kill(cred.pid, SIGTERM), 0);
	for (int i = 0; i < 200 && !access(d.sock, F_OK); i++)
		usleep(10000);
	/* a socket it bound itself is removed at exit */
	assert_int_equal(access(d.sock, F_OK), -1);
}

static void unit_files_pass_systemd_analyze_verify(void **state)
{
	static const char *const units[] = { "bpfmemd.service",
					     "bpfmemd.socket" };
	char dir[64], cwd[512], cmd[2048];
	char *out = NULL, *err = NULL;
	char *verify[] = { "systemd-analyze", "verify", "--man=no", NULL, NULL,
			   NULL };
	char paths[2][160];

	(void)state;
	if (system("command -v systemd-analyze >/dev/null 2>&1")) {
		print_message("# systemd-analyze is missing: install systemd to check the unit files\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "/tmp/bpfmemd-units-%d", getpid());
	mkdir(dir, 0700);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* the binary the unit names must exist: point it at this build */
	for (int i = 0; i < 2; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, units[i]);
		snprintf(cmd, sizeof(cmd),
			 "sed 's|@SBINDIR@|%s/" BUILD_DIR "|g' systemd/%s.in > %s",
			 cwd, units[i], paths[i]);
		assert_int_equal(system(cmd), 0);
		verify[3 + i] = paths[i];
	}
	if (run_capture(verify, &out, &err)) {
		print_error("systemd-analyze verify: %s%s\n", out, err);
		fail();
	}
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Whether the daemon holds a program of this name: bpftool names the
 * programs, the daemon's fdinfo says which it holds. */
/* The daemon holds a program whose bpftool JSON field key is value
 * ("name", "type"); names the first in *found_name when asked. */
static bool daemon_holds(const struct daemon *d, const char *key,
			 const char *value, char *found_name, size_t size)
{
	char *argv[] = { "bpftool", "-j", "prog", "show", NULL };
	json_object *progs = run_json(argv);
	bool found = false;
	pid_t pids[64];

	for (size_t i = 0; !found && i < json_object_array_length(progs); i++) {
		json_object *p = json_object_array_get_idx(progs, i);
		const char *v = jget_str(p, key);
		int n;

		if (!v || strcmp(v, value))
			continue;
		n = procfs_holders("prog_id", jget_u64(p, "id"), pids, 64);
		for (int j = 0; j < n; j++)
			found |= pids[j] == d->pid;
		if (found && found_name)
			snprintf(found_name, size, "%s", jget_str(p, "name"));
	}
	json_object_put(progs);
	return found;
}

static bool daemon_holds_prog(const struct daemon *d, const char *name)
{
	return daemon_holds(d, "name", name, NULL, 0);
}

/* bytes_traced of the fixture's map as `bpfmem maps --json` prints it
 * through the daemon, after two samples; NULL when null. */
static json_object *traced_of(const struct daemon *d, struct fixture *fx)
{
	char *argv[] = { BPFMEM, "--socket", (char *)d->sock, "maps", "--json",
			 NULL };
	__u32 id = jget_u64(json_object_array_get_idx(fx->objects, 0), "id");
	json_object *maps, *m, *v;

	wait_samples(d, 2);
	maps = run_json(argv);
	m = json_find_id(maps, id);
	assert_non_null(m);
	v = json_object_get(json_object_object_get(m, "bytes_traced"));
	json_object_put(maps);
	return v;
}

/*
 * trace_allocations = no: the daemon holds none of the accounting hooks
 * (as bpftool sees its programs) and bytes_traced is null; a reload with
 * yes attaches them, and maps created from then on are traced.
 */
static void trace_allocations_detaches_the_hooks(void **state)
{
	static char *untraced[] = { "--one-map", "fx_untraced", NULL };
	static char *traced[] = { "--one-map", "fx_traced", NULL };
	struct fixture before, after;
	struct daemon d;
	json_object *v;
	double deadline;
	int fd;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 200ms\ntrace_allocations = no\n"
			 "lifecycle = tracepoint\n");
	assert_true(daemon_holds_prog(&d, "bpf_exit"));	/* lifecycle */
	assert_false(daemon_holds_prog(&d, "hooks_kmalloc"));
	assert_int_equal(fixture_start(&before, untraced), 0);
	v = traced_of(&d, &before);
	assert_null(v);

	put_file(d.conf, "[daemon]\ninterval = 200ms\ntrace_allocations = yes\n");
	kill(d.pid, SIGHUP);
	deadline = now_s() + WAIT_S;
	while (!daemon_holds_prog(&d, "hooks_kmalloc") && now_s() < deadline)
		usleep(50000);
	assert_true(daemon_holds_prog(&d, "hooks_kmalloc"));
	/* loaded is not attached yet: the reload attaches them on the
	 * loop's thread (on the 6.1 VM's one emulated CPU, long enough for
	 * a map created meanwhile to go untraced), so an answer comes only
	 * once they are */
	fd = conn(&d);
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	close(fd);
	assert_int_equal(fixture_start(&after, traced), 0);
	v = traced_of(&d, &after);
	assert_non_null(v);
	assert_true(json_object_get_uint64(v) > 0);
	json_object_put(v);
	/* created while they were detached: still unknown */
	v = traced_of(&d, &before);
	assert_null(v);
	assert_int_equal(fixture_stop(&after), 0);
	assert_int_equal(fixture_stop(&before), 0);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * The default configuration attaches nothing to the allocator and no
 * tracepoint at all (a syscall tracepoint slows every task's syscalls):
 * as bpftool sees the daemon's programs, none is a tracepoint, raw
 * tracepoint, kprobe or perf event program; tracing (fentry/fexit) ones
 * only where fentry attaches, and only the lifecycle hooks'. Every link
 * it holds (its fdinfo: link_type, tp_name) is an iterator, or a tracing
 * link there.
 */
static void by_default_nothing_is_attached_to_the_allocator(void **state)
{
	static const char *const taxing[] = { "tracepoint", "raw_tracepoint",
		"kprobe", "perf_event" };
	static const char *const lifecycle[] = { "lc_map_create",
		"lc_prog_load", "lc_map_free", "lc_prog_free" };
	char path[128], line[256], type[64], name[64];
	bool fentry = fentry_attaches();
	struct daemon d;
	int links = 0, tracing = 0;
	FILE *f;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 200ms\n");
	assert_false(daemon_holds_prog(&d, "hooks_kmalloc"));
	for (size_t i = 0; i < 4; i++)
		if (daemon_holds(&d, "type", taxing[i], name, sizeof(name))) {
			print_error("holds %s program %s\n", taxing[i], name);
			fail();
		}
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(daemon_holds_prog(&d, lifecycle[i]), fentry);
	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", d.pid, fd);
		f = fopen(path, "r");
		if (!f)
			continue;
		type[0] = 0;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "link_type: %63s", type) == 1) {
				links++;
				tracing += !strcmp(type, "tracing");
				if (strcmp(type, "iter") &&
				    (strcmp(type, "tracing") || !fentry)) {
					print_error("link of type %s held\n", type);
					fail();
				}
			}
			if (sscanf(line, "tp_name: %63s", name) == 1) {
				print_error("attached to tracepoint %s\n", name);
				fail();
			}
		}
		fclose(f);
	}
	/* the iterators were seen; the lifecycle's four where fentry runs */
	assert_true(links >= 3);
	assert_int_equal(tracing, fentry ? 4 : 0);
	assert_int_equal(daemon_stop(&d), 0);
}

/* Unpins the maps a test run killed before its cleanup left behind
 * (BENCH_DIR_FMT of a process that is gone): 2,000 maps each, which
 * every later listing on the machine carried. */
static int unpin_dead_runs(void **state)
{
	char *unpin[] = { MKOBJS, "--unpin-dir", NULL, NULL };
	char dir[300];
	struct dirent *e;
	DIR *d = opendir("/sys/fs/bpf");
	int pid;

	(void)state;
	while (d && (e = readdir(d))) {
		if (sscanf(e->d_name, "bpfmemd-test-%d", &pid) != 1 ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		snprintf(dir, sizeof(dir), "/sys/fs/bpf/%s", e->d_name);
		unpin[2] = dir;
		run_capture(unpin, NULL, NULL);
	}
	if (d)
		closedir(d);
	return 0;
}

static int cleanup(void **state)
{
	char cmd[128], dir[64];
	char *unpin[] = { MKOBJS, "--unpin-dir", dir, NULL };

	(void)state;
	daemons_kill();
	/* the pinned maps of a snapshot test that failed half-way */
	snprintf(dir, sizeof(dir), BENCH_DIR_FMT, getpid());
	if (!access(dir, F_OK))
		run_capture(unpin, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/bpfmemd-test-%d", getpid());
	return system(cmd);
}

/* Under systemd (INVOCATION_ID set, a journal socket present) bpfmemd logs
 * to journald's native socket with structured fields. Without journald
 * here, the test binds that socket itself and reads what arrives. */
static void logs_to_the_journal_with_structured_fields(void **state)
{
	char buf[8192], id[64];
	bool message = false, ident = false, peer = false;
	struct daemon d;
	int jfd = journal_bind(), fd;

	(void)state;
	snprintf(id, sizeof(id), "INVOCATION_ID=%032d", getpid());
	daemon_start_env(&d, "[daemon]\ninterval = 1h\n", id);
	fd = conn(&d);
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	close(fd);
	for (int i = 0; i < 50 && !(message && ident && peer); i++) {
		struct pollfd p = { .fd = jfd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(jfd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		message |= !!strstr(buf, "MESSAGE=");
		ident |= !!strstr(buf, "SYSLOG_IDENTIFIER=bpfmemd");
		peer |= !!strstr(buf, "BPFMEM_PEER_PID=");
	}
	assert_int_equal(daemon_stop(&d), 0);
	journal_unbind(jfd);
	assert_true(message);
	assert_true(ident);
	assert_true(peer);
}

/* As bpfmemd.socket starts it: systemd binds the socket and passes it as
 * fd 3 with LISTEN_FDS and LISTEN_PID; the daemon must answer on it
 * without binding one of its own. */
static void socket_activation_answers_on_the_passed_socket(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct daemon d;
	json_object *v;
	int lfd, fd, status;
	pid_t pid;

	(void)state;
	daemon_paths(&d);
	put_file(d.conf, "[daemon]\ninterval = 1h\n");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/activated.sock", d.dir);
	unlink(a.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		char lpid[32];

		dup2(lfd, 3);
		dup2(open("/dev/null", O_WRONLY), 1);
		dup2(open("/dev/null", O_WRONLY), 2);
		snprintf(lpid, sizeof(lpid), "%d", getpid());
		setenv("LISTEN_FDS", "1", 1);
		setenv("LISTEN_PID", lpid, 1);
		/* --socket names another path: the passed socket wins */
		execl(BPFMEMD, BPFMEMD, "--foreground", "--config", d.conf,
		      "--socket", d.sock, "--state-dir", d.state, (char *)NULL);
		_exit(127);
	}
	close(lfd);
	/* connections queue on the passed socket until the daemon accepts */
	fd = try_connect(a.sun_path);
	assert_true(fd >= 0);
	v = ask_ok(fd, "{\"cmd\":\"version\"}", "version");
	assert_int_equal(jget_u64(v, "schema_version"), 1);
	json_object_put(v);
	close(fd);
	assert_int_equal(access(d.sock, F_OK), -1);
	kill(pid, SIGTERM);
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(a.sun_path);
}

/* bpfmem itself through the daemon: the same objects as its in-process
 * collection, what only the daemon knows (creators, events, history), and
 * a clear exit when no daemon answers. */
static void the_command_line_uses_the_daemon(void **state)
{
	struct daemon d;
	struct fixture fx;
	static char *one[] = { "--one-map", "fx_remote", NULL };
	char *sock, idtext[24], copy[300], conf[160];
	json_object *remote, *local, *r, *l, *events, *items, *hist, *snap;
	__u32 id;
	bool created = false;

	(void)state;
	/* the accounting hooks are opt-in: this test checks their figure;
	 * the lifecycle hooks are the default's where fentry attaches */
	snprintf(conf, sizeof(conf),
		 "[daemon]\ninterval = 200ms\ntrace_allocations = yes\n%s",
		 lifecycle_config());
	daemon_start(&d, conf);
	sock = d.sock;
	assert_int_equal(fixture_start(&fx, one), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	snprintf(idtext, sizeof(idtext), "%u", id);
	wait_samples(&d, 2);

	char *maps_remote[] = { BPFMEM, "--socket", sock, "maps", "--json", NULL };
	char *maps_local[] = { BPFMEM, "--no-daemon", "--bpffs", "maps", "--json",
			       NULL };
	remote = run_json(maps_remote);
	local = run_json(maps_local);
	r = json_find_id(remote, id);
	l = json_find_id(local, id);
	assert_non_null(r);
	assert_non_null(l);
	/* the daemon saw the creation: creator is its only addition */
	assert_int_equal(jget_u64(json_object_object_get(r, "creator"), "pid"),
			 fx.pid);
	assert_string_equal(jget_str(json_object_object_get(r, "creator"), "comm"),
			    "mkobjs");
	json_object_object_del(r, "creator");
	json_object_object_del(l, "creator");
	/* and the accounting hooks saw it created: the command line's own
	 * collection cannot know what was allocated before it ran */
	assert_true(jget_u64(r, "bytes_traced") > 0);
	assert_true(json_object_is_type(json_object_object_get(l, "bytes_traced"),
					json_type_null));
	assert_true(json_object_is_type(json_object_object_get(l, "traced"),
					json_type_null));
	for (size_t i = 0; i < 4; i++) {
		static const char *const traced[] = { "bytes_traced", "traced",
			"traced_vs_model_pct", "traced_vs_model" };

		json_object_object_del(r, traced[i]);
		json_object_object_del(l, traced[i]);
	}
	assert_true(json_object_equal(r, l));
	json_object_put(remote);
	json_object_put(local);

	/* --pretty re-indents the daemon's text into the same document */
	char *pretty[] = { BPFMEM, "--socket", sock, "summary", "--pretty", NULL };
	char *compact[] = { BPFMEM, "--socket", sock, "summary", "--json", NULL };
	char *pretty_out = NULL;
	bool same = false;

	/* two requests may straddle a sample (slow machines, the VM) */
	for (int i = 0; i < 5 && !same; i++) {
		r = run_json(pretty);
		l = run_json(compact);
		same = json_object_equal(r, l);
		json_object_put(r);
		json_object_put(l);
	}
	assert_true(same);
	assert_int_equal(run_capture(pretty, &pretty_out, NULL), 0);
	assert_non_null(strstr(pretty_out, "{\n  \"maps\": {\n    \"count\": "));
	free(pretty_out);

	char *events_cmd[] = { BPFMEM, "--socket", sock, "events", "--json", NULL };
	events = run_json(events_cmd);
	json_object_object_get_ex(events, "items", &items);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *ev = json_object_array_get_idx(items, i);

		created |= jget_u64(ev, "id") == id &&
			   !strcmp(jget_str(ev, "event"), "map_create");
	}
	assert_true(created);
	json_object_put(events);

	char *history[] = { BPFMEM, "--socket", sock, "history", "map", idtext,
			    "--json", NULL };
	hist = run_json(history);
	assert_true(json_object_array_length(json_object_object_get(hist, "points")) >= 1);
	json_object_put(hist);

	snprintf(copy, sizeof(copy), "%s/copy.json", d.dir);
	char *snapshot[] = { BPFMEM, "--socket", sock, "snapshot", "-o", copy,
			     NULL };
	assert_int_equal(run_capture(snapshot, NULL, NULL), 0);
	snap = json_object_from_file(copy);
	assert_non_null(snap);
	assert_int_equal(jget_u64(snap, "schema_version"), 1);
	assert_non_null(json_find_id(json_object_object_get(snap, "maps"), id));
	json_object_put(snap);

	assert_int_equal(fixture_stop(&fx), 0);
	assert_int_equal(daemon_stop(&d), 0);

	/* no daemon: the daemon's commands say so, the others collect */
	char *events_gone[] = { BPFMEM, "--socket", sock, "events", NULL };
	char *err = NULL;
	assert_int_equal(run_capture(events_gone, NULL, &err), 5);
	assert_non_null(strstr(err, "bpfmemd does not answer"));
	free(err);
	char *maps_default[] = { BPFMEM, "maps", "--json", NULL };
	json_object_put(run_json(maps_default));
}

/* Whether the daemon lists map id with pid among its holders. */
static bool daemon_lists_holder(int fd, __u64 id, pid_t pid)
{
	json_object *v, *pids;
	char req[96];
	bool found = false;

	snprintf(req, sizeof(req), "{\"cmd\":\"maps\",\"id\":%llu}",
		 (unsigned long long)id);
	v = ask_ok(fd, req, "maps");
	pids = json_object_array_length(v) ?
		jget(json_object_array_get_idx(v, 0), "pids") : NULL;
	for (size_t i = 0; pids && i < json_object_array_length(pids); i++)
		found |= jget_u64(json_object_array_get_idx(pids, i), "pid") ==
			 (__u64)pid;
	json_object_put(v);
	return found;
}

/* Polls until the daemon lists pid as a holder of map id; false at
 * WAIT_S. */
static bool wait_holder(int fd, __u64 id, pid_t pid)
{
	double deadline = now_s() + WAIT_S;

	while (!daemon_lists_holder(fd, id, pid)) {
		if (now_s() > deadline)
			return false;
		usleep(20000);
	}
	return true;
}

/*
 * bpfmemd walks every open file for holders only when a map, program or
 * link appeared, or walk_interval passed: a new map's holder shows
 * although the interval is an hour; a process opening a map that already
 * existed shows once the interval passes.
 */
static void holders_follow_new_objects_and_walk_interval(void **state)
{
	static char *one[] = { "--one-map", "fx_holders", NULL };
	int ready[2], fd, map_fd;
	struct fixture fx;
	struct daemon d;
	pid_t opener;
	__u64 id;
	char c;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 100ms\nhistory = 1m\n"
			 "snapshot_every = 0\nwalk_interval = 1h\n");
	fd = conn(&d);
	/* a sample before the map exists: its walk is the one reused */
	json_object_put(ask_ok(fd, "{\"cmd\":\"summary\"}", "summary"));
	assert_int_equal(fixture_start(&fx, one), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	assert_true(wait_holder(fd, id, fx.pid));
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);

	daemon_start(&d, "[daemon]\ninterval = 100ms\nhistory = 1m\n"
			 "snapshot_every = 0\nwalk_interval = 1s\n");
	fd = conn(&d);
	assert_true(wait_holder(fd, id, fx.pid));
	/* another process opens the map by id: no new id, the interval */
	assert_int_equal(pipe(ready), 0);
	opener = fork();
	assert_true(opener >= 0);
	if (!opener) {
		close(ready[0]);
		map_fd = bpf_map_get_fd_by_id(id);
		if (map_fd < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_true(wait_holder(fd, id, opener));
	kill(opener, SIGKILL);
	waitpid(opener, NULL, 0);
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(every_command_answers),
		daemon_test(maps_and_progs_are_what_bpfmem_prints),
		daemon_test(a_large_listing_arrives_whole_in_parts),
		daemon_test(pipelined_listings_leave_room_for_samples),
		daemon_test(holders_follow_new_objects_and_walk_interval),
		daemon_test(bad_requests_get_errors_and_the_connection_stays),
		daemon_test(serves_256_clients_at_once),
		daemon_test(a_stalled_client_delays_nobody),
		daemon_test(sighup_reloads_and_a_bad_config_keeps_the_old),
		daemon_test(sigusr1_writes_a_snapshot),
		daemon_test(snapshots_are_never_torn_even_by_sigkill),
		daemon_test(check_config_exit_codes_and_messages),
		daemon_test(tells_systemd_ready_status_watchdog_and_stopping),
		daemon_test(lifecycle_events_name_the_creator),
		daemon_test(own_objects_make_no_events),
		daemon_test(without_hooks_events_come_from_samples),
		daemon_test(started_by_hand_it_returns_when_ready),
		daemon_test(unit_files_pass_systemd_analyze_verify),
		daemon_test(logs_to_the_journal_with_structured_fields),
		daemon_test(socket_activation_answers_on_the_passed_socket),
		daemon_test(the_command_line_uses_the_daemon),
		daemon_test(trace_allocations_detaches_the_hooks),
		daemon_test(by_default_nothing_is_attached_to_the_allocator),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("daemon", tests, unpin_dead_runs,
					   cleanup);
}
