// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "daemon/alerts.h"
#include "base/atomic_file.h"
#include "base/format.h"
#include "daemon/jsonline.h"
#include "base/log.h"
#include "base/names.h"

static const char *const phase_names[] = {
	[ALERT_PENDING] = "pending",
	[ALERT_FIRING] = "firing",
	[ALERT_RESOLVED] = "resolved",
};

static void set_path(struct alerts *a, const struct config *c)
{
	snprintf(a->path, sizeof(a->path), "%s/" ALERTS_STATE_NAME,
		 c->state_dir);
}

static const char *type_name(enum alert_scope s, __u32 type)
{
	if (s == ALERT_SCOPE_MAP)
		return map_type_name(type);
	if (s == ALERT_SCOPE_PROG)
		return prog_type_name(type);
	return NULL;
}

static void json_string_or_null(struct json_writer *w, const char *k,
				const char *v)
{
	json_key(w, k);
	if (v && *v)
		json_string(w, v);
	else
		json_null(w);
}

/* The fields a state and a notice share. */
static void json_state(struct json_writer *w, const struct alert_rule *r,
		       const struct alert_state *st)
{
	json_kv_string(w, "rule", st->rule);
	json_kv_string(w, "state", phase_names[st->phase]);
	json_kv_string(w, "severity", alert_severity_name(r->severity));
	json_kv_string(w, "scope", alert_scope_name(st->scope));
	json_kv_string(w, "metric", alert_metric_name(r->metric));
	json_key(w, "object");
	json_object_open(w);
	json_kv_u64(w, "id", st->id);
	json_string_or_null(w, "name", st->name);
	json_string_or_null(w, "type", type_name(st->scope, st->type));
	json_string_or_null(w, "memcg", st->memcg);
	json_object_close(w);
	json_key(w, "value");
	json_double(w, st->value);
	json_key(w, "threshold");
	json_double(w, r->threshold);
	json_key(w, "resolve");
	json_double(w, r->resolve);
	json_kv_string(w, "direction", r->below ? "below" : "above");
	json_kv_u64(w, "since_ms", st->since_ms);
	json_kv_u64_or_null(w, "fired_ms", st->fired_ms, st->fired_ms);
}

void json_alert_notice(struct json_writer *w, const struct alert_notice *n,
		       const char *host)
{
	json_object_open(w);
	json_state(w, n->rule, &n->state);
	json_kv_bool(w, "repeat", n->repeat);
	json_kv_bool(w, "gone", n->gone);
	json_kv_u64(w, "time_ms", n->time_ms);
	json_kv_string(w, "host", host);
	json_object_close(w);
}

static void json_rule_count(void *ctx, const struct alert_rule *r,
			    size_t firing, size_t pending)
{
	struct json_writer *w = ctx;

	json_object_open(w);
	json_kv_string(w, "rule", r->name);
	json_kv_u64(w, "firing", firing);
	json_kv_u64(w, "pending", pending);
	json_object_close(w);
}

void json_alert_states(struct json_writer *w, const struct alerts *a)
{
	const struct alert_engine *e = &a->engine;

	json_object_open(w);
	json_key(w, "alerts");
	json_array_open(w);
	for (size_t i = 0; i < e->n; i++) {
		json_object_open(w);
		json_state(w, &e->rules->v[e->states[i].rule_idx],
			   &e->states[i]);
		json_kv_u64_or_null(w, "notified_ms", e->states[i].notified_ms,
				    e->states[i].notified_ms);
		json_object_close(w);
	}
	json_array_close(w);
	json_key(w, "rules");
	json_array_open(w);
	alert_engine_each_rule(e, json_rule_count, w);
	json_array_close(w);
	json_object_close(w);
}

/* As people read it: "600 MiB", "+1.2 MiB/min", "93.0%", "yes". */
static void format_value(enum alert_metric m, double v, char *buf,
			 size_t size)
{
	char b[32];

	switch (m) {
	case ALERT_BYTES_REAL:
	case ALERT_BYTES_MEMLOCK:
		format_bytes(v, buf, size);
		return;
	case ALERT_GROWTH_PER_MIN:
		format_bytes(fabs(v), b, sizeof(b));
		snprintf(buf, size, "%s%s/min", v < 0 ? "-" : "+", b);
		return;
	case ALERT_FILL_RATIO:
		snprintf(buf, size, "%.1f%%", v * 100);
		return;
	case ALERT_MEMLOCK_ERROR_PCT:
		snprintf(buf, size, "%.1f%%", v);
		return;
	case ALERT_DYING:
	case NR_ALERT_METRICS:
		break;
	}
	snprintf(buf, size, "%s", v > 0.5 ? "yes" : "no");
}

static void journal_record(const struct alert_notice *n, const char *state)
{
	const struct alert_rule *r = n->rule;
	const struct alert_state *st = &n->state;
	static const enum log_level firing_level[] = {
		[ALERT_INFO] = LOG_LVL_INFO,
		[ALERT_WARNING] = LOG_LVL_WARN,
		[ALERT_CRITICAL] = LOG_LVL_ERROR,
	};
	char value[48], threshold[48], id[24], why[160];
	struct log_field f[] = {
		{ "BPFMEM_ALERT_RULE", r->name },
		{ "BPFMEM_ALERT_STATE", state },
		{ "BPFMEM_ALERT_SEVERITY", alert_severity_name(r->severity) },
		{ "BPFMEM_ALERT_METRIC", alert_metric_name(r->metric) },
		{ "BPFMEM_ALERT_VALUE", value },
		{ "BPFMEM_ALERT_THRESHOLD", threshold },
		{ "BPFMEM_OBJECT_KIND", alert_scope_name(st->scope) },
		{ "BPFMEM_OBJECT_ID", id },
		{ "BPFMEM_OBJECT_NAME", st->name },
	};

	format_value(r->metric, st->value, value, sizeof(value));
	format_value(r->metric,
		     st->phase == ALERT_RESOLVED ? r->resolve : r->threshold,
		     threshold, sizeof(threshold));
	snprintf(id, sizeof(id), "%llu", (unsigned long long)st->id);
	if (n->gone)
		snprintf(why, sizeof(why), "is gone (%s was %s)",
			 alert_metric_name(r->metric), value);
	else
		snprintf(why, sizeof(why), "%s %s (%s %s)",
			 alert_metric_name(r->metric), value,
			 st->phase == ALERT_RESOLVED ? "resolves past" :
			 r->below ? "below" : "above", threshold);
	log_fields(st->phase == ALERT_RESOLVED ? LOG_LVL_INFO :
						 firing_level[r->severity],
		   f, sizeof(f) / sizeof(f[0]), "alert %s %s%s: %s %s '%s' %s\n",
		   r->name, state, n->repeat ? " again" : "",
		   alert_scope_name(st->scope), id, st->name, why);
}

/* The notice as one line of JSON, for a hook's stdin. */
static int notice_text(const struct alert_notice *n, const char *host,
		       char **buf, size_t *len)
{
	struct json_writer w;
	FILE *f = open_memstream(buf, len);
	int err;

	if (!f)
		return -errno;
	json_init(&w, f, false);
	json_alert_notice(&w, n, host);
	err = json_finish(&w);
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		free(*buf);
	return err;
}

#define MAX_ENV 16
#define ENV_LEN 320

static void run_hook(struct alerts *a, const struct alert_notice *n,
		     const char *state, const char *host)
{
	const struct alert_rule *r = n->rule;
	const struct alert_state *st = &n->state;
	char env[MAX_ENV][ENV_LEN], *envp[MAX_ENV + 1], label[96];
	const char *type = type_name(st->scope, st->type);
	size_t k = 0, len;
	char *buf;

	/* a user that does not exist was logged at load */
	if (!r->exec[0] || !r->hook.ok)
		return;
	snprintf(env[k++], ENV_LEN, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(env[k++], ENV_LEN, "BPFMEM_RULE=%s", r->name);
	snprintf(env[k++], ENV_LEN, "BPFMEM_STATE=%s", state);
	snprintf(env[k++], ENV_LEN, "BPFMEM_REPEAT=%d", n->repeat);
	snprintf(env[k++], ENV_LEN, "BPFMEM_SEVERITY=%s",
		 alert_severity_name(r->severity));
	snprintf(env[k++], ENV_LEN, "BPFMEM_SCOPE=%s",
		 alert_scope_name(st->scope));
	snprintf(env[k++], ENV_LEN, "BPFMEM_METRIC=%s",
		 alert_metric_name(r->metric));
	snprintf(env[k++], ENV_LEN, "BPFMEM_OBJECT_ID=%llu",
		 (unsigned long long)st->id);
	snprintf(env[k++], ENV_LEN, "BPFMEM_OBJECT_NAME=%s", st->name);
	snprintf(env[k++], ENV_LEN, "BPFMEM_OBJECT_TYPE=%s", type ? type : "");
	snprintf(env[k++], ENV_LEN, "BPFMEM_MEMCG=%s", st->memcg);
	snprintf(env[k++], ENV_LEN, "BPFMEM_VALUE=%.15g", st->value);
	snprintf(env[k++], ENV_LEN, "BPFMEM_THRESHOLD=%.15g", r->threshold);
	snprintf(env[k++], ENV_LEN, "BPFMEM_SINCE_MS=%llu",
		 (unsigned long long)st->since_ms);
	snprintf(env[k++], ENV_LEN, "BPFMEM_HOST=%s", host);
	for (size_t i = 0; i < k; i++)
		envp[i] = env[i];
	envp[k] = NULL;
	if (notice_text(n, host, &buf, &len)) {
		log_error("alert %s: out of memory: its hook does not run\n",
			  r->name);
		return;
	}
	snprintf(label, sizeof(label), "alert %s", r->name);
	hooks_run(a->hooks, &(struct hook_run){
		.label = label, .exec = r->exec, .env = envp, .input = buf,
		.len = len, .timeout_ms = r->timeout_ms, .user = &r->hook,
	});
	free(buf);
}

void alerts_act(struct alerts *a, const struct alert_notice *n,
		const char *host)
{
	const char *state = phase_names[n->state.phase];

	journal_record(n, state);
	run_hook(a, n, state, host);
}

static int lookup(const char *const names[], size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) &&
			       json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) :
		       NULL;
}

static bool jnum(json_object *o, const char *k, double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !(json_object_is_type(v, json_type_int) ||
	      json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

/* One saved state, its strings malloc'd; false when it is not one this
 * build wrote (or out of memory). */
static bool parse_state(json_object *o, struct alert_state *st)
{
	static const char *const scopes[] = { "total", "map", "prog", "memcg" };
	const char *rule = jstr(o, "rule"), *name = jstr(o, "name");
	const char *memcg = jstr(o, "memcg");
	int scope = lookup(scopes, NR_ALERT_SCOPES, jstr(o, "scope"));
	int phase = lookup(phase_names, ALERT_RESOLVED, jstr(o, "state"));
	double id, type, since, fired, notified, value;

	if (!rule || strlen(rule) >= sizeof(st->rule) || scope < 0 ||
	    phase < 0 || !jnum(o, "id", &id) || !jnum(o, "type", &type) ||
	    !jnum(o, "since_ms", &since) || !jnum(o, "fired_ms", &fired) ||
	    !jnum(o, "notified_ms", &notified) || !jnum(o, "value", &value))
		return false;
	*st = (struct alert_state){
		.scope = scope, .id = id, .phase = phase, .since_ms = since,
		.fired_ms = fired, .notified_ms = notified, .value = value,
		.type = type,
	};
	snprintf(st->rule, sizeof(st->rule), "%s", rule);
	st->name = strdup(name ? name : "");
	st->memcg = strdup(memcg ? memcg : "");
	if (st->name && st->memcg)
		return true;
	free(st->name);
	free(st->memcg);
	return false;
}

/* Puts back the states the last run saved; a missing file is a first
 * start, a broken one is logged and left for the next save to replace. */
static void load(struct alerts *a)
{
	struct alert_state *v = NULL;
	json_object *root, *arr;
	size_t n = 0, bad = 0, len;

	if (access(a->path, F_OK))
		return;
	root = json_object_from_file(a->path);
	if (!root || !json_object_object_get_ex(root, "alerts", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		log_warn("%s is not a state file of bpfmemd (%s): alerts start afresh\n",
			 a->path, json_util_get_last_err() ?: "no alerts array");
		json_object_put(root);
		return;
	}
	len = json_object_array_length(arr);
	v = calloc(len ?: 1, sizeof(*v));
	for (size_t i = 0; v && i < len; i++) {
		if (parse_state(json_object_array_get_idx(arr, i), &v[n]))
			n++;
		else
			bad++;
	}
	json_object_put(root);
	if (!v || alert_engine_restore(&a->engine, v, n))
		log_warn("out of memory: the saved alerts are not restored\n");
	else if (bad)
		log_warn("%s: %zu saved alerts could not be read and were dropped\n",
			 a->path, bad);
	else
		log_debug("%s: %zu saved alerts restored\n", a->path, n);
	free(v);
}

void alerts_save(struct alerts *a)
{
	const struct alert_engine *e = &a->engine;
	struct json_writer *w;
	struct jsonline l;
	struct iovec iov;
	size_t len;
	char *buf;
	int err;

	if (!e->changed)
		return;
	err = jsonline_open(&l);
	if (err)
		goto out;
	w = &l.w;
	json_kv_u64(w, "schema_version", ALERTS_SCHEMA_VERSION);
	json_key(w, "alerts");
	json_array_open(w);
	for (size_t i = 0; i < e->n; i++) {
		const struct alert_state *st = &e->states[i];

		json_object_open(w);
		json_kv_string(w, "rule", st->rule);
		json_kv_string(w, "scope", alert_scope_name(st->scope));
		json_kv_u64(w, "id", st->id);
		json_kv_string(w, "state", phase_names[st->phase]);
		json_kv_u64(w, "since_ms", st->since_ms);
		json_kv_u64(w, "fired_ms", st->fired_ms);
		json_kv_u64(w, "notified_ms", st->notified_ms);
		json_key(w, "value");
		json_double(w, st->value);
		json_kv_string(w, "name", st->name);
		json_kv_u64(w, "type", st->type);
		json_kv_string(w, "memcg", st->memcg);
		json_object_close(w);
	}
	json_array_close(w);
	err = jsonline_close(&l, &buf, &len);
	if (err)
		goto out;
	iov = (struct iovec){ buf, len };
	err = atomic_write(a->path, 0600, &iov, 1, ATOMIC_DURABLE);
	free(buf);
out:
	if (err) {
		log_error("writing %s failed: %s: a restart may tell these alerts again; check the state directory\n",
			  a->path, strerror(-err));
		return;
	}
	a->engine.changed = false;
}

/* Who each rule's hook runs as; a rule whose user does not exist keeps
 * firing (journal, socket, state) without its hook. */
static void resolve_users(struct config *c)
{
	for (size_t i = 0; i < c->alerts.n; i++) {
		struct alert_rule *r = &c->alerts.v[i];
		const char *name = r->user[0] ? r->user : c->hook_user;
		char msg[512];

		if (r->exec[0] &&
		    hook_user_resolve(name, &r->hook, msg, sizeof(msg)))
			log_error("[alert:%s]: %s; until then its hook is disabled (the alert still fires into the journal and the socket)\n",
				  r->name, msg);
	}
}

int alerts_open(struct alerts *a, sd_event *e, struct config *c)
{
	int err;

	*a = (struct alerts){};
	resolve_users(c);
	alert_engine_init(&a->engine);
	alert_engine_configure(&a->engine, &c->alerts);
	set_path(a, c);
	err = hooks_new(e, c->max_hooks, &a->hooks);
	if (err) {
		log_error("out of memory for the alert hooks\n");
		return err;
	}
	load(a);
	return 0;
}

void alerts_configure(struct alerts *a, struct config *c)
{
	resolve_users(c);
	alert_engine_configure(&a->engine, &c->alerts);
	hooks_set_max(a->hooks, c->max_hooks);
	set_path(a, c);
	/* dropped rules, or a new state directory */
	a->engine.changed = true;
	alerts_save(a);
}

void alerts_close(struct alerts *a)
{
	hooks_free(a->hooks);
	alert_source_free(&a->source);
	alert_engine_free(&a->engine);
}

int alerts_eval(struct alerts *a, const struct ledger *l,
		const struct history *h, struct alert_notice **out,
		size_t *n)
{
	unsigned int metrics[NR_ALERT_SCOPES];
	struct alert_objects o;
	int err;

	*out = NULL;
	*n = 0;
	if (!a->engine.rules->n)
		return 0;
	for (int s = 0; s < NR_ALERT_SCOPES; s++)
		metrics[s] = alert_engine_metrics(&a->engine, s);
	err = alert_source_build(&a->source, l, h, metrics, &o);
	if (!err)
		err = alert_engine_eval(&a->engine, &o, l->time_ms, out, n);
	if (err)
		log_error("evaluating the alert rules failed: %s; they are evaluated again at the next sample\n",
			  strerror(-err));
	return err;
}
