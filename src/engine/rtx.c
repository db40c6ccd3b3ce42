/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtx: a party's retransmissions over UDP. After each send it decides
 * what must be sent again until answered: a request (timers A/B, E/F:
 * RFC 3261 17.1.1.2, 17.1.2.2) or a final response to an INVITE (timers
 * G/H: 17.2.1, 13.3.1.4); over a stream only the 64*T1 timeout is left.
 * When is sip/txn.c's schedule; rtx.c keeps the copy, resends and counts,
 * and returns a timeout to ua.c, which owns the timer and fails the call
 * (rtx.c calls nothing above it). Also the resend of the last response
 * or ACK for a repeated message. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

int ua_keep_copy(char **dst, size_t *dlen, const char *src, size_t len)
{
	char *p = realloc(*dst, len + 1);

	if (!p)
		return ENOMEM;
	memcpy(p, src, len);
	p[len] = '\0';
	*dst = p;
	*dlen = len;
	return 0;
}

/* The CSeq method of a rendered message, into out. */
static void cseq_method(const char *msg, char *out, size_t n)
{
	const char *p = msg;

	out[0] = '\0';
	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (!strncasecmp(p, "CSeq:", 5)) {
			p += 5;
			while (*p == ' ' || *p == '\t' || (*p >= '0' && *p <= '9'))
				p++;
			size_t l = strcspn(p, " \t\r\n");
			if (l >= n)
				l = n - 1;
			memcpy(out, p, l);
			out[l] = '\0';
			return;
		}
		if (*p == '\r' || *p == '\n')
			return;
	}
}

/* The run's timers, with the step's retrans= as T1. */
static void rtx_conf(const struct ua *ua, const struct step *st, struct txn_conf *c)
{
	*c = ua->call->eng->o.txn;
	if (st->retrans_ms > 0)
		c->t1_ms = (uint32_t)st->retrans_ms;
}

static uint32_t rtx_arm(struct ua *ua, const struct step *st, enum rtx_kind k,
			const char *buf, size_t len, const char *method)
{
	struct txn_conf c;
	/* -nr: over UDP too, as over a stream: no resend, timers B, F, H */
	int reliable = tp_proto_reliable(tp_sock_proto(ua->sock)) ||
		       ua->call->eng->o.no_retrans;
	size_t l = strlen(method);

	if (ua_keep_copy(&ua->rtx_msg, &ua->rtx_len, buf, len))
		return TXN_NEVER;  /* no retransmission without memory; not fatal */
	ua->rtx_kind = k;
	ua->rtx_step = st->index;
	l = l < sizeof(ua->rtx_method) - 1 ? l : sizeof(ua->rtx_method) - 1;
	memcpy(ua->rtx_method, method, l);
	ua->rtx_method[l] = '\0';
	rtx_conf(ua, st, &c);
	if (k != RTX_FINAL_RESP)
		return txn_begin(&ua->txn, &c, k == RTX_INVITE ? TXN_ICT : TXN_NICT, reliable);
	/* G until the ACK, H without it (17.2.1; 13.3.1.4 for a 2xx) */
	txn_begin(&ua->txn, &c, TXN_IST, reliable);
	return txn_event(&ua->txn, &c, TXN_EV_FINAL);
}

int ua_rtx_fire(struct ua *ua, uint32_t *next, char *what, size_t n)
{
	struct eng *e = ua->call->eng;
	const struct step *st = &ua->pu->steps[ua->rtx_step];
	struct txn_conf c;

	*next = TXN_NEVER;
	if (ua->rtx_kind == RTX_NONE)
		return 0;
	rtx_conf(ua, st, &c);
	switch (txn_fire(&ua->txn, &c, next)) {
	case TXN_ACT_RESEND:
		eng_send(e, ua, ua->rtx_msg, ua->rtx_len);
		ua_step_stat(ua, st->index)->retrans++;
		if (ua->rtx_kind == RTX_NONE)
			*next = TXN_NEVER;  /* the send failed the call */
		return 0;
	case TXN_ACT_TIMEOUT:
		break;
	default:
		return 0;  /* a capped response waits for its ACK until H */
	}
	/* B, F (or -max_retrans sends), H: the call cannot go on */
	if (ua->rtx_kind == RTX_FINAL_RESP) {
		snprintf(what, n, "no ACK (timer H) for %s after %.1f s", st->display,
			 (double)ua->txn.end_ms / 1000.0);
		ua_rtx_stop(ua);
		ua_rtx_forget(ua);
	} else {
		snprintf(what, n, "%s", st->display);
		ua_rtx_stop(ua);
	}
	ua_step_stat(ua, st->index)->timeouts++;
	ua->call->timed_out = 1;
	return ETIMEDOUT;
}

void ua_rtx_provisional(struct ua *ua)
{
	struct txn_conf c;

	rtx_conf(ua, &ua->pu->steps[ua->rtx_step], &c);
	txn_event(&ua->txn, &c, TXN_EV_1XX);
}

/* Sent a message: decide what must be retransmitted until answered. */
uint32_t ua_rtx_after_send(struct ua *ua, const struct step *st, const char *buf, size_t len)
{
	const struct tpl *t = st->msg;
	char cm[24];

	if (t->is_request) {
		if (ua_is_method(t->method, "ACK"))
			return TXN_NEVER;
		return rtx_arm(ua, st, ua_is_method(t->method, "INVITE") ? RTX_INVITE :
			       RTX_NON_INVITE, buf, len, t->method);
	}
	if (t->status < 200)
		return TXN_NEVER;
	cseq_method(buf, cm, sizeof(cm));
	if (ua_is_method(cm, "INVITE"))
		return rtx_arm(ua, st, RTX_FINAL_RESP, buf, len, "ACK");
	return TXN_NEVER;
}

void ua_resend_last(struct ua *ua, struct msg *m)
{
	struct eng *e = ua->call->eng;
	const struct step *st;
	struct msg *keep = ua->last_msg;
	int err;

	/* a retransmission too, counted on the step that sent it first (as
	 * SIPp does): every datagram sent is a step's send or a retransmission */
	if (ua->last_sent) {
		if (eng_send(e, ua, ua->last_sent, ua->last_sent_len) == 0 && ua->last_sent_step >= 0)
			ua_step_stat(ua, (unsigned)ua->last_sent_step)->retrans++;
		return;
	}
	if (ua->last_sent_step < 0)
		return;
	st = &ua->pu->steps[ua->last_sent_step];
	ua->last_msg = m;  /* the same bytes as the message it answered */
	ua->resending = 1; /* and the same SDES keys (RFC 3261 17.2.1)   */
	err = rend_tpl(ua, st, st->msg, 1, &e->out);
	ua->resending = 0;
	ua->last_msg = keep;
	if (!err && eng_send(e, ua, e->out.data, e->out.len) == 0)
		ua_step_stat(ua, st->index)->retrans++;
}

void ua_rtx_forget(struct ua *ua)
{
	if (ua->rtx_kind != RTX_NONE || ua->inv_pending)
		return;
	free(ua->rtx_msg);
	ua->rtx_msg = NULL;
	ua->rtx_len = 0;
}
