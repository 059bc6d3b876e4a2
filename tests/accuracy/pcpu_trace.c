// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pcpu_trace.h"
#include "pcpu.skel.h"

int acc_trace_open(struct pcpu_bpf **skel)
{
	int err;

	*skel = pcpu_bpf__open_and_load();
	if (!*skel)
		return -errno;
	err = pcpu_bpf__attach(*skel);
	if (err) {
		pcpu_bpf__destroy(*skel);
		*skel = NULL;
	}
	return err;
}

int acc_trace_begin(struct pcpu_bpf *skel, pid_t pid)
{
	int live = bpf_map__fd(skel->maps.acc_live);
	int totals = bpf_map__fd(skel->maps.acc_totals);
	__u64 key;
	__s64 zero = 0;
	__u32 i;
	int err;

	skel->bss->acc_tgid = pid;
	/* what an earlier case left: its frees must not count here */
	while (!bpf_map_get_next_key(live, NULL, &key))
		bpf_map_delete_elem(live, &key);
	for (i = 0; i < 2; i++) {
		err = bpf_map_update_elem(totals, &i, &zero, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

int acc_trace_read(struct pcpu_bpf *skel, __s64 *uncharged, __s64 *charged)
{
	int totals = bpf_map__fd(skel->maps.acc_totals);
	__u32 i = 0;

	return bpf_map_lookup_elem(totals, &i, uncharged) ?:
	       (i = 1, bpf_map_lookup_elem(totals, &i, charged));
}

void acc_trace_close(struct pcpu_bpf *skel)
{
	pcpu_bpf__destroy(skel);
}
