/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan: the fast path of msg_parse. One bounded pass over a datagram in
 * the plain form nearly every peer sends (CRLF line ends, no folding,
 * each dispatch header once, sip:/sips: URIs without escapes) finds the
 * fields the engine needs, as pointers into the message's own bytes.
 * Whatever it does not fully recognise is left to libosip2 (msg.c), so
 * an unusual or broken message still gets libosip2's verdict. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "sip/msg.h"
#include "sip/scan.h"

#define UNSURE MSG_SCAN_UNSURE

enum hdr_id { H_OTHER, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CLEN, H_COUNT };

struct span {
	const char *p, *e;           /* [p, e), e == NULL: not seen        */
};

/* RFC 3261 25.1: token characters, as a table (the scanner asks for
 * every byte of a parameter list). */
static const unsigned char token_tab[256] = {
	['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1,
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1, ['_'] = 1,
	['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
};

static int is_token(unsigned char c)
{
	return token_tab[c];
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static enum hdr_id hdr_id(const char *n, size_t l)
{
	/* by first letter, then one comparison */
	switch (n[0] | 0x20) {
	case 'v':
		return l == 1 || (l == 3 && !strncasecmp(n, "Via", 3)) ? H_VIA : H_OTHER;
	case 'f':
		return l == 1 || (l == 4 && !strncasecmp(n, "From", 4)) ? H_FROM : H_OTHER;
	case 't':
		return l == 1 || (l == 2 && (n[1] | 0x20) == 'o') ? H_TO : H_OTHER;
	case 'i':
		return l == 1 ? H_CALL_ID : H_OTHER;
	case 'l':
		return l == 1 ? H_CLEN : H_OTHER;
	case 'c':
		if (l == 7 && !strncasecmp(n, "Call-ID", 7))
			return H_CALL_ID;
		if (l == 4 && !strncasecmp(n, "CSeq", 4))
			return H_CSEQ;
		if (l == 14 && !strncasecmp(n, "Content-Length", 14))
			return H_CLEN;
		return H_OTHER;
	default:
		return H_OTHER;
	}
}

/* A method token into out (NUL-ended); UNSURE when it is not one or is
 * longer than out holds. */
static int copy_token(const char *p, const char *e, char *out, size_t n)
{
	size_t l = (size_t)(e - p), i;

	if (!l || l >= n)
		return UNSURE;
	for (i = 0; i < l; i++)
		if (!is_token((unsigned char)p[i]))
			return UNSURE;
	memcpy(out, p, l);
	out[l] = '\0';
	return 0;
}

/* The user part of a sip: or sips: URI in [p, e): len 0 when it has
 * none. UNSURE for other schemes and for escapes or a password, which
 * libosip2 decodes. */
static int uri_user(const char *p, const char *e, struct msg_pl *user)
{
	const char *at, *u;

	if (e - p > 4 && !strncasecmp(p, "sip:", 4))
		u = p + 4;
	else if (e - p > 5 && !strncasecmp(p, "sips:", 5))
		u = p + 5;
	else
		return UNSURE;
	at = memchr(u, '@', (size_t)(e - u));
	if (!at) {
		user->p = NULL;
		user->len = 0;
		return 0;
	}
	if (memchr(u, '%', (size_t)(at - u)) || memchr(u, ':', (size_t)(at - u)))
		return UNSURE;
	user->p = u;
	user->len = (size_t)(at - u);
	return 0;
}

/* The value of parameter name in a ";a=b;c" list at [p, e); len 0 when
 * absent. UNSURE on a quoted value. */
static int param(const char *p, const char *e, const char *name, size_t nl,
		 struct msg_pl *out)
{
	out->p = NULL;
	out->len = 0;
	while (p < e) {
		const char *n, *ne, *v, *ve;

		if (*p != ';' && !(p = memchr(p, ';', (size_t)(e - p))))
			break;
		for (n = p + 1; n < e && is_ws(*n); n++)
			;
		for (ne = n; ne < e && is_token((unsigned char)*ne); ne++)
			;
		for (v = ne; v < e && is_ws(*v); v++)
			;
		if (v < e && *v == '=') {
			for (v++; v < e && is_ws(*v); v++)
				;
			if (v < e && *v == '"')
				return UNSURE;
			for (ve = v; ve < e && is_token((unsigned char)*ve); ve++)
				;
		} else {
			ve = v;
		}
		if ((size_t)(ne - n) == nl && !strncasecmp(n, name, nl)) {
			out->p = v;
			out->len = (size_t)(ve - v);
			return 0;
		}
		p = ve > p + 1 ? ve : p + 1;
	}
	return 0;
}

/* From/To (RFC 3261 20.20, 20.39): name-addr or addr-spec, then header
 * parameters. The tag, and the URI's user when user is not NULL. */
static int addr(struct span v, struct msg_pl *user, struct msg_pl *tag)
{
	const char *p = v.p, *lt, *gt, *uri, *uri_e, *params, *at;

	if (memchr(p, '"', (size_t)(v.e - p)))
		return UNSURE;  /* quoted display names: libosip2's job */
	lt = memchr(p, '<', (size_t)(v.e - p));
	if (lt) {
		gt = memchr(lt, '>', (size_t)(v.e - lt));
		if (!gt)
			return UNSURE;
		uri = lt + 1;
		uri_e = gt;
		params = gt + 1;
	} else {
		/* addr-spec: the first ';' starts the header parameters */
		uri = p;
		uri_e = memchr(p, ';', (size_t)(v.e - p));
		if (!uri_e)
			uri_e = v.e;
		at = memchr(uri, '@', (size_t)(v.e - uri));
		if (at && at > uri_e)
			return UNSURE;  /* ';' inside a user part */
		params = uri_e;
	}
	if (user && uri_user(uri, uri_e, user))
		return UNSURE;
	return param(params, v.e, "tag", 3, tag);
}

/* Every ';' and ',' in a Via line starts something: a parameter name, a
 * next "SIP/2.0/..." value. "192.0.2.15;;,;,," (RFC 4475 3.1.2.1) is
 * libosip2's to refuse, not ours to read past. The separators are found
 * with memchr: a Via holds a few, and a loop over its every byte was 4%
 * of the client's instructions. */
static int via_seps_ok(const char *p, const char *e)
{
	const char *s, *n;

	for (s = p; (s = memchr(s, ';', (size_t)(e - s))); s++) {
		for (n = s + 1; n < e && is_ws(*n); n++)
			;
		if (n == e || !is_token((unsigned char)*n))
			return 0;
	}
	for (s = p; (s = memchr(s, ',', (size_t)(e - s))); s++) {
		for (n = s + 1; n < e && is_ws(*n); n++)
			;
		if (e - n < 4 || strncasecmp(n, "SIP/", 4))
			return 0;
	}
	return 1;
}

/* The top Via value (RFC 3261 20.42): "SIP/2.0/transport sent-by;params",
 * up to a comma that starts the next value. Its branch. */
static int via(struct span v, struct msg_pl *branch)
{
	const char *p = v.p, *e = v.e, *comma, *semi;

	if (e - p < 10 || strncasecmp(p, "SIP/2.0/", 8) || memchr(p, '"', (size_t)(e - p)))
		return UNSURE;
	for (p += 8; p < e && is_token((unsigned char)*p); p++)
		;
	if (p == v.p + 8 || p == e || !is_ws(*p) || !via_seps_ok(p, e))
		return UNSURE;
	comma = memchr(p, ',', (size_t)(e - p));
	if (comma)
		e = comma;
	semi = memchr(p, ';', (size_t)(e - p));
	if (!semi) {
		branch->p = NULL;
		branch->len = 0;
		return 0;
	}
	return param(semi, e, "branch", 6, branch);
}

/* CSeq: digits, whitespace, method (RFC 3261 20.16). */
static int cseq(struct msg *m, struct span v)
{
	const char *p = v.p, *d;
	unsigned long n = 0;

	for (d = p; d < v.e && *d >= '0' && *d <= '9'; d++) {
		n = n * 10 + (unsigned long)(*d - '0');
		if (n > 0xffffffffUL)
			return UNSURE;
	}
	if (d == p || d == v.e || !is_ws(*d))
		return UNSURE;
	while (d < v.e && is_ws(*d))
		d++;
	m->cseq = (uint32_t)n;
	return copy_token(d, v.e, m->cseq_method, sizeof(m->cseq_method));
}

/* An IPv6 address as a URI's host must be in brackets (RFC 3261 25.1,
 * RFC 5118 4.2): "sip:2001:db8::10" is not a URI libosip2 should have
 * taken. Two colons in the host part of a sip:/sips: URI without a '['
 * give it away. */
int msg_uri_host_ok(const char *p, size_t len)
{
	const char *e = p + len, *h, *at;
	int colons = 0;

	if (len > 4 && !strncasecmp(p, "sip:", 4))
		h = p + 4;
	else if (len > 5 && !strncasecmp(p, "sips:", 5))
		h = p + 5;
	else
		return 1;
	for (at = h; at < e && *at != ';' && *at != '?'; at++)
		if (*at == '@')
			h = at + 1;
	if (h < e && *h == '[')
		return 1;
	for (; h < e && *h != ';' && *h != '?'; h++)
		colons += *h == ':';
	return colons < 2;
}

static int start_line(struct msg *m, const char *p, const char *e)
{
	const char *sp, *sp2;

	if (e - p > 12 && !strncmp(p, "SIP/2.0 ", 8)) {
		int code = 0, i;

		for (i = 8; i < 11; i++) {
			if (p[i] < '0' || p[i] > '9')
				return UNSURE;
			code = code * 10 + p[i] - '0';
		}
		if (code < 100 || code > 699 || p[11] != ' ')
			return UNSURE;
		m->status = code;
		return 0;
	}
	sp = memchr(p, ' ', (size_t)(e - p));
	sp2 = sp ? memchr(sp + 1, ' ', (size_t)(e - sp - 1)) : NULL;
	if (!sp2 || e - sp2 != 8 || strncmp(sp2 + 1, "SIP/2.0", 7) || sp2 == sp + 1 ||
	    copy_token(p, sp, m->method, sizeof(m->method)))
		return UNSURE;
	m->is_request = 1;
	m->ruri.p = sp + 1;
	m->ruri.len = (size_t)(sp2 - sp - 1);
	if (!msg_uri_host_ok(m->ruri.p, m->ruri.len))
		return UNSURE;  /* an IPv6 host without brackets */
	return uri_user(sp + 1, sp2, &m->ruri_user);
}

/* The end of the line at p: its '\n', or NULL with *r set: MSG_SCAN_BAD
 * for a NUL inside the message, UNSURE for no line end at all. One pass
 * finds both (m->raw ends with a NUL), so the headers are searched for
 * NULs (RFC 3261 25.1: no header holds one; a body may) as they are
 * split, and where the headers end is found once, by the split itself. */
static const char *line_end(const char *p, const char *end, int *r)
{
	const char *nl = strchrnul(p, '\n');

	if (*nl)
		return nl;
	*r = nl < end ? MSG_SCAN_BAD : UNSURE;
	return NULL;
}

/* Split the header lines; keep the value of each header we read. */
static int lines(struct msg *m, const char *p, const char *end, struct span *h)
{
	for (;;) {
		const char *le, *colon, *ne, *vs;
		int r;
		const char *nl = line_end(p, end, &r);
		enum hdr_id id;

		if (!nl)
			return r;
		if (nl == p || nl[-1] != '\r')
			return UNSURE;
		le = nl - 1;
		if (le == p) {  /* the empty line */
			m->hdr_end = (size_t)(p - m->raw);
			m->body_off = m->hdr_end + 2;
			return 0;
		}
		if (is_ws(*p) || !(colon = memchr(p, ':', (size_t)(le - p))))
			return UNSURE;  /* folding, or not a header */
		for (ne = colon; ne > p && is_ws(ne[-1]); ne--)
			;
		if (ne == p)
			return UNSURE;
		id = hdr_id(p, (size_t)(ne - p));
		if (id != H_OTHER) {
			for (vs = colon + 1; vs < le && is_ws(*vs); vs++)
				;
			while (le > vs && is_ws(le[-1]))
				le--;
			if (h[id].e) {
				if (id != H_VIA)
					return UNSURE;  /* two of a header we read */
			} else {
				h[id].p = vs;
				h[id].e = le;
			}
		}
		p = nl + 1;
	}
}

int msg_scan(struct msg *m)
{
	struct span h[H_COUNT] = {{NULL, NULL}};
	const char *p = m->raw, *end = m->raw + m->len, *nl;
	const char *cid;
	size_t i;
	int r;

	nl = line_end(p, end, &r);
	if (!nl)
		return r;
	if (nl == p || nl[-1] != '\r' || start_line(m, p, nl - 1))
		return UNSURE;
	r = lines(m, nl + 1, end, h);
	if (r)
		return r;
	for (i = H_VIA; i <= H_CSEQ; i++)
		if (!h[i].e || h[i].e == h[i].p)
			return UNSURE;
	if (h[H_CLEN].e) {
		unsigned long cl = 0;
		const char *d;

		for (d = h[H_CLEN].p; d < h[H_CLEN].e; d++) {
			if (*d < '0' || *d > '9' || cl > 1 << 24)
				return UNSURE;
			cl = cl * 10 + (unsigned long)(*d - '0');
		}
		if (d == h[H_CLEN].p || cl != m->len - m->body_off)
			return UNSURE;
	}
	cid = h[H_CALL_ID].p;
	i = (size_t)(h[H_CALL_ID].e - cid);
	if (memchr(cid, ' ', i) || memchr(cid, '\t', i))
		return UNSURE;
	m->call_id.p = h[H_CALL_ID].p;
	m->call_id.len = (size_t)(h[H_CALL_ID].e - h[H_CALL_ID].p);
	if (via(h[H_VIA], &m->branch) || cseq(m, h[H_CSEQ]) ||
	    addr(h[H_FROM], &m->from_user, &m->from_tag) || addr(h[H_TO], NULL, &m->to_tag))
		return UNSURE;
	/* RFC 3261 8.1.1.7: a request's CSeq method is its own */
	if (m->is_request && strcmp(m->method, m->cseq_method))
		return UNSURE;
	return 0;
}

/* The tag of the From (from) or To header of a message we rendered:
 * header lines up to the empty one, long or compact name, ";tag=" in the
 * value. A bounded pass over our own bytes; no quoted-string care, since
 * our templates put the tag after the URI. */
int msg_raw_tag(const char *buf, size_t len, int from, struct msg_pl *tag)
{
	const char *p = buf, *end = buf + len;
	const char *lng = from ? "from" : "to";
	size_t ll = from ? 4 : 2;
	char cmp = from ? 'f' : 't';

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *v = NULL, *t;

		if (!eol)
			eol = end;
		if (p == eol || (*p == '\r' && p + 1 == eol))
			return -1;  /* end of headers */
		if ((size_t)(eol - p) > ll && !strncasecmp(p, lng, ll))
			v = p + ll;
		else if (eol - p > 1 && (p[0] == cmp || p[0] == (char)(cmp - 32)))
			v = p + 1;
		if (v) {
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v < eol && *v == ':') {
				for (t = v; t + 5 <= eol; t++) {
					if (*t != ';' || strncasecmp(t + 1, "tag=", 4))
						continue;
					tag->p = t + 5;
					tag->len = 0;
					while (tag->p + tag->len < eol &&
					       !strchr(";, \t\r>", tag->p[tag->len]))
						tag->len++;
					return tag->len ? 0 : -1;
				}
				return -1;
			}
		}
		p = eol + 1;
	}
	return -1;
}
