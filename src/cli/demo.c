// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli/demo.h"
#include "base/memcg.h"
#include "report/report.h"
#include "pipeline/pipeline.h"

enum { DEMO_HASH, DEMO_ARRAY, DEMO_PERCPU, DEMO_LRU, DEMO_RINGBUF,
       NR_DEMO_MAPS };

/* What the child made, or why it could not (err, negative errno). */
struct demo_objs {
	__u32 maps[NR_DEMO_MAPS];
	__u32 prog;
	int err;
	char what[64];
};

struct demo_map {
	const char *name;
	enum bpf_map_type type;
	__u32 value_size, max_entries, filled;
	__u32 flags;
};

/* Several allocators: hashes allocating as they fill (where memlock is
 * furthest from the truth), per-CPU values, an array and an LRU
 * (preallocated), a ring buffer (vmalloc). */
static const struct demo_map demo_maps[NR_DEMO_MAPS] = {
	[DEMO_HASH] = { "demo_hash", BPF_MAP_TYPE_HASH, 64, 8192, 6000,
			BPF_F_NO_PREALLOC },
	[DEMO_ARRAY] = { "demo_array", BPF_MAP_TYPE_ARRAY, 256, 4096, 4096 },
	[DEMO_PERCPU] = { "demo_pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 32, 2048,
			  1500, BPF_F_NO_PREALLOC },
	[DEMO_LRU] = { "demo_lru", BPF_MAP_TYPE_LRU_HASH, 128, 4096, 6000 },
	[DEMO_RINGBUF] = { "demo_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 1 << 20,
			   0 },
};

#define READY_TIMEOUT_MS 60000
#define RMDIR_TRIES 200		/* of 10 ms: the child leaving the cgroup */

/* What an interruption removes, whatever the demo is doing then (a
 * report blocked on a full pipe too): set before the handler runs. */
static volatile pid_t child_pid;
static char cgroup_path[PATH_MAX];

/* Only async-signal-safe calls: the child killed and reaped (its objects
 * go with its descriptors), its cgroup removed, and out. */
static void on_signal(int sig)
{
	static const char msg[] = "bpfmem: interrupted: the demo's objects and cgroup removed\n";
	struct timespec pause = { .tv_nsec = 10000000 };

	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
	}
	for (int i = 0; i < RMDIR_TRIES && rmdir(cgroup_path) && errno == EBUSY;
	     i++)
		nanosleep(&pause, NULL);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

static __u32 fd_id(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int fill(int fd, const struct demo_map *m)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t size = m->type == BPF_MAP_TYPE_PERCPU_HASH ?
			      ((m->value_size + 7) & ~7u) * ncpus :
			      m->value_size;
	char *value = calloc(1, size);
	int err = value ? 0 : -ENOMEM;

	for (__u32 k = 0; k < m->filled && !err; k++) {
		memset(value, k & 0xff, size);
		if (bpf_map_update_elem(fd, &k, value, BPF_ANY))
			err = -errno;
	}
	free(value);
	return err;
}

/* A socket filter that uses the array: return 0 (drop). */
static int load_prog(int map_fd)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{},
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "demo_prog", "GPL",
			       insns, sizeof(insns) / sizeof(insns[0]), NULL);

	return fd < 0 ? -errno : fd;
}

static int make_objects(struct demo_objs *o)
{
	int fd, err;

	for (int i = 0; i < NR_DEMO_MAPS; i++) {
		const struct demo_map *m = &demo_maps[i];
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m->flags);

		snprintf(o->what, sizeof(o->what), "creating %s", m->name);
		fd = bpf_map_create(m->type, m->name,
				    m->type == BPF_MAP_TYPE_RINGBUF ? 0 : 4,
				    m->value_size, m->max_entries, &opts);
		if (fd < 0)
			return -errno;
		o->maps[i] = fd_id(fd);
		snprintf(o->what, sizeof(o->what), "filling %s", m->name);
		err = fill(fd, m);
		if (err)
			return err;
		if (i == DEMO_ARRAY) {
			snprintf(o->what, sizeof(o->what), "loading demo_prog");
			err = load_prog(fd);
			if (err < 0)
				return err;
			o->prog = fd_id(err);
		}
	}
	return 0;
}

/* The child: joins the cgroup (its objects are charged there), makes
 * them, says which, and holds them until the parent closes its end or
 * dies. */
static void child(const char *cgroup, int to_parent, int from_parent)
{
	struct demo_objs o = {};
	char path[PATH_MAX + 16], pid[24];
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "bpfmem-demo");
	if (getppid() == 1)	/* the parent died before the line above */
		_exit(1);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(o.what, sizeof(o.what), "joining its cgroup");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		o.err = -errno;
	if (fd >= 0)
		close(fd);
	if (!o.err)
		o.err = make_objects(&o);
	if (write(to_parent, &o, sizeof(o)) != sizeof(o))
		_exit(1);
	while (read(from_parent, pid, sizeof(pid)) > 0)
		;
	_exit(0);
}

static int scratch_cgroup(char *path, size_t size)
{
	static char mountinfo[1 << 18];
	char root[PATH_MAX / 2];
	ssize_t n;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, mountinfo, sizeof(mountinfo) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	mountinfo[n] = '\0';
	if (memcg_find_root(mountinfo, root, sizeof(root)) < 0)
		return -ENOENT;
	snprintf(path, size, "%s/bpfmem-demo-%d", root, getpid());
	return mkdir(path, 0755) ? -errno : 0;
}

static int wait_ready(int fd, struct demo_objs *o)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ms = 0;

	while (ms < READY_TIMEOUT_MS) {
		if (poll(&p, 1, 100) > 0)
			return read(fd, o, sizeof(*o)) == sizeof(*o) ? 0 :
								      -EPIPE;
		ms += 100;
	}
	return -ETIMEDOUT;
}

static bool is_demo_map(const struct demo_objs *o, __u32 id)
{
	for (int i = 0; i < NR_DEMO_MAPS; i++)
		if (o->maps[i] == id)
			return true;
	return false;
}

/* The inventory of the demo's objects alone. */
static void keep_demo(struct inventory *inv, const struct demo_objs *o)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->nr_maps; i++)
		if (is_demo_map(o, inv->maps[i].rec.id))
			inv->maps[n++] = inv->maps[i];
	inv->nr_maps = n;
	n = 0;
	for (size_t i = 0; i < inv->nr_progs; i++)
		if (inv->progs[i].rec.id == o->prog)
			inv->progs[n++] = inv->progs[i];
	inv->nr_progs = n;
	/* not the demo's: bpfmem report counts them */
	inv->own = (struct own_summary){};
}

static int report(const struct collector_opts *copts,
		  const struct output_opts *o, const struct demo_objs *objs,
		  const char *cgroup, FILE *out)
{
	struct collector *c;
	struct inventory inv;
	char msg[512];
	int code, err;

	err = collector_new(copts, &c, msg, sizeof(msg), &code);
	if (err) {
		fprintf(stderr, "bpfmem: %s\n", msg);
		return code;
	}
	err = pipeline_collect(c, &inv);
	if (err) {
		fprintf(stderr, "bpfmem: collecting the inventory failed: %s\n",
			strerror(-err));
		collector_free(c);
		return EXIT_FAILURE_RUNTIME;
	}
	keep_demo(&inv, objs);
	if (!o->json)
		fprintf(out, "bpfmem demo: %zu maps and %zu program made and filled by a process in\nthe memory cgroup %s; the report of those alone:\n\n",
			inv.nr_maps, inv.nr_progs, cgroup);
	err = print_report(out, &inv, o);
	if (!err && !o->json) {
		fprintf(out, "\nThe maps:\n");
		err = print_maps(out, &inv, o);
	}
	inventory_free(&inv);
	collector_free(c);
	if (err) {
		fprintf(stderr, "bpfmem: writing the output failed: %s\n",
			strerror(-err));
		return EXIT_FAILURE_RUNTIME;
	}
	return EXIT_OK;
}

/* The child gone (its objects with it), then its cgroup. */
static int clean_up(pid_t pid, int to_child, const char *cgroup)
{
	int tries = 0, err;

	close(to_child);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	/* the exited child leaves the cgroup a moment later */
	while ((err = rmdir(cgroup) ? -errno : 0) == -EBUSY &&
	       tries++ < RMDIR_TRIES)
		usleep(10000);
	if (err)
		fprintf(stderr, "bpfmem: removing the demo's cgroup %s failed: %s; remove it with rmdir\n",
			cgroup, strerror(-err));
	return err;
}

int demo_run(const struct collector_opts *copts, const struct output_opts *o,
	     FILE *out)
{
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	struct demo_objs objs = {};
	int up[2], down[2], err, code;
	const char *cgroup = cgroup_path;
	sigset_t block, old;
	pid_t pid;

	err = scratch_cgroup(cgroup_path, sizeof(cgroup_path));
	if (err) {
		fprintf(stderr, "bpfmem: creating a scratch memory cgroup (%s) failed: %s; run it as root on a machine with the memory controller\n",
			cgroup_path, strerror(-err));
		return err == -EACCES || err == -EPERM ? EXIT_NO_PRIVILEGE :
							 EXIT_FAILURE_RUNTIME;
	}
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC)) {
		fprintf(stderr, "bpfmem: pipe: %s\n", strerror(errno));
		rmdir(cgroup);
		return EXIT_FAILURE_RUNTIME;
	}
	fflush(out);
	/* no handler in the child: the parent's death kills it */
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid > 0)
		child_pid = pid;
	if (pid < 0) {
		fprintf(stderr, "bpfmem: fork: %s\n", strerror(errno));
		rmdir(cgroup);
		return EXIT_FAILURE_RUNTIME;
	}
	if (!pid) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(up[0]);
		close(down[1]);
		child(cgroup, up[1], down[0]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(up[1]);
	close(down[0]);
	err = wait_ready(up[0], &objs);
	close(up[0]);
	if (err || objs.err) {
		fprintf(stderr, "bpfmem: the demo failed %s: %s%s\n",
			err ? "waiting for its objects" : objs.what,
			strerror(-(err ? err : objs.err)),
			objs.err == -EPERM ?
				": run it as root (CAP_BPF, CAP_SYS_ADMIN)" : "");
		code = objs.err == -EPERM ? EXIT_NO_PRIVILEGE :
					    EXIT_FAILURE_RUNTIME;
	} else {
		code = report(copts, o, &objs, cgroup, out);
	}
	fflush(out);
	if (clean_up(pid, down[1], cgroup) && code == EXIT_OK)
		code = EXIT_FAILURE_RUNTIME;
	if (code == EXIT_OK && !o->json)
		fprintf(out, "\nRemoved: the process that held them exited (its maps and program are\nfreed with it) and its memory cgroup is gone.\n");
	return code;
}
