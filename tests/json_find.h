/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the integration tests and the accuracy harness: finding an
 * object in bpfmem's JSON output. */
#ifndef BPFMEM_TESTS_JSON_FIND_H
#define BPFMEM_TESTS_JSON_FIND_H

#include <linux/types.h>
#include <json-c/json.h>

/* The member of the array arr whose "id" is id, or NULL. */
json_object *json_find_id(json_object *arr, __u64 id);

#endif
