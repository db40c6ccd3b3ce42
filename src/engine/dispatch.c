/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dispatch: which party a received message is for. Calls that share
 * users (against a PBX, 1001 calls 1002 in every call) must not cross:
 * in-dialog messages go by Call-ID and tags, an initial request only to
 * a party waiting for one, and what belongs to a call that has ended is
 * absorbed (ended.c) instead of failing another call. The rules are in
 * docs/design.md, "Scenario instance = call = N UAs". */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

static uint64_t key_of(const char *s, size_t len)
{
	return msg_hash(s, len);
}

int eng_hash_add(struct eng *e, struct ua *ua)
{
	int err = htab_add(&e->by_cid, &ua->cid_node, key_of(ua->call_id, strlen(ua->call_id)));

	if (!err && ua->user && !ua->user_node.linked)
		err = htab_add(&e->by_user, &ua->user_node, key_of(ua->user, strlen(ua->user)));
	return err;
}

void eng_hash_del(struct eng *e, struct ua *ua)
{
	htab_del(&e->by_cid, &ua->cid_node);
	htab_del(&e->by_user, &ua->user_node);
}

static int same(const char *s, const struct msg_pl *v)
{
	return s && strlen(s) == v->len && !memcmp(s, v->p, v->len);
}

static int tag_is(uint64_t ltag, const struct msg_pl *t)
{
	return ltag && t->len && key_of(t->p, t->len) == ltag;
}

/* How surely party u is the one in m's dialog (m has u's Call-ID): our
 * own tag in the place the peer puts it (a request's To, a response's
 * From) is sure; the peer's tag and the user are hints. 0: not u. */
static int dialog_score(const struct ua *u, const struct msg *m)
{
	if (!m->is_request)
		return tag_is(u->ltag, &m->from_tag) * 4 + same(u->user, &m->from_user);
	if (m->to_tag.len)
		return tag_is(u->ltag, &m->to_tag) * 4 +
		       (u->peer_tag && same(u->peer_tag, &m->from_tag)) * 2 +
		       same(u->user, &m->ruri_user);
	/* no To-tag: a repeated initial request or its CANCEL, for the party
	 * of that user that took this Call-ID */
	return same(u->user, &m->ruri_user);
}

/* Among the parties with m's Call-ID, the one in its dialog. *owner: a
 * party with that Call-ID (its call placed the request), or NULL. */
static struct ua *by_dialog(struct eng *e, const struct msg *m, struct ua **owner)
{
	struct msg_pl key = msg_call_key(m, e->o.callid_slash_ign);
	uint64_t k = key_of(key.p, key.len);
	struct ua *best = NULL, *first = NULL;
	int best_score = 0;
	struct htab_node *n;

	for (n = htab_chain(&e->by_cid, k); n; n = n->next) {
		struct ua *u = LST_ENTRY(n, struct ua, cid_node);
		int sc;

		if (n->key != k || !same(u->call_id, &key))
			continue;
		if (!first)
			first = u;
		if (e->p->nuas < 2)
			return u;  /* one party per call: the Call-ID says it all */
		sc = dialog_score(u, m);
		if (sc > best_score) {
			best = u;
			best_score = sc;
		}
	}
	*owner = first;
	/* a response goes to the requester even when no hint names it; with
	 * users, a request without a hint is not this dialog's (a late ACK
	 * for a party whose call ended must not reach another party) */
	if (!best && first && (!m->is_request || !e->by_user.count))
		best = first;
	return best;
}

/* A party of m's Request-URI user waiting for an initial request like m:
 * its next step is a <recv> of that method and it has no dialog yet (or
 * its dialog is over). The one of the call that placed the request if it
 * has one (a proxy keeps the Call-ID), else the oldest. */
static struct ua *waiting_party(struct eng *e, const struct msg *m, const struct ua *owner)
{
	const struct msg_pl *user = &m->ruri_user;
	uint64_t k = key_of(user->p, user->len);
	struct ua *pick = NULL;
	struct htab_node *n;

	if (!user->len)
		return NULL;
	for (n = htab_chain(&e->by_user, k); n; n = n->next) {
		struct ua *u = LST_ENTRY(n, struct ua, user_node);

		if (n->key != k || !same(u->user, user) || u->state != UA_ST_RECV)
			continue;
		if ((u->adopted || u->ok_cseq) && !u->dlg_closed)
			continue;  /* in a dialog: takes only in-dialog requests */
		if (!ua_expects_request(u, m))
			continue;
		if (owner && u->call == owner->call)
			return u;
		if (!pick || u->call->number < pick->call->number)
			pick = u;
	}
	return pick;
}

static struct ua *adopt(struct eng *e, struct ua *u, const struct msg *m)
{
	struct msg_pl key = msg_call_key(m, e->o.callid_slash_ign);
	char *cid = strndup(key.p, key.len);

	if (!cid)
		return NULL;
	htab_del(&e->by_cid, &u->cid_node);
	free(u->call_id);
	u->call_id = cid;
	u->adopted = 1;
	u->dlg_closed = 0;
	if (htab_add(&e->by_cid, &u->cid_node, key_of(cid, strlen(cid))))
		return NULL;
	return u;
}

struct ua *eng_route(struct eng *e, const struct msg *m)
{
	struct ua *owner = NULL, *u;

	u = by_dialog(e, m, &owner);
	if (u || !m->is_request || !e->by_user.count)
		return u;
	/* a request with a To-tag is in a dialog: never a new one's start */
	if (m->to_tag.len || !strcasecmp(m->method, "ACK") ||
	    !strcasecmp(m->method, "CANCEL"))
		return NULL;
	u = waiting_party(e, m, owner);
	return u ? adopt(e, u, m) : NULL;
}

struct ua *eng_cid_find(struct eng *e, const char *cid, size_t len)
{
	struct htab_node *n;

	for (n = htab_chain(&e->by_cid, key_of(cid, len)); n; n = n->next) {
		struct ua *u = LST_ENTRY(n, struct ua, cid_node);
		struct msg_pl v = {cid, len};

		if (same(u->call_id, &v))
			return u;
	}
	return NULL;
}
