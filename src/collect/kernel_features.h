/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers bpfmem, as probed at start-up
 * (src/collect/probe.c fills it by trying, never by version), and what bpfmem does
 * with or without each feature: the decision table, the one message a
 * missing feature gives, and `bpfmem features` (table and JSON).
 */
#ifndef BPFMEM_KERNEL_FEATURES_H
#define BPFMEM_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stdio.h>

enum feature_id {
	FEAT_BTF,
	FEAT_ITER_MAP,
	FEAT_ITER_PROG,
	FEAT_ITER_TASK_FILE,
	FEAT_ITER_LINK,
	FEAT_ITER_CGROUP,
	FEAT_KFUNC_ELEM_COUNT,
	FEAT_KFUNC_KMEM_CACHE,
	FEAT_MAP_MEM_USAGE,
	FEAT_PERCPU_LOOKUP,
	FEAT_MEMCG,
	FEAT_DEBUGFS_PERCPU,
	FEAT_RINGBUF,
	FEAT_FENTRY,
	FEAT_TRACEPOINT,
	NR_FEATURES,
};

#define FEATURE_DETAIL_LEN 128

/* One probe's outcome. */
struct feature_probe {
	bool probed;
	bool available;
	int err;		/* the failed try's errno, 0 when none */
	char detail[FEATURE_DETAIL_LEN];	/* what was found, or "" */
};

struct features {
	struct feature_probe f[NR_FEATURES];
	bool pinned_iterators;	/* all reused from a previous run */
};

/* How much a missing feature costs bpfmem. */
enum feature_loss {
	LOSS_NONE,		/* bpfmem itself does not need it */
	LOSS_DEGRADED,		/* some figures or commands are missing */
	LOSS_FATAL,		/* nothing can be collected */
};

enum hooks_backend {
	HOOKS_TRACEPOINT,
	HOOKS_FENTRY,
	HOOKS_NONE,
};

struct hooks_decision {
	enum hooks_backend backend;
	const char *reason;	/* static text */
};

const char *feature_name(enum feature_id id);
/* How the feature is probed (static text). */
const char *feature_probe_text(enum feature_id id);
enum feature_loss feature_loss(enum feature_id id);

static inline bool feature_has(const struct features *f, enum feature_id id)
{
	return f->f[id].probed && f->f[id].available;
}

/* Records one probe's outcome; detail is printf-like, may be NULL. */
void feature_set(struct features *f, enum feature_id id, bool available,
		 int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The one message a missing feature gives: what is missing (with the
 * probe's detail and errno), what bpfmem does without it, and how to get
 * it. Written to buf; returns buf.
 */
char *feature_message(const struct features *f, enum feature_id id, char *buf,
		      size_t size);
/* The first probed feature whose absence is fatal, or NR_FEATURES. */
enum feature_id features_first_fatal(const struct features *f);

/* Which accounting hooks run: fentry needs the tracepoints too (they
 * count the bytes; the fentry programs name the map). */
struct hooks_decision hooks_decide(const struct features *f);
const char *hooks_backend_name(enum hooks_backend b);

/* `bpfmem features`: a table, or one JSON object (docs/SCHEMA.md).
 * 0 or a negative errno. */
int print_features(FILE *out, const struct features *f, bool json, bool pretty);
struct json_writer;
/* The members "features" and "hooks_backend" of `bpfmem features --json`,
 * into the object open in w (bpfmemd's answer uses them too). */
void json_features_report(struct json_writer *w, const struct features *f);
/* Every probe at debug level. */
void features_log(const struct features *f);

#endif
