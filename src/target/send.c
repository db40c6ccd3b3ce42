/* SPDX-License-Identifier: GPL-2.0-or-later */
/* send: the target's outgoing messages: its own responses, a request
 * forwarded with our Via, a response relayed upstream, and the one
 * place that sends (and traces) them. It keeps no state of its own. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sip/trace.h"
#include "target/internal.h"

void tgt_send(struct target *tg, const char *buf, size_t len, const struct tp_addr *to)
{
	if (!tgt_may_send(tg, to)) {
		tg->n.refused++;
		return;
	}
	msg_trace(tg->log, "target", tg->proto, 1, buf, len, to);
	if (tg->send_h)
		tg->send_h(tg->send_arg, buf, len, to);
	else
		(void)tp_send(tg->sock, buf, len, to);  /* a loss is a loss */
}

void tgt_branch_id(struct target *tg, char *out, size_t n)
{
	snprintf(out, n, "z9hG4bK-sbt%x-%llx", tg->token, ++tg->seq);
}

int tgt_tag(const struct target *tg, char *out, size_t n)
{
	return snprintf(out, n, "sbt%x", tg->token);
}

int tgt_build_reply(struct target *tg, const struct msg *m, int code, const char *reason,
		    const char *extra, struct buf *out)
{
	char tag[32];
	size_t cl;
	int err;

	tgt_tag(tg, tag, sizeof(tag));
	buf_reset(out);
	err = msg_build_response(m, code, reason, code > 100 ? tag : NULL, out);
	if (err || !extra || !*extra)
		return err;
	/* msg_build_response ends with "Content-Length: 0\r\n\r\n" */
	cl = out->len - strlen("Content-Length: 0\r\n\r\n");
	out->len = cl;
	return buf_adds(out, extra) || buf_adds(out, "Content-Length: 0\r\n\r\n") ? ENOMEM : 0;
}

void tgt_reply(struct target *tg, const struct msg *m, const struct tp_addr *to, int code,
	       const char *reason, const char *extra)
{
	if (!tgt_build_reply(tg, m, code, reason, extra, &tg->out))
		tgt_send(tg, tg->out.data, tg->out.len, to);
}

/* The end of the header starting at p: past its continuation lines. */
static const char *header_end(const char *p, const char *end)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;

	eol = eol ? eol + 1 : end;
	while (eol < end && (*eol == ' ' || *eol == '\t')) {
		q = memchr(eol, '\n', (size_t)(end - eol));
		eol = q ? q + 1 : end;
	}
	return eol;
}

/* The request's first Route line p..eol for the next hop: as it is,
 * without its first value when that is us, or dropped. */
static int add_route(struct target *tg, const char *p, const char *eol, struct buf *out)
{
	const char *c = memchr(p, ':', (size_t)(eol - p)) + 1, *comma;
	size_t vlen = (size_t)(eol - c);
	int err = 0;

	if (!tgt_is_self(tg, c, vlen)) {
		err |= buf_add(out, p, (size_t)(eol - p));
	} else if ((comma = memchr(c, ',', vlen)) != NULL) {
		/* more routes on this line: keep them */
		err |= buf_adds(out, "Route:");
		err |= buf_add(out, comma + 1, (size_t)(eol - comma - 1));
	}
	return err;
}

int tgt_build_forward(struct target *tg, const struct msg *m, const char *ruri,
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
		const char *eol = header_end(p, end);
		size_t len = (size_t)(eol - p);

		if (len <= 2) {
			p = eol;
			continue;
		}
		if (tgt_is_hdr(p, len, "Max-Forwards", NULL)) {
			const char *c = memchr(p, ':', len);
			long mf = strtol(c + 1, NULL, 10);

			err |= buf_addf(out, "Max-Forwards: %ld\r\n", mf > 0 ? mf - 1 : 0);
			have_mf = 1;
		} else if (!route_done && tgt_is_hdr(p, len, "Route", NULL)) {
			route_done = 1;
			err |= add_route(tg, p, eol, out);
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

int tgt_strip_top_via(const struct msg *m, struct buf *out)
{
	const char *p = m->raw, *end = m->raw + m->hdr_end;
	int done = 0, err = 0;

	buf_reset(out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		eol = eol ? eol + 1 : end;
		len = (size_t)(eol - p);
		if (!done && tgt_is_hdr(p, len, "Via", "v")) {
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

/* Its status line, the Via headers of req (what is left once ours is
 * removed; taken from the request so that a UAS that built the response
 * from the CANCEL's single Via still reaches the caller), its other
 * headers and body. */
int tgt_relay_response(const struct msg *req, const struct msg *m, struct buf *out)
{
	const char *p = m->raw, *end = m->raw + m->hdr_end;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	int err = 0, n;

	buf_reset(out);
	if (!nl)
		return EINVAL;
	err |= buf_add(out, p, (size_t)(nl + 1 - p));
	n = msg_hdr_append(req, "Via", 3, 0, out);
	if (n <= 0)
		return EINVAL;
	err |= buf_adds(out, "\r\n");
	for (p = nl + 1; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		eol = eol ? eol + 1 : end;
		len = (size_t)(eol - p);
		if (!tgt_is_hdr(p, len, "Via", "v"))
			err |= buf_add(out, p, len);
		p = eol;
	}
	err |= buf_add(out, m->raw + m->hdr_end, m->len - m->hdr_end);
	return err ? ENOMEM : 0;
}
