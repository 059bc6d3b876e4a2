/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the alert rules see of a sample: every map, program and memory
 * cgroup of the ledger and the total, with the metrics some rule needs
 * (alert_engine_metrics()). growth_per_min is the change of bytes_memlock
 * over the last minute of the history (it keeps memlock, not real bytes),
 * per minute.
 */
#ifndef BPFMEMD_ALERT_SOURCE_H
#define BPFMEMD_ALERT_SOURCE_H

#include "daemon/alert_eval.h"
#include "daemon/history.h"
#include "daemon/ledger.h"

#define ALERT_GROWTH_WINDOW_MS 60000ULL

struct alert_source {
	struct alert_object *v[NR_ALERT_SCOPES];
	size_t cap[NR_ALERT_SCOPES];
};

/*
 * Fills o from the ledger (whose sample is the history's newest); the
 * objects point into l and s, valid until either changes. metrics[s]:
 * the metrics to compute for scope s. 0 or -ENOMEM.
 */
int alert_source_build(struct alert_source *s, const struct ledger *l,
		       const struct history *h,
		       const unsigned int metrics[NR_ALERT_SCOPES],
		       struct alert_objects *o);
void alert_source_free(struct alert_source *s);

#endif
