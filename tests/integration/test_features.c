// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmem features against this kernel, each answer checked by a try of
 * the test's own (a map created, a program loaded and attached by raw
 * syscalls, the BTF read, the mounts read); then, in a mount namespace of
 * this process where the memory hierarchy and debugfs are unmounted,
 * that bpfmem says so once and still lists what it can.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

static json_object *feature(json_object *root, const char *name)
{
	json_object *arr = jget(root, "features");

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!strcmp(jget_str(e, "name"), name))
			return e;
	}
	print_error("bpfmem features lists no %s\n", name);
	fail();
	return NULL;
}

static bool available(json_object *root, const char *name)
{
	return json_object_get_boolean(jget(feature(root, name), "available"));
}

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* A tracepoint program on syscalls/sys_enter_bpf, through perf. */
static bool tracepoint_attaches(void)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT,
					.size = sizeof(attr),
					.sample_period = 1,
					.wakeup_events = 1 };
	char *id = read_text("/sys/kernel/tracing/events/syscalls/sys_enter_bpf/id");
	int prog, pfd = -1;
	bool ok = false;

	attr.config = strtoull(id, NULL, 10);
	free(id);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", ret0, 2, NULL);
	if (prog >= 0 && attr.config)
		pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
	if (pfd >= 0)
		ok = !ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog);
	if (pfd >= 0)
		close(pfd);
	if (prog >= 0)
		close(prog);
	return ok;
}

/* Mount points of memory hierarchies (v1 memory, v2 with memory),
 * from the mount table: at most max, how many. */
static int memcg_mounts(char mounts[][256], int max)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[256], dir[256], type[64], opts[1024];
	int n = 0;

	assert_non_null(f);
	while (n < max && fscanf(f, "%255s %255s %63s %1023s %*d %*d", dev, dir,
				 type, opts) == 4) {
		bool mem = false;

		if (!strcmp(type, "cgroup")) {
			mem = strstr(opts, "memory") != NULL;
		} else if (!strcmp(type, "cgroup2")) {
			char path[300], *c;

			snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
			c = read_text(path);
			mem = strstr(c, "memory") != NULL;
			free(c);
		}
		if (mem)
			snprintf(mounts[n++], 256, "%s", dir);
	}
	fclose(f);
	return n;
}

static void features_match_the_kernel(void **state)
{
	char *argv[] = { BPFMEM, "features", "--json", NULL };
	char *table[] = { BPFMEM, "features", NULL };
	char *maps[] = { BPFMEM, "maps", "--json", "--no-daemon", NULL };
	char mounts[4][256];
	json_object *root = run_json(argv), *arr, *h;
	char *out = NULL;
	int rb;

	(void)state;
	assert_int_equal(available(root, "btf"),
			 !access("/sys/kernel/btf/vmlinux", R_OK));
	assert_int_equal(available(root, "kfunc_bpf_map_sum_elem_count"),
			 kernel_has_kfunc("bpf_map_sum_elem_count"));
	assert_int_equal(available(root, "kfunc_bpf_get_kmem_cache"),
			 kernel_has_kfunc("bpf_get_kmem_cache"));
	assert_int_equal(available(root, "map_mem_usage"),
			 kernel_struct_has("bpf_map_ops", "map_mem_usage"));
	assert_int_equal(available(root, "memcg"), memcg_mounts(mounts, 4) > 0);
	assert_int_equal(available(root, "debugfs_percpu_stats"),
			 !access("/sys/kernel/debug/percpu_stats", R_OK));
	rb = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);
	assert_int_equal(available(root, "ringbuf"), rb >= 0);
	if (rb >= 0)
		close(rb);
	assert_int_equal(available(root, "fentry"), fentry_attaches());
	assert_int_equal(available(root, "tracepoint"), tracepoint_attaches());
	/* bpfmem lists maps, programs and holders with these */
	assert_int_equal(run_capture(maps, NULL, NULL), 0);
	assert_true(available(root, "iter_bpf_map"));
	assert_true(available(root, "iter_bpf_prog"));
	assert_true(available(root, "iter_task_file"));
	assert_true(available(root, "iter_bpf_link"));

	h = jget(root, "hooks_backend");
	assert_non_null(h);
	print_message("# fentry %s; hooks: %s, because %s\n",
		      available(root, "fentry") ? "attaches" : "refused",
		      jget_str(h, "name"), jget_str(h, "reason"));
	if (!available(root, "fentry")) {
		assert_string_equal(jget_str(h, "name"), "tracepoint");
		assert_non_null(strstr(jget_str(h, "reason"), "refused"));
	} else {
		assert_string_equal(jget_str(h, "name"), "fentry");
	}
	/* the table names every feature the JSON does */
	assert_int_equal(run_capture(table, &out, NULL), 0);
	arr = jget(root, "features");
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		assert_non_null(strstr(out, jget_str(json_object_array_get_idx(arr, i), "name")));
	assert_non_null(strstr(out, "accounting hooks: "));
	free(out);
	json_object_put(root);
}

static void unprivileged_features_exits_3(void **state)
{
	int pipefd[2], status;
	char buf[512] = "";
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (!pid) {
		dup2(pipefd[1], 2);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(99);
		execl(BPFMEM, BPFMEM, "features", (char *)NULL);
		_exit(98);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], buf, sizeof(buf) - 1) > 0);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_non_null(strstr(buf, "CAP_SYS_ADMIN"));
}

/* bpfmemd probes once at start and answers what bpfmem finds. */
static void bpfmemd_answers_features(void **state)
{
	char *argv[] = { BPFMEM, "features", "--json", NULL };
	json_object *cli = run_json(argv), *arr, *h;
	struct daemon d;
	int fd;

	(void)state;
	daemon_start(&d, "[daemon]\ninterval = 1s\nsnapshot_every = 0\n");
	fd = conn(&d);
	arr = ask_ok(fd, "{\"cmd\":\"features\"}", "features");
	h = ask_ok(fd, "{\"cmd\":\"features\"}", "hooks_backend");
	assert_int_equal(json_object_array_length(arr),
			 json_object_array_length(jget(cli, "features")));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		assert_int_equal(json_object_get_boolean(jget(e, "available")),
				 available(cli, jget_str(e, "name")));
	}
	assert_string_equal(jget_str(h, "name"),
			    jget_str(jget(cli, "hooks_backend"), "name"));
	close(fd);
	assert_int_equal(daemon_stop(&d), 0);
	json_object_put(arr);
	json_object_put(h);
	json_object_put(cli);
}

/* Lines of text. */
static int lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The memlock of fd from its fdinfo: the kernel's figure. */
static __u64 fdinfo_memlock(int fd)
{
	char path[64], *text, *p;
	__u64 v;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	text = read_text(path);
	p = strstr(text, "memlock:");
	assert_non_null(p);
	v = strtoull(p + 8, NULL, 10);
	free(text);
	return v;
}

/* Last: this process leaves its mount namespace for one without the
 * memory hierarchy and debugfs, which bpfmem's children inherit. */
static void without_memcg_and_debugfs(void **state)
{
	char *maps[] = { BPFMEM, "maps", "--json", "--no-daemon", "--no-cache", NULL };
	char *cgroups[] = { BPFMEM, "cgroups", "--no-daemon", "--no-cache", NULL };
	char *cgroups_json[] = { BPFMEM, "cgroups", "--json", "--no-daemon", "--no-cache", NULL };
	char *features[] = { BPFMEM, "features", "--json", NULL };
	char mounts[8][256];
	json_object *root, *m;
	char *out = NULL, *err = NULL;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, n;

	(void)state;
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	/* or the unmounts would reach the machine's namespace */
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	n = memcg_mounts(mounts, 8);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(umount2(mounts[i], MNT_DETACH), 0);
	if (umount2("/sys/kernel/debug", MNT_DETACH))
		assert_int_equal(errno, EINVAL);	/* not mounted */
	assert_int_equal(memcg_mounts(mounts, 8), 0);

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "feat_nomemcg", 4, 8, 64, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);

	/* maps: listed, memcg null, one message naming the fix */
	assert_int_equal(run_capture(maps, &out, &err), 0);
	root = json_tokener_parse(out);
	assert_non_null(root);
	m = json_find_id(root, info.id);
	assert_non_null(m);
	assert_int_equal(jget_u64(m, "bytes_memlock"), fdinfo_memlock(fd));
	assert_true(json_object_object_get_ex(m, "memcg", &m));
	assert_null(m);
	assert_int_equal(lines(err), 1);
	assert_non_null(strstr(err, "memcg is missing (no memory hierarchy mounted)"));
	assert_non_null(strstr(err, "memcg is null"));
	assert_non_null(strstr(err, "mount -t cgroup2"));
	json_object_put(root);
	free(out);
	free(err);

	/* cgroups: empty, and the same one message says why */
	assert_int_equal(run_capture(cgroups_json, &out, &err), 0);
	assert_string_equal(out, "[]\n");
	assert_int_equal(lines(err), 1);
	assert_non_null(strstr(err, "`bpfmem cgroups` lists nothing"));
	free(out);
	free(err);
	assert_int_equal(run_capture(cgroups, &out, &err), 0);
	assert_int_equal(lines(out), 1);	/* the header */
	assert_int_equal(lines(err), 1);
	free(out);
	free(err);

	root = run_json(features);
	assert_false(available(root, "memcg"));
	assert_string_equal(jget_str(feature(root, "memcg"), "result"),
			    "no memory hierarchy mounted");
	assert_false(available(root, "debugfs_percpu_stats"));
	assert_string_equal(jget_str(feature(root, "debugfs_percpu_stats"), "result"),
			    "debugfs is not mounted at /sys/kernel/debug");
	/* the cgroup iterator falls back to another cgroup, or says why not */
	assert_true(available(root, "iter_bpf_map"));
	json_object_put(root);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(features_match_the_kernel),
		daemon_test(unprivileged_features_exits_3),
		daemon_test(bpfmemd_answers_features),
		daemon_test(without_memcg_and_debugfs),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("features", tests, NULL, NULL);
}
