// SPDX-License-Identifier: GPL-2.0
/* The command line: exit codes, messages, and warm runs equal cold ones. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

static void expect_exit(char *const argv[], int code, const char *in_stderr)
{
	char *err = NULL;
	int rc = run_capture(argv, NULL, &err);

	if (rc != code || (in_stderr && !strstr(err, in_stderr))) {
		print_error("%s %s: exit %d (want %d), stderr: %s\n", argv[0],
			    argv[1] ? argv[1] : "", rc, code, err);
		fail();
	}
	free(err);
}

static void usage_errors_exit_2_and_say_why(void **state)
{
	char *unknown[] = { BPFMEM, "frobnicate", NULL };
	char *bad_sort[] = { BPFMEM, "maps", "--sort", "size", NULL };
	char *prog_field[] = { BPFMEM, "maps", "--sort", "jited", NULL };
	char *bad_top[] = { BPFMEM, "maps", "--top", "0", NULL };
	char *extra[] = { BPFMEM, "maps", "progs", NULL };
	char *bad_opt[] = { BPFMEM, "--frob", NULL };

	(void)state;
	expect_exit(unknown, 2, "unknown command 'frobnicate'");
	expect_exit(bad_sort, 2, "valid map fields");
	expect_exit(prog_field, 2, "valid map fields");
	expect_exit(bad_top, 2, "--top takes a positive number");
	expect_exit(extra, 2, "unexpected argument 'progs'");
	expect_exit(bad_opt, 2, NULL);
}

static void help_and_version_exit_0(void **state)
{
	char *help[] = { BPFMEM, "--help", NULL };
	char *version[] = { BPFMEM, "--version", NULL };
	char *out = NULL;

	(void)state;
	assert_int_equal(run_capture(help, &out, NULL), 0);
	assert_non_null(strstr(out, "Usage: bpfmem"));
	assert_non_null(strstr(out, "Exit status"));
	free(out);
	assert_int_equal(run_capture(version, &out, NULL), 0);
	assert_int_equal(strncmp(out, "bpfmem ", 7), 0);
	free(out);
}

static void unprivileged_run_exits_3_and_names_the_fix(void **state)
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
		execl(BPFMEM, BPFMEM, "maps", (char *)NULL);
		_exit(98);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], buf, sizeof(buf) - 1) > 0);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_non_null(strstr(buf, "CAP_SYS_ADMIN"));
	assert_non_null(strstr(buf, "root"));
	/* one line */
	assert_int_equal(strchr(buf, '\n') - buf + 1, (long)strlen(buf));
}

static void every_command_prints_one_json_value(void **state)
{
	static const char *const cmds[] = { "maps", "progs", "summary",
					    "report" };

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		char *argv[] = { BPFMEM, (char *)cmds[i], "--json", NULL };
		char *pretty[] = { BPFMEM, (char *)cmds[i], "--pretty", NULL };
		json_object *a = run_json(argv), *b = run_json(pretty);

		assert_true(json_object_is_type(a, json_object_get_type(b)));
		json_object_put(a);
		json_object_put(b);
	}
}

static bool held_by(json_object *obj, pid_t pid)
{
	json_object *pids = json_object_object_get(obj, "pids");

	for (size_t i = 0; i < json_object_array_length(pids); i++)
		if (jget_u64(json_object_array_get_idx(pids, i), "pid") ==
		    (__u64)pid)
			return true;
	return false;
}

/* The maps pid holds in a equal those in b, by id: how many, or -1 (the
 * first that differs printed where report). */
static int same_held_maps(json_object *a, json_object *b, pid_t pid,
			  bool report)
{
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i), *o;

		if (!held_by(m, pid))
			continue;
		o = json_find_id(b, jget_u64(m, "id"));
		if (!o || !json_object_equal(m, o)) {
			if (report)
				print_error("a: %s\nb: %s\n",
					    json_object_to_json_string(m),
					    o ? json_object_to_json_string(o) :
						"none");
			return -1;
		}
		n++;
	}
	return n;
}

/* Compared on the fixture's maps: a cold run's own libbpf probes
 * (libbpf_det_bind) live on, unheld, until an RCU grace period frees the
 * probe program (up to 10 s with lazy RCU), and other processes' maps
 * come and go. */
static void warm_and_cold_runs_agree(void **state)
{
	/* in-process: a bpfmemd running here would answer both */
	char *cold[] = { BPFMEM, "--no-daemon", "maps", "--json", "--sort",
			 "id", "--no-cache", NULL };
	char *warm[] = { BPFMEM, "--no-daemon", "maps", "--json", "--sort",
			 "id", NULL };
	static char *fill[] = { "--fill", NULL };
	struct fixture fx;
	json_object *a = NULL, *b = NULL;
	int n;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	json_object_put(run_json(warm));	/* pins the iterators */
	/* Freshly filled maps without preallocation still move objects
	 * between bpf_mem_alloc's per-CPU caches and the kernel while RCU
	 * grace periods end, and their real bytes with them: a pair of runs
	 * must agree once that has settled. */
	for (int try = 0; try < 10; try++) {
		json_object_put(a);
		json_object_put(b);
		a = run_json(cold);
		b = run_json(warm);
		n = same_held_maps(a, b, fx.pid, false);
		if (n >= 0 && same_held_maps(b, a, fx.pid, false) == n)
			break;
		usleep(500000);
	}
	n = same_held_maps(a, b, fx.pid, true);
	assert_true(n > 30);
	assert_int_equal(same_held_maps(b, a, fx.pid, true), n);
	json_object_put(a);
	json_object_put(b);
	assert_int_equal(fixture_stop(&fx), 0);
}

/* The names bpf/inventory.bpf.c gives its programs and maps. */
static bool inventory_name(const char *name, bool map)
{
	static const char *const progs[] = { "dump_maps", "dump_progs",
					     "dump_bpf_fds", "dump_links",
					     "dump_memcgs", "find_cpu_offsets" };
	static const char *const maps[] = { "cpu_probe", "loop_state",
					    "lpm_stack", "prog_scratch",
					    "memcg_out", "memcg_count",
					    "inventor.bss", "inventor.rodata" };
	const char *const *names = map ? maps : progs;
	size_t n = map ? sizeof(maps) / sizeof(*maps) :
			 sizeof(progs) / sizeof(*progs);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* None of arr's objects is bpfmem's: pinned under /sys/fs/bpf/bpfmem
 * (by bpftool), or one of the iterators' programs and maps that no
 * process holds (a cold run's own: bpfmem leaves itself out of pids;
 * other processes running bpfmem hold theirs). */
static void expect_no_own(json_object *arr, const struct own_pinned *own,
			  bool map, const char *run)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		__u32 id = jget_u64(o, "id");

		if (own_pinned_has(own, map, id) ||
		    (inventory_name(jget_str(o, "name"), map) &&
		     !json_object_array_length(jget(o, "pids")))) {
			print_error("%s run lists bpfmem's own %s %u %s\n", run,
				    map ? "map" : "program", id,
				    jget_str(o, "name"));
			fail();
		}
	}
}

static bool same_own(const struct own_pinned *a, const struct own_pinned *b)
{
	return a->nr_progs == b->nr_progs && a->nr_maps == b->nr_maps &&
	       !memcmp(a->progs, b->progs, a->nr_progs * sizeof(*a->progs)) &&
	       !memcmp(a->maps, b->maps, a->nr_maps * sizeof(*a->maps));
}

/* bpfmem's iterators and their maps are left out of listings whether
 * this run loaded them (cold) or an earlier one pinned them (warm), and
 * a cold run leaves out those pinned too. */
static void own_objects_are_hidden_cold_and_warm(void **state)
{
	static const char *const cmds[] = { "maps", "progs", "report" };
	struct own_pinned before, after;
	json_object *out[2][3] = {};

	(void)state;
	for (int try = 0; try < 5; try++) {
		for (size_t c = 0; c < 3; c++) {
			char *warm[] = { BPFMEM, "--no-daemon", (char *)cmds[c],
					 "--json", NULL };

			/* pins every iterator the commands use */
			json_object_put(run_json(warm));
		}
		memset(&before, 0, sizeof(before));
		own_pinned_read(&before);
		for (int cold = 0; cold < 2; cold++)
			for (size_t c = 0; c < 3; c++) {
				char *argv[] = { BPFMEM, "--no-daemon",
						 (char *)cmds[c], "--json",
						 cold ? "--no-cache" : NULL,
						 NULL };

				json_object_put(out[cold][c]);
				out[cold][c] = run_json(argv);
			}
		memset(&after, 0, sizeof(after));
		own_pinned_read(&after);
		/* another build of bpfmem run meanwhile removes our pins */
		if (same_own(&before, &after))
			break;
	}
	assert_true(same_own(&before, &after));
	/* maps, progs, fds, links and memcgs iterators */
	assert_true(before.nr_progs >= 5);
	assert_true(before.nr_maps >= 3);
	for (int cold = 0; cold < 2; cold++) {
		const char *run = cold ? "cold" : "warm";
		json_object *report = out[cold][2];

		expect_no_own(out[cold][0], &before, true, run);
		expect_no_own(out[cold][1], &before, false, run);
		expect_no_own(jget(report, "top_maps"), &before, true, run);
		expect_no_own(jget(report, "top_progs"), &before, false, run);
		for (size_t c = 0; c < 3; c++)
			json_object_put(out[cold][c]);
	}
}

static void top_limits_rows_and_sort_orders_them(void **state)
{
	char *argv[] = { BPFMEM, "maps", "--json", "--top", "3", "--sort",
			 "id:desc", NULL };
	static char *fill[] = { "--fill", NULL };
	struct fixture fx;
	json_object *arr;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	arr = run_json(argv);
	assert_int_equal(json_object_array_length(arr), 3);
	assert_true(jget_u64(json_object_array_get_idx(arr, 0), "id") >
		    jget_u64(json_object_array_get_idx(arr, 1), "id"));
	assert_true(jget_u64(json_object_array_get_idx(arr, 1), "id") >
		    jget_u64(json_object_array_get_idx(arr, 2), "id"));
	json_object_put(arr);
	assert_int_equal(fixture_stop(&fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_errors_exit_2_and_say_why),
		cmocka_unit_test(help_and_version_exit_0),
		cmocka_unit_test(unprivileged_run_exits_3_and_names_the_fix),
		cmocka_unit_test(every_command_prints_one_json_value),
		cmocka_unit_test(warm_and_cold_runs_agree),
		cmocka_unit_test(own_objects_are_hidden_cold_and_warm),
		cmocka_unit_test(top_limits_rows_and_sort_orders_them),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
