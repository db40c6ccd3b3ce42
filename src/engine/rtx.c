/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtx: a party's retransmissions over UDP. After each send it decides
 * what must be sent again until answered: a request (timers A/B, E/F:
 * RFC 3261 17.1.1.2, 17.1.2.2) or a final response to an INVITE (timers
 * G/H: 17.2.1, 13.3.1.4); over a stream only the 64*T1 timeout is left.
 * Also the resend of the last response or ACK for a repeated message. */
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

static void rtx_fire(void *arg);

static void rtx_arm(struct ua *ua, const struct step *st, enum rtx_kind k,
		    const char *buf, size_t len, const char *method)
{
	if (ua_keep_copy(&ua->rtx_msg, &ua->rtx_len, buf, len))
		return;  /* no retransmission without memory; not fatal */
	ua->rtx_kind = k;
	ua->rtx_step = st->index;
	ua->rtx_count = 0;
	ua->rtx_interval_ms = (uint32_t)(st->retrans_ms > 0 ? st->retrans_ms : SIP_T1_MS);
	ua->rtx_elapsed_ms = 0;
	{
		size_t l = strlen(method);

		l = l < sizeof(ua->rtx_method) - 1 ? l : sizeof(ua->rtx_method) - 1;
		memcpy(ua->rtx_method, method, l);
		ua->rtx_method[l] = '\0';
	}
	/* a stream delivers or fails: only the 64*T1 timeout is left */
	if (tp_proto_reliable(tp_sock_proto(ua->sock)))
		ua->rtx_interval_ms = 64 * ua->rtx_interval_ms;
	tmr_start(ua->call->eng->loop, &ua->rtx, ua->rtx_interval_ms, rtx_fire, ua);
}

/* Timer H (17.2.1; 13.3.1.4 for a 2xx): the final response was never
 * acknowledged, the call cannot go on. */
static void timer_h(struct ua *ua, const struct step *st)
{
	char what[96];

	ua_rtx_stop(ua);
	ua_rtx_forget(ua);
	ua_step_stat(ua, st->index)->timeouts++;
	ua->call->timed_out = 1;
	snprintf(what, sizeof(what), "no ACK (timer H) for %s after %.1f s",
		 st->display, (double)ua->rtx_elapsed_ms / 1000.0);
	ua_fail(ua, FAIL_MAX_RETRANS, what);
}

static void rtx_fire(void *arg)
{
	struct ua *ua = arg;
	struct eng *e = ua->call->eng;
	const struct step *st = &ua->pu->steps[ua->rtx_step];
	uint32_t t1 = (uint32_t)(st->retrans_ms > 0 ? st->retrans_ms : SIP_T1_MS);
	int capped = e->o.max_retrans && ua->rtx_count >= e->o.max_retrans;

	ua->rtx_elapsed_ms += ua->rtx_interval_ms;
	if (ua->rtx_kind == RTX_FINAL_RESP) {
		if (ua->rtx_elapsed_ms >= 64 * t1) {
			timer_h(ua, st);
			return;
		}
		if (capped) {
			/* -max_retrans caps the sends; the ACK may still come */
			ua->rtx_interval_ms = 64 * t1 - ua->rtx_elapsed_ms;
			tmr_start(e->loop, &ua->rtx, ua->rtx_interval_ms, rtx_fire, ua);
			return;
		}
	} else if (ua->rtx_elapsed_ms >= 64 * t1 || capped) {
		/* RFC 3261 17.1.1.2 timer B / 17.1.2.2 timer F: 64*T1 */
		ua_rtx_stop(ua);
		ua_step_stat(ua, st->index)->timeouts++;
		ua->call->timed_out = 1;
		ua_fail(ua, FAIL_MAX_RETRANS, st->display);
		return;
	}
	eng_send(e, ua, ua->rtx_msg, ua->rtx_len);
	ua->rtx_count++;
	ua_step_stat(ua, st->index)->retrans++;
	if (ua->rtx_kind == RTX_INVITE)
		ua->rtx_interval_ms *= 2;  /* timer A: no cap */
	else
		ua->rtx_interval_ms = ua->rtx_interval_ms * 2 > SIP_T2_MS ?
				      SIP_T2_MS : ua->rtx_interval_ms * 2;
	/* timers B, F and H run from the first send, whatever the resends'
	 * spacing: the last wake-up lands on 64*T1 exactly */
	if (ua->rtx_interval_ms > 64 * t1 - ua->rtx_elapsed_ms)
		ua->rtx_interval_ms = 64 * t1 - ua->rtx_elapsed_ms;
	tmr_start(e->loop, &ua->rtx, ua->rtx_interval_ms, rtx_fire, ua);
}

/* Sent a message: decide what must be retransmitted until answered. */
void ua_rtx_after_send(struct ua *ua, const struct step *st, const char *buf, size_t len)
{
	const struct tpl *t = st->msg;
	char cm[24];

	if (t->is_request) {
		if (ua_is_method(t->method, "ACK"))
			return;
		rtx_arm(ua, st, ua_is_method(t->method, "INVITE") ? RTX_INVITE : RTX_NON_INVITE,
			buf, len, t->method);
		return;
	}
	if (t->status < 200)
		return;
	cseq_method(buf, cm, sizeof(cm));
	if (ua_is_method(cm, "INVITE"))
		rtx_arm(ua, st, RTX_FINAL_RESP, buf, len, "ACK");
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
	err = rend_tpl(ua, st, st->msg, 1, &e->out);
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
