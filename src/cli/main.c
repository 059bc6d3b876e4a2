// SPDX-License-Identifier: GPL-2.0
/* bpfmem: where BPF kernel memory goes, from the command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "cli/client.h"
#include "collect/collector.h"
#include "cli/demo.h"
#include "base/log.h"
#include "report/output.h"
#include "report/report.h"
#include "collect/probe.h"
#include "cli/remote.h"
#include "report/sort.h"
#include "cli/top.h"
#include "pipeline/pipeline.h"

#define BPF_FS_MAGIC 0xcafe4a11
#define BPFFS_ROOT "/sys/fs/bpf"
#define RUN_DIR "/run/bpfmem"
#define MEMLOCK_CACHE RUN_DIR "/memlock.cache"

/* Commands answered only by the daemon exit with this when none runs. */
#define EXIT_NO_DAEMON 5

enum command {
	CMD_REPORT,
	CMD_MAPS,
	CMD_PROGS,
	CMD_SUMMARY,
	CMD_CGROUPS,
	CMD_TOP,
	CMD_PACKS,
	CMD_MEMINFO,
	CMD_FEATURES,
	CMD_DEMO,
	CMD_PREPARE,
	/* the daemon's only */
	CMD_EVENTS,
	CMD_HISTORY,
	CMD_SNAPSHOT,
	NR_COMMANDS,
};

static const char *const command_names[NR_COMMANDS] = {
	[CMD_REPORT] = "report",
	[CMD_MAPS] = "maps",
	[CMD_PROGS] = "progs",
	[CMD_SUMMARY] = "summary",
	[CMD_CGROUPS] = "cgroups",
	[CMD_TOP] = "top",
	[CMD_PACKS] = "packs",
	[CMD_MEMINFO] = "meminfo",
	[CMD_FEATURES] = "features",
	[CMD_DEMO] = "demo",
	[CMD_PREPARE] = "prepare",
	[CMD_EVENTS] = "events",
	[CMD_HISTORY] = "history",
	[CMD_SNAPSHOT] = "snapshot",
};

/* What each command reads: loading fewer iterators makes a cold run
 * faster. */
static const unsigned int command_iters[NR_COMMANDS] = {
	[CMD_REPORT] = ITER_ALL,
	/* programs: the users of each map */
	[CMD_MAPS] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_FDS) |
		     ITER_BIT(ITER_PROGS),
	[CMD_PROGS] = ITER_BIT(ITER_PROGS) | ITER_BIT(ITER_FDS) |
		      ITER_BIT(ITER_LINKS),
	/* holders everywhere: they tell bpfmemd's objects (src/collect/own_filter.h) */
	[CMD_SUMMARY] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_PROGS) |
			ITER_BIT(ITER_FDS),
	/* programs: each carries the memory cgroup its load was charged to */
	[CMD_CGROUPS] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_MEMCGS) |
			ITER_BIT(ITER_PROGS) | ITER_BIT(ITER_FDS),
	[CMD_TOP] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_PROGS) |
		    ITER_BIT(ITER_MEMCGS) | ITER_BIT(ITER_FDS),
	[CMD_PACKS] = ITER_BIT(ITER_PROGS),
	[CMD_MEMINFO] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_PROGS),
	[CMD_DEMO] = ITER_ALL,
	/* every one a listing may need */
	[CMD_PREPARE] = ITER_ALL,
};

struct cli {
	enum command cmd;
	struct output_opts out;
	struct collector_opts copts;
	const char *sort_text;
	struct sort_spec spec;
	/* -n: --top, or --iterations for top (known once the command is) */
	const char *n_text;
	bool top_given;
	const char *iterations_text, *delay_text;
	struct top_opts top;
	bool no_cache, no_daemon, tree, dying, follow, f_flag, own;
	const char *socket;	/* NULL: the default, if it answers */
	const char *output;	/* snapshot -o */
	const char *range;	/* history --range */
	const char *history_object;
	__u64 history_id;
	int verbose;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfmem [OPTIONS] [COMMAND]\n"
		"\n"
		"Where BPF kernel memory goes: every BPF map and program, what the kernel\n"
		"reports for it (memlock), who holds it and which memory cgroup pays.\n"
		"\n"
		"Commands:\n"
		"  report     real bytes against memlock, who pays (memory cgroups),\n"
		"             largest maps and programs, fill (default)\n"
		"  maps       every BPF map\n"
		"  progs      every BPF program\n"
		"  summary    counts and totals by type\n"
		"  cgroups    BPF memory per memory cgroup: real bytes, charged there\n"
		"             or to root, memlock, with the cgroup's usage and\n"
		"             limit; --tree shows the hierarchy, --dying the\n"
		"             charges of removed cgroups\n"
		"  top        live view of maps, programs and cgroups, refreshed\n"
		"             every few seconds; keys sort, switch views, pause\n"
		"             (its last line lists them); plain text frames when\n"
		"             stdout is not a terminal\n"
		"  packs      JIT packs: programs' share, unused bytes, fragmentation\n"
		"  meminfo    a /proc/meminfo-style BPF block: maps, programs, other;\n"
		"             slab, vmalloc, per-CPU, pages\n"
		"  features   what bpfmem probed in this kernel, how, and what it does\n"
		"             without each; which accounting hooks run and why\n"
		"  demo       makes a hash, an array, a per-CPU hash, an LRU hash, a\n"
		"             ring buffer and a program in a scratch memory cgroup,\n"
		"             fills them, reports them, and removes them all\n"
		"  prepare    loads bpfmem's iterators and keeps them pinned under\n"
		"             " BPFMEM_PIN_ROOT ", so that no later run loads or\n"
		"             verifies a program (bpfmem-prepare.service runs it at\n"
		"             boot; systemctl stop bpfmem-prepare unloads them)\n"
		"\n"
		"From bpfmemd only (the daemon keeps history and sees lifecycles):\n"
		"  events [-f]            maps and programs created and freed, with\n"
		"                         their creators; -f follows new ones\n"
		"  history [map|prog|cgroup] ID | history total [--range DUR]\n"
		"                         the figures of one object over time\n"
		"  snapshot [-o FILE]     has bpfmemd write its JSON snapshot; copies\n"
		"                         it to FILE\n"
		"\n"
		"The other commands ask bpfmemd when its socket answers and collect\n"
		"in-process otherwise, with the same output.\n"
		"\n"
		"Options:\n"
		"  -j, --json         one JSON value, sizes in bytes (docs/SCHEMA.md)\n"
		"  -p, --pretty       indented JSON (implies --json)\n"
		"  -s, --sort FIELD   maps: id name type real memlock elements max_entries\n"
		"                     fill key value pids; progs: id name type real\n"
		"                     memlock xlated jited loaded_at maps; append :asc or\n"
		"                     :desc (default: real, largest first); top: real\n"
		"                     memlock fill name id (default real)\n"
		"  -n, --top N        only the first N rows\n"
		"  -d, --delay SECS   top: seconds between refreshes (default 2)\n"
		"  -n, --iterations N top: exit after N refreshes\n"
		"  -f, --bpffs        also list where objects are pinned (walks every\n"
		"                     bpffs mount), as bpftool -f does; events: --follow\n"
		"      --tree         cgroups: as a tree, with the cgroups between\n"
		"      --dying        cgroups: only those holding removed cgroups' charges\n"
		"      --no-cache     load the iterators afresh and keep nothing loaded\n"
		"                     after exit (default: keep them pinned under\n"
		"                     " BPFMEM_PIN_ROOT " for the next run)\n"
		"      --socket PATH  bpfmemd's socket (default " DAEMON_SOCKET ")\n"
		"      --no-daemon    collect in-process even when bpfmemd runs\n"
		"      --own          also list bpfmem's own maps and programs (its\n"
		"                     iterators, bpfmemd's hooks), marked; hidden by\n"
		"                     default. Collected in-process\n"
		"  -o, --output FILE  snapshot: where to copy it\n"
		"      --range DUR    history: only the last DUR (30s, 10m, 1h)\n"
		"  -v, --verbose      more messages on stderr (twice: libbpf's too)\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n"
		"\n"
		"Exit status: 0 success, 1 runtime failure, 2 usage error, 3 missing\n"
		"privileges, 4 the kernel lacks what bpfmem needs, 5 the command needs\n"
		"bpfmemd and none answers.\n");
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* top's options: -n is --iterations there, --sort takes its keys. */
static int check_top_options(struct cli *c)
{
	struct top_state *st = &c->top.state;
	size_t n;
	char *end;

	*st = top_state_default();
	if (c->top_given || c->out.json) {
		fprintf(stderr, "bpfmem: top takes neither --top nor --json: -n is --iterations there\n");
		return -EINVAL;
	}
	if (c->n_text && !c->iterations_text)
		c->iterations_text = c->n_text;
	if (c->iterations_text) {
		if (parse_count(c->iterations_text, &n)) {
			fprintf(stderr, "bpfmem: --iterations takes a positive number, not '%s'\n",
				c->iterations_text);
			return -EINVAL;
		}
		c->top.iterations = n;
	}
	if (c->delay_text) {
		errno = 0;
		st->delay = strtod(c->delay_text, &end);
		if (errno || end == c->delay_text || *end || !(st->delay >= 0.1) ||
		    st->delay > 86400) {
			fprintf(stderr, "bpfmem: --delay takes seconds from 0.1 to 86400, not '%s'\n",
				c->delay_text);
			return -EINVAL;
		}
	}
	if (c->sort_text) {
		int key = top_key_from_name(c->sort_text);

		if (key < 0) {
			fprintf(stderr, "bpfmem: top cannot sort by '%s': valid keys: real memlock fill name id\n",
				c->sort_text);
			return -EINVAL;
		}
		top_state_sort_by(st, key);
		if (key == TOP_BY_REAL)
			st->descending = true;
	}
	return 0;
}

static int print_cgroup_rollup(const struct inventory *inv,
			       const struct output_opts *out, bool tree,
			       bool dying)
{
	struct cgroup_rollup r;
	int err = cgroup_rollup_build(inv, tree, &r);

	if (err)
		return err;
	if (!tree)
		cgroup_rollup_sort_by_bytes(&r);
	err = print_cgroups(stdout, &r, out, tree, dying);
	cgroup_rollup_free(&r);
	return err;
}

static int parse_command(struct cli *c, int argc, char **argv)
{
	int i, rest;

	if (optind >= argc)
		return 0;
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[optind], command_names[i]))
			break;
	if (i == NR_COMMANDS) {
		fprintf(stderr, "bpfmem: unknown command '%s'; try bpfmem --help\n",
			argv[optind]);
		return -EINVAL;
	}
	c->cmd = i;
	rest = argc - optind - 1;
	if (c->cmd == CMD_HISTORY) {
		const char *what = rest >= 1 ? argv[optind + 1] : "total";
		const char *id_text = NULL;
		char *end;

		c->history_object = "map";
		if (!strcmp(what, "total") || !strcmp(what, "map") ||
		    !strcmp(what, "prog") || !strcmp(what, "cgroup")) {
			c->history_object = what;
			id_text = rest >= 2 ? argv[optind + 2] : NULL;
			rest -= rest >= 2 ? 2 : 1;
		} else {
			id_text = what;	/* a bare id is a map's */
			rest--;
		}
		if (strcmp(c->history_object, "total")) {
			if (!id_text) {
				fprintf(stderr, "bpfmem: history %s needs an id\n",
					c->history_object);
				return -EINVAL;
			}
			errno = 0;
			c->history_id = strtoull(id_text, &end, 10);
			if (errno || *end || end == id_text) {
				fprintf(stderr, "bpfmem: '%s' is not an id\n",
					id_text);
				return -EINVAL;
			}
		}
	}
	if (rest > 0) {
		fprintf(stderr, "bpfmem: unexpected argument '%s'; try bpfmem --help\n",
			argv[argc - rest]);
		return -EINVAL;
	}
	return 0;
}

/* Options that belong to one command are errors elsewhere. */
static int check_options(struct cli *c)
{
	const char *err_text;

	if (c->cmd == CMD_TOP && check_top_options(c))
		return -EINVAL;
	if (c->cmd != CMD_TOP && (c->iterations_text || c->delay_text)) {
		fprintf(stderr, "bpfmem: --iterations and --delay apply to top\n");
		return -EINVAL;
	}
	if (c->cmd != CMD_TOP && c->n_text && parse_count(c->n_text, &c->out.top)) {
		fprintf(stderr, "bpfmem: --top takes a positive number, not '%s'\n",
			c->n_text);
		return -EINVAL;
	}
	c->spec = sort_spec_default(c->cmd == CMD_PROGS ? SORT_PROGS : SORT_MAPS);
	if (c->sort_text && c->cmd != CMD_MAPS && c->cmd != CMD_PROGS &&
	    c->cmd != CMD_TOP) {
		fprintf(stderr, "bpfmem: --sort applies to maps and progs\n");
		return -EINVAL;
	}
	if (c->sort_text && c->cmd != CMD_TOP &&
	    sort_spec_parse(c->sort_text, c->cmd == CMD_MAPS ? SORT_MAPS : SORT_PROGS,
			    &c->spec, &err_text)) {
		fprintf(stderr, "bpfmem: cannot sort by '%s': %s\n", c->sort_text,
			err_text);
		return -EINVAL;
	}
	if ((c->tree || c->dying) && c->cmd != CMD_CGROUPS) {
		fprintf(stderr, "bpfmem: --tree and --dying apply to cgroups\n");
		return -EINVAL;
	}
	/* -f: --follow for events, --bpffs elsewhere (as bpftool) */
	if (c->f_flag && c->cmd == CMD_EVENTS)
		c->follow = true;
	else if (c->f_flag)
		c->copts.pins = true;
	if (c->follow && c->cmd != CMD_EVENTS) {
		fprintf(stderr, "bpfmem: --follow applies to events\n");
		return -EINVAL;
	}
	if (c->output && c->cmd != CMD_SNAPSHOT) {
		fprintf(stderr, "bpfmem: --output applies to snapshot\n");
		return -EINVAL;
	}
	if (c->range && c->cmd != CMD_HISTORY) {
		fprintf(stderr, "bpfmem: --range applies to history\n");
		return -EINVAL;
	}
	if (c->own && c->cmd >= CMD_EVENTS) {
		fprintf(stderr, "bpfmem: --own applies to the listings collected in-process, not to %s\n",
			command_names[c->cmd]);
		return -EINVAL;
	}
	if (c->cmd == CMD_PREPARE && c->no_cache) {
		fprintf(stderr, "bpfmem: prepare keeps the iterators loaded: drop --no-cache\n");
		return -EINVAL;
	}
	if (c->cmd >= CMD_EVENTS && c->no_daemon) {
		fprintf(stderr, "bpfmem: %s comes from bpfmemd: drop --no-daemon\n",
			command_names[c->cmd]);
		return -EINVAL;
	}
	return 0;
}

/* The daemon answers unless told not to, or asked for what only an
 * in-process collection does. */
static bool want_daemon(const struct cli *c)
{
	/* packs and meminfo are collected in-process: they count
	 * bpfmem's own iterators too; features probes this kernel. --own
	 * too: bpfmemd's one sample feeds its history, alerts and
	 * exporters, which leave its own objects out */
	return c->cmd >= CMD_EVENTS ||
	       (!c->no_daemon && !c->no_cache && !c->tree && !c->own &&
		!c->copts.pins && c->cmd != CMD_PACKS &&
		c->cmd != CMD_MEMINFO && c->cmd != CMD_FEATURES &&
		c->cmd != CMD_DEMO && c->cmd != CMD_PREPARE);
}

static int run_remote(struct cli *c, struct conn *cl)
{
	switch (c->cmd) {
	case CMD_EVENTS:
		return remote_events(cl, c->follow, &c->out, stdout);
	case CMD_HISTORY:
		return remote_history(cl, c->history_object, c->history_id,
				      c->range, &c->out, stdout);
	case CMD_SNAPSHOT:
		return remote_snapshot(cl, c->output, stdout);
	default:
		return remote_print(cl, command_names[c->cmd], c->sort_text,
				    c->dying, &c->out, stdout);
	}
}

/* What an in-process collection of the command loads and keeps. */
static void local_opts(struct cli *c)
{
	c->copts.iters = command_iters[c->cmd];
	c->copts.keep_own = c->own || c->cmd == CMD_PACKS ||
			    c->cmd == CMD_MEMINFO;
	c->copts.own_pin_root = BPFMEM_PIN_ROOT;
	if (!c->no_cache && is_bpffs(BPFFS_ROOT))
		c->copts.pin_root = BPFMEM_PIN_ROOT;
	if (!c->no_cache && (!mkdir(RUN_DIR, 0700) || errno == EEXIST))
		c->copts.cache_path = MEMLOCK_CACHE;
}

/* socket: the daemon's, asked at every refresh; NULL for in-process
 * only. */
static int run_top(struct cli *c, const char *socket)
{
	local_opts(c);
	c->top.copts = c->copts;
	c->top.socket = socket;
	return top_run(&c->top);
}

static int print_packs_or_meminfo(const struct inventory *inv,
				  const struct cli *c)
{
	struct pack_table packs;
	struct meminfo m;
	int err = packs_build(inv, &packs);

	if (err)
		return err;
	if (c->cmd == CMD_PACKS) {
		err = print_packs(stdout, &packs, &c->out);
	} else {
		meminfo_build(inv, &packs, &m);
		err = print_meminfo(stdout, &m, &c->out);
	}
	packs_free(&packs);
	return err;
}

/* The capabilities a running bpfmemd kept, or NULL (said why at -v). */
static json_object *daemon_capabilities(const struct cli *c)
{
	const char *path = c->socket ? c->socket : DAEMON_SOCKET;
	json_object *caps = NULL;
	char msg[512] = "";
	struct conn cl;
	int err = conn_open(&cl, path);

	if (!err) {
		caps = remote_capabilities(&cl, msg, sizeof(msg));
		conn_close(&cl);
	} else {
		snprintf(msg, sizeof(msg), "no bpfmemd on %s: %s", path,
			 strerror(-err));
	}
	if (!caps)
		log_info("%s: its capabilities are not shown\n", msg);
	return caps;
}

/* The features as JSON with member "bpfmemd_capabilities" (null when no
 * daemon answered). */
static int print_features_json(const struct cli *c, const struct features *f,
			       json_object *caps)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	json_object *doc;
	int err;

	if (!mem)
		return -errno;
	err = print_features(mem, f, true, false);
	fclose(mem);
	doc = err ? NULL : json_tokener_parse(text);
	free(text);
	if (!doc)
		return err ?: -EINVAL;
	json_object_object_add(doc, "bpfmemd_capabilities",
			       json_object_get(caps));
	fprintf(stdout, "%s\n", json_object_to_json_string_ext(
				       doc, c->out.pretty ? JSON_C_TO_STRING_PRETTY :
							    JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	return ferror(stdout) ? -EIO : 0;
}

/* Probes everything by trying it: the answer does not need a daemon;
 * a running one adds the capabilities it kept. */
static int run_features(const struct cli *c)
{
	struct features f = {};
	json_object *caps;
	int err;

	if (!probe_cap_sys_admin()) {
		fprintf(stderr, "bpfmem: probing the kernel's BPF features needs CAP_SYS_ADMIN: run it as root (sudo bpfmem features)\n");
		return EXIT_NO_PRIVILEGE;
	}
	probe_all(&f);
	features_log(&f);
	caps = c->no_daemon ? NULL : daemon_capabilities(c);
	if (c->out.json) {
		err = print_features_json(c, &f, caps);
	} else {
		err = print_features(stdout, &f, false, false);
		if (!err && caps)
			print_capabilities(stdout, caps);
	}
	json_object_put(caps);
	if (err) {
		fprintf(stderr, "bpfmem: writing the output failed: %s\n",
			strerror(errno));
		return EXIT_FAILURE_RUNTIME;
	}
	return EXIT_OK;
}

/* Loads and pins every iterator a listing uses, or finds them pinned:
 * afterwards a run of this build loads and verifies nothing. */
static int run_prepare(struct cli *c)
{
	struct collector *collector;
	unsigned int pinned;
	const char *dir;
	int err, code;
	char msg[512];
	bool reused;

	local_opts(c);
	if (!c->copts.pin_root) {
		fprintf(stderr, "bpfmem: " BPFFS_ROOT " is not a BPF filesystem, so nothing can stay loaded: mount it (mount -t bpf bpf " BPFFS_ROOT ") and run bpfmem prepare again\n");
		return EXIT_NO_KERNEL_SUPPORT;
	}
	err = collector_new(&c->copts, &collector, msg, sizeof(msg), &code);
	if (err) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return code;
	}
	pinned = collector_pinned(collector, &dir);
	reused = collector_features(collector)->pinned_iterators;
	if (!pinned) {
		fprintf(stderr, "bpfmem: no iterator could be pinned in %s: run bpfmem -vv prepare for the reason\n",
			dir);
		collector_free(collector);
		return EXIT_FAILURE_RUNTIME;
	}
	printf("bpfmem: iterators %s in %s:", reused ? "already pinned" :
						      "loaded and pinned", dir);
	for (int k = 0; k < NR_ITERS; k++)
		if (pinned & ITER_BIT(k))
			printf(" %s", iter_name(k));
	printf("\n");
	/* e.g. no memory controller: runs read the cgroup files instead */
	for (int k = 0; k < NR_ITERS; k++)
		if (!(pinned & ITER_BIT(k)))
			printf("bpfmem: the %s iterator is not kept (bpfmem -vv prepare says why): runs that use it load it each time\n",
			       iter_name(k));
	collector_free(collector);
	return EXIT_OK;
}

/* A missing memory hierarchy costs every listing its memcg fields: said
 * once, with the fix. */
static void warn_degraded(const struct cli *c, const struct features *f)
{
	char msg[1024];

	if (c->cmd != CMD_PACKS && c->cmd != CMD_MEMINFO &&
	    !feature_has(f, FEAT_MEMCG))
		fprintf(stderr, "bpfmem: %s\n",
			feature_message(f, FEAT_MEMCG, msg, sizeof(msg)));
}

static int run_local(struct cli *c)
{
	struct collector *collector;
	struct inventory inv;
	int err, code;
	char msg[512];

	local_opts(c);

	err = collector_new(&c->copts, &collector, msg, sizeof(msg), &code);
	if (err) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return code;
	}
	err = pipeline_collect(collector, &inv);
	if (err) {
		fprintf(stderr, "bpfmem: collecting the inventory failed: %s\n",
			strerror(-err));
		collector_free(collector);
		return EXIT_FAILURE_RUNTIME;
	}
	warn_degraded(c, collector_features(collector));
	switch (c->cmd) {
	case CMD_MAPS:
		sort_maps(inv.maps, inv.nr_maps, c->spec);
		err = print_maps(stdout, &inv, &c->out);
		break;
	case CMD_PROGS:
		sort_progs(inv.progs, inv.nr_progs, c->spec);
		err = print_progs(stdout, &inv, &c->out);
		break;
	case CMD_SUMMARY:
		err = print_summary(stdout, &inv, &c->out);
		break;
	case CMD_CGROUPS:
		err = print_cgroup_rollup(&inv, &c->out, c->tree, c->dying);
		break;
	case CMD_PACKS:
	case CMD_MEMINFO:
		err = print_packs_or_meminfo(&inv, c);
		break;
	default:
		err = print_report(stdout, &inv, &c->out);
		break;
	}
	inventory_free(&inv);
	collector_free(collector);
	if (err) {
		fprintf(stderr, "bpfmem: writing the output failed: %s\n",
			strerror(-err));
		return EXIT_FAILURE_RUNTIME;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	enum { OPT_NO_CACHE = 256, OPT_TREE, OPT_DYING, OPT_SOCKET,
	       OPT_NO_DAEMON, OPT_RANGE, OPT_FOLLOW, OPT_TOP, OPT_ITERATIONS,
	       OPT_OWN };
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "delay", required_argument, NULL, 'd' },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "bpffs", no_argument, NULL, 'f' },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "dying", no_argument, NULL, OPT_DYING },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "no-daemon", no_argument, NULL, OPT_NO_DAEMON },
		{ "own", no_argument, NULL, OPT_OWN },
		{ "output", required_argument, NULL, 'o' },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct cli c = {};
	struct conn cl;
	const char *path = NULL;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "jps:n:d:fo:vhV", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.out.json = true;
			break;
		case 'p':
			c.out.json = c.out.pretty = true;
			break;
		case 's':
			c.sort_text = optarg;
			break;
		case OPT_TOP:
			c.top_given = true;
			/* fall through */
		case 'n':
			c.n_text = optarg;
			break;
		case OPT_ITERATIONS:
			c.iterations_text = optarg;
			break;
		case 'd':
			c.delay_text = optarg;
			break;
		case 'f':
			c.f_flag = true;
			break;
		case 'o':
			c.output = optarg;
			break;
		case OPT_NO_CACHE:
			c.no_cache = true;
			break;
		case OPT_FOLLOW:
			c.follow = true;
			break;
		case OPT_TREE:
			c.tree = true;
			break;
		case OPT_DYING:
			c.dying = true;
			break;
		case OPT_SOCKET:
			c.socket = optarg;
			break;
		case OPT_NO_DAEMON:
			c.no_daemon = true;
			break;
		case OPT_OWN:
			c.own = true;
			break;
		case OPT_RANGE:
			c.range = optarg;
			break;
		case 'v':
			c.verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("bpfmem %s\n", BPFMEM_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (parse_command(&c, argc, argv) || check_options(&c))
		return EXIT_USAGE;

	log_set_level(c.verbose >= 2 ? LOG_LVL_DEBUG :
		      c.verbose == 1 ? LOG_LVL_INFO :
				       LOG_LVL_WARN);
	log_route_libbpf();

	if (want_daemon(&c)) {
		path = c.socket ? c.socket : DAEMON_SOCKET;
		err = conn_open(&cl, path);
		if (!err && c.cmd == CMD_TOP) {
			/* it asks at every refresh itself */
			conn_close(&cl);
			return run_top(&c, path);
		}
		if (!err) {
			err = run_remote(&c, &cl);
			conn_close(&cl);
			if (!err && fflush(stdout))
				err = -errno;
			return err ? EXIT_FAILURE_RUNTIME : EXIT_OK;
		}
		/* an explicit socket, or a command only bpfmemd answers */
		if ((c.socket || c.cmd >= CMD_EVENTS) && err == -EACCES) {
			fprintf(stderr, "bpfmem: permission denied on %s: only root and the members of group bpfmem may use bpfmemd; join it (sudo usermod -aG bpfmem $USER, then log in again)\n",
				path);
			return EXIT_NO_DAEMON;
		}
		if (c.socket || c.cmd >= CMD_EVENTS) {
			fprintf(stderr, "bpfmem: bpfmemd does not answer on %s (%s): start it (systemctl start bpfmemd)%s\n",
				path, strerror(-err),
				c.cmd >= CMD_EVENTS ? "" :
						      ", or drop --socket to collect in-process");
			return EXIT_NO_DAEMON;
		}
		log_debug("no bpfmemd on %s (%s): collecting in-process\n", path,
			  strerror(-err));
	}
	if (c.cmd == CMD_FEATURES)
		return run_features(&c);
	if (c.cmd == CMD_DEMO) {
		local_opts(&c);
		return demo_run(&c.copts, &c.out, stdout);
	}
	if (c.cmd == CMD_PREPARE)
		return run_prepare(&c);
	/* it may start later: top keeps asking */
	if (c.cmd == CMD_TOP)
		return run_top(&c, path);
	err = run_local(&c);
	if (!err && fflush(stdout)) {
		fprintf(stderr, "bpfmem: writing the output failed: %s\n",
			strerror(errno));
		return EXIT_FAILURE_RUNTIME;
	}
	return err;
}
