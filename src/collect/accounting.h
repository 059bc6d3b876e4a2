/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Accounting hooks (bpf/hooks.bpf.c): the bytes the kernel allocates for
 * each BPF map and program created while they run, joined to the
 * inventory by the object's address. Only a long-running process (the
 * daemon) sees anything: an object's bytes are traced from its creation.
 */
#ifndef BPFMEM_ACCOUNTING_H
#define BPFMEM_ACCOUNTING_H

#include "traced.h"
#include "inventory/inventory.h"

/* Default size of the table of live traced allocations (about 90 bytes
 * each, preallocated). */
#define ACCOUNTING_DEFAULT_ADDRS 131072

struct accounting;

/* Loads and attaches the hooks, their address table sized for max_addrs
 * live allocations; 0 or a negative errno (a message naming the fix is
 * logged). */
int accounting_open(struct accounting **out, __u32 max_addrs);
/* Reads every traced object and fills has_traced/traced of the maps and
 * programs of inv; 0 or a negative errno. */
int accounting_join(struct accounting *h, struct inventory *inv);
/* Reads every traced object again, for accounting_find_id(); 0 or -errno. */
int accounting_refresh(struct accounting *h);
/* The object with this id (kind: enum bpfmem_traced_kind) as the last
 * read saw it; NULL when the hooks did not see it created. */
const struct bpfmem_traced *accounting_find_id(const struct accounting *h, __u32 kind,
					  __u32 id);
/* Which backend runs: "fentry" (fentry/fexit at the kernel's allocation
 * wrappers, beside the tracepoints) or "tracepoint" (the tracepoints
 * alone). why, when not NULL, gets the reason: the probe's result and the
 * functions hooked, or what refused fentry (with its errno). Chosen by
 * loading and attaching a probe program, never by kernel version. */
const char *accounting_backend(const struct accounting *h, const char **why);
void accounting_close(struct accounting *h);

/* Sum of the classes: the live bytes traced. */
static inline __s64 traced_total(const struct bpfmem_traced *t)
{
	__s64 n = 0;

	for (int i = 0; i < BPFMEM_TRACED_NR; i++)
		n += t->bytes[i];
	return n;
}

#endif
