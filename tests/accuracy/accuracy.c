// SPDX-License-Identifier: GPL-2.0
/*
 * accuracy: measures the ground truth of every case of the matrix
 * (cases.c) and prints it beside memlock; see tests/accuracy/README.md.
 *
 *   accuracy [--json FILE] [--only SUBSTRING|=NAME]
 *            [--traced | --daemon SOCKET] [--require-real] [--list]
 *
 * --traced attaches the daemon's accounting hooks (src/collect/accounting.c) and checks
 * their figure instead of the model's, where they see the objects whole.
 * --daemon SOCKET checks the same figure as a bpfmemd already running there
 * reports it (bytes_traced of its maps and progs), and that it tells every
 * map whose hooks and model disagree beyond 2%, and no other.
 *
 * Needs root. Exit status: 0 when every case was measured or skipped (a
 * type the kernel cannot create here), 1 when a case could not be measured
 * or, once the model exists, its figure is off by more than 2% and 8 KiB,
 * 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "accuracy.h"
#include "child.h"
#include "base/fdinfo.h"
#include "collect/accounting.h"
#include "daemon_figures.h"
#include "measure.h"
#include "base/names.h"
#include "pcpu_trace.h"

#define MAX_TRIES 3
#define QUIET_TRIES 50		/* per-CPU quiet windows waited for */
#define QUIET_US 20000
#define PCPU_SETTLE_POLLS 100
#define PCPU_SETTLE_US 50000
/* steps read again because the counter moved while they were read */
#define SAMPLE_REREADS 5
/* a figure within both of these is right (issue 3) */
#define REAL_TOLERANCE 0.02
#define REAL_SLACK 8192
#define MAX_CASES 128

static struct acc_result results[MAX_CASES];
/* --traced: the accounting hooks */
static struct accounting *hooks;
/* --daemon: bpfmemd's socket */
static const char *daemon_sock;

/* Whether the hooks' figure is checked (--traced or --daemon). */
static bool tracing(void)
{
	return hooks || daemon_sock;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *acc_step_name(enum acc_step step)
{
	static const char *const names[] = {
		[STEP_END] = "empty",
		[STEP_HALF] = "half",
		[STEP_FULL] = "full",
		[STEP_UPDATE] = "update",
		[STEP_DEL_HALF] = "del-half",
		[STEP_DEL_ALL] = "del-all",
		[STEP_REFILL] = "refill",
		[STEP_REOPEN] = "2nd-fd",
	};

	return names[step];
}

static bool step_frees(enum acc_step step)
{
	/* an update replaces elements: the old ones are freed */
	return step == STEP_UPDATE || step == STEP_DEL_HALF ||
	       step == STEP_DEL_ALL;
}

/* The objects' memlock, summed, their map or program ids, and their
 * program ids alone (0 for maps), from the child's fdinfo. */
static int read_fdinfo(const struct acc_child *ch, __u64 *sum, __u32 *ids,
		       __u32 *prog_ids)
{
	char path[64], buf[4096];
	__u64 v;
	int i, fd, n, err;

	*sum = 0;
	for (i = 0; i < ch->shm->nfds; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", ch->pid,
			 ch->shm->fds[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		err = n < 0 ? -errno : 0;
		close(fd);
		if (err)
			return err;
		buf[n] = '\0';
		err = fdinfo_parse_u64(buf, "memlock", &v);
		if (err)
			return err;
		*sum += v;
		ids[i] = !fdinfo_parse_u64(buf, "map_id", &v) ? v :
			 !fdinfo_parse_u64(buf, "prog_id", &v) ? v : 0;
		prog_ids[i] = fdinfo_parse_u64(buf, "prog_id", &v) ? 0 : v;
	}
	return 0;
}

/* What the hooks traced for the child's objects, found by id. -ENOENT
 * when the hooks did not see one of them whole. */
static int traced_sum(const struct acc_child *ch, const __u32 *ids,
		      const __u32 *prog_ids, __s64 *sum)
{
	const struct bpfmem_traced *t;
	int i, err;

	*sum = 0;
	err = accounting_refresh(hooks);
	for (i = 0; !err && i < ch->shm->nfds; i++) {
		t = prog_ids[i] ? accounting_find_id(hooks, BPFMEM_TRACED_PROG,
						     prog_ids[i]) :
				  accounting_find_id(hooks, BPFMEM_TRACED_MAP,
						     ids[i]);
		if (!t || t->lost)
			return -ENOENT;
		*sum += traced_total(t);
	}
	return err;
}

/* The daemon's figures of the child's objects: has_traced stays false when
 * it could not be asked (the reason goes to stderr) or did not see every
 * object whole. */
static void daemon_sample(const struct acc_child *ch, const __u32 *ids,
			  const __u32 *prog_ids, struct acc_sample *s)
{
	struct daemon_figures f;
	char msg[256];

	if (daemon_figures_read(daemon_sock, ids, prog_ids, ch->shm->nfds, &f,
				msg, sizeof(msg))) {
		fprintf(stderr, "accuracy: %s\n", msg);
		return;
	}
	s->has_traced = f.whole;
	s->traced = f.traced;
	s->disagree = f.disagree;
	s->told_wrongly = f.told_wrongly + f.disagree - f.disagree_told;
}

/* A step's figures: the counter once settled, memlock, the model's
 * figure from the iterator's records read right then, and with --traced
 * the hooks' figure. The counter is read again after them: a quiet window
 * can end while frees still wait for a grace period that rcu_barrier()
 * does not cover (bpf_mem_alloc's RCU Tasks Trace one); when it ends
 * between the two readings, the truth and the records describe different
 * moments, and the step is settled and read again. */
static int sample(const struct acc_env *env, const char *cg, __s64 base,
		  __s64 map_base, const struct acc_child *ch,
		  const struct acc_result *r, enum acc_step step, bool down,
		  struct acc_sample *s)
{
	__u32 ids[ACC_MAX_OBJS], prog_ids[ACC_MAX_OBJS];
	__s64 after;
	int err;

	s->step = step;
	s->elements = ch->shm->elements;
	s->elements_counted = ch->shm->counted;
	s->rereads = 0;
	for (;;) {
		err = acc_settle(env, cg, down, &s->memcg_bytes, &s->settle_ms,
				 &s->settled);
		err = err ?: acc_mapping_read(ch->pid, &s->mapping_bytes);
		s->mapping_bytes -= map_base;
		err = err ?: read_fdinfo(ch, &s->memlock, ids, prog_ids);
		if (!err)
			s->has_real = !real_bytes_for_case(r, s, ids, &s->real);
		if (!err && hooks)
			s->has_traced = !traced_sum(ch, ids, prog_ids,
						    &s->traced);
		if (!err && daemon_sock)
			daemon_sample(ch, ids, prog_ids, s);
		err = err ?: acc_memcg_read(env, cg, &after);
		if (err || after == s->memcg_bytes)
			break;
		if (++s->rereads == SAMPLE_REREADS) {
			s->settled = false;
			break;
		}
	}
	s->memcg_bytes -= base;
	return err;
}

/* Waits for a moment in which nobody allocates per-CPU memory. */
static int quiet_percpu(const struct acc_env *env, __s64 *bytes)
{
	__s64 again;
	int i, err;

	for (i = 0; i < QUIET_TRIES; i++) {
		err = acc_percpu_read(env, bytes);
		usleep(QUIET_US);
		err = err ?: acc_percpu_read(env, &again);
		if (err || again == *bytes)
			return err;
	}
	return -EAGAIN;
}

static void set_why(struct acc_result *r, const char *what, int err,
		    const char *msg)
{
	snprintf(r->why, sizeof(r->why), "%s: %s", what,
		 msg && *msg ? msg : strerror(-err));
}

/* Waits for the per-CPU allocator to hold still after frees. */
static int settle_percpu(const struct acc_env *env, __s64 *bytes)
{
	__s64 again;
	int i, err;

	err = acc_percpu_read(env, bytes);
	for (i = 0; !err && i < PCPU_SETTLE_POLLS; i++) {
		usleep(PCPU_SETTLE_US);
		err = acc_percpu_read(env, &again);
		if (!err && again == *bytes)
			break;
		*bytes = again;
	}
	return err;
}

/* Errors of a busy or short machine, not of a kernel that lacks what the
 * case needs: such a case fails rather than being skipped. */
static bool transient(int err)
{
	return err == -EBUSY || err == -ENOMEM || err == -EMFILE ||
	       err == -ENFILE || err == -EINTR || err == -ETIMEDOUT;
}

/*
 * One try: a fresh cgroup and process, the objects created while the
 * per-CPU allocator is otherwise quiet, then every step. -EAGAIN when
 * somebody else allocated per-CPU memory meanwhile, but on the last try.
 */
static int measure_once(const struct acc_env *env, struct pcpu_bpf *trace,
			const struct acc_case *c, bool last_try,
			struct acc_result *r)
{
	struct acc_child ch = { .to_child = -1, .to_parent = -1 };
	__s64 base, map_base, before, after, again, unch, chg, v;
	char cg[PATH_MAX];
	__u32 ms;
	bool ok;
	int i, err;

	err = acc_cgroup_create(env, c->name, cg, sizeof(cg));
	if (err) {
		set_why(r, "create the cgroup", err, NULL);
		r->failed = true;
		return err;
	}
	err = acc_child_start(env, c, cg, &ch);
	if (err) {
		/* what the objects need is missing here, or busy */
		set_why(r, "prepare", err, ch.shm ? ch.shm->msg : NULL);
		r->skipped = !transient(err);
		r->failed = !r->skipped;
		goto out;
	}
	err = acc_settle(env, cg, false, &base, &ms, &ok);
	err = err ?: acc_mapping_read(ch.pid, &map_base);
	err = err ?: acc_trace_begin(trace, ch.pid);
	err = err ?: quiet_percpu(env, &before);
	if (err == -EAGAIN && last_try) {
		r->noisy = true;
		err = 0;
	}
	if (err)
		goto out;

	err = acc_child_call(&ch, CMD_CREATE, STEP_END);
	if (err) {
		set_why(r, "create", err, ch.shm->msg);
		r->skipped = !transient(err);
		r->failed = !r->skipped;
		goto out;
	}
	err = acc_percpu_read(env, &after) ?:
	      acc_trace_read(trace, &unch, &chg);
	usleep(QUIET_US);
	err = err ?: acc_percpu_read(env, &again);
	if (err)
		goto out;
	r->pcpu_create = after - before;
	r->pcpu_create_charged = chg * env->ncpus;
	r->pcpu_trace_net = (unch + chg) * env->ncpus;
	r->noisy |= again != after || r->pcpu_trace_net != r->pcpu_create;
	if (r->noisy && !last_try) {
		err = -EAGAIN;
		goto out;
	}
	r->objs = ch.shm->nfds;
	r->max_entries = ch.shm->max_entries;
	r->fill_target = ch.shm->fill_target;
	r->xlated_len = ch.shm->xlated_len;
	r->jited_len = ch.shm->jited_len;

	err = sample(env, cg, base, map_base, &ch, r, STEP_END, false,
		     &r->samples[0]);
	r->nr_samples = 1;
	for (i = 0; !err && i < ACC_MAX_STEPS && c->steps[i] != STEP_END; i++) {
		err = acc_child_call(&ch, CMD_STEP, c->steps[i]);
		if (err) {
			set_why(r, acc_step_name(c->steps[i]), err, ch.shm->msg);
			r->failed = true;
			goto out;
		}
		err = sample(env, cg, base, map_base, &ch, r, c->steps[i],
			     step_frees(c->steps[i]),
			     &r->samples[r->nr_samples++]);
	}

	err = err ?: acc_child_call(&ch, CMD_CLOSE, STEP_END);
	err = err ?: acc_settle(env, cg, true, &v, &ms, &r->leftover_settled);
	r->leftover_memcg = v - base;
	/* deferred frees must not land in the next case's window */
	err = err ?: settle_percpu(env, &v);
	r->leftover_pcpu = v - before;
out:
	if (err && err != -EAGAIN && !r->skipped && !r->failed) {
		set_why(r, "measure", err, NULL);
		r->failed = true;
	}
	acc_child_stop(&ch);
	acc_cgroup_remove(cg);
	return err;
}

static void run_case(const struct acc_env *env, struct pcpu_bpf *trace,
		     const struct acc_case *c, struct acc_result *r)
{
	long start = now_ms();
	int try;

	for (try = 1; try <= MAX_TRIES; try++) {
		*r = (struct acc_result){ .c = c, .tries = try };
		if (measure_once(env, trace, c, try == MAX_TRIES, r) != -EAGAIN)
			break;
	}
	r->ms = now_ms() - start;
}

/* ---- output ---- */

static double per_obj(__s64 total, __u32 objs)
{
	return objs ? (double)total / objs : 0;
}

static double error_pct(double figure, double truth)
{
	return truth > 0 ? (figure - truth) * 100 / truth : 0;
}

static bool real_off(const struct acc_result *r, const struct acc_sample *s)
{
	double truth = acc_truth(r, s), diff = (double)s->real - truth;

	if (diff < 0)
		diff = -diff;
	return s->has_real && diff > REAL_TOLERANCE * truth && diff > REAL_SLACK;
}

/* Set once the hooks are open: where the fentry backend runs, the hooks
 * also see what BPF programs allocate for a map, through the wrappers
 * that take the map (6.1's LPM trie nodes) and the bpf_mem_alloc refill
 * (hash maps without preallocation, 6.14's LPM trie nodes). */
static bool fentry_backend;

/* The hooks see what bpf() calls of the case's process allocate, and,
 * with fentry, what its BPF programs do; not a second fd opened by id. */
static bool traced_whole(const struct acc_result *r, const struct acc_sample *s)
{
	if (s->step == STEP_REOPEN)
		return false;
	return r->c->filler == FILL_USER || fentry_backend;
}

static bool traced_off(const struct acc_result *r, const struct acc_sample *s)
{
	double truth = acc_truth(r, s), diff = (double)s->traced - truth;

	if (!tracing() || !traced_whole(r, s))
		return false;
	if (!s->has_traced || s->told_wrongly)
		return true;
	if (diff < 0)
		diff = -diff;
	return diff > REAL_TOLERANCE * truth && diff > REAL_SLACK;
}

static void print_header(bool with_real)
{
	printf("%-32s %-8s %4s %9s %12s %12s %10s %12s %8s", "CASE", "STEP",
	       "N", "ELEMS", "TRUTH", "MEMCG", "ROOT-PCPU", "MEMLOCK",
	       "ML-ERR");
	if (with_real)
		printf(" %12s %8s", "REAL", "RL-ERR");
	if (tracing())
		printf(" %12s %8s", "TRACED", "TR-ERR");
	if (daemon_sock)
		printf(" %8s", "DISAGREE");
	printf("\n%-32s %-8s %4s %9s %12s %12s %10s %12s %8s\n", "", "", "",
	       "/obj", "B/obj", "B/obj", "B/obj", "B/obj", "%");
}

static void print_result(const struct acc_result *r, bool with_real)
{
	const struct acc_sample *s;
	double truth;
	int i;

	if (r->skipped || r->failed) {
		printf("%-32s %s: %s\n", r->c->name,
		       r->skipped ? "skipped" : "FAILED", r->why);
		return;
	}
	for (i = 0; i < r->nr_samples; i++) {
		s = &r->samples[i];
		truth = per_obj(acc_truth(r, s), r->objs);
		printf("%-32s %-8s %4u %9.0f %12.0f %12.0f %10.0f %12.0f %+8.1f",
		       i ? "" : r->c->name, acc_step_name(s->step), r->objs,
		       per_obj(s->elements, r->objs), truth,
		       per_obj(s->memcg_bytes, r->objs),
		       per_obj(r->pcpu_create - r->pcpu_create_charged, r->objs),
		       per_obj(s->memlock, r->objs),
		       error_pct(per_obj(s->memlock, r->objs), truth));
		if (with_real && s->has_real)
			printf(" %12.0f %+8.1f", per_obj(s->real, r->objs),
			       error_pct(per_obj(s->real, r->objs), truth));
		else if (with_real)
			printf(" %12s %8s", "-", "-");
		if (tracing() && s->has_traced)
			printf(" %12.0f %+8.1f", per_obj(s->traced, r->objs),
			       error_pct(per_obj(s->traced, r->objs), truth));
		else if (tracing())
			printf(" %12s %8s", "unseen", "");
		/* maps whose hooks and model differ beyond 2% */
		if (daemon_sock)
			printf(" %8u", s->disagree);
		printf("%s%s%s%s\n", s->settled ? "" : "  (still moving)",
		       real_off(r, s) ? "  REAL OFF" : "",
		       traced_off(r, s) ? "  TRACED OFF" : "",
		       s->told_wrongly ? "  DISAGREEMENT MISREPORTED" : "");
	}
	printf("%-32s %-8s %4u %9s %12.0f %12s %10.0f%s%s\n", "", "closed",
	       r->objs, "-", per_obj(r->leftover_memcg + r->leftover_pcpu, r->objs),
	       "(leftover)", per_obj(r->leftover_pcpu, r->objs),
	       r->leftover_settled ? "" : "  (still moving)",
	       r->noisy ? "  (per-CPU noise in every try)" : "");
}

static const char *type_name(const struct acc_case *c)
{
	return c->kind == ACC_PROG ? "prog" : map_type_name(c->map_type) ?: "?";
}

static void json_sample(FILE *f, const struct acc_result *r,
			const struct acc_sample *s, bool last)
{
	fprintf(f, "      {\"step\": \"%s\", \"elements\": %llu, "
		"\"elements_counted\": %s, \"memcg_bytes\": %lld, "
		"\"mapping_bytes\": %lld, "
		"\"truth_bytes\": %lld, \"memlock_bytes\": %llu, ",
		acc_step_name(s->step), (unsigned long long)s->elements,
		s->elements_counted ? "true" : "false",
		(long long)s->memcg_bytes, (long long)s->mapping_bytes,
		(long long)acc_truth(r, s),
		(unsigned long long)s->memlock);
	if (s->has_real)
		fprintf(f, "\"real_bytes\": %llu, ", (unsigned long long)s->real);
	if (s->has_traced)
		fprintf(f, "\"traced_bytes\": %lld, ", (long long)s->traced);
	fprintf(f, "\"settle_ms\": %u, \"settled\": %s, \"rereads\": %u}%s\n",
		s->settle_ms, s->settled ? "true" : "false", s->rereads,
		last ? "" : ",");
}

/* One object per case; sizes in bytes, for all "objects" together. */
static void json_case(FILE *f, const struct acc_env *env,
		      const struct acc_result *r, bool last)
{
	const struct acc_case *c = r->c;
	int i;

	fprintf(f, "    {\"case\": \"%s\", \"kind\": \"%s\", \"type\": \"%s\", ",
		c->name, c->kind == ACC_PROG ? "prog" : "map", type_name(c));
	if (c->kind == ACC_MAP)
		fprintf(f, "\"map_type\": %u, \"key_size\": %u, "
			"\"value_size\": %u, \"max_entries\": %u, "
			"\"max_entries_kernel\": %u, \"map_flags\": %u, "
			"\"map_extra\": %llu, \"fill_target\": %u, "
			"\"filler\": \"%s\", ",
			c->map_type, c->key_size, c->value_size, c->max_entries,
			r->max_entries, c->map_flags,
			(unsigned long long)c->map_extra, r->fill_target,
			c->filler == FILL_BPF ? "bpf" : "user");
	else
		fprintf(f, "\"insns\": %u, \"xlated_len\": %u, "
			"\"jited_len\": %u, ", c->prog_insns, r->xlated_len,
			r->jited_len);
	fprintf(f, "\"objects\": %u, \"possible_cpus\": %d, ",
		r->skipped || r->failed ? c->objs : r->objs, env->ncpus);
	if (r->skipped || r->failed) {
		fprintf(f, "\"%s\": true, \"why\": \"", r->skipped ? "skipped" :
			"failed");
		for (i = 0; r->why[i]; i++)
			fprintf(f, r->why[i] == '"' || r->why[i] == '\\' ?
				"\\%c" : "%c", r->why[i]);
		fprintf(f, "\"}%s\n", last ? "" : ",");
		return;
	}
	fprintf(f, "\"pcpu_create_bytes\": %lld, "
		"\"pcpu_create_charged_bytes\": %lld, "
		"\"pcpu_root_bytes\": %lld, \"pcpu_trace_bytes\": %lld, "
		"\"tries\": %u, \"pcpu_noisy\": %s, \"ms\": %u,\n"
		"     \"steps\": [\n",
		(long long)r->pcpu_create, (long long)r->pcpu_create_charged,
		(long long)(r->pcpu_create - r->pcpu_create_charged),
		(long long)r->pcpu_trace_net, r->tries,
		r->noisy ? "true" : "false", r->ms);
	for (i = 0; i < r->nr_samples; i++)
		json_sample(f, r, &r->samples[i], i == r->nr_samples - 1);
	fprintf(f, "     ], \"leftover_memcg_bytes\": %lld, "
		"\"leftover_pcpu_bytes\": %lld, \"leftover_settled\": %s}%s\n",
		(long long)r->leftover_memcg, (long long)r->leftover_pcpu,
		r->leftover_settled ? "true" : "false", last ? "" : ",");
}

static int write_json(const char *path, const struct acc_env *env, int n)
{
	struct utsname u;
	char date[32];
	time_t now = time(NULL);
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return -errno;
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "{\n  \"date\": \"%s\", \"kernel\": \"%s\", "
		"\"possible_cpus\": %d, \"page_size\": %ld, "
		"\"memcg\": \"%s\",\n  \"cases\": [\n", date, u.release,
		env->ncpus, env->page_size, env->v2 ? "v2" : "v1");
	for (i = 0; i < n; i++)
		json_case(f, env, &results[i], i == n - 1);
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? -errno : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: accuracy [--json FILE] [--only SUBSTRING] "
		"[--traced [--addrs N] | --daemon SOCKET] [--require-real] [--list]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "traced", no_argument, NULL, 't' },
		{ "addrs", required_argument, NULL, 'a' },
		{ "require-real", no_argument, NULL, 'r' },
		{ "daemon", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *json = NULL, *only = NULL;
	struct pcpu_bpf *trace = NULL;
	struct acc_env env = {};
	struct acc_result *r;
	int i, n = 0, c, err, measured = 0, skipped = 0, failed = 0;
	bool list = false, with_real = false, traced = false;
	const char *backend, *why;
	unsigned long addrs = ACCOUNTING_DEFAULT_ADDRS;
	char *end;
	bool require_real = false;
	char msg[256];
	time_t start = time(NULL);

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = optarg;
			break;
		case 'o':
			only = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 't':
			traced = true;
			break;
		case 'a':
			errno = 0;
			addrs = strtoul(optarg, &end, 0);
			if (errno || *end || !addrs || addrs > UINT32_MAX)
				usage();
			break;
		case 'r':
			require_real = true;
			break;
		case 'd':
			daemon_sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || acc_nr_cases > MAX_CASES ||
	    (traced && daemon_sock))
		usage();
	if (list) {
		for (i = 0; i < acc_nr_cases; i++)
			printf("%s\n", acc_cases[i].name);
		return 0;
	}

	/* the table comes as each case ends */
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = acc_env_init(&env);
	if (err) {
		fprintf(stderr, "accuracy: set up memory cgroups and mount "
			"debugfs (root needed): %s\n", strerror(-err));
		return 1;
	}
	err = acc_trace_open(&trace);
	if (err) {
		fprintf(stderr, "accuracy: load the per-CPU tracer: %s\n",
			strerror(-err));
		acc_env_cleanup(&env);
		return 1;
	}
	/* loaded before any case: its per-CPU bytes are in no window */
	err = model_hook_init(msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "accuracy: load bpfmem's collector: %s\n", msg);
		acc_trace_close(trace);
		acc_env_cleanup(&env);
		return 1;
	}
	if (traced) {
		err = accounting_open(&hooks, addrs);
		if (err) {
			fprintf(stderr, "accuracy: load the accounting hooks: %s\n",
				strerror(-err));
			model_hook_exit();
			acc_trace_close(trace);
			acc_env_cleanup(&env);
			return 1;
		}
		backend = accounting_backend(hooks, &why);
		printf("Accounting hooks: %s backend (%s)\n", backend, why);
		fentry_backend = !strcmp(backend, "fentry");
	}
	if (!acc_env_has_percpu_stats())
		env.pcpu_trace = trace;
	printf("Ground truth per object (N identical objects, each alone in a "
	       "fresh memcg); %d possible CPUs, memcg %s, per-CPU bytes from %s\n\n",
	       env.ncpus, env.v2 ? "v2" : "v1",
	       env.pcpu_trace ? "the percpu tracepoints (no CONFIG_PERCPU_STATS)" :
				"debugfs percpu_stats");
	for (i = 0; i < acc_nr_cases; i++) {
		/* "=NAME": that case alone */
		if (only && (*only == '=' ? strcmp(acc_cases[i].name, only + 1) :
					    !strstr(acc_cases[i].name, only)))
			continue;
		r = &results[n++];
		run_case(&env, trace, &acc_cases[i], r);
		with_real |= r->nr_samples && r->samples[0].has_real;
		if (n == 1)
			print_header(with_real);
		print_result(r, with_real);
		measured += !r->skipped && !r->failed;
		skipped += r->skipped;
		failed += r->failed;
		for (c = 0; c < r->nr_samples; c++)
			failed += (tracing() ? traced_off(r, &r->samples[c]) :
					       real_off(r, &r->samples[c])) ||
				  (require_real && !r->samples[c].has_real);
	}
	accounting_close(hooks);
	model_hook_exit();
	acc_trace_close(trace);
	acc_env_cleanup(&env);
	if (json) {
		err = write_json(json, &env, n);
		if (err) {
			fprintf(stderr, "accuracy: write %s: %s\n", json,
				strerror(-err));
			failed++;
		}
	}
	printf("\n%d measured, %d skipped, %d failed in %lds\n", measured,
	       skipped, failed, (long)(time(NULL) - start));
	return failed ? 1 : 0;
}
