/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link: the engine's side of stream transports. Opening the main socket
 * or a call's own, and what a lost connection does (SIPp's
 * -max_reconnect, -reconnect_sleep, -reconnect_close): a client run
 * reopens the connection to its target on the next send, up to
 * -max_reconnect times, failing the calls that were on it; one loss more
 * ends the run. A server forgets a lost connection: its calls end by
 * their own timeouts, or fail when they next send.
 * And the ICMP errors of UDP (tp_set_icmp): counted and traced; the
 * request goes on being retransmitted, as SIPp does (a peer started a
 * moment late still gets the call). With -icmp_fail, a destination-
 * unreachable error for a message of a call fails that call at once,
 * with the ICMP error and the address as its reason, instead of leaving
 * it to retransmit into the void until timer B or F. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

/* Fail every running call with what (the dialogs went with the
 * connection: no BYE or CANCEL is tried over a new one). only: just
 * those whose party 0 sends on that socket, or every call when NULL. */
static void fail_calls(struct eng *e, const struct tp_sock *only, const char *what)
{
	unsigned beh = e->o.behaviors;
	struct lst_node *n, *next;

	e->o.behaviors &= ~(unsigned)ENG_BEH_BYE;
	for (n = e->active.next; n != &e->active; n = next) {
		struct call *c = LST_ENTRY(n, struct call, le);

		next = n->next;
		if (!only || c->ua[0].sock == only) {
			e->st.conn_lost += !c->failed;  /* SIPp's FailedTcpClosed */
			ua_fail(&c->ua[0], FAIL_SEND, what);
		}
	}
	e->o.behaviors = beh;
}

static void on_lost(struct tp_sock *s, const struct tp_addr *peer, int outgoing,
		    const char *why, void *arg)
{
	struct eng *e = arg;
	char host[80], what[256];

	tp_addr_host(peer, host, sizeof(host));
	snprintf(what, sizeof(what), "%s connection to %s:%u lost: %s",
		 tp_proto_name(tp_sock_proto(s)), host, tp_addr_port(peer), why);
	eng_trace_err(e, "%s", what);
	if (!outgoing || e->uas_mode)
		return;
	if (e->o.per_call_socket) {
		fail_calls(e, s, what);  /* that call's own connection */
		return;
	}
	if (e->reconnects >= e->o.max_reconnect) {
		snprintf(e->stop_why, sizeof(e->stop_why), "%s (-max_reconnect %u)", what,
			 e->o.max_reconnect);
		e->stopping = 1;
		fail_calls(e, NULL, what);
		loop_stop(e->loop);
		return;
	}
	e->reconnects++;
	e->hold_until_us = loop_now_us(e->loop) + e->o.reconnect_sleep_ms * 1000;
	if (e->o.reconnect_close)
		fail_calls(e, NULL, what);
}

/* The Call-ID of the start of a message as an ICMP error quotes it:
 * only a header line that is there whole. */
static int quoted_call_id(const char *buf, size_t len, const char **cid, size_t *n)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *v;

		if (!eol)
			return -1;   /* cut off: the line is not whole */
		if (eol == p || (eol == p + 1 && *p == '\r'))
			return -1;   /* the headers ended without one */
		v = NULL;
		if (eol - p > 8 && !strncasecmp(p, "Call-ID", 7))
			v = p + 7;
		else if (eol - p > 2 && (*p == 'i' || *p == 'I') && (p[1] == ':' || p[1] == ' ' ||
									 p[1] == '\t'))
			v = p + 1;
		if (v) {
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v < eol && *v == ':') {
				const char *q = eol;

				v++;
				while (v < q && (*v == ' ' || *v == '\t'))
					v++;
				while (q > v && (q[-1] == '\r' || q[-1] == ' ' || q[-1] == '\t'))
					q--;
				if (q == v)
					return -1;
				*cid = v;
				*n = (size_t)(q - v);
				return 0;
			}
		}
		p = eol + 1;
	}
	return -1;
}

static int same_addr(const struct tp_addr *a, const struct tp_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET)
		return a->ss.in.sin_port == b->ss.in.sin_port &&
		       a->ss.in.sin_addr.s_addr == b->ss.in.sin_addr.s_addr;
	return a->ss.in6.sin6_port == b->ss.in6.sin6_port &&
	       !memcmp(&a->ss.in6.sin6_addr, &b->ss.in6.sin6_addr, sizeof(struct in6_addr));
}

/* The party that sent a message of Call-ID cid to `to`. */
static struct ua *party_of(struct eng *e, const char *cid, size_t len, const struct tp_addr *to)
{
	uint64_t k = msg_hash(cid, len);
	struct htab_node *n;
	struct ua *any = NULL;

	for (n = htab_chain(&e->by_cid, k); n; n = n->next) {
		struct ua *u = LST_ENTRY(n, struct ua, cid_node);

		if (n->key != k || strlen(u->call_id) != len || memcmp(u->call_id, cid, len))
			continue;
		if (same_addr(&u->remote, to))
			return u;
		if (!any)
			any = u;
	}
	return any;
}

/* Has ua passed its steps (done, or in its closing timewait)? A late
 * error does not fail such a call. */
static int past_steps(const struct ua *ua)
{
	return ua->state == UA_ST_DONE ||
	       (ua->state == UA_ST_PAUSE && ua->pc < ua->pu->nsteps &&
		ua->pu->steps[ua->pc].kind == STEP_TIMEWAIT);
}

int eng_fail_unparsable(struct eng *e, const char *buf, size_t len,
			const struct tp_addr *from)
{
	const char *cid, *s;
	size_t n;
	struct ua *ua;

	if (quoted_call_id(buf, len, &cid, &n))
		return 0;
	for (s = cid; s + 3 <= cid + n; s++)
		if (!memcmp(s, "///", 3)) {   /* as msg_call_key() */
			n -= (size_t)(s + 3 - cid);
			cid = s + 3;
			break;
		}
	ua = party_of(e, cid, n, from);
	if (!ua || past_steps(ua))
		return 0;
	ua_fail(ua, FAIL_UNEXPECTED, "unparsable message (a SIP message lacking a "
		"mandatory header, or not SIP)");
	return 1;
}

/* The quote ends before the Call-ID (long headers): the party whose
 * request being retransmitted starts with the quoted bytes (its top Via's
 * branch tells it from the others). A scan of the running calls, only
 * for such errors. */
static struct ua *party_by_request(struct eng *e, const struct tp_icmp *ic)
{
	struct lst_node *n;
	unsigned i;

	if (ic->len < 16)
		return NULL;
	for (n = e->active.next; n != &e->active; n = n->next) {
		struct call *c = LST_ENTRY(n, struct call, le);

		for (i = 0; i < c->nuas; i++) {
			struct ua *u = &c->ua[i];

			if (u->rtx_msg && u->rtx_len >= ic->len && same_addr(&u->remote, &ic->to) &&
			    !memcmp(u->rtx_msg, ic->buf, ic->len))
				return u;
		}
	}
	return NULL;
}

static void on_icmp(struct tp_sock *s, const struct tp_icmp *ic, void *arg)
{
	struct eng *e = arg;
	char to[80], from[80], what[256];
	const char *cid;
	size_t n;
	struct ua *ua;
	unsigned beh;

	(void)s;
	e->st.icmp++;
	tp_addr_host(&ic->to, to, sizeof(to));
	tp_addr_host(&ic->offender, from, sizeof(from));
	if (ic->offender.len && !strcmp(to, from))
		snprintf(what, sizeof(what), "ICMP %s from %s:%u", ic->what, to,
			 tp_addr_port(&ic->to));
	else
		snprintf(what, sizeof(what), "ICMP %s from %s for %s:%u", ic->what,
			 ic->offender.len ? from : "?", to, tp_addr_port(&ic->to));
	ua = NULL;
	if (!quoted_call_id(ic->buf, ic->len, &cid, &n))
		ua = party_of(e, cid, n, &ic->to);
	if (!ua)
		ua = party_by_request(e, ic);
	if (!ua) {
		eng_trace_err(e, "%s, for a message of no running call", what);
		return;
	}
	if (!ic->fatal || past_steps(ua)) {
		/* not a lost datagram, or the call has passed its steps */
		eng_trace_err(e, "%s, for call %s (not failed)", what, ua->call_id);
		return;
	}
	if (!e->o.icmp_fail) {
		eng_trace_err(e, "%s, for call %s (retransmitted; -icmp_fail fails it)", what,
			      ua->call_id);
		return;
	}
	/* a BYE or CANCEL would meet the same error */
	beh = e->o.behaviors;
	e->o.behaviors &= ~(unsigned)ENG_BEH_BYE;
	ua_fail(ua, FAIL_UNREACHABLE, what);
	e->o.behaviors = beh;
}

int eng_open_socket(struct eng *e, struct tp_sock **sp, unsigned port, int main_sock,
		    tp_recv_h *h, struct diag *d)
{
	struct tp_stream_conf c;
	int err;

	if (e->o.proto == TP_UDP) {
		err = tp_udp_open(sp, e->loop, main_sock ? e->o.local_ip : e->local_ip, port, h, e,
				  d);
		if (!err)
			tp_set_icmp(*sp, on_icmp, e);
		return err;
	}
	memset(&c, 0, sizeof(c));
	c.proto = (enum tp_proto)e->o.proto;
	c.listen = main_sock;
	c.tls = e->o.tls;
	c.peer_name = e->tls_name[0] ? e->tls_name : NULL;
	c.ws_path = e->o.ws_path;
	err = tp_stream_open(sp, e->loop, &c, main_sock ? e->o.local_ip : e->local_ip, port, h,
			     e, d);
	if (!err)
		tp_set_lost(*sp, on_lost, e);
	return err;
}

void eng_peer_name(struct eng *e)
{
	const char *r = e->o.remote;
	size_t n;

	if (e->o.tls_name) {
		snprintf(e->tls_name, sizeof(e->tls_name), "%s", e->o.tls_name);
		return;
	}
	if (!r)
		return;
	/* the host as given: "name:port", "[v6]:port", "v4" */
	if (r[0] == '[')
		n = strcspn(r + 1, "]"), r++;
	else
		n = strchr(r, ':') == strrchr(r, ':') ? strcspn(r, ":") : strlen(r);
	snprintf(e->tls_name, sizeof(e->tls_name), "%.*s", (int)n, r);
}
