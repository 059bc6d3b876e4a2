/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfmem's own maps and programs in a collection, found the same in every
 * process and output: hidden from the lists by default (they show the
 * machine as it is without bpfmem), or listed and marked on request, and
 * counted in inventory.own either way.
 *
 * One is bpfmem's own when
 *  - this process knows it as its own: its collector loaded it, or
 *    found it pinned under bpfmem's pin root;
 *  - or every process holding it is a bpfmem process (comm bpfmemd or
 *    bpfmem; this one included) and it bears a name bpfmem's BPF objects
 *    give (read from their skeletons at build time): bpfmemd's lifecycle
 *    and accounting hooks, in bpfmemd or seen by the command line. Both,
 *    because bpfmemd opens others' maps for a moment (their memlock) and
 *    the name alone ("events") is common;
 *  - or it is a map one of those programs uses (a ring buffer has no
 *    name of bpfmem's own BTF to go by, but its program does);
 *  - or it is a map of the iterators with no fd, pin or live program
 *    left: a command line run's, which the kernel frees a moment after
 *    the run exits.
 */
#ifndef BPFMEM_OWN_FILTER_H
#define BPFMEM_OWN_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"
#include "inventory/inventory.h"
#include "collect/own_ids.h"

/* Marks them (own), sums them into inv->own and, unless keep, removes
 * them from inv->maps and inv->progs. known: nr_known sets of ids this
 * process knows as its own; held: those it holds, bpfmem's holders when
 * this process is bpfmem or bpfmemd (another program that collects, a
 * test, holds its own objects). Call it once the collection is
 * complete. */
void own_filter(struct inventory *inv, const struct own_ids *const *known,
		size_t nr_known, const struct own_ids *held, bool keep);

/* A lifecycle event of one of bpfmem's own objects, by the same rule:
 * made by a bpfmem process under a name bpfmem's BPF objects give, or
 * one of libbpf's probes as it loads them (a free carries its
 * creation's comm and name, where the daemon saw it). */
bool own_event(const struct bpfmem_event *ev);

#endif
