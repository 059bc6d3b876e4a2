// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "daemon/duration.h"
#include "base/names.h"
#include "daemon/request.h"

static const char *const command_names[NR_COMMANDS] = {
	[CMD_VERSION] = "version",
	[CMD_SUMMARY] = "summary",
	[CMD_REPORT] = "report",
	[CMD_MAPS] = "maps",
	[CMD_PROGS] = "progs",
	[CMD_CGROUPS] = "cgroups",
	[CMD_EVENTS] = "events",
	[CMD_HISTORY] = "history",
	[CMD_SNAPSHOT] = "snapshot",
	[CMD_SUBSCRIBE] = "subscribe",
	[CMD_ALERTS] = "alerts",
	[CMD_FEATURES] = "features",
};

static const char *const error_names[NR_API_ERRORS] = {
	[API_OK] = "ok",
	[API_BAD_JSON] = "bad_json",
	[API_BAD_REQUEST] = "bad_request",
	[API_UNKNOWN_COMMAND] = "unknown_command",
	[API_TOO_LARGE] = "too_large",
	[API_NOT_FOUND] = "not_found",
	[API_INTERNAL] = "internal",
	[API_FORBIDDEN] = "forbidden",
	[API_BUSY] = "busy",
};

const char *command_name(enum command cmd)
{
	return command_names[cmd];
}

const char *api_error_name(enum api_error e)
{
	return error_names[e];
}

#define C(x) (1u << (x))

typedef enum api_error (*field_parser)(json_object *v, struct request *r,
				       char *msg, size_t size);

struct field {
	const char *name;
	unsigned int commands;	/* C() mask of the commands taking it */
	json_type type;
	field_parser parse;
	const char *takes;	/* for the error message */
};

#define BAD(...)                                   \
	({                                         \
		snprintf(msg, size, __VA_ARGS__);  \
		API_BAD_REQUEST;                   \
	})

static enum api_error parse_format(json_object *v, struct request *r,
				   char *msg, size_t size)
{
	const char *s = json_object_get_string(v);

	if (!strcmp(s, "table")) {
		r->table = true;
		return API_OK;
	}
	if (!strcmp(s, "json"))
		return API_OK;
	return BAD("field 'format' is \"json\" or \"table\", not \"%s\"", s);
}

static enum api_error parse_cgroup_sort(const char *s, struct request *r,
					char *msg, size_t size)
{
	static const struct {
		const char *name;
		enum cgroup_sort_key key;
		bool descending;
	} keys[] = {
		{ "memlock", CG_SORT_MEMLOCK, true },
		{ "bytes_memlock", CG_SORT_MEMLOCK, true },
		{ "maps", CG_SORT_MAPS, true },
		{ "id", CG_SORT_ID, false },
		{ "path", CG_SORT_PATH, false },
	};
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].name) != len || strncmp(keys[i].name, s, len))
			continue;
		r->has_cg_sort = true;
		r->cg_sort = keys[i].key;
		r->cg_descending = keys[i].descending;
		if (!colon)
			return API_OK;
		if (!strcmp(colon + 1, "asc") || !strcmp(colon + 1, "desc")) {
			r->cg_descending = !strcmp(colon + 1, "desc");
			return API_OK;
		}
		break;
	}
	return BAD("cannot sort cgroups by '%s': valid fields: memlock maps id path, optionally :asc or :desc",
		   s);
}

static enum api_error parse_sort(json_object *v, struct request *r,
				 char *msg, size_t size)
{
	const char *s = json_object_get_string(v), *why;

	if (r->cmd == CMD_CGROUPS)
		return parse_cgroup_sort(s, r, msg, size);
	if (sort_spec_parse(s, r->cmd == CMD_MAPS ? SORT_MAPS : SORT_PROGS,
			    &r->sort, &why))
		return BAD("cannot sort by '%s': %s", s, why);
	return API_OK;
}

/* A whole number from min up; json-c keeps integers apart from doubles. */
static enum api_error get_count(json_object *v, const char *name, __u64 min,
				__u64 *out, char *msg, size_t size)
{
	int64_t n = json_object_get_int64(v);

	if (n < 0 || (__u64)n < min)
		return BAD("field '%s' must be a whole number of %llu or more",
			   name, (unsigned long long)min);
	*out = n;
	return API_OK;
}

static enum api_error parse_limit(json_object *v, struct request *r,
				  char *msg, size_t size)
{
	__u64 n = 0;
	enum api_error e = get_count(v, "limit", 1, &n, msg, size);

	r->limit = n;
	return e;
}

static enum api_error parse_id(json_object *v, struct request *r,
			       char *msg, size_t size)
{
	r->has_id = true;
	return get_count(v, "id", 0, &r->id, msg, size);
}

static enum api_error parse_pid(json_object *v, struct request *r,
				char *msg, size_t size)
{
	__u64 n = 0;
	enum api_error e = get_count(v, "pid", 1, &n, msg, size);

	if (!e && n > UINT32_MAX)
		return BAD("field 'pid' is too large");
	r->has_pid = true;
	r->pid = n;
	return e;
}

static enum api_error parse_since(json_object *v, struct request *r,
				  char *msg, size_t size)
{
	return get_count(v, "since", 0, &r->since, msg, size);
}

static enum api_error copy_text(json_object *v, const char *name, char *out,
				char *msg, size_t size)
{
	const char *s = json_object_get_string(v);

	if (strlen(s) >= REQUEST_TEXT_MAX)
		return BAD("field '%s' is longer than %d bytes", name,
			   REQUEST_TEXT_MAX - 1);
	strcpy(out, s);
	return API_OK;
}

static enum api_error parse_name(json_object *v, struct request *r,
				 char *msg, size_t size)
{
	return copy_text(v, "name", r->name, msg, size);
}

static enum api_error parse_memcg(json_object *v, struct request *r,
				  char *msg, size_t size)
{
	if (json_object_get_string(v)[0] != '/')
		return BAD("field 'memcg' is a cgroup path starting with '/'");
	return copy_text(v, "memcg", r->memcg, msg, size);
}

static enum api_error parse_dying(json_object *v, struct request *r,
				  char *msg, size_t size)
{
	(void)msg;
	(void)size;
	r->dying = json_object_get_boolean(v);
	return API_OK;
}

static enum api_error parse_type(json_object *v, struct request *r,
				 char *msg, size_t size)
{
	const char *s = json_object_get_string(v);
	int t = r->cmd == CMD_MAPS ? map_type_from_name(s) :
				     prog_type_from_name(s);

	if (t < 0)
		return BAD("unknown %s type '%s': use the names bpftool prints (%s)",
			   r->cmd == CMD_MAPS ? "map" : "program", s,
			   r->cmd == CMD_MAPS ? "hash, array, ..." :
						"xdp, tracing, ...");
	r->has_type = true;
	r->type = t;
	return API_OK;
}

static enum api_error parse_object(json_object *v, struct request *r,
				   char *msg, size_t size)
{
	static const char *const kinds[NR_HIST_KINDS] = {
		[HIST_TOTAL] = "total",
		[HIST_MAP] = "map",
		[HIST_PROG] = "prog",
		[HIST_MEMCG] = "cgroup",
	};
	const char *s = json_object_get_string(v);

	for (int k = 0; k < NR_HIST_KINDS; k++) {
		if (!strcmp(s, kinds[k])) {
			r->object = k;
			return API_OK;
		}
	}
	return BAD("field 'object' is \"total\", \"map\", \"prog\" or \"cgroup\", not \"%s\"",
		   s);
}

static enum api_error parse_range(json_object *v, struct request *r,
				  char *msg, size_t size)
{
	const char *s = json_object_get_string(v);

	if (duration_parse(s, &r->range_ms) || !r->range_ms)
		return BAD("field 'range' is a duration such as \"10m\" or \"1h\", not \"%s\"",
			   s);
	return API_OK;
}

static enum api_error parse_topics(json_object *v, struct request *r,
				   char *msg, size_t size)
{
	size_t n = json_object_array_length(v);

	r->topics = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(v, i);
		const char *s = json_object_get_string(t);

		if (!json_object_is_type(t, json_type_string))
			return BAD("field 'topics' is an array of strings");
		if (!strcmp(s, "events"))
			r->topics |= TOPIC_EVENTS;
		else if (!strcmp(s, "samples"))
			r->topics |= TOPIC_SAMPLES;
		else if (!strcmp(s, "alerts"))
			r->topics |= TOPIC_ALERTS;
		else
			return BAD("unknown topic '%s': topics are \"events\", \"samples\" and \"alerts\"",
				   s);
	}
	if (!r->topics)
		return BAD("field 'topics' names no topic: use \"events\", \"samples\", \"alerts\" or several");
	return API_OK;
}

static enum api_error parse_fields(json_object *v, struct request *r,
				   char *msg, size_t size)
{
	size_t n = json_object_array_length(v);

	if (!n || n > REQUEST_FIELDS_MAX)
		return BAD("field 'fields' names 1 to %d members",
			   REQUEST_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(v, i);
		const char *s = json_object_get_string(f);

		if (!json_object_is_type(f, json_type_string) ||
		    strlen(s) >= REQUEST_FIELD_LEN)
			return BAD("field 'fields' is an array of member names of fewer than %d characters",
				   REQUEST_FIELD_LEN);
		strcpy(r->fields[i], s);
	}
	r->nr_fields = n;
	return API_OK;
}

#define LISTS (C(CMD_MAPS) | C(CMD_PROGS))

static const struct field fields[] = {
	{ "format", LISTS | C(CMD_SUMMARY) | C(CMD_REPORT) | C(CMD_CGROUPS),
	  json_type_string, parse_format, "a string" },
	{ "sort", LISTS | C(CMD_CGROUPS), json_type_string, parse_sort,
	  "a string" },
	{ "limit", LISTS | C(CMD_CGROUPS) | C(CMD_EVENTS), json_type_int,
	  parse_limit, "a whole number" },
	{ "id", LISTS | C(CMD_HISTORY), json_type_int, parse_id,
	  "a whole number" },
	{ "type", LISTS, json_type_string, parse_type, "a string" },
	{ "name", LISTS, json_type_string, parse_name, "a string" },
	{ "pid", LISTS, json_type_int, parse_pid, "a whole number" },
	{ "memcg", C(CMD_MAPS) | C(CMD_CGROUPS), json_type_string,
	  parse_memcg, "a string" },
	{ "dying", C(CMD_CGROUPS), json_type_boolean, parse_dying,
	  "true or false" },
	{ "since", C(CMD_EVENTS), json_type_int, parse_since,
	  "a whole number" },
	{ "object", C(CMD_HISTORY), json_type_string, parse_object,
	  "a string" },
	{ "range", C(CMD_HISTORY), json_type_string, parse_range,
	  "a string" },
	{ "topics", C(CMD_SUBSCRIBE), json_type_array, parse_topics,
	  "an array" },
	{ "fields", LISTS | C(CMD_CGROUPS), json_type_array, parse_fields,
	  "an array" },
};

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* "format, sort, limit": the fields cmd takes, for error messages. */
static void fields_of(enum command cmd, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NR_FIELDS && len < size; i++)
		if (fields[i].commands & C(cmd))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", fields[i].name);
	if (!len)
		snprintf(buf, size, "no field but cmd");
}

static enum api_error parse_field(const char *key, json_object *v,
				  struct request *r, char *msg, size_t size)
{
	char allowed[256];

	if (!strcmp(key, "cmd"))
		return API_OK;
	for (size_t i = 0; i < NR_FIELDS; i++) {
		const struct field *f = &fields[i];

		if (strcmp(f->name, key) || !(f->commands & C(r->cmd)))
			continue;
		if (!json_object_is_type(v, f->type))
			return BAD("field '%s' must be %s", key, f->takes);
		return f->parse(v, r, msg, size);
	}
	fields_of(r->cmd, allowed, sizeof(allowed));
	return BAD("unknown field '%s' for %s: it takes %s", key,
		   command_names[r->cmd], allowed);
}

static enum api_error parse_command(json_object *obj, struct request *r,
				    char *msg, size_t size)
{
	json_object *cmd;
	const char *name;

	if (!json_object_object_get_ex(obj, "cmd", &cmd))
		return BAD("the request has no 'cmd' field: send {\"cmd\": \"maps\"} and the like");
	if (!json_object_is_type(cmd, json_type_string))
		return BAD("field 'cmd' must be a string");
	name = json_object_get_string(cmd);
	for (int i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(name, command_names[i])) {
			r->cmd = i;
			return API_OK;
		}
	}
	snprintf(msg, size, "unknown command '%.64s': commands are version, summary, report, maps, progs, cgroups, events, history, snapshot, subscribe, alerts",
		 name);
	return API_UNKNOWN_COMMAND;
}

static void request_defaults(struct request *r)
{
	*r = (struct request){
		.cg_sort = CG_SORT_MEMLOCK,
		.cg_descending = true,
		.topics = TOPIC_EVENTS,
	};
}

enum api_error request_parse(const char *line, size_t len,
			     struct request *r, char *msg, size_t size)
{
	struct json_tokener *tok;
	enum api_error e = API_OK;
	json_object *obj;

	request_defaults(r);
	if (len > REQUEST_MAX_BYTES) {
		snprintf(msg, size, "request of more than %d bytes",
			 REQUEST_MAX_BYTES);
		return API_TOO_LARGE;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(msg, size, "out of memory");
		return API_INTERNAL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, line, len);
	/* an incomplete document, or more after it on the line */
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		snprintf(msg, size, "not one JSON object a line: %s",
			 obj ? "text after the object" :
			 je == json_tokener_continue ?
			       "the object is incomplete" :
			       json_tokener_error_desc(je));
		e = API_BAD_JSON;
	} else if (!json_object_is_type(obj, json_type_object)) {
		snprintf(msg, size, "the request must be a JSON object, such as {\"cmd\": \"maps\"}");
		e = API_BAD_JSON;
	}
	if (!e)
		e = parse_command(obj, r, msg, size);
	if (!e) {
		r->sort = sort_spec_default(r->cmd == CMD_PROGS ? SORT_PROGS :
								   SORT_MAPS);
		json_object_object_foreach(obj, key, v) {
			e = parse_field(key, v, r, msg, size);
			if (e)
				break;
		}
	}
	if (!e && r->cmd == CMD_HISTORY && r->object != HIST_TOTAL &&
	    !r->has_id)
		e = BAD("history of a %s needs its 'id'",
			r->object == HIST_MEMCG ? "cgroup" :
			r->object == HIST_MAP ? "map" : "prog");
	json_object_put(obj);
	json_tokener_free(tok);
	return e;
}
