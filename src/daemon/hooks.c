// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include "daemon/alert_rule.h"
#include "daemon/duration.h"
#include "daemon/hooks.h"
#include "base/log.h"

struct job {
	struct job *next;	/* in the queue */
	struct hooks *h;
	char *label, *exec, *input;
	char **env;
	size_t len;
	uint64_t timeout_ms;
	pid_t pid;
	sd_event_source *child, *timer, *out;
	char line[HOOKS_LINE_MAX + 1];
	size_t line_len;
	bool timed_out;
	struct hook_user user;
	bool user_failed;	/* taking user's identity failed (logged) */
};

struct hooks {
	sd_event *e;
	unsigned int max, running;
	struct job *head, *tail;	/* waiting */
	size_t queued;
	struct job **live;		/* started, not yet freed */
	size_t nr_live, cap_live;
};

int hooks_new(sd_event *e, unsigned int max, struct hooks **out)
{
	struct hooks *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->e = sd_event_ref(e);
	h->max = max;
	*out = h;
	return 0;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	sd_event_source_disable_unref(j->child);
	sd_event_source_disable_unref(j->timer);
	sd_event_source_disable_unref(j->out);
	for (char **e = j->env; e && *e; e++)
		free(*e);
	free(j->env);
	free(j->label);
	free(j->exec);
	free(j->input);
	free(j);
}

static void log_hook(const struct job *j, enum log_level level,
		     const char *fmt, const char *what)
{
	char pid[16];
	struct log_field f[] = {
		{ "BPFMEM_HOOK", j->label },
		{ "BPFMEM_HOOK_PID", pid },
		{ "BPFMEM_HOOK_EXEC", j->exec },
	};

	snprintf(pid, sizeof(pid), "%d", j->pid);
	log_fields(level, f, 3, fmt, j->label, j->pid, what);
}

/* Forgets a started job; frees it once its output is read too. */
static void untrack(struct job *j)
{
	struct hooks *h = j->h;

	for (size_t i = 0; i < h->nr_live; i++) {
		if (h->live[i] == j) {
			h->live[i] = h->live[--h->nr_live];
			break;
		}
	}
	job_free(j);
}

static void maybe_done(struct job *j)
{
	if (!j->child && !j->out)
		untrack(j);
}

static void start_next(struct hooks *h);

static void flush_line(struct job *j)
{
	if (!j->line_len)
		return;
	j->line[j->line_len] = '\0';
	log_hook(j, LOG_LVL_INFO, "%s: hook [%d] said: %s\n", j->line);
	j->line_len = 0;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct job *j = ud;
	char buf[4096];
	ssize_t n;

	(void)s;
	(void)revents;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			flush_line(j);
			continue;
		}
		j->line[j->line_len++] = buf[i];
		if (j->line_len == HOOKS_LINE_MAX)
			flush_line(j);
	}
	if (n <= 0) {
		/* end of output (or a read error: nothing more to get) */
		flush_line(j);
		j->out = sd_event_source_disable_unref(j->out);
		maybe_done(j);
	}
	return 0;
}

static int on_exit_(sd_event_source *s, const siginfo_t *si, void *ud)
{
	struct job *j = ud;
	char why[96];

	(void)s;
	if (si->si_code == CLD_EXITED && !si->si_status) {
		log_hook(j, LOG_LVL_DEBUG, "%s: hook [%d] %s\n", "succeeded");
	} else {
		if (si->si_code == CLD_EXITED)
			snprintf(why, sizeof(why), "exited with status %d",
				 si->si_status);
		else
			snprintf(why, sizeof(why), "was killed by signal %d%s",
				 si->si_status,
				 j->timed_out ? " at its timeout" : "");
		log_hook(j, LOG_LVL_WARN, "%s: hook [%d] failed: it %s\n",
			 why);
	}
	j->child = sd_event_source_disable_unref(j->child);
	j->timer = sd_event_source_disable_unref(j->timer);
	j->h->running--;
	start_next(j->h);
	maybe_done(j);
	return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *ud)
{
	struct job *j = ud;
	char t[32];

	(void)s;
	(void)usec;
	duration_format(j->timeout_ms, t, sizeof(t));
	log_hook(j, LOG_LVL_WARN,
		 "%s: hook [%d] still runs after its timeout of %s: killing its process group\n",
		 t);
	j->timed_out = true;
	/* the whole group: a script's own children hold its output too */
	if (kill(-j->pid, SIGKILL))
		log_error("%s: killing hook [%d] failed: %s: bpfmemd needs CAP_KILL for a hook that runs as another user\n",
			  j->label, j->pid, strerror(errno));
	return 0;
}

/* What failed in the child before exec, sent back on a close-on-exec
 * pipe: an exec that succeeds closes it with nothing written. */
struct child_failure {
	int err;
	bool user;		/* taking the hook's identity, not exec */
};

/* The child between fork and exec: async-signal-safe calls only. The
 * daemon blocks its signals for sd-event and ignores SIGPIPE: the hook
 * starts clean, in a process group of its own. */
_Noreturn static void child(const struct job *j, char *const argv[], int in,
		  int out, int report)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct child_failure f = {};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setpgid(0, 0) || dup2(in, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0) {
		f.err = errno;
	} else {
		f.err = -hook_user_enter(&j->user);
		f.user = f.err != 0;
		if (!f.err) {
			execve(argv[0], argv, j->env);
			f.err = errno;
		}
	}
	if (write(report, &f, sizeof(f)) < 0)
		_exit(126);
	_exit(127);
}

/* Forks the hook; 0 once it exec'd, or -errno (logged when taking its
 * identity failed). */
static int fork_hook(struct job *j, char *const argv[], int in, int out)
{
	struct child_failure f;
	int report[2];
	ssize_t n;

	if (pipe2(report, O_CLOEXEC))
		return -errno;
	j->pid = fork();
	if (!j->pid)
		child(j, argv, in, out, report[1]);
	close(report[1]);
	if (j->pid < 0) {
		close(report[0]);
		return -errno;
	}
	do
		n = read(report[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n != sizeof(f))
		return 0;
	waitpid(j->pid, NULL, 0);
	j->user_failed = f.user;
	if (f.user)
		log_error("%s: running the hook as uid %u gid %u failed: %s: bpfmemd needs CAP_SETUID and CAP_SETGID for a hook's user (CapabilityBoundingSet=)\n",
			  j->label, j->user.uid, j->user.gid, strerror(f.err));
	return -f.err;
}

/* Starts j; its output and exit come back through the loop. 0 or
 * -errno. */
static int spawn(struct job *j)
{
	struct hooks *h = j->h;
	char buf[ALERT_EXEC_MAX], *argv[ALERT_ARGV_MAX];
	int in[2], out[2], err;
	ssize_t n;

	if (alert_split_exec(j->exec, buf, sizeof(buf), argv,
			     ALERT_ARGV_MAX) < 0)
		return -EINVAL;
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		err = -errno;
		close(in[0]);
		close(in[1]);
		return err;
	}
	err = fork_hook(j, argv, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (err) {
		close(in[1]);
		close(out[0]);
		return err;
	}
	/* an empty pipe takes HOOKS_MAX_INPUT bytes without blocking */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	n = write(in[1], j->input, j->len);
	close(in[1]);
	if (n != (ssize_t)j->len)
		log_hook(j, LOG_LVL_WARN, "%s: hook [%d] %s\n",
			 "got only part of its input");
	err = sd_event_add_io(h->e, &j->out, out[0], EPOLLIN, on_output, j);
	if (err >= 0)
		err = sd_event_source_set_io_fd_own(j->out, true);
	else
		close(out[0]);
	if (err >= 0)
		err = sd_event_add_child(h->e, &j->child, j->pid, WEXITED,
					 on_exit_, j);
	if (err >= 0)
		err = sd_event_add_time_relative(h->e, &j->timer,
						 CLOCK_MONOTONIC,
						 j->timeout_ms * USEC_PER_MSEC,
						 0, on_timeout, j);
	if (err < 0) {
		/* it cannot be watched: it must not run unwatched */
		kill(-j->pid, SIGKILL);
		return err;
	}
	log_hook(j, LOG_LVL_DEBUG, "%s: hook [%d] %s\n", "started");
	return 0;
}

static int track(struct hooks *h, struct job *j)
{
	struct job **v;

	if (h->nr_live == h->cap_live) {
		v = realloc(h->live, (h->cap_live * 2 ?: 8) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->live = v;
		h->cap_live = h->cap_live * 2 ?: 8;
	}
	h->live[h->nr_live++] = j;
	return 0;
}

static void start(struct hooks *h, struct job *j)
{
	int err = track(h, j);

	if (err) {
		log_error("%s: out of memory: the hook does not run\n",
			  j->label);
		job_free(j);
		return;
	}
	err = spawn(j);
	if (err) {
		if (!j->user_failed)
			log_error("%s: running '%s' failed: %s: check the rule's exec (an absolute path to an executable file)\n",
				  j->label, j->exec, strerror(-err));
		/* a child that did start is gone with its group */
		if (j->child)
			h->running++;
		else
			untrack(j);
		return;
	}
	h->running++;
}

static void start_next(struct hooks *h)
{
	while (h->head && h->running < h->max) {
		struct job *j = h->head;

		h->head = j->next;
		if (!h->head)
			h->tail = NULL;
		h->queued--;
		start(h, j);
	}
}

void hooks_set_max(struct hooks *h, unsigned int max)
{
	h->max = max;
	start_next(h);
}

static char **copy_env(char *const *env)
{
	size_t n = 0;
	char **out;

	while (env[n])
		n++;
	out = calloc(n + 1, sizeof(*out));
	for (size_t i = 0; out && i < n; i++) {
		out[i] = strdup(env[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			return NULL;
		}
	}
	return out;
}

int hooks_run(struct hooks *h, const struct hook_run *r)
{
	struct job *j;

	if (r->len > HOOKS_MAX_INPUT) {
		log_error("%s: the hook's input is %zu bytes, more than %d: not run\n",
			  r->label, r->len, HOOKS_MAX_INPUT);
		return -E2BIG;
	}
	if (h->running >= h->max && h->queued >= HOOKS_MAX_QUEUED) {
		log_error("%s: %u hooks run and %d wait: this one is dropped; raise max_hooks or make the hooks faster\n",
			  r->label, h->running, HOOKS_MAX_QUEUED);
		return -ENOBUFS;
	}
	j = calloc(1, sizeof(*j));
	if (j) {
		j->h = h;
		j->label = strdup(r->label);
		j->exec = strdup(r->exec);
		j->input = malloc(r->len ?: 1);
		j->env = copy_env(r->env);
		j->len = r->len;
		j->timeout_ms = r->timeout_ms;
		j->user = *r->user;
	}
	if (!j || !j->label || !j->exec || !j->input || !j->env) {
		log_error("%s: out of memory: the hook does not run\n",
			  r->label);
		job_free(j);
		return -ENOMEM;
	}
	memcpy(j->input, r->input, r->len);
	if (h->tail)
		h->tail->next = j;
	else
		h->head = j;
	h->tail = j;
	h->queued++;
	start_next(h);
	return 0;
}

void hooks_free(struct hooks *h)
{
	if (!h)
		return;
	while (h->head) {
		struct job *j = h->head;

		h->head = j->next;
		job_free(j);
	}
	for (size_t i = 0; i < h->nr_live; i++)
		job_free(h->live[i]);
	free(h->live);
	sd_event_unref(h->e);
	free(h);
}
