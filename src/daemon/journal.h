/* SPDX-License-Identifier: GPL-2.0 */
/* Log records to journald, with structured fields, under systemd. */
#ifndef BPFMEMD_JOURNAL_H
#define BPFMEMD_JOURNAL_H

#include <stdbool.h>

/* Whether systemd started us with stderr going to the journal
 * (JOURNAL_STREAM names our stderr) or the journal is there to use
 * (INVOCATION_ID set and its socket present). */
bool journal_wanted(void);
/* Sends every log message to journald from now on. */
void journal_use(void);

#endif
