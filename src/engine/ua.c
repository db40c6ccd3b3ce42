/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ua: the interpreter of one virtual user agent: runs its steps (send,
 * recv, pause, nop, label, timewait), matches received messages to the
 * expected step and decides the call's outcome. What it retransmits,
 * and when, is rtx.c's. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

#define RUN_GUARD 100000   /* steps without waiting: a scenario loop bug */

static struct eng *ua_eng(const struct ua *ua)
{
	return ua->call->eng;
}

size_t ua_extra_size(const struct prog *p)
{
	return (p->nvars ? p->nvars : 1) * sizeof(struct var_val) +
	       (p->nrtds ? p->nrtds : 1) * sizeof(uint64_t);
}

int ua_init(struct ua *ua, struct call *c, const struct prog_ua *pu, unsigned step_base,
	    void *extra)
{
	const struct prog *p = c->eng->p;
	unsigned i;

	memset(ua, 0, sizeof(*ua));
	ua->call = c;
	ua->pu = pu;
	ua->step_base = step_base;
	ua->jump_to = -1;
	ua->last_sent_step = -1;
	ua->state = UA_ST_RUN;
	/* raised before each request: the first has -base_cseq (0: 1) */
	ua->cseq = c->eng->o.base_cseq ? c->eng->o.base_cseq - 1 : 0;
	/* zeroed memory of the call's own block (ua_extra_size) */
	ua->vars = extra;
	ua->rtd_start_us = (uint64_t *)(ua->vars + (p->nvars ? p->nvars : 1));
	/* without start_rtd, a response time counts from the call's start */
	for (i = 0; i < p->nrtds; i++)
		ua->rtd_start_us[i] = c->start_us;
	return 0;
}

void ua_release(struct ua *ua)
{
	const struct prog *p = ua->call ? ua->call->eng->p : NULL;
	unsigned i;

	tmr_cancel(&ua->tmr);
	ua_rtx_stop(ua);
	eng_media_release(ua);
	if (ua->vars && p)
		for (i = 0; i < p->nvars; i++)
			var_clear(&ua->vars[i]);
	free(ua->rtx_msg);
	free(ua->last_sent);
	free(ua->dlg);
	free(ua->chal);
	free(ua->peer_tag);
	free(ua->routes);
	free(ua->next_url);
	free(ua->call_id);
	free(ua->user);
	msg_free(ua->last_msg);
	ua->vars = NULL;
	ua->rtd_start_us = NULL;
	ua->dlg = NULL;
	ua->chal = NULL;
	ua->rtx_msg = ua->last_sent = ua->peer_tag = ua->routes = ua->call_id = NULL;
	ua->user = NULL;
	ua->last_msg = NULL;
}

static void ua_done(struct ua *ua)
{
	struct call *c = ua->call;

	if (ua->state == UA_ST_DONE)
		return;
	tmr_cancel(&ua->tmr);
	ua_rtx_stop(ua);
	ua->state = UA_ST_DONE;
	if (--c->nactive == 0)
		c->eng->hooks.call_ended(c);  /* control.c: counts it, may end the run */
}

void ua_fail(struct ua *ua, enum fail_reason r, const char *what)
{
	struct call *c = ua->call;
	unsigned i;

	if (ua->state == UA_ST_DONE)
		return;
	ua_default_behaviour(ua);
	if (!c->failed) {
		unsigned flat = ua->step_base + (ua->pc < ua->pu->nsteps ? ua->pc :
						 ua->pu->nsteps ? ua->pu->nsteps - 1 : 0);

		c->failed = 1;
		c->reason = r;
		eng_trace_err(c->eng, "call %s (call #%llu, party %s) failed at step %u: %s: %s",
			      ua->call_id ? ua->call_id : "-",
			      (unsigned long long)c->number, ua->pu->name, ua->pc + 1,
			      stat_fail_name(r), what ? what : "");
		stat_fail_note(&c->eng->st, r, flat, what);
		stat_failed_call(&c->eng->st, c->number, ua->call_id, r, flat, what);
		ua_cmd_abort(ua);  /* a 3PCC twin drops the call too */
	}
	/* the other parties of the call cannot go on without this one; the
	 * call keeps the first reason. ua_done may end the call (and queue
	 * it for freeing), so it comes last. */
	ua->state = UA_ST_DONE;
	for (i = 0; i < c->nuas; i++)
		if (&c->ua[i] != ua && c->ua[i].state != UA_ST_DONE)
			ua_fail(&c->ua[i], r, "another party of the call failed");
	ua->state = UA_ST_PAUSE;
	ua_done(ua);
}

/* In its final timewait: the party has passed every step. */
static int ua_lingering(const struct ua *ua)
{
	return ua->state == UA_ST_PAUSE && ua->pc < ua->pu->nsteps &&
	       ua->pu->steps[ua->pc].kind == STEP_TIMEWAIT;
}

/* The run has ended with the call still running: it is unfinished, not
 * failed (eng_call_ended counts it apart). Like a failed call it is ended
 * on the wire (BYE or CANCEL, -default_behaviors bye) and its messages go
 * to --pcap. Each party is aborted by itself: no cascade. */
void ua_abort(struct ua *ua, const char *why)
{
	struct call *c = ua->call;

	if (ua->state == UA_ST_DONE)
		return;
	if (ua_lingering(ua)) {
		ua_done(ua);
		return;
	}
	if (!c->failed && !c->unfinished) {
		c->unfinished = 1;
		eng_trace_err(c->eng, "call %s (call #%llu, party %s) unfinished at step %u: %s",
			      ua->call_id ? ua->call_id : "-", (unsigned long long)c->number,
			      ua->pu->name, ua->pc + 1,
			      why ? why : "run ended");
	}
	ua_default_behaviour(ua);
	ua_done(ua);
}

void ua_end_if_lingering(struct call *c)
{
	unsigned i, lingering = 0;

	for (i = 0; i < c->nuas; i++)
		lingering += c->ua[i].state == UA_ST_DONE || ua_lingering(&c->ua[i]);
	if (lingering < c->nuas)
		return;
	for (i = 0; i < c->nuas; i++)
		if (c->ua[i].state != UA_ST_DONE)
			ua_abort(&c->ua[i], NULL);
}

static void advance(struct ua *ua, const struct step *st)
{
	if (ua->jump_to >= 0) {
		ua->pc = (unsigned)ua->jump_to;
		ua->jump_to = -1;
		return;
	}
	if (st->next >= 0 &&
	    (st->test == PROG_NOVAR || var_is_true(&ua->vars[st->test])) &&
	    (st->chance_pct >= 100 || (random() % 100) < st->chance_pct)) {
		ua->pc = (unsigned)st->next;
		return;
	}
	ua->pc = st->index + 1;
}

static void rtd_marks(struct ua *ua, const struct step *st)
{
	struct eng *e = ua_eng(ua);
	uint64_t now = loop_now_us(e->loop);

	if (st->rtd && ua->rtd_start_us[st->rtd - 1]) {
		hist_add(&e->st.rtd[st->rtd - 1], now - ua->rtd_start_us[st->rtd - 1]);
		rpt_rtt_add(&e->rtt, now, now - ua->rtd_start_us[st->rtd - 1],
			    st->rtd - 1);
		if (!st->repeat_rtd)
			ua->rtd_start_us[st->rtd - 1] = 0;
	}
	if (st->start_rtd)
		ua->rtd_start_us[st->start_rtd - 1] = now;
	if (st->counter)
		e->st.gen[st->counter - 1]++;
}

/* Our own tag, as the peer will quote it back (the To of its requests,
 * the From of its responses): how dispatch.c tells apart parties that
 * share a Call-ID. Parties only: a lone party owns its Call-ID. */
static void arm_rtx(struct ua *ua, uint32_t ms);

/* The retransmission timer: rtx.c resends, or says it timed out. */
static void on_rtx(void *arg)
{
	struct ua *ua = arg;
	char what[160];
	uint32_t next;

	if (ua_rtx_fire(ua, &next, what, sizeof(what)) == ETIMEDOUT) {
		ua_fail(ua, FAIL_MAX_RETRANS, what);
		return;
	}
	arm_rtx(ua, next);
}

static void arm_rtx(struct ua *ua, uint32_t ms)
{
	if (ms != TXN_NEVER)
		tmr_start(ua_eng(ua)->loop, &ua->rtx, ms, on_rtx, ua);
}

static void learn_tag(struct ua *ua, int request, const char *buf, size_t len)
{
	struct msg_pl tag;

	if (msg_raw_tag(buf, len, request, &tag) == 0)
		ua->ltag = msg_hash(tag.p, tag.len);
}

static void do_send(struct ua *ua, const struct step *st)
{
	struct eng *e = ua_eng(ua);
	const struct tpl *t = st->msg;
	int err;

	if (t->is_request && !ua_is_method(t->method, "ACK") && !ua_is_method(t->method, "CANCEL"))
		ua->cseq++;
	err = rend_tpl(ua, st, t, 1, &e->out);
	if (err == EPROTO) {
		ua_fail(ua, FAIL_AUTH, "[authentication] without a challenge to answer "
			"(no 401/407 received with auth=\"true\")");
		return;
	}
	if (err) {
		ua_fail(ua, FAIL_INTERNAL, "out of memory rendering a message");
		return;
	}
	if (st->lost_pct && (random() % 100) < st->lost_pct) {
		ua_step_stat(ua, st->index)->lost++;
	} else {
		err = eng_send(e, ua, e->out.data, e->out.len);
		if (err) {
			ua_fail(ua, FAIL_SEND, strerror(err));
			return;
		}
	}
	ua_step_stat(ua, st->index)->sent++;
	ua->last_send_us = loop_now_us(e->loop);
	ua->last_sent_is_resp = !t->is_request;
	ua->last_sent_is_ack = t->is_request && ua_is_method(t->method, "ACK");
	ua->last_sent_step = (int)st->index;
	free(ua->last_sent);
	ua->last_sent = NULL;
	/* only a response or an ACK is ever sent again as it was (for a
	 * retransmitted request or 2xx); rendering its step again gives the
	 * same bytes unless the template holds time or variables */
	if (st->resend_copy && (ua->last_sent_is_resp || ua->last_sent_is_ack) &&
	    ua_keep_copy(&ua->last_sent, &ua->last_sent_len, e->out.data, e->out.len)) {
		ua_fail(ua, FAIL_INTERNAL, "out of memory");
		return;
	}
	if (e->p->nuas > 1)
		learn_tag(ua, t->is_request, e->out.data, e->out.len);
	if (ua->last_sent_is_ack && ua->ok_cseq) {
		ua->acked_cseq = ua->ok_cseq;
		ua->ack_step = st->index;
	}
	if (t->is_request && ua_is_method(t->method, "INVITE"))
		ua->inv_pending = 1;
	else if (t->is_request && ua_is_method(t->method, "BYE"))
		ua->dlg_closed = 1;
	arm_rtx(ua, ua_rtx_after_send(ua, st, e->out.data, e->out.len));
	rtd_marks(ua, st);
	advance(ua, st);
}

void ua_after_recv(struct ua *ua, const struct step *st)
{
	rtd_marks(ua, st);
	advance(ua, st);
}

static void on_recv_timeout(void *arg)
{
	struct ua *ua = arg;
	const struct step *st = &ua->pu->steps[ua->pc];

	ua_step_stat(ua, st->index)->timeouts++;
	if (st->ontimeout >= 0) {
		ua->pc = (unsigned)st->ontimeout;
		ua->state = UA_ST_RUN;
		ua_run(ua);
		return;
	}
	ua->call->timed_out = 1;
	ua_fail(ua, FAIL_RECV_TIMEOUT, st->display);
}

static void enter_recv(struct ua *ua, const struct step *st)
{
	uint64_t t = st->timeout_ms > 0 ? (uint64_t)st->timeout_ms : ua_eng(ua)->o.recv_timeout_ms;

	ua->state = UA_ST_RECV;
	if (t)
		tmr_start(ua_eng(ua)->loop, &ua->tmr, t, on_recv_timeout, ua);
}

static void on_pause_end(void *arg)
{
	struct ua *ua = arg;
	const struct step *st = &ua->pu->steps[ua->pc];

	if (st->kind == STEP_TIMEWAIT) {
		ua_done(ua);
		return;
	}
	ua->state = UA_ST_RUN;
	advance(ua, st);
	ua_run(ua);
}

static uint64_t pause_ms(struct ua *ua, const struct step *st)
{
	const struct var_val *v;
	int span;

	switch (st->pause) {
	case PAUSE_FIXED:
		return (uint64_t)st->pause_ms;
	case PAUSE_UNIFORM:
		span = st->pause_max_ms - st->pause_min_ms;
		/* span + 1 in int overflowed for max="2147483647" (UBSan) */
		return (uint64_t)st->pause_min_ms +
		       (span > 0 ? (uint64_t)random() % ((uint64_t)span + 1) : 0);
	case PAUSE_DIST: {
		double ms = rnd_sample(&st->pause_dist);

		/* as PAUSE_VAR: below 0 is none, beyond 2^53 ms is clamped */
		return ms > 0 ? (ms < 0x1p53 ? (uint64_t)ms : UINT64_C(1) << 53) : 0;
	}
	case PAUSE_VAR:
		v = &ua->vars[st->pause_var];
		/* a double beyond uint64_t's range converts undefined (UBSan):
		 * a pause that long is one of 2^53 ms, some 285,000 years */
		return v->kind == VAL_STR ? strtoull(v->s, NULL, 10) :
		       v->d > 0 ? (v->d < 0x1p53 ? (uint64_t)v->d : UINT64_C(1) << 53) : 0;
	default:
		return ua_eng(ua)->o.pause_ms;
	}
}

static void enter_pause(struct ua *ua, const struct step *st)
{
	struct eng *e = ua_eng(ua);

	ua->state = UA_ST_PAUSE;
	ua_step_stat(ua, st->index)->sent++;  /* counts pauses entered */
	tmr_start(e->loop, &ua->tmr, pause_ms(ua, st), on_pause_end, ua);
	/* during the run's -grace, a call whose parties have all reached
	 * their final timewait is done: the run need not wait it out */
	if (st->kind == STEP_TIMEWAIT && e->end_lingering)
		ua_end_if_lingering(ua->call);
}

/* <sendCmd>: its message to the 3PCC twin (twin_out.c) */
static void do_sendcmd(struct ua *ua, const struct step *st)
{
	int err = ua_send_cmd(ua, st);

	if (err) {
		ua_fail(ua, FAIL_SEND, err == ENOTCONN ? "no 3PCC twin to send the command to" :
			strerror(err));
		return;
	}
	ua_step_stat(ua, st->index)->sent++;
	ua->last_send_us = loop_now_us(ua_eng(ua)->loop);
	rtd_marks(ua, st);
	advance(ua, st);
}

static void do_nop(struct ua *ua, const struct step *st)
{
	enum fail_reason r;

	if (var_run_actions(ua, st, ua->last_msg, &r)) {
		ua_fail(ua, r, "action at a <nop>");
		return;
	}
	advance(ua, st);
}

static void on_wait_timeout(void *arg)
{
	struct ua *ua = arg;

	ua_step_stat(ua, ua->pc)->timeouts++;
	ua->call->timed_out = 1;
	ua_fail(ua, FAIL_RECV_TIMEOUT, ua->pu->steps[ua->pc].display);
}

/* <wait for=>: go on at once if the signal was raised, else sleep until a
 * party raises it (or the wait's timeout=). */
static void enter_wait(struct ua *ua, const struct step *st)
{
	if (ua->call->signals & (1ull << st->sig)) {
		ua_step_stat(ua, st->index)->recv++;
		ua->pc++;
		return;
	}
	ua->state = UA_ST_WAIT;
	if (st->timeout_ms > 0)
		tmr_start(ua_eng(ua)->loop, &ua->tmr, (uint64_t)st->timeout_ms,
			  on_wait_timeout, ua);
}

/* <signal name=>: raise it and wake the parties waiting for it. */
static void do_signal(struct ua *ua, const struct step *st)
{
	struct call *c = ua->call;
	unsigned i;

	c->signals |= 1ull << st->sig;
	ua_step_stat(ua, st->index)->sent++;
	ua->pc++;
	for (i = 0; i < c->nuas; i++) {
		struct ua *o = &c->ua[i];

		if (o->state != UA_ST_WAIT || o->pu->steps[o->pc].sig != st->sig)
			continue;
		tmr_cancel(&o->tmr);
		ua_step_stat(o, o->pc)->recv++;
		o->pc++;
		o->state = UA_ST_RUN;
		ua_run(o);
	}
}

void ua_run(struct ua *ua)
{
	unsigned guard = 0;

	while (ua->state == UA_ST_RUN) {
		const struct step *st;

		if (ua->pc >= ua->pu->nsteps) {
			ua_done(ua);
			return;
		}
		if (++guard > RUN_GUARD) {
			ua_fail(ua, FAIL_INTERNAL, "scenario loops without waiting");
			return;
		}
		st = &ua->pu->steps[ua->pc];
		/* condexec= false: the step is skipped, next= still taken */
		if (st->condexec != PROG_NOVAR &&
		    var_is_true(&ua->vars[st->condexec]) == st->condexec_inverse) {
			advance(ua, st);
			continue;
		}
		switch (st->kind) {
		case STEP_SEND:
			do_send(ua, st);
			break;
		case STEP_RECV:
		case STEP_RECVCMD:
			enter_recv(ua, st);
			break;
		case STEP_SENDCMD:
			do_sendcmd(ua, st);
			break;
		case STEP_PAUSE:
		case STEP_TIMEWAIT:
			if (st->counter)  /* SIPp counts a pause as it starts */
				ua_eng(ua)->st.gen[st->counter - 1]++;
			enter_pause(ua, st);
			break;
		case STEP_NOP:
			if (st->counter)
				ua_eng(ua)->st.gen[st->counter - 1]++;
			do_nop(ua, st);
			break;
		case STEP_SIGNAL:
			do_signal(ua, st);
			break;
		case STEP_WAIT:
			enter_wait(ua, st);
			break;
		default:  /* label */
			ua->pc++;
			break;
		}
	}
}
