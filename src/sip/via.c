/* SPDX-License-Identifier: GPL-2.0-or-later */
/* via: received=/rport= of the top Via (RFC 3261 18.2.1, RFC 3581):
 * stamped by a server into what it receives, read back by a client.
 * Bounded scans over the raw bytes; what does not parse is left alone. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "sip/msg.h"
#include "sip/via.h"

/* One via-parm: "SIP/2.0/UDP host[:port];params", up to p_end. */
struct via_parm {
	const char *host;          /* without brackets                      */
	size_t hlen;
	unsigned port;             /* 0 when sent-by has none               */
	const char *params;        /* the first ';', or p_end               */
	const char *p_end;         /* end of this via-parm (',' or EOL)     */
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static int parse_parm(const char *p, const char *end, struct via_parm *v)
{
	const char *q;

	while (p < end && is_ws(*p))
		p++;
	while (p < end && !is_ws(*p))   /* sent-protocol, as one token */
		p++;
	while (p < end && is_ws(*p))
		p++;
	if (p >= end)
		return EINVAL;
	if (*p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (!q)
			return EINVAL;
		v->host = p + 1;
		v->hlen = (size_t)(q - p - 1);
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ':' && *q != ';' && !is_ws(*q); q++)
			;
		v->host = p;
		v->hlen = (size_t)(q - p);
		p = q;
	}
	v->port = 0;
	if (p < end && *p == ':') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			v->port = v->port * 10 + (unsigned)(*p - '0');
		if (v->port > 65535)
			return EINVAL;
	}
	while (p < end && is_ws(*p))
		p++;
	v->params = p;
	v->p_end = end;
	return v->hlen && (p == end || *p == ';') ? 0 : EINVAL;
}

/* The parameter `name` of v: *val and *vlen its value (len 0: none given).
 * Returns a pointer just past the name, or NULL when absent. */
static const char *find_param(const struct via_parm *v, const char *name,
			      const char **val, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = v->params, *end = v->p_end, *n, *ne;

	while (p < end && *p == ';') {
		for (n = ++p; n < end && is_ws(*n); n++)
			;
		for (ne = n; ne < end && *ne != '=' && *ne != ';' && !is_ws(*ne); ne++)
			;
		for (p = ne; p < end && *p != ';'; p++)
			;
		if ((size_t)(ne - n) != nl || strncasecmp(n, name, nl))
			continue;
		*val = ne;
		*vlen = 0;
		if (ne < end && *ne == '=') {
			for (*val = ne + 1; *val < p && is_ws(**val); (*val)++)
				;
			*vlen = (size_t)(p - *val);
			while (*vlen && is_ws((*val)[*vlen - 1]))
				(*vlen)--;
		}
		return ne;
	}
	return NULL;
}

/* Is host (text) the address src? */
static int same_ip(const char *host, size_t hlen, const struct tp_addr *src)
{
	char h[64];
	unsigned char bin[16];
	int fam = src->ss.ss_family;

	if (hlen >= sizeof(h))
		return 0;
	memcpy(h, host, hlen);
	h[hlen] = '\0';
	if (inet_pton(fam, h, bin) != 1)
		return 0;
	if (fam == AF_INET)
		return !memcmp(bin, &src->ss.in.sin_addr, 4);
	return !memcmp(bin, &src->ss.in6.sin6_addr, 16);
}

static int is_via_name(const char *p, const char *colon)
{
	size_t n;

	while (colon > p && is_ws(colon[-1]))
		colon--;
	n = (size_t)(colon - p);
	return (n == 3 && !strncasecmp(p, "Via", 3)) || (n == 1 && (*p == 'v' || *p == 'V'));
}

/* The first Via header's first via-parm in the headers of buf. */
static int top_via_raw(const char *buf, size_t len, struct via_parm *v)
{
	const char *p = memchr(buf, '\n', len), *end = buf + len, *eol, *colon, *comma;

	for (p = p ? p + 1 : end; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (p == eol || (*p == '\r' && p + 1 == eol))
			return ENOENT;   /* the end of the headers */
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || !is_via_name(p, colon))
			continue;
		comma = memchr(colon + 1, ',', (size_t)(eol - colon - 1));
		if (!comma)
			comma = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		while (comma > colon + 1 && is_ws(comma[-1]))
			comma--;
		return parse_parm(colon + 1, comma, v);
	}
	return ENOENT;
}

int msg_via_stamp(const char *buf, size_t len, const struct tp_addr *src,
		  struct buf *out, int *stamped)
{
	struct via_parm v;
	const char *rport, *rcv, *val, *at;
	size_t vlen, rlen;
	char ip[64];
	int err = 0;

	*stamped = 0;
	if (len < 8 || !memcmp(buf, "SIP/", 4) || top_via_raw(buf, len, &v))
		return 0;
	rport = find_param(&v, "rport", &val, &vlen);
	if (rport && vlen)
		rport = NULL;          /* already filled in: nothing to do */
	rcv = find_param(&v, "received", &val, &rlen);
	if (!rport && (rcv || same_ip(v.host, v.hlen, src)))
		return 0;
	tp_addr_ip(src, ip, sizeof(ip));
	at = rport ? rport : v.p_end;
	buf_reset(out);
	err |= buf_add(out, buf, (size_t)(at - buf));
	if (rport)
		err |= buf_addf(out, "=%u", tp_addr_port(src));
	if (!rcv)
		err |= buf_addf(out, ";received=%s", ip);
	err |= buf_add(out, at, (size_t)(buf + len - at));
	if (err)
		return ENOMEM;
	*stamped = 1;
	return 0;
}

int msg_via_public(const struct msg *m, struct tp_addr *a)
{
	struct msg_pl h = msg_hdr_first(m, "Via", 3);
	const char *comma = h.len ? memchr(h.p, ',', h.len) : NULL;
	const char *rcv = NULL, *rp = NULL;
	struct via_parm v;
	size_t rlen = 0, plen = 0;
	char host[64];
	unsigned port;
	int fam;

	if (!h.len || parse_parm(h.p, comma ? comma : h.p + h.len, &v))
		return ENOENT;
	if (!find_param(&v, "received", &rcv, &rlen))
		rlen = 0;
	if (!find_param(&v, "rport", &rp, &plen))
		plen = 0;
	if (!rlen && !plen)
		return ENOENT;
	if (!rlen) {
		rcv = v.host;
		rlen = v.hlen;
	} else if (rlen > 2 && rcv[0] == '[' && rcv[rlen - 1] == ']') {
		rcv++;        /* RFC 5118 wants none; some servers bracket it */
		rlen -= 2;
	}
	port = plen ? (unsigned)strtoul(rp, NULL, 10) : v.port ? v.port : 5060;
	if (rlen >= sizeof(host) || port == 0 || port > 65535)
		return ENOENT;
	memcpy(host, rcv, rlen);
	host[rlen] = '\0';
	memset(a, 0, sizeof(*a));
	fam = memchr(host, ':', rlen) ? AF_INET6 : AF_INET;
	if (fam == AF_INET && inet_pton(AF_INET, host, &a->ss.in.sin_addr) == 1) {
		a->ss.in.sin_family = AF_INET;
		a->ss.in.sin_port = htons((uint16_t)port);
		a->len = sizeof(a->ss.in);
		return 0;
	}
	if (fam == AF_INET6 && inet_pton(AF_INET6, host, &a->ss.in6.sin6_addr) == 1) {
		a->ss.in6.sin6_family = AF_INET6;
		a->ss.in6.sin6_port = htons((uint16_t)port);
		a->len = sizeof(a->ss.in6);
		return 0;
	}
	return ENOENT;
}
