/* SPDX-License-Identifier: GPL-2.0 */
/* What the daemon tells systemd (Type=notify); no-ops without systemd. */
#ifndef BPFMEMD_NOTIFY_H
#define BPFMEMD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include "daemon/ledger.h"

/* STATUS= with the totals and the alerts firing, and READY=1 when
 * ready. */
void notify_status(const struct ledger *l, size_t clients, size_t firing,
		   bool ready);
void notify_reloading(void);
void notify_stopping(void);

#endif
