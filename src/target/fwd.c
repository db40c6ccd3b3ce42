/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd: where the target sends a request and what it does with the
 * answers. It resolves the next hop (a Route, a registered contact, the
 * Request-URI), forwards a new transaction's request, relays responses
 * upstream, CANCELs a branch, and forwards a call once more on busy
 * (486) or no answer (the ring timer): the callee's X-Forward-To
 * header, else -target_conf. Transactions and their timers are txn.c's,
 * bindings registrar.c's. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "target/internal.h"

/* ---- the next hop ----------------------------------------------------------- */

/* The registered contact c and the URI u (len n) name the same place:
 * equal up to their parameters. */
static int same_uri(const char *c, const char *u, size_t n)
{
	size_t cl = strcspn(c, ";>"), ul = 0;

	while (ul < n && u[ul] != ';' && u[ul] != '>')
		ul++;
	return cl == ul && !strncasecmp(c, u, cl);
}

/* The first Route of m that is not us, as an address: 0, or ENOENT
 * when there is none. */
static int route_addr(struct target *tg, const struct msg *m, struct tp_addr *to)
{
	struct buf routes;
	const char *r, *comma;
	char host[128];
	unsigned port;
	int err = ENOENT;

	buf_init(&routes, 1 << 16);
	if (msg_hdr_append(m, "Route", 5, 1, &routes) > 0 && routes.data) {
		r = routes.data;
		while (r && tgt_is_self(tg, r, strcspn(r, ","))) {
			comma = strchr(r, ',');
			r = comma ? comma + 1 : NULL;
		}
		if (r && !tgt_uri_hostport(r, strcspn(r, ","), host, sizeof(host), &port))
			err = tgt_addr_of(tg, to, host, port);
	}
	buf_free(&routes);
	return err;
}

/* Where request m goes next, and with which Request-URI: the first Route
 * that is not us; else, for a Request-URI of ours, the registered
 * contact of its user (ENOENT: none; ESRCH: no user, the request is for
 * the target itself); else the Request-URI. */
static int resolve(struct target *tg, const struct msg *m, struct tp_addr *to,
		   char *ruri, size_t rn)
{
	uint64_t now = loop_now_ms(tg->loop);
	char host[128];
	unsigned port;
	struct ploc *l;
	int err;

	snprintf(ruri, rn, "%.*s", (int)m->ruri.len, m->ruri.p);
	err = route_addr(tg, m, to);
	if (err != ENOENT)
		return err;
	if (tgt_is_self(tg, m->ruri.p, m->ruri.len)) {
		if (!m->ruri_user.len)
			return ESRCH;
		l = tgt_loc_find(tg, m->ruri_user.p, m->ruri_user.len, now);
		if (!l)
			return ENOENT;
		*to = l->addr;
		snprintf(ruri, rn, "%s", l->contact);
		return 0;
	}
	/* in a dialog with a registered UA (its Contact as Request-URI):
	 * where its registration came from, so a NATed UA is reached */
	if (m->ruri_user.len && (l = tgt_loc_find(tg, m->ruri_user.p, m->ruri_user.len, now)) &&
	    same_uri(l->contact, m->ruri.p, m->ruri.len)) {
		*to = l->addr;
		return 0;
	}
	err = tgt_uri_hostport(m->ruri.p, m->ruri.len, host, sizeof(host), &port);
	return err ? err : tgt_addr_of(tg, to, host, port);
}

void tgt_fwd_request(struct ptx *t, int initial)
{
	struct target *tg = t->tg;
	const struct msg *m = t->req;
	struct tp_addr to;
	char ruri[512];
	int err;

	if (t->is_invite) {
		/* 100 Trying, kept as the response to resend */
		if (!tgt_build_reply(tg, m, 100, "Trying", NULL, &tg->out))
			tgt_respond_up(t, tg->out.data, tg->out.len, 100);
	}
	err = resolve(tg, m, &to, ruri, sizeof(ruri));
	if (err == ESRCH) {           /* for the target itself */
		tgt_respond_own(t, strcmp(m->method, "OPTIONS") ? 405 : 200,
				strcmp(m->method, "OPTIONS") ? "Method Not Allowed" : "OK");
		return;
	}
	if (err == ENOENT || err == EHOSTUNREACH) {  /* EHOSTUNREACH: local-only */
		tg->n.not_found++;
		tgt_respond_own(t, 404, "Not Found");
		return;
	}
	if (err || tgt_fork_branch(t, ruri, &to, initial && t->is_invite)) {
		tgt_respond_own(t, 502, "Bad Gateway");
		return;
	}
	if (initial && t->is_invite) {
		tg->n.calls++;
		snprintf(t->callee, sizeof(t->callee), "%.*s", (int)m->ruri_user.len,
			 m->ruri_user.p);
		tmr_start(tg->loop, &t->ring, tg->conf->ring_ms, tgt_fwd_on_ring, t);
	}
}

/* ---- busy, no answer, CANCEL ------------------------------------------------- */

const char *tgt_fwd_user(const struct ptx *t, int on_busy, char *buf, size_t n)
{
	struct msg_pl h;

	if (t->forwarded || t->canceled || !t->is_invite)
		return NULL;
	h = msg_hdr_first(t->req, "X-Forward-To", 12);
	if (h.len) {
		struct msg_pl u = tgt_uri_user(h.p, h.len);

		if (!u.len)
			u = h;  /* a bare user name */
		snprintf(buf, n, "%.*s", (int)u.len, u.p);
		return buf;
	}
	return tgt_conf_forward(t->tg->conf, t->callee, strlen(t->callee), on_busy);
}

/* Route t's INVITE (or other request) to user's registered contact. */
static int route_to_user(struct ptx *t, const char *user, size_t len)
{
	struct ploc *l = tgt_loc_find(t->tg, user, len, loop_now_ms(t->tg->loop));
	int err;

	if (!l)
		return ENOENT;
	err = tgt_fork_branch(t, l->contact, &l->addr, t->is_invite);
	if (!err && t->is_invite)
		tmr_start(t->tg->loop, &t->ring, t->tg->conf->ring_ms, tgt_fwd_on_ring, t);
	return err;
}

/* Send the call on to its forwarding target, if it has one: 1 when sent. */
static int forward_call(struct ptx *t, int on_busy)
{
	char buf[64];
	const char *to = tgt_fwd_user(t, on_busy, buf, sizeof(buf));

	if (!to)
		return 0;
	t->forwarded = 1;
	if (route_to_user(t, to, strlen(to)))
		return 0;
	t->tg->n.forwarded_calls++;
	return 1;
}

/* CANCEL the INVITE sent on branch b (same Via branch, CSeq number). */
static void cancel_branch(struct ptx *t, struct pbranch *b)
{
	struct target *tg = t->tg;
	char via[160];

	if (b->canceled || b->status >= 200)
		return;
	b->canceled = 1;
	tmr_cancel(&b->rtx);
	snprintf(via, sizeof(via), "SIP/2.0/%s %s:%u;branch=%s", tp_proto_name(tg->proto), tg->ip,
		 tg->port, b->id);
	buf_reset(&tg->out);
	if (!msg_build_request(t->req, "CANCEL", b->ruri, strlen(b->ruri), via, t->req->cseq,
			       &tg->out))
		tgt_send(tg, tg->out.data, tg->out.len, &b->to);
	tg->n.canceled++;
}

void tgt_fwd_on_ring(void *arg)
{
	struct ptx *t = arg;
	struct pbranch *b = &t->br[t->nbr - 1];

	if (t->final)
		return;
	cancel_branch(t, b);
	if (!forward_call(t, 0))
		tgt_respond_own(t, 408, "Request Timeout");
}

void tgt_fwd_cancel(struct target *tg, const struct msg *m, const struct tp_addr *from)
{
	struct ptx *t = tgt_txn_find(tg, m, "INVITE");

	if (!t) {
		tgt_reply(tg, m, from, 481, "Call/Transaction Does Not Exist", NULL);
		return;
	}
	tgt_reply(tg, m, from, 200, "OK", NULL);
	if (t->final || t->canceled)
		return;
	t->canceled = 1;
	tmr_cancel(&t->ring);
	if (t->nbr)
		cancel_branch(t, &t->br[t->nbr - 1]);
	else
		tgt_respond_own(t, 487, "Request Terminated");
}

/* ---- stateless --------------------------------------------------------------- */

int tgt_looped(const struct target *tg, const struct msg *m)
{
	char mark[32];
	int n = snprintf(mark, sizeof(mark), "branch=z9hG4bK-sbt%x-", tg->token);

	return memmem(m->raw, m->hdr_end, mark, (size_t)n) != NULL;
}

void tgt_fwd_stateless(struct target *tg, const struct msg *m)
{
	struct tp_addr to;
	char branch[64], ruri[512];

	/* the ACK of a response of our own (a challenge, a 404) ends here */
	if (tgt_looped(tg, m) || resolve(tg, m, &to, ruri, sizeof(ruri)))
		return;
	tgt_branch_id(tg, branch, sizeof(branch));
	if (!tgt_build_forward(tg, m, ruri, branch, 0, &tg->out)) {
		tg->n.stateless++;
		tgt_send(tg, tg->out.data, tg->out.len, &to);
	}
}

/* ---- responses ----------------------------------------------------------------- */

/* Where a response goes with no transaction: the second Via's sent-by,
 * or its received/rport. */
static int second_via_addr(struct target *tg, const struct msg *m, struct tp_addr *to)
{
	struct buf v;
	const char *second, *sp, *rcv, *rp;
	char host[128];
	unsigned port;
	int err = EINVAL;

	buf_init(&v, 1 << 16);
	if (msg_hdr_append(m, "Via", 3, 1, &v) > 0 && v.data &&
	    (second = strchr(v.data, ',')) != NULL && (sp = strchr(second, ' ')) != NULL) {
		second++;
		while (*sp == ' ')
			sp++;
		if (!tgt_uri_hostport(sp, strcspn(sp, ","), host, sizeof(host), &port)) {
			size_t vl = strcspn(second, ",");

			rcv = memmem(second, vl, ";received=", 10);
			rp = memmem(second, vl, ";rport=", 7);
			if (rcv)
				snprintf(host, sizeof(host), "%.*s", (int)strcspn(rcv + 10, ";,"),
					 rcv + 10);
			if (rp)
				port = (unsigned)strtoul(rp + 7, NULL, 10);
			err = tgt_addr_of(tg, to, host, port);
		}
	}
	buf_free(&v);
	return err;
}

static void ack_branch(struct target *tg, struct pbranch *b, const struct msg *m)
{
	buf_reset(&tg->out);
	if (!msg_build_ack(m, b->ruri, strlen(b->ruri), &tg->out))
		tgt_send(tg, tg->out.data, tg->out.len, &b->to);
}

/* A response of no branch of ours: a late 2xx retransmission, or not
 * ours; a 2xx goes on by the Via. */
static void relay_stray(struct target *tg, const struct msg *m)
{
	struct tp_addr to;

	if (m->status >= 200 && m->status < 300 && !tgt_strip_top_via(m, &tg->out) &&
	    !second_via_addr(tg, m, &to))
		tgt_send(tg, tg->out.data, tg->out.len, &to);
}

/* Relay response m of branch b upstream (a 2xx each time, a final
 * non-2xx once). */
static void relay_up(struct ptx *t, const struct msg *m)
{
	struct target *tg = t->tg;

	if (tgt_relay_response(t->req, m, &tg->out))
		return;
	if (m->status >= 200 && m->status < 300) {
		tgt_send(tg, tg->out.data, tg->out.len, &t->from);
		if (!t->final) {
			if (t->is_invite && t->callee[0])
				tg->n.answered++;
			t->final = m->status;
			tmr_cancel(&t->ring);
			tgt_txn_linger(t);
		}
	} else if (!t->final) {
		tgt_respond_up(t, tg->out.data, tg->out.len, m->status);
	}
}

void tgt_fwd_response(struct target *tg, struct msg *m)
{
	struct pbranch *b = tgt_branch_find(tg, m);
	struct ptx *t;
	int first;

	tg->n.responses++;
	if (!b) {
		relay_stray(tg, m);
		goto out;
	}
	t = b->t;
	if (!strcasecmp(m->cseq_method, "CANCEL"))
		goto out;      /* the answer to a CANCEL of ours ends here */
	first = b->status < 200 && m->status >= 200;
	if (m->status >= 200 || t->is_invite)
		tmr_cancel(&b->rtx);  /* a non-INVITE goes on at T2 after a 1xx */
	if (m->status >= 200 || b->status < 200)
		b->status = m->status;
	if (m->status >= 300 && t->is_invite)
		ack_branch(tg, b, m);
	if (m->status == 100 || (!first && m->status >= 300))
		goto out;
	if (m->status >= 300 && b != &t->br[t->nbr - 1])
		goto out;      /* an earlier branch we gave up on */
	if (m->status == 486 && first && !t->final && forward_call(t, 1)) {
		tmr_cancel(&t->ring);
		goto out;
	}
	if (m->status >= 300 && t->final)
		goto out;      /* we already answered (408 after the ring timer) */
	relay_up(t, m);
out:
	msg_free(m);
}
