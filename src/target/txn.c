/* SPDX-License-Identifier: GPL-2.0-or-later */
/* txn: the target's transactions. A server transaction (struct ptx)
 * holds one request from upstream, keyed by its top Via branch, method
 * and Call-ID; it forwards the request on client branches (struct
 * pbranch) keyed by the branch in our Via. Here: their tables, their
 * lifetime (the linger after a final answer: timer H or J), the last
 * response kept for retransmitted requests, and timers A/B and E/F of
 * the client branches; when each fires is sip/txn.c's schedule. Where
 * a request goes, and what a response does, is fwd.c's. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "target/internal.h"

static void txn_key(const struct msg *m, const char *method, char *out, size_t n)
{
	/* the Call-ID too: an RFC 2543 client may send no branch at all */
	snprintf(out, n, "%.*s %s %.*s", (int)m->branch.len, m->branch.p, method,
		 (int)m->call_id.len, m->call_id.p);
}

struct ptx *tgt_txn_find(struct target *tg, const struct msg *m, const char *method)
{
	char key[256];
	uint64_t k;
	struct htab_node *n;

	txn_key(m, method, key, sizeof(key));
	k = tgt_key(key, strlen(key));
	for (n = htab_chain(&tg->by_txn, k); n; n = n->next) {
		struct ptx *t = LST_ENTRY(n, struct ptx, node);

		if (n->key == k && !strcmp(t->key, key))
			return t;
	}
	return NULL;
}

struct pbranch *tgt_branch_find(struct target *tg, const struct msg *m)
{
	uint64_t k = tgt_key(m->branch.p, m->branch.len);
	struct htab_node *n;

	for (n = htab_chain(&tg->by_branch, k); n; n = n->next) {
		struct pbranch *b = LST_ENTRY(n, struct pbranch, node);

		if (n->key == k && strlen(b->id) == m->branch.len &&
		    !memcmp(b->id, m->branch.p, m->branch.len))
			return b;
	}
	return NULL;
}

int tgt_txn_alloc(struct ptx **tp, struct target *tg, struct msg *m, const struct tp_addr *from)
{
	struct ptx *t = calloc(1, sizeof(*t));

	if (!t)
		return ENOMEM;
	t->tg = tg;
	t->req = m;
	t->from = *from;
	t->is_invite = !strcmp(m->method, "INVITE");
	txn_key(m, m->method, t->key, sizeof(t->key));
	lst_append(&tg->txns, &t->le);
	if (htab_add(&tg->by_txn, &t->node, tgt_key(t->key, strlen(t->key)))) {
		lst_unlink(&t->le);
		free(t);
		return ENOMEM;
	}
	*tp = t;
	return 0;
}

void tgt_txn_free(struct ptx *t)
{
	unsigned i;

	for (i = 0; i < t->nbr; i++) {
		tmr_cancel(&t->br[i].rtx);
		htab_del(&t->tg->by_branch, &t->br[i].node);
		free(t->br[i].req);
	}
	tmr_cancel(&t->ring);
	tmr_cancel(&t->life);
	htab_del(&t->tg->by_txn, &t->node);
	lst_unlink(&t->le);
	msg_free(t->req);
	free(t->last);
	free(t);
}

static void on_life(void *arg)
{
	tgt_txn_free(arg);
}

/* A transaction with its final answer stays to absorb retransmissions:
 * timer H (64*T1) while a non-2xx to an INVITE waits for its ACK, timer
 * J (64*T1, 0 over a stream) for another request, and a short while
 * after a 2xx to an INVITE (a lost 2xx is resent by the UAS and relayed
 * statelessly; the repeated INVITEs meanwhile are absorbed). */
void tgt_txn_linger(struct ptx *t)
{
	struct target *tg = t->tg;
	int rel = tp_proto_reliable(tg->proto);
	uint32_t ms = !t->is_invite ? txn_timer_ms(&tg->tc, TXN_TJ, rel) :
		      t->final >= 300 ? txn_timer_ms(&tg->tc, TXN_TH, rel) : TGT_TXN_2XX_MS;

	tmr_start(tg->loop, &t->life, ms, on_life, t);
}

void tgt_respond_up(struct ptx *t, const char *buf, size_t len, int status)
{
	char *copy = malloc(len);

	tgt_send(t->tg, buf, len, &t->from);
	if (copy) {
		memcpy(copy, buf, len);
		free(t->last);
		t->last = copy;
		t->last_len = len;
	}
	if (status >= 200 && !t->final) {
		t->final = status;
		tmr_cancel(&t->ring);
		tgt_txn_linger(t);
	}
}

void tgt_respond_own(struct ptx *t, int code, const char *reason)
{
	struct target *tg = t->tg;

	if (!tgt_build_reply(tg, t->req, code, reason, NULL, &tg->out))
		tgt_respond_up(t, tg->out.data, tg->out.len, code);
}

/* Timers A/B, E/F: resend until a response (a non-INVITE: until a final
 * one, every T2 after a provisional); timer B or F answers 408 upstream. */
static void on_rtx(void *arg)
{
	struct pbranch *b = arg;
	struct ptx *t = b->t;
	struct target *tg = t->tg;
	uint32_t next;

	if (b->status >= 200 || b->canceled)
		return;
	if (b->status && txn_event(&b->txn, &tg->tc, TXN_EV_1XX) == TXN_NEVER)
		return;  /* an INVITE answered: no more A, no B */
	switch (txn_fire(&b->txn, &tg->tc, &next)) {
	case TXN_ACT_RESEND:
		tg->n.retransmissions++;
		tgt_send(tg, b->req, b->len, &b->to);
		break;
	case TXN_ACT_TIMEOUT:
		if (!t->final)
			tgt_respond_own(t, 408, "Request Timeout");
		return;
	default:
		break;
	}
	if (next != TXN_NEVER)
		tmr_start(tg->loop, &b->rtx, next, on_rtx, b);
}

int tgt_fork_branch(struct ptx *t, const char *ruri, const struct tp_addr *to, int rr)
{
	struct target *tg = t->tg;
	struct pbranch *b;

	if (t->nbr == TGT_MAX_BRANCHES)
		return ENOSPC;
	b = &t->br[t->nbr];
	memset(b, 0, sizeof(*b));
	b->t = t;
	tgt_branch_id(tg, b->id, sizeof(b->id));
	snprintf(b->ruri, sizeof(b->ruri), "%s", ruri);
	b->to = *to;
	if (tgt_build_forward(tg, t->req, ruri, b->id, rr, &tg->out))
		return ENOMEM;
	b->req = malloc(tg->out.len);
	if (!b->req)
		return ENOMEM;
	memcpy(b->req, tg->out.data, tg->out.len);
	b->len = tg->out.len;
	if (htab_add(&tg->by_branch, &b->node, tgt_key(b->id, strlen(b->id)))) {
		free(b->req);
		return ENOMEM;
	}
	t->nbr++;
	tgt_send(tg, b->req, b->len, &b->to);
	/* over a stream, only timer B/F: 408 after 64*T1 */
	tmr_start(tg->loop, &b->rtx, txn_begin(&b->txn, &tg->tc, t->is_invite ? TXN_ICT : TXN_NICT,
					      tp_proto_reliable(tg->proto)), on_rtx, b);
	return 0;
}
