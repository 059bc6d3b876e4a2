// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "lifecycle.h"
#include "lifecycle.skel.h"
#include "log.h"

struct lifecycle {
	struct lifecycle_bpf *skel;
	struct ring_buffer *rb;
	lifecycle_cb cb;
	void *ctx;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct lifecycle *l = ctx;

	if (size < sizeof(struct bpfmem_event))
		return 0;
	l->cb(l->ctx, data);
	return 0;
}

int lifecycle_open(struct lifecycle **out, lifecycle_cb cb, void *ctx)
{
	struct lifecycle *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->cb = cb;
	l->ctx = ctx;
	l->skel = lifecycle_bpf__open_and_load();
	if (!l->skel) {
		err = -errno;
		log_error("loading the lifecycle hooks failed: %s; creators and lifecycle events are not recorded\n",
			  strerror(-err));
		goto fail;
	}
	err = lifecycle_bpf__attach(l->skel);
	if (err) {
		log_error("attaching the lifecycle hooks failed: %s; the syscalls/sys_enter_bpf tracepoint needs tracefs (mount -t tracefs none /sys/kernel/tracing)\n",
			  strerror(-err));
		goto fail;
	}
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events), on_event, l,
				 NULL);
	if (!l->rb) {
		err = -errno;
		log_error("opening the lifecycle ring buffer failed: %s\n",
			  strerror(-err));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	lifecycle_close(l);
	return err;
}

int lifecycle_fd(const struct lifecycle *l)
{
	return ring_buffer__epoll_fd(l->rb);
}

int lifecycle_consume(struct lifecycle *l)
{
	return ring_buffer__consume(l->rb);
}

void lifecycle_close(struct lifecycle *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	lifecycle_bpf__destroy(l->skel);
	free(l);
}
