// SPDX-License-Identifier: GPL-2.0
/*
 * ncurses rather than escape codes of our own: it reads the terminal's
 * capabilities from terminfo, redraws only what changed, reports resizes
 * as KEY_RESIZE and puts the terminal back with endwin().
 */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "cli/top.h"
#include "cli/top_source.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* SIGINT and SIGTERM end the loop so the terminal is restored: set before
 * ncurses starts, which then leaves them to us. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps d seconds unless a signal stops us first. */
static void pause_for(double d)
{
	double end = now() + d;

	while (!stop_signal && now() < end) {
		double left = end - now();
		struct timespec ts = { (time_t)left,
				       (long)((left - (time_t)left) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

static int print_frame(FILE *out, struct top_frame *f, struct top_state s)
{
	struct top_lines lines = {};
	int err = top_render(f, &s, 0, 0, &lines);

	for (size_t i = 0; !err && i < lines.n; i++)
		fprintf(out, "%s\n", lines.line[i].text);
	top_lines_free(&lines);
	if (!err && fflush(out))
		err = -errno;
	return err;
}

/* Frames of plain text, as `top -b` prints them. */
static int run_plain(const struct top_opts *o, struct top_source *src)
{
	struct top_frame f = {};
	int err = 0, code = EXIT_OK;

	for (unsigned long i = 0; !o->iterations || i < o->iterations; i++) {
		if (i) {
			pause_for(o->state.delay);
			if (stop_signal)
				break;
			putchar('\n');
		}
		err = top_source_fetch(src, NULL, &f, &code);
		if (err) {
			fprintf(stderr, "bpfmem: %s\n", f.note);
			break;
		}
		err = print_frame(stdout, &f, o->state);
		if (err) {
			fprintf(stderr, "bpfmem: writing the output failed: %s\n",
				strerror(-err));
			code = EXIT_FAILURE_RUNTIME;
			break;
		}
	}
	top_frame_clear(&f);
	return err ? code : EXIT_OK;
}

/* Rows a screen can show: the terminal's height (LINES once curses has
 * it), the header counted in. */
static size_t screen_rows(void)
{
	struct winsize ws;

	if (LINES > 0)
		return LINES;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row)
		return ws.ws_row;
	return 100;
}

static int draw(struct top_frame *f, struct top_state *s)
{
	struct top_lines lines = {};
	int err = top_render(f, s, COLS, LINES, &lines);

	erase();
	for (size_t i = 0; !err && i < lines.n && (int)i < LINES; i++) {
		int attr = lines.line[i].style == TOP_HEADING ? A_REVERSE :
			   lines.line[i].style == TOP_ALERT   ? A_BOLD :
								A_NORMAL;

		attrset(attr);
		mvaddnstr(i, 0, lines.line[i].text, COLS);
	}
	attrset(A_NORMAL);
	refresh();
	top_lines_free(&lines);
	return err;
}

/* Applies key k; false when it means quit. */
static bool handle_key(int k, struct top_state *s)
{
	switch (k) {
	case 'q':
	case 'Q':
		return false;
	case '1':
	case '2':
	case '3':
		s->view = k - '1';
		s->first = 0;
		break;
	case '\t':
		s->view = (s->view + 1) % TOP_NR_VIEWS;
		s->first = 0;
		break;
	case KEY_BTAB:
		s->view = (s->view + TOP_NR_VIEWS - 1) % TOP_NR_VIEWS;
		s->first = 0;
		break;
	/* scrolling: the next draw stops it at the last row */
	case KEY_DOWN:
	case 'j':
		s->first++;
		break;
	case KEY_UP:
	case 'k':
		s->first -= s->first > 0;
		break;
	case KEY_NPAGE:
		s->first += s->page;
		break;
	case KEY_PPAGE:
		s->first -= s->first < s->page ? s->first : s->page;
		break;
	case KEY_HOME:
		s->first = 0;
		break;
	case KEY_END:
		s->first = SIZE_MAX / 2;
		break;
	case 'r':
	case 'R':
		top_state_sort_by(s, TOP_BY_REAL);
		break;
	case 'm':
	case 'M':
		top_state_sort_by(s, TOP_BY_MEMLOCK);
		break;
	case 'f':
	case 'F':
	case 'e':
		top_state_sort_by(s, TOP_BY_FILL);
		break;
	case 'n':
	case 'N':
		top_state_sort_by(s, TOP_BY_NAME);
		break;
	case 'i':
	case 'I':
		top_state_sort_by(s, TOP_BY_ID);
		break;
	case '+':
	case '=':
		s->delay = top_delay_step(s->delay, 1);
		break;
	case '-':
	case '_':
		s->delay = top_delay_step(s->delay, -1);
		break;
	case ' ':
	case 'p':
		s->paused = !s->paused;
		break;
	case 'h':
	case '?':
		s->keys_help = !s->keys_help;
		break;
	default:
		break;		/* KEY_RESIZE among them: redrawn below */
	}
	return true;
}

static int run_screen(const struct top_opts *o, struct top_source *src)
{
	struct top_state s = o->state;
	struct top_frame f = {};
	struct top_want want;
	bool keys = isatty(STDIN_FILENO), quit = false, refetch;
	unsigned long frames = 1;
	double next;
	int err, code;
	SCREEN *scr;

	/* the first collection failing ends it before the screen changes;
	 * later ones show why in the frame and are tried again. The screen
	 * is not set up yet: its rows are the terminal's at most. */
	want = top_want_of(&s, screen_rows());
	err = top_source_fetch(src, &want, &f, &code);
	if (err) {
		fprintf(stderr, "bpfmem: %s\n", f.note);
		top_frame_clear(&f);
		return code;
	}
	next = now() + s.delay;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "bpfmem: cannot drive the terminal (TERM=%s): set TERM, or pipe the output for plain text\n",
			getenv("TERM") ?: "");
		top_frame_clear(&f);
		return EXIT_FAILURE_RUNTIME;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);

	for (;;) {
		struct pollfd in = { .fd = keys ? STDIN_FILENO : -1,
				     .events = POLLIN };
		double wait;
		int k;

		err = draw(&f, &s);
		if (err || (o->iterations && frames >= o->iterations))
			break;
		wait = s.paused ? -1 : (next - now()) * 1000;
		/* a signal (SIGWINCH too) cuts the wait short */
		poll(&in, 1, wait < 0 ? -1 : (int)wait + 1);
		while ((k = getch()) != ERR) {
			bool paused = s.paused;
			double delay = s.delay;

			quit |= !handle_key(k, &s);
			next += s.delay - delay;
			/* resuming shows the present at once */
			if (paused && !s.paused)
				next = 0;
		}
		if (quit || stop_signal)
			break;
		/* rows the daemon did not send are wanted now */
		refetch = f.partial[s.view] && !s.paused &&
			  (s.view != want.view || s.key != want.key ||
			   s.descending != want.descending ||
			   (s.first + s.page > f.nr_rows[s.view] &&
			    f.nr_rows[s.view] < f.totals[s.view].n));
		if ((!s.paused && now() >= next) || refetch) {
			want = top_want_of(&s, screen_rows());
			top_source_fetch(src, &want, &f, &code);
			frames += !refetch;
			next = now() + s.delay;
		}
	}
	endwin();
	delscreen(scr);
	top_frame_clear(&f);
	if (err) {
		fprintf(stderr, "bpfmem: drawing the screen failed: %s\n",
			strerror(-err));
		return EXIT_FAILURE_RUNTIME;
	}
	return EXIT_OK;
}

int top_run(const struct top_opts *o)
{
	struct top_source src;
	int code;

	catch_stop_signals();
	top_source_init(&src, o->socket, &o->copts);
	code = isatty(STDOUT_FILENO) ? run_screen(o, &src) : run_plain(o, &src);
	top_source_free(&src);
	return code;
}
