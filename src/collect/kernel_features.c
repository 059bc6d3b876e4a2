// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "collect/kernel_features.h"
#include "base/json_writer.h"
#include "base/log.h"

struct feature_row {
	const char *name;
	const char *probe;	/* how it is tried */
	enum feature_loss loss;
	const char *without;	/* what bpfmem does without it */
	const char *fix;	/* how to get it; NULL when there is nothing to do */
};

#define ITER_FIX "a kernel with BPF iterators (Linux 5.8 or newer, CONFIG_BPF_SYSCALL)"

static const struct feature_row rows[NR_FEATURES] = {
	[FEAT_BTF] = {
		"btf", "/sys/kernel/btf/vmlinux readable", LOSS_FATAL,
		"bpfmem cannot run: every iterator is a CO-RE program relocated against the kernel's BTF",
		"a kernel built with CONFIG_DEBUG_INFO_BTF=y",
	},
	[FEAT_ITER_MAP] = {
		"iter_bpf_map", "loaded and attached a test iter/bpf_map program",
		LOSS_FATAL, "bpfmem cannot run: maps are listed by this iterator", ITER_FIX,
	},
	[FEAT_ITER_PROG] = {
		"iter_bpf_prog", "loaded and attached a test iter/bpf_prog program",
		LOSS_FATAL, "bpfmem cannot run: programs are listed by this iterator", ITER_FIX,
	},
	[FEAT_ITER_TASK_FILE] = {
		"iter_task_file", "loaded and attached a test iter/task_file program",
		LOSS_FATAL, "bpfmem cannot run: the processes holding each object are found by this iterator",
		ITER_FIX,
	},
	[FEAT_ITER_LINK] = {
		"iter_bpf_link", "loaded and attached a test iter/bpf_link program",
		LOSS_FATAL, "bpfmem cannot run: programs' links are listed by this iterator",
		"a kernel with the BPF link iterator (Linux 5.19 or newer)",
	},
	[FEAT_ITER_CGROUP] = {
		"iter_cgroup", "loaded a test iter/cgroup program and attached it to the memory hierarchy's root",
		LOSS_NONE, "bpfmem reads each memory cgroup's counters from its files instead (slower with many cgroups)",
		"a kernel with the cgroup iterator (Linux 6.1 or newer; for cgroup v1, 6.2)",
	},
	[FEAT_KFUNC_ELEM_COUNT] = {
		"kfunc_bpf_map_sum_elem_count", "vmlinux BTF has function bpf_map_sum_elem_count",
		LOSS_DEGRADED, "counts a hash map's elements from its percpu_counter (off by less than the counter's batch) and shows none for preallocated and LRU hash maps",
		"a kernel with the kfunc (Linux 6.6 or newer)",
	},
	[FEAT_KFUNC_KMEM_CACHE] = {
		"kfunc_bpf_get_kmem_cache", "vmlinux BTF has function bpf_get_kmem_cache",
		LOSS_DEGRADED, "shows no memory cgroup for programs (it is found through the slab holding the program's bpf_prog_aux)",
		"a kernel with the kfunc (Linux 6.13 or newer)",
	},
	[FEAT_MAP_MEM_USAGE] = {
		"map_mem_usage", "vmlinux BTF has member map_mem_usage in struct bpf_map_ops",
		LOSS_NONE, "real bytes are unchanged; memlock (fdinfo) is then the kernel's old formula from max_entries, not what the map holds",
		NULL,
	},
	[FEAT_PERCPU_LOOKUP] = {
		"helper_bpf_map_lookup_percpu_elem", "loaded a test program calling bpf_map_lookup_percpu_elem",
		LOSS_DEGRADED, "estimates the free objects in bpf_mem_alloc's per-CPU caches instead of reading each CPU's",
		"a kernel with the helper (Linux 5.19 or newer)",
	},
	[FEAT_MEMCG] = {
		"memcg", "/proc/self/mountinfo has a cgroup v1 memory hierarchy or cgroup v2 with the memory controller",
		LOSS_DEGRADED, "lists maps and programs without their memory cgroup (memcg is null) and `bpfmem cgroups` lists nothing",
		"mount one: cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup; echo +memory > /sys/fs/cgroup/cgroup.subtree_control) or v1 (mount -t cgroup -o memory none /sys/fs/cgroup/memory)",
	},
	[FEAT_DEBUGFS_PERCPU] = {
		"debugfs_percpu_stats", "/sys/kernel/debug/percpu_stats readable",
		LOSS_NONE, "nothing changes: bpfmem does not read it; only the accuracy harness's ground truth does (it then counts per-CPU bytes from the percpu tracepoints)",
		"mount -t debugfs none /sys/kernel/debug (and CONFIG_PERCPU_STATS=y)",
	},
	[FEAT_RINGBUF] = {
		"ringbuf", "created a BPF_MAP_TYPE_RINGBUF map",
		LOSS_DEGRADED, "bpfmemd records no creators and no lifecycle events from hooks (`bpfmem events` comes from successive samples); listings are complete",
		"a kernel with BPF ring buffers (Linux 5.8 or newer)",
	},
	[FEAT_FENTRY] = {
		"fentry", "loaded and attached a test fentry program on bpf_map_kmalloc_node",
		LOSS_NONE, "the accounting hooks use the tracepoints alone: what BPF programs allocate for a map (LPM trie nodes before Linux 6.14) is not traced",
		"a kernel with CONFIG_MEMCG_KMEM and BPF trampolines that lockdown or an LSM policy does not forbid",
	},
	[FEAT_TRACEPOINT] = {
		"tracepoint", "loaded and attached a test program on tracepoint syscalls/sys_enter_bpf",
		LOSS_DEGRADED, "(and without fentry) bpfmemd traces nothing: bytes_traced and lifecycle events are missing",
		"a kernel with CONFIG_FTRACE_SYSCALLS and tracefs (mount -t tracefs none /sys/kernel/tracing)",
	},
};

const char *feature_name(enum feature_id id)
{
	return rows[id].name;
}

const char *feature_probe_text(enum feature_id id)
{
	return rows[id].probe;
}

enum feature_loss feature_loss(enum feature_id id)
{
	return rows[id].loss;
}

void feature_set(struct features *f, enum feature_id id, bool available,
		 int err, const char *fmt, ...)
{
	struct feature_probe *p = &f->f[id];
	va_list ap;

	p->probed = true;
	p->available = available;
	p->err = err < 0 ? -err : err;
	p->detail[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
}

/* "detail (errno text)", "detail", "errno text" or "". */
static void outcome(const struct feature_probe *p, char *buf, size_t size)
{
	const char *d = p->detail;

	if (p->err && *d)
		snprintf(buf, size, "%s (%s)", d, strerror(p->err));
	else if (p->err)
		snprintf(buf, size, "%s", strerror(p->err));
	else
		snprintf(buf, size, "%s", d);
}

char *feature_message(const struct features *f, enum feature_id id, char *buf,
		      size_t size)
{
	const struct feature_row *r = &rows[id];
	char out[FEATURE_DETAIL_LEN + 64];

	outcome(&f->f[id], out, sizeof(out));
	snprintf(buf, size, "%s is missing%s%s%s; without it: %s%s", r->name,
		 *out ? " (" : "", out, *out ? ")" : "", r->without,
		 r->fix ? "; to get it: " : "");
	if (r->fix)
		strncat(buf, r->fix, size - strlen(buf) - 1);
	return buf;
}

enum feature_id features_first_fatal(const struct features *f)
{
	for (int i = 0; i < NR_FEATURES; i++)
		if (rows[i].loss == LOSS_FATAL && f->f[i].probed &&
		    !f->f[i].available)
			return i;
	return NR_FEATURES;
}

struct hooks_decision hooks_decide(const struct features *f)
{
	if (feature_has(f, FEAT_FENTRY) && feature_has(f, FEAT_TRACEPOINT))
		return (struct hooks_decision){ HOOKS_FENTRY,
			"fentry programs attach to the allocation wrappers that take the map: allocations are named in any context" };
	if (feature_has(f, FEAT_TRACEPOINT))
		return (struct hooks_decision){ HOOKS_TRACEPOINT,
			f->f[FEAT_FENTRY].probed ?
				"the kernel refused the test fentry program" :
				"fentry was not probed" };
	return (struct hooks_decision){ HOOKS_NONE,
		"neither fentry nor tracepoint programs attach: bytes_traced and lifecycle events are missing" };
}

const char *hooks_backend_name(enum hooks_backend b)
{
	return b == HOOKS_FENTRY ? "fentry" : b == HOOKS_TRACEPOINT ? "tracepoint" : "none";
}

static const char *loss_name(enum feature_loss l)
{
	return l == LOSS_FATAL ? "fatal" : l == LOSS_DEGRADED ? "degraded" : "none";
}

void json_features_report(struct json_writer *w, const struct features *f)
{
	struct hooks_decision h = hooks_decide(f);
	char buf[FEATURE_DETAIL_LEN + 64];

	json_key(w, "features");
	json_array_open(w);
	for (int i = 0; i < NR_FEATURES; i++) {
		const struct feature_probe *p = &f->f[i];

		if (!p->probed)
			continue;
		outcome(p, buf, sizeof(buf));
		json_object_open(w);
		json_kv_string(w, "name", rows[i].name);
		json_kv_bool(w, "available", p->available);
		json_kv_string(w, "probe", rows[i].probe);
		json_kv_string(w, "result", buf);
		json_kv_u64_or_null(w, "errno", p->err, p->err);
		json_kv_string(w, "without", rows[i].without);
		json_kv_string(w, "loss", loss_name(rows[i].loss));
		json_kv_string_or_null(w, "fix", rows[i].fix);
		json_object_close(w);
	}
	json_array_close(w);
	json_key(w, "hooks_backend");
	json_object_open(w);
	json_kv_string(w, "name", hooks_backend_name(h.backend));
	json_kv_string(w, "reason", h.reason);
	json_object_close(w);
}

int print_features(FILE *out, const struct features *f, bool json, bool pretty)
{
	struct hooks_decision h = hooks_decide(f);
	char buf[FEATURE_DETAIL_LEN + 64];

	if (json) {
		struct json_writer w;

		json_init(&w, out, pretty);
		json_object_open(&w);
		json_features_report(&w, f);
		json_object_close(&w);
		return json_finish(&w);
	}
	fprintf(out, "%-34s %-5s %s\n", "FEATURE", "AVAIL", "PROBE / RESULT / WITHOUT IT");
	for (int i = 0; i < NR_FEATURES; i++) {
		const struct feature_probe *p = &f->f[i];

		if (!p->probed)
			continue;
		outcome(p, buf, sizeof(buf));
		fprintf(out, "%-34s %-5s %s\n", rows[i].name,
			p->available ? "yes" : "no", rows[i].probe);
		if (*buf)
			fprintf(out, "%-40s -> %s\n", "", buf);
		if (!p->available)
			fprintf(out, "%-40s without it: %s\n", "", rows[i].without);
	}
	fprintf(out, "\naccounting hooks: %s, because %s\n",
		hooks_backend_name(h.backend), h.reason);
	return ferror(out) ? -EIO : 0;
}

void features_log(const struct features *f)
{
	char buf[FEATURE_DETAIL_LEN + 64];

	for (int i = 0; i < NR_FEATURES; i++) {
		if (!f->f[i].probed)
			continue;
		outcome(&f->f[i], buf, sizeof(buf));
		log_debug("feature %s: %s%s%s\n", rows[i].name,
			  f->f[i].available ? "yes" : "no", *buf ? ", " : "", buf);
	}
}
