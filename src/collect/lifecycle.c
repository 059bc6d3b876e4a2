// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "collect/lifecycle.h"
#include "lifecycle.skel.h"
#include "base/log.h"

struct lifecycle {
	struct lifecycle_bpf *skel;
	struct ring_buffer *rb;
	lifecycle_cb cb;
	void *ctx;
	bool fentry;			/* the fentry backend runs */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct lifecycle *l = ctx;

	if (size < sizeof(struct bpfmem_event))
		return 0;
	l->cb(l->ctx, data);
	return 0;
}

/* Opens, loads and attaches one backend's programs into l->skel; 0 or
 * -errno with the step that failed in *step. Attaching is the probe: the
 * kernel may refuse fentry whatever its version (EPERM under lockdown or
 * a BPF LSM policy, ENOTSUPP without a BPF trampoline). */
static int load_backend(struct lifecycle *l, bool fentry, const char **step)
{
	struct lifecycle_bpf *s;
	int err;

	*step = "opening";
	s = l->skel = lifecycle_bpf__open();
	if (!s)
		return -errno;
	bpf_program__set_autoload(s->progs.lc_map_create, fentry);
	bpf_program__set_autoload(s->progs.lc_prog_load, fentry);
	bpf_program__set_autoload(s->progs.lc_map_free, fentry);
	bpf_program__set_autoload(s->progs.lc_prog_free, fentry);
	bpf_program__set_autoload(s->progs.bpf_enter, !fentry);
	bpf_program__set_autoload(s->progs.bpf_exit, !fentry);
	bpf_program__set_autoload(s->progs.work_start, !fentry);
	*step = "loading";
	err = lifecycle_bpf__load(s);
	if (err)
		return err;
	*step = "attaching";
	err = lifecycle_bpf__attach(s);
	if (err)
		return err;
	l->fentry = fentry;
	return 0;
}

/* Why the backend wanted could not run, at the level it deserves. */
static void log_refused(enum lifecycle_backend want, const char *step,
			int err)
{
	if (want == LIFECYCLE_AUTO)
		log_info("no lifecycle hooks: %s the fentry lifecycle hooks failed: %s (fentry/fexit refused: lockdown, a BPF LSM policy, or no BPF trampoline); creators are unknown and events come from successive samples; `lifecycle = tracepoint` in bpfmemd.conf records them through the bpf() syscall tracepoints, which slow every syscall on the host\n",
			 step, strerror(-err));
	else if (want == LIFECYCLE_FENTRY)
		log_error("%s the fentry lifecycle hooks (fexit map_create, bpf_prog_load; fentry bpf_map_free_deferred, bpf_prog_free_deferred) failed: %s; creators and lifecycle events are not recorded (`lifecycle = tracepoint` uses the bpf() syscall tracepoints instead)\n",
			  step, strerror(-err));
	else
		log_error("%s the tracepoint lifecycle hooks failed: %s; creators and lifecycle events are not recorded; the syscalls/sys_enter_bpf tracepoint needs tracefs (mount -t tracefs none /sys/kernel/tracing)\n",
			  step, strerror(-err));
}

int lifecycle_open(struct lifecycle **out, enum lifecycle_backend want,
		   lifecycle_cb cb, void *ctx)
{
	struct lifecycle *l;
	const char *step;
	int err;

	if (want == LIFECYCLE_OFF)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cb = cb;
	l->ctx = ctx;
	err = load_backend(l, want != LIFECYCLE_TRACEPOINT, &step);
	if (err) {
		log_refused(want, step, err);
		if (want == LIFECYCLE_AUTO)
			err = -EOPNOTSUPP;
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
	log_debug("lifecycle hooks: %s backend\n", lifecycle_backend_name(l));
	*out = l;
	return 0;
fail:
	lifecycle_close(l);
	return err;
}

const char *lifecycle_backend_name(const struct lifecycle *l)
{
	return l->fentry ? "fentry" : "tracepoint";
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
