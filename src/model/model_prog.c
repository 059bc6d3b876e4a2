// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "model/model_prog.h"

/* A struct bpf_prog with its instructions: vmalloc'd whole pages, charged
 * with bpf_memcg_flags() (the page array vmalloc keeps is not). */
static void prog_pages(const struct model_env *env, struct model_bytes *out,
		       __u64 pages)
{
	model_charge(out, MODEL_MEMCG, MODEL_VMALLOC, MODEL_PROG_IMAGE,
		     pages * env->page_size);
}

int model_prog_bytes(const struct model_env *env,
		     const struct bpfmem_prog_rec *r, struct model_bytes *out)
{
	const struct bpfmem_prog_sizes *k = &r->sizes;
	/* jit_subprogs(): one struct bpf_prog and aux a subprogram, the
	 * main program keeping its own */
	__u64 subprogs = r->func_cnt;

	*out = (struct model_bytes){};
	if (!r->pages || !k->aux)
		return -EOPNOTSUPP;
	out->reasons |= MODEL_R_PROG_AUX;
	prog_pages(env, out, r->pages);
	prog_pages(env, out, r->sub_pages);
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_AUX, k->aux,
			1 + subprogs);
	/* bpf_prog_alloc(): per-CPU stats and the recursion counter of the
	 * main program; subprograms have neither */
	model_charge(out, MODEL_MEMCG, MODEL_PERCPU, MODEL_PROG_AUX,
		     model_percpu_accounted(env, k->stats));
	if (r->rec_flags & BPFMEM_PROG_HAS_ACTIVE)
		model_charge(out, MODEL_MEMCG, MODEL_PERCPU, MODEL_PROG_AUX,
			     model_percpu_accounted(env, sizeof(int)));
	/* the verifier's allocations kept by the program, accounted since
	 * "bpf: include verifier memory allocations in memcg statistics"
	 * (v6.17) */
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_AUX,
			(__u64)r->used_map_cnt * sizeof(void *),
			!!r->used_map_cnt);
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_AUX,
			(__u64)r->used_btf_cnt * k->btf_mod_pair,
			!!r->used_btf_cnt);
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_AUX, k->kfunc_tab,
			!!(r->rec_flags & BPFMEM_PROG_HAS_KFUNC_TAB));
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_AUX,
			k->kfunc_btf_tab,
			!!(r->rec_flags & BPFMEM_PROG_HAS_KFUNC_BTF_TAB));
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_BTF_INFO,
			(__u64)r->func_info_cnt * k->func_info,
			!!r->func_info_cnt);
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_BTF_INFO,
			(__u64)r->func_info_cnt * k->func_info_aux,
			!!r->func_info_cnt);
	model_kmalloc_n(env, out, MODEL_MEMCG, MODEL_PROG_BTF_INFO,
			(__u64)r->nr_linfo * k->line_info, !!r->nr_linfo);
	/* kernel/bpf/core.c allocates these without __GFP_ACCOUNT */
	model_kmalloc_n(env, out, MODEL_ROOT, MODEL_PROG_BTF_INFO,
			(__u64)r->nr_linfo * sizeof(void *),
			!!(r->rec_flags & BPFMEM_PROG_HAS_JITED_LINFO));
	model_kmalloc_n(env, out, MODEL_ROOT, MODEL_PROG_AUX,
			(__u64)r->size_poke_tab * k->poke_desc,
			!!r->size_poke_tab);
	/* the JIT's private stack, on every CPU, with a guard each side */
	if (r->rec_flags & BPFMEM_PROG_HAS_PRIV_STACK)
		model_charge(out, MODEL_ROOT, MODEL_PERCPU, MODEL_PROG_AUX,
			     ((r->stack_depth + 7) / 8 * 8 + 16) *
				     env->possible_cpus);
	/* JIT images: chunks of shared packs, or vmalloc'd pages of their
	 * own; executable memory is charged to nobody */
	for (__u32 i = 0; i < r->nr_packs && i < BPFMEM_PROG_MAX_PACKS; i++)
		model_charge(out, MODEL_ROOT, MODEL_VMALLOC, MODEL_PROG_JIT,
			     r->packs[i].bytes);
	model_charge(out, MODEL_ROOT, MODEL_VMALLOC, MODEL_PROG_JIT,
		     r->image_own_bytes);
	if (r->nr_images)
		out->reasons |= MODEL_R_JIT_PACK;
	return 0;
}
