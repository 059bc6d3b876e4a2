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
#include "collector.h"
#include "log.h"
#include "output.h"
#include "sort.h"

#define BPF_FS_MAGIC 0xcafe4a11
#define BPFFS_ROOT "/sys/fs/bpf"
#define PIN_ROOT BPFFS_ROOT "/bpfmem"
#define RUN_DIR "/run/bpfmem"
#define MEMLOCK_CACHE RUN_DIR "/memlock.cache"

enum command {
	CMD_REPORT,
	CMD_MAPS,
	CMD_PROGS,
	CMD_SUMMARY,
	CMD_CGROUPS,
};

static const char *const command_names[] = {
	[CMD_REPORT] = "report",
	[CMD_MAPS] = "maps",
	[CMD_PROGS] = "progs",
	[CMD_SUMMARY] = "summary",
	[CMD_CGROUPS] = "cgroups",
};

/* What each command reads: loading fewer iterators makes a cold run
 * faster. */
static const unsigned int command_iters[] = {
	[CMD_REPORT] = ITER_ALL,
	/* programs: the users of each map */
	[CMD_MAPS] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_FDS) |
		     ITER_BIT(ITER_PROGS),
	[CMD_PROGS] = ITER_BIT(ITER_PROGS) | ITER_BIT(ITER_FDS) |
		      ITER_BIT(ITER_LINKS),
	[CMD_SUMMARY] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_PROGS),
	/* programs are attributed only through the daemon's creators */
	[CMD_CGROUPS] = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_MEMCGS),
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
		"  report     system totals, largest maps and programs, fill (default)\n"
		"  maps       every BPF map\n"
		"  progs      every BPF program\n"
		"  summary    counts and totals by type\n"
		"  cgroups    BPF memory per memory cgroup, with the cgroup's usage\n"
		"             and limit; --tree shows the hierarchy, --dying the\n"
		"             charges of removed cgroups\n"
		"\n"
		"Options:\n"
		"  -j, --json         one JSON value, sizes in bytes (docs/SCHEMA.md)\n"
		"  -p, --pretty       indented JSON (implies --json)\n"
		"  -s, --sort FIELD   maps: id name type memlock elements max_entries fill\n"
		"                     key value pids; progs: id name type memlock xlated\n"
		"                     jited loaded_at maps; append :asc or :desc\n"
		"                     (default: memlock, largest first)\n"
		"  -n, --top N        only the first N rows\n"
		"  -f, --bpffs        also list where objects are pinned (walks every\n"
		"                     bpffs mount), as bpftool -f does\n"
		"      --tree         cgroups: as a tree, with the cgroups between\n"
		"      --dying        cgroups: only those holding removed cgroups' charges\n"
		"      --no-cache     load the iterators afresh and keep nothing loaded\n"
		"                     after exit (default: keep them pinned under\n"
		"                     " PIN_ROOT " for the next run)\n"
		"  -v, --verbose      more messages on stderr (twice: libbpf's too)\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n"
		"\n"
		"Exit status: 0 success, 1 runtime failure, 2 usage error, 3 missing\n"
		"privileges, 4 the kernel lacks what bpfmem needs.\n");
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int parse_top(const char *s, size_t *out)
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

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ "no-cache", no_argument, NULL, 'C' },
		{ "bpffs", no_argument, NULL, 'f' },
		{ "tree", no_argument, NULL, 'T' },
		{ "dying", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct output_opts out = {};
	struct collector_opts copts = {};
	const char *sort_text = NULL, *err_text;
	enum command cmd = CMD_REPORT;
	struct collector *collector;
	struct inventory inv;
	struct sort_spec spec;
	bool no_cache = false, tree = false, dying = false;
	int verbose = 0, opt, err, code;
	char msg[512];

	while ((opt = getopt_long(argc, argv, "jps:n:fvhV", long_opts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'j':
			out.json = true;
			break;
		case 'p':
			out.json = out.pretty = true;
			break;
		case 's':
			sort_text = optarg;
			break;
		case 'n':
			if (parse_top(optarg, &out.top)) {
				fprintf(stderr, "bpfmem: --top takes a positive number, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
			no_cache = true;
			break;
		case 'f':
			copts.pins = true;
			break;
		case 'T':
			tree = true;
			break;
		case 'D':
			dying = true;
			break;
		case 'v':
			verbose++;
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
	if (optind < argc) {
		size_t i;

		for (i = 0; i < sizeof(command_names) / sizeof(*command_names);
		     i++)
			if (!strcmp(argv[optind], command_names[i]))
				break;
		if (i == sizeof(command_names) / sizeof(*command_names)) {
			fprintf(stderr, "bpfmem: unknown command '%s'; try bpfmem --help\n",
				argv[optind]);
			return EXIT_USAGE;
		}
		cmd = i;
		if (optind + 1 < argc) {
			fprintf(stderr, "bpfmem: unexpected argument '%s'; try bpfmem --help\n",
				argv[optind + 1]);
			return EXIT_USAGE;
		}
	}
	spec = sort_spec_default(cmd == CMD_PROGS ? SORT_PROGS : SORT_MAPS);
	if (sort_text && (cmd == CMD_MAPS || cmd == CMD_PROGS)) {
		if (sort_spec_parse(sort_text,
				    cmd == CMD_MAPS ? SORT_MAPS : SORT_PROGS,
				    &spec, &err_text)) {
			fprintf(stderr, "bpfmem: cannot sort by '%s': %s\n",
				sort_text, err_text);
			return EXIT_USAGE;
		}
	} else if (sort_text) {
		fprintf(stderr, "bpfmem: --sort applies to maps and progs\n");
		return EXIT_USAGE;
	}
	if ((tree || dying) && cmd != CMD_CGROUPS) {
		fprintf(stderr, "bpfmem: --tree and --dying apply to cgroups\n");
		return EXIT_USAGE;
	}

	log_set_level(verbose >= 2 ? LOG_LVL_DEBUG :
		      verbose == 1 ? LOG_LVL_INFO :
				     LOG_LVL_WARN);
	log_route_libbpf();

	copts.iters = command_iters[cmd];
	if (!no_cache && is_bpffs(BPFFS_ROOT))
		copts.pin_root = PIN_ROOT;
	if (!no_cache && (!mkdir(RUN_DIR, 0700) || errno == EEXIST))
		copts.cache_path = MEMLOCK_CACHE;

	err = collector_new(&copts, &collector, msg, sizeof(msg), &code);
	if (err) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return code;
	}
	err = collector_collect(collector, &inv);
	if (err) {
		fprintf(stderr, "bpfmem: collecting the inventory failed: %s\n",
			strerror(-err));
		collector_free(collector);
		return EXIT_FAILURE_RUNTIME;
	}

	switch (cmd) {
	case CMD_MAPS:
		sort_maps(inv.maps, inv.nr_maps, spec);
		err = print_maps(stdout, &inv, &out);
		break;
	case CMD_PROGS:
		sort_progs(inv.progs, inv.nr_progs, spec);
		err = print_progs(stdout, &inv, &out);
		break;
	case CMD_SUMMARY:
		err = print_summary(stdout, &inv, &out);
		break;
	case CMD_REPORT:
		err = print_report(stdout, &inv, &out);
		break;
	case CMD_CGROUPS:
		err = print_cgroup_rollup(&inv, &out, tree, dying);
		break;
	}
	inventory_free(&inv);
	collector_free(collector);
	if (!err && fflush(stdout))
		err = -errno;
	if (err) {
		fprintf(stderr, "bpfmem: writing the output failed: %s\n",
			strerror(-err));
		return EXIT_FAILURE_RUNTIME;
	}
	return EXIT_OK;
}
