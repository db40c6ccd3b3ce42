/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proxy: the embedded reference target's front door (see target.h): its
 * life (tgt_start, tgt_free), the datagram handler, the dispatch of a
 * request, and the refusals of RFC 3261 16.3 and RFC 4475 (400, 416,
 * 420, 482, 483, 505), answered at once. Requests for which the target
 * is the end point go to registrar.c (REGISTER, challenges); the rest
 * become transactions (txn.c) routed by fwd.c, which also takes every
 * response. ACKs of 2xx and every other message of no transaction are
 * forwarded statelessly. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "sip/trace.h"
#include "sip/via.h"
#include "target/internal.h"

/* ---- refusals ------------------------------------------------------------------ */

/* Answer a request refused for its form from its raw bytes: it did not
 * parse, so there is no struct msg to answer from. Never an ACK. */
static void reject_raw(struct target *tg, const char *buf, size_t len,
		       const struct tp_addr *from, int code, const char *reason)
{
	char tag[32];

	if (len >= 4 && !strncmp(buf, "ACK ", 4))
		return;
	tgt_tag(tg, tag, sizeof(tag));
	buf_reset(&tg->out);
	if (!msg_build_reject(buf, len, code, reason, tag, NULL, &tg->out)) {
		tg->n.rejected++;
		tgt_send(tg, tg->out.data, tg->out.len, from);
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
		tgt_reply(tg, m, from, 420, "Bad Extension", extra);
		free(extra);
	}
	buf_free(&v);
	return 1;
}

/* RFC 3261 16.3 step 2: is the Request-URI's scheme one we route
 * (RFC 4475 3.3.2)? */
static int routable_scheme(const struct msg *m)
{
	const char *colon = m->ruri.len ? memchr(m->ruri.p, ':', m->ruri.len) : NULL;

	return colon && is_sip_scheme(m->ruri.p, (size_t)(colon - m->ruri.p));
}

/* ---- requests ----------------------------------------------------------------- */

static void on_ack(struct target *tg, const struct msg *m)
{
	char tag[32];
	int n = tgt_tag(tg, tag, sizeof(tag));
	struct ptx *t;

	/* the ACK of our own answer (a challenge, a 404) ends here */
	if ((size_t)n == m->to_tag.len && !memcmp(tag, m->to_tag.p, (size_t)n))
		return;
	t = tgt_txn_find(tg, m, "INVITE");
	if (!t || t->final < 300)
		tgt_fwd_stateless(tg, m);  /* the ACK of a 2xx */
}

/* A request: answered here, or a new transaction that fwd.c routes.
 * m is freed here unless the transaction took it. */
static void on_request(struct target *tg, struct msg *m, const struct tp_addr *from)
{
	struct msg_pl mf = msg_hdr_first(m, "Max-Forwards", 12);
	int initial = !m->to_tag.len, reg = !strcmp(m->method, "REGISTER");
	struct ptx *t;

	tg->n.requests++;
	if (!strcmp(m->method, "ACK")) {
		on_ack(tg, m);
		goto out;
	}
	if (!routable_scheme(m)) {
		tg->n.rejected++;
		tgt_reply(tg, m, from, 416, "Unsupported URI Scheme", NULL);
		goto out;
	}
	if ((t = tgt_txn_find(tg, m, m->method)) != NULL) {   /* a retransmission */
		if (t->last)
			tgt_send(tg, t->last, t->last_len, from);
		goto out;
	}
	if (!strcmp(m->method, "CANCEL")) {
		tgt_fwd_cancel(tg, m, from);
		goto out;
	}
	if (tgt_looped(tg, m)) {
		tg->n.loops++;
		tgt_reply(tg, m, from, 482, "Loop Detected", NULL);
		goto out;
	}
	if (mf.len && strtol(mf.p, NULL, 10) <= 0) {
		tg->n.too_many_hops++;
		tgt_reply(tg, m, from, 483, "Too Many Hops", NULL);
		goto out;
	}
	if (unsupported(tg, m, from, reg))
		goto out;
	if (reg) {
		tgt_register(tg, m, from);
		goto out;
	}
	if (initial && !strcmp(m->method, "INVITE") && !tgt_authorized(tg, m, m->from_user)) {
		tgt_challenge(tg, m, from, 1);
		goto out;
	}
	if (tgt_txn_alloc(&t, tg, m, from)) {
		tgt_reply(tg, m, from, 500, "Out Of Memory", NULL);
		goto out;
	}
	m = NULL;   /* t owns it */
	tgt_fwd_request(t, initial);
out:
	msg_free(m);
}

void tgt_input(struct target *tg, const char *buf, size_t len, const struct tp_addr *from)
{
	struct msg *m;
	int stamped;

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
		tgt_fwd_response(tg, m);
}

static void on_datagram(struct tp_sock *s, const char *buf, size_t len,
			const struct tp_addr *from, void *arg)
{
	(void)s;
	tgt_input(arg, buf, len, from);
}

/* ---- life ---------------------------------------------------------------------- */

int tgt_init(struct target *tg, struct loop *l, const struct tgt_conf *c)
{
	tg->loop = l;
	tg->conf = c;
	tg->token = (unsigned)random() ^ (unsigned)time(NULL);
	tg->proto = c->proto;
	tg->tc = (struct txn_conf){0};  /* RFC 3261 T1, T2, T4 */
	lst_init(&tg->txns);
	buf_init(&tg->out, 65535);
	buf_init(&tg->stamp, 65535);
	return 0;
}

void tgt_fini(struct target *tg)
{
	while (!lst_empty(&tg->txns))
		tgt_txn_free(LST_ENTRY(tg->txns.next, struct ptx, le));
	tgt_loc_clear(tg);
	htab_free(&tg->by_txn);
	htab_free(&tg->by_branch);
	tp_close(tg->sock);
	buf_free(&tg->out);
	buf_free(&tg->stamp);
}

static int open_sock(struct target *tg, const char *ip, unsigned port, struct diag *d)
{
	const struct tgt_conf *c = tg->conf;
	int err;

	if (c->proto == TP_UDP) {
		err = tp_udp_open(&tg->sock, tg->loop, ip, port, on_datagram, tg, d);
	} else {
		struct tp_stream_conf sc = {.proto = (enum tp_proto)c->proto, .listen = 1,
					    .tls = c->tls};

		err = tp_stream_open(&tg->sock, tg->loop, &sc, ip, port, on_datagram, tg, d);
	}
	if (!err && tp_set_batching(tg->sock)) {
		tp_close(tg->sock);
		tg->sock = NULL;
		err = diag_set(d, NULL, 0, "out of memory");
	}
	return err;
}

int tgt_start(struct target **tp, struct loop *l, const char *ip, unsigned port,
	      const struct tgt_conf *c, struct diag *d)
{
	struct target *tg = calloc(1, sizeof(*tg));
	unsigned i;
	int err;

	if (!tg)
		return ENOMEM;
	tgt_init(tg, l, c);
	err = open_sock(tg, ip, port, d);
	if (err) {
		tgt_fini(tg);
		free(tg);
		return err;
	}
	tp_ip_host(tp_ip(tg->sock), tg->ip, sizeof(tg->ip));  /* [::1] for IPv6 */
	tg->port = tp_port(tg->sock);
	for (i = 0; i < c->nstatics && !err; i++)
		err = tgt_loc_add_static(tg, c->statics[i].name, c->statics[i].pass, d);
	if (err) {
		tgt_free(tg);
		return err;
	}
	tgt_loc_start(tg);
	*tp = tg;
	return 0;
}

void tgt_free(struct target *tg)
{
	if (!tg)
		return;
	tgt_fini(tg);
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
