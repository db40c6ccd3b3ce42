/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proxy: the embedded reference target's SIP logic (see target.h).
 *
 * A server transaction (struct ptx) holds one request received from
 * upstream, keyed by its top Via branch and method; it forwards the
 * request on at most two client branches one after the other (the
 * second is the forwarding target), keyed by the branch we put in our
 * Via. Responses come back by that branch, lose our Via and go to the
 * transaction's source. Requests for which the target is the end point
 * (REGISTER, a CANCEL's 200, challenges, errors) are answered at once.
 * ACKs of 2xx and every other message of no transaction are forwarded
 * statelessly. Retransmissions: the target resends a forwarded request
 * on timer A/E until a response; a retransmitted request from upstream
 * gets the last response again. */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "base/buf.h"
#include "base/htab.h"
#include "base/list.h"
#include "loop/loop.h"
#include "sip/auth.h"
#include "sip/msg.h"
#include "sip/via.h"
#include "sip/trace.h"
#include "target/target.h"
#include "transport/tp.h"

#define T1_MS 500
#define T2_MS 4000
#define TXN_LIFE_MS 32000      /* 64*T1: how long a transaction lingers */
#define TXN_SHORT_MS 5000      /* ... when nothing waits for an ACK      */
#define NONCE_LIFE_S 300
#define MAX_BRANCHES 2

struct ptx;

struct pbranch {
	struct htab_node node;     /* in target.by_branch, key: our branch   */
	struct ptx *t;
	char id[64];               /* our Via branch                         */
	char *req;                 /* the forwarded request (owned)          */
	size_t len;
	char ruri[256];
	struct tp_addr to;
	int status;                /* last response status, 0 none           */
	int canceled;              /* we sent CANCEL on it                   */
	uint64_t rtx_ms;
	struct tmr rtx;
};

struct ptx {
	struct htab_node node;     /* in target.by_txn, key: branch + method */
	struct lst_node le;        /* in target.txns                         */
	struct target *tg;
	struct msg *req;           /* as received (owned)                    */
	char key[256];             /* upstream branch, method, Call-ID       */
	struct tp_addr from;
	char *last;                /* last response sent upstream (owned)    */
	size_t last_len;
	int final;                 /* final status sent upstream, 0 none     */
	int canceled;              /* upstream sent CANCEL                   */
	int is_invite;
	char callee[64];           /* user the INVITE was for                */
	int forwarded;             /* the forwarding rule was used           */
	struct pbranch br[MAX_BRANCHES];
	unsigned nbr;
	struct tmr ring;           /* no-answer timer (INVITE)               */
	struct tmr life;           /* frees the transaction                  */
};

struct ploc {
	struct htab_node node;
	char user[64];
	char contact[256];         /* the registered Contact URI             */
	struct tp_addr addr;       /* where it points                        */
	uint64_t expires_ms;       /* loop clock                             */
};

struct tgt_counters {
	unsigned long long requests, responses, malformed, registered, challenged,
		forwarded_calls, not_found, loops, too_many_hops, retransmissions,
		canceled, stateless, expired, rejected, refused;
	unsigned long long calls;     /* new INVITEs routed on to a binding  */
	unsigned long long answered;  /* of those, answered 2xx (first one)  */
};

struct target {
	struct loop *loop;
	struct tp_sock *sock;
	enum tp_proto proto;
	const struct tgt_conf *conf;
	char ip[64];
	unsigned port;
	unsigned token;            /* makes our branches ours                */
	unsigned long long seq;
	struct htab by_txn, by_branch, by_user;
	struct lst_node txns;
	struct buf out, tmp;
	struct buf stamp;          /* a request with received=/rport= added  */
	FILE *log;
	struct tgt_counters n;
	struct tmr sweep;          /* frees expired bindings                 */
};

#define SWEEP_MS 5000

/* ---- small text helpers --------------------------------------------------- */

static uint64_t key_of(const char *p, size_t len)
{
	return msg_hash(p, len);
}

/* The user part of a SIP URI inside p[0..len) ("sip:user@host..."). */
static struct msg_pl uri_user(const char *p, size_t len)
{
	struct msg_pl u = {NULL, 0};
	const char *s, *e, *at;

	if (!len)
		return u;  /* no such header: p is NULL */
	e = p + len;
	s = memmem(p, len, "sip:", 4);
	if (!s)
		s = memmem(p, len, "sips:", 5);
	if (!s)
		return u;
	s = memchr(s, ':', (size_t)(e - s)) + 1;
	for (at = s; at < e && *at != '@' && *at != '>' && *at != ';'; at++)
		;
	if (at < e && *at == '@') {
		u.p = s;
		u.len = (size_t)(at - s);
	}
	return u;
}

/* host and port of a SIP URI (or of "SIP/2.0/UDP host:port" when via). */
static int uri_hostport(const char *p, size_t len, char *host, size_t hn, unsigned *port)
{
	const char *e = p + len, *s = p, *h;
	size_t n;

	while (s < e && (*s == ' ' || *s == '<'))
		s++;
	if ((size_t)(e - s) > 4 && !strncasecmp(s, "sip:", 4))
		s += 4;
	else if ((size_t)(e - s) > 5 && !strncasecmp(s, "sips:", 5))
		s += 5;
	for (h = s; h < e && *h != '>' && *h != ';' && *h != '?'; h++)
		if (*h == '@') {
			s = h + 1;
			break;
		}
	if (*s == '[') {
		for (h = s; h < e && *h != ']'; h++)
			;
		h = h < e ? h + 1 : h;
	} else {
		for (h = s; h < e && *h != ':' && *h != ';' && *h != '>' && *h != ' ' &&
		     *h != '?' && *h != ','; h++)
			;
	}
	n = (size_t)(h - s);
	if (!n || n >= hn)
		return EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = 5060;
	if (h < e && *h == ':')
		*port = (unsigned)strtoul(h + 1, NULL, 10);
	return *port && *port < 65536 ? 0 : EINVAL;
}

/* Is a loopback address (127/8, ::1, ::ffff:127/104)? */
static int is_loopback(const struct tp_addr *a)
{
	const unsigned char *b6 = a->ss.in6.sin6_addr.s6_addr;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (a->ss.ss_family == AF_INET)
		return (ntohl(a->ss.in.sin_addr.s_addr) >> 24) == 127;
	if (a->ss.ss_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&a->ss.in6.sin6_addr) ||
	       (!memcmp(b6, mapped, 12) && b6[12] == 127);
}

/* May the target send to a? Not to a broadcast or multicast address
 * (RFC 4475 3.3.10: a response's second Via may say 255.255.255.255),
 * and with local-only, only to loopback. */
static int may_send(const struct target *tg, const struct tp_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		uint32_t v4 = ntohl(a->ss.in.sin_addr.s_addr);

		if (v4 == 0xffffffffU || (v4 >> 28) == 0xe || v4 == 0)
			return 0;
	} else if (a->ss.ss_family == AF_INET6 &&
		   (IN6_IS_ADDR_MULTICAST(&a->ss.in6.sin6_addr) ||
		    IN6_IS_ADDR_UNSPECIFIED(&a->ss.in6.sin6_addr))) {
		return 0;
	}
	return !tg->conf->local_only || is_loopback(a);
}

/* host:port of a URI or Via as an address. With local-only a name is
 * never looked up (a message names any host it likes; looking it up
 * would block the loop and leave the machine), except "localhost". */
static int addr_of(const struct target *tg, struct tp_addr *a, const char *host, unsigned port)
{
	char h[80], hp[128];
	struct diag d = {0};
	unsigned char bin[16];

	if (tg->conf->local_only && strcasecmp(host, "localhost")) {
		char bare[80];
		size_t n = strlen(host);

		if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
			snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), host + 1);
		else
			snprintf(bare, sizeof(bare), "%s", host);
		if (inet_pton(AF_INET, bare, bin) != 1 && inet_pton(AF_INET6, bare, bin) != 1)
			return EHOSTUNREACH;
	}
	tp_ip_host(host, h, sizeof(h));
	snprintf(hp, sizeof(hp), "%s:%u", h, port);
	if (tp_addr_parse(a, hp, 5060, &d))
		return EINVAL;
	return may_send(tg, a) ? 0 : EHOSTUNREACH;
}

/* ---- sending ---------------------------------------------------------------- */

static void send_to(struct target *tg, const char *buf, size_t len, const struct tp_addr *to)
{
	if (!may_send(tg, to)) {
		tg->n.refused++;
		return;
	}
	msg_trace(tg->log, "target", tg->proto, 1, buf, len, to);
	(void)tp_send(tg->sock, buf, len, to);  /* a loss is a loss */
}

static void new_branch_id(struct target *tg, char *out, size_t n)
{
	snprintf(out, n, "z9hG4bK-sbt%x-%llx", tg->token, ++tg->seq);
}

/* A response of our own to request m. extra: header lines, each ending
 * in CRLF, inserted before Content-Length. */
static int build_reply(struct target *tg, const struct msg *m, int code, const char *reason,
		       const char *extra, struct buf *out)
{
	char tag[32];
	size_t cl;
	int err;

	snprintf(tag, sizeof(tag), "sbt%x", tg->token);
	buf_reset(out);
	err = msg_build_response(m, code, reason, code > 100 ? tag : NULL, out);
	if (err || !extra || !*extra)
		return err;
	/* msg_build_response ends with "Content-Length: 0\r\n\r\n" */
	cl = out->len - strlen("Content-Length: 0\r\n\r\n");
	out->len = cl;
	return buf_adds(out, extra) || buf_adds(out, "Content-Length: 0\r\n\r\n") ? ENOMEM : 0;
}

static void reply(struct target *tg, const struct msg *m, const struct tp_addr *to, int code,
		  const char *reason, const char *extra)
{
	if (!build_reply(tg, m, code, reason, extra, &tg->out))
		send_to(tg, tg->out.data, tg->out.len, to);
}

/* ---- transactions ----------------------------------------------------------- */

static void txn_key(const struct msg *m, const char *method, char *out, size_t n)
{
	/* the Call-ID too: an RFC 2543 client may send no branch at all */
	snprintf(out, n, "%.*s %s %.*s", (int)m->branch.len, m->branch.p, method,
		 (int)m->call_id.len, m->call_id.p);
}

static struct ptx *txn_find(struct target *tg, const struct msg *m, const char *method)
{
	char key[256];
	uint64_t k;
	struct htab_node *n;

	txn_key(m, method, key, sizeof(key));
	k = key_of(key, strlen(key));
	for (n = htab_chain(&tg->by_txn, k); n; n = n->next) {
		struct ptx *t = LST_ENTRY(n, struct ptx, node);

		if (n->key == k && !strcmp(t->key, key))
			return t;
	}
	return NULL;
}

static struct pbranch *branch_find(struct target *tg, const struct msg *m)
{
	uint64_t k = key_of(m->branch.p, m->branch.len);
	struct htab_node *n;

	for (n = htab_chain(&tg->by_branch, k); n; n = n->next) {
		struct pbranch *b = LST_ENTRY(n, struct pbranch, node);

		if (n->key == k && strlen(b->id) == m->branch.len &&
		    !memcmp(b->id, m->branch.p, m->branch.len))
			return b;
	}
	return NULL;
}

static void txn_free(struct ptx *t)
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
	txn_free(arg);
}

/* A transaction with its final answer stays to absorb retransmissions:
 * 64*T1 when a non-2xx to an INVITE still waits for its ACK, else a
 * short while (a lost 2xx is resent by the UAS and relayed statelessly). */
static void linger(struct ptx *t)
{
	tmr_start(t->tg->loop, &t->life, t->is_invite && t->final >= 300 ? TXN_LIFE_MS :
		  TXN_SHORT_MS, on_life, t);
}

/* Send a response upstream and keep it for retransmitted requests. */
static void respond_up(struct ptx *t, const char *buf, size_t len, int status)
{
	char *copy = malloc(len);

	send_to(t->tg, buf, len, &t->from);
	if (copy) {
		memcpy(copy, buf, len);
		free(t->last);
		t->last = copy;
		t->last_len = len;
	}
	if (status >= 200 && !t->final) {
		t->final = status;
		tmr_cancel(&t->ring);
		linger(t);
	}
}

static void respond_own(struct ptx *t, int code, const char *reason)
{
	struct target *tg = t->tg;

	if (!build_reply(tg, t->req, code, reason, NULL, &tg->out))
		respond_up(t, tg->out.data, tg->out.len, code);
}

/* ---- forwarding --------------------------------------------------------------- */

static int is_hdr(const char *line, size_t len, const char *name, const char *compact)
{
	size_t n = strlen(name);
	const char *c;

	if (len > n && !strncasecmp(line, name, n))
		c = line + n;
	else if (compact && len > 1 && tolower((unsigned char)line[0]) == compact[0])
		c = line + 1;
	else
		return 0;
	while (c < line + len && (*c == ' ' || *c == '\t'))
		c++;
	return c < line + len && *c == ':';
}

/* Is this URI ours (host and port of the target)? */
static int is_self(const struct target *tg, const char *uri, size_t len)
{
	char host[128];
	unsigned port;

	return !uri_hostport(uri, len, host, sizeof(host), &port) && port == tg->port &&
	       (!strcmp(host, tg->ip) || !strcmp(host, "localhost"));
}

/* The request m for ruri with our Via (branch) on top, Max-Forwards one
 * less, our Record-Route when rr, and without the first Route when it
 * names us. The body is unchanged. */
static int build_forward(struct target *tg, const struct msg *m, const char *ruri,
			 const char *branch, int rr, struct buf *out)
{
	const char *p = m->raw, *end = m->raw + m->hdr_end, *nl;
	int have_mf = 0, route_done = 0, err = 0;

	buf_reset(out);
	err |= buf_addf(out, "%s %s SIP/2.0\r\n", m->method, ruri);
	err |= buf_addf(out, "Via: SIP/2.0/%s %s:%u;branch=%s\r\n", tp_proto_name(tg->proto),
			tg->ip, tg->port, branch);
	if (rr && tg->proto == TP_UDP)
		err |= buf_addf(out, "Record-Route: <sip:%s:%u;lr>\r\n", tg->ip, tg->port);
	else if (rr)
		err |= buf_addf(out, "Record-Route: <sip:%s:%u;transport=%s;lr>\r\n", tg->ip,
				tg->port, tp_proto_param(tg->proto));
	nl = memchr(p, '\n', (size_t)(end - p));
	p = nl ? nl + 1 : end;  /* past the request line */
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		size_t len;

		eol = eol ? eol + 1 : end;
		/* a header with its continuation lines */
		while (eol < end && (*eol == ' ' || *eol == '\t')) {
			q = memchr(eol, '\n', (size_t)(end - eol));
			eol = q ? q + 1 : end;
		}
		len = (size_t)(eol - p);
		if (len <= 2) {
			p = eol;
			continue;
		}
		if (is_hdr(p, len, "Max-Forwards", NULL)) {
			const char *c = memchr(p, ':', len);
			long mf = strtol(c + 1, NULL, 10);

			err |= buf_addf(out, "Max-Forwards: %ld\r\n", mf > 0 ? mf - 1 : 0);
			have_mf = 1;
		} else if (!route_done && is_hdr(p, len, "Route", NULL)) {
			const char *c = memchr(p, ':', len) + 1, *comma;
			size_t vlen = (size_t)(eol - c);

			route_done = 1;
			if (!is_self(tg, c, vlen)) {
				err |= buf_add(out, p, len);
			} else if ((comma = memchr(c, ',', vlen)) != NULL) {
				/* more routes on this line: keep them */
				err |= buf_adds(out, "Route:");
				err |= buf_add(out, comma + 1, (size_t)(eol - comma - 1));
			}
		} else {
			err |= buf_add(out, p, len);
		}
		p = eol;
	}
	if (!have_mf)
		err |= buf_adds(out, "Max-Forwards: 70\r\n");
	err |= buf_adds(out, "\r\n");
	if (m->body_off < m->len)
		err |= buf_add(out, m->raw + m->body_off, m->len - m->body_off);
	return err ? ENOMEM : 0;
}

static struct ploc *loc_find(struct target *tg, const char *user, size_t len);

/* The registered contact c and the URI u (len n) name the same place:
 * equal up to their parameters. */
static int same_uri(const char *c, const char *u, size_t n)
{
	size_t cl = strcspn(c, ";>"), ul = 0;

	while (ul < n && u[ul] != ';' && u[ul] != '>')
		ul++;
	return cl == ul && !strncasecmp(c, u, cl);
}

/* Where request m goes next, and with which Request-URI: the first Route
 * that is not us; else, for a Request-URI of ours, the registered
 * contact of its user (ENOENT: none; ESRCH: no user, the request is for
 * the target itself); else the Request-URI. */
static int resolve(struct target *tg, const struct msg *m, struct tp_addr *to,
		   char *ruri, size_t rn)
{
	struct buf routes;
	const char *r, *comma;
	char host[128];
	unsigned port;
	struct ploc *l;
	int err;

	snprintf(ruri, rn, "%.*s", (int)m->ruri.len, m->ruri.p);
	buf_init(&routes, 1 << 16);
	if (msg_hdr_append(m, "Route", 5, 1, &routes) > 0 && routes.data) {
		r = routes.data;
		while (r && is_self(tg, r, strcspn(r, ","))) {
			comma = strchr(r, ',');
			r = comma ? comma + 1 : NULL;
		}
		if (r && !uri_hostport(r, strcspn(r, ","), host, sizeof(host), &port)) {
			buf_free(&routes);
			return addr_of(tg, to, host, port);
		}
	}
	buf_free(&routes);
	if (is_self(tg, m->ruri.p, m->ruri.len)) {
		if (!m->ruri_user.len)
			return ESRCH;
		l = loc_find(tg, m->ruri_user.p, m->ruri_user.len);
		if (!l)
			return ENOENT;
		*to = l->addr;
		snprintf(ruri, rn, "%s", l->contact);
		return 0;
	}
	/* in a dialog with a registered UA (its Contact as Request-URI):
	 * where its registration came from, so a NATed UA is reached */
	if (m->ruri_user.len && (l = loc_find(tg, m->ruri_user.p, m->ruri_user.len)) &&
	    same_uri(l->contact, m->ruri.p, m->ruri.len)) {
		*to = l->addr;
		return 0;
	}
	err = uri_hostport(m->ruri.p, m->ruri.len, host, sizeof(host), &port);
	return err ? err : addr_of(tg, to, host, port);
}

static void on_rtx(void *arg);

/* Send t's request on a new client branch to ruri at `to`. */
static int fork_branch(struct ptx *t, const char *ruri, const struct tp_addr *to, int rr)
{
	struct target *tg = t->tg;
	struct pbranch *b;

	if (t->nbr == MAX_BRANCHES)
		return ENOSPC;
	b = &t->br[t->nbr];
	memset(b, 0, sizeof(*b));
	b->t = t;
	new_branch_id(tg, b->id, sizeof(b->id));
	snprintf(b->ruri, sizeof(b->ruri), "%s", ruri);
	b->to = *to;
	if (build_forward(tg, t->req, ruri, b->id, rr, &tg->out))
		return ENOMEM;
	b->req = malloc(tg->out.len);
	if (!b->req)
		return ENOMEM;
	memcpy(b->req, tg->out.data, tg->out.len);
	b->len = tg->out.len;
	if (htab_add(&tg->by_branch, &b->node, key_of(b->id, strlen(b->id)))) {
		free(b->req);
		return ENOMEM;
	}
	t->nbr++;
	send_to(tg, b->req, b->len, &b->to);
	/* over a stream, only timer B/F: 408 after 64*T1 */
	b->rtx_ms = tp_proto_reliable(tg->proto) ? 64 * T1_MS : T1_MS;
	tmr_start(tg->loop, &b->rtx, b->rtx_ms, on_rtx, b);
	return 0;
}

/* Timer A/E: resend until a response; after 64*T1 answer 408 upstream. */
static void on_rtx(void *arg)
{
	struct pbranch *b = arg;
	struct ptx *t = b->t;

	if (b->status || b->canceled)
		return;
	if (b->rtx_ms >= TXN_LIFE_MS / 2) {
		if (!t->final)
			respond_own(t, 408, "Request Timeout");
		return;
	}
	t->tg->n.retransmissions++;
	send_to(t->tg, b->req, b->len, &b->to);
	b->rtx_ms *= 2;
	if (!t->is_invite && b->rtx_ms > T2_MS)
		b->rtx_ms = T2_MS;
	tmr_start(t->tg->loop, &b->rtx, b->rtx_ms, on_rtx, b);
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
		send_to(tg, tg->out.data, tg->out.len, &b->to);
	tg->n.canceled++;
}

static struct ploc *loc_find(struct target *tg, const char *user, size_t len)
{
	uint64_t k = key_of(user, len);
	struct htab_node *n;

	for (n = htab_chain(&tg->by_user, k); n; n = n->next) {
		struct ploc *l = LST_ENTRY(n, struct ploc, node);

		if (n->key == k && strlen(l->user) == len && !memcmp(l->user, user, len)) {
			if (l->expires_ms <= loop_now_ms(tg->loop))
				return NULL;
			return l;
		}
	}
	return NULL;
}

/* Expired bindings are freed every SWEEP_MS: per-call users (a1, a2, ...)
 * would otherwise keep one each for ever. Static ones never expire. */
static void on_sweep(void *arg)
{
	struct target *tg = arg;
	uint64_t now = loop_now_ms(tg->loop);
	unsigned i;

	for (i = 0; i < tg->by_user.size; i++) {
		struct htab_node *n = tg->by_user.b[i], *next;

		for (; n; n = next) {
			struct ploc *l = LST_ENTRY(n, struct ploc, node);

			next = n->next;
			if (l->expires_ms <= now) {
				htab_del(&tg->by_user, &l->node);
				free(l);
				tg->n.expired++;
			}
		}
	}
	tmr_start(tg->loop, &tg->sweep, SWEEP_MS, on_sweep, tg);
}

/* Where a call to t->callee goes on busy or no answer: the INVITE's
 * X-Forward-To header (a hint for test targets), else the config. */
static const char *forward_user(struct ptx *t, int on_busy, char *buf, size_t n)
{
	struct msg_pl h;
	const char *to;

	if (t->forwarded || t->canceled || !t->is_invite)
		return NULL;
	h = msg_hdr_first(t->req, "X-Forward-To", 12);
	if (h.len) {
		struct msg_pl u = uri_user(h.p, h.len);

		if (!u.len) {
			u = h;  /* a bare user name */
		}
		snprintf(buf, n, "%.*s", (int)u.len, u.p);
		return buf;
	}
	to = tgt_conf_forward(t->tg->conf, t->callee, strlen(t->callee), on_busy);
	return to;
}

static void on_ring(void *arg);

/* Route t's INVITE (or other request) to user's registered contact. */
static int route_to_user(struct ptx *t, const char *user, size_t len)
{
	struct ploc *l = loc_find(t->tg, user, len);
	int err;

	if (!l)
		return ENOENT;
	err = fork_branch(t, l->contact, &l->addr, t->is_invite);
	if (!err && t->is_invite)
		tmr_start(t->tg->loop, &t->ring, t->tg->conf->ring_ms, on_ring, t);
	return err;
}

/* Send the call on to its forwarding target, if it has one. */
static int forward_call(struct ptx *t, int on_busy)
{
	char buf[64];
	const char *to = forward_user(t, on_busy, buf, sizeof(buf));

	if (!to)
		return 0;
	t->forwarded = 1;
	if (route_to_user(t, to, strlen(to)))
		return 0;
	t->tg->n.forwarded_calls++;
	return 1;
}

static void on_ring(void *arg)
{
	struct ptx *t = arg;
	struct pbranch *b = &t->br[t->nbr - 1];

	if (t->final)
		return;
	cancel_branch(t, b);
	if (!forward_call(t, 0))
		respond_own(t, 408, "Request Timeout");
}

/* ---- requests ----------------------------------------------------------------- */

/* A fresh nonce: the time and a keyed hash of it, so any nonce the
 * target gave out in the last NONCE_LIFE_S verifies without a table. */
static void make_nonce(const struct target *tg, time_t now, char *out, size_t n)
{
	char in[64];
	int k = snprintf(in, sizeof(in), "%lx:%x", (unsigned long)now & 0xffffffffUL, tg->token);

	snprintf(out, n, "%08lx%016llx", (unsigned long)now & 0xffffffffUL,
		 (unsigned long long)msg_hash(in, (size_t)k));
}

static int nonce_ok(const struct target *tg, const char *nonce)
{
	char want[64], hex[9], *end;
	long ts;
	time_t now = time(NULL);

	if (strlen(nonce) != 24)
		return 0;
	memcpy(hex, nonce, 8);
	hex[8] = '\0';
	ts = strtol(hex, &end, 16);
	if (*end || ts > (long)now || (long)now - ts > NONCE_LIFE_S)
		return 0;
	make_nonce(tg, (time_t)ts, want, sizeof(want));
	return !strcmp(want, nonce);
}

/* 1 when m carries valid credentials of user (the From or To user). */
static int authorized(struct target *tg, const struct msg *m, struct msg_pl user)
{
	char name[128], nonce[256];
	const char *pass;

	if (tg->conf->no_auth)
		return 1;
	if (!auth_cred_param(m, "username", name, sizeof(name)) ||
	    !auth_cred_param(m, "nonce", nonce, sizeof(nonce)) || !nonce_ok(tg, nonce))
		return 0;
	if (strlen(name) != user.len || memcmp(name, user.p, user.len))
		return 0;
	pass = tgt_conf_password(tg->conf, name, strlen(name));
	return pass && auth_verify(m, name, pass);
}

static void challenge(struct target *tg, const struct msg *m, const struct tp_addr *from,
		      int proxy)
{
	char nonce[64], hdr[320];

	make_nonce(tg, time(NULL), nonce, sizeof(nonce));
	snprintf(hdr, sizeof(hdr), "%s: Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", "
		 "algorithm=MD5\r\n", proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
		 tg->conf->realm, nonce);
	tg->n.challenged++;
	reply(tg, m, from, proxy ? 407 : 401, proxy ? "Proxy Authentication Required" :
	      "Unauthorized", hdr);
}

static struct msg_pl to_user(const struct msg *m)
{
	struct msg_pl to = msg_hdr_first(m, "To", 2);

	return uri_user(to.p, to.len);
}

static long expires_of(const struct msg *m, struct msg_pl contact)
{
	const char *e = contact.len ? memmem(contact.p, contact.len, "expires=", 8) : NULL;
	struct msg_pl h;

	if (e)
		return strtol(e + 8, NULL, 10);
	h = msg_hdr_first(m, "Expires", 7);
	return h.len ? strtol(h.p, NULL, 10) : 3600;
}

static void do_register(struct target *tg, const struct msg *m, const struct tp_addr *from)
{
	struct msg_pl user = to_user(m), contact = msg_hdr_first(m, "Contact", 7);
	struct msg_pl uri = msg_contact_uri(m);
	struct ploc *l;
	struct tp_addr via_addr;
	char host[128], extra[400];
	unsigned port;
	long exp;

	if (!user.len || user.len >= sizeof(l->user)) {
		reply(tg, m, from, 400, "Bad To User", NULL);
		return;
	}
	if (!tgt_conf_password(tg->conf, user.p, user.len)) {
		reply(tg, m, from, 403, "Unknown User", NULL);
		return;
	}
	if (!authorized(tg, m, user)) {
		challenge(tg, m, from, 0);
		return;
	}
	l = loc_find(tg, user.p, user.len);
	exp = expires_of(m, contact);
	if (!contact.len) {           /* a query: the bindings */
		extra[0] = '\0';
		if (l)
			snprintf(extra, sizeof(extra), "Contact: <%s>;expires=%llu\r\n", l->contact,
				 (unsigned long long)(l->expires_ms - loop_now_ms(tg->loop)) / 1000);
		reply(tg, m, from, 200, "OK", extra);
		return;
	}
	if (exp <= 0 || (contact.len == 1 && contact.p[0] == '*')) {
		if (l)
			l->expires_ms = 0;
		reply(tg, m, from, 200, "OK", NULL);
		return;
	}
	if (!uri.len || uri.len >= sizeof(l->contact) ||
	    uri_hostport(uri.p, uri.len, host, sizeof(host), &port)) {
		reply(tg, m, from, 400, "Bad Contact", NULL);
		return;
	}
	if (!l) {
		/* expired bindings are reused in place */
		uint64_t k = key_of(user.p, user.len);
		struct htab_node *n;

		for (n = htab_chain(&tg->by_user, k); n && !l; n = n->next) {
			struct ploc *o = LST_ENTRY(n, struct ploc, node);

			if (n->key == k && strlen(o->user) == user.len &&
			    !memcmp(o->user, user.p, user.len))
				l = o;
		}
	}
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l || htab_add(&tg->by_user, &l->node, key_of(user.p, user.len))) {
			free(l);
			reply(tg, m, from, 500, "Out Of Memory", NULL);
			return;
		}
		memcpy(l->user, user.p, user.len);
	}
	snprintf(l->contact, sizeof(l->contact), "%.*s", (int)uri.len, uri.p);
	/* A UA whose Via asked for rport, or was not where it said (we added
	 * received=), is reached where its REGISTER came from: a NAT's
	 * public side, as Kamailio's received_avp does. */
	if (msg_via_public(m, &via_addr) == 0 || addr_of(tg, &l->addr, host, port))
		l->addr = *from;
	l->expires_ms = loop_now_ms(tg->loop) + (uint64_t)exp * 1000;
	tg->n.registered++;
	snprintf(extra, sizeof(extra), "Contact: <%s>;expires=%ld\r\n", l->contact, exp);
	reply(tg, m, from, 200, "OK", extra);
}

static void do_cancel(struct target *tg, const struct msg *m, const struct tp_addr *from)
{
	struct ptx *t = txn_find(tg, m, "INVITE");

	if (!t) {
		reply(tg, m, from, 481, "Call/Transaction Does Not Exist", NULL);
		return;
	}
	reply(tg, m, from, 200, "OK", NULL);
	if (t->final || t->canceled)
		return;
	t->canceled = 1;
	tmr_cancel(&t->ring);
	if (t->nbr)
		cancel_branch(t, &t->br[t->nbr - 1]);
	else
		respond_own(t, 487, "Request Terminated");
}

static int looped(const struct target *tg, const struct msg *m)
{
	char mark[32];
	int n = snprintf(mark, sizeof(mark), "branch=z9hG4bK-sbt%x-", tg->token);

	return memmem(m->raw, m->hdr_end, mark, (size_t)n) != NULL;
}

/* A request of no transaction (ACK of a 2xx): on, statelessly. */
static void forward_stateless(struct target *tg, const struct msg *m)
{
	struct tp_addr to;
	char branch[64], ruri[512];

	/* the ACK of a response of our own (a challenge, a 404) ends here */
	if (looped(tg, m) || resolve(tg, m, &to, ruri, sizeof(ruri)))
		return;
	new_branch_id(tg, branch, sizeof(branch));
	if (!build_forward(tg, m, ruri, branch, 0, &tg->out)) {
		tg->n.stateless++;
		send_to(tg, tg->out.data, tg->out.len, &to);
	}
}


/* Answer a request refused for its form from its raw bytes: it did not
 * parse, so there is no struct msg to answer from. Never an ACK. */
static void reject_raw(struct target *tg, const char *buf, size_t len,
		       const struct tp_addr *from, int code, const char *reason)
{
	char tag[32];

	if (len >= 4 && !strncmp(buf, "ACK ", 4))
		return;
	snprintf(tag, sizeof(tag), "sbt%x", tg->token);
	buf_reset(&tg->out);
	if (!msg_build_reject(buf, len, code, reason, tag, NULL, &tg->out)) {
		tg->n.rejected++;
		send_to(tg, tg->out.data, tg->out.len, from);
	}
}

static int is_sip_scheme(const char *u, size_t n)
{
	return (n == 3 && !strncasecmp(u, "sip", 3)) || (n == 4 && !strncasecmp(u, "sips", 4));
}

/* What the request line alone says of a request that did not parse:
 * 505 for another SIP version (RFC 4475 3.1.2.16), 416 for a
 * Request-URI scheme we do not route (3.3.3), else 400. */
static int start_line_verdict(const char *buf, size_t len, const char **reason)
{
	const char *nl = memchr(buf, '\n', len), *e, *ver, *sp, *u, *c;

	*reason = "Bad Request";
	if (!nl || len < 4 || !strncasecmp(buf, "SIP/", 4))
		return 400;
	e = nl;
	while (e > buf && (e[-1] == '\r' || e[-1] == ' '))
		e--;
	for (ver = e; ver > buf && ver[-1] != ' '; ver--)
		;
	sp = memchr(buf, ' ', (size_t)(e - buf));
	if (!sp || ver <= sp)
		return 400;
	if (e - ver >= 4 && !strncmp(ver, "SIP/", 4) && (e - ver != 7 || strncmp(ver, "SIP/2.0", 7))) {
		*reason = "Version Not Supported";
		return 505;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	for (u = sp + 1; u < ver && *u == ' '; u++)
		;
	for (c = u; c < ver && (isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.'); c++)
		;
	if (c > u && isalpha((unsigned char)*u) && c < ver && *c == ':' &&
	    !is_sip_scheme(u, (size_t)(c - u))) {
		*reason = "Unsupported URI Scheme";
		return 416;
	}
	return 400;
}

/* RFC 3261 16.3 step 5 (8.2.2.3 for the registrar): we support no
 * extension, so any Proxy-Require (Require, when the target is the
 * end point) gets 420 listing it (RFC 4475 3.3.5). 1 when answered. */
static int unsupported(struct target *tg, const struct msg *m, const struct tp_addr *from,
		       int uas)
{
	const char *name = uas ? "Require" : "Proxy-Require";
	struct buf v;
	char *extra;
	int n;

	buf_init(&v, 1 << 12);
	n = msg_hdr_append(m, name, strlen(name), 1, &v);
	if (n <= 0 || !v.len) {
		buf_free(&v);
		return 0;
	}
	extra = malloc(v.len + 32);
	if (extra) {
		snprintf(extra, v.len + 32, "Unsupported: %.*s\r\n", (int)v.len, v.data);
		tg->n.rejected++;
		reply(tg, m, from, 420, "Bad Extension", extra);
		free(extra);
	}
	buf_free(&v);
	return 1;
}

static void on_request(struct target *tg, struct msg *m, const struct tp_addr *from)
{
	struct msg_pl mf = msg_hdr_first(m, "Max-Forwards", 12);
	const char *colon;
	struct ptx *t;
	struct tp_addr to;
	char ruri[512];
	int initial = !m->to_tag.len, err;

	tg->n.requests++;
	if (!strcmp(m->method, "ACK")) {
		char tag[32];
		int n = snprintf(tag, sizeof(tag), "sbt%x", tg->token);

		t = txn_find(tg, m, "INVITE");
		/* the ACK of our own answer (a challenge, a 404) ends here */
		if ((size_t)n == m->to_tag.len && !memcmp(tag, m->to_tag.p, (size_t)n))
			t = NULL;
		else if (!t || t->final < 300)
			forward_stateless(tg, m);  /* the ACK of a 2xx */
		msg_free(m);
		return;
	}
	/* RFC 3261 16.3 step 2: a scheme we cannot route (RFC 4475 3.3.2) */
	colon = m->ruri.len ? memchr(m->ruri.p, ':', m->ruri.len) : NULL;
	if (!colon || !is_sip_scheme(m->ruri.p, (size_t)(colon - m->ruri.p))) {
		tg->n.rejected++;
		reply(tg, m, from, 416, "Unsupported URI Scheme", NULL);
		msg_free(m);
		return;
	}
	if ((t = txn_find(tg, m, m->method)) != NULL) {   /* a retransmission */
		if (t->last)
			send_to(tg, t->last, t->last_len, from);
		msg_free(m);
		return;
	}
	if (!strcmp(m->method, "CANCEL")) {
		do_cancel(tg, m, from);
		msg_free(m);
		return;
	}
	if (looped(tg, m)) {
		tg->n.loops++;
		reply(tg, m, from, 482, "Loop Detected", NULL);
		msg_free(m);
		return;
	}
	if (mf.len && strtol(mf.p, NULL, 10) <= 0) {
		tg->n.too_many_hops++;
		reply(tg, m, from, 483, "Too Many Hops", NULL);
		msg_free(m);
		return;
	}
	if (unsupported(tg, m, from, !strcmp(m->method, "REGISTER"))) {
		msg_free(m);
		return;
	}
	if (!strcmp(m->method, "REGISTER")) {
		do_register(tg, m, from);
		msg_free(m);
		return;
	}
	if (initial && !strcmp(m->method, "INVITE") &&
	    !authorized(tg, m, m->from_user)) {
		challenge(tg, m, from, 1);
		msg_free(m);
		return;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		reply(tg, m, from, 500, "Out Of Memory", NULL);
		msg_free(m);
		return;
	}
	t->tg = tg;
	t->req = m;
	t->from = *from;
	t->is_invite = !strcmp(m->method, "INVITE");
	txn_key(m, m->method, t->key, sizeof(t->key));
	lst_append(&tg->txns, &t->le);
	if (htab_add(&tg->by_txn, &t->node, key_of(t->key, strlen(t->key)))) {
		lst_unlink(&t->le);
		free(t);
		reply(tg, m, from, 500, "Out Of Memory", NULL);
		msg_free(m);
		return;
	}
	if (t->is_invite) {
		/* 100 Trying, kept as the response to resend */
		if (!build_reply(tg, m, 100, "Trying", NULL, &tg->out))
			respond_up(t, tg->out.data, tg->out.len, 100);
	}
	err = resolve(tg, m, &to, ruri, sizeof(ruri));
	if (err == ESRCH) {           /* for the target itself */
		respond_own(t, strcmp(m->method, "OPTIONS") ? 405 : 200,
			    strcmp(m->method, "OPTIONS") ? "Method Not Allowed" : "OK");
		return;
	}
	if (err == ENOENT || err == EHOSTUNREACH) {  /* EHOSTUNREACH: local-only */
		tg->n.not_found++;
		respond_own(t, 404, "Not Found");
		return;
	}
	if (err || fork_branch(t, ruri, &to, initial && t->is_invite)) {
		respond_own(t, 502, "Bad Gateway");
		return;
	}
	if (initial && t->is_invite) {
		tg->n.calls++;
		snprintf(t->callee, sizeof(t->callee), "%.*s", (int)m->ruri_user.len,
			 m->ruri_user.p);
		tmr_start(tg->loop, &t->ring, tg->conf->ring_ms, on_ring, t);
	}
}

/* ---- responses ---------------------------------------------------------------- */

/* Response m without its top Via value, into out. */
static int strip_top_via(const struct msg *m, struct buf *out)
{
	const char *p = m->raw, *end = m->raw + m->hdr_end;
	int done = 0, err = 0;

	buf_reset(out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		eol = eol ? eol + 1 : end;
		len = (size_t)(eol - p);
		if (!done && is_hdr(p, len, "Via", "v")) {
			const char *c = memchr(p, ':', len) + 1, *comma = memchr(c, ',', (size_t)(eol - c));

			done = 1;
			if (comma) {
				err |= buf_add(out, p, (size_t)(c - p));
				err |= buf_add(out, comma + 1, (size_t)(eol - comma - 1));
			}
		} else {
			err |= buf_add(out, p, len);
		}
		p = eol;
	}
	err |= buf_add(out, m->raw + m->hdr_end, m->len - m->hdr_end);
	return err ? ENOMEM : 0;
}

/* Response m of transaction t for upstream: its status line, the Via
 * headers of t's request (what is left once ours is removed; taken from
 * the request so that a UAS that built the response from the CANCEL's
 * single Via still reaches the caller), its other headers and body. */
static int relay_response(const struct ptx *t, const struct msg *m, struct buf *out)
{
	const char *p = m->raw, *end = m->raw + m->hdr_end;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	int err = 0, n;

	buf_reset(out);
	if (!nl)
		return EINVAL;
	err |= buf_add(out, p, (size_t)(nl + 1 - p));
	n = msg_hdr_append(t->req, "Via", 3, 0, out);
	if (n <= 0)
		return EINVAL;
	err |= buf_adds(out, "\r\n");
	for (p = nl + 1; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		eol = eol ? eol + 1 : end;
		len = (size_t)(eol - p);
		if (!is_hdr(p, len, "Via", "v"))
			err |= buf_add(out, p, len);
		p = eol;
	}
	err |= buf_add(out, m->raw + m->hdr_end, m->len - m->hdr_end);
	return err ? ENOMEM : 0;
}

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
		if (!uri_hostport(sp, strcspn(sp, ","), host, sizeof(host), &port)) {
			size_t vl = strcspn(second, ",");

			rcv = memmem(second, vl, ";received=", 10);
			rp = memmem(second, vl, ";rport=", 7);
			if (rcv)
				snprintf(host, sizeof(host), "%.*s", (int)strcspn(rcv + 10, ";,"),
					 rcv + 10);
			if (rp)
				port = (unsigned)strtoul(rp + 7, NULL, 10);
			err = addr_of(tg, to, host, port);
		}
	}
	buf_free(&v);
	return err;
}

static void ack_branch(struct target *tg, struct pbranch *b, const struct msg *m)
{
	buf_reset(&tg->out);
	if (!msg_build_ack(m, b->ruri, strlen(b->ruri), &tg->out))
		send_to(tg, tg->out.data, tg->out.len, &b->to);
}

static void on_response(struct target *tg, struct msg *m)
{
	struct pbranch *b = branch_find(tg, m);
	struct ptx *t;
	int first;

	tg->n.responses++;
	if (!b) {
		struct tp_addr to;

		/* a late 2xx retransmission, or not ours: on by the Via */
		if (m->status >= 200 && m->status < 300 && !strip_top_via(m, &tg->out) &&
		    !second_via_addr(tg, m, &to))
			send_to(tg, tg->out.data, tg->out.len, &to);
		msg_free(m);
		return;
	}
	t = b->t;
	if (!strcasecmp(m->cseq_method, "CANCEL")) {
		msg_free(m);   /* the answer to a CANCEL of ours ends here */
		return;
	}
	first = b->status < 200 && m->status >= 200;
	tmr_cancel(&b->rtx);
	if (m->status >= 200 || b->status < 200)
		b->status = m->status;
	if (m->status >= 300 && t->is_invite)
		ack_branch(tg, b, m);
	if (m->status == 100 || (!first && m->status >= 300)) {
		msg_free(m);
		return;
	}
	if (m->status >= 300 && b != &t->br[t->nbr - 1]) {
		msg_free(m);   /* an earlier branch we gave up on */
		return;
	}
	if (m->status == 486 && first && !t->final && forward_call(t, 1)) {
		tmr_cancel(&t->ring);
		msg_free(m);
		return;
	}
	if (m->status >= 300 && t->final) {
		msg_free(m);   /* we already answered (408 after the ring timer) */
		return;
	}
	if (!relay_response(t, m, &tg->out)) {
		if (m->status >= 200 && m->status < 300) {
			send_to(tg, tg->out.data, tg->out.len, &t->from);
			if (!t->final) {
				if (t->is_invite && t->callee[0])
					tg->n.answered++;
				t->final = m->status;
				tmr_cancel(&t->ring);
				linger(t);
			}
		} else if (!t->final) {
			respond_up(t, tg->out.data, tg->out.len, m->status);
		}
	}
	msg_free(m);
}

/* ---- the socket ------------------------------------------------------------------ */

static void on_datagram(struct tp_sock *s, const char *buf, size_t len,
			const struct tp_addr *from, void *arg)
{
	struct target *tg = arg;
	struct msg *m;
	int stamped;

	(void)s;
	if (len < 4 || !memcmp(buf, "\r\n\r\n", 4) || (len <= 4 && buf[0] == '\r'))
		return;  /* keep-alive */
	msg_trace(tg->log, "target", tg->proto, 0, buf, len, from);
	/* RFC 3261 18.2.1, RFC 3581 4: the top Via says where we got it from,
	 * so every response built from it, or relayed by it, goes there */
	if (!msg_via_stamp(buf, len, from, &tg->stamp, &stamped) && stamped) {
		buf = tg->stamp.data;
		len = tg->stamp.len;
	}
	if (msg_parse_strict(&m, buf, len)) {
		const char *reason;
		int code = start_line_verdict(buf, len, &reason);

		/* RFC 4475 3.1.2: a request we cannot read is answered 400 (505,
		 * 416) when it has a Via to answer; a response is dropped */
		tg->n.malformed++;
		reject_raw(tg, buf, len, from, code, reason);
		return;
	}
	if (m->is_request)
		on_request(tg, m, from);
	else
		on_response(tg, m);
}

/* A permanent binding from the configuration's location lines. */
static int add_static(struct target *tg, const char *user, const char *uri, struct diag *d)
{
	struct ploc *l = calloc(1, sizeof(*l));
	char host[128];
	unsigned port;

	if (!l)
		return ENOMEM;
	snprintf(l->user, sizeof(l->user), "%s", user);
	snprintf(l->contact, sizeof(l->contact), "%s", uri);
	l->expires_ms = UINT64_MAX;
	if (uri_hostport(uri, strlen(uri), host, sizeof(host), &port) ||
	    addr_of(tg, &l->addr, host, port)) {
		free(l);
		return diag_set(d, NULL, 0, "location %s: cannot use the address of '%s'",
				user, uri);
	}
	if (htab_add(&tg->by_user, &l->node, key_of(l->user, strlen(l->user)))) {
		free(l);
		return ENOMEM;
	}
	return 0;
}

int tgt_start(struct target **tp, struct loop *l, const char *ip, unsigned port,
	      const struct tgt_conf *c, struct diag *d)
{
	struct target *tg = calloc(1, sizeof(*tg));
	unsigned i;
	int err;

	if (!tg)
		return ENOMEM;
	tg->loop = l;
	tg->conf = c;
	tg->token = (unsigned)random() ^ (unsigned)time(NULL);
	lst_init(&tg->txns);
	buf_init(&tg->out, 65535);
	buf_init(&tg->tmp, 65535);
	buf_init(&tg->stamp, 65535);
	tg->proto = c->proto;
	if (c->proto == TP_UDP) {
		err = tp_udp_open(&tg->sock, l, ip, port, on_datagram, tg, d);
	} else {
		struct tp_stream_conf sc = {.proto = (enum tp_proto)c->proto, .listen = 1,
					    .tls = c->tls};

		err = tp_stream_open(&tg->sock, l, &sc, ip, port, on_datagram, tg, d);
	}
	if (!err && tp_set_batching(tg->sock)) {
		tp_close(tg->sock);
		err = diag_set(d, NULL, 0, "out of memory");
	}
	if (err) {
		free(tg);
		return err;
	}
	tp_ip_host(tp_ip(tg->sock), tg->ip, sizeof(tg->ip));  /* [::1] for IPv6 */
	tg->port = tp_port(tg->sock);
	for (i = 0; i < c->nstatics && !err; i++)
		err = add_static(tg, c->statics[i].name, c->statics[i].pass, d);
	if (err) {
		tgt_free(tg);
		return err;
	}
	tmr_start(l, &tg->sweep, SWEEP_MS, on_sweep, tg);
	*tp = tg;
	return 0;
}

void tgt_free(struct target *tg)
{
	unsigned i;

	if (!tg)
		return;
	tmr_cancel(&tg->sweep);
	while (!lst_empty(&tg->txns))
		txn_free(LST_ENTRY(tg->txns.next, struct ptx, le));
	for (i = 0; i < tg->by_user.size; i++) {
		while (tg->by_user.b[i]) {
			struct ploc *l = LST_ENTRY(tg->by_user.b[i], struct ploc, node);

			htab_del(&tg->by_user, &l->node);
			free(l);
		}
	}
	htab_free(&tg->by_user);
	htab_free(&tg->by_txn);
	htab_free(&tg->by_branch);
	tp_close(tg->sock);
	buf_free(&tg->out);
	buf_free(&tg->tmp);
	buf_free(&tg->stamp);
	free(tg);
}

unsigned tgt_port(const struct target *tg)
{
	return tg->port;
}

struct tp_sock *tgt_sock(const struct target *tg)
{
	return tg->sock;
}

void tgt_set_log(struct target *tg, FILE *msg_log)
{
	tg->log = msg_log;
}

void tgt_print_stats(const struct target *tg, FILE *out)
{
	const struct tgt_counters *n = &tg->n;

	fprintf(out, "Embedded target %s:%u (%s)\n", tg->ip, tg->port, tp_proto_name(tg->proto));
	fprintf(out, "  requests     %llu\n  responses    %llu\n  unparsable   %llu\n",
		n->requests, n->responses, n->malformed);
	fprintf(out, "  rejected     %llu\n  not sent     %llu\n", n->rejected, n->refused);
	fprintf(out, "  registered   %llu\n  challenged   %llu\n  not found    %llu\n",
		n->registered, n->challenged, n->not_found);
	fprintf(out, "  forwarded    %llu\n  canceled     %llu\n  loops        %llu\n",
		n->forwarded_calls, n->canceled, n->loops);
	fprintf(out, "  too many hops %llu\n  retrans      %llu\n  stateless    %llu\n",
		n->too_many_hops, n->retransmissions, n->stateless);
	fprintf(out, "  bindings     %u (expired and freed %llu)\n", tg->by_user.count, n->expired);
	fprintf(out, "  calls        %llu (new INVITEs routed to a registered user)\n"
		"  answered     %llu\n", n->calls, n->answered);
}
