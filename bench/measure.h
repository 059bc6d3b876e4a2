/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benches that compare states within a round share: the clock,
 * quantiles over the rounds, and the socket churn loop.
 */
#ifndef BPFMEM_BENCH_MEASURE_H
#define BPFMEM_BENCH_MEASURE_H

/* CLOCK_MONOTONIC in ns */
double now_ns(void);
/* The q-th quantile (0 to 1) of n values, by rank; sorts v. */
double quantile(double *v, int n, double q);
/* ns per socket(AF_UNIX) + close() over loops; -1 with errno set when
 * socket() fails. */
double socket_churn(int loops);

#endif
