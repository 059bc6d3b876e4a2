// SPDX-License-Identifier: GPL-2.0
/*
 * The decision table of kernel features, fed probe outcomes no test
 * kernel can give (no BTF, no iterators, nothing attaches): which absence
 * is fatal, the one message each gives, which accounting hooks run, and
 * the JSON of `bpfmem features`.
 */
#include "cmocka_wrap.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "collect/kernel_features.h"

/* Every feature probed and present. */
static struct features all_present(void)
{
	struct features f = {};

	for (int i = 0; i < NR_FEATURES; i++)
		feature_set(&f, i, true, 0, NULL);
	return f;
}

static void nothing_missing_is_not_fatal(void **state)
{
	struct features f = all_present(), none = {};

	(void)state;
	assert_int_equal(features_first_fatal(&f), NR_FEATURES);
	/* not probed is not missing */
	assert_int_equal(features_first_fatal(&none), NR_FEATURES);
}

static void no_btf_is_fatal_with_the_fix(void **state)
{
	struct features f = all_present();
	char msg[1024];

	(void)state;
	feature_set(&f, FEAT_BTF, false, ENOENT, "/sys/kernel/btf/vmlinux");
	assert_int_equal(features_first_fatal(&f), FEAT_BTF);
	feature_message(&f, FEAT_BTF, msg, sizeof(msg));
	assert_non_null(strstr(msg, "btf is missing (/sys/kernel/btf/vmlinux (No such file or directory))"));
	assert_non_null(strstr(msg, "without it: bpfmem cannot run"));
	assert_non_null(strstr(msg, "CONFIG_DEBUG_INFO_BTF=y"));
}

static void each_iterator_but_cgroup_is_fatal(void **state)
{
	static const enum feature_id fatal[] = {
		FEAT_ITER_MAP, FEAT_ITER_PROG, FEAT_ITER_TASK_FILE,
		FEAT_ITER_LINK,
	};
	char msg[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++) {
		struct features f = all_present();

		feature_set(&f, fatal[i], false, -EINVAL, "attaching");
		assert_int_equal(features_first_fatal(&f), fatal[i]);
		feature_message(&f, fatal[i], msg, sizeof(msg));
		assert_non_null(strstr(msg, feature_name(fatal[i])));
		assert_non_null(strstr(msg, "Invalid argument"));
		assert_non_null(strstr(msg, "to get it: a kernel with"));
	}
	{
		struct features f = all_present();

		/* the counters are read from files instead */
		feature_set(&f, FEAT_ITER_CGROUP, false, EBADF, NULL);
		assert_int_equal(features_first_fatal(&f), NR_FEATURES);
		assert_int_equal(feature_loss(FEAT_ITER_CGROUP), LOSS_NONE);
	}
}

static void degradations_say_what_is_kept(void **state)
{
	struct features f = all_present();
	char msg[1024];

	(void)state;
	feature_set(&f, FEAT_MEMCG, false, 0, "no memory hierarchy mounted");
	feature_set(&f, FEAT_RINGBUF, false, EINVAL, NULL);
	feature_set(&f, FEAT_DEBUGFS_PERCPU, false, 0, "debugfs is not mounted at /sys/kernel/debug");
	assert_int_equal(features_first_fatal(&f), NR_FEATURES);
	feature_message(&f, FEAT_MEMCG, msg, sizeof(msg));
	assert_string_equal(msg, "memcg is missing (no memory hierarchy mounted); without it: lists maps and programs without their memory cgroup (memcg is null) and `bpfmem cgroups` lists nothing; to get it: mount one: cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup; echo +memory > /sys/fs/cgroup/cgroup.subtree_control) or v1 (mount -t cgroup -o memory none /sys/fs/cgroup/memory)");
	feature_message(&f, FEAT_RINGBUF, msg, sizeof(msg));
	assert_non_null(strstr(msg, "ringbuf is missing (Invalid argument)"));
	assert_non_null(strstr(msg, "no lifecycle events"));
	assert_int_equal(feature_loss(FEAT_DEBUGFS_PERCPU), LOSS_NONE);
	feature_message(&f, FEAT_DEBUGFS_PERCPU, msg, sizeof(msg));
	assert_non_null(strstr(msg, "does not read it"));
	assert_non_null(strstr(msg, "mount -t debugfs none /sys/kernel/debug"));
}

static void hooks_backend_follows_the_probes(void **state)
{
	struct features f = all_present();
	struct hooks_decision h;

	(void)state;
	h = hooks_decide(&f);
	assert_int_equal(h.backend, HOOKS_FENTRY);
	feature_set(&f, FEAT_FENTRY, false, EPERM, "the kernel refused the load");
	h = hooks_decide(&f);
	assert_int_equal(h.backend, HOOKS_TRACEPOINT);
	assert_non_null(strstr(h.reason, "refused"));
	feature_set(&f, FEAT_TRACEPOINT, false, ENOENT, NULL);
	h = hooks_decide(&f);
	assert_int_equal(h.backend, HOOKS_NONE);
	/* fentry programs name the map; the tracepoints count the bytes */
	feature_set(&f, FEAT_FENTRY, true, 0, NULL);
	h = hooks_decide(&f);
	assert_int_equal(h.backend, HOOKS_NONE);
	assert_string_equal(hooks_backend_name(h.backend), "none");
}

/* The output of print_features() in a string to free. */
static char *render(const struct features *f, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(print_features(out, f, json, false), 0);
	fclose(out);
	return buf;
}

static void json_lists_the_probed_features(void **state)
{
	struct features f = {};
	struct json_object *root, *arr, *e, *v, *h;
	char *text;

	(void)state;
	feature_set(&f, FEAT_BTF, true, 0, NULL);
	feature_set(&f, FEAT_FENTRY, false, EPERM, "the kernel refused the load");
	feature_set(&f, FEAT_TRACEPOINT, true, 0, NULL);
	text = render(&f, true);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "features", &arr));
	assert_int_equal(json_object_array_length(arr), 3);
	e = json_object_array_get_idx(arr, 1);
	assert_true(json_object_object_get_ex(e, "name", &v));
	assert_string_equal(json_object_get_string(v), "fentry");
	assert_true(json_object_object_get_ex(e, "available", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(e, "errno", &v));
	assert_int_equal(json_object_get_int(v), EPERM);
	assert_true(json_object_object_get_ex(e, "result", &v));
	assert_string_equal(json_object_get_string(v), "the kernel refused the load (Operation not permitted)");
	assert_true(json_object_object_get_ex(e, "probe", &v));
	assert_non_null(strstr(json_object_get_string(v), "fentry"));
	assert_true(json_object_object_get_ex(e, "without", &v));
	assert_true(json_object_object_get_ex(root, "hooks_backend", &h));
	assert_true(json_object_object_get_ex(h, "name", &v));
	assert_string_equal(json_object_get_string(v), "tracepoint");
	e = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(e, "errno", &v));
	assert_null(v);
	json_object_put(root);
	free(text);
}

static void table_says_what_is_done_without(void **state)
{
	struct features f = {};
	char *text;

	(void)state;
	feature_set(&f, FEAT_MEMCG, false, 0, "no memory hierarchy mounted");
	feature_set(&f, FEAT_TRACEPOINT, true, 0, NULL);
	text = render(&f, false);
	assert_non_null(strstr(text, "memcg "));
	assert_non_null(strstr(text, "-> no memory hierarchy mounted"));
	assert_non_null(strstr(text, "without it: lists maps and programs"));
	assert_non_null(strstr(text, "accounting hooks: tracepoint, because fentry was not probed"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_missing_is_not_fatal),
		cmocka_unit_test(no_btf_is_fatal_with_the_fix),
		cmocka_unit_test(each_iterator_but_cgroup_is_fatal),
		cmocka_unit_test(degradations_say_what_is_kept),
		cmocka_unit_test(hooks_backend_follows_the_probes),
		cmocka_unit_test(json_lists_the_probed_features),
		cmocka_unit_test(table_says_what_is_done_without),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
