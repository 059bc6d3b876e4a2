// SPDX-License-Identifier: GPL-2.0
/* bpfmemd: keeps the ledger of BPF kernel memory and serves it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "daemon/daemon.h"
#include "daemon/duration.h"
#include "daemon/journal.h"
#include "base/log.h"

/* LSB's "program is not configured", as systemd shows it */
#define EXIT_BAD_CONFIG 6

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfmemd [OPTIONS]\n"
		"\n"
		"Keeps the ledger of BPF kernel memory current and serves it on a Unix\n"
		"socket (docs/PROTOCOL.md) and in STATE_DIR/snapshot.json.\n"
		"\n"
		"Options (they win over the configuration file):\n"
		"  -c, --config FILE     configuration (default " CONFIG_DEFAULT_PATH ";\n"
		"                        a missing default file means the defaults)\n"
		"  -s, --socket PATH     socket to bind (default " CONFIG_DEFAULT_SOCKET ")\n"
		"  -d, --state-dir DIR   snapshot directory (default " CONFIG_DEFAULT_STATE_DIR ")\n"
		"  -i, --interval DUR    time between samples: 100ms, 2s, 1m (default 5s)\n"
		"  -f, --foreground      stay in the foreground (as under systemd)\n"
		"      --check-config    check the configuration, print it and exit\n"
		"  -v, --verbose         debug messages, libbpf's too\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Signals: SIGHUP reloads the configuration, SIGUSR1 writes a snapshot,\n"
		"SIGTERM stops. Exit status: 0 success, 1 runtime failure, 2 usage error,\n"
		"3 missing privileges, 4 the kernel lacks what bpfmem needs,\n"
		"6 invalid configuration.\n");
}

static int add_override(struct bpfmemd *d, const char *key, const char *option,
			const char *value)
{
	for (size_t i = 0; i < d->nr_overrides; i++) {
		if (!strcmp(d->overrides[i].key, key)) {
			d->overrides[i].value = value;
			return 0;
		}
	}
	if (d->nr_overrides == MAX_OVERRIDES)
		return -E2BIG;
	d->overrides[d->nr_overrides++] = (struct config_override){
		.key = key, .option = option, .value = value,
	};
	return 0;
}

static void print_value(const char *key, const struct alert_rule *r,
			double v)
{
	if (r->metric == ALERT_BYTES_REAL || r->metric == ALERT_BYTES_MEMLOCK ||
	    r->metric == ALERT_GROWTH_PER_MIN)
		printf("%s = %.0fB\n", key, v);
	else
		printf("%s = %g\n", key, v);
}

static void print_rule(const struct alert_rule *r)
{
	char d[32];

	printf("\n[alert:%s]\nscope = %s\n", r->name,
	       alert_scope_name(r->scope));
	if (r->match != ALERT_MATCH_ALL)
		printf("match = %s:%s\n",
		       r->match == ALERT_MATCH_TYPE ? "type" : "name",
		       r->pattern);
	printf("metric = %s\n", alert_metric_name(r->metric));
	if (r->metric != ALERT_DYING) {
		print_value(r->below ? "below" : "above", r, r->threshold);
		print_value(r->below ? "resolve_above" : "resolve_below", r,
			    r->resolve);
	}
	printf("for = %s\n", duration_format(r->for_ms, d, sizeof(d)));
	printf("repeat = %s\n", duration_format(r->repeat_ms, d, sizeof(d)));
	printf("severity = %s\n", alert_severity_name(r->severity));
	if (r->exec[0])
		printf("exec = %s\ntimeout = %s\n", r->exec,
		       duration_format(r->timeout_ms, d, sizeof(d)));
	if (r->user[0])
		printf("user = %s\n", r->user);
}

static void print_config(const struct bpfmemd *d)
{
	char iv[32], hist[32], walks[32], snap[32];

	printf("%s: valid\n"
	       "[daemon]\n"
	       "interval = %s\n"
	       "history = %s\n"
	       "walk_interval = %s\n"
	       "snapshot_every = %s\n"
	       "socket = %s\n"
	       "state_dir = %s\n"
	       "group = %s\n"
	       "hook_user = %s\n"
	       "max_hooks = %u\n"
	       "max_unread = %lluMiB\n"
	       "lifecycle = %s\n"
	       "trace_allocations = %s\n"
	       "traced_allocations = %u\n",
	       d->config_path, duration_format(d->cfg.interval_ms, iv, sizeof(iv)),
	       duration_format(d->cfg.history_ms, hist, sizeof(hist)),
	       duration_format(d->cfg.walk_interval_ms, walks,
			       sizeof(walks)),
	       d->cfg.snapshot_every_ms ?
		       duration_format(d->cfg.snapshot_every_ms, snap,
				       sizeof(snap)) :
		       (snprintf(snap, sizeof(snap), "%u",
				 d->cfg.snapshot_every), snap),
	       d->cfg.socket, d->cfg.state_dir,
	       d->cfg.group, d->cfg.hook_user,
	       d->cfg.max_hooks,
	       (unsigned long long)(d->cfg.max_unread >> 20),
	       config_lifecycle_name(d->cfg.lifecycle),
	       d->cfg.trace_allocations ? "yes" : "no",
	       d->cfg.traced_allocations);
	printf("[prometheus]\n");
	if (d->cfg.prom_listen[0])
		printf("listen = %s\n", d->cfg.prom_listen);
	if (d->cfg.prom_textfile[0])
		printf("textfile = %s\n", d->cfg.prom_textfile);
	printf("max_series = %u\n", d->cfg.prom_max_series);
	for (size_t i = 0; i < d->cfg.alerts.n; i++)
		print_rule(&d->cfg.alerts.v[i]);
}

/*
 * Forks; the parent waits until the child is serving (or has failed) and
 * exits with its status, so that `bpfmemd` started by hand returns once
 * the socket answers. Returns in the child only, with *ready_fd to close
 * when ready.
 */
static int detach(int *ready_fd)
{
	int pipefd[2], status, null;
	char byte;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid) {
		close(pipefd[1]);
		if (read(pipefd[0], &byte, 1) == 1)
			_exit(EXIT_OK);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			_exit(EXIT_FAILURE_RUNTIME);
		_exit(WEXITSTATUS(status));
	}
	close(pipefd[0]);
	setsid();
	if (chdir("/"))
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	*ready_fd = pipefd[1];
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK_CONFIG = 256 };
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	static struct bpfmemd d = { .config_path = CONFIG_DEFAULT_PATH };
	bool foreground = false, check = false;
	int verbose = 0, opt, ready_fd = -1, code;
	struct group *grp;
	char msg[1024];

	log_set_ident("bpfmemd");
	/* A sample's arrays (megabytes at 10,000 maps) and large answers are
	 * mapped apart and given back when freed: in the heap, freed samples
	 * kept the RSS at its peak (72 MiB at 10,000 maps). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	while ((opt = getopt_long(argc, argv, "c:s:d:i:fvhV", long_opts,
				  NULL)) != -1) {
		int err = 0;

		switch (opt) {
		case 'c':
			d.config_path = optarg;
			d.config_given = true;
			break;
		case 's':
			err = add_override(&d, "socket", "--socket", optarg);
			break;
		case 'd':
			err = add_override(&d, "state_dir", "--state-dir",
					   optarg);
			break;
		case 'i':
			err = add_override(&d, "interval", "--interval", optarg);
			break;
		case 'f':
			foreground = true;
			break;
		case OPT_CHECK_CONFIG:
			check = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("bpfmemd %s\n", BPFMEM_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (err) {
			fprintf(stderr, "bpfmemd: too many options\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bpfmemd: unexpected argument '%s'; try bpfmemd --help\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (config_read(&d.cfg, d.config_path, d.config_given, d.overrides,
			d.nr_overrides, msg, sizeof(msg))) {
		fprintf(stderr, "bpfmemd: %s\n", msg);
		return EXIT_BAD_CONFIG;
	}
	if (check) {
		print_config(&d);
		config_free(&d.cfg);
		return EXIT_OK;
	}

	log_set_level(verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_route_libbpf();
	if (journal_wanted())
		journal_use();
	grp = getgrnam(d.cfg.group);
	d.gid = grp ? grp->gr_gid : (gid_t)-1;
	if (!grp)
		log_warn("group '%s' does not exist: only root can use the socket; create it (systemd-sysusers, or groupadd --system %s)\n",
			 d.cfg.group, d.cfg.group);
	if (!foreground && detach(&ready_fd)) {
		log_error("going to the background failed: %s; use --foreground\n",
			  strerror(errno));
		return EXIT_FAILURE_RUNTIME;
	}
	d.ready_fd = ready_fd;
	code = daemon_run(&d);
	return code;
}
