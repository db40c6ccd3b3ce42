/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ended: the Call-IDs of the calls that ended in the last 64*T1. What
 * still comes for them is late, not stray: a 2xx the peer repeats after
 * our BYE (its ACK was lost; RFC 3261 13.2.2.4 wants it ACKed again), a
 * response repeated into our completed non-INVITE transaction (timer K,
 * T4 = 5 s, is inside the window), an ACK or request a proxy passes on
 * after the party took its last step. Nothing of them may fail another
 * call or start a new server call. One small node per party, back to a
 * spare list in order as they age: memory follows the rate, not the run's
 * length. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

#define ENDED_BLOCK 256

struct ended {
	struct htab_node hn;       /* in eng->gone, keyed by Call-ID hash  */
	struct lst_node le;        /* in eng->gone_fifo, or the spare list */
	uint64_t until_us;
	uint32_t acked_cseq;       /* the party's ACKed 2xx, 0 none        */
};

/* Nodes come in blocks and go back to a spare list as they age: at a
 * steady rate nothing is allocated per call. */
struct ended_pool {
	struct ended_blk *blks;
	struct lst_node spare;
};

struct ended_blk {
	struct ended_blk *next;
	struct ended n[ENDED_BLOCK];
};

static struct ended *node_get(struct eng *e)
{
	struct ended_pool *p = e->gone_pool;
	struct ended_blk *b;
	struct lst_node *n;
	unsigned i;

	if (!p) {
		if (!(p = calloc(1, sizeof(*p))))
			return NULL;
		lst_init(&p->spare);
		e->gone_pool = p;
	}
	if (lst_empty(&p->spare)) {
		if (!(b = malloc(sizeof(*b))))
			return NULL;
		b->next = p->blks;
		p->blks = b;
		for (i = 0; i < ENDED_BLOCK; i++)
			lst_append(&p->spare, &b->n[i].le);
	}
	n = p->spare.next;
	lst_unlink(n);
	return LST_ENTRY(n, struct ended, le);
}

static void age(struct eng *e, uint64_t now)
{
	while (!lst_empty(&e->gone_fifo)) {
		struct ended *x = LST_ENTRY(e->gone_fifo.next, struct ended, le);

		if (x->until_us > now)
			return;
		lst_unlink(&x->le);
		htab_del(&e->gone, &x->hn);
		lst_append(&((struct ended_pool *)e->gone_pool)->spare, &x->le);
	}
}

void eng_ended_add(struct eng *e, const struct call *c)
{
	uint64_t now = loop_now_us(e->loop);
	unsigned i;

	age(e, now);
	for (i = 0; i < c->nuas; i++) {
		const struct ua *u = &c->ua[i];
		struct ended *x;

		/* cid_node.key: the Call-ID's hash, kept from eng_hash_add */
		if (!u->call_id || !u->cid_node.key || !(x = node_get(e)))
			continue;
		memset(&x->hn, 0, sizeof(x->hn));
		x->until_us = now + (uint64_t)txn_timer_ms(&e->o.txn, TXN_TH, 0) * 1000;
		x->acked_cseq = u->acked_cseq;
		if (htab_add(&e->gone, &x->hn, u->cid_node.key)) {
			lst_append(&((struct ended_pool *)e->gone_pool)->spare, &x->le);
			continue;
		}
		lst_append(&e->gone_fifo, &x->le);
	}
}

/* The ACK of a repeated 2xx, built from it: to its Contact, with its
 * From, To, Call-ID and CSeq number, back to where it came from. */
static void ack_again(struct eng *e, struct tp_sock *s, const struct msg *m,
		      const struct tp_addr *from)
{
	struct msg_pl c = msg_contact_uri(m);

	buf_reset(&e->scratch);
	if (c.len && msg_build_ack(m, c.p, c.len, &e->scratch) == 0)
		eng_send_to(e, s, from, e->scratch.data, e->scratch.len);
}

int eng_ended_absorb(struct eng *e, struct tp_sock *s, struct msg *m,
		     const struct tp_addr *from)
{
	struct msg_pl key;
	uint64_t k;
	struct htab_node *n;
	int found = 0, acked = 0;

	if (!e->gone.count)
		return 0;
	/* a server scenario takes a new request that reuses a Call-ID as a
	 * new call, as before: a peer may reuse them (RFC 3261 says not to) */
	if (e->uas_mode && m->is_request && !m->to_tag.len &&
	    strcasecmp(m->method, "ACK") && strcasecmp(m->method, "CANCEL"))
		return 0;
	age(e, loop_now_us(e->loop));
	key = msg_call_key(m, e->o.callid_slash_ign);
	k = msg_hash(key.p, key.len);
	for (n = htab_chain(&e->gone, k); n; n = n->next) {
		struct ended *x = LST_ENTRY(n, struct ended, hn);

		if (n->key != k)
			continue;
		found = 1;
		acked |= x->acked_cseq && x->acked_cseq == m->cseq;
	}
	if (!found)
		return 0;
	e->st.retrans_rx++;
	e->st.dead_msgs++;
	if (acked && !m->is_request && m->status >= 200 && m->status < 300 &&
	    !strcasecmp(m->cseq_method, "INVITE"))
		ack_again(e, s, m, from);
	msg_free(m);
	return 1;
}

void eng_ended_free(struct eng *e)
{
	struct ended_pool *p = e->gone_pool;

	lst_init(&e->gone_fifo);
	htab_free(&e->gone);
	if (!p)
		return;
	while (p->blks) {
		struct ended_blk *b = p->blks;

		p->blks = b->next;
		free(b);
	}
	free(p);
	e->gone_pool = NULL;
}
