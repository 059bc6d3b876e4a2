/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-bytes model of a BPF program: what the kernel holds for it,
 * from the program iterator's record (include/records.h). Allocation
 * paths of Linux 6.18: kernel/bpf/core.c bpf_prog_alloc(),
 * bpf_prog_alloc_no_stats(), bpf_prog_realloc(), bpf_prog_pack_alloc(),
 * bpf_jit_binary_pack_alloc(); kernel/bpf/verifier.c jit_subprogs() and
 * the BTF info checks; mm/percpu.c pcpu_obj_full_size().
 */
#ifndef BPFMEM_MODEL_PROG_H
#define BPFMEM_MODEL_PROG_H

#include "model/model.h"

/* What a program holds; its JIT image counted as its share of the packs
 * it sits in (charged to no memory cgroup). 0 or -errno. */
int model_prog_bytes(const struct model_env *env,
		     const struct bpfmem_prog_rec *rec, struct model_bytes *out);

#endif
