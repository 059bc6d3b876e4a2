// SPDX-License-Identifier: GPL-2.0
#include <systemd/sd-daemon.h>
#include "base/format.h"
#include "daemon/notify.h"

void notify_status(const struct ledger *l, size_t clients, size_t firing,
		   bool ready)
{
	const struct ledger_totals *t = &l->totals;
	char maps[16], progs[16];

	format_bytes(t->maps_memlock, maps, sizeof(maps));
	format_bytes(t->progs_memlock, progs, sizeof(progs));
	sd_notifyf(false,
		   "%sSTATUS=%llu maps (%s memlock), %llu programs (%s); %zu clients; %zu alerts firing",
		   ready ? "READY=1\n" : "", (unsigned long long)t->maps, maps,
		   (unsigned long long)t->progs, progs, clients, firing);
}

void notify_reloading(void)
{
	sd_notify(false, "RELOADING=1\nSTATUS=Reloading the configuration");
}

void notify_stopping(void)
{
	sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
}
