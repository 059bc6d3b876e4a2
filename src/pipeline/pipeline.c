// SPDX-License-Identifier: GPL-2.0
#include "model/apply.h"
#include "pipeline/pipeline.h"

int pipeline_collect(struct collector *c, struct inventory *inv)
{
	int err = collector_collect(c, inv);

	if (err)
		return err;
	inventory_join(inv);
	model_apply(collector_model_env(c), inv);
	collector_set_own_apart(c, inv);
	return 0;
}

int pipeline_sample(struct collector *c, struct inventory *inv,
		    enum probe_found *found)
{
	int err;

	*found = PROBE_OTHER;
	if (collector_settled(c)) {
		err = collector_probe(c, inv, found);
		if (err)
			return err;
		if (*found == PROBE_MAPS_CHANGED)
			model_apply(collector_model_env(c), inv);
		if (*found != PROBE_OTHER)
			return 0;
		inventory_free(inv);
	}
	return pipeline_collect(c, inv);
}
