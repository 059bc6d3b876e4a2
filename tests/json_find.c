// SPDX-License-Identifier: GPL-2.0
#include "json_find.h"

json_object *json_find_id(json_object *arr, __u64 id)
{
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *v;

		if (json_object_object_get_ex(o, "id", &v) &&
		    json_object_get_uint64(v) == id)
			return o;
	}
	return NULL;
}
