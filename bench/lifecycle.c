// SPDX-License-Identifier: GPL-2.0
/*
 * What bpfmemd costs work that is not BPF's: the same loops with no
 * daemon, with bpfmemd in its default configuration (lifecycle = auto:
 * the fentry lifecycle hooks where the kernel allows them, else none),
 * and with lifecycle = tracepoint (the opt-in backend, whose bpf()
 * syscall tracepoints send every task's syscalls through the tracing
 * path). The three states alternate in every round in a rotating order;
 * the bench is pinned to one CPU, the daemon is not. A state's time is
 * the best of REPEAT runs of a loop; a round's slowdown is state / no
 * daemon; the table gives the median over the rounds and
 * the quartiles. Each daemon is started for its state (own socket, state
 * directory and configuration under /tmp) and the loops run right after
 * one of its samples (wait_sample()).
 *
 * (a) socket(AF_UNIX) + close: two syscalls, a socket, inode, dentry and
 *     file allocated and freed.
 * (b) pipe2() + close + close: three syscalls; kmalloc-heavy (the pipe's
 *     inode info and its buffer array, two files).
 *
 * Usage: build/bench/lifecycle [ROUNDS] (15 by default); needs root and
 * build/bpfmemd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
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
#include "measure.h"

#define BPFMEMD "build/bpfmemd"
#define LOOPS 50000
#define REPEAT 5
#define MAX_ROUNDS 101

enum { SOCK, PIPE, NR_WORK };
enum { NONE, DEFAULT, TRACEPOINT, NR_STATE };

static char dir[64];

static void die(const char *what)
{
	fprintf(stderr, "bench/lifecycle: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ns per socket() + close() */
static double sockets(void)
{
	double ns = socket_churn(LOOPS);

	if (ns < 0)
		die("socket");
	return ns;
}

/* ns per pipe2() + two close() */
static double pipes(void)
{
	double t = now_ns();
	int p[2];

	for (int i = 0; i < LOOPS; i++) {
		if (pipe2(p, O_CLOEXEC))
			die("pipe2");
		close(p[0]);
		close(p[1]);
	}
	return (now_ns() - t) / LOOPS;
}

/* The best of REPEAT runs of each loop: what other work on the CPU
 * stole from a run is not the state's cost. */
static void run_all(double *out)
{
	for (int i = 0; i < REPEAT; i++) {
		double sock = sockets(), pipe = pipes();

		if (!i || sock < out[SOCK])
			out[SOCK] = sock;
		if (!i || pipe < out[PIPE])
			out[PIPE] = pipe;
	}
}

static int try_connect(const char path[108])
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Waits on the daemon's connection fd for its next sample, so that the
 * loops run between two samples (5 s apart by default): what is measured
 * is the hooks' steady tax, not sampling (bench/daemon_latency has that). */
static void wait_sample(int fd)
{
	static const char req[] = "{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}\n";
	char buf[65536];
	size_t have = 0;
	ssize_t n;

	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
		die("subscribing to the daemon's samples");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 120000) != 1)
			die("waiting 120 s for the daemon's next sample");
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			die("reading the daemon's samples");
		have += n;
		buf[have] = '\0';
		if (strstr(buf, "{\"sample\""))
			return;
		/* keep the tail, where a line may be cut */
		if (have > sizeof(buf) / 2) {
			memmove(buf, buf + have - 16, 16);
			have = 16;
		}
	}
}

/* bpfmemd with this [daemon] lifecycle line ("" for the default), once
 * it answers on its socket (its first sample taken). */
static pid_t daemon_start(const char *lifecycle)
{
	char conf[128], sock[108], state[128], text[128];
	double deadline;
	pid_t pid;
	FILE *f;
	int fd;

	snprintf(conf, sizeof(conf), "%s/bpfmemd.conf", dir);
	snprintf(sock, sizeof(sock), "%s/bpfmemd.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(text, sizeof(text), "[daemon]\n%s", lifecycle);
	f = fopen(conf, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die(conf);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(BPFMEMD, BPFMEMD, "--foreground", "--config", conf,
		      "--socket", sock, "--state-dir", state, (char *)NULL);
		_exit(127);
	}
	/* a bound for a daemon that hangs: its start took seconds under
	 * emulation */
	deadline = now_ns() + 120e9;
	while ((fd = try_connect(sock)) < 0 && now_ns() < deadline &&
	       waitpid(pid, NULL, WNOHANG) == 0)
		usleep(10000);
	if (fd < 0) {
		fprintf(stderr, "bench/lifecycle: %s did not answer on %s (run from the source tree, as root)\n",
			BPFMEMD, sock);
		kill(pid, SIGKILL);
		exit(1);
	}
	wait_sample(fd);
	close(fd);
	return pid;
}

static void daemon_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void measure(int state, double *out)
{
	pid_t pid = 0;

	if (state == DEFAULT)
		pid = daemon_start("");
	else if (state == TRACEPOINT)
		pid = daemon_start("lifecycle = tracepoint\n");
	run_all(out);
	if (pid)
		daemon_stop(pid);
}

static void print_ratio(double *ratio, int rounds)
{
	printf(" %.3f (%.3f..%.3f) |", quantile(ratio, rounds, 0.5),
	       quantile(ratio, rounds, 0.25), quantile(ratio, rounds, 0.75));
}

int main(int argc, char **argv)
{
	static const char *const names[NR_WORK] = {
		"(a) socket(AF_UNIX) + close",
		"(b) pipe2 + close + close",
	};
	static double t[NR_STATE][NR_WORK][MAX_ROUNDS];
	static double ratio[NR_STATE][NR_WORK][MAX_ROUNDS];
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	double warm[NR_WORK];
	char cmd[96];
	cpu_set_t cpus;

	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bench/lifecycle: ROUNDS is 1 to %d\n", MAX_ROUNDS);
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/bench-lifecycle-%d", getpid());
	if (mkdir(dir, 0700))
		die(dir);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("sched_setaffinity (running unpinned)");
	run_all(warm);	/* caches, slabs */
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < NR_STATE; i++) {
			int s = (r + i) % NR_STATE;
			double one[NR_WORK];

			measure(s, one);
			for (int w = 0; w < NR_WORK; w++)
				t[s][w][r] = one[w];
		}
		for (int s = 0; s < NR_STATE; s++)
			for (int w = 0; w < NR_WORK; w++)
				ratio[s][w][r] = t[s][w][r] / t[NONE][w][r];
	}
	printf("| workload | no daemon ns/op | default / no daemon (quartiles) | lifecycle = tracepoint / no daemon (quartiles) |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	for (int w = 0; w < NR_WORK; w++) {
		printf("| %s | %.0f |", names[w],
		       quantile(t[NONE][w], rounds, 0.5));
		print_ratio(ratio[DEFAULT][w], rounds);
		print_ratio(ratio[TRACEPOINT][w], rounds);
		printf("\n");
	}
	printf("\n%d rounds\n", rounds);
	/* the daemons' configuration, socket and state */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? 1 : 0;
}
