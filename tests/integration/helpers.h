/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the integration tests: processes, the fixture, JSON. */
#ifndef BPFMEM_TEST_HELPERS_H
#define BPFMEM_TEST_HELPERS_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include <json-c/json.h>
#include "../json_find.h"

/* the Makefile passes its $(BUILD): build, or build/asan under sanitizers */
#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif
#define BPFMEM BUILD_DIR "/bpfmem"
#define MKOBJS BUILD_DIR "/tests/mkobjs"
#define BPFMEMD BUILD_DIR "/bpfmemd"

/* Runs argv (NULL-terminated), returns its exit status (or -1) and its
 * stdout and stderr (caller frees; either may be NULL). */
int run_capture(char *const argv[], char **out, char **err);
/* Runs argv and parses its stdout as one JSON value; fails the test when
 * it exits non-zero or prints something else. */
json_object *run_json(char *const argv[]);

struct fixture {
	pid_t pid;
	int to_child;		/* closing it tells the fixture to exit */
	json_object *objects;	/* array of the lines it printed */
};

/* Starts mkobjs with args and waits for READY. */
int fixture_start(struct fixture *f, char *const args[]);
/* The same, the child first joining the cgroup whose cgroup.procs file is
 * procs (NULL: stay). */
int fixture_start_in(struct fixture *f, char *const args[], const char *procs);
/* Closes its stdin, waits for it; 0 when it exited with status 0. */
int fixture_stop(struct fixture *f);

/* The member key of obj, or NULL. */
json_object *jget(json_object *obj, const char *key);
__u64 jget_u64(json_object *obj, const char *key);
const char *jget_str(json_object *obj, const char *key);

/* Pids (ascending) of processes with an fd whose fdinfo has "KEY:\tID"
 * (map_id, prog_id, link_id, btf_id): the kernel's own view of holders. */
int procfs_holders(const char *key, __u32 id, pid_t *pids, int max);
/* Calls fn with the path of each fdinfo file of pid (the test fails
 * when pid is gone). */
void fdinfo_each(pid_t pid, void (*fn)(const char *path, void *arg),
		 void *arg);
/* The path of PID's cgroup in the hierarchy of the memory controller
 * (from /proc/PID/cgroup), or NULL. Caller frees. */
char *proc_memcg_path(pid_t pid);

/* bpfmem's pinned iterators by the kernel's word (bpftool): the programs
 * of the links pinned below /sys/fs/bpf/bpfmem/ and the maps they use. */
#define OWN_MAX 256
struct own_pinned {
	__u32 progs[OWN_MAX], maps[OWN_MAX];
	size_t nr_progs, nr_maps;
};

/* Adds id to ids[*n] (OWN_MAX at most) unless there. */
void own_add(__u32 *ids, size_t *n, __u32 id);
/* Adds what is pinned now to o (zero it first). */
void own_pinned_read(struct own_pinned *o);
bool own_pinned_has(const struct own_pinned *o, bool map, __u32 id);

/* bpfmemd started by a test, on files in /tmp/bpfmemd-test-PID. */
/* How long a test polls for a condition before it fails: a bound that
 * catches a hang, never a pace. Steps that take 0.1 s here took over
 * 60 s on the VM's one emulated CPU with the host busy (bpfmem top's
 * fall back in-process, loading its iterators). */
#define WAIT_S 120

struct daemon {
	pid_t pid;
	char dir[64];
	char sock[128];
	char state[128];
	char conf[128];
	char log[128];
};

double now_s(void);		/* CLOCK_MONOTONIC */
/* Writes text to path (created or truncated), or the test fails. */
void put_file(const char *path, const char *text);
/* Writes text to an existing file (a cgroup's, a knob); 0 or -errno,
 * without failing the test (a forked child may call it). */
int write_text_file(const char *path, const char *text);
/* The file's text ("" when unreadable); caller frees. */
char *read_text(const char *path);
/* The value of "KEY:" in /proc/PID/status (VmRSS, CapEff...), blanks
 * trimmed, or NULL; caller frees. */
char *proc_status_field(pid_t pid, const char *key);
int try_connect(const char *path);
void daemon_paths(struct daemon *d);
/* Starts bpfmemd -f with the config text; env: extra NAME=value or NULL.
 * Returns once its socket answers. */
void daemon_start_env(struct daemon *d, const char *config, const char *env);
void daemon_start(struct daemon *d, const char *config);
/* SIGTERM; its exit status. */
int daemon_stop(struct daemon *d);
/* SIGKILL, and reaps it. */
void daemon_kill(struct daemon *d);
/* SIGKILLs the daemons started and not stopped (a test failed). */
void daemons_kill(void);
/* The same as a test's teardown: a test that failed half-way leaves no
 * daemon behind to take the next test's socket. */
int daemons_teardown(void **state);
#define daemon_test(f) cmocka_unit_test_teardown(f, daemons_teardown)
/* Waits up to secs for the daemon's stderr to contain text. */
bool wait_log(const struct daemon *d, const char *text, double secs);
/* The same, or the test fails with the log printed. */
void expect_log(const struct daemon *d, const char *text, double secs);
/* A connection to its socket. */
int conn(const struct daemon *d);
void send_all(int fd, const char *buf, size_t len);
/* An executable named name in a directory of $PATH. */
bool in_path(const char *name);
/* One line from fd (caller frees), waiting at most timeout_ms. */
char *read_line(int fd, int timeout_ms);
/* Sends one request line and parses the response line. */
json_object *ask(int fd, const char *req);
/* The response's member key, or the test fails. */
json_object *ask_ok(int fd, const char *req, const char *key);
/* Waits for n samples of the daemon from now (its samples topic): the
 * last of two or more began after the call, so it shows what was done
 * before. Fails the test past WAIT_S. */
void wait_samples(const struct daemon *d, int n);
/* The next sample event on fd, subscribed to samples: its "sample"
 * object, to put. Fails the test past WAIT_S. */
json_object *next_sample(int fd);
/* A datagram socket bound at path (replaced). */
int bind_dgram(const char *path);
/* Binds journald's native socket, where bpfmemd under systemd logs, to read
 * what it sends; skips the test when a journald runs here. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
int journal_bind(void);
void journal_unbind(int fd);
/* The kernel's BTF has this function (a kfunc BPF programs may call). */
bool kernel_has_kfunc(const char *name);
/* The kernel attaches fentry programs here: the 6.1 VM does, this
 * development host refuses them. */
bool fentry_attaches(void);
/* The config line that makes bpfmemd record lifecycle events here: none
 * where its default takes the fentry backend, else the tracepoint one. */
const char *lifecycle_config(void);
/* The kernel's struct type has this member (from its BTF). */
bool kernel_struct_has(const char *type, const char *member);
/* How far a hash map's element count may be from its contents: 0 where
 * bpf_map_sum_elem_count() sums the per-CPU counters (6.6+); before, a
 * large map without preallocation keeps a percpu_counter whose total
 * lags by less than its batch on each CPU (commit 86fe28f7692d, 6.1). */
__u64 elem_count_slack(void);

#endif
