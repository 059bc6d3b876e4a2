/* SPDX-License-Identifier: GPL-2.0 */
/* Durations as the configuration and the protocol spell them. */
#ifndef BPFMEMD_DURATION_H
#define BPFMEMD_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define MSEC_PER_SEC 1000ULL
#define USEC_PER_MSEC 1000ULL

/*
 * "100ms", "2s", "1m", "1h", "1d" or a sum of them ("1m30s"): whole numbers,
 * each with its unit. 0 with *ms set, or -EINVAL (no unit, unknown unit,
 * empty, negative) or -ERANGE (does not fit).
 */
int duration_parse(const char *text, uint64_t *ms);
/* The shortest spelling duration_parse() reads back: "1m30s", "100ms".
 * Returns buf. */
char *duration_format(uint64_t ms, char *buf, size_t size);

#endif
