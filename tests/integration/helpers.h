/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the integration tests: processes, the fixture, JSON. */
#ifndef BPFMEM_TEST_HELPERS_H
#define BPFMEM_TEST_HELPERS_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include <json-c/json.h>

#define BUILD_DIR "build"
#define BPFMEM BUILD_DIR "/bpfmem"
#define MKOBJS BUILD_DIR "/tests/mkobjs"

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

json_object *json_find_id(json_object *arr, __u64 id);
__u64 jget_u64(json_object *obj, const char *key);
const char *jget_str(json_object *obj, const char *key);

/* Pids (ascending) of processes with an fd whose fdinfo has "KEY:\tID"
 * (map_id, prog_id, link_id, btf_id): the kernel's own view of holders. */
int procfs_holders(const char *key, __u32 id, pid_t *pids, int max);
/* The path of PID's cgroup in the hierarchy of the memory controller
 * (from /proc/PID/cgroup), or NULL. Caller frees. */
char *proc_memcg_path(pid_t pid);

#endif
