// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/request.h"

static enum api_error parse(const char *line, struct request *r, char *msg)
{
	msg[0] = '\0';
	return request_parse(line, strlen(line), r, msg, 512);
}

static void commands_and_fields_are_read(void **state)
{
	struct request r;
	char msg[512];

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"version\"}", &r, msg), API_OK);
	assert_int_equal(r.cmd, CMD_VERSION);
	assert_int_equal(parse("{\"cmd\":\"maps\",\"sort\":\"id:desc\",\"limit\":3,"
			       "\"type\":\"hash\",\"name\":\"x\",\"pid\":9,"
			       "\"memcg\":\"/system.slice\",\"format\":\"table\"}",
			       &r, msg),
			 API_OK);
	assert_int_equal(r.cmd, CMD_MAPS);
	assert_true(r.sort.descending);
	assert_int_equal(r.limit, 3);
	assert_true(r.has_type);
	assert_string_equal(r.name, "x");
	assert_int_equal(r.pid, 9);
	assert_string_equal(r.memcg, "/system.slice");
	assert_true(r.table);
	assert_int_equal(parse(" {\"cmd\":\"history\",\"object\":\"map\",\"id\":4,\"range\":\"10m\"} ",
			       &r, msg),
			 API_OK);
	assert_int_equal(r.object, HIST_MAP);
	assert_int_equal(r.range_ms, 600000);
	assert_int_equal(parse("{\"cmd\":\"subscribe\",\"topics\":[\"samples\"]}",
			       &r, msg),
			 API_OK);
	assert_int_equal(r.topics, TOPIC_SAMPLES);
	assert_int_equal(parse("{\"cmd\":\"maps\",\"fields\":[\"id\",\"bytes_real\"]}",
			       &r, msg),
			 API_OK);
	assert_int_equal(r.nr_fields, 2);
	assert_string_equal(r.fields[1], "bytes_real");
	assert_int_equal(parse("{\"cmd\":\"cgroups\",\"sort\":\"path:asc\"}",
			       &r, msg),
			 API_OK);
	assert_true(r.has_cg_sort);
	assert_int_equal(r.cg_sort, CG_SORT_PATH);
}

static void expect(const char *line, enum api_error want, const char *in_msg)
{
	struct request r;
	char msg[512];
	enum api_error got = parse(line, &r, msg);

	if (got != want || !strstr(msg, in_msg))
		fail_msg("%s: got %s '%s', want %s '%s'", line,
			 api_error_name(got), msg, api_error_name(want), in_msg);
}

static void bad_requests_say_what_is_wrong(void **state)
{
	(void)state;
	expect("{bad", API_BAD_JSON, "not one JSON object");
	expect("{\"cmd\":\"maps\"", API_BAD_JSON, "incomplete");
	expect("{\"cmd\":\"maps\"} {}", API_BAD_JSON, "not one JSON object");
	expect("[1,2]", API_BAD_JSON, "must be a JSON object");
	expect("\"maps\"", API_BAD_JSON, "must be a JSON object");
	expect("{}", API_BAD_REQUEST, "no 'cmd'");
	expect("{\"cmd\":5}", API_BAD_REQUEST, "'cmd' must be a string");
	expect("{\"cmd\":\"frob\"}", API_UNKNOWN_COMMAND, "unknown command 'frob'");
	expect("{\"cmd\":\"maps\",\"limit\":\"3\"}", API_BAD_REQUEST,
	       "'limit' must be a whole number");
	expect("{\"cmd\":\"maps\",\"limit\":2.5}", API_BAD_REQUEST,
	       "'limit' must be a whole number");
	expect("{\"cmd\":\"maps\",\"limit\":0}", API_BAD_REQUEST, "1 or more");
	expect("{\"cmd\":\"maps\",\"sort\":\"size\"}", API_BAD_REQUEST,
	       "valid map fields");
	expect("{\"cmd\":\"maps\",\"type\":\"nonesuch\"}", API_BAD_REQUEST,
	       "unknown map type");
	expect("{\"cmd\":\"progs\",\"memcg\":\"/\"}", API_BAD_REQUEST,
	       "unknown field 'memcg' for progs: it takes format, sort");
	expect("{\"cmd\":\"version\",\"limit\":1}", API_BAD_REQUEST,
	       "it takes no field but cmd");
	expect("{\"cmd\":\"maps\",\"format\":\"xml\"}", API_BAD_REQUEST,
	       "\"json\" or \"table\"");
	expect("{\"cmd\":\"history\",\"object\":\"map\"}", API_BAD_REQUEST,
	       "needs its 'id'");
	expect("{\"cmd\":\"history\",\"range\":\"soon\"}", API_BAD_REQUEST,
	       "'range' is a duration");
	expect("{\"cmd\":\"subscribe\",\"topics\":[1]}", API_BAD_REQUEST,
	       "array of strings");
	expect("{\"cmd\":\"subscribe\",\"topics\":[]}", API_BAD_REQUEST,
	       "names no topic");
	expect("{\"cmd\":\"maps\",\"fields\":[]}", API_BAD_REQUEST,
	       "names 1 to 32 members");
	expect("{\"cmd\":\"progs\",\"fields\":[3]}", API_BAD_REQUEST,
	       "array of member names");
	expect("{\"cmd\":\"report\",\"fields\":[\"id\"]}", API_BAD_REQUEST,
	       "fields");
	expect("{\"cmd\":\"maps\",\"memcg\":\"rel\"}", API_BAD_REQUEST,
	       "starting with '/'");
}

static void oversized_requests_are_refused(void **state)
{
	static char big[REQUEST_MAX_BYTES + 2];
	struct request r;
	char msg[512];

	(void)state;
	memset(big, ' ', sizeof(big) - 1);
	assert_int_equal(request_parse(big, sizeof(big) - 1, &r, msg,
				       sizeof(msg)),
			 API_TOO_LARGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands_and_fields_are_read),
		cmocka_unit_test(bad_requests_say_what_is_wrong),
		cmocka_unit_test(oversized_requests_are_refused),
	};

	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
