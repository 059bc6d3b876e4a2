/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alert rules: the [alert:NAME] sections of bpfmemd.conf, read key by key
 * and checked whole (docs/man/bpfmemd.conf.5). Pure: no I/O.
 */
#ifndef BPFMEMD_ALERT_RULE_H
#define BPFMEMD_ALERT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "daemon/hook_user.h"

#define ALERT_SECTION_PREFIX "alert:"
#define ALERT_NAME_MAX 64
#define ALERT_MATCH_MAX 256
#define ALERT_EXEC_MAX 1024
#define ALERT_ARGV_MAX 32
#define ALERT_TIMEOUT_DEFAULT_MS (10 * 1000ULL)

enum alert_scope {
	ALERT_SCOPE_TOTAL,
	ALERT_SCOPE_MAP,
	ALERT_SCOPE_PROG,
	ALERT_SCOPE_MEMCG,
	NR_ALERT_SCOPES,
};

enum alert_metric {
	ALERT_BYTES_REAL,
	ALERT_BYTES_MEMLOCK,
	ALERT_GROWTH_PER_MIN,
	ALERT_FILL_RATIO,
	ALERT_MEMLOCK_ERROR_PCT,
	ALERT_DYING,
	NR_ALERT_METRICS,
};

enum alert_match {
	ALERT_MATCH_ALL,
	ALERT_MATCH_NAME,	/* glob on the name, or a memcg's path */
	ALERT_MATCH_TYPE,	/* the type's name, as bpftool spells it */
};

enum alert_severity {
	ALERT_INFO,
	ALERT_WARNING,
	ALERT_CRITICAL,
};

/* A threshold as written: its number and unit. */
enum alert_unit {
	ALERT_UNIT_NONE,
	ALERT_UNIT_BYTES,
	ALERT_UNIT_PERCENT,
};

struct alert_value {
	double v;
	enum alert_unit unit;
};

/* The keys of an [alert:NAME] section. */
enum alert_key {
	ALERT_KEY_SCOPE,
	ALERT_KEY_MATCH,
	ALERT_KEY_METRIC,
	ALERT_KEY_ABOVE,
	ALERT_KEY_BELOW,
	ALERT_KEY_FOR,
	ALERT_KEY_RESOLVE_BELOW,
	ALERT_KEY_RESOLVE_ABOVE,
	ALERT_KEY_REPEAT,
	ALERT_KEY_SEVERITY,
	ALERT_KEY_EXEC,
	ALERT_KEY_TIMEOUT,
	ALERT_KEY_USER,
	ALERT_NR_KEYS,
};

struct alert_rule {
	char name[ALERT_NAME_MAX];
	int line;			/* of its section header */
	enum alert_scope scope;
	enum alert_match match;
	char pattern[ALERT_MATCH_MAX];	/* the glob, for ALERT_MATCH_NAME */
	__u32 type;			/* for ALERT_MATCH_TYPE */
	enum alert_metric metric;
	/* as written; alert_rule_finish() sets below, threshold and
	 * resolve from them */
	struct alert_value above_v, below_v, resolve_v;
	bool below;			/* fires under threshold, not above */
	double threshold;		/* in the metric's unit */
	double resolve;			/* resolve_below / resolve_above */
	uint64_t for_ms;
	uint64_t repeat_ms;		/* 0: tell once */
	uint64_t timeout_ms;		/* of the exec hook */
	enum alert_severity severity;
	char exec[ALERT_EXEC_MAX];	/* "" for none */
	/* who the hook runs as: "" for [daemon] hook_user; resolved when
	 * the daemon loads the rule (alerts_resolve_users()) */
	char user[HOOK_USER_NAME_MAX + 1];
	struct hook_user hook;
	/* the line of each key given (0: not given), for the checks
	 * across keys */
	int key_line[ALERT_NR_KEYS];
};

struct alert_rules {
	struct alert_rule *v;
	size_t n;
};

const char *alert_scope_name(enum alert_scope s);
const char *alert_metric_name(enum alert_metric m);
const char *alert_severity_name(enum alert_severity s);

/* Whether section is "alert:NAME"; NAME is then checked by
 * alert_rule_start. */
bool alert_is_section(const char *section);
/* Appends a rule for section "alert:NAME" at line: 0, -EINVAL with why
 * in msg (a bad or repeated name), or -ENOMEM. */
int alert_rule_start(struct alert_rules *rs, const char *section, int line,
		     char *msg, size_t size);
/* Sets one key, found at line, of the newest rule. 0 or -EINVAL with
 * what is wrong and what is allowed in msg. */
int alert_rule_set(struct alert_rule *r, const char *key, const char *value,
		   int line, char *msg, size_t size);
/* Checks the keys of a rule against each other and fills the defaults.
 * 0, or -EINVAL with the line to blame in *line and why, naming the
 * key, in msg. */
int alert_rule_finish(struct alert_rule *r, int *line, char *msg,
		      size_t size);
void alert_rules_free(struct alert_rules *rs);
/* A deep copy; 0 or -ENOMEM. */
int alert_rules_copy(struct alert_rules *dst, const struct alert_rules *src);

/* "512MiB", "1.5GiB", "4096", "10kB": bytes. 0 or -EINVAL. */
int alert_parse_size(const char *text, double *bytes);
/* A user or group name (letters, digits, _ . -; not starting with -)
 * copied to out; 0, or -EINVAL with why in msg. */
int alert_parse_name(const char *value, char *out, size_t out_size,
		     char *msg, size_t size);
/*
 * Splits exec into argv (whitespace-separated words; '...' and "..."
 * keep spaces) in buf. Returns the number of words, or -EINVAL (an
 * unclosed quote, too many words, empty).
 */
int alert_split_exec(const char *exec, char *buf, size_t size,
		     char *argv[], size_t max);

#endif
