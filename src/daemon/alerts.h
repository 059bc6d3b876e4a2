/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's alerting: the rules of the configuration evaluated after
 * every sample (alert_eval.h over alert_source.h), and what a firing or a
 * resolution does besides the event the daemon publishes: a journal
 * record with structured fields and the rule's exec hook (hooks.h). The
 * states are kept in STATE_DIR/alerts.json so that a restart does not
 * fire again what already fired.
 */
#ifndef BPFMEMD_ALERTS_H
#define BPFMEMD_ALERTS_H

#include <limits.h>
#include <systemd/sd-event.h>
#include "daemon/alert_eval.h"
#include "daemon/alert_source.h"
#include "daemon/config.h"
#include "daemon/hooks.h"
#include "base/json_writer.h"

#define ALERTS_STATE_NAME "alerts.json"
#define ALERTS_SCHEMA_VERSION 1

struct alerts {
	struct alert_engine engine;
	struct alert_source source;
	struct hooks *hooks;
	char path[PATH_MAX + sizeof("/" ALERTS_STATE_NAME)];	/* the state file */
};

/* Takes the rules of c (which must outlive their use) and the states
 * saved in its state directory. 0 or -errno (logged). */
int alerts_open(struct alerts *a, sd_event *e, struct config *c);
/* After a reload: the new rules, hook limit and state directory. Both
 * resolve the users of the rules' hooks (hook_user.h), logging those that
 * do not exist. */
void alerts_configure(struct alerts *a, struct config *c);
void alerts_close(struct alerts *a);
/* Evaluates the rules over the ledger's sample; the notices to act on
 * (free them). 0 or -ENOMEM (logged). */
int alerts_eval(struct alerts *a, const struct ledger *l,
		const struct history *h, struct alert_notice **out,
		size_t *n);
/* The journal record and the hook of one notice. */
void alerts_act(struct alerts *a, const struct alert_notice *n,
		const char *host);
/* Writes the state file when the states changed; logged on failure. */
void alerts_save(struct alerts *a);

/* A notice as the hooks' stdin and the subscribe stream carry it. */
void json_alert_notice(struct json_writer *w, const struct alert_notice *n,
		       const char *host);
/* The `alerts` command's answer: every pending and firing alert, and
 * the counts per rule. */
void json_alert_states(struct json_writer *w, const struct alerts *a);

#endif
