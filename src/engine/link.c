/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link: the engine's side of stream transports. Opening the main socket
 * or a call's own, and what a lost connection does (SIPp's
 * -max_reconnect, -reconnect_sleep, -reconnect_close): a client run
 * reopens the connection to its target on the next send, up to
 * -max_reconnect times, failing the calls that were on it; one loss more
 * ends the run. A server forgets a lost connection: its calls end by
 * their own timeouts, or fail when they next send. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "engine/internal.h"

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
		if (!only || c->ua[0].sock == only)
			ua_fail(&c->ua[0], FAIL_SEND, what);
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

int eng_open_socket(struct eng *e, struct tp_sock **sp, unsigned port, int main_sock,
		    tp_recv_h *h, struct diag *d)
{
	struct tp_stream_conf c;
	int err;

	if (e->o.proto == TP_UDP)
		return tp_udp_open(sp, e->loop, main_sock ? e->o.local_ip : e->local_ip, port, h, e,
				   d);
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
