// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmemd's Prometheus outputs as they run: the real daemon's /metrics
 * scraped over TCP and checked by promtool, the memlock it exports for the
 * fixture's maps compared with their fdinfo, Debian's prometheus scraping
 * it and answering a query, the node_exporter textfile replaced whole, and
 * bad [prometheus] settings refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

/* bpfmemd --check-config's status for a bad file (src/daemon/main.c) */
#define EXIT_BAD_CONFIG 6

/* prometheus, while it runs: killed when a test fails */
static pid_t prometheus_pid;

/* A port nobody listens on now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/*
 * One HTTP/1.0 request to 127.0.0.1:port; the status (-1: no connection)
 * and the body (caller frees; NULL without one).
 */
static int http(int port, const char *method, const char *target,
		char **body)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), status = -1;
	size_t len = 0, cap = 1 << 16;
	char *buf, req[1024], *sep;
	ssize_t n;

	*body = NULL;
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
		     method, target);
	assert_int_equal(write(fd, req, n), n);
	buf = malloc(cap);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_int_equal(poll(&p, 1, 10000), 1);
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		assert_true(n >= 0);
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	sscanf(buf, "HTTP/1.%*d %d", &status);
	sep = strstr(buf, "\r\n\r\n");
	if (sep)
		*body = strdup(sep + 4);
	free(buf);
	return status;
}

/* The kernel's memlock of map id, from the fdinfo of a process holding
 * it; -1 when none shows it. */
static long long fdinfo_memlock(pid_t pid, __u32 id)
{
	char path[64], want[32];
	struct dirent *e;
	long long memlock = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	snprintf(want, sizeof(want), "map_id:\t%u\n", id);
	d = opendir(path);
	assert_non_null(d);
	while (memlock < 0 && (e = readdir(d))) {
		char file[330], *text, *m;

		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		text = read_text(file);
		if (text && strstr(text, want) &&
		    (m = strstr(text, "memlock:\t")))
			memlock = strtoll(m + 9, NULL, 10);
		free(text);
	}
	closedir(d);
	return memlock;
}

/* The value of the sample of name whose labels include `id="ID"`. */
static long long sample_of(const char *text, const char *name, __u32 id)
{
	char start[96];
	const char *p = text;

	snprintf(start, sizeof(start), "%s{id=\"%u\",", name, id);
	while ((p = strstr(p, start))) {
		if (p == text || p[-1] == '\n') {
			const char *v = strstr(p, "} ");

			return v ? strtoll(v + 2, NULL, 10) : -1;
		}
		p++;
	}
	return -1;
}

static int promtool_check(const char *file, char **err)
{
	char cmd[256];
	char *argv[] = { "sh", "-c", cmd, NULL };

	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", file);
	return run_capture(argv, NULL, err);
}

static void scrape_passes_promtool(void **state)
{
	char *fill[] = { "--fill", NULL }, config[512], file[128];
	char *body, *err = NULL;
	int port = free_port(), checked = 0;
	struct fixture fx;
	struct daemon d;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	/* a rule firing for the one map named fx_hash, one for none; every
	 * object its own series, however many other maps the host has */
	snprintf(config, sizeof(config),
		 "[daemon]\ninterval = 1h\n[prometheus]\nlisten = 127.0.0.1:%d\n"
		 "max_series = 1000000\n"
		 "[alert:fx-hash]\nscope = map\nmatch = name:fx_hash\n"
		 "metric = bytes_memlock\nabove = 1\n"
		 "[alert:none]\nscope = map\nmatch = name:no_such_map\n"
		 "metric = bytes_memlock\nabove = 1\n",
		 port);
	daemon_start(&d, config);
	assert_int_equal(http(port, "GET", "/metrics", &body), 200);
	snprintf(file, sizeof(file), "%s/scrape.txt", d.dir);
	put_file(file, body);
	if (promtool_check(file, &err)) {
		print_error("promtool check metrics: %s\n", err);
		fail();
	}
	free(err);
	/* the memlock of every map the fixture made, as its fdinfo shows */
	for (size_t i = 0; i < json_object_array_length(fx.objects); i++) {
		json_object *o = json_object_array_get_idx(fx.objects, i);
		__u32 id;
		long long want;

		if (strcmp(jget_str(o, "kind"), "map"))
			continue;
		id = jget_u64(o, "id");
		want = fdinfo_memlock(fx.pid, id);
		if (want < 0)
			continue;	/* an inner map the fixture closed */
		if (sample_of(body, "bpfmem_map_memlock_bytes", id) != want)
			fail_msg("map %u: memlock %lld exported, fdinfo %lld",
				 id,
				 sample_of(body, "bpfmem_map_memlock_bytes", id),
				 want);
		checked++;
	}
	assert_true(checked >= 20);
	/* every program the fixture loaded has real bytes, at least the
	 * instructions the kernel keeps (bpftool's bytes_xlated) */
	checked = 0;
	for (size_t i = 0; i < json_object_array_length(fx.objects); i++) {
		json_object *o = json_object_array_get_idx(fx.objects, i);
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		long long real;
		int fd;

		if (strcmp(jget_str(o, "kind"), "prog"))
			continue;
		fd = bpf_prog_get_fd_by_id(jget_u64(o, "id"));
		assert_true(fd >= 0);
		assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		close(fd);
		real = sample_of(body, "bpfmem_prog_real_bytes", info.id);
		if (real < (long long)info.xlated_prog_len)
			fail_msg("program %u: real bytes %lld exported, %u bytes of instructions",
				 info.id, real, info.xlated_prog_len);
		checked++;
	}
	assert_true(checked >= 1);
	assert_non_null(strstr(body, "\nbpfmem_real_bytes{kind=\"prog\"} "));
	assert_non_null(strstr(body, "\nbpfmem_scrapes_total "));
	assert_non_null(strstr(body, "\nbpfmem_alerts_firing{rule=\"fx-hash\"} 1\n"));
	assert_non_null(strstr(body, "\nbpfmem_alerts_firing{rule=\"none\"} 0\n"));
	free(body);

	/* HEAD: headers only; other paths and methods refused */
	assert_int_equal(http(port, "HEAD", "/metrics", &body), 200);
	assert_string_equal(body, "");
	free(body);
	assert_int_equal(http(port, "GET", "/", &body), 404);
	free(body);
	assert_int_equal(http(port, "GET", "/metrics/x", &body), 404);
	free(body);
	assert_int_equal(http(port, "POST", "/metrics", &body), 405);
	free(body);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

/* Starts prometheus scraping 127.0.0.1:target every second; returns its
 * pid and the port of its API. */
static pid_t prometheus_start(const char *dir, int target, int *api)
{
	char conf[128], data[128], listen[64], log[128], cfg_flag[160],
		data_flag[160], listen_flag[96], yml[256];
	pid_t pid;

	*api = free_port();
	snprintf(conf, sizeof(conf), "%s/prometheus.yml", dir);
	snprintf(data, sizeof(data), "%s/prometheus-data", dir);
	snprintf(log, sizeof(log), "%s/prometheus.log", dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", *api);
	snprintf(yml, sizeof(yml),
		 "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
		 "scrape_configs:\n  - job_name: bpfmem\n"
		 "    static_configs:\n      - targets: ['127.0.0.1:%d']\n",
		 target);
	put_file(conf, yml);
	snprintf(cfg_flag, sizeof(cfg_flag), "--config.file=%s", conf);
	snprintf(data_flag, sizeof(data_flag), "--storage.tsdb.path=%s", data);
	snprintf(listen_flag, sizeof(listen_flag), "--web.listen-address=%s",
		 listen);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("prometheus", "prometheus", cfg_flag, data_flag,
		       listen_flag, (char *)NULL);
		_exit(127);
	}
	prometheus_pid = pid;
	return pid;
}

static void prometheus_scrapes_and_answers(void **state)
{
	char *one[] = { "--one-map", "prom_probe", NULL }, config[256];
	char query[256], *body = NULL;
	int port = free_port(), api;
	json_object *res = NULL, *v;
	struct fixture fx;
	struct daemon d;
	long long want;
	pid_t prom;
	int status;
	double deadline;
	__u32 id;

	(void)state;
	assert_int_equal(fixture_start(&fx, one), 0);
	id = jget_u64(json_object_array_get_idx(fx.objects, 0), "id");
	want = fdinfo_memlock(fx.pid, id);
	assert_true(want > 0);
	snprintf(config, sizeof(config),
		 "[daemon]\ninterval = 500ms\n[prometheus]\nlisten = 127.0.0.1:%d\n"
		 "max_series = 1000000\n",
		 port);
	daemon_start(&d, config);
	prom = prometheus_start(d.dir, port, &api);
	snprintf(query, sizeof(query),
		 "/api/v1/query?query=bpfmem_map_memlock_bytes%%7Bid%%3D%%22%u%%22%%7D",
		 id);
	/* prometheus starts, scrapes once a second, then answers */
	for (deadline = now_s() + 30; now_s() < deadline; usleep(250000)) {
		json_object *data, *result;

		free(body);
		json_object_put(res);
		res = NULL;
		if (http(api, "GET", query, &body) != 200 || !body)
			continue;
		res = json_tokener_parse(body);
		if (res && json_object_object_get_ex(res, "data", &data) &&
		    json_object_object_get_ex(data, "result", &result) &&
		    json_object_array_length(result) == 1)
			break;
	}
	if (!res || now_s() >= deadline) {
		char log[128];

		snprintf(log, sizeof(log), "%s/prometheus.log", d.dir);
		print_error("no series from prometheus: %s\n%s\n", body,
			    read_text(log));
		fail();
	}
	v = json_object_array_get_idx(
		json_object_object_get(json_object_object_get(res, "data"),
				       "result"),
		0);
	assert_string_equal(jget_str(json_object_object_get(v, "metric"),
				     "name"),
			    "prom_probe");
	assert_string_equal(jget_str(json_object_object_get(v, "metric"),
				     "type"),
			    "hash");
	assert_string_equal(jget_str(json_object_object_get(v, "metric"),
				     "job"),
			    "bpfmem");
	/* "value": [time, "bytes"] */
	assert_int_equal(strtoll(json_object_get_string(json_object_array_get_idx(
					 json_object_object_get(v, "value"), 1)),
				 NULL, 10),
			 want);
	json_object_put(res);
	free(body);
	kill(prom, SIGTERM);
	assert_int_equal(waitpid(prom, &status, 0), prom);
	prometheus_pid = 0;
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

static void textfile_replaced_whole(void **state)
{
	char config[256], path[128], *err = NULL;
	ino_t inodes[8];
	size_t nr = 0;
	long long first = -1, last = -1;
	double deadline;
	struct daemon dm;
	struct dirent *e;
	DIR *d;

	(void)state;
	daemon_paths(&dm);
	snprintf(path, sizeof(path), "%s/text/bpfmem.prom", dm.dir);
	snprintf(config, sizeof(config), "%s/text", dm.dir);
	mkdir(config, 0755);
	unlink(path);
	snprintf(config, sizeof(config),
		 "[daemon]\ninterval = 100ms\n[prometheus]\ntextfile = %s\n",
		 path);
	daemon_start(&dm, config);
	/* reads while the daemon rewrites it ten times a second: each one
	 * whole, each write a new file renamed over the old one */
	for (deadline = now_s() + WAIT_S; nr < 8 && now_s() < deadline;
	     usleep(30000)) {
		struct stat st;
		char *text, *s;

		if (stat(path, &st))
			continue;
		text = read_text(path);
		if (!text)
			continue;
		assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
		assert_non_null(strstr(text, "\nbpfmem_build_info{version=\""));
		s = strstr(text, "\nbpfmem_samples_total ");
		assert_non_null(s);
		last = strtoll(s + 22, NULL, 10);
		if (first < 0)
			first = last;
		/* textfiles are not scraped by bpfmemd */
		assert_null(strstr(text, "bpfmem_scrapes_total"));
		free(text);
		if (!nr || inodes[nr - 1] != st.st_ino)
			inodes[nr++] = st.st_ino;
	}
	assert_int_equal(nr, 8);
	assert_true(last > first);
	assert_int_equal(daemon_stop(&dm), 0);
	if (promtool_check(path, &err)) {
		print_error("promtool check metrics: %s\n", err);
		fail();
	}
	free(err);
	/* nothing but the file is left beside it */
	snprintf(config, sizeof(config), "%s/text", dm.dir);
	d = opendir(config);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
					    strcmp(e->d_name, "..")))
			assert_string_equal(e->d_name, "bpfmem.prom");
	closedir(d);
}

static void bad_listen_refused(void **state)
{
	char conf[160], *out = NULL, *err = NULL, want[512];
	char *check[] = { BPFMEMD, "--check-config", "--config", conf, NULL };
	struct daemon d;
	char *run[] = { BPFMEMD, "--foreground", "--config", d.conf, "--socket",
			d.sock, "--state-dir", d.state, NULL };
	int port = free_port(), fd, one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char config[256];

	(void)state;
	daemon_paths(&d);
	/* the example installed as /etc/bpfmem/bpfmemd.conf is valid */
	snprintf(conf, sizeof(conf), "systemd/bpfmemd.conf");
	assert_int_equal(run_capture(check, &out, &err), 0);
	assert_non_null(strstr(out, "[prometheus]\nmax_series = 2000\n"));
	free(out);
	free(err);
	snprintf(conf, sizeof(conf), "%s/bad.conf", d.dir);
	put_file(conf, "[daemon]\ninterval = 1s\n\n[prometheus]\nlisten = 127.0.0.1:99999\n");
	assert_int_equal(run_capture(check, &out, &err), EXIT_BAD_CONFIG);
	snprintf(want, sizeof(want), "%s:5: [prometheus] key 'listen': '127.0.0.1:99999': the port is not a number from 1 to 65535",
		 conf);
	if (!strstr(err, want))
		fail_msg("message '%s' lacks '%s'", err, want);
	free(out);
	free(err);

	/* a port taken: the daemon stops at start, saying so */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	snprintf(config, sizeof(config),
		 "[daemon]\ninterval = 1s\n[prometheus]\nlisten = 127.0.0.1:%d\n",
		 port);
	put_file(d.conf, config);
	assert_true(run_capture(run, &out, &err) != 0);
	close(fd);
	snprintf(want, sizeof(want), "[prometheus] listen = 127.0.0.1:%d: binding failed: Address already in use: another process listens there",
		 port);
	if (!strstr(err, want))
		fail_msg("log '%s' lacks '%s'", err, want);
	free(out);
	free(err);
}

static int teardown(void **state)
{
	struct daemon d;
	char cmd[128];

	(void)state;
	daemons_kill();
	if (prometheus_pid) {
		kill(prometheus_pid, SIGKILL);
		waitpid(prometheus_pid, NULL, 0);
	}
	daemon_paths(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d.dir);
	return system(cmd) < 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(scrape_passes_promtool),
		daemon_test(prometheus_scrapes_and_answers),
		daemon_test(textfile_replaced_whole),
		daemon_test(bad_listen_refused),
	};

	if (geteuid()) {
		fprintf(stderr, "test_prometheus needs root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("prometheus", tests, NULL,
					   teardown);
}
