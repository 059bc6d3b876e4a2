// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ini.h>
#include "collect/accounting.h"
#include "daemon/config.h"
#include "daemon/server.h"
#include "daemon/duration.h"
#include "daemon/prom_render.h"

#define SECTION "daemon"
#define PROM_SECTION "prometheus"

void config_defaults(struct config *c)
{
	*c = (struct config){
		.interval_ms = 5 * MSEC_PER_SEC,
		.history_ms = 3600 * MSEC_PER_SEC,
		.walk_interval_ms = CONFIG_WALK_INTERVAL_MS,
		.snapshot_every_ms = 60000,
		.max_hooks = 4,
		.max_unread = SERVER_OUT_MAX,
		.lifecycle = LIFECYCLE_AUTO,
		.trace_allocations = false,
		.traced_allocations = ACCOUNTING_DEFAULT_ADDRS,
		.prom_max_series = PROM_DEFAULT_SERIES,
	};
	snprintf(c->socket, sizeof(c->socket), "%s", CONFIG_DEFAULT_SOCKET);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s",
		 CONFIG_DEFAULT_STATE_DIR);
	snprintf(c->group, sizeof(c->group), "%s", CONFIG_DEFAULT_GROUP);
	snprintf(c->hook_user, sizeof(c->hook_user), "%s",
		 CONFIG_DEFAULT_HOOK_USER);
}

static int set_duration(uint64_t *out, const char *value, uint64_t min,
			uint64_t max, char *msg, size_t size)
{
	char lo[32], hi[32];
	uint64_t ms;

	duration_format(min, lo, sizeof(lo));
	duration_format(max, hi, sizeof(hi));
	if (duration_parse(value, &ms)) {
		snprintf(msg, size, "'%s' is not a duration: write a whole number with a unit (100ms, 2s, 1m, 1h)",
			 value);
		return -EINVAL;
	}
	if (ms < min || ms > max) {
		snprintf(msg, size, "'%s' is out of range: use %s to %s", value,
			 lo, hi);
		return -EINVAL;
	}
	*out = ms;
	return 0;
}

static int set_path(char *out, size_t out_size, const char *value,
		    char *msg, size_t size)
{
	if (value[0] != '/') {
		snprintf(msg, size, "'%s' is not an absolute path", value);
		return -EINVAL;
	}
	if (strlen(value) >= out_size) {
		snprintf(msg, size, "'%s' is longer than %zu characters", value,
			 out_size - 1);
		return -EINVAL;
	}
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

static int set_bool(bool *out, const char *value, char *msg, size_t size)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") ||
	    !strcmp(value, "on") || !strcmp(value, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(value, "no") || !strcmp(value, "false") ||
	    !strcmp(value, "off") || !strcmp(value, "0")) {
		*out = false;
		return 0;
	}
	snprintf(msg, size, "'%s' is not yes or no", value);
	return -EINVAL;
}

static const char *const lifecycle_names[] = {
	[LIFECYCLE_AUTO] = "auto",
	[LIFECYCLE_FENTRY] = "fentry",
	[LIFECYCLE_TRACEPOINT] = "tracepoint",
	[LIFECYCLE_OFF] = "off",
};

const char *config_lifecycle_name(enum lifecycle_backend b)
{
	return lifecycle_names[b];
}

static int set_lifecycle(enum lifecycle_backend *out, const char *value,
			 char *msg, size_t size)
{
	for (size_t i = 0; i < sizeof(lifecycle_names) / sizeof(lifecycle_names[0]); i++)
		if (!strcmp(value, lifecycle_names[i])) {
			*out = i;
			return 0;
		}
	snprintf(msg, size, "'%s' is not auto, fentry, tracepoint or off", value);
	return -EINVAL;
}

static int set_count(unsigned int *out, const char *value, unsigned long max,
		     char *msg, size_t size)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' ||
	    v > max) {
		snprintf(msg, size, "'%s' is not a whole number from 0 to %lu",
			 value, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A number of samples (the old form), or a duration: a snapshot a minute
 * should not become one every 12 s because the interval is 1 s. */
static int set_snapshot_every(struct config *c, const char *value, char *msg,
			      size_t size)
{
	uint64_t ms;
	int err;

	if (value[0] >= '0' && value[0] <= '9' &&
	    value[strspn(value, "0123456789")] == '\0') {
		c->snapshot_every_ms = 0;
		return set_count(&c->snapshot_every, value, 1000000, msg,
				 size);
	}
	if (duration_parse(value, &ms)) {
		snprintf(msg, size, "'%s' is neither a whole number of samples (0 to 1000000) nor a duration with a unit (30s, 1m, 1h)",
			 value);
		return -EINVAL;
	}
	err = set_duration(&c->snapshot_every_ms, value, 1000, 86400000, msg,
			   size);
	if (!err)
		c->snapshot_every = 0;
	return err;
}

/* A size (256MiB, 1GiB, or bytes) within [min, max]. */
static int set_bytes(uint64_t *out, const char *value, uint64_t min,
		     uint64_t max, char *msg, size_t size)
{
	double v;

	if (alert_parse_size(value, &v) || v < min || v > max) {
		snprintf(msg, size, "'%s' is not a size from %llu MiB to %llu GiB (write 256MiB, 1GiB)",
			 value, (unsigned long long)(min >> 20),
			 (unsigned long long)(max >> 30));
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * Sets one key of [daemon] from its text. 0, or -EINVAL with what is wrong
 * and the values allowed in msg (the caller adds where it came from).
 */
static int config_set(struct config *c, const char *key, const char *value,
	       char *msg, size_t size)
{
	if (!strcmp(key, "interval"))
		return set_duration(&c->interval_ms, value,
				    CONFIG_INTERVAL_MIN_MS,
				    CONFIG_INTERVAL_MAX_MS, msg, size);
	if (!strcmp(key, "history"))
		return set_duration(&c->history_ms, value,
				    CONFIG_INTERVAL_MIN_MS,
				    CONFIG_HISTORY_MAX_MS, msg, size);
	if (!strcmp(key, "walk_interval"))
		return set_duration(&c->walk_interval_ms, value, 0,
				    CONFIG_INTERVAL_MAX_MS, msg, size);
	if (!strcmp(key, "snapshot_every"))
		return set_snapshot_every(c, value, msg, size);
	if (!strcmp(key, "max_hooks")) {
		if (set_count(&c->max_hooks, value, CONFIG_MAX_HOOKS_LIMIT,
			      msg, size))
			return -EINVAL;
		if (!c->max_hooks) {
			snprintf(msg, size, "'0' would never run a hook: 1 at least");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "max_unread"))
		return set_bytes(&c->max_unread, value, CONFIG_MAX_UNREAD_MIN,
				 CONFIG_MAX_UNREAD_MAX, msg, size);
	if (!strcmp(key, "lifecycle"))
		return set_lifecycle(&c->lifecycle, value, msg, size);
	if (!strcmp(key, "trace_allocations"))
		return set_bool(&c->trace_allocations, value, msg, size);
	if (!strcmp(key, "traced_allocations")) {
		if (set_count(&c->traced_allocations, value,
			      CONFIG_TRACED_ALLOCATIONS_MAX, msg, size))
			return -EINVAL;
		if (c->traced_allocations < CONFIG_TRACED_ALLOCATIONS_MIN) {
			snprintf(msg, size, "'%s' is too few: %u at least",
				 value, CONFIG_TRACED_ALLOCATIONS_MIN);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "socket"))
		return set_path(c->socket, sizeof(c->socket), value, msg,
				size);
	if (!strcmp(key, "state_dir"))
		return set_path(c->state_dir, sizeof(c->state_dir), value,
				msg, size);
	if (!strcmp(key, "group"))
		return alert_parse_name(value, c->group, sizeof(c->group), msg,
					size);
	if (!strcmp(key, "hook_user"))
		return alert_parse_name(value, c->hook_user,
					sizeof(c->hook_user), msg, size);
	snprintf(msg, size, "unknown key: [" SECTION "] has interval, history, walk_interval, snapshot_every, socket, state_dir, group, hook_user, max_hooks, max_unread, lifecycle, trace_allocations and traced_allocations");
	return -EINVAL;
}

/* ADDRESS:PORT or [ADDRESS]:PORT, numeric: the endpoint binds before any
 * name service is up. */
static int set_listen(struct config *c, const char *value, char *msg,
		      size_t size)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&c->prom_addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&c->prom_addr;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(value, ':');
	size_t hlen = colon ? (size_t)(colon - value) : 0;
	unsigned long port;
	char *end;
	bool v6;

	if (!colon || hlen >= sizeof(host)) {
		snprintf(msg, size, "'%s' is not ADDRESS:PORT: write e.g. 127.0.0.1:9477 or [::1]:9477",
			 value);
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || colon[1] == '-' || !port ||
	    port > 65535) {
		snprintf(msg, size, "'%s': the port is not a number from 1 to 65535",
			 value);
		return -EINVAL;
	}
	v6 = hlen >= 2 && value[0] == '[' && value[hlen - 1] == ']';
	memcpy(host, value + v6, hlen - 2 * v6);
	host[hlen - 2 * v6] = '\0';
	memset(&c->prom_addr, 0, sizeof(c->prom_addr));
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		c->prom_addr_len = sizeof(*in6);
	} else if (!v6 && inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		c->prom_addr_len = sizeof(*in);
	} else {
		snprintf(msg, size, "'%s': '%s' is not a numeric IPv4 address or an IPv6 address in brackets: write e.g. 127.0.0.1:9477 or [::1]:9477",
			 value, host);
		return -EINVAL;
	}
	if (strlen(value) >= sizeof(c->prom_listen)) {
		snprintf(msg, size, "'%s' is too long", value);
		return -EINVAL;
	}
	strcpy(c->prom_listen, value);
	return 0;
}

/* Sets one key of [prometheus], as config_set() does for [daemon]. */
static int prom_set(struct config *c, const char *key, const char *value,
		    char *msg, size_t size)
{
	size_t n = strlen(value);

	if (!strcmp(key, "listen"))
		return set_listen(c, value, msg, size);
	if (!strcmp(key, "textfile")) {
		/* node_exporter reads nothing else in its directory */
		if (n < 6 || strcmp(value + n - 5, ".prom")) {
			snprintf(msg, size, "'%s' does not end in .prom: node_exporter's textfile collector reads only *.prom files",
				 value);
			return -EINVAL;
		}
		return set_path(c->prom_textfile, sizeof(c->prom_textfile),
				value, msg, size);
	}
	if (!strcmp(key, "max_series")) {
		if (set_count(&c->prom_max_series, value, 1000000, msg,
			      size))
			return -EINVAL;
		if (c->prom_max_series < PROM_MIN_SERIES) {
			snprintf(msg, size, "'%s' is below %d, the fewest that leaves room for objects beside the 'other' series",
				 value, PROM_MIN_SERIES);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(msg, size, "unknown key: [" PROM_SECTION "] has listen, textfile and max_series");
	return -EINVAL;
}

struct load_ctx {
	struct config *c;
	FILE *file;
	int line;		/* of the line inih handles now */
	int err_line;		/* first error found here, 0 when none */
	char err[512];
	int err_no;		/* reading the file failed */
	bool in_rule;		/* the previous key was of the newest rule */
};

/* inih reads through this, so the handler knows the line it is on. */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	char *got = fgets(str, num, ctx->file);
	size_t len;

	if (!got) {
		if (ferror(ctx->file))
			ctx->err_no = errno ? errno : EIO;
		return NULL;
	}
	ctx->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' &&
	    !feof(ctx->file)) {
		/* inih would take the rest for a line of its own */
		ctx->err_line = ctx->line;
		snprintf(ctx->err, sizeof(ctx->err),
			 "line longer than %d characters", num - 2);
		return NULL;
	}
	return got;
}

/* The current rule, or a new one when section starts another. */
static struct alert_rule *alert_section(struct load_ctx *ctx,
					const char *section)
{
	struct alert_rules *rs = &ctx->c->alerts;
	struct alert_rule *r = rs->n ? &rs->v[rs->n - 1] : NULL;
	char why[400];
	int line;

	if (r && ctx->in_rule &&
	    !strcmp(r->name, section + strlen(ALERT_SECTION_PREFIX)))
		return r;
	if (r && alert_rule_finish(r, &line, why, sizeof(why))) {
		snprintf(ctx->err, sizeof(ctx->err), "%s", why);
		ctx->err_line = line;
		return NULL;
	}
	if (alert_rule_start(rs, section, ctx->line, why, sizeof(why))) {
		snprintf(ctx->err, sizeof(ctx->err), "%s", why);
		ctx->err_line = ctx->line;
		return NULL;
	}
	return &rs->v[rs->n - 1];
}

static int handle_alert(struct load_ctx *ctx, const char *section,
			const char *name, const char *value)
{
	struct alert_rule *r = alert_section(ctx, section);
	char why[400];

	ctx->in_rule = true;
	if (!r)
		return 0;
	if (!alert_rule_set(r, name, value, ctx->line, why, sizeof(why)))
		return 1;
	snprintf(ctx->err, sizeof(ctx->err), "[%s] key '%s': %s", section,
		 name, why);
	ctx->err_line = ctx->line;
	return 0;
}

static int handle(void *user, const char *section, const char *name,
		  const char *value)
{
	struct load_ctx *ctx = user;
	char why[400];

	if (alert_is_section(section))
		return handle_alert(ctx, section, name, value);
	ctx->in_rule = false;
	if (!section[0]) {
		snprintf(ctx->err, sizeof(ctx->err),
			 "key '%s' before any section: put it under [" SECTION "]",
			 name);
	} else if (!strcmp(section, PROM_SECTION)) {
		if (!prom_set(ctx->c, name, value, why, sizeof(why)))
			return 1;
		snprintf(ctx->err, sizeof(ctx->err),
			 "[" PROM_SECTION "] key '%s': %s", name, why);
	} else if (strcmp(section, SECTION)) {
		snprintf(ctx->err, sizeof(ctx->err),
			 "key '%s' in unknown section [%s]: the sections are [" SECTION "], [" PROM_SECTION "] and [alert:NAME]",
			 name, section);
	} else if (config_set(ctx->c, name, value, why, sizeof(why))) {
		snprintf(ctx->err, sizeof(ctx->err), "key '%s': %s", name,
			 why);
	} else {
		return 1;
	}
	ctx->err_line = ctx->line;
	return 0;
}

/*
 * Reads path over c. -ENOENT when it does not exist (c unchanged), other
 * failures -EINVAL or -errno with "PATH:LINE: key: why" in msg; c is then
 * partly changed: load into a copy.
 */
static int config_load(struct config *c, const char *path, char *msg,
		       size_t size)
{
	struct load_ctx ctx = { .c = c };
	int rc;

	ctx.file = fopen(path, "re");
	if (!ctx.file) {
		if (errno == ENOENT)
			return -ENOENT;
		rc = -errno;
		snprintf(msg, size, "%s: cannot open: %s", path,
			 strerror(-rc));
		return rc;
	}
	ini_stop_on_first_error = true;
	ini_allow_multiline = false;
	rc = ini_parse_stream(read_line, &ctx, handle, &ctx);
	fclose(ctx.file);
	if (ctx.err_no) {
		snprintf(msg, size, "%s: reading failed: %s", path,
			 strerror(ctx.err_no));
		return -ctx.err_no;
	}
	if (ctx.err_line) {
		snprintf(msg, size, "%s:%d: %s", path, ctx.err_line, ctx.err);
		return -EINVAL;
	}
	if (rc) {
		snprintf(msg, size, "%s:%d: expected '[section]', 'key = value' or a comment",
			 path, rc);
		return -EINVAL;
	}
	/* the last rule is checked here: no section follows it */
	if (c->alerts.n && alert_rule_finish(&c->alerts.v[c->alerts.n - 1],
					     &rc, ctx.err, sizeof(ctx.err))) {
		snprintf(msg, size, "%s:%d: %s", path, rc, ctx.err);
		return -EINVAL;
	}
	return 0;
}

/* Checks the keys against each other (history against interval). */
static int config_validate(const struct config *c, char *msg, size_t size)
{
	if (c->history_ms < c->interval_ms) {
		snprintf(msg, size, "history (%llu ms) is shorter than interval (%llu ms): it must hold one sample at least",
			 (unsigned long long)c->history_ms,
			 (unsigned long long)c->interval_ms);
		return -EINVAL;
	}
	if (c->history_ms / c->interval_ms >= CONFIG_HISTORY_MAX_SAMPLES) {
		snprintf(msg, size, "history would keep %llu samples, more than %d: lengthen interval or shorten history",
			 (unsigned long long)(c->history_ms / c->interval_ms),
			 CONFIG_HISTORY_MAX_SAMPLES);
		return -EINVAL;
	}
	return 0;
}

int config_read(struct config *c, const char *path, bool must_exist,
		const struct config_override *o, size_t nr_overrides,
		char *msg, size_t size)
{
	char why[400];
	int err;

	config_defaults(c);
	err = config_load(c, path, msg, size);
	if (err == -ENOENT && must_exist)
		snprintf(msg, size, "%s: no such file: create it or leave --config out for the defaults",
			 path);
	if (err && (err != -ENOENT || must_exist))
		goto fail;
	err = 0;
	for (size_t i = 0; i < nr_overrides && !err; i++) {
		err = config_set(c, o[i].key, o[i].value, why, sizeof(why));
		if (err)
			snprintf(msg, size, "%s: %s", o[i].option, why);
	}
	if (!err) {
		err = config_validate(c, why, sizeof(why));
		if (err)
			snprintf(msg, size, "%s: %s", path, why);
	}
	if (!err)
		return 0;
fail:
	config_free(c);
	return err;
}

void config_free(struct config *c)
{
	alert_rules_free(&c->alerts);
}

size_t config_history_samples(const struct config *c)
{
	return c->history_ms / c->interval_ms + 1;
}
