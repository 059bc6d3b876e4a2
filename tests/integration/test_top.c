// SPDX-License-Identifier: GPL-2.0
/*
 * `bpfmem top` on a terminal: run under tmux (a private server), driven
 * with send-keys and read back with capture-pane, with bpfmemd and
 * without. A map the test creates must show with the memlock its fdinfo
 * reports; keys sort, switch views and quit; the terminal comes back
 * after q and SIGTERM; a resize is followed; the daemon may go away.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "base/format.h"
#include "helpers.h"

#define SESSION "top"
/* a map large enough to be among the first rows by size */
#define BIG_ENTRIES (4u << 20)

static char server[64];
static char map_name[16];
static __u64 map_memlock;	/* from its fdinfo */
static int map_fd = -1;
/* smaller maps beside it, so that every sort has rows to order on a
 * kernel with no other maps (the VM) */
static int small_fd[2] = { -1, -1 };
/* a program of the test's own for the programs view: bpfmem leaves its
 * own out, and the VM has no other */
static int prog_fd = -1;

static int tmux(char **out, ...)
{
	char *argv[32] = { "tmux", "-L", server, "-f", "/dev/null" };
	int n = 5, rc;
	va_list ap;

	va_start(ap, out);
	while ((argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	rc = run_capture(argv, out, NULL);
	return rc;
}

static char *screen(void)
{
	char *out = NULL;

	assert_int_equal(tmux(&out, "capture-pane", "-p", "-t", SESSION, NULL),
			 0);
	return out;
}

/* The screen once it shows every one of the texts (NULL-ended); fails
 * the test after WAIT_S. */
static char *wait_for(const char *first, ...)
{
	double deadline = now_s() + WAIT_S;

	for (;;) {
		char *s = screen();
		bool all = strstr(s, first);
		const char *t;
		va_list ap;

		va_start(ap, first);
		while (all && (t = va_arg(ap, const char *)))
			all = strstr(s, t);
		va_end(ap);
		if (all)
			return s;
		if (now_s() > deadline) {
			print_error("waited %d s for '%s' on:\n%s\n", WAIT_S,
				    first, s);
			free(s);
			fail();
		}
		free(s);
		usleep(50000);
	}
}

/* Polls the screen until ok(screen, ctx) holds; fails the test after
 * WAIT_S, printing what and the screen. */
static void wait_until(bool (*ok)(const char *s, void *ctx), void *ctx,
		       const char *what)
{
	for (double deadline = now_s() + WAIT_S;;) {
		char *s = screen();
		bool done = ok(s, ctx);

		if (!done && now_s() > deadline) {
			print_error("waited %d s for %s on:\n%s\n", WAIT_S,
				    what, s);
			fail();
		}
		free(s);
		if (done)
			return;
		usleep(50000);
	}
}

static void keys(const char *k)
{
	assert_int_equal(tmux(NULL, "send-keys", "-t", SESSION, k, NULL), 0);
}

static void type_line(const char *line)
{
	assert_int_equal(tmux(NULL, "send-keys", "-t", SESSION, "-l", line,
			      NULL), 0);
	keys("Enter");
}

static void stop_shell(void)
{
	tmux(NULL, "kill-server", NULL);
}

static void start_shell(void)
{
	char cwd[512];

	double deadline = now_s() + WAIT_S;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* a test that failed half-way left its shell */
	stop_shell();
	/* the server of the test before may still be on its way out */
	while (tmux(NULL, "new-session", "-d", "-x", "160", "-y", "40", "-s",
		    SESSION, "-c", cwd, "sh", NULL)) {
		assert_true(now_s() < deadline);
		usleep(50000);
	}
}

/* Runs bpfmem top with args in the pane's shell; the shell then prints
 * the exit status and the terminal's modes. */
static void start_top(const char *args)
{
	char line[512];

	type_line("clear");
	snprintf(line, sizeof(line),
		 BPFMEM " top %s; echo \"top exited $?\"; echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' ')\"",
		 args);
	type_line(line);
}

/* After top exits: its status was 0, the terminal is back in canonical
 * mode with echo and out of the alternate screen. */
static void expect_restored(void)
{
	/* the typed command holds neither text, only its output */
	char *s = wait_for("top exited 0", "modes: icanon echo", NULL);
	char *alt = NULL;

	free(s);
	assert_int_equal(tmux(&alt, "display-message", "-p", "-t", SESSION,
			      "#{alternate_on}", NULL), 0);
	assert_int_equal(atoi(alt), 0);
	free(alt);
}

/* The line of the screen holding text; NULL-terminated copy. */
static char *line_with(const char *s, const char *text)
{
	const char *at = strstr(s, text), *start, *end;

	if (!at)
		return NULL;
	for (start = at; start > s && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n') ?: at + strlen(at);
	return strndup(start, end - start);
}

/* Bytes from format_bytes() text ("32.0 MiB"); -1 for "-". */
static double parse_bytes(const char *t)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	char unit[8] = "";
	double v;

	if (sscanf(t, "%lf %7s", &v, unit) != 2)
		return -1;
	for (int i = 0; i < 5; i++, v *= 1024)
		if (!strcmp(unit, units[i]))
			return v;
	return -1;
}

/*
 * The cells of a right-aligned column (by its title in the heading) in
 * every table row, in screen order, parsed with parse; returns how many.
 */
static int column(const char *s, const char *title, double *out, int max,
		  double (*parse)(const char *))
{
	const char *heading = strstr(s, "     ID ");
	const char *line, *t;
	int n = 0;
	size_t end, width = strlen(title);

	assert_non_null(heading);
	t = strstr(heading, title);
	assert_non_null(t);
	end = t - heading + width;
	/* the right-aligned cells are 9 wide, the id 7 */
	width = !strcmp(title, "ID") ? 7 : 9;
	line = strchr(heading, '\n');
	while (line && n < max) {
		const char *next = strchr(++line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		char cell[16];

		if (len < end || line[0] == '(' || !strncmp(line, "q quit", 6))
			break;
		snprintf(cell, sizeof(cell), "%.*s", (int)width,
			 line + end - width);
		out[n++] = parse(cell);
		line = next;
	}
	return n;
}

static double parse_id(const char *t)
{
	return strtod(t, NULL);
}

/* Rows ordered by the column: each known value at most (descending) or
 * at least the one before; unknown ones (-1) only after known ones. */
static bool ordered(const char *s, const char *title, bool descending,
		    double (*parse)(const char *))
{
	double v[64];
	int n = column(s, title, v, 64, parse);

	for (int i = 1; i < n; i++)
		if (!(v[i] < 0 ||
		      (v[i - 1] >= 0 &&
		       (descending ? v[i] <= v[i - 1] : v[i] >= v[i - 1]))))
			return false;
	return n >= 2;
}

/* Waits for the view line, then for a screen ordered by the column (a
 * capture may catch a redraw half-way). */
static void wait_ordered(const char *view_line, const char *title,
			 bool descending, double (*parse)(const char *))
{
	double deadline = now_s() + WAIT_S;

	for (;;) {
		char *s = wait_for(view_line, NULL);

		if (ordered(s, title, descending, parse)) {
			free(s);
			return;
		}
		if (now_s() > deadline) {
			print_error("%s not %s:\n%s\n", title,
				    descending ? "descending" : "ascending", s);
			fail();
		}
		free(s);
		usleep(50000);
	}
}

/* The map's row shows the memlock fdinfo reports. */
static void expect_map_row(const char *s)
{
	char want[16], *row = line_with(s, map_name);

	assert_non_null(row);
	format_bytes(map_memlock, want, sizeof(want));
	if (!strstr(row, want)) {
		print_error("row of %s has no %s (fdinfo memlock %llu): %s\n",
			    map_name, want, (unsigned long long)map_memlock, row);
		fail();
	}
	free(row);
}

static __u64 fdinfo_memlock(int fd)
{
	char path[64], *text, *at;
	__u64 v = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	text = read_text(path);
	at = strstr(text, "memlock:");
	assert_non_null(at);
	v = strtoull(at + 8, NULL, 10);
	free(text);
	return v;
}

static int setup(void **state)
{
	(void)state;
	snprintf(server, sizeof(server), "bpfmem-test-top-%d", getpid());
	snprintf(map_name, sizeof(map_name), "top_big_%05d", getpid() % 100000);
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, map_name, 4, 8, BIG_ENTRIES,
				NULL);
	if (map_fd < 0) {
		fprintf(stderr, "creating %s failed: %s\n", map_name,
			strerror(errno));
		return -1;
	}
	map_memlock = fdinfo_memlock(map_fd);
	for (int i = 0; i < 2; i++) {
		small_fd[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "top_small", 4,
					     8, 1024 << i, NULL);
		if (small_fd[i] < 0) {
			fprintf(stderr, "creating top_small failed: %s\n",
				strerror(errno));
			return -1;
		}
	}
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "top_prog", "GPL",
				(struct bpf_insn[]){
					{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					  .dst_reg = BPF_REG_0 },
					{ .code = BPF_JMP | BPF_EXIT } },
				2, NULL);
	if (prog_fd < 0) {
		fprintf(stderr, "loading top_prog failed: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	stop_shell();
	daemons_kill();
	close(map_fd);
	close(small_fd[0]);
	close(small_fd[1]);
	close(prog_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/bpfmemd-test-%d", getpid());
	return system(cmd);
}

/* The screen redrawn at 100x30: the clock at the right edge, the keys
 * on the last line. */
static bool laid_out_100x30(const char *s, void *ctx)
{
	int lines = 0, longest = 0;
	char *first = line_with(s, "bpfmem top");
	bool ok;

	(void)ctx;
	for (const char *l = s; *l; lines++) {
		const char *nl = strchr(l, '\n');
		int len = nl ? nl - l : (int)strlen(l);

		longest = len > longest ? len : longest;
		l = nl ? nl + 1 : l + len;
	}
	ok = first && strlen(first) == 100 && longest <= 100 && lines == 30 &&
	     strstr(s, "\nq quit");
	free(first);
	return ok;
}

static void in_process_view_sorts_switches_and_quits(void **state)
{
	char *s, *memcg, *row;
	const char *tail;

	(void)state;
	start_shell();
	start_top("--no-daemon -d 0.5");
	s = wait_for("collected in-process", map_name,
		     "sorted by real, largest first", NULL);
	expect_map_row(s);
	free(s);
	wait_ordered("sorted by real, largest first", "REAL", true, parse_bytes);
	keys("m");
	wait_ordered("sorted by memlock, largest first", "MEMLOCK", true,
		     parse_bytes);
	keys("m");
	wait_ordered("sorted by memlock, smallest first", "MEMLOCK", false,
		     parse_bytes);
	keys("i");
	wait_ordered("sorted by id, smallest first", "ID", false, parse_id);
	keys("i");
	wait_ordered("sorted by id, largest first", "ID", true, parse_id);

	keys("2");
	s = wait_for("View: programs", "JITED", "XLATED", NULL);
	/* the test's program, as the kernel names it */
	assert_non_null(strstr(s, "top_prog"));
	free(s);
	/* the cgroup the test runs in pays for its map */
	keys("3");
	keys("m");
	s = wait_for("View: cgroups", "CGROUP", "USAGE", NULL);
	memcg = proc_memcg_path(getpid());
	assert_non_null(memcg);
	tail = strrchr(memcg, '/');
	row = line_with(s, tail && tail[1] ? tail : memcg);
	if (!row) {
		print_error("no row of %s:\n%s\n", memcg, s);
		fail();
	}
	free(row);
	free(memcg);
	free(s);
	keys("Tab");
	s = wait_for("View: maps", NULL);
	free(s);

	/* the interval, pause and the key line */
	keys("+");
	free(wait_for("every 1s", NULL));
	keys("-");
	free(wait_for("every 0.5s", NULL));
	keys("Space");
	free(wait_for("every 0.5s, paused", "space resume", NULL));
	keys("Space");
	free(wait_for("space pause", NULL));

	/* a smaller window: the layout follows */
	assert_int_equal(tmux(NULL, "resize-window", "-t", SESSION, "-x", "100",
			      "-y", "30", NULL), 0);
	wait_until(laid_out_100x30, NULL, "a redraw at 100x30");
	keys("q");
	expect_restored();
	stop_shell();
}

static void ctrl_c_and_sigterm_restore_the_terminal(void **state)
{
	char *pid_text = NULL, path[96], *children, *s;
	int pid;

	(void)state;
	start_shell();
	start_top("--no-daemon");
	free(wait_for(map_name, NULL));
	keys("C-c");
	expect_restored();

	start_top("--no-daemon");
	s = wait_for(map_name, NULL);
	free(s);
	assert_int_equal(tmux(&pid_text, "display-message", "-p", "-t", SESSION,
			      "#{pane_pid}", NULL), 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", atoi(pid_text),
		 atoi(pid_text));
	children = read_text(path);
	pid = atoi(children);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	expect_restored();
	free(children);
	free(pid_text);
	stop_shell();
}

static void a_pipe_gets_plain_frames(void **state)
{
	char *one[] = { BPFMEM, "top", "-n", "1", "--no-daemon", NULL };
	char *two[] = { BPFMEM, "top", "--iterations", "2", "-d", "0.2",
			"--no-daemon", NULL };
	char *out = NULL, *at;
	int frames = 0;

	(void)state;
	assert_int_equal(run_capture(one, &out, NULL), 0);
	assert_non_null(strstr(out, "collected in-process"));
	assert_null(strchr(out, '\033'));
	assert_null(strstr(out, "q quit"));
	expect_map_row(out);
	for (at = out; (at = strstr(at, "bpfmem top - ")); at++)
		frames++;
	assert_int_equal(frames, 1);
	free(out);
	assert_int_equal(run_capture(two, &out, NULL), 0);
	for (frames = 0, at = out; (at = strstr(at, "bpfmem top - ")); at++)
		frames++;
	assert_int_equal(frames, 2);
	free(out);
}

static const char *const fast_config =
	"[daemon]\ninterval = 100ms\nhistory = 1m\nsnapshot_every = 0\n";

static void from_the_daemon_and_on_when_it_goes(void **state)
{
	char args[256], from[200], *s, *out = NULL, *err = NULL;
	struct daemon d;

	(void)state;
	daemon_start(&d, fast_config);
	snprintf(from, sizeof(from), "from bpfmemd (%s)", d.sock);
	char *plain[] = { BPFMEM, "top", "-n", "1", "--socket", d.sock, NULL };
	assert_int_equal(run_capture(plain, &out, NULL), 0);
	assert_non_null(strstr(out, from));
	expect_map_row(out);
	free(out);

	start_shell();
	snprintf(args, sizeof(args), "--socket %s -d 0.2", d.sock);
	start_top(args);
	s = wait_for(from, map_name, NULL);
	expect_map_row(s);
	free(s);
	/* gone: collected in-process, and said so */
	assert_int_equal(daemon_stop(&d), 0);
	s = wait_for("collected in-process", "went away", map_name, NULL);
	expect_map_row(s);
	free(s);
	/* back: asked again */
	daemon_start(&d, fast_config);
	s = wait_for(from, NULL);
	assert_null(strstr(s, "went away"));
	free(s);
	keys("q");
	expect_restored();
	stop_shell();
	assert_int_equal(daemon_stop(&d), 0);

	/* a socket named that does not answer at the start is an error */
	char *gone[] = { BPFMEM, "top", "--socket", d.sock, NULL };
	assert_int_equal(run_capture(gone, NULL, &err), 5);
	assert_non_null(strstr(err, "bpfmemd does not answer"));
	free(err);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* The count of a header line ("Maps:  12345 ..."), or 0. */
static unsigned long header_count(const char *s, const char *label)
{
	char *line = line_with(s, label);
	unsigned long n = line ? strtoul(line + strlen(label), NULL, 10) : 0;

	free(line);
	return n;
}

struct end_of_list {
	unsigned long maps;
	__u32 last_id;
};

/* Scrolled to the end: the rows line ends at the count, and the last
 * row is the highest id, the test's newest map or a newer one. */
static bool at_the_end(const char *s, void *ctx)
{
	const struct end_of_list *e = ctx;
	char last[64];
	double ids[64];
	int n = column(s, "ID", ids, 64, parse_id);

	snprintf(last, sizeof(last), "-%lu of %lu: arrows", e->maps, e->maps);
	return strstr(s, last) && n > 0 && ids[n - 1] >= e->last_id;
}

/*
 * On a screen the daemon sends only the maps shown (the first of the
 * order asked for, with the totals of all): the header and the row count
 * still count every map, a new order is fetched sorted, and scrolling
 * past the rows sent fetches the rest.
 */
static void from_the_daemon_a_screen_gets_its_rows(void **state)
{
	enum { MANY = 300 };
	int fds[MANY];
	char args[256], from[200], total[64], *s;
	struct end_of_list end;
	unsigned long maps;
	struct daemon d;

	(void)state;
	for (int i = 0; i < MANY; i++) {
		fds[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "top_many", 4, 8, 1,
					NULL);
		assert_true(fds[i] >= 0);
	}
	daemon_start(&d, fast_config);
	snprintf(from, sizeof(from), "from bpfmemd (%s)", d.sock);
	start_shell();
	snprintf(args, sizeof(args), "--socket %s -d 0.2", d.sock);
	start_top(args);
	s = wait_for(from, map_name, "of ", NULL);
	/* the 40-row screen shows far fewer than it counts */
	maps = end.maps = header_count(s, "Maps:");
	assert_true(maps >= MANY + 3);
	assert_int_equal(header_count(s, "View: maps ("), maps);
	snprintf(total, sizeof(total), " of %lu: arrows", maps);
	assert_non_null(strstr(s, total));
	expect_map_row(s);
	free(s);
	wait_ordered("sorted by real, largest first", "REAL", true, parse_bytes);
	keys("i");
	wait_ordered("sorted by id, smallest first", "ID", false, parse_id);
	/* the end of the order: the rows the first answer did not hold */
	keys("End");
	end.last_id = map_id(fds[MANY - 1]);
	wait_until(at_the_end, &end, "the last rows after End");
	keys("q");
	expect_restored();
	stop_shell();
	assert_int_equal(daemon_stop(&d), 0);
	for (int i = 0; i < MANY; i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(in_process_view_sorts_switches_and_quits),
		daemon_test(ctrl_c_and_sigterm_restore_the_terminal),
		daemon_test(a_pipe_gets_plain_frames),
		daemon_test(from_the_daemon_and_on_when_it_goes),
		daemon_test(from_the_daemon_a_screen_gets_its_rows),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("top", tests, setup, teardown);
}
