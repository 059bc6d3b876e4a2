// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "daemon/daemon.h"
#include "daemon/commands.h"
#include "daemon/duration.h"
#include "daemon/jsonline.h"
#include "daemon/listen.h"
#include "base/log.h"
#include "daemon/notify.h"
#include "collect/own_filter.h"
#include "daemon/privileges.h"
#include "daemon/request.h"
#include "daemon/sample_diff.h"
#include "daemon/snapshot.h"
#include "pipeline/pipeline.h"

static __u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 realtime_ms(void)
{
	return clock_ns(CLOCK_REALTIME) / 1000000;
}

/* Sends {key: <what fill writes>} to the subscribers of topic. */
static void publish(struct bpfmemd *d, unsigned int topic, const char *key,
		    void (*fill)(struct json_writer *w, const void *arg),
		    const void *arg)
{
	struct jsonline l;
	char *buf;
	size_t len;

	/* events read during the first sample: nobody to tell yet */
	if (!d->server || jsonline_open(&l))
		return;
	json_key(&l.w, key);
	fill(&l.w, arg);
	if (jsonline_close(&l, &buf, &len))
		return;
	server_publish(d->server, topic, buf, len);
	free(buf);
}

static void fill_event(struct json_writer *w, const void *arg)
{
	json_event(w, arg);
}

struct alert_event {
	const struct alert_notice *n;
	const char *host;
};

static void fill_alert(struct json_writer *w, const void *arg)
{
	const struct alert_event *a = arg;

	json_alert_notice(w, a->n, a->host);
}

/* The rules over the new sample: the states to disk first (a restart
 * must not tell again what was told), then every firing and resolution
 * to the journal, its hook and the subscribers. */
static void run_alerts(struct bpfmemd *d)
{
	struct alert_notice *n;
	size_t nr;

	if (alerts_eval(&d->alerts, &d->ledger, &d->history, &n, &nr))
		return;
	alerts_save(&d->alerts);
	for (size_t i = 0; i < nr; i++) {
		struct alert_event ev = { &n[i], d->host.host };

		alerts_act(&d->alerts, &n[i], d->host.host);
		publish(d, TOPIC_ALERTS, "alert", fill_alert, &ev);
	}
	free(n);
}

static size_t firing(const struct bpfmemd *d)
{
	return alert_engine_firing(&d->alerts.engine);
}

/* What a sample read (docs/PROTOCOL.md, the samples topic). */
static const char *const sample_read_names[] = {
	[PROBE_OTHER] = "all",
	[PROBE_SAME] = "counters",
	[PROBE_MAPS_CHANGED] = "changed_maps",
};

static void fill_sample(struct json_writer *w, const void *arg)
{
	const struct ledger *l = arg;

	json_object_open(w);
	json_kv_u64(w, "time_ms", l->time_ms);
	json_kv_u64(w, "sample", l->samples);
	json_kv_string(w, "read", sample_read_names[l->read]);
	json_key(w, "totals");
	json_totals(w, &l->totals);
	json_object_close(w);
}

/* The figures of a freed object from the last sample, found by its
 * address: its id and memlock, where the free did not tell them. */
static void last_sampled(const struct ledger *l, struct event_entry *e)
{
	const struct inventory *inv = &l->inv;

	if (e->ev.kind == BPFMEM_EV_MAP_FREE) {
		for (size_t i = 0; i < inv->nr_maps; i++) {
			const struct map_info *m = &inv->maps[i];

			if (m->rec.kaddr != e->ev.kaddr)
				continue;
			e->ev.id = m->rec.id;
			e->bytes_memlock = m->bytes_memlock;
			e->has_bytes = m->has_memlock;
			return;
		}
		return;
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];

		if (p->rec.kaddr == e->ev.kaddr) {
			e->ev.id = p->rec.id;
			e->bytes_memlock = p->rec.bytes_memlock;
			e->has_bytes = true;
			return;
		}
	}
}

/* A lifecycle event from the ring buffer: into the log, to subscribers. */
static void on_lifecycle(void *ctx, const struct bpfmem_event *ev)
{
	struct bpfmemd *d = ctx;
	struct event_entry e = { .ev = *ev };
	struct bpfmem_event created;

	/* CLOCK_BOOTTIME to the wall clock */
	e.time_ms = (clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME) +
		     ev->time_ns) / 1000000;
	switch (ev->kind) {
	case BPFMEM_EV_MAP_CREATE:
	case BPFMEM_EV_PROG_LOAD:
		if (creators_add(&d->creators, ev))
			log_warn("out of memory: the creator of %s %u is not kept\n",
				 ev->kind == BPFMEM_EV_MAP_CREATE ? "map" :
								    "program",
				 ev->id);
		break;
	case BPFMEM_EV_MAP_FREE:
	case BPFMEM_EV_PROG_FREE:
		/* a free names the object by its address only (its id is
		 * gone): the rest is from its creation and the last sample */
		if (creators_remove(&d->creators, ev, &created)) {
			e.ev = created;
			e.ev.kind = ev->kind;
			e.ev.time_ns = ev->time_ns;
		}
		last_sampled(&d->ledger, &e);
		break;
	default:
		return;
	}
	/* kept as a creator above, so that its free is known too */
	if (own_event(&e.ev))
		return;
	publish(d, TOPIC_EVENTS, "event", fill_event,
		event_log_add(&d->events, &e));
}

/* An event from comparing two samples (no lifecycle hooks): into the
 * log, to subscribers. */
static void on_diffed(void *ctx, const struct event_entry *e)
{
	struct bpfmemd *d = ctx;

	publish(d, TOPIC_EVENTS, "event", fill_event,
		event_log_add(&d->events, e));
}

static int on_ring(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct bpfmemd *d = ud;
	int n = lifecycle_consume(d->lifecycle);

	(void)s;
	(void)fd;
	(void)revents;
	if (n < 0)
		log_warn("reading the lifecycle ring buffer failed: %s\n",
			 strerror(-n));
	return 0;
}

int daemon_snapshot(struct bpfmemd *d, size_t *bytes)
{
	int err = snapshot_write(d->cfg.state_dir, d->gid, &d->ledger,
				 &d->host, bytes);

	if (err)
		log_error("writing %s/%s failed: %s: check that the state directory exists and is writable\n",
			  d->cfg.state_dir, SNAPSHOT_NAME, strerror(-err));
	else
		log_debug("wrote %s/%s: %zu bytes\n", d->cfg.state_dir,
			  SNAPSHOT_NAME, *bytes);
	d->since_snapshot = 0;
	d->snapshot_ns = clock_ns(CLOCK_MONOTONIC);
	return err;
}

/* What every sample does once the ledger has it: the history, alerts,
 * exporters, subscribers and the snapshot. */
static void sample_recorded(struct bpfmemd *d, __u64 start)
{
	double seconds;
	size_t bytes;

	if (ledger_record(&d->ledger, &d->history))
		log_warn("out of memory: this sample is missing from the history\n");
	seconds = (clock_ns(CLOCK_MONOTONIC) - start) / 1e9;
	run_alerts(d);
	prom_export_sample(&d->prom, &d->cfg, &d->ledger, seconds,
			   &d->alerts.engine);
	if (d->server)
		notify_status(&d->ledger, server_nr_clients(d->server),
			      firing(d), false);
	publish(d, TOPIC_SAMPLES, "sample", fill_sample, &d->ledger);
	++d->since_snapshot;
	if ((d->cfg.snapshot_every &&
	     d->since_snapshot >= d->cfg.snapshot_every) ||
	    (d->cfg.snapshot_every_ms &&
	     clock_ns(CLOCK_MONOTONIC) - d->snapshot_ns >=
		     d->cfg.snapshot_every_ms * 1000000))
		daemon_snapshot(d, &bytes);
}

/* The rest of a sample once the inventory is collected: the ledger,
 * the history, alerts and exporters, on the event loop's thread. */
static int sample_finish(struct bpfmemd *d, struct inventory *inv, int err,
			 enum probe_found found, __u64 start)
{
	/* the collection thread has ended: its features are at rest */
	d->host.features = *collector_features(d->collector);
	if (err) {
		log_error("collecting the inventory failed: %s; keeping the previous sample\n",
			  strerror(-err));
		return err;
	}
	if (found == PROBE_SAME)
		err = ledger_refresh(&d->ledger, inv, &d->creators,
				     realtime_ms());
	else if (found == PROBE_MAPS_CHANGED)
		err = ledger_patch(&d->ledger, inv, &d->creators,
				   realtime_ms());
	if (found != PROBE_OTHER) {
		/* the collector's hashes are ahead of the ledger */
		if (err)
			collector_unsettle(d->collector);
		if (err == -EAGAIN)
			log_debug("a changed map is not where the ledger has it: the next sample collects everything\n");
		else if (err)
			log_warn("out of memory: this sample may lack creators, changed maps or figures per cgroup; the next collects everything\n");
		sample_recorded(d, start);
		return 0;
	}
	if (d->accounting) {
		err = accounting_join(d->accounting, inv);
		if (err)
			log_warn("reading the accounting hooks failed: %s; bytes_traced is missing from this sample\n",
				 strerror(-err));
	}
	/* without the hooks, the log learns of creations and frees from
	 * samples; not from the first, which would call everything new */
	if (!d->lifecycle && d->ledger.samples)
		sample_diff(&d->ledger.inv, inv, realtime_ms(), on_diffed, d);
	err = ledger_update(&d->ledger, inv, &d->creators, realtime_ms());
	if (err) {
		log_error("building the ledger failed: %s; keeping the previous sample\n",
			  strerror(-err));
		/* the collector read objects the ledger does not have */
		collector_unsettle(d->collector);
		return err;
	}
	sample_recorded(d, start);
	return 0;
}

/* A whole sample on this thread: the first, before READY=1. */
static int sample(struct bpfmemd *d)
{
	__u64 start = clock_ns(CLOCK_MONOTONIC);
	struct inventory inv;
	int err;

	/* creators of objects made since the last event read */
	if (d->lifecycle)
		lifecycle_consume(d->lifecycle);
	err = pipeline_collect(d->collector, &inv);
	return sample_finish(d, &inv, err, PROBE_OTHER, start);
}

/*
 * Later samples collect on a thread of their own (the iterator reads are
 * most of a sample: about 200 ms at 10,000 maps), so requests are
 * answered from the last sample meanwhile and never wait for the next.
 * Only the collector is touched there; the loop learns of the end from
 * an eventfd and builds the ledger itself.
 */
static void *collect_thread(void *arg)
{
	struct bpfmemd *d = arg;
	__u64 one = 1;

	if (d->worker_may_probe)
		d->worker_err = pipeline_sample(d->collector, &d->worker_inv,
						&d->worker_found);
	else
		d->worker_err = pipeline_collect(d->collector, &d->worker_inv);
	if (write(d->worker_fd, &one, sizeof(one)) != sizeof(one))
		log_error("waking the event loop failed: %s\n", strerror(errno));
	return NULL;
}

static void worker_join(struct bpfmemd *d)
{
	if (!d->worker_running)
		return;
	pthread_join(d->worker, NULL);
	d->worker_running = false;
}

static int on_collected(sd_event_source *s, int fd, uint32_t revents,
			void *ud)
{
	struct bpfmemd *d = ud;
	__u64 n;

	(void)s;
	(void)revents;
	if (read(fd, &n, sizeof(n)) != sizeof(n) || !d->worker_running)
		return 0;
	worker_join(d);
	/* frees seen while collecting, before the ledger that no longer has
	 * their objects replaces the one that has their figures */
	if (d->lifecycle)
		lifecycle_consume(d->lifecycle);
	sample_finish(d, &d->worker_inv, d->worker_err,
		      d->worker_found, d->worker_start);
	return 0;
}

static void sample_start(struct bpfmemd *d)
{
	int err;

	if (d->worker_running) {
		/* at a short interval on a busy machine: every tick */
		log_debug("sampling fell behind: the last sample is still being collected\n");
		return;
	}
	if (d->lifecycle)
		lifecycle_consume(d->lifecycle);
	d->worker_start = clock_ns(CLOCK_MONOTONIC);
	/* with the accounting hooks every sample has new traced figures */
	d->worker_may_probe = !d->accounting;
	d->worker_found = PROBE_OTHER;
	err = -pthread_create(&d->worker, NULL, collect_thread, d);
	if (err) {
		log_error("starting the collection failed: %s; keeping the previous sample\n",
			  strerror(-err));
		return;
	}
	d->worker_running = true;
}

/* Fixed rate: the next sample is one interval after the previous one
 * was due, not after it ended, unless sampling fell behind. */
static int schedule(struct bpfmemd *d)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC) / 1000;
	__u64 step = d->cfg.interval_ms * USEC_PER_MSEC;

	d->next_sample_usec += step;
	if (d->next_sample_usec < now)
		d->next_sample_usec = now + step;
	sd_event_source_set_time(d->timer, d->next_sample_usec);
	return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	struct bpfmemd *d = ud;

	(void)s;
	(void)usec;
	sample_start(d);
	return schedule(d);
}

/* Attaches the accounting hooks with a table of max_addrs allocations, or
 * detaches them. Objects created while they are detached are never traced
 * (bytes_traced null). */
static void trace_allocations(struct bpfmemd *d, bool on, __u32 max_addrs)
{
	if (on && !d->accounting &&
	    accounting_open(&d->accounting, max_addrs))
		d->accounting = NULL;
	if (!on && d->accounting) {
		accounting_close(d->accounting);
		d->accounting = NULL;
	}
	if (!on)
		log_info("accounting hooks detached (trace_allocations = no): bytes_traced is null\n");
	d->host.accounting = d->accounting;
}

static void apply_config(struct bpfmemd *d, const struct config *c)
{
	bool new_interval = c->interval_ms != d->cfg.interval_ms;

	if (strcmp(c->socket, d->socket_path))
		log_warn("socket: the change to %s takes effect at the next start\n",
			 c->socket);
	if (strcmp(c->prom_listen, d->cfg.prom_listen))
		log_warn("[prometheus] listen: the change to '%s' takes effect at the next start\n",
			 c->prom_listen);
	if ((new_interval || c->history_ms != d->cfg.history_ms) &&
	    history_resize(&d->history, config_history_samples(c)))
		log_warn("out of memory: the history keeps its old length\n");
	if (c->traced_allocations != d->cfg.traced_allocations &&
	    c->trace_allocations && d->accounting)
		log_warn("traced_allocations: the change to %u takes effect at the next start (a new table would forget every allocation traced so far)\n",
			 c->traced_allocations);
	if (c->walk_interval_ms != d->cfg.walk_interval_ms)
		log_warn("walk_interval: the change takes effect at the next start\n");
	if (c->lifecycle != d->cfg.lifecycle)
		log_warn("lifecycle: the change to %s takes effect at the next start\n",
			 config_lifecycle_name(c->lifecycle));
	if (c->trace_allocations != d->cfg.trace_allocations)
		trace_allocations(d, c->trace_allocations,
				  c->traced_allocations);
	config_free(&d->cfg);
	d->cfg = *c;
	alerts_configure(&d->alerts, &d->cfg);
	if (d->server)
		server_set_out_max(d->server, d->cfg.max_unread);
	if (new_interval) {
		d->next_sample_usec = clock_ns(CLOCK_MONOTONIC) / 1000;
		schedule(d);
	}
	if (mkdir(d->cfg.state_dir, 0755) && errno != EEXIST)
		log_warn("creating the state directory %s failed: %s\n",
			 d->cfg.state_dir, strerror(errno));
}

static void reload(struct bpfmemd *d)
{
	struct config c;
	char msg[1024];

	notify_reloading();
	if (config_read(&c, d->config_path, d->config_given, d->overrides,
			d->nr_overrides, msg, sizeof(msg))) {
		log_error("reloading the configuration failed: %s; keeping the one in force\n",
			  msg);
	} else {
		apply_config(d, &c);
		log_info("configuration reloaded from %s\n", d->config_path);
	}
	notify_status(&d->ledger, server_nr_clients(d->server), firing(d),
		      true);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *ud)
{
	struct bpfmemd *d = ud;
	size_t bytes;

	(void)s;
	switch (si->ssi_signo) {
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		daemon_snapshot(d, &bytes);
		break;
	default:
		log_info("stopping on signal %u\n", si->ssi_signo);
		notify_stopping();
		sd_event_exit(d->event, 0);
	}
	return 0;
}

static int add_signals(struct bpfmemd *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	sigset_t set;
	int err;

	sigemptyset(&set);
	/* the hooks' exits come through sd-event's child sources */
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		err = sd_event_add_signal(d->event, NULL, sigs[i], on_signal, d);
		if (err < 0)
			return err;
	}
	return 0;
}

static void host_info(struct bpfmemd *d)
{
	struct utsname u;

	if (gethostname(d->host.host, sizeof(d->host.host)))
		snprintf(d->host.host, sizeof(d->host.host), "unknown");
	if (uname(&u))
		snprintf(d->host.kernel, sizeof(d->host.kernel), "unknown");
	else
		snprintf(d->host.kernel, sizeof(d->host.kernel), "%s",
			 u.release);
	d->host.features = *collector_features(d->collector);
	d->host.lifecycle = d->lifecycle;
	d->host.accounting = d->accounting;
}

static bool in_group(gid_t gid)
{
	int n = getgroups(0, NULL);
	gid_t *groups = malloc((n > 0 ? n : 1) * sizeof(*groups));
	bool member = getegid() == gid;

	n = groups ? getgroups(n > 0 ? n : 0, groups) : 0;
	for (int i = 0; i < n; i++)
		member |= groups[i] == gid;
	free(groups);
	return member;
}

static void drop_privileges(struct bpfmemd *d)
{
	struct privileges_need need = {
		.chown_group = d->gid != (gid_t)-1 && !in_group(d->gid),
	};

	for (size_t i = 0; i < d->cfg.alerts.n; i++) {
		const struct alert_rule *r = &d->cfg.alerts.v[i];

		if (r->exec[0] && r->hook.ok && r->hook.uid)
			need.hook_users = true;
	}
	privileges_drop(&need, &d->privileges);
}

/* The collector, the hooks and the first sample: what READY=1 promises. */
static int start_collecting(struct bpfmemd *d)
{
	/* the command line's pinned iterators are bpfmem's too */
	struct collector_opts opts = {
		.iters = ITER_ALL, .pins = true, .probe_all = true,
		.own_pin_root = BPFMEM_PIN_ROOT,
		.walks_max_age_ns = d->cfg.walk_interval_ms * 1000000,
	};
	char msg[512];
	int code, err;

	err = collector_new(&opts, &d->collector, msg, sizeof(msg), &code);
	if (err) {
		log_error("%s\n", msg);
		return code;
	}
	/* the inventory still works without the hooks: no events then */
	if (!feature_has(collector_features(d->collector), FEAT_RINGBUF))
		log_warn("%s\n", feature_message(collector_features(d->collector),
						 FEAT_RINGBUF, msg, sizeof(msg)));
	else if (d->cfg.lifecycle == LIFECYCLE_OFF)
		log_info("no lifecycle hooks (lifecycle = off): creators are unknown and events come from successive samples\n");
	else if (lifecycle_open(&d->lifecycle, d->cfg.lifecycle, on_lifecycle,
				d))
		d->lifecycle = NULL;
	/* nor without the accounting hooks: bytes_traced is null then */
	trace_allocations(d, d->cfg.trace_allocations,
			  d->cfg.traced_allocations);
	if (event_log_init(&d->events, EVENT_LOG_SIZE) ||
	    history_init(&d->history, config_history_samples(&d->cfg))) {
		log_error("out of memory for the event log and history\n");
		return EXIT_FAILURE_RUNTIME;
	}
	host_info(d);
	if (mkdir(d->cfg.state_dir, 0755) && errno != EEXIST)
		log_warn("creating the state directory %s failed: %s: snapshots will fail\n",
			 d->cfg.state_dir, strerror(errno));
	if (alerts_open(&d->alerts, d->event, &d->cfg))
		return EXIT_FAILURE_RUNTIME;
	d->alerts_open = true;
	/* all loaded and attached, the hooks' users known, no other
	 * thread yet */
	drop_privileges(d);
	/* before the first sample, which it then serves */
	if (prom_export_start(&d->prom, &d->cfg))
		return EXIT_FAILURE_RUNTIME;
	err = sample(d);
	return err ? EXIT_FAILURE_RUNTIME : 0;
}

static int start_serving(struct bpfmemd *d)
{
	char msg[512];
	bool activated;
	int fd, err;

	fd = listen_socket(d->cfg.socket, &activated, msg,
			   sizeof(msg));
	if (fd < 0) {
		log_error("%s\n", msg);
		return EXIT_FAILURE_RUNTIME;
	}
	d->socket_bound = !activated;
	memcpy(d->socket_path, d->cfg.socket, sizeof(d->socket_path));
	err = server_new(d->event, fd, d->gid, d->cfg.group, commands_handle, d,
			 &d->server);
	if (err >= 0)
		server_set_out_max(d->server, d->cfg.max_unread);
	if (err >= 0 && d->lifecycle)
		err = sd_event_add_io(d->event, NULL, lifecycle_fd(d->lifecycle),
				      EPOLLIN, on_ring, d);
	if (err >= 0) {
		d->worker_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		err = d->worker_fd < 0 ? -errno :
			sd_event_add_io(d->event, &d->worker_io, d->worker_fd,
					EPOLLIN, on_collected, d);
	}
	if (err >= 0) {
		d->next_sample_usec = clock_ns(CLOCK_MONOTONIC) / 1000;
		err = sd_event_add_time(d->event, &d->timer, CLOCK_MONOTONIC,
					0, 1000, on_timer, d);
	}
	/* the samples first: however many clients have something pending,
	 * a tick or a finished collection is handled next */
	if (err >= 0)
		err = sd_event_source_set_priority(d->timer,
						   SD_EVENT_PRIORITY_IMPORTANT);
	if (err >= 0)
		err = sd_event_source_set_priority(d->worker_io,
						   SD_EVENT_PRIORITY_IMPORTANT);
	if (err >= 0)
		err = schedule(d);
	if (err < 0) {
		log_error("setting up the event loop failed: %s\n",
			  strerror(-err));
		return EXIT_FAILURE_RUNTIME;
	}
	log_info("serving %s%s, sampling every %llu ms\n", d->cfg.socket,
		 activated ? " (socket activation)" : "",
		 (unsigned long long)d->cfg.interval_ms);
	return 0;
}

static void daemon_free(struct bpfmemd *d)
{
	prom_export_stop(&d->prom);
	server_free(d->server);
	if (d->socket_bound)
		unlink(d->socket_path);
	sd_event_source_disable_unref(d->timer);
	/* a collection still running ends before the collector goes */
	if (d->worker_running) {
		worker_join(d);
		if (!d->worker_err)
			inventory_free(&d->worker_inv);
	}
	sd_event_source_disable_unref(d->worker_io);
	if (d->worker_fd >= 0)
		close(d->worker_fd);
	if (d->alerts_open)
		alerts_close(&d->alerts);
	lifecycle_close(d->lifecycle);
	accounting_close(d->accounting);
	collector_free(d->collector);
	ledger_free(&d->ledger);
	history_free(&d->history);
	event_log_free(&d->events);
	creators_free(&d->creators);
	config_free(&d->cfg);
	sd_event_unref(d->event);
}

int daemon_run(struct bpfmemd *d)
{
	int err, code;

	d->worker_fd = -1;
	d->snapshot_ns = clock_ns(CLOCK_MONOTONIC);
	err = sd_event_default(&d->event);
	if (err >= 0)
		err = add_signals(d);
	/* WATCHDOG=1 at half of WatchdogSec= while the loop turns */
	if (err >= 0)
		err = sd_event_set_watchdog(d->event, true);
	if (err < 0) {
		log_error("setting up the event loop failed: %s\n",
			  strerror(-err));
		daemon_free(d);
		return EXIT_FAILURE_RUNTIME;
	}
	code = start_collecting(d);
	if (!code)
		code = start_serving(d);
	if (!code) {
		notify_status(&d->ledger, 0, firing(d), true);
		if (d->ready_fd >= 0 && write(d->ready_fd, "", 1) == 1)
			close(d->ready_fd);
		err = sd_event_loop(d->event);
		if (err < 0) {
			log_error("the event loop failed: %s\n", strerror(-err));
			code = EXIT_FAILURE_RUNTIME;
		}
	}
	daemon_free(d);
	return code;
}
