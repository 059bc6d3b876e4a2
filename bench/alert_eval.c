// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of alert rules per sample: 100 rules over a synthetic ledger of
 * 10,000 maps, 100 programs and 50 memory cgroups (pure evaluation: no
 * kernel is read). A round is what the daemon does after each sample:
 * alert_source_build() (the metrics, growth_per_min from the history) and
 * alert_engine_eval() (matching and the state machine). Against the same
 * rules matched afresh every sample (fnmatch() of every rule on every
 * object, the match cache cleared before each round), in the same run.
 * 1% of the hash maps change their element count every round. Prints
 * Markdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include "daemon/alert_source.h"
#include "daemon/config.h"

#define NR_MAPS 10000
#define NR_PROGS 100
#define NR_MEMCGS 50
#define NR_SERVICES 100
#define ROUNDS 51
#define MIB (1024 * 1024)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char memcg_paths[NR_MEMCGS][64];

static const __u32 types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
	BPF_MAP_TYPE_LRU_HASH,
};

/* Sample number round: maps svc<i % 100>_<i>, every hundredth a large
 * one, hash maps' elements moving with the round. */
static void make_inventory(struct inventory *inv, int round)
{
	*inv = (struct inventory){};
	inv->maps = calloc(NR_MAPS, sizeof(*inv->maps));
	inv->progs = calloc(NR_PROGS, sizeof(*inv->progs));
	inv->nr_maps = NR_MAPS;
	inv->nr_progs = NR_PROGS;
	for (int i = 0; i < NR_MAPS; i++) {
		struct map_info *m = &inv->maps[i];
		__u64 bytes = i % 100 ? 64 * 1024 : 4 * MIB;

		m->rec.id = i + 1;
		m->rec.type = types[i % 4];
		m->rec.max_entries = 1000;
		m->rec.elements = 500 + (i % 7 == 0 ? (round * 37 + i) % 500 : 0);
		m->rec.rec_flags = BPFMEM_MAP_HAS_ELEMENTS | BPFMEM_MAP_HAS_MEMCG;
		m->rec.memcg_id = 1000 + i % NR_MEMCGS;
		snprintf(m->rec.name, sizeof(m->rec.name), "svc%d_%d",
			 i % NR_SERVICES, i);
		m->memcg_path = memcg_paths[i % NR_MEMCGS];
		m->has_memlock = true;
		m->bytes_memlock = bytes / 2 + m->rec.elements * 64;
		m->has_real = true;
		m->real.memcg = bytes + m->rec.elements * 96;
	}
	for (int i = 0; i < NR_PROGS; i++) {
		struct prog_info *p = &inv->progs[i];

		p->rec.id = i + 1;
		p->rec.type = BPF_PROG_TYPE_XDP;
		p->rec.bytes_memlock = 4096 * (1 + i % 20);
		snprintf(p->rec.name, sizeof(p->rec.name), "prog_%d", i);
	}
}

static const char *const rule_fmt[] = {
	/* 50: a service's maps by name glob */
	"[alert:big%d]\nscope = map\nmatch = name:svc%d_*\nmetric = bytes_real\nabove = 1MiB\nfor = 1s\n",
	/* 20: by type */
	"[alert:full%d]\nscope = map\nmatch = type:%s\nmetric = fill_ratio\nabove = 0.9\nresolve_below = 0.8\n",
	/* 10: every map's growth */
	"[alert:growth%d]\nscope = map\nmetric = growth_per_min\nabove = %dMiB\n",
	/* 10: memlock's error */
	"[alert:error%d]\nscope = map\nmetric = memlock_error_pct\nabove = %d\n",
	/* 5: memory cgroups */
	"[alert:cg%d]\nscope = memcg\nmatch = path:/system.slice/svc%d*\nmetric = bytes_real\nabove = 10MiB\n",
	/* 5: programs and the total */
	"[alert:prog%d]\nscope = prog\nmatch = name:prog_%d*\nmetric = bytes_memlock\nabove = 64KiB\n",
};

/* error_from: the lowest memlock_error_pct threshold; the synthetic maps'
 * error is about 50%, so 0 makes five of those rules fire for every map. */
static int load_rules(struct config *c, int error_from)
{
	static const char *const tnames[] = { "hash", "array", "percpu_hash",
					      "lru_hash" };
	const char *path = "/tmp/bpfmem-bench-alerts.conf";
	FILE *f = fopen(path, "w");
	char msg[512];
	int n = 0;

	for (int i = 0; i < 50; i++, n++)
		fprintf(f, rule_fmt[0], n, i);
	for (int i = 0; i < 20; i++, n++)
		fprintf(f, rule_fmt[1], n, tnames[i % 4]);
	for (int i = 0; i < 10; i++, n++)
		fprintf(f, rule_fmt[2], n, 1 + i);
	for (int i = 0; i < 10; i++, n++)
		fprintf(f, rule_fmt[3], n, error_from + 10 * i);
	for (int i = 0; i < 5; i++, n++)
		fprintf(f, rule_fmt[4], n, i);
	for (int i = 0; i < 4; i++, n++)
		fprintf(f, rule_fmt[5], n, i);
	fprintf(f, "[alert:total]\nscope = total\nmetric = bytes_memlock\nabove = 1GiB\n");
	fclose(f);
	if (config_read(c, path, true, NULL, 0, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	remove(path);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct result {
	double source[ROUNDS], eval[ROUNDS], total[ROUNDS];
	size_t notices, firing, pending;
};

/* ROUNDS samples, one second apart; fresh: the match cache is cleared
 * before every evaluation. */
static int run(const struct config *c, bool fresh, struct result *r)
{
	unsigned int metrics[NR_ALERT_SCOPES];
	struct creators creators = {};
	struct alert_source src = {};
	struct alert_engine e;
	struct ledger l = {};
	struct history h;
	struct inventory inv;

	if (history_init(&h, 3600))
		return -1;
	alert_engine_init(&e);
	alert_engine_configure(&e, &c->alerts);
	for (int s = 0; s < NR_ALERT_SCOPES; s++)
		metrics[s] = alert_engine_metrics(&e, s);
	*r = (struct result){};
	/* one warm-up round */
	for (int round = -1; round < ROUNDS; round++) {
		struct alert_notice *n;
		struct alert_objects o;
		size_t nr;
		double t0, t1, t2;

		make_inventory(&inv, round);
		if (ledger_update(&l, &inv, &creators,
				  1800000000000ULL + (round + 1) * 1000ULL) ||
		    ledger_record(&l, &h))
			return -1;
		if (fresh)
			alert_engine_configure(&e, &c->alerts);
		t0 = now_ms();
		if (alert_source_build(&src, &l, &h, metrics, &o))
			return -1;
		t1 = now_ms();
		if (alert_engine_eval(&e, &o, l.time_ms, &n, &nr))
			return -1;
		t2 = now_ms();
		free(n);
		if (round < 0)
			continue;
		r->source[round] = t1 - t0;
		r->eval[round] = t2 - t1;
		r->total[round] = t2 - t0;
		r->notices += nr;
	}
	r->firing = alert_engine_firing(&e);
	r->pending = e.n - r->firing;
	alert_engine_free(&e);
	alert_source_free(&src);
	ledger_free(&l);
	history_free(&h);
	qsort(r->source, ROUNDS, sizeof(double), cmp_double);
	qsort(r->eval, ROUNDS, sizeof(double), cmp_double);
	qsort(r->total, ROUNDS, sizeof(double), cmp_double);
	return 0;
}

/* Both ways of matching over the same samples: two table rows. */
static int scenario(int error_from)
{
	struct result cached, fresh;
	struct config c;

	if (load_rules(&c, error_from) || run(&c, false, &cached) ||
	    run(&c, true, &fresh))
		return -1;
	/* the cache must not change what fires */
	if (cached.notices != fresh.notices || cached.firing != fresh.firing) {
		fprintf(stderr, "the two runs disagree: %zu/%zu notices, %zu/%zu firing\n",
			cached.notices, fresh.notices, cached.firing,
			fresh.firing);
		return -1;
	}
	printf("| %zu | kept from sample to sample (bpfmemd) | %.2f | %.2f | %.2f | %.1fx |\n",
	       cached.firing, cached.source[ROUNDS / 2],
	       cached.eval[ROUNDS / 2], cached.total[ROUNDS / 2],
	       fresh.total[ROUNDS / 2] / cached.total[ROUNDS / 2]);
	printf("| %zu | every glob on every object, every sample | %.2f | %.2f | %.2f | |\n",
	       fresh.firing, fresh.source[ROUNDS / 2], fresh.eval[ROUNDS / 2],
	       fresh.total[ROUNDS / 2]);
	config_free(&c);
	return 0;
}

int main(void)
{
	for (int i = 0; i < NR_MEMCGS; i++)
		snprintf(memcg_paths[i], sizeof(memcg_paths[i]),
			 "/system.slice/svc%d.service", i);
	printf("| alerts firing | matching | metrics ms | rules ms | per sample ms | faster |\n");
	printf("| ---: | --- | ---: | ---: | ---: | ---: |\n");
	return scenario(55) || scenario(0);
}
