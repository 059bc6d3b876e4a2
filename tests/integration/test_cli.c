// SPDX-License-Identifier: GPL-2.0
/* The command line: exit codes, messages, and warm runs equal cold ones. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"
#include "base/format.h"

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

/* Pins every iterator with warm runs, then calls list(arg) between two
 * reads of bpfmem's pins until they agree (a run of another build of
 * bpfmem removes our pins meanwhile): *own was pinned throughout. */
static void between_stable_pins(struct own_pinned *own, void (*list)(void *),
				void *arg)
{
	static const char *const cmds[] = { "maps", "progs", "report" };
	struct own_pinned after;

	for (int try = 0; try < 5; try++) {
		for (size_t c = 0; c < 3; c++) {
			char *warm[] = { BPFMEM, "--no-daemon", (char *)cmds[c],
					 "--json", NULL };

			json_object_put(run_json(warm));
		}
		memset(own, 0, sizeof(*own));
		own_pinned_read(own);
		list(arg);
		memset(&after, 0, sizeof(after));
		own_pinned_read(&after);
		if (same_own(own, &after))
			break;
	}
	assert_true(same_own(own, &after));
	/* maps, progs, fds, links and memcgs iterators */
	assert_true(own->nr_progs >= 5);
	assert_true(own->nr_maps >= 3);
}

/* maps, progs and report, warm ([0]) and cold ([1]) */
static void list_cold_and_warm(void *arg)
{
	static const char *const cmds[] = { "maps", "progs", "report" };
	json_object *(*out)[3] = arg;

	for (int cold = 0; cold < 2; cold++)
		for (size_t c = 0; c < 3; c++) {
			char *argv[] = { BPFMEM, "--no-daemon", (char *)cmds[c],
					 "--json", cold ? "--no-cache" : NULL,
					 NULL };

			json_object_put(out[cold][c]);
			out[cold][c] = run_json(argv);
		}
}

/* bpfmem's iterators and their maps are left out of listings whether
 * this run loaded them (cold) or an earlier one pinned them (warm), and
 * a cold run leaves out those pinned too. */
static void own_objects_are_hidden_cold_and_warm(void **state)
{
	json_object *out[2][3] = {};
	struct own_pinned own;

	(void)state;
	between_stable_pins(&own, list_cold_and_warm, out);
	for (int cold = 0; cold < 2; cold++) {
		const char *run = cold ? "cold" : "warm";
		json_object *report = out[cold][2];

		expect_no_own(out[cold][0], &own, true, run);
		expect_no_own(out[cold][1], &own, false, run);
		expect_no_own(jget(report, "top_maps"), &own, true, run);
		expect_no_own(jget(report, "top_progs"), &own, false, run);
		for (size_t c = 0; c < 3; c++)
			json_object_put(out[cold][c]);
	}
}

struct daemon_listing {
	struct daemon d;
	json_object *maps, *progs;
};

static void list_daemon(void *arg)
{
	struct daemon_listing *l = arg;
	char *maps_argv[] = { BPFMEM, "--socket", l->d.sock, "maps", "--json",
			      NULL };
	char *progs_argv[] = { BPFMEM, "--socket", l->d.sock, "progs",
			       "--json", NULL };

	wait_samples(&l->d, 2);
	json_object_put(l->maps);
	json_object_put(l->progs);
	l->maps = run_json(maps_argv);
	l->progs = run_json(progs_argv);
}

/* bpfmemd leaves out its own iterators and those the command line
 * pinned, as the command line does. */
static void daemon_hides_own_objects_too(void **state)
{
	struct daemon_listing l = {};
	struct own_pinned own;

	(void)state;
	daemon_start(&l.d, "[daemon]\ninterval = 200ms\n");
	between_stable_pins(&own, list_daemon, &l);
	expect_no_own(l.maps, &own, true, "bpfmemd's");
	expect_no_own(l.progs, &own, false, "bpfmemd's");
	json_object_put(l.maps);
	json_object_put(l.progs);
	assert_int_equal(daemon_stop(&l.d), 0);
}

/* What the report's totals should be, from listings. */
struct sums {
	__u64 count, modelled, real, memlock, memlock_modelled;
	__u64 charged, root;
};

static void add_sums(struct sums *s, json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		__u64 memlock = jget_u64(o, "bytes_memlock");

		s->count++;
		s->memlock += memlock;
		if (!jget(o, "bytes_real"))
			continue;
		s->modelled++;
		s->real += jget_u64(o, "bytes_real");
		s->memlock_modelled += memlock;
		s->charged += jget_u64(o, "bytes_real_charged");
		s->root += jget_u64(o, "bytes_real_root");
	}
}

static void expect_totals(json_object *t, const struct sums *s)
{
	assert_int_equal(jget_u64(t, "count"), s->count);
	assert_int_equal(jget_u64(t, "modelled"), s->modelled);
	assert_int_equal(jget_u64(t, "not_modelled"), s->count - s->modelled);
	assert_int_equal(jget_u64(t, "bytes_real"), s->real);
	assert_int_equal(jget_u64(t, "bytes_memlock"), s->memlock);
	assert_int_equal(jget_u64(t, "bytes_memlock_modelled"),
			 s->memlock_modelled);
	assert_true(json_object_get_double(jget(t, "error_bytes")) ==
		    (double)s->memlock_modelled - (double)s->real);
}

/* The report's first lines, as the totals say they must read. */
static void expect_total_line(const char *text, const char *what,
			      const struct sums *s)
{
	char real[24], ml[16], line[128];

	format_bytes_partial(s->real, s->modelled == s->count, real,
			     sizeof(real));
	snprintf(line, sizeof(line), "\n  %-10s %7llu %11s %10s  ", what,
		 (unsigned long long)s->count, real,
		 format_bytes(s->memlock, ml, sizeof(ml)));
	if (!strstr(text, line)) {
		print_error("no line '%s' in:\n%s\n", line + 1, text);
		fail();
	}
}

/* Every id of ours is one bpftool lists, with the memlock bpftool reads
 * from fdinfo. */
static void expect_memlock_of_bpftool(json_object *ours, json_object *theirs)
{
	for (size_t i = 0; i < json_object_array_length(ours); i++) {
		json_object *o = json_object_array_get_idx(ours, i);
		json_object *b = json_find_id(theirs, jget_u64(o, "id"));

		assert_non_null(b);
		assert_int_equal(jget_u64(o, "bytes_memlock"),
				 jget_u64(b, "bytes_memlock"));
	}
}

/* Same ids, real and memlock: nothing came, went or grew between. */
static bool same_listing(json_object *a, json_object *b)
{
	static const char *const keys[] = { "id", "bytes_real",
					    "bytes_memlock" };

	if (json_object_array_length(a) != json_object_array_length(b))
		return false;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		for (size_t k = 0; k < 3; k++)
			if (!json_object_equal(
				    jget(json_object_array_get_idx(a, i), keys[k]),
				    jget(json_object_array_get_idx(b, i), keys[k])))
				return false;
	return true;
}

/* One round of listings around a report. */
struct report_round {
	json_object *maps, *progs, *report, *bt_maps, *bt_progs;
	char *text;
};

static void report_round_free(struct report_round *r)
{
	json_object_put(r->maps);
	json_object_put(r->progs);
	json_object_put(r->report);
	json_object_put(r->bt_maps);
	json_object_put(r->bt_progs);
	free(r->text);
	*r = (struct report_round){};
}

/*
 * The report leads with real bytes against memlock: its totals are the
 * sums over the listings of maps and programs taken around it (retried
 * until nothing changed meanwhile: other tests run BPF here), every
 * memlock is bpftool's, and the text's first lines say the same.
 */
static void report_totals_are_the_listings_sums(void **state)
{
	char *maps_argv[] = { BPFMEM, "--no-daemon", "maps", "--json",
			      "--sort", "id", NULL };
	char *progs_argv[] = { BPFMEM, "--no-daemon", "progs", "--json",
			       "--sort", "id", NULL };
	char *report_argv[] = { BPFMEM, "--no-daemon", "report", "--json",
				NULL };
	char *text_argv[] = { BPFMEM, "--no-daemon", "report", NULL };
	char *bt_maps_argv[] = { "bpftool", "-j", "map", "show", NULL };
	char *bt_progs_argv[] = { "bpftool", "-j", "prog", "show", NULL };
	static char *fill[] = { "--fill", NULL };
	struct report_round r = {};
	struct sums m = {}, p = {}, all;
	struct fixture fx;
	bool stable = false;

	(void)state;
	assert_int_equal(fixture_start(&fx, fill), 0);
	json_object_put(run_json(report_argv));	/* pins the iterators */
	for (int try = 0; try < 20 && !stable; try++) {
		json_object *maps2, *progs2;

		report_round_free(&r);
		r.maps = run_json(maps_argv);
		r.progs = run_json(progs_argv);
		r.report = run_json(report_argv);
		assert_int_equal(run_capture(text_argv, &r.text, NULL), 0);
		r.bt_maps = run_json(bt_maps_argv);
		r.bt_progs = run_json(bt_progs_argv);
		maps2 = run_json(maps_argv);
		progs2 = run_json(progs_argv);
		stable = same_listing(r.maps, maps2) &&
			 same_listing(r.progs, progs2);
		json_object_put(maps2);
		json_object_put(progs2);
		if (!stable)
			usleep(300000);
	}
	assert_true(stable);
	add_sums(&m, r.maps);
	add_sums(&p, r.progs);
	all = m;
	add_sums(&all, r.progs);
	/* the fixture's maps are modelled, and so is every program */
	assert_true(m.modelled > 30);
	assert_int_equal(p.modelled, p.count);
	expect_totals(jget(jget(r.report, "totals"), "maps"), &m);
	expect_totals(jget(jget(r.report, "totals"), "progs"), &p);
	expect_totals(jget(jget(r.report, "totals"), "total"), &all);
	assert_int_equal(jget_u64(jget(r.report, "totals"), "bytes_real_charged"),
			 all.charged);
	assert_int_equal(jget_u64(jget(r.report, "totals"), "bytes_real_root"),
			 all.root);
	assert_int_equal(all.charged + all.root, all.real);
	expect_memlock_of_bpftool(r.maps, r.bt_maps);
	expect_memlock_of_bpftool(r.progs, r.bt_progs);
	/* it leads with them */
	assert_int_equal(strncmp(r.text, "BPF memory: real bytes", 22), 0);
	expect_total_line(r.text, "maps", &m);
	expect_total_line(r.text, "programs", &p);
	expect_total_line(r.text, "total", &all);
	assert_true(strstr(r.text, "\nWho pays") <
		    strstr(r.text, "\nLargest objects"));
	assert_true(strstr(r.text, "\nLargest objects") <
		    strstr(r.text, "\nFill\n"));
	report_round_free(&r);
	assert_int_equal(fixture_stop(&fx), 0);
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

/* the daemon of a test that failed */
static int teardown(void **state)
{
	(void)state;
	daemons_kill();
	return 0;
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* bpfmem prepare (bpfmem-prepare.service at boot) loads and pins every
 * iterator; the kernel then holds their links in bpffs, and the first
 * listing loads no program (strace counts its bpf() commands). */
static void prepare_pins_iterators_and_listings_load_nothing(void **state)
{
	char *prepare[] = { BPFMEM, "prepare", NULL };
	char *no_cache[] = { BPFMEM, "prepare", "--no-cache", NULL };
	char *traced[] = { "strace", "-f", "-qq", "-e", "trace=bpf", BPFMEM,
			   "--no-daemon", "maps", "--json", NULL };
	char *out = NULL, *err = NULL, dir[128], path[192];
	char *link[] = { "bpftool", "-j", "link", "show", "pinned", path,
			 NULL };
	json_object *l;
	int map_fd;

	(void)state;
	expect_exit(no_cache, 2, "drop --no-cache");
	assert_int_equal(system("rm -rf /sys/fs/bpf/bpfmem"), 0);
	assert_int_equal(run_capture(prepare, &out, NULL), 0);
	assert_non_null(strstr(out, "loaded and pinned in /sys/fs/bpf/bpfmem/"));
	assert_int_equal(sscanf(strstr(out, "/sys/fs/bpf/"), "%127[^:]", dir), 1);
	free(out);
	/* what the kernel holds there: an iterator link and its program */
	snprintf(path, sizeof(path), "%s/maps", dir);
	l = run_json(link);
	assert_string_equal(jget_str(l, "type"), "iter");
	assert_true(jget_u64(l, "prog_id") > 0);
	json_object_put(l);

	assert_int_equal(run_capture(prepare, &out, NULL), 0);
	assert_non_null(strstr(out, "already pinned"));
	free(out);
	/* a first listing: no memlock cache either, so it reads the memlock
	 * of a map of ours by id */
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "prepare_probe", 4, 8, 1,
				NULL);
	assert_true(map_fd >= 0);
	unlink("/run/bpfmem/memlock.cache");
	assert_int_equal(run_capture(traced, &out, &err), 0);
	close(map_fd);
	assert_true(count_of(err, "BPF_ITER_CREATE") > 0);
	assert_int_equal(count_of(err, "BPF_PROG_LOAD"), 0);
	assert_true(count_of(err, "BPF_MAP_GET_FD_BY_ID") > 0);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(usage_errors_exit_2_and_say_why),
		daemon_test(help_and_version_exit_0),
		daemon_test(unprivileged_run_exits_3_and_names_the_fix),
		daemon_test(every_command_prints_one_json_value),
		daemon_test(warm_and_cold_runs_agree),
		daemon_test(own_objects_are_hidden_cold_and_warm),
		daemon_test(daemon_hides_own_objects_too),
		daemon_test(report_totals_are_the_listings_sums),
		daemon_test(top_limits_rows_and_sort_orders_them),
		daemon_test(prepare_pins_iterators_and_listings_load_nothing),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("cli", tests, NULL, teardown);
}
