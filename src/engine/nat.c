/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat: NAT simulation. A party may advertise an address other than its
 * socket's (-advertise, <ua advertise=>) in what its templates render;
 * requests received get received=/rport= in their top Via (RFC 3581 4),
 * and a party learns from its responses where it was seen from. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "engine/internal.h"
#include "sip/msg.h"
#include "sip/via.h"

static int parse_adv(struct eng_adv *a, const char *spec, struct diag *d)
{
	struct tp_addr t;

	/* a port of 0 means: the socket's own */
	if (tp_addr_parse(&t, spec, 0, d))
		return diag_set(d, NULL, 0, "bad address to advertise '%s' (expected an IPv4 "
				"or IPv6 address, optionally with :port)", spec);
	tp_addr_ip(&t, a->ip, sizeof(a->ip));
	tp_ip_host(a->ip, a->host, sizeof(a->host));
	a->port = tp_addr_port(&t);
	return 0;
}

int eng_adv_init(struct eng *e, struct diag *d)
{
	const struct prog *p = e->p;
	unsigned i;
	int any = e->o.advertise != NULL, err = 0;

	for (i = 0; i < p->nuas; i++)
		any |= p->uas[i].advertise != NULL;
	buf_init(&e->stamp, 65535);
	if (!any)
		return 0;
	e->adv = calloc(p->nuas, sizeof(*e->adv));
	if (!e->adv)
		return diag_set(d, NULL, 0, "out of memory");
	/* a party's own advertise= wins over -advertise */
	for (i = 0; i < p->nuas && !err; i++) {
		const char *spec = p->uas[i].advertise ? p->uas[i].advertise : e->o.advertise;

		if (spec)
			err = parse_adv(&e->adv[i], spec, d);
	}
	return err;
}

void eng_adv_free(struct eng *e)
{
	free(e->adv);
	e->adv = NULL;
	buf_free(&e->stamp);
}

static const struct eng_adv *adv_of(const struct ua *ua)
{
	const struct eng *e = ua->call->eng;
	const struct eng_adv *a;

	if (!e->adv)
		return NULL;
	a = &e->adv[ua - ua->call->ua];
	return a->ip[0] ? a : NULL;
}

const char *eng_ua_host(const struct ua *ua)
{
	const struct eng_adv *a = adv_of(ua);

	return a ? a->host : ua->call->eng->local_host;
}

const char *eng_ua_ip(const struct ua *ua)
{
	const struct eng_adv *a = adv_of(ua);

	return a ? a->ip : ua->call->eng->local_ip;
}

unsigned eng_ua_port(const struct ua *ua)
{
	const struct eng_adv *a = adv_of(ua);

	return a && a->port ? a->port : tp_port(ua->sock);
}

int eng_nat_stamp(struct eng *e, const char **buf, size_t *len, const struct tp_addr *from)
{
	int stamped, err;

	err = msg_via_stamp(*buf, *len, from, &e->stamp, &stamped);
	if (!err && stamped) {
		*buf = e->stamp.data;
		*len = e->stamp.len;
	}
	return err;
}

void eng_nat_learn(struct ua *ua, const struct msg *m)
{
	struct tp_addr a;

	/* only a party that renders what it learns pays for reading it */
	if (ua->pu->learns_via && !m->is_request && msg_via_public(m, &a) == 0)
		ua->pub = a;
}
