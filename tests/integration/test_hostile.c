// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmemd against hostile clients: the real daemon while threads open
 * hundreds of connections, send random bytes, half lines, a 1 MiB line
 * without a newline, requests whose answers they never read, and close in
 * the middle of answers. A well-behaved client keeps being answered, the
 * daemon's RSS stays under a bound worked out from the per-client output
 * cap (src/daemon/server.h), and the sampling misses no tick.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

/* what the daemon's server promises (src/daemon/server.h) */
#define CLIENT_OUT_HIGH (1u << 20)

#define HOSTILE_S 10		/* how long the attack lasts */
#define INTERVAL_MS 1000
#define FLOOD_CONNS 200		/* opened at once, each round */
#define STALLED_HALF 50		/* send half a line, then nothing */
#define HUGE_LINES 4		/* 1 MiB without a newline, then wait */
#define NEVER_READ 20		/* ask for maps, never read the answer */
/* memory the allocator holds besides: a daemon under AddressSanitizer
 * keeps what it frees in quarantine, 256 MiB by default */
#ifdef __SANITIZE_ADDRESS__
#define SLACK_KIB ((64 + 256) * 1024)
#else
#define SLACK_KIB (64 * 1024)
#endif

static atomic_bool stop;
static atomic_ulong rounds[5];
static const char *sock_path;

/* Sends what the socket takes without blocking for long; false once the
 * daemon closed or the attack is over. */
static bool push(int fd, const char *buf, size_t len)
{
	while (len && !atomic_load(&stop)) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return false;
		buf += n;
		len -= n;
	}
	return !len;
}

static void close_all(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void random_fill(char *buf, size_t len, unsigned int *seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = rand_r(seed);
}

/* FLOOD_CONNS connections at once, each some kilobytes of random bytes
 * (newlines included: many garbage requests), then closed unread. */
static void *flood(void *arg)
{
	static int fds[FLOOD_CONNS];
	unsigned int seed = 1;
	char buf[4096];

	(void)arg;
	while (!atomic_load(&stop)) {
		for (int i = 0; i < FLOOD_CONNS; i++) {
			fds[i] = try_connect(sock_path);
			random_fill(buf, sizeof(buf), &seed);
			if (fds[i] >= 0)
				push(fds[i], buf, sizeof(buf));
		}
		close_all(fds, FLOOD_CONNS);
		atomic_fetch_add(&rounds[0], 1);
	}
	return NULL;
}

/* Half a request each, then silence to the end. */
static void *half_lines(void *arg)
{
	static int fds[STALLED_HALF];

	(void)arg;
	for (int i = 0; i < STALLED_HALF; i++) {
		fds[i] = try_connect(sock_path);
		if (fds[i] >= 0)
			push(fds[i], "{\"cmd\":\"summ", 12);
	}
	atomic_fetch_add(&rounds[1], 1);
	while (!atomic_load(&stop))
		usleep(10000);
	close_all(fds, STALLED_HALF);
	return NULL;
}

/* 1 MiB of bytes that are never a newline, then silence. */
static void *huge_lines(void *arg)
{
	static int fds[HUGE_LINES];
	size_t len = 1u << 20;
	char *buf = malloc(len);

	(void)arg;
	memset(buf, 'x', len);
	buf[0] = '{';
	for (int i = 0; i < HUGE_LINES; i++) {
		fds[i] = try_connect(sock_path);
		if (fds[i] >= 0 && push(fds[i], buf, len))
			atomic_fetch_add(&rounds[2], 1);
	}
	while (!atomic_load(&stop))
		usleep(10000);
	close_all(fds, HUGE_LINES);
	free(buf);
	return NULL;
}

/* Many maps requests on a small receive buffer, never read: the daemon
 * queues at most CLIENT_OUT_HIGH plus one answer for each. */
static void *never_read(void *arg)
{
	static int fds[NEVER_READ];
	static const char req[] = "{\"cmd\":\"maps\"}\n";
	int rcv = 4096;

	(void)arg;
	for (int i = 0; i < NEVER_READ; i++) {
		fds[i] = try_connect(sock_path);
		if (fds[i] < 0)
			continue;
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	}
	while (!atomic_load(&stop)) {
		for (int i = 0; i < NEVER_READ; i++)
			if (fds[i] >= 0)
				send(fds[i], req, sizeof(req) - 1,
				     MSG_NOSIGNAL | MSG_DONTWAIT);
		atomic_fetch_add(&rounds[3], 1);
		usleep(20000);
	}
	close_all(fds, NEVER_READ);
	return NULL;
}

/* Asks for maps, reads the first bytes of the answer, hangs up. */
static void *close_mid_answer(void *arg)
{
	static const char req[] = "{\"cmd\":\"maps\"}\n";
	char buf[256];

	(void)arg;
	while (!atomic_load(&stop)) {
		int fd = try_connect(sock_path);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (fd < 0)
			continue;
		if (push(fd, req, sizeof(req) - 1) && poll(&p, 1, 1000) == 1 &&
		    recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			atomic_fetch_add(&rounds[4], 1);
		close(fd);
	}
	return NULL;
}

static __u64 vm_rss_kib(pid_t pid)
{
	char *v = proc_status_field(pid, "VmRSS");
	__u64 kib = v ? strtoull(v, NULL, 10) : 0;

	free(v);
	return kib;
}

/* The length of one maps answer, in bytes. */
static size_t maps_answer_len(int fd)
{
	char *line;
	size_t len;

	send_all(fd, "{\"cmd\":\"maps\"}\n", 15);
	line = read_line(fd, WAIT_S * 1000);
	len = strlen(line);
	free(line);
	return len;
}

/* How many samples were taken in [from_ms, to_ms] (wall clock), and the
 * widest gap between two of them. */
static size_t samples_between(int fd, __u64 from_ms, __u64 to_ms,
			      __u64 *widest)
{
	json_object *v = ask_ok(fd, "{\"cmd\":\"history\"}", "history"), *pts;
	__u64 prev = 0;
	size_t n, count = 0;

	assert_true(json_object_object_get_ex(v, "points", &pts));
	n = json_object_array_length(pts);
	*widest = 0;
	for (size_t i = 0; i < n; i++) {
		__u64 t = jget_u64(json_object_array_get_idx(pts, i), "time_ms");

		if (t < from_ms || t > to_ms)
			continue;
		if (prev && t - prev > *widest)
			*widest = t - prev;
		prev = t;
		count++;
	}
	json_object_put(v);
	return count;
}

static __u64 wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void answers_and_samples_through_hostile_clients(void **state)
{
	void *(*const attacks[])(void *) = { flood, half_lines, huge_lines,
					     never_read, close_mid_answer };
	static const char *const names[] = { "flood rounds", "half lines",
					     "1 MiB lines", "never-read rounds",
					     "closed mid-answer" };
	pthread_t th[5];
	struct daemon d;
	double t0, worst = 0, end;
	__u64 base_kib, peak_kib, bound_kib, start_ms, stop_ms, gap;
	size_t maps_len, samples, answers = 0;
	int fd;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 1s\nhistory = 1m\nsnapshot_every = 0\n");
	sock_path = d.sock;
	fd = conn(&d);
	maps_len = maps_answer_len(fd);
	base_kib = peak_kib = vm_rss_kib(d.pid);
	/* each client's queue stops taking requests at CLIENT_OUT_HIGH, so
	 * holds at most that plus one answer; every other client at most
	 * its input buffer (a request is 64 KiB at most); SLACK_KIB for the
	 * rest (the allocator's arenas of the collection thread) */
	bound_kib = base_kib + NEVER_READ * (CLIENT_OUT_HIGH + maps_len) / 1024 +
		    (FLOOD_CONNS + STALLED_HALF + HUGE_LINES) * 256 +
		    SLACK_KIB;
	atomic_store(&stop, false);
	start_ms = wall_ms();
	for (int i = 0; i < 5; i++)
		assert_int_equal(pthread_create(&th[i], NULL, attacks[i], NULL), 0);
	end = now_s() + HOSTILE_S;
	while (now_s() < end) {
		__u64 kib;

		t0 = now_s();
		json_object_put(ask_ok(fd, "{\"cmd\":\"summary\"}", "summary"));
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
		answers++;
		kib = vm_rss_kib(d.pid);
		if (kib > peak_kib)
			peak_kib = kib;
		usleep(20000);
	}
	atomic_store(&stop, true);
	stop_ms = wall_ms();
	for (int i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	/* the sample due at stop_ms is stamped when its collection ends */
	wait_samples(&d, 2);
	samples = samples_between(fd, start_ms, stop_ms, &gap);
	print_message("# %zu answers to the well-behaved client, the slowest %.1f ms; RSS %llu KiB before, %llu KiB at most (bound %llu KiB); %zu samples in %.1f s, widest gap %llu ms (interval %d ms); maps answer %zu bytes\n",
		      answers, worst * 1000, (unsigned long long)base_kib,
		      (unsigned long long)peak_kib,
		      (unsigned long long)bound_kib, samples,
		      (stop_ms - start_ms) / 1000.0,
		      (unsigned long long)gap, INTERVAL_MS, maps_len);
	for (int i = 0; i < 5; i++) {
		print_message("#   %s: %lu\n", names[i],
			      atomic_load(&rounds[i]));
		/* every attack did happen */
		assert_true(atomic_load(&rounds[i]) > 0);
	}
	/* a bound that catches a hang, never a pace */
	assert_true(worst < WAIT_S / 4);
	assert_true(peak_kib <= bound_kib);
	/* sampling at a fixed rate: one sample an interval, give or take
	 * the one at each end; a skipped tick is one fewer (a sample is
	 * stamped when its collection ends, so gaps alone vary with load) */
	assert_true(samples + 1 >= (stop_ms - start_ms) / INTERVAL_MS);
	/* and it still answers once they are gone */
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
}

/* The error code of a response, or NULL for an answer. */
static const char *error_code(json_object *v)
{
	json_object *e;

	return json_object_object_get_ex(v, "error", &e) ? jget_str(e, "code") :
							   NULL;
}

/*
 * All clients together hold at most max_unread bytes of answers: with
 * clients asking for maps and never reading, a further answer that
 * would pass it is refused as busy, naming the setting, while small
 * answers still go; once those clients hang up, answers flow again.
 */
static void unread_answers_are_bounded_for_all_clients(void **state)
{
	enum { SILENT = 4 };
	/* 2,000 maps held by 4 processes (the VM allows 1,024 files a
	 * process): answers of 2 MB, whatever else the kernel holds */
	static char *hold[] = { "--hold", "2000", "--procs", "4", NULL };
	static const char req[] = "{\"cmd\":\"maps\"}\n";
	int silent[SILENT], fd, rcv = 4096;
	struct fixture fx;
	const char *code = NULL;
	json_object *v = NULL;
	struct daemon d;
	double deadline;

	(void)state;
	assert_int_equal(fixture_start(&fx, hold), 0);
	daemon_start(&d, "[daemon]\ninterval = 1h\nsnapshot_every = 0\nmax_unread = 1MiB\n");
	sock_path = d.sock;
	fd = conn(&d);
	assert_true(maps_answer_len(fd) > (1u << 20));
	/* each answered (its first bytes arrived), none read: the first
	 * answer fills the bound (an answer alone always goes), the others
	 * are refused */
	for (int i = 0; i < SILENT; i++) {
		struct pollfd p = { .events = POLLIN };

		silent[i] = p.fd = conn(&d);
		setsockopt(silent[i], SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		send_all(silent[i], req, sizeof(req) - 1);
		assert_int_equal(poll(&p, 1, WAIT_S * 1000), 1);
	}
	/* so ours is refused, naming the setting */
	v = ask(fd, "{\"cmd\":\"maps\"}");
	code = error_code(v);
	assert_non_null(code);
	assert_string_equal(code, "busy");
	assert_non_null(strstr(jget_str(jget(v, "error"), "message"),
			       "max_unread"));
	json_object_put(v);
	json_object_put(ask_ok(fd, "{\"cmd\":\"version\"}", "version"));
	for (int i = 0; i < SILENT; i++)
		close(silent[i]);
	/* gone: answered again */
	for (deadline = now_s() + WAIT_S;;) {
		v = ask(fd, "{\"cmd\":\"maps\"}");
		code = error_code(v);
		json_object_put(v);
		if (!code)
			break;
		assert_string_equal(code, "busy");
		assert_true(now_s() < deadline);
		usleep(50000);
	}
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(fixture_stop(&fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(answers_and_samples_through_hostile_clients),
		daemon_test(unread_answers_are_bounded_for_all_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
