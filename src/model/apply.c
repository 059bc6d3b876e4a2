// SPDX-License-Identifier: GPL-2.0
#include "model/apply.h"
#include "model/model.h"
#include "model/model_prog.h"

void model_apply(const struct model_env *env, struct inventory *inv)
{
	if (!env)
		return;
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];

		m->has_real = !model_map_bytes(env, &m->rec, &m->real);
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		struct prog_info *p = &inv->progs[i];

		p->has_real = !model_prog_bytes(env, &p->rec, &p->real);
	}
}
