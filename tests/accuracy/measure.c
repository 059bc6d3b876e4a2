// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "base/memcg.h"
#include "measure.h"
#include "pcpu_trace.h"

#define PERCPU_STATS "/sys/kernel/debug/percpu_stats"
#define RCU_BARRIER "/sys/module/rcutree/parameters/do_rcu_barrier"
#define DROP_CACHES "/proc/sys/vm/drop_caches"
#define CG_NAME "bpfmem-accuracy"

/* Polling of the counter while it settles, in milliseconds. */
#define POLL_MS 25
#define QUIET_UP_MS 100		/* still this long after growth */
#define QUIET_DOWN_MS 300	/* and after frees, which come in waves */
#define QUIET_V2_MS 2500	/* v2 statistics are flushed every 2 s */
#define SETTLE_LIMIT_MS 10000

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total + 1 < size &&
	       (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	n = n < 0 ? -errno : 0;
	close(fd);
	buf[total] = '\0';
	if (n)
		return n;
	/* a full buffer may have cut the file */
	return (size_t)total + 1 < size ? 0 : -EFBIG;
}

static int write_text(const char *path, const char *text)
{
	ssize_t len = strlen(text), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	n = n < 0 ? -errno : n == len ? 0 : -EIO;
	close(fd);
	return n;
}

/* Removes the case cgroups a killed run left in dir, then dir. */
static void remove_tree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			rmdir(path);
		}
	closedir(d);
	rmdir(dir);
}

/* Removes what runs that were killed left under root: CG_NAME-PID and
 * CG_NAME-PID-keys of a PID that no longer runs. */
static void remove_dead_runs(const char *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(root);
	int pid, n;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, CG_NAME "-%d%n", &pid, &n) != 1 ||
		    (de->d_name[n] && strcmp(de->d_name + n, "-keys")) ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		remove_tree(path);
	}
	closedir(d);
}

static int find_cgroup2(char *dir, size_t size)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/self/mounts", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(dir, size, "%s", m->mnt_dir);
			err = 0;
		}
	endmntent(f);
	return err;
}

#define OPTMEM_MAX "/proc/sys/net/core/optmem_max"
static const char optmem_wanted[] = "131072";

int acc_env_init(struct acc_env *env)
{
	static char mountinfo[1 << 16];
	/* room for our names after it */
	char root[PATH_MAX - 64], path[PATH_MAX + 32], text[32];
	int err;

	env->ncpus = libbpf_num_possible_cpus();
	if (env->ncpus < 0)
		return env->ncpus;
	env->page_size = sysconf(_SC_PAGESIZE);
	env->pcpu_trace = NULL;
	if (access(PERCPU_STATS, R_OK) &&
	    mount("none", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -errno;

	err = read_text("/proc/self/mountinfo", mountinfo, sizeof(mountinfo));
	if (err)
		return err;
	err = memcg_find_root(mountinfo, root, sizeof(root));
	if (err < 0)
		return err;
	env->v2 = err;
	/* one a process: runs side by side must not share or remove
	 * each other's cgroups */
	remove_dead_runs(root);
	snprintf(env->parent, sizeof(env->parent), "%s/%s-%d", root, CG_NAME,
		 getpid());
	remove_tree(env->parent);
	if (mkdir(env->parent, 0755))
		return -errno;
	if (env->v2) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control",
			 env->parent);
		err = write_text(path, "+memory");
		if (err)
			return err;
	}

	/* A socket's local storages are charged to its option memory, up to
	 * optmem_max: 20 KiB before Linux 6.8 (commit 4944566706b2 "net:
	 * increase optmem_max default value"), less than the 64 elements of
	 * 1 KiB an sk_storage case puts on each socket. Raised to 6.8's
	 * 128 KiB for the run. */
	env->optmem_saved = 0;
	if (!read_text(OPTMEM_MAX, text, sizeof(text)) &&
	    atol(text) < atol(optmem_wanted) &&
	    !write_text(OPTMEM_MAX, optmem_wanted))
		env->optmem_saved = atol(text);

	/* cgroup_array and cgrp_storage take cgroup v2 directories */
	env->v2_scratch[0] = '\0';
	if (!find_cgroup2(root, sizeof(root))) {
		remove_dead_runs(root);
		snprintf(env->v2_scratch, sizeof(env->v2_scratch),
			 "%s/%s-%d-keys", root, CG_NAME, getpid());
		remove_tree(env->v2_scratch);
		if (mkdir(env->v2_scratch, 0755))
			env->v2_scratch[0] = '\0';
	}
	return 0;
}

void acc_env_cleanup(struct acc_env *env)
{
	char text[32];

	if (env->optmem_saved) {
		snprintf(text, sizeof(text), "%ld", env->optmem_saved);
		write_text(OPTMEM_MAX, text);
	}
	remove_tree(env->parent);
	if (env->v2_scratch[0])
		remove_tree(env->v2_scratch);
}

int acc_cgroup_create(const struct acc_env *env, const char *name,
		      char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s", env->parent, name) >= size)
		return -ENAMETOOLONG;
	rmdir(path);
	return mkdir(path, 0755) ? -errno : 0;
}

void acc_cgroup_remove(const char *path)
{
	int i;

	/* an exited child may not have left the cgroup yet */
	for (i = 0; i < 40 && rmdir(path) && errno == EBUSY; i++)
		usleep(POLL_MS * 1000);
}

int acc_cgroup_enter(const char *path)
{
	char file[PATH_MAX + 16], pid[24];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_text(file, pid);
}

static int parse_field(const char *text, const char *key, __s64 *out)
{
	size_t len = strlen(key);
	const char *p;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			return sscanf(p + len, "%lld", (long long *)out) == 1 ?
				0 : -EINVAL;
	return -ENOENT;
}

int acc_memcg_read(const struct acc_env *env, const char *path, __s64 *bytes)
{
	char file[PATH_MAX + 32], buf[8192];
	int err;

	if (!env->v2) {
		snprintf(file, sizeof(file), "%s/memory.kmem.usage_in_bytes",
			 path);
		err = read_text(file, buf, sizeof(buf));
		if (err)
			return err;
		return sscanf(buf, "%lld", (long long *)bytes) == 1 ? 0 : -EINVAL;
	}
	snprintf(file, sizeof(file), "%s/memory.stat", path);
	err = read_text(file, buf, sizeof(buf));
	if (err)
		return err;
	if (!parse_field(buf, "kernel", bytes))
		return 0;
	snprintf(file, sizeof(file), "%s/memory.current", path);
	err = read_text(file, buf, sizeof(buf));
	if (err)
		return err;
	return sscanf(buf, "%lld", (long long *)bytes) == 1 ? 0 : -EINVAL;
}

/* An accounted object of a slab cache: its slot (slab_size, as
 * obj_full_size() charges it) and its memcg pointer. */
static int slab_charge(const char *cache, __s64 *bytes)
{
	char path[128], buf[64];
	int err;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/slab_size", cache);
	err = read_text(path, buf, sizeof(buf));
	if (err)
		return err;
	if (sscanf(buf, "%lld", (long long *)bytes) != 1)
		return -EINVAL;
	*bytes += sizeof(void *);
	return 0;
}

int acc_mapping_read(pid_t pid, __s64 *bytes)
{
	static char buf[1 << 16];
	char path[64];
	__s64 pte_kb, vma;
	const char *p;
	long n = 0;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	err = read_text(path, buf, sizeof(buf));
	p = err ? NULL : strstr(buf, "\nVmPTE:");
	if (!err && (!p || sscanf(p + 7, "%lld", (long long *)&pte_kb) != 1))
		err = -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	err = err ?: read_text(path, buf, sizeof(buf));
	err = err ?: slab_charge("vm_area_struct", &vma);
	if (err)
		return err;
	for (p = buf; (p = strchr(p, '\n')); p++)
		n++;
	*bytes = pte_kb * 1024 + n * vma;
	return 0;
}

/*
 * percpu_stats prints "  unit_size : N" once, then a block per chunk with
 * "  free_bytes : N", headed "Chunk:", "Chunk: <- First Chunk" or
 * "Chunk (sidelined):" (one being depopulated). free_bytes counts one unit
 * (one CPU's copy).
 */
bool acc_env_has_percpu_stats(void)
{
	return !access(PERCPU_STATS, R_OK);
}

int acc_percpu_read(const struct acc_env *env, __s64 *bytes)
{
	static char buf[1 << 17];
	long long unit = -1, v, used = 0;
	char *line, *save = NULL;
	__s64 uncharged, charged;
	int err;

	if (env->pcpu_trace) {
		err = acc_trace_read(env->pcpu_trace, &uncharged, &charged);
		*bytes = (uncharged + charged) * env->ncpus;
		return err;
	}
	err = read_text(PERCPU_STATS, buf, sizeof(buf));
	if (err)
		return err;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " unit_size : %lld", &v) == 1)
			unit = v;
		else if (!strncmp(line, "Chunk", 5))
			used += unit;
		else if (sscanf(line, " free_bytes : %lld", &v) == 1)
			used -= v;
	}
	if (unit < 0)
		return -EINVAL;
	*bytes = used * env->ncpus;
	return 0;
}

/* Both are best effort: the kernel may lack the knob (before 6.6). */
void acc_rcu_barrier(void)
{
	write_text(RCU_BARRIER, "1");
}

static void drop_slab(void)
{
	write_text(DROP_CACHES, "2");
}

int acc_settle(const struct acc_env *env, const char *path, bool down,
	       __s64 *bytes, __u32 *ms, bool *settled)
{
	long start = now_ms(), still_since, quiet;
	__s64 prev, cur;
	int err;

	quiet = env->v2 ? QUIET_V2_MS : down ? QUIET_DOWN_MS : QUIET_UP_MS;
	if (down)
		drop_slab();
	acc_rcu_barrier();
	err = acc_memcg_read(env, path, &prev);
	if (err)
		return err;
	still_since = now_ms();
	for (;;) {
		usleep(POLL_MS * 1000);
		/* frees queue more RCU callbacks and kfree_rcu() objects as
		 * they run; a kfree_rcu() batch that found both of its CPU's
		 * channels busy waits for the next monitor run (5 s with lazy
		 * RCU, longer than the quiet window): the shrinker sends it
		 * on now */
		if (down) {
			drop_slab();
			acc_rcu_barrier();
		}
		err = acc_memcg_read(env, path, &cur);
		if (err)
			return err;
		if (cur != prev) {
			prev = cur;
			still_since = now_ms();
		}
		*settled = now_ms() - still_since >= quiet;
		if (*settled || now_ms() - start > SETTLE_LIMIT_MS)
			break;
	}
	*bytes = cur;
	*ms = now_ms() - start;
	return 0;
}
