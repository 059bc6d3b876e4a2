/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The [prometheus] outputs after each sample: the exposition for the HTTP
 * endpoint and node_exporter's textfile.
 */
#ifndef BPFMEMD_PROM_EXPORT_H
#define BPFMEMD_PROM_EXPORT_H

#include "daemon/alert_eval.h"
#include "daemon/config.h"
#include "daemon/ledger.h"
#include "daemon/prom_http.h"

struct prom_export {
	struct prom_http *http;	/* NULL: no listen address */
	int textfile_err;	/* the last write's, logged once */
};

/* Starts the endpoint when c has a listen address. 0, or -errno with the
 * message logged. */
int prom_export_start(struct prom_export *e, const struct config *c);
/* Renders the ledger and the alerts' states and hands them to the
 * endpoint and the textfile. */
void prom_export_sample(struct prom_export *e, const struct config *c,
			const struct ledger *l, double sample_seconds,
			const struct alert_engine *alerts);
void prom_export_stop(struct prom_export *e);

#endif
