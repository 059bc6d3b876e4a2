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
		    bool *counters_only)
{
	int err;

	*counters_only = false;
	if (collector_settled(c)) {
		err = collector_probe(c, inv, counters_only);
		if (err || *counters_only)
			return err;
		inventory_free(inv);
	}
	return pipeline_collect(c, inv);
}
