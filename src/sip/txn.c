/* SPDX-License-Identifier: GPL-2.0-or-later */
/* txn: RFC 3261 transaction timers as one schedule (see txn.h).
 *
 *   kind  retransmits          times out          ends after the final
 *   ICT   A: T1, doubling      B: 64*T1           D: > 32 s (2xx: at once)
 *   NICT  E: T1, doubling <=T2 F: 64*T1           K: T4
 *   IST   G: T1, doubling <=T2 H: 64*T1 (no ACK)  I: T4 after the ACK
 *   NIST  -                    -                  J: 64*T1
 *
 * Over a reliable transport A, E and G are not run and D, I, J and K are
 * zero. B, F and H count from the first send, whatever the spacing: the
 * last wait is cut short to land on 64*T1. The IST schedule also serves
 * a UAS's 2xx to an INVITE, which its core resends on G until the ACK
 * (13.3.1.4); a proxy's server transaction ends on a 2xx instead. */
#include "config.h"
#include "sip/txn.h"

static uint32_t t1(const struct txn_conf *c)
{
	return c->t1_ms ? c->t1_ms : TXN_T1_MS;
}

static uint32_t t2(const struct txn_conf *c)
{
	return c->t2_ms ? c->t2_ms : TXN_T2_MS;
}

static uint32_t t4(const struct txn_conf *c)
{
	return c->t4_ms ? c->t4_ms : TXN_T4_MS;
}

static uint32_t t64(const struct txn_conf *c)
{
	uint64_t v = (uint64_t)t1(c) * 64;

	return v >= TXN_KEEP ? TXN_KEEP - 1 : (uint32_t)v;
}

uint32_t txn_timer_ms(const struct txn_conf *c, enum txn_timer tm, int reliable)
{
	uint32_t d;

	switch (tm) {
	case TXN_TA:
	case TXN_TE:
	case TXN_TG:
		return reliable ? TXN_NEVER : t1(c);
	case TXN_TB:
	case TXN_TF:
	case TXN_TH:
		return t64(c);
	case TXN_TD:
		d = t64(c);
		return reliable ? 0 : d > TXN_D_MIN_MS ? d : TXN_D_MIN_MS;
	case TXN_TI:
	case TXN_TK:
		return reliable ? 0 : t4(c);
	case TXN_TJ:
		return reliable ? 0 : t64(c);
	}
	return TXN_NEVER;
}

/* Arm the first of a retransmitting phase: resends every ivl_ms from
 * T1 until end_ms, or, over a stream, only end_ms. */
static uint32_t arm_resends(struct txn *t, const struct txn_conf *c, enum txn_timer to)
{
	t->sent = 0;
	t->ivl_ms = t1(c);
	t->end_ms = txn_timer_ms(c, to, t->reliable);
	t->at_ms = t->reliable || t->ivl_ms > t->end_ms ? t->end_ms : t->ivl_ms;
	return t->at_ms;
}

/* Arm the one wait of a completed or confirmed transaction. */
static uint32_t arm_wait(struct txn *t, const struct txn_conf *c, enum txn_timer tm)
{
	t->at_ms = t->end_ms = txn_timer_ms(c, tm, t->reliable);
	return t->at_ms;
}

uint32_t txn_begin(struct txn *t, const struct txn_conf *c, enum txn_kind k, int reliable)
{
	t->kind = (uint8_t)k;
	t->reliable = reliable ? 1 : 0;
	t->sent = 0;
	t->ivl_ms = t->end_ms = t->at_ms = 0;
	switch (k) {
	case TXN_ICT:
		t->state = TXN_CALLING;
		return arm_resends(t, c, TXN_TB);
	case TXN_NICT:
		t->state = TXN_TRYING;
		return arm_resends(t, c, TXN_TF);
	case TXN_IST:
		t->state = TXN_PROCEEDING;
		return TXN_NEVER;
	case TXN_NIST:
		t->state = TXN_TRYING;
		return TXN_NEVER;
	}
	return TXN_NEVER;
}

static uint32_t ev_ict(struct txn *t, const struct txn_conf *c, enum txn_ev ev)
{
	if (t->state != TXN_CALLING && t->state != TXN_PROCEEDING)
		return TXN_KEEP;
	switch (ev) {
	case TXN_EV_1XX:
		t->state = TXN_PROCEEDING;  /* no more A, no B */
		return TXN_NEVER;
	case TXN_EV_2XX:
		t->state = TXN_TERMINATED;  /* the TU ACKs the 2xx */
		return TXN_NEVER;
	case TXN_EV_FINAL:
		t->state = TXN_COMPLETED;
		return arm_wait(t, c, TXN_TD);
	default:
		return TXN_KEEP;
	}
}

static uint32_t ev_nict(struct txn *t, const struct txn_conf *c, enum txn_ev ev)
{
	if (t->state != TXN_TRYING && t->state != TXN_PROCEEDING)
		return TXN_KEEP;
	switch (ev) {
	case TXN_EV_1XX:
		/* the armed E fires as it is; every wait after it is T2 */
		t->state = TXN_PROCEEDING;
		t->ivl_ms = t2(c);
		return TXN_KEEP;
	case TXN_EV_2XX:
	case TXN_EV_FINAL:
		t->state = TXN_COMPLETED;
		return arm_wait(t, c, TXN_TK);
	default:
		return TXN_KEEP;
	}
}

static uint32_t ev_ist(struct txn *t, const struct txn_conf *c, enum txn_ev ev)
{
	if (t->state == TXN_PROCEEDING && (ev == TXN_EV_2XX || ev == TXN_EV_FINAL)) {
		t->state = TXN_COMPLETED;
		return arm_resends(t, c, TXN_TH);
	}
	if (t->state == TXN_COMPLETED && ev == TXN_EV_ACK) {
		t->state = TXN_CONFIRMED;
		return arm_wait(t, c, TXN_TI);
	}
	return TXN_KEEP;
}

static uint32_t ev_nist(struct txn *t, const struct txn_conf *c, enum txn_ev ev)
{
	if (t->state != TXN_TRYING && t->state != TXN_PROCEEDING)
		return TXN_KEEP;
	if (ev == TXN_EV_1XX) {
		t->state = TXN_PROCEEDING;
		return TXN_KEEP;
	}
	if (ev == TXN_EV_2XX || ev == TXN_EV_FINAL) {
		t->state = TXN_COMPLETED;
		return arm_wait(t, c, TXN_TJ);
	}
	return TXN_KEEP;
}

uint32_t txn_event(struct txn *t, const struct txn_conf *c, enum txn_ev ev)
{
	switch (t->kind) {
	case TXN_ICT:
		return ev_ict(t, c, ev);
	case TXN_NICT:
		return ev_nict(t, c, ev);
	case TXN_IST:
		return ev_ist(t, c, ev);
	case TXN_NIST:
		return ev_nist(t, c, ev);
	}
	return TXN_KEEP;
}

/* A, E or G fired, or B, F or H. */
static enum txn_act resend(struct txn *t, const struct txn_conf *c, uint32_t *next)
{
	unsigned cap = t->kind == TXN_NICT ? c->max_noninv_rtx : c->max_inv_rtx;
	uint32_t now = t->at_ms;

	if (now >= t->end_ms) {
		t->state = TXN_TERMINATED;
		return TXN_ACT_TIMEOUT;
	}
	if (cap && t->sent >= cap) {
		if (t->kind != TXN_IST) {
			t->state = TXN_TERMINATED;
			return TXN_ACT_TIMEOUT;
		}
		/* a response's resends are capped; its ACK may still come */
		t->at_ms = t->end_ms;
		*next = t->end_ms - now;
		return TXN_ACT_NONE;
	}
	if (t->sent < UINT16_MAX)
		t->sent++;
	if (t->ivl_ms <= UINT32_MAX / 2)
		t->ivl_ms *= 2;
	if (t->kind != TXN_ICT && t->ivl_ms > t2(c))
		t->ivl_ms = t2(c);  /* E and G stop doubling at T2; A does not */
	t->at_ms = t->ivl_ms > t->end_ms - now ? t->end_ms : now + t->ivl_ms;
	*next = t->at_ms - now;
	return TXN_ACT_RESEND;
}

enum txn_act txn_fire(struct txn *t, const struct txn_conf *c, uint32_t *next)
{
	*next = TXN_NEVER;
	switch (t->state) {
	case TXN_CALLING:
	case TXN_TRYING:
	case TXN_PROCEEDING:
		if (t->kind == TXN_NICT || (t->kind == TXN_ICT && t->state == TXN_CALLING))
			return resend(t, c, next);
		return TXN_ACT_NONE;
	case TXN_COMPLETED:
		if (t->kind == TXN_IST)
			return resend(t, c, next);
		t->state = TXN_TERMINATED;  /* D, J or K */
		return TXN_ACT_END;
	case TXN_CONFIRMED:
		t->state = TXN_TERMINATED;  /* I */
		return TXN_ACT_END;
	default:
		return TXN_ACT_NONE;
	}
}
