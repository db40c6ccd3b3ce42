/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cb: the options no value kind of the table fits, each a cli_cb: pairs
 * (-set, -key), values that fill two fields (-t) or a list (-max_p99),
 * and values with their own syntax or checks. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/internal.h"
#include "transport/tp.h"

const struct cli_kws cli_kw_bool = {
	"true or false", {{"true", 1}, {"1", 1}, {"false", 0}, {"0", 0}, {NULL, 0}},
};

const struct cli_kws cli_kw_display = {
	"screens or line", {{"screens", 0}, {"line", 1}, {NULL, 0}},
};

/* Append v to the array *arr of n strings (the strings are argv's). */
static int append(const char *const **arr, unsigned n, const char *v)
{
	const char **a = realloc((void *)*arr, (n + 1) * sizeof(*a));

	if (!a)
		return ENOMEM;
	a[n] = v;
	*arr = a;
	return 0;
}

/* -set NAME VALUE: for the loader (declared variables) and the engine. */
int cli_cb_set(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	struct scn_opts *s = &t->main->scn;

	if (append(&s->set_names, s->nset, args[0]) ||
	    append(&s->set_values, s->nset, args[1]))
		return diag_set(d, NULL, 0, "out of memory");
	s->nset++;
	t->eng->set_names = s->set_names;
	t->eng->set_values = s->set_values;
	t->eng->nset = s->nset;
	return 0;
}

/* -infindex FILE FIELD: checked against -inf by the engine. */
int cli_cb_infindex(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	unsigned f;

	if (cli_uint(opt, args[1], &f, d))
		return EINVAL;
	t->eng->infindex_file = args[0];
	t->eng->infindex_field = f;
	t->main->scn.infindex = 1;
	return 0;
}

/* -key NAME VALUE: the names for the loader, the values (by index) for
 * the engine. */
int cli_cb_key(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	struct scn_opts *s = &t->main->scn;

	if (append(&s->key_names, s->nkey, args[0]) ||
	    append(&t->eng->key_values, s->nkey, args[1]))
		return diag_set(d, NULL, 0, "out of memory");
	s->nkey++;
	return 0;
}

/* -t: u1 un t1 tn l1 ln ws1 wsn wss1 wssn (SIPp's letters, and ours for
 * WebSocket, which SIPp lacks). */
int cli_cb_transport(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	static const struct { const char *name; int proto; } kinds[] = {
		{"u", TP_UDP}, {"t", TP_TCP}, {"l", TP_TLS}, {"ws", TP_WS}, {"wss", TP_WSS},
	};
	const char *v = args[0];
	size_t n = strlen(v), i;

	for (i = 0; n > 1 && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) != n - 1 || strncmp(v, kinds[i].name, n - 1))
			continue;
		if (v[n - 1] != '1' && v[n - 1] != 'n')
			break;
		t->eng->proto = kinds[i].proto;
		t->eng->per_call_socket = v[n - 1] == 'n';
		return 0;
	}
	return diag_set(d, NULL, 0, "-t: unknown transport '%s' (expected u1, un, t1, tn, l1, "
			"ln, ws1, wsn, wss1 or wssn)", v);
}

/* -p: 0 is the default's "5060 or the next free port": given, it would
 * hide a typo, and a uas on an unknown port is unreachable. */
int cli_cb_port(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	if (cli_uint(opt, args[0], &t->eng->local_port, d))
		return EINVAL;
	return t->eng->local_port ? 0 : diag_set(d, NULL, 0, "-p 0: give a port from 1 to "
						 "65535 (without -p: 5060, or the next free "
						 "port)");
}

/* -timer_resol TIME (default unit ms), kept by the engine in us. */
int cli_cb_timer_resol(struct cli_dst *t, const char *opt, char *const *args,
		       struct diag *d)
{
	uint64_t ms;

	if (cli_time(opt, args[0], 1, &ms, d))
		return EINVAL;
	t->eng->batch_us = ms * 1000;
	return 0;
}

/* -max_retrans N: the cap of both transaction kinds (sip/txn.h). */
int cli_cb_max_retrans(struct cli_dst *t, const char *opt, char *const *args,
		       struct diag *d)
{
	unsigned n;

	if (cli_uint(opt, args[0], &n, d))
		return EINVAL;
	t->eng->txn.max_inv_rtx = t->eng->txn.max_noninv_rtx = n;
	return 0;
}

/* -T2 TIME: the longest UDP retransmission interval (sip/txn.h). */
int cli_cb_t2(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	uint64_t ms;

	if (cli_time(opt, args[0], 1, &ms, d))
		return EINVAL;
	if (!ms || ms > 3600000)
		return diag_set(d, NULL, 0, "-%s: from 1 ms to 1 h: '%s'", opt, args[0]);
	t->eng->txn.t2_ms = (uint32_t)ms;
	return 0;
}

/* -stat_delimiter STRING: the -trace_stat CSV's field separator. */
int cli_cb_stat_delim(struct cli_dst *t, const char *opt, char *const *args,
		      struct diag *d)
{
	const char *v = args[0];

	(void)opt;
	if (!*v || strpbrk(v, "\r\n") || strlen(v) > 15)
		return diag_set(d, NULL, 0, "-stat_delimiter: '%s' (expected 1 to 15 "
				"characters, no line break)", v);
	t->eng->stat_delim = v;
	return 0;
}

/* -nd: -default_behaviors none. */
int cli_cb_nd(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	t->eng->behaviors = 0;
	return 0;
}

int cli_cb_behaviors(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	static const struct { const char *name; unsigned bit; } beh[] = {
		{"all", BEH_ALL}, {"bye", BEH_BYE}, {"abortunexp", BEH_ABORTUNEXP},
		{"pingreply", BEH_PINGREPLY}, {"none", 0},
	};
	unsigned *mask = &t->eng->behaviors;
	char item[32];
	const char *p = args[0];

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ","), i;
		int neg = p[0] == '-';

		snprintf(item, sizeof(item), "%.*s", (int)(n - (size_t)neg), p + neg);
		for (i = 0; i < sizeof(beh) / sizeof(beh[0]); i++)
			if (!strcmp(item, beh[i].name))
				break;
		if (i == sizeof(beh) / sizeof(beh[0]))
			return diag_set(d, NULL, 0, "-default_behaviors: unknown behavior '%s'", item);
		if (neg)
			*mask &= ~beh[i].bit;
		else if (!beh[i].bit)
			*mask = 0;
		else
			*mask |= beh[i].bit;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* "0.1%" or "0.001": a fraction of the calls. */
int cli_cb_fail_rate(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	const char *v = args[0];
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end != v && *end == '%' && !end[1])
		x /= 100.0;
	else if (end == v || *end)
		end = NULL;
	if (!end || errno || x < 0 || x > 1)
		return diag_set(d, NULL, 0, "-max_fail_rate: want a fraction such as 0.1%% "
				"or 0.001, not '%s'", v);
	t->eng->max_fail_rate = x;
	return 0;
}

/* -max_p99 NAME=TIME, repeatable: kept in main_opts' arrays, which the
 * engine's p99_* point into. */
int cli_cb_p99(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	struct main_opts *m = t->main;
	struct eng_opts *o = t->eng;
	const char *v = args[0], *eq = strchr(v, '=');

	if (!eq || eq == v || (size_t)(eq - v) >= sizeof(m->p99_names[0]))
		return diag_set(d, NULL, 0, "-max_p99: want NAME=TIME (e.g. 1=200ms or "
				"call_length=5s), not '%s'", v);
	if (o->np99 == CLI_MAX_P99)
		return diag_set(d, NULL, 0, "-max_p99: at most %d limits", CLI_MAX_P99);
	snprintf(m->p99_names[o->np99], sizeof(m->p99_names[0]), "%.*s", (int)(eq - v), v);
	if (cli_time("max_p99", eq + 1, 1, &m->p99_ms[o->np99], d))
		return EINVAL;
	o->p99_names = (const char (*)[64])m->p99_names;
	o->p99_ms = m->p99_ms;
	o->np99++;
	return 0;
}
