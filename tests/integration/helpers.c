// SPDX-License-Identifier: GPL-2.0
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

/*
 * Under sanitizers (make test-asan), LeakSanitizer checks the bpfmemd and
 * bpfmem these tests start, not the tests themselves: a failed assertion
 * jumps over the test's frees. Consulted at exit whatever ASAN_OPTIONS say.
 */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return 1;
}

struct capture {
	char *buf;
	size_t len, cap;
};

/* One read of fd into c: > 0 while it has more, 0 at its end. */
static int capture_some(int fd, struct capture *c)
{
	ssize_t n;

	if (c->cap - c->len < 4096) {
		char *bigger = realloc(c->buf, c->cap ? c->cap * 2 : 1 << 16);

		if (!bigger)
			return -ENOMEM;
		c->buf = bigger;
		c->cap = c->cap ? c->cap * 2 : 1 << 16;
	}
	n = read(fd, c->buf + c->len, c->cap - c->len - 1);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	c->len += n;
	return n > 0;
}

/* Both pipes read as they fill: a child that writes much to stderr
 * (strace) would block on it while we waited for its stdout. */
static int drain_both(int fo, int fe, char **out, char **err)
{
	struct capture c[2] = {};
	struct pollfd p[2] = { { .fd = fo, .events = POLLIN },
			       { .fd = fe, .events = POLLIN } };
	int open = 2, err_ = 0;

	while (open && !err_) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_ = -errno;
			break;
		}
		for (int i = 0; i < 2; i++) {
			int r;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			r = capture_some(p[i].fd, &c[i]);
			if (r < 0)
				err_ = r;
			if (r <= 0) {
				p[i].fd = -1;
				open--;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!c[i].buf)
			c[i].buf = malloc(1);
		if (c[i].buf)
			c[i].buf[c[i].len] = '\0';
	}
	*out = c[0].buf;
	*err = c[1].buf;
	return err_;
}

int run_capture(char *const argv[], char **out, char **err)
{
	int po[2], pe[2], status;
	char *o = NULL, *e = NULL;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	drain_both(po[0], pe[0], &o, &e);
	close(po[0]);
	close(pe[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (out)
		*out = o;
	else
		free(o);
	if (err)
		*err = e;
	else
		free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_object *run_json(char *const argv[])
{
	char *out = NULL, *err = NULL;
	json_object *v;
	int rc = run_capture(argv, &out, &err);

	if (rc) {
		print_error("%s exited with %d: %s\n", argv[0], rc, err ? err : "");
		fail();
	}
	v = json_tokener_parse(out);
	if (!v) {
		print_error("%s printed no JSON: %.200s\n", argv[0], out);
		fail();
	}
	free(out);
	free(err);
	return v;
}

void own_add(__u32 *ids, size_t *n, __u32 id)
{
	for (size_t i = 0; i < *n; i++)
		if (ids[i] == id)
			return;
	assert_true(*n < OWN_MAX);
	ids[(*n)++] = id;
}

static bool pinned_below_own_root(json_object *link)
{
	json_object *pins = jget(link, "pinned");

	for (size_t i = 0; i < json_object_array_length(pins); i++)
		if (!strncmp(json_object_get_string(
				     json_object_array_get_idx(pins, i)),
			     "/sys/fs/bpf/bpfmem/", 19))
			return true;
	return false;
}

void own_pinned_read(struct own_pinned *o)
{
	char *links_argv[] = { "bpftool", "-j", "-f", "link", "show", NULL };
	char *progs_argv[] = { "bpftool", "-j", "prog", "show", NULL };
	json_object *links = run_json(links_argv);
	json_object *progs = run_json(progs_argv);

	for (size_t i = 0; i < json_object_array_length(links); i++) {
		json_object *l = json_object_array_get_idx(links, i), *p, *ids;
		__u32 prog_id = jget_u64(l, "prog_id");

		if (!pinned_below_own_root(l))
			continue;
		own_add(o->progs, &o->nr_progs, prog_id);
		p = json_find_id(progs, prog_id);
		ids = p ? jget(p, "map_ids") : NULL;
		for (size_t k = 0; k < json_object_array_length(ids); k++)
			own_add(o->maps, &o->nr_maps,
				json_object_get_uint64(
					json_object_array_get_idx(ids, k)));
	}
	json_object_put(links);
	json_object_put(progs);
}

bool own_pinned_has(const struct own_pinned *o, bool map, __u32 id)
{
	const __u32 *ids = map ? o->maps : o->progs;
	size_t n = map ? o->nr_maps : o->nr_progs;

	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int fixture_start(struct fixture *f, char *const args[])
{
	return fixture_start_in(f, args, NULL);
}

int write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int join_cgroup(const char *procs)
{
	char pid[24];
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	int len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, pid, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

int fixture_start_in(struct fixture *f, char *const args[], const char *procs)
{
	int in[2], outp[2];
	char *argv[16] = { MKOBJS };
	char line[4096];
	FILE *out;
	int i;

	for (i = 0; args && args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	if (pipe2(in, O_CLOEXEC) || pipe2(outp, O_CLOEXEC))
		return -errno;
	f->pid = fork();
	if (f->pid < 0)
		return -errno;
	if (!f->pid) {
		if (procs && join_cgroup(procs))
			_exit(126);
		dup2(in[0], 0);
		dup2(outp[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	f->to_child = in[1];
	f->objects = json_object_new_array();
	out = fdopen(outp[0], "r");
	while (fgets(line, sizeof(line), out)) {
		json_object *o;

		if (!strcmp(line, "READY\n")) {
			fclose(out);
			return 0;
		}
		o = json_tokener_parse(line);
		if (o)
			json_object_array_add(f->objects, o);
	}
	fclose(out);
	return -EPIPE;
}

int fixture_stop(struct fixture *f)
{
	int status;

	close(f->to_child);
	if (waitpid(f->pid, &status, 0) < 0)
		return -errno;
	json_object_put(f->objects);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

json_object *jget(json_object *obj, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

__u64 jget_u64(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) ?
		       json_object_get_uint64(v) :
		       0;
}

const char *jget_str(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) ?
		       json_object_get_string(v) :
		       NULL;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static bool fdinfo_has(const char *path, const char *key, __u32 id)
{
	char buf[4096], want[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "\n%s:\t%u\n", key, id);
	return strstr(buf, want);
}

void fdinfo_each(pid_t pid, void (*fn)(const char *path, void *arg),
		 void *arg)
{
	char dir[64], path[320];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fn(path, arg);
	}
	closedir(d);
}

int procfs_holders(const char *key, __u32 id, pid_t *pids, int max)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!proc)
		return -errno;
	while ((p = readdir(proc)) && n < max) {
		char dir[300];
		DIR *fds;
		struct dirent *fd;
		pid_t pid = atoi(p->d_name);

		if (pid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
		fds = opendir(dir);
		if (!fds)
			continue;
		while ((fd = readdir(fds))) {
			char path[600];

			if (fd->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, fd->d_name);
			if (fdinfo_has(path, key, id)) {
				pids[n++] = pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	qsort(pids, n, sizeof(*pids), cmp_pid);
	return n;
}

char *proc_memcg_path(pid_t pid)
{
	char path[64], line[4096];
	char *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	/* v1: "N:memory:/path"; v2 (memory in the unified tree): "0::/path" */
	while (fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *p;

		if (!ctrl)
			continue;
		p = strchr(ctrl + 1, ':');
		if (!p)
			continue;
		*p = '\0';
		p[strcspn(p + 1, "\n") + 1] = '\0';
		if (strstr(ctrl + 1, "memory") || (!found && !ctrl[1])) {
			free(found);
			found = strdup(p + 1);
			if (ctrl[1])
				break;
		}
	}
	fclose(f);
	return found;
}

/* Daemons started and not yet reaped: killed if a test fails. */
static pid_t running[16];


double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

char *read_text(const char *path)
{
	char *out = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	ssize_t n;

	if (!f)
		return strdup("");
	n = getdelim(&out, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(out);
		return strdup("");
	}
	return out;
}

char *proc_status_field(pid_t pid, const char *key)
{
	char path[64], *text, *at, *value = NULL;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = read_text(path);
	for (at = text; at && *at; at = strchr(at, '\n'), at = at ? at + 1 : NULL) {
		if (!strncmp(at, key, klen) && at[klen] == ':') {
			at += klen + 1;
			at += strspn(at, " \t");
			value = strndup(at, strcspn(at, "\n"));
			break;
		}
	}
	free(text);
	return value;
}

/* Waits up to secs for the daemon's stderr to contain text. */
bool wait_log(const struct daemon *d, const char *text, double secs)
{
	double deadline = now_s() + secs;

	for (;;) {
		char *log = read_text(d->log);
		bool found = strstr(log, text);

		free(log);
		if (found || now_s() > deadline)
			return found;
		usleep(20000);
	}
}

void expect_log(const struct daemon *d, const char *text, double secs)
{
	if (!wait_log(d, text, secs)) {
		char *log = read_text(d->log);

		print_error("not in the daemon's log: %s\n%s\n", text, log);
		free(log);
		fail();
	}
}

int try_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

void daemon_paths(struct daemon *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/bpfmemd-test-%d", getpid());
	snprintf(d->sock, sizeof(d->sock), "%s/bpfmemd.sock", d->dir);
	snprintf(d->state, sizeof(d->state), "%s/state", d->dir);
	snprintf(d->conf, sizeof(d->conf), "%s/bpfmemd.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/stderr", d->dir);
	mkdir(d->dir, 0700);
}

/* Starts bpfmemd -f with the config text; env: extra NAME=value or NULL.
 * Returns once its socket answers. */
void daemon_start_env(struct daemon *d, const char *config,
			     const char *env)
{
	double deadline;
	int fd;

	daemon_paths(d);
	put_file(d->conf, config);
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (!d->pid) {
		int log = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char wpid[32];

		dup2(log, 2);
		/* not the test's stdout: the runner would wait for it */
		dup2(open("/dev/null", O_WRONLY), 1);
		if (env) {
			putenv((char *)env);
			/* sd_event's watchdog serves only the pid named */
			snprintf(wpid, sizeof(wpid), "%d", getpid());
			setenv("WATCHDOG_PID", wpid, 1);
		}
		execl(BPFMEMD, BPFMEMD, "--foreground", "--config", d->conf,
		      "--socket", d->sock, "--state-dir", d->state,
		      (char *)NULL);
		_exit(127);
	}
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (!running[i]) {
			running[i] = d->pid;
			break;
		}
	}
	/* until the socket answers or the daemon exits: its start-up (loading
	 * the iterators) took over 10 s on one emulated CPU beside another VM;
	 * the bound only catches a daemon that hangs */
	deadline = now_s() + 120;
	while ((fd = try_connect(d->sock)) < 0 && now_s() < deadline &&
	       waitpid(d->pid, NULL, WNOHANG) == 0)
		usleep(10000);
	if (fd < 0) {
		char *log = read_text(d->log);

		print_error("bpfmemd did not start (%s): %s\n",
			    now_s() < deadline ? "it exited" : "no answer in 120 s", log);
		free(log);
		fail();
	}
	close(fd);
}

static void forget(pid_t pid)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i] == pid)
			running[i] = 0;
}

void daemon_start(struct daemon *d, const char *config)
{
	daemon_start_env(d, config, NULL);
}

/* SIGTERM; its exit status. */
int daemon_stop(struct daemon *d)
{
	int status;

	kill(d->pid, SIGTERM);
	forget(d->pid);
	if (waitpid(d->pid, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* what it said: a crash, or a sanitizer's report */
		char *log = read_text(d->log);

		print_error("bpfmemd exited with status 0x%x: %s\n", status, log);
		free(log);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int conn(const struct daemon *d)
{
	int fd = try_connect(d->sock);

	assert_true(fd >= 0);
	return fd;
}

bool in_path(const char *name)
{
	const char *path = getenv("PATH") ?: "/usr/sbin:/usr/bin:/sbin:/bin";
	char file[PATH_MAX];

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(file, sizeof(file), "%.*s/%s", (int)n, p, name);
		if (n && !access(file, X_OK))
			return true;
		p += n + !!p[n];
	}
	return false;
}

void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		assert_true(n > 0);
		buf += n;
		len -= n;
	}
}

/* One line from fd (caller frees), waiting at most timeout_ms. */
char *read_line(int fd, int timeout_ms)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_true(poll(&p, 1, timeout_ms) == 1);
		if (len + 2 > cap)
			buf = realloc(buf, cap *= 2);
		/* byte by byte: what follows the line stays in the socket */
		n = read(fd, buf + len, 1);
		assert_true(n == 1);
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = '\0';
	return buf;
}

/* Sends one request line and parses the response line. */
json_object *ask(int fd, const char *req)
{
	json_object *v;
	char *line;

	send_all(fd, req, strlen(req));
	send_all(fd, "\n", 1);
	line = read_line(fd, WAIT_S * 1000);
	v = json_tokener_parse(line);
	if (!v) {
		print_error("not JSON: %.300s\n", line);
		fail();
	}
	free(line);
	return v;
}

json_object *ask_ok(int fd, const char *req, const char *key)
{
	json_object *v = ask(fd, req), *r;

	if (!json_object_object_get_ex(v, key, &r)) {
		print_error("%s: %s\n", req, json_object_to_json_string(v));
		fail();
	}
	r = json_object_get(r);
	json_object_put(v);
	return r;
}

void wait_samples(const struct daemon *d, int n)
{
	int fd = conn(d);

	json_object_put(ask_ok(fd, "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}",
			       "subscribe"));
	while (n > 0) {
		char *line = read_line(fd, WAIT_S * 1000);

		if (!strncmp(line, "{\"sample\":", 10))
			n--;
		free(line);
	}
	close(fd);
}

json_object *next_sample(int fd)
{
	for (;;) {
		char *line = read_line(fd, WAIT_S * 1000);
		json_object *ev = json_tokener_parse(line), *s = NULL;

		free(line);
		assert_non_null(ev);
		if (json_object_object_get_ex(ev, "sample", &s)) {
			json_object_get(s);
			json_object_put(ev);
			return s;
		}
		json_object_put(ev);
	}
}

void daemon_kill(struct daemon *d)
{
	kill(d->pid, SIGKILL);
	forget(d->pid);
	waitpid(d->pid, NULL, 0);
}

void daemons_kill(void)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (running[i]) {
			kill(running[i], SIGKILL);
			waitpid(running[i], NULL, 0);
			running[i] = 0;
		}
	}
}

int daemons_teardown(void **state)
{
	(void)state;
	daemons_kill();
	return 0;
}

int bind_dgram(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Whether a process receives on the datagram socket at path: a test
 * killed half-way leaves its socket file behind, with nobody reading. */
static bool dgram_served(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool served;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	served = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
		 errno != ECONNREFUSED;
	close(fd);
	return served;
}

int journal_bind(void)
{
	if (!access(JOURNAL_SOCKET, F_OK) && dgram_served(JOURNAL_SOCKET)) {
		print_message("# a journald runs here: skipped, its socket is taken\n");
		skip();
	}
	mkdir("/run/systemd", 0755);
	mkdir("/run/systemd/journal", 0755);
	return bind_dgram(JOURNAL_SOCKET);
}

void journal_unbind(int fd)
{
	close(fd);
	unlink(JOURNAL_SOCKET);
}

bool kernel_has_kfunc(const char *name)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool found;

	if (!vmlinux)
		return false;
	found = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return found;
}

__u64 elem_count_slack(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int possible = libbpf_num_possible_cpus();

	if (kernel_has_kfunc("bpf_map_sum_elem_count"))
		return 0;
	/* lib/percpu_counter.c: percpu_counter_batch = max(32, 2 * online) */
	return (online * 2 > 32 ? online * 2 : 32) * (possible > 0 ? possible : 1);
}

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* An fentry program on bpf_map_kmalloc_node (the first wrapper the
 * accounting hooks' fentry backend hooks), loaded and attached: by hand,
 * not through src/collect/probe.c, which test_features checks against it. */
bool fentry_attaches(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int prog, link = -1;

	if (!vmlinux)
		return false;
	opts.attach_btf_id = btf__find_by_name_kind(vmlinux, "bpf_map_kmalloc_node",
						    BTF_KIND_FUNC);
	btf__free(vmlinux);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", ret0, 2, &opts);
	if (prog >= 0)
		link = bpf_link_create(prog, 0, BPF_TRACE_FENTRY, NULL);
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	return link >= 0;
}

const char *lifecycle_config(void)
{
	return fentry_attaches() ? "" : "lifecycle = tracepoint\n";
}

bool kernel_struct_has(const char *type, const char *member)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct btf_type *t;
	bool found = false;
	int id;

	if (!vmlinux)
		return false;
	id = btf__find_by_name_kind(vmlinux, type, BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++)
		found |= !strcmp(btf__name_by_offset(vmlinux, btf_members(t)[i].name_off),
				 member);
	btf__free(vmlinux);
	return found;
}
