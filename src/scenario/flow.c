/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow: what a call must keep of the messages around each step, worked
 * out once at load so that an idle call holds no message it will not
 * read again: the last received message only while a later step reads
 * it ([last_*], [next_url], an ereg at a <nop>), and a sent response or
 * ACK as a copy only when rendering it again could give other bytes. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "base/buf.h"
#include "scenario/build.h"

typedef int (seg_pred_h)(enum seg_kind k);

/* Does a segment of t, of its nested templates or of a <param> it names,
 * satisfy pred? */
static int tpl_any(const struct prog *p, const struct tpl *t, seg_pred_h *pred)
{
	unsigned i;

	if (!t)
		return 0;
	for (i = 0; i < t->nsegs; i++) {
		const struct tpl_seg *s = &t->segs[i];

		if (pred(s->kind) ||
		    (s->kind == SEG_PARAM && (unsigned)s->num < p->nparams &&
		     tpl_any(p, p->params[s->num], pred)) ||
		    tpl_any(p, s->sub, pred) || tpl_any(p, s->sub2, pred))
			return 1;
	}
	return 0;
}

/* Keywords that read the last received message. */
static int reads_last(enum seg_kind k)
{
	return k == SEG_LAST_HDR || k == SEG_LAST_REQUEST_URI || k == SEG_LAST_CSEQ_NUMBER ||
	       k == SEG_LAST_MESSAGE || k == SEG_NEXT_URL;
}

/* Keywords that may render other bytes a second time, with the same last
 * message: time, variables, counters, credentials, the address learned
 * from the latest response's Via. */
static int is_volatile(enum seg_kind k)
{
	return k == SEG_TIMESTAMP || k == SEG_DATE || k == SEG_CLOCK_TICK || k == SEG_USERS ||
	       k == SEG_VAR || k == SEG_AUTHENTICATION || k == SEG_VIA_RECEIVED ||
	       k == SEG_VIA_RPORT;
}

static int reads_via(enum seg_kind k)
{
	return k == SEG_VIA_RECEIVED || k == SEG_VIA_RPORT;
}

static int tpl_reads_last(const struct prog *p, const struct tpl *t)
{
	return tpl_any(p, t, reads_last);
}

/* Does step st read the last received message (not the one it receives)? */
static int step_reads_last(const struct prog *p, const struct step *st)
{
	unsigned i;

	if (st->kind == STEP_SEND && tpl_reads_last(p, st->msg))
		return 1;
	if (st->kind == STEP_RECV)
		return 0;  /* its actions read the message it receives */
	for (i = 0; i < st->nacts; i++) {
		const struct action *a = &st->acts[i];

		if ((a->kind == ACT_EREG && a->search != SEARCH_VAR) ||
		    a->kind == ACT_VERIFYAUTH || tpl_reads_last(p, a->value) ||
		    tpl_reads_last(p, a->value2))
			return 1;
	}
	return 0;
}

/* Steps run in order unless a next=, ontimeout= or jump says otherwise. */
static int is_linear(const struct prog_ua *pu)
{
	unsigned i, j;

	for (i = 0; i < pu->nsteps; i++) {
		const struct step *st = &pu->steps[i];

		if (st->next >= 0 || st->ontimeout >= 0)
			return 0;
		for (j = 0; j < st->nacts; j++)
			if (st->acts[j].kind == ACT_JUMP)
				return 0;
	}
	return 1;
}

static void flow_ua(const struct prog *p, struct prog_ua *pu)
{
	int linear = is_linear(pu), any = 0;
	unsigned i, j;

	pu->learns_via = 0;
	for (i = 0; i < pu->nsteps; i++) {
		const struct step *st = &pu->steps[i];

		any |= step_reads_last(p, st);
		if (st->kind == STEP_SEND && tpl_any(p, st->msg, reads_via))
			pu->learns_via = 1;
		for (j = 0; j < st->nacts; j++)
			if (tpl_any(p, st->acts[j].value, reads_via) ||
			    tpl_any(p, st->acts[j].value2, reads_via))
				pu->learns_via = 1;
	}
	for (i = 0; i < pu->nsteps; i++) {
		struct step *st = &pu->steps[i];

		if (st->kind == STEP_SEND)
			st->resend_copy = tpl_any(p, st->msg, is_volatile);
		if (st->kind != STEP_RECV)
			continue;
		if (!linear) {
			st->keep_last = any;
			continue;
		}
		/* control leaves a chain of recvs only through one of them,
		 * which replaces the last message: look up to the next recv */
		st->keep_last = 0;
		for (j = i + 1; j < pu->nsteps && pu->steps[j].kind != STEP_RECV; j++)
			if (step_reads_last(p, &pu->steps[j]))
				st->keep_last = 1;
	}
}

/* SIPp matches a response only when its CSeq method is one the party
 * sent before that recv (requests with start_txn= or ack_txn= aside),
 * or when the recv is its first message: so a 200 to an INFO does not
 * pass for the 200 to an INVITE. A request whose method is a keyword
 * makes any method match from there on. */
static int methods_ua(struct prog *p, struct prog_ua *pu)
{
	struct buf b;
	unsigned i;
	int any = 0, err = 0;

	buf_init(&b, 4096);
	for (i = 0; i < pu->nsteps && !err; i++) {
		struct step *st = &pu->steps[i];

		if (st->kind == STEP_SEND && st->msg->is_request && !st->txn_send) {
			if (!st->msg->method[0] || strchr(st->msg->method, '['))
				any = 1;
			else
				err = buf_addf(&b, "%s%s ", b.len ? "" : " ", st->msg->method);
		}
		if (st->kind != STEP_RECV || st->request || st->txn_method || any ||
		    !st->msg_index)
			continue;
		if (!(st->cseq_methods = scn_strndup(p, b.data ? b.data : "", b.len)))
			err = ENOMEM;
	}
	buf_free(&b);
	return err;
}

int scn_flow(struct prog *p)
{
	unsigned u;
	int err = 0;

	for (u = 0; u < p->nuas && !err; u++) {
		flow_ua(p, &p->uas[u]);
		err = methods_ua(p, &p->uas[u]);
	}
	return err;
}
