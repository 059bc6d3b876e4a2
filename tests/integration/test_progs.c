// SPDX-License-Identifier: GPL-2.0
/*
 * Programs' real bytes and JIT packs against the kernel's own views:
 * where a JIT image is (/proc/kallsyms), how large its chunks are
 * (bpf_prog_info's jited_len, as bpf_jit_binary_pack_alloc() rounds it),
 * how many packs there are and what the programs' instruction pages and
 * meminfo's vmalloc figure take (/proc/vmallocinfo, by allocating caller).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define NPROGS 8
#define INSNS 1000	/* two pages of struct bpf_prog and instructions */
#define PAGE 4096

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static __u64 hex(json_object *o)
{
	return strtoull(json_object_get_string(o), NULL, 16);
}

/* A socket filter of n instructions: r0 = i ..., exit. */
static int load(const char *name, int n)
{
	struct bpf_insn *insns = calloc(n, sizeof(*insns));
	int fd;

	assert_non_null(insns);
	for (int i = 0; i < n - 1; i++)
		insns[i] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_MOV | BPF_K,
			.dst_reg = BPF_REG_0, .imm = i,
		};
	insns[n - 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n,
			   NULL);
	free(insns);
	assert_true(fd >= 0);
	return fd;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* The address /proc/kallsyms gives symbol name, or 0. */
static __u64 kallsyms(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256];
	unsigned long long addr;
	__u64 found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %*s %255s", &addr, sym) == 2 &&
		    !strcmp(sym, name))
			found = addr;
	fclose(f);
	return found;
}

/* /proc/vmallocinfo: bytes (less the guard page) and areas whose caller
 * starts with one of the prefixes; only areas of size `size` when
 * nonzero. */
static __u64 vmallocinfo(const char *const *callers, __u64 size, int *areas)
{
	FILE *f = fopen("/proc/vmallocinfo", "re");
	char line[1024], caller[256];
	unsigned long long bytes;
	__u64 sum = 0;

	assert_non_null(f);
	if (areas)
		*areas = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %llu %255s", &bytes, caller) != 2)
			continue;
		for (const char *const *c = callers; *c; c++) {
			if (strncmp(caller, *c, strlen(*c)) ||
			    caller[strlen(*c)] != '+' ||
			    (size && bytes != size))
				continue;
			sum += bytes - PAGE;
			if (areas)
				(*areas)++;
		}
	}
	fclose(f);
	return sum;
}

static const char *const prog_callers[] = { "bpf_prog_alloc_no_stats",
					    "bpf_prog_realloc", NULL };
static const char *const bpf_callers[] = { "bpf_prog_alloc_no_stats",
					   "bpf_prog_realloc",
					   "bpf_prog_pack_alloc", NULL };

static void jit_images_are_where_the_kernel_says(void **state)
{
	char *argv[] = { BPFMEM, "--no-daemon", "progs", "--json", NULL };
	char sym[64], idtext[16];
	char *bpftool[] = { "bpftool", "-j", "prog", "show", "id", idtext, NULL };
	json_object *progs, *p, *pack, *info;
	__u64 entry, base, size, jited;
	int fd = load("fx_pack", 100);

	(void)state;
	snprintf(idtext, sizeof(idtext), "%u", prog_id(fd));
	progs = run_json(argv);
	p = json_find_id(progs, prog_id(fd));
	assert_non_null(p);
	info = run_json(bpftool);
	snprintf(sym, sizeof(sym), "bpf_prog_%s_fx_pack", jget_str(info, "tag"));
	entry = hex(get(get(p, "jit"), "entry"));
	assert_int_equal(entry, kallsyms(sym));
	assert_int_equal(json_object_array_length(get(get(p, "jit"), "packs")),
			 1);
	pack = json_object_array_get_idx(get(get(p, "jit"), "packs"), 0);
	base = hex(get(pack, "pack"));
	assert_true(base % PAGE == 0);
	assert_true(entry >= base && entry < base + (2 << 20));
	/* bpf_jit_binary_pack_alloc(): the image (4-aligned on x86), the
	 * 8-byte header and 16 bytes of illegal instructions, in 64-byte
	 * chunks */
	jited = jget_u64(info, "bytes_jited");
	size = ((jited + 3) / 4 * 4 + 8 + 16 + 63) / 64 * 64;
	assert_int_equal(jget_u64(pack, "bytes"), size);
	assert_int_equal(jget_u64(get(p, "breakdown"), "jit_image"), size);
	json_object_put(info);
	json_object_put(progs);
	close(fd);
}

static void packs_are_the_kernels_packs(void **state)
{
	char *argv[] = { BPFMEM, "packs", "--json", NULL };
	const char *const pack_caller[] = { "bpf_prog_pack_alloc", NULL };
	json_object *t = run_json(argv), *packs = get(t, "packs");
	__u64 pack_size = jget_u64(t, "pack_size");
	int kernel_packs;

	(void)state;
	vmallocinfo(pack_caller, pack_size + PAGE, &kernel_packs);
	/* packs holding only trampolines or classic BPF filters are not
	 * seen: at most the kernel's count */
	assert_true(json_object_array_length(packs) >= 1);
	assert_true((int)json_object_array_length(packs) <= kernel_packs);
	for (size_t i = 0; i < json_object_array_length(packs); i++) {
		json_object *p = json_object_array_get_idx(packs, i);

		assert_true(hex(get(p, "pack")) % PAGE == 0);
		assert_int_equal(jget_u64(p, "bytes"), pack_size);
		assert_true(jget_u64(p, "bytes_programs") <= pack_size);
		assert_int_equal(jget_u64(p, "bytes_programs") +
					 jget_u64(p, "bytes_unused"),
				 pack_size);
	}
	json_object_put(t);
}

/*
 * Loads NPROGS programs; what vmallocinfo gains for program structs must
 * be what bpfmem says they take (breakdown.insns), and what it gains for
 * programs and packs together must be what meminfo's vmalloc gains (a JIT
 * image moves bytes from the pack's "other" to the program; a new pack
 * adds a whole pack to both). Other processes may load or free programs
 * meanwhile: tried a few times.
 */
static void instruction_pages_match_vmallocinfo(void **state)
{
	char *progs_argv[] = { BPFMEM, "--no-daemon", "progs", "--json", NULL };
	char *meminfo_argv[] = { BPFMEM, "meminfo", "--json", NULL };
	bool matched = false;

	(void)state;
	for (int attempt = 0; attempt < 5 && !matched; attempt++) {
		json_object *progs, *m0, *m1;
		__u64 v0, v1, p0, p1, insns = 0;
		int fds[NPROGS];

		m0 = run_json(meminfo_argv);
		p0 = vmallocinfo(prog_callers, 0, NULL);
		v0 = vmallocinfo(bpf_callers, 0, NULL);
		for (int i = 0; i < NPROGS; i++)
			fds[i] = load("fx_vm", INSNS);
		progs = run_json(progs_argv);
		m1 = run_json(meminfo_argv);
		p1 = vmallocinfo(prog_callers, 0, NULL);
		v1 = vmallocinfo(bpf_callers, 0, NULL);
		for (int i = 0; i < NPROGS; i++) {
			json_object *p = json_find_id(progs, prog_id(fds[i]));

			assert_non_null(p);
			insns += jget_u64(get(p, "breakdown"), "insns");
			close(fds[i]);
		}
		assert_int_equal(insns, NPROGS * 2 * PAGE);
		/* a new pack would add a whole pack's vmalloc */
		matched = p1 - p0 == insns &&
			  v1 - v0 == jget_u64(m1, "bytes_vmalloc") -
					     jget_u64(m0, "bytes_vmalloc") &&
			  jget_u64(m1, "bytes_progs") > jget_u64(m0, "bytes_progs");
		if (!matched)
			print_message("# attempt %d: vmallocinfo +%llu (programs +%llu), bpfmem insns %llu, meminfo vmalloc +%lld\n",
				      attempt, (unsigned long long)(v1 - v0),
				      (unsigned long long)(p1 - p0),
				      (unsigned long long)insns,
				      (long long)(jget_u64(m1, "bytes_vmalloc") -
						  jget_u64(m0, "bytes_vmalloc")));
		json_object_put(progs);
		json_object_put(m0);
		json_object_put(m1);
		usleep(200000);
	}
	assert_true(matched);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jit_images_are_where_the_kernel_says),
		cmocka_unit_test(packs_are_the_kernels_packs),
		cmocka_unit_test(instruction_pages_match_vmallocinfo),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("progs", tests, NULL, NULL);
}
