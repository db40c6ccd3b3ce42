/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recv: what a UA does with a received message: answer retransmissions
 * again, stop its own retransmissions, find the <recv> step it matches
 * (the current one or a following optional one), or count it as
 * unexpected and fail the call. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/auth.h"
#include "sip/msg.h"

/* SIPp's: a response is for this recv only if its CSeq method is one the
 * party sent before (or that of its response_txn=) */
static int method_matches(const struct step *st, const struct msg *m)
{
	const char *p;
	size_t n = strlen(m->cseq_method);

	if (st->txn_method)
		return !strcmp(st->txn_method, m->cseq_method);
	if (!st->cseq_methods)
		return 1;
	if (!n)
		return 0;
	for (p = st->cseq_methods; (p = strstr(p, m->cseq_method)) != NULL; p++)
		if (p > st->cseq_methods && p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

static int step_matches(const struct step *st, const struct msg *m)
{
	char code[8];

	if (st->kind != STEP_RECV)
		return 0;
	if (st->request)
		return m->is_request && strcasecmp(m->method, st->request) == 0;
	if (m->is_request)
		return 0;
	if (st->response_re_ok) {
		snprintf(code, sizeof(code), "%d", m->status);
		if (regexec(&st->response_re, code, 0, NULL, 0))
			return 0;
	} else if (m->status != st->response) {
		return 0;
	}
	return method_matches(st, m);
}

/* A datagram identical to the last one received: the peer did not hear
 * our answer. Send it again when we have one (RFC 3261 17.2.1, 13.2.2.4).
 * A repeated ACK has none (the response it acknowledged was sent before
 * it; SIPp does not resend either): resending that response, rendered
 * again against the ACK, made a "200 OK" with "CSeq: 1 ACK" and new SDES
 * keys mid-call. */
static int handle_retransmission(struct ua *ua, struct msg *m)
{
	struct eng *e = ua->call->eng;

	if (!ua->rx_len || ua->rx_hash != m->hash || ua->rx_len != m->len)
		return 0;
	e->st.retrans_rx++;
	if ((m->is_request && ua->last_sent_is_resp && strcmp(m->method, "ACK")) ||
	    (!m->is_request && m->status >= 200 && ua->last_sent_is_ack))
		ua_resend_last(ua, m);
	return 1;
}

static void stop_own_retransmission(struct ua *ua, const struct msg *m)
{
	/* the first answer to a request sent once: how long answers take */
	if ((ua->rtx_kind == RTX_INVITE || ua->rtx_kind == RTX_NON_INVITE) &&
	    !m->is_request && ua->txn.sent == 0) {
		struct eng *e = ua->call->eng;

		eng_pace_sample(&e->pace, loop_now_us(e->loop) - ua->last_send_us);
		if (!ua->call->answered) {
			ua->call->answered = 1;
			eng_pace_answered(&e->pace, loop_now_us(e->loop));
		}
	}
	switch (ua->rtx_kind) {
	case RTX_FINAL_RESP:
		if (m->is_request && !strcasecmp(m->method, "ACK"))
			break;
		return;
	case RTX_INVITE:
		if (!m->is_request && !strcasecmp(m->cseq_method, "INVITE"))
			break;
		return;
	case RTX_NON_INVITE:
		if (m->is_request || strcasecmp(m->cseq_method, ua->rtx_method))
			return;
		if (m->status < 200) {
			ua_rtx_provisional(ua);
			return;
		}
		break;
	default:
		return;
	}
	tmr_cancel(&ua->rtx);
	ua->rtx_kind = RTX_NONE;
}

/* The step m matches: the current recv, or one of the optional recvs
 * that follow it (labels are transparent). -1 if none. */
static int find_forward(const struct ua *ua, const struct msg *m)
{
	unsigned i;

	if (ua->state != UA_ST_RECV)
		return -1;
	for (i = ua->pc; i < ua->pu->nsteps; i++) {
		const struct step *st = &ua->pu->steps[i];

		if (st->kind == STEP_LABEL)
			continue;
		if (st->kind != STEP_RECV)
			return -1;
		if (step_matches(st, m))
			return (int)i;
		if (!st->optional)
			return -1;
	}
	return -1;
}

int ua_expects_request(const struct ua *ua, const struct msg *m)
{
	return m->is_request && find_forward(ua, m) >= 0;
}

/* A message an earlier recv step expected: a late or repeated answer
 * (a 100 after the 180, a retransmitted 180). Ignored, as SIPp does. */
static int matches_earlier(const struct ua *ua, const struct msg *m)
{
	unsigned i;

	for (i = 0; i < ua->pc && i < ua->pu->nsteps; i++)
		if (step_matches(&ua->pu->steps[i], m))
			return 1;
	return 0;
}

/* An optional recv with advance_state="false" (SIPp's): counted, its
 * actions run on m, and the party goes on waiting where it was, its
 * receive timer running and its last message kept. */
static void stay(struct ua *ua, const struct step *st, struct msg *m)
{
	enum fail_reason r;

	ua_step_stat(ua, st->index)->recv++;
	if (var_run_actions(ua, st, m, &r)) {
		msg_free(m);
		ua_fail(ua, r, st->display);
		return;
	}
	ua->jump_to = -1;  /* a <jump> there has nowhere to go */
	msg_free(m);
}

static int auto_answer(struct ua *ua, const struct msg *m)
{
	static const char *const methods[] = {"INFO", "NOTIFY", "OPTIONS", "UPDATE"};
	struct eng *e = ua->call->eng;
	unsigned i;

	if (!m->is_request)
		return 0;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(m->method, methods[i]))
			continue;
		/* -aa answers all four; the pingreply behaviour only OPTIONS */
		if (!e->o.auto_answer &&
		    !(i == 2 && (e->o.behaviors & ENG_BEH_PINGREPLY)))
			return 0;
		buf_reset(&e->scratch);
		if (msg_build_response(m, 200, "OK", NULL, &e->scratch) == 0)
			eng_send(e, ua, e->scratch.data, e->scratch.len);
		e->st.auto_answered++;
		return 1;
	}
	return 0;
}

static void keep_challenge(struct ua *ua, const struct msg *m)
{
	if (!ua->chal && !(ua->chal = malloc(sizeof(*ua->chal))))
		return;
	if (auth_parse_challenge(m, ua->chal)) {
		free(ua->chal);
		ua->chal = NULL;
		return;
	}
	ua->auth_nc = 0;
}

/* The URI in a name-addr ("<uri>;params" or a bare URI): into out. */
static int add_uri(struct buf *out, const char *p, size_t n)
{
	const char *lt = memchr(p, '<', n), *gt;

	gt = lt ? memchr(lt, '>', n - (size_t)(lt - p)) : NULL;
	if (lt && gt)
		return buf_add(out, lt + 1, (size_t)(gt - lt - 1));
	return buf_add(out, p, n);
}

/* rrs="true" (RFC 3261 12.1, as SIPp does it, once per party): the route
 * set is the Record-Route entries in their order for a request we took
 * (we are the UAS), reversed for a response (the UAC), as "Route: a, b";
 * [next_url] is the peer's Contact, or with a strict router (a first hop
 * without ;lr) that hop, the Contact then closing the route set. */
static void route_set(struct ua *ua, const struct msg *m)
{
	struct buf all, r, url;
	const char *hop[64];
	size_t len[64];
	unsigned n = 0, i, first = 0;
	struct msg_pl ct = msg_hdr_first(m, "Contact", 7);
	const char *p, *e;

	buf_init(&all, 1 << 16);
	buf_init(&r, 1 << 16);
	buf_init(&url, 256);
	msg_hdr_append(m, "Record-Route", 12, 1, &all);
	/* one entry per comma outside <> and quotes */
	for (p = all.data ? all.data : ""; *p && n < 64; p = *e ? e + 1 : e) {
		int in_angle = 0, in_quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e && (in_angle || in_quote || *e != ','); e++) {
			if (*e == '"')
				in_quote = !in_quote;
			else if (!in_quote && (*e == '<' || *e == '>'))
				in_angle = *e == '<';
		}
		len[n] = (size_t)(e - p);
		while (len[n] && (p[len[n] - 1] == ' ' || p[len[n] - 1] == '\t'))
			len[n]--;
		hop[n] = p;
		n += len[n] != 0;
	}
	for (i = 0; !m->is_request && i < n / 2; i++) {   /* the UAC's: reversed */
		const char *h = hop[i];
		size_t l = len[i];

		hop[i] = hop[n - 1 - i];
		len[i] = len[n - 1 - i];
		hop[n - 1 - i] = h;
		len[n - 1 - i] = l;
	}
	if (!ct.len && !n)
		goto out;
	if (n && !memmem(hop[0], len[0], ";lr", 3)) {
		first = 1;      /* a strict router: the request goes to it */
		(void)add_uri(&url, hop[0], len[0]);
	} else if (ct.len) {
		(void)add_uri(&url, ct.p, ct.len);
	}
	if (n > first && !buf_adds(&r, "Route: ")) {
		for (i = first; i < n; i++)
			if ((i > first && buf_adds(&r, ", ")) || buf_add(&r, hop[i], len[i]))
				break;
		if (first && ct.len && !buf_adds(&r, ", "))
			(void)buf_add(&r, ct.p, ct.len);
		ua->routes = buf_take(&r);
	}
	if (url.len)
		ua->next_url = buf_take(&url);
out:
	buf_free(&all);
	buf_free(&r);
	buf_free(&url);
}

static void remember(struct ua *ua, struct msg *m, const struct step *st)
{
	const struct msg_pl *tag = m->is_request ? &m->from_tag : &m->to_tag;
	char *t;

	if (tag->len && (t = strndup(tag->p, tag->len)) != NULL) {
		free(ua->peer_tag);
		ua->peer_tag = t;
	}
	if (st->rrs && !ua->routes && !ua->next_url)
		route_set(ua, m);
	msg_free(ua->last_msg);
	ua->last_msg = m;
	ua->rx_hash = m->hash;
	ua->rx_len = m->len;
}

/* A final non-2xx answer to our INVITE that no step expected still gets
 * its ACK (RFC 3261 17.1.1.3), or the peer retransmits it for 32 s. */
static void ack_unexpected_final(struct ua *ua, const struct msg *m)
{
	struct eng *e = ua->call->eng;
	const char *inv = ua->rtx_msg;
	const char *sp, *sp2;

	if (m->is_request || m->status < 300 || strcasecmp(m->cseq_method, "INVITE") ||
	    !inv || strncmp(inv, "INVITE ", 7))
		return;
	sp = inv + 6;
	sp2 = strchr(sp + 1, ' ');
	if (!sp2)
		return;
	buf_reset(&e->scratch);
	if (msg_build_ack(m, sp + 1, (size_t)(sp2 - sp - 1), &e->scratch) == 0)
		eng_send(e, ua, e->scratch.data, e->scratch.len);
}

static void unexpected(struct ua *ua, struct msg *m)
{
	char what[96];

	ack_unexpected_final(ua, m);
	if (!m->is_request)
		rpt_codes_add(&ua->call->eng->codes, m->status);
	if (!(ua->call->eng->o.behaviors & ENG_BEH_ABORTUNEXP)) {
		/* -default_behaviors -abortunexp: count it, keep the call going */
		ua_step_stat(ua, ua->pc < ua->pu->nsteps ? ua->pc : 0)->unexpected++;
		msg_free(m);
		return;
	}
	ua_step_stat(ua, ua->pc < ua->pu->nsteps ? ua->pc : 0)->unexpected++;
	if (m->is_request && (ua->call->eng->o.behaviors & ENG_BEH_BYE) &&
	    (!strcasecmp(m->method, "BYE") || !strcasecmp(m->method, "CANCEL"))) {
		struct eng *e = ua->call->eng;

		/* as SIPp's default behaviour "bye": the peer ending the call
		 * gets its 200, this call is failed all the same */
		buf_reset(&e->scratch);
		if (msg_build_response(m, 200, "OK", NULL, &e->scratch) == 0)
			eng_send(e, ua, e->scratch.data, e->scratch.len);
	}
	if (m->is_request)
		snprintf(what, sizeof(what), "received %s while at %s", m->method,
			 ua->pc < ua->pu->nsteps ? ua->pu->steps[ua->pc].display : "end");
	else
		snprintf(what, sizeof(what), "received %d (%s) while at %s", m->status,
			 m->cseq_method,
			 ua->pc < ua->pu->nsteps ? ua->pu->steps[ua->pc].display : "end");
	ua_fail(ua, FAIL_UNEXPECTED, what);
	msg_free(m);
}

/* <recv max_time=>: fail the call when the message came too late. */
static int too_slow(struct ua *ua, const struct step *st, struct msg *m)
{
	uint64_t now = loop_now_us(ua->call->eng->loop), base;
	char what[160];

	base = st->max_time_from ? ua->rtd_start_us[st->max_time_from - 1] : ua->last_send_us;
	if (!base || now - base <= (uint64_t)st->max_time_ms * 1000)
		return 0;
	ua_step_stat(ua, st->index)->recv++;
	snprintf(what, sizeof(what), "%s after %.3f ms, more than max_time %d ms (since %s%s)",
		 st->display, (double)(now - base) / 1000.0, st->max_time_ms,
		 st->max_time_from ? "rtd " : "the last send",
		 st->max_time_from ? ua->call->eng->p->rtd_names[st->max_time_from - 1] : "");
	ua->pc = st->index;
	ua_fail(ua, FAIL_TOO_SLOW, what);
	msg_free(m);
	return 1;
}

/* A new 401/407 to a request that carried our credentials, that no step
 * expects: the target refused them (wrong user or password). SIPp would
 * take it for a retransmission of the first challenge and wait forever. */
static int credentials_rejected(struct ua *ua, struct msg *m)
{
	char what[128];

	if (m->is_request || (m->status != 401 && m->status != 407) ||
	    !ua->auth_cseq || m->cseq != ua->auth_cseq)
		return 0;
	ack_unexpected_final(ua, m);
	ua_step_stat(ua, ua->pc < ua->pu->nsteps ? ua->pc : 0)->unexpected++;
	snprintf(what, sizeof(what), "credentials refused: %d to %s with [authentication] "
		 "(wrong user or password?)", m->status, m->cseq_method);
	ua_fail(ua, FAIL_AUTH, what);
	msg_free(m);
	return 1;
}

static int is_inv_2xx(const struct msg *m)
{
	return !m->is_request && m->status >= 200 && m->status < 300 &&
	       !strcasecmp(m->cseq_method, "INVITE");
}

/* A 2xx to an INVITE we already ACKed: the peer did not get the ACK. The
 * UAC core ACKs every repeat (RFC 3261 13.2.2.4), also after its BYE: the
 * ACK step again while it was the last sent, else an ACK built from the
 * 2xx (to its Contact, to where it came from). */
static int ack_repeated_2xx(struct ua *ua, struct msg *m)
{
	struct eng *e = ua->call->eng;
	struct msg_pl c;

	if (!ua->acked_cseq || m->cseq != ua->acked_cseq || !is_inv_2xx(m))
		return 0;
	e->st.retrans_rx++;
	if (ua->last_sent_is_ack) {
		ua_resend_last(ua, m);
		return 1;
	}
	c = msg_contact_uri(m);
	buf_reset(&e->scratch);
	/* a retransmission of the ACK step, as ua_resend_last counts it */
	if (c.len && msg_build_ack(m, c.p, c.len, &e->scratch) == 0 &&
	    eng_send(e, ua, e->scratch.data, e->scratch.len) == 0)
		ua_step_stat(ua, ua->ack_step)->retrans++;
	return 1;
}

void ua_on_msg(struct ua *ua, struct msg *m)
{
	const struct step *st;
	enum fail_reason r;
	int i;

	if (ack_repeated_2xx(ua, m) || handle_retransmission(ua, m)) {
		msg_free(m);
		return;
	}
	if (ua->state == UA_ST_DONE) {
		/* late for a party past its last step (an ACK a proxy passed on
		 * after the BYE): absorbed, as for an ended call */
		ua->call->eng->st.retrans_rx++;
		msg_free(m);
		return;
	}
	if (ua->call->eng->cap || ua->call->eng->o.calldebug_log) {
		struct tp_addr self;

		eng_local_addr(ua, &self);
		rpt_pcap_hold(&ua->call->cap, m->raw, m->len, &ua->remote, &self, 0);
	}
	stop_own_retransmission(ua, m);
	ua_note_msg(ua, m);
	eng_nat_learn(ua, m);
	eng_media_msg(ua, m);
	i = find_forward(ua, m);
	if (i < 0 && credentials_rejected(ua, m))
		return;
	if (i < 0) {
		if (matches_earlier(ua, m) || auto_answer(ua, m) ||
		    ua->pu->steps[ua->pc < ua->pu->nsteps ? ua->pc : 0].kind == STEP_TIMEWAIT) {
			ua->call->eng->st.retrans_rx++;
			msg_free(m);
			return;
		}
		unexpected(ua, m);
		return;
	}
	st = &ua->pu->steps[i];
	if (st->max_time_ms && too_slow(ua, st, m))
		return;
	if (st->stay) {
		stay(ua, st, m);
		return;
	}
	tmr_cancel(&ua->tmr);
	ua_step_stat(ua, (unsigned)i)->recv++;
	ua->pc = (unsigned)i;
	if (is_inv_2xx(m))
		ua->ok_cseq = m->cseq;
	if (st->auth && !m->is_request)
		keep_challenge(ua, m);
	remember(ua, m, st);
	if (var_run_actions(ua, st, m, &r)) {
		ua_fail(ua, r, st->display);
		return;
	}
	if (!st->keep_last) {
		/* no later step reads it: an idle call holds no message */
		msg_free(ua->last_msg);
		ua->last_msg = NULL;
	}
	ua_rtx_forget(ua);
	/* rtd_marks and advance live in ua.c; reuse them via ua_after_recv */
	ua->state = UA_ST_RUN;
	ua_after_recv(ua, st);
	ua_run(ua);
}
