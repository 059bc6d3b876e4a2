// SPDX-License-Identifier: GPL-2.0
/*
 * The probe that chooses the accounting hooks' backend (src/accounting.c):
 * where this program loads and attaches (its target set at run time to an
 * allocation wrapper the kernel's BTF has), the fentry programs of
 * bpf/hooks.bpf.c can too. Kernels may refuse fentry whatever their
 * version (lockdown, a BPF LSM policy, no BTF, no trampoline on the
 * architecture): only trying tells.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fentry")
int fentry_probe(void *ctx)
{
	return 0;
}
