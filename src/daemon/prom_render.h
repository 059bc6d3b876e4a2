/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger in Prometheus's text exposition format (version 0.0.4), for
 * the /metrics endpoint and node_exporter's textfile collector
 * (docs/METRICS.md). Pure: no I/O, no locks.
 */
#ifndef BPFMEMD_PROM_RENDER_H
#define BPFMEMD_PROM_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include "daemon/ledger.h"

/* The fewest max_series that leaves room for objects beside the `other`
 * series it always keeps room for. */
#define PROM_MIN_SERIES 16
#define PROM_DEFAULT_SERIES 2000

/* A text that grows; oom is set (and the text stops growing) when an
 * allocation fails. */
struct prom_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* An alert rule's firing alerts. */
struct prom_rule_count {
	const char *rule;
	size_t firing;
};

/* What the ledger does not hold. */
struct prom_stats {
	double sample_seconds;	/* the last sample's collection */
	const char *version;
	const struct prom_rule_count *rules;	/* in configuration order */
	size_t nr_rules;
};

void prom_buf_free(struct prom_buf *b);
/* Appends s as a label value: backslash, double quote and newline
 * escaped, bytes that are not UTF-8 replaced by U+FFFD (the format is
 * UTF-8). */
void prom_put_label_value(struct prom_buf *b, const char *s);
/*
 * Appends the ledger's metrics. Maps, programs and memory cgroups take
 * their own series largest memlock first while their series fit in
 * max_series; the rest of each kind are summed into series labelled
 * id="other" (path="other" for memory cgroups). 0 or -ENOMEM.
 */
int prom_render(struct prom_buf *b, const struct ledger *l,
		const struct prom_stats *s, unsigned int max_series);
/* bpfmem_scrapes_total, appended by the HTTP server as it serves. */
int prom_render_scrapes(struct prom_buf *b, unsigned long long scrapes);

#endif
