// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include "base/atomic_file.h"
#include "base/log.h"
#include "daemon/prom_export.h"
#include "daemon/prom_render.h"

int prom_export_start(struct prom_export *e, const struct config *c)
{
	char msg[512];
	int err;

	*e = (struct prom_export){};
	if (!c->prom_listen[0])
		return 0;
	err = prom_http_start((const struct sockaddr *)&c->prom_addr,
			      c->prom_addr_len, c->prom_listen, &e->http, msg,
			      sizeof(msg));
	if (err)
		log_error("%s\n", msg);
	else
		log_info("serving metrics on http://%s/metrics\n",
			 c->prom_listen);
	return err;
}

/* Each failure is logged once, until a write succeeds again. */
static void write_textfile(struct prom_export *e, const char *path,
			   const struct prom_buf *b)
{
	struct iovec iov = { .iov_base = b->p, .iov_len = b->len };
	int err = atomic_write(path, 0644, &iov, 1, ATOMIC_VOLATILE);

	if (err && err != e->textfile_err)
		log_error("writing the metrics textfile %s failed: %s: check that its directory exists and is writable\n",
			  path, strerror(-err));
	else if (!err && e->textfile_err)
		log_info("writing the metrics textfile %s works again\n",
			 path);
	e->textfile_err = err;
}

struct rule_counts {
	struct prom_rule_count *v;
	size_t n;
};

static void count_rule(void *ctx, const struct alert_rule *r, size_t firing,
		       size_t pending)
{
	struct rule_counts *rc = ctx;

	(void)pending;
	rc->v[rc->n++] = (struct prom_rule_count){ .rule = r->name,
						   .firing = firing };
}

void prom_export_sample(struct prom_export *e, const struct config *c,
			const struct ledger *l, double sample_seconds,
			const struct alert_engine *alerts)
{
	size_t nr_rules = alerts->rules ? alerts->rules->n : 0;
	struct prom_stats st = { .sample_seconds = sample_seconds,
				 .version = BPFMEM_VERSION };
	struct rule_counts rc = {};
	struct prom_buf b = {};
	int err = -ENOMEM;

	if (!e->http && !c->prom_textfile[0])
		return;
	rc.v = calloc(nr_rules ?: 1, sizeof(*rc.v));
	if (rc.v) {
		alert_engine_each_rule(alerts, count_rule, &rc);
		st.rules = rc.v;
		st.nr_rules = rc.n;
		err = prom_render(&b, l, &st, c->prom_max_series);
	}
	free(rc.v);
	if (err) {
		log_warn("out of memory: the metrics keep the previous sample\n");
		prom_buf_free(&b);
		return;
	}
	if (c->prom_textfile[0])
		write_textfile(e, c->prom_textfile, &b);
	if (e->http)
		prom_http_publish(e->http, b.p, b.len);
	else
		prom_buf_free(&b);
}

void prom_export_stop(struct prom_export *e)
{
	prom_http_stop(e->http);
	e->http = NULL;
}
