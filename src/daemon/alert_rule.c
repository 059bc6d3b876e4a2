// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/alert_rule.h"
#include "daemon/duration.h"
#include "base/names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const scope_names[] = {
	[ALERT_SCOPE_TOTAL] = "total",
	[ALERT_SCOPE_MAP] = "map",
	[ALERT_SCOPE_PROG] = "prog",
	[ALERT_SCOPE_MEMCG] = "memcg",
};

static const char *const metric_names[] = {
	[ALERT_BYTES_REAL] = "bytes_real",
	[ALERT_BYTES_MEMLOCK] = "bytes_memlock",
	[ALERT_GROWTH_PER_MIN] = "growth_per_min",
	[ALERT_FILL_RATIO] = "fill_ratio",
	[ALERT_MEMLOCK_ERROR_PCT] = "memlock_error_pct",
	[ALERT_DYING] = "dying",
};

static const char *const severity_names[] = {
	[ALERT_INFO] = "info",
	[ALERT_WARNING] = "warning",
	[ALERT_CRITICAL] = "critical",
};

static const char *const key_names[] = {
	[ALERT_KEY_SCOPE] = "scope",
	[ALERT_KEY_MATCH] = "match",
	[ALERT_KEY_METRIC] = "metric",
	[ALERT_KEY_ABOVE] = "above",
	[ALERT_KEY_BELOW] = "below",
	[ALERT_KEY_FOR] = "for",
	[ALERT_KEY_RESOLVE_BELOW] = "resolve_below",
	[ALERT_KEY_RESOLVE_ABOVE] = "resolve_above",
	[ALERT_KEY_REPEAT] = "repeat",
	[ALERT_KEY_SEVERITY] = "severity",
	[ALERT_KEY_EXEC] = "exec",
	[ALERT_KEY_TIMEOUT] = "timeout",
	[ALERT_KEY_USER] = "user",
};

/* Which metric each scope has: fill ratios are of maps; "dying" is a
 * removed memory cgroup. */
static const bool scope_metric[NR_ALERT_SCOPES][NR_ALERT_METRICS] = {
	[ALERT_SCOPE_TOTAL] = { [ALERT_BYTES_REAL] = true,
				[ALERT_BYTES_MEMLOCK] = true,
				[ALERT_GROWTH_PER_MIN] = true,
				[ALERT_MEMLOCK_ERROR_PCT] = true },
	[ALERT_SCOPE_MAP] = { [ALERT_BYTES_REAL] = true,
			      [ALERT_BYTES_MEMLOCK] = true,
			      [ALERT_GROWTH_PER_MIN] = true,
			      [ALERT_FILL_RATIO] = true,
			      [ALERT_MEMLOCK_ERROR_PCT] = true,
			      [ALERT_DYING] = true },
	[ALERT_SCOPE_PROG] = { [ALERT_BYTES_REAL] = true,
			       [ALERT_BYTES_MEMLOCK] = true,
			       [ALERT_GROWTH_PER_MIN] = true,
			       [ALERT_MEMLOCK_ERROR_PCT] = true },
	[ALERT_SCOPE_MEMCG] = { [ALERT_BYTES_REAL] = true,
				[ALERT_BYTES_MEMLOCK] = true,
				[ALERT_GROWTH_PER_MIN] = true,
				[ALERT_MEMLOCK_ERROR_PCT] = true,
				[ALERT_DYING] = true },
};

const char *alert_scope_name(enum alert_scope s)
{
	return scope_names[s];
}

const char *alert_metric_name(enum alert_metric m)
{
	return metric_names[m];
}

const char *alert_severity_name(enum alert_severity s)
{
	return severity_names[s];
}

static int lookup(const char *const names[], size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], value))
			return i;
	return -1;
}

bool alert_is_section(const char *section)
{
	return !strncmp(section, ALERT_SECTION_PREFIX,
			strlen(ALERT_SECTION_PREFIX));
}

int alert_rule_start(struct alert_rules *rs, const char *section, int line,
		     char *msg, size_t size)
{
	const char *name = section + strlen(ALERT_SECTION_PREFIX);
	struct alert_rule *v;

	if (!*name || strlen(name) >= ALERT_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name)) {
		snprintf(msg, size, "[%s]: a rule's name is 1 to %d letters, digits, '_', '.' or '-'",
			 section, ALERT_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (!strcmp(rs->v[i].name, name)) {
			snprintf(msg, size, "[%s] again: the rule is already defined at line %d",
				 section, rs->v[i].line);
			return -EINVAL;
		}
	}
	v = realloc(rs->v, (rs->n + 1) * sizeof(*v));
	if (!v) {
		snprintf(msg, size, "out of memory");
		return -ENOMEM;
	}
	rs->v = v;
	v[rs->n] = (struct alert_rule){
		.line = line,
		.timeout_ms = ALERT_TIMEOUT_DEFAULT_MS,
		.severity = ALERT_WARNING,
	};
	snprintf(v[rs->n].name, sizeof(v[rs->n].name), "%s", name);
	rs->n++;
	return 0;
}

/* Binary units as format_bytes() prints them, and decimal ones. */
static const struct {
	const char *name;
	double bytes;
} size_units[] = {
	{ "B", 1 },
	{ "KiB", 1024.0 }, { "MiB", 1024.0 * 1024 },
	{ "GiB", 1024.0 * 1024 * 1024 }, { "TiB", 1024.0 * 1024 * 1024 * 1024 },
	{ "kB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 },
};

/* A number, then nothing, a size unit or '%'. */
static int parse_value(const char *text, struct alert_value *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || text[0] == ' ')
		return -EINVAL;
	if (!*end) {
		*out = (struct alert_value){ v, ALERT_UNIT_NONE };
		return 0;
	}
	if (!strcmp(end, "%")) {
		*out = (struct alert_value){ v, ALERT_UNIT_PERCENT };
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(size_units); i++) {
		if (!strcmp(end, size_units[i].name)) {
			*out = (struct alert_value){ v * size_units[i].bytes,
						     ALERT_UNIT_BYTES };
			return 0;
		}
	}
	return -EINVAL;
}

int alert_parse_size(const char *text, double *bytes)
{
	struct alert_value v;

	if (parse_value(text, &v) || v.unit == ALERT_UNIT_PERCENT || v.v < 0)
		return -EINVAL;
	*bytes = v.v;
	return 0;
}

int alert_split_exec(const char *exec, char *buf, size_t size,
		     char *argv[], size_t max)
{
	const char *p = exec;
	size_t len = 0, n = 0;

	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n + 1 >= max)
			return -EINVAL;
		argv[n++] = buf + len;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			if (!quote && (*p == '\'' || *p == '"')) {
				quote = *p;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				continue;
			}
			if (len + 1 >= size)
				return -EINVAL;
			buf[len++] = *p;
		}
		if (quote)
			return -EINVAL;
		if (len + 1 >= size)
			return -EINVAL;
		buf[len++] = '\0';
	}
	argv[n] = NULL;
	return n ? (int)n : -EINVAL;
}

static int set_match(struct alert_rule *r, const char *value, char *msg,
		     size_t size)
{
	int type;

	if (!strncmp(value, "name:", 5) && value[5] &&
	    strlen(value + 5) < sizeof(r->pattern)) {
		r->match = ALERT_MATCH_NAME;
		snprintf(r->pattern, sizeof(r->pattern), "%s", value + 5);
		return 0;
	}
	if (!strncmp(value, "path:", 5) && value[5] == '/' &&
	    strlen(value + 5) < sizeof(r->pattern)) {
		r->match = ALERT_MATCH_NAME;
		snprintf(r->pattern, sizeof(r->pattern), "%s", value + 5);
		return 0;
	}
	if (!strncmp(value, "type:", 5)) {
		/* the scope may come later: try maps, then programs */
		type = map_type_from_name(value + 5);
		if (type < 0)
			type = prog_type_from_name(value + 5);
		if (type < 0) {
			snprintf(msg, size, "'%s': no map or program type is called '%s' (bpftool's names: hash, array, percpu_hash, xdp, ...)",
				 value, value + 5);
			return -EINVAL;
		}
		r->match = ALERT_MATCH_TYPE;
		snprintf(r->pattern, sizeof(r->pattern), "%s", value + 5);
		return 0;
	}
	snprintf(msg, size, "'%s': write name:GLOB (maps, programs), path:GLOB (memory cgroups) or type:TYPE, GLOB at most %zu characters",
		 value, sizeof(r->pattern) - 1);
	return -EINVAL;
}

static int set_duration(uint64_t *out, const char *value, char *msg,
			size_t size)
{
	if (duration_parse(value, out)) {
		snprintf(msg, size, "'%s' is not a duration: write a whole number with a unit (100ms, 30s, 5m, 1h)",
			 value);
		return -EINVAL;
	}
	return 0;
}

static int set_threshold(struct alert_value *out, const char *value,
			 char *msg, size_t size)
{
	if (parse_value(value, out)) {
		snprintf(msg, size, "'%s' is not a threshold: write a number, a size (512MiB, 1.5GiB, 10MB) or a percentage (90%%)",
			 value);
		return -EINVAL;
	}
	return 0;
}

static int set_key(struct alert_rule *r, enum alert_key k, const char *value,
		   char *msg, size_t size)
{
	char buf[ALERT_EXEC_MAX];
	char *argv[ALERT_ARGV_MAX];
	int i;

	switch (k) {
	case ALERT_KEY_SCOPE:
		i = lookup(scope_names, NR_ALERT_SCOPES, value);
		if (i < 0) {
			snprintf(msg, size, "'%s': scope is total, map, prog or memcg",
				 value);
			return -EINVAL;
		}
		r->scope = i;
		return 0;
	case ALERT_KEY_MATCH:
		return set_match(r, value, msg, size);
	case ALERT_KEY_METRIC:
		i = lookup(metric_names, NR_ALERT_METRICS, value);
		if (i < 0) {
			snprintf(msg, size, "'%s': metric is bytes_real, bytes_memlock, growth_per_min, fill_ratio, memlock_error_pct or dying",
				 value);
			return -EINVAL;
		}
		r->metric = i;
		return 0;
	case ALERT_KEY_ABOVE:
		return set_threshold(&r->above_v, value, msg, size);
	case ALERT_KEY_BELOW:
		return set_threshold(&r->below_v, value, msg, size);
	case ALERT_KEY_RESOLVE_BELOW:
	case ALERT_KEY_RESOLVE_ABOVE:
		return set_threshold(&r->resolve_v, value, msg, size);
	case ALERT_KEY_FOR:
		return set_duration(&r->for_ms, value, msg, size);
	case ALERT_KEY_REPEAT:
		return set_duration(&r->repeat_ms, value, msg, size);
	case ALERT_KEY_TIMEOUT:
		if (set_duration(&r->timeout_ms, value, msg, size))
			return -EINVAL;
		if (!r->timeout_ms) {
			snprintf(msg, size, "'%s': a hook needs some time: 100ms at least",
				 value);
			return -EINVAL;
		}
		return 0;
	case ALERT_KEY_SEVERITY:
		i = lookup(severity_names, ARRAY_LEN(severity_names), value);
		if (i < 0) {
			snprintf(msg, size, "'%s': severity is info, warning or critical",
				 value);
			return -EINVAL;
		}
		r->severity = i;
		return 0;
	case ALERT_KEY_EXEC:
		if (strlen(value) >= sizeof(r->exec) ||
		    alert_split_exec(value, buf, sizeof(buf), argv,
				     ALERT_ARGV_MAX) < 0) {
			snprintf(msg, size, "'%s': write the program's absolute path and its arguments, split at spaces ('...' or \"...\" keep spaces), at most %d words and %d characters; no shell runs it",
				 value, ALERT_ARGV_MAX - 1, ALERT_EXEC_MAX - 1);
			return -EINVAL;
		}
		if (argv[0][0] != '/') {
			snprintf(msg, size, "'%s': the program must be an absolute path (no shell looks it up in PATH)",
				 argv[0]);
			return -EINVAL;
		}
		snprintf(r->exec, sizeof(r->exec), "%s", value);
		return 0;
	case ALERT_KEY_USER:
		return alert_parse_name(value, r->user, sizeof(r->user), msg,
					size);
	case ALERT_NR_KEYS:
		break;
	}
	return -EINVAL;
}

int alert_parse_name(const char *value, char *out, size_t out_size,
		     char *msg, size_t size)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	size_t len = strlen(value);

	if (!len || len >= out_size || value[0] == '-' ||
	    strspn(value, allowed) != len) {
		snprintf(msg, size, "'%s' is not a user or group name (letters, digits, _ . -, at most %zu characters)",
			 value, out_size - 1);
		return -EINVAL;
	}
	memcpy(out, value, len + 1);
	return 0;
}

int alert_rule_set(struct alert_rule *r, const char *key, const char *value,
		   int line, char *msg, size_t size)
{
	int k = lookup(key_names, ALERT_NR_KEYS, key);

	if (k < 0) {
		snprintf(msg, size, "unknown key: [alert:NAME] has scope, match, metric, above, below, for, resolve_below, resolve_above, repeat, severity, exec and timeout");
		return -EINVAL;
	}
	if (r->key_line[k]) {
		snprintf(msg, size, "given again (first at line %d)",
			 r->key_line[k]);
		return -EINVAL;
	}
	if (set_key(r, k, value, msg, size))
		return -EINVAL;
	r->key_line[k] = line;
	return 0;
}

/* A threshold in the metric's unit: bytes, a ratio or a percentage. */
static int convert(const struct alert_rule *r, enum alert_key k,
		   const struct alert_value *v, double *out, char *msg,
		   size_t size)
{
	switch (r->metric) {
	case ALERT_BYTES_REAL:
	case ALERT_BYTES_MEMLOCK:
	case ALERT_GROWTH_PER_MIN:
		if (v->unit == ALERT_UNIT_PERCENT)
			break;
		*out = v->v;
		return 0;
	case ALERT_FILL_RATIO:
		if (v->unit == ALERT_UNIT_BYTES)
			break;
		*out = v->unit == ALERT_UNIT_PERCENT ? v->v / 100 : v->v;
		return 0;
	case ALERT_MEMLOCK_ERROR_PCT:
		if (v->unit == ALERT_UNIT_BYTES)
			break;
		*out = v->v;
		return 0;
	case ALERT_DYING:
	case NR_ALERT_METRICS:
		break;
	}
	snprintf(msg, size, "key '%s': %s takes %s", key_names[k],
		 metric_names[r->metric],
		 r->metric == ALERT_FILL_RATIO ? "a ratio (0.9) or a percentage (90%)" :
		 r->metric == ALERT_MEMLOCK_ERROR_PCT ? "a percentage (25 or 25%)" :
							 "a size (512MiB)");
	return -EINVAL;
}

#define FAIL(k, ...)                                                \
	do {                                                        \
		*line = r->key_line[k] ? r->key_line[k] : r->line;  \
		snprintf(msg, size, __VA_ARGS__);                   \
		return -EINVAL;                                     \
	} while (0)

int alert_rule_finish(struct alert_rule *r, int *line, char *msg,
		      size_t size)
{
	const int *kl = r->key_line;
	bool above = kl[ALERT_KEY_ABOVE], below = kl[ALERT_KEY_BELOW];
	enum alert_key rk;

	if (!kl[ALERT_KEY_SCOPE])
		FAIL(ALERT_KEY_SCOPE, "[alert:%s]: key 'scope' is missing: total, map, prog or memcg",
		     r->name);
	if (!kl[ALERT_KEY_METRIC])
		FAIL(ALERT_KEY_METRIC, "[alert:%s]: key 'metric' is missing: bytes_real, bytes_memlock, growth_per_min, fill_ratio, memlock_error_pct or dying",
		     r->name);
	if (!scope_metric[r->scope][r->metric])
		FAIL(ALERT_KEY_METRIC, "key 'metric': %s has no %s",
		     r->scope == ALERT_SCOPE_TOTAL ? "the total" :
		     r->scope == ALERT_SCOPE_MAP ? "a map" :
		     r->scope == ALERT_SCOPE_PROG ? "a program" : "a memory cgroup",
		     metric_names[r->metric]);
	if (kl[ALERT_KEY_MATCH]) {
		if (r->scope == ALERT_SCOPE_TOTAL)
			FAIL(ALERT_KEY_MATCH, "key 'match': the total is one object: leave match out");
		if (r->scope == ALERT_SCOPE_MEMCG && r->match == ALERT_MATCH_TYPE)
			FAIL(ALERT_KEY_MATCH, "key 'match': memory cgroups have no type: use path:GLOB");
		if (r->match == ALERT_MATCH_TYPE) {
			int t = r->scope == ALERT_SCOPE_MAP ?
					map_type_from_name(r->pattern) :
					prog_type_from_name(r->pattern);

			if (t < 0)
				FAIL(ALERT_KEY_MATCH, "key 'match': no %s type is called '%s'",
				     scope_names[r->scope], r->pattern);
			r->type = t;
		}
	}
	if (r->metric == ALERT_DYING) {
		if (above || below)
			FAIL(above ? ALERT_KEY_ABOVE : ALERT_KEY_BELOW,
			     "key '%s': dying fires while the memory cgroup is removed: leave above and below out",
			     above ? "above" : "below");
		if (kl[ALERT_KEY_RESOLVE_BELOW] || kl[ALERT_KEY_RESOLVE_ABOVE])
			FAIL(kl[ALERT_KEY_RESOLVE_BELOW] ? ALERT_KEY_RESOLVE_BELOW : ALERT_KEY_RESOLVE_ABOVE,
			     "key 'resolve_%s': dying has no threshold",
			     kl[ALERT_KEY_RESOLVE_BELOW] ? "below" : "above");
		/* 1 while dying, 0 otherwise */
		r->below = false;
		r->threshold = 0.5;
		r->resolve = 0.5;
		return 0;
	}
	if (above == below)
		FAIL(above ? ALERT_KEY_BELOW : ALERT_KEY_METRIC,
		     above ? "key 'below': give above or below, not both" :
			     "[alert:%s]: give a threshold: above = VALUE or below = VALUE",
		     r->name);
	r->below = below;
	if (convert(r, below ? ALERT_KEY_BELOW : ALERT_KEY_ABOVE,
		    below ? &r->below_v : &r->above_v, &r->threshold, msg,
		    size)) {
		*line = kl[below ? ALERT_KEY_BELOW : ALERT_KEY_ABOVE];
		return -EINVAL;
	}
	/* the resolving key is the one on the far side of the threshold */
	rk = below ? ALERT_KEY_RESOLVE_ABOVE : ALERT_KEY_RESOLVE_BELOW;
	if (kl[below ? ALERT_KEY_RESOLVE_BELOW : ALERT_KEY_RESOLVE_ABOVE])
		FAIL(below ? ALERT_KEY_RESOLVE_BELOW : ALERT_KEY_RESOLVE_ABOVE,
		     "key '%s': a rule with %s resolves with %s",
		     below ? "resolve_below" : "resolve_above",
		     below ? "below" : "above", key_names[rk]);
	r->resolve = r->threshold;
	if (kl[rk]) {
		if (convert(r, rk, &r->resolve_v, &r->resolve, msg, size)) {
			*line = kl[rk];
			return -EINVAL;
		}
		if (below ? r->resolve < r->threshold :
			    r->resolve > r->threshold)
			FAIL(rk, "key '%s': must be %s the threshold, or the alert would resolve while it still holds",
			     key_names[rk], below ? "at or above" : "at or below");
	}
	return 0;
}

void alert_rules_free(struct alert_rules *rs)
{
	free(rs->v);
	*rs = (struct alert_rules){};
}

int alert_rules_copy(struct alert_rules *dst, const struct alert_rules *src)
{
	*dst = (struct alert_rules){};
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*src->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
	return 0;
}
