/* SPDX-License-Identifier: GPL-2.0-or-later */
/* build: requests and responses made from a received message's raw
 * header lines (msg_build_* of msg.h), so what goes back copies exactly
 * what the peer sent. Split from msg.c, which parses. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "sip/msg.h"
#include "sip/scan.h"

static int copy_hdr(const struct msg *m, const char *name, struct buf *out)
{
	int err = 0;

	if (msg_hdr_append(m, name, strlen(name), 0, out) > 0)
		err = buf_adds(out, "\r\n");
	return err;
}

static int add_hdr(struct buf *out, const char *name, struct msg_pl v)
{
	if (!v.len)
		return 0;
	return buf_adds(out, name) || buf_add(out, v.p, v.len) || buf_adds(out, "\r\n") ?
	       ENOMEM : 0;
}

int msg_build_req(const struct msg_req *q, struct buf *out)
{
	int err = 0;

	err |= buf_adds(out, q->method);
	err |= buf_add(out, " ", 1);
	err |= buf_add(out, q->ruri.p, q->ruri.len);
	err |= buf_adds(out, " SIP/2.0\r\n");
	err |= add_hdr(out, "Via: ", q->via);
	err |= add_hdr(out, "Route: ", q->route);
	err |= add_hdr(out, "From: ", q->from);
	err |= add_hdr(out, "To: ", q->to);
	err |= add_hdr(out, "Call-ID: ", q->call_id);
	err |= buf_addf(out, "CSeq: %u %s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			q->cseq, q->method);
	return err ? ENOMEM : 0;
}

int msg_build_request(const struct msg *m, const char *method, const char *ruri,
		      size_t rlen, const char *via, uint32_t cseq, struct buf *out)
{
	struct msg_req q = {0};
	const char *comma;

	q.method = method;
	q.ruri.p = ruri;
	q.ruri.len = rlen;
	if (via) {
		q.via.p = via;
		q.via.len = strlen(via);
	} else {  /* only the topmost Via value */
		q.via = msg_hdr_first(m, "Via", 3);
		comma = q.via.len ? memchr(q.via.p, ',', q.via.len) : NULL;
		if (comma)
			q.via.len = (size_t)(comma - q.via.p);
	}
	q.from = msg_hdr_first(m, "From", 4);
	q.to = msg_hdr_first(m, "To", 2);
	q.call_id = msg_hdr_first(m, "Call-ID", 7);
	q.cseq = cseq;
	return msg_build_req(&q, out);
}

int msg_build_ack(const struct msg *m, const char *ruri, size_t rlen, struct buf *out)
{
	return msg_build_request(m, "ACK", ruri, rlen, NULL, m->cseq, out);
}

struct msg_pl msg_contact_uri(const struct msg *m)
{
	struct msg_pl c = msg_hdr_first(m, "Contact", 7);
	const char *lt = c.len ? memchr(c.p, '<', c.len) : NULL;
	const char *gt = lt ? memchr(lt, '>', c.len - (size_t)(lt - c.p)) : NULL;
	size_t l;

	if (lt && gt) {
		c.p = lt + 1;
		c.len = (size_t)(gt - lt - 1);
		return c;
	}
	l = 0;
	while (l < c.len && c.p[l] != ';' && c.p[l] != ' ' && c.p[l] != ',')
		l++;
	c.len = l;
	return c;
}

int msg_build_response(const struct msg *m, int code, const char *reason,
		       const char *to_tag, struct buf *out)
{
	struct msg_pl to = msg_hdr_first(m, "To", 2);
	int err = 0;

	err |= buf_addf(out, "SIP/2.0 %d %s\r\n", code, reason);
	err |= copy_hdr(m, "Via", out);
	err |= copy_hdr(m, "From", out);
	err |= buf_adds(out, "To: ");
	err |= buf_add(out, to.p, to.len);
	if (to_tag && !m->to_tag.len)
		err |= buf_addf(out, ";tag=%s", to_tag);
	err |= buf_adds(out, "\r\n");
	err |= copy_hdr(m, "Call-ID", out);
	err |= copy_hdr(m, "CSeq", out);
	err |= buf_adds(out, "Content-Length: 0\r\n\r\n");
	return err ? ENOMEM : 0;
}

int msg_build_reject(const char *buf, size_t len, int code, const char *reason,
		     const char *to_tag, const char *extra, struct buf *out)
{
	struct msg t;
	struct msg_pl to;
	int err = 0;

	memset(&t, 0, sizeof(t));
	t.raw = (char *)buf;  /* only read */
	t.len = len;
	msg_find_hdr_end(&t);
	if (len < 8 || !strncasecmp(buf, "SIP/", 4) || !msg_hdr_first(&t, "Via", 3).len)
		return EBADMSG;
	to = msg_hdr_first(&t, "To", 2);
	err |= buf_addf(out, "SIP/2.0 %d %s\r\n", code, reason);
	err |= copy_hdr(&t, "Via", out);
	err |= copy_hdr(&t, "From", out);
	if (to.len) {
		err |= buf_adds(out, "To: ");
		err |= buf_add(out, to.p, to.len);
		if (to_tag && !memmem(to.p, to.len, ";tag=", 5))
			err |= buf_addf(out, ";tag=%s", to_tag);
		err |= buf_adds(out, "\r\n");
	}
	err |= copy_hdr(&t, "Call-ID", out);
	err |= copy_hdr(&t, "CSeq", out);
	if (extra)
		err |= buf_adds(out, extra);
	err |= buf_adds(out, "Content-Length: 0\r\n\r\n");
	return err ? ENOMEM : 0;
}
