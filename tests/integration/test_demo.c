// SPDX-License-Identifier: GPL-2.0
/*
 * bpfmem demo: its report shows real bytes and memlock for each map it
 * made, and when it returns, normally or interrupted, nothing it made is
 * left: not its maps and program (by id, and by bpftool's listing), not
 * its process, not its scratch memory cgroup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define NR_MAPS 5
static const char *const names[NR_MAPS] = {
	"demo_hash", "demo_array", "demo_pcpu_hash", "demo_lru",
	"demo_ringbuf",
};

struct made {
	__u32 maps[NR_MAPS], prog;
	int nr_maps;
	char cgroup[256];
};

/* The row of the maps table (after "The maps:") naming name. */
static const char *map_row(const char *out, const char *name)
{
	const char *p = strstr(out, "\nThe maps:\n");
	char pat[40];

	assert_non_null(p);
	snprintf(pat, sizeof(pat), " %s ", name);
	p = strstr(p, pat);
	assert_non_null(p);
	while (p > out && p[-1] != '\n')
		p--;
	return p;
}

/* Ids and the two sizes of each map from the table, the program's id
 * and the cgroup from the report. */
static void parse(const char *out, struct made *m)
{
	const char *p;

	for (int i = 0; i < NR_MAPS; i++) {
		char type[32], name[32], max[16], elems[16], fill[16];
		char ml[2][16], real[2][16];
		unsigned int key, value;

		p = map_row(out, names[i]);
		assert_int_equal(sscanf(p, "%u %31s %31s %u %u %15s %15s %15s %15s %15s %15s %15s",
					&m->maps[i], type, name, &key, &value,
					max, elems, fill, ml[0], ml[1], real[0],
					real[1]), 12);
		/* both known: a number and a unit */
		assert_true(strcmp(ml[0], "-") && strcmp(real[0], "-"));
		assert_true(strstr(ml[1], "B") && strstr(real[1], "B"));
	}
	p = strstr(out, "  prog ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, " prog %u", &m->prog), 1);
	p = strstr(out, "the memory cgroup ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "the memory cgroup %255[^;]", m->cgroup), 1);
}

static bool map_exists(__u32 id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOENT;
}

static bool prog_exists(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOENT;
}

/* Freeing is deferred (RCU, a workqueue): polled with a bound. */
static void expect_all_gone(const struct made *m)
{
	char *maps_argv[] = { "bpftool", "-j", "map", "show", NULL };
	char *progs_argv[] = { "bpftool", "-j", "prog", "show", NULL };
	double deadline = now_s() + WAIT_S;
	json_object *maps, *progs;
	bool left;

	do {
		left = prog_exists(m->prog) || !access(m->cgroup, F_OK);
		for (int i = 0; i < NR_MAPS; i++)
			left |= map_exists(m->maps[i]);
	} while (left && now_s() < deadline && !usleep(10000));
	assert_false(left);
	maps = run_json(maps_argv);
	progs = run_json(progs_argv);
	for (int i = 0; i < NR_MAPS; i++)
		assert_null(json_find_id(maps, m->maps[i]));
	assert_null(json_find_id(progs, m->prog));
	json_object_put(maps);
	json_object_put(progs);
}

static void reports_real_and_memlock_and_leaves_nothing(void **state)
{
	char *argv[] = { BPFMEM, "demo", NULL }, *out = NULL, *err = NULL;
	struct made m = {};

	(void)state;
	assert_int_equal(run_capture(argv, &out, &err), 0);
	parse(out, &m);
	assert_non_null(strstr(out, "Largest objects by real bytes"));
	expect_all_gone(&m);
	free(out);
	free(err);
}

/* The child's objects by the kernel's word (its fdinfo): 0 until it has
 * made all of them. */
static void count_fd(const char *path, void *arg)
{
	char *text = read_text(path);

	if (strstr(text, "map_id:") || strstr(text, "prog_id:"))
		(*(int *)arg)++;
	free(text);
}

/* The child named bpfmem-demo of parent, from /proc (the VM's busybox
 * has no pgrep); 0 while there is none. */
static pid_t demo_child(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t pid = 0;

	assert_non_null(d);
	while (!pid && (de = readdir(d))) {
		char path[300], comm[32];
		int ppid;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;	/* gone meanwhile */
		/* pid (comm) state ppid: the demo's comm has no space */
		if (fscanf(f, "%*d (%31[^)]) %*c %d", comm, &ppid) == 2 &&
		    ppid == parent && !strcmp(comm, "bpfmem-demo"))
			pid = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return pid;
}

static void fd_ids(const char *path, void *arg)
{
	struct made *m = arg;
	char *text = read_text(path), *p;

	if ((p = strstr(text, "map_id:")) && m->nr_maps < NR_MAPS)
		m->maps[m->nr_maps++] = strtoul(p + 7, NULL, 10);
	else if ((p = strstr(text, "prog_id:")))
		m->prog = strtoul(p + 8, NULL, 10);
	free(text);
}

/* SIGINT while its report waits on a full stdout (so it is surely in
 * the middle): it stops, and cleans up all the same. */
static void interrupted_it_leaves_nothing(void **state)
{
	double deadline = now_s() + WAIT_S;
	struct made m = {};
	int out[2], status, objects = 0;
	char buf[4096] = "", *path;
	pid_t pid, child = 0;

	(void)state;
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	fcntl(out[1], F_SETPIPE_SZ, 4096);
	fcntl(out[1], F_SETFL, O_NONBLOCK);
	while (write(out[1], buf, sizeof(buf)) > 0)
		;
	fcntl(out[1], F_SETFL, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(out[1], 1);
		dup2(open("/dev/null", O_WRONLY), 2);
		execl(BPFMEM, BPFMEM, "demo", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	while (now_s() < deadline && (!child || objects < NR_MAPS + 1)) {
		child = demo_child(pid);
		objects = 0;
		if (child)
			fdinfo_each(child, count_fd, &objects);
		usleep(10000);
	}
	assert_int_equal(objects, NR_MAPS + 1);
	fdinfo_each(child, fd_ids, &m);
	path = proc_memcg_path(child);
	assert_non_null(path);
	assert_non_null(strstr(path, "bpfmem-demo-"));
	/* cgroup v1's memory hierarchy here, else v2's */
	snprintf(m.cgroup, sizeof(m.cgroup), "/sys/fs/cgroup%s%s",
		 access("/sys/fs/cgroup/memory", F_OK) ? "" : "/memory", path);
	free(path);
	assert_int_equal(access(m.cgroup, F_OK), 0);
	kill(pid, SIGINT);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(out[0]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGINT);
	expect_all_gone(&m);
	assert_int_equal(kill(child, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reports_real_and_memlock_and_leaves_nothing),
		cmocka_unit_test(interrupted_it_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
