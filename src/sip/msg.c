/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg: parse a received datagram once with libosip2 and keep the fields
 * the engine needs; raw header lookup over the original bytes, so
 * [last_*] keywords copy exactly what the peer sent. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include "base/buf.h"
#include "sip/msg.h"
#include "sip/scan.h"

/* RFC 3261 7.3.3 and later RFCs: compact header forms. */
static const struct {
	char c;
	const char *name;
} compact[] = {
	{'v', "Via"}, {'f', "From"}, {'t', "To"}, {'i', "Call-ID"},
	{'m', "Contact"}, {'l', "Content-Length"}, {'c', "Content-Type"},
	{'e', "Content-Encoding"}, {'s', "Subject"}, {'k', "Supported"},
	{'o', "Event"}, {'u', "Allow-Events"}, {'r', "Refer-To"},
	{'b', "Referred-By"}, {'x', "Session-Expires"}, {'a', "Accept-Contact"},
	{'j', "Reject-Contact"}, {'d', "Request-Disposition"},
	{'y', "Identity"}, {'n', "Identity-Info"},
};

/* libosip2's trace, which its Debian build writes to stdout ("| ERROR |"
 * lines for every malformed message, mixed into the summary): each
 * message it cannot parse is counted and traced by sipbench itself
 * (unparsable, -trace_err), so its own diagnostics add nothing. */
static void osip_quiet(const char *fi, int li, osip_trace_level_t level, const char *chfr,
		       va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

int msg_init(void)
{
	int i;

	/* a sink, and every level off: its tracing table is checked first */
	osip_trace_initialize_func(TRACE_LEVEL0, osip_quiet);
	for (i = TRACE_LEVEL0; i < END_TRACE_LEVEL; i++)
		osip_trace_disable_level((osip_trace_level_t)i);
	return parser_init() == 0 ? 0 : ENOMEM;
}

uint64_t msg_hash(const char *p, size_t len)
{
	/* eight bytes a step: a multiply-xorshift mix, good enough to tell
	 * a retransmission from another message of the same length */
	uint64_t h = 1469598103934665603ULL ^ len, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	while (len--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 32);
}

/* A wanted header name with its other form (RFC 3261 7.3.3): "Via" also
 * matches "v", "v" also matches "Via". Worked out once per lookup. */
struct hdr_name {
	const char *p;
	size_t len;
	char letter;             /* compact form, lower case, or 0          */
	const char *lng;         /* long form, or NULL                      */
	size_t lng_len;
};

static void hdr_name_init(struct hdr_name *w, const char *name, size_t len)
{
	size_t i;

	w->p = name;
	w->len = len;
	w->letter = 0;
	w->lng = NULL;
	w->lng_len = 0;
	for (i = 0; i < sizeof(compact) / sizeof(compact[0]); i++) {
		size_t cl = strlen(compact[i].name);

		if ((len == 1 && (name[0] | 0x20) == compact[i].c) ||
		    (len == cl && !strncasecmp(name, compact[i].name, cl))) {
			w->letter = compact[i].c;
			w->lng = compact[i].name;
			w->lng_len = cl;
			return;
		}
	}
}

/* Does header name (hp, hl) as found in a message match the wanted name? */
static int name_matches(const char *hp, size_t hl, const struct hdr_name *w)
{
	if (hl == 1)
		return w->letter ? (hp[0] | 0x20) == w->letter :
				   w->len == 1 && (hp[0] | 0x20) == (w->p[0] | 0x20);
	if (hl == w->len && (hp[0] | 0x20) == (w->p[0] | 0x20) && !strncasecmp(hp, w->p, hl))
		return 1;
	return w->lng && hl == w->lng_len && !strncasecmp(hp, w->lng, hl);
}

static size_t line_end(const char *p, size_t pos, size_t end)
{
	const char *nl = pos < end ? memchr(p + pos, '\n', end - pos) : NULL;

	return nl ? (size_t)(nl - p) : end;
}

/* Walk the header lines. For each header, call back with its name and
 * its value (folded continuation lines included, trailing CR trimmed).
 * The callback returns nonzero to stop. */
typedef int (hdr_visit_h)(const char *name, size_t nl, const char *val,
			  size_t vl, void *arg);

static void hdr_walk(const struct msg *m, hdr_visit_h *h, void *arg)
{
	const char *p = m->raw;
	size_t end = m->hdr_end, pos = line_end(p, 0, end) + 1;

	while (pos < end) {
		size_t le = line_end(p, pos, end), vs, ve, ne;
		const char *colon = memchr(p + pos, ':', le - pos);

		if (!colon) {
			pos = le + 1;
			continue;
		}
		/* value continues over folded lines (RFC 3261 7.3.1) */
		while (le + 1 < end && (p[le + 1] == ' ' || p[le + 1] == '\t'))
			le = line_end(p, le + 1, end);
		ve = le;
		if (ve > pos && p[ve - 1] == '\r')
			ve--;
		vs = (size_t)(colon - p) + 1;
		while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
			vs++;
		ne = (size_t)(colon - p);
		while (ne > pos && (p[ne - 1] == ' ' || p[ne - 1] == '\t'))
			ne--;
		if (h(p + pos, ne - pos, p + vs, ve - vs, arg))
			return;
		pos = le + 1;
	}
}

struct hdr_find {
	struct hdr_name want;
	int value_only;
	struct buf *out;
	int count;
	struct msg_pl first;
	int err;
	unsigned nth;           /* find_after_name: the nth header, 1 first */
};

static int find_first(const char *name, size_t nl, const char *val, size_t vl, void *arg)
{
	struct hdr_find *f = arg;

	if (!name_matches(name, nl, &f->want))
		return 0;
	f->first.p = val;
	f->first.len = vl;
	f->count = 1;
	return 1;
}

static int find_append(const char *name, size_t nl, const char *val, size_t vl, void *arg)
{
	struct hdr_find *f = arg;

	if (!name_matches(name, nl, &f->want))
		return 0;
	if (f->count)
		f->err |= buf_adds(f->out, f->value_only ? "," : "\r\n");
	if (!f->value_only) {
		f->err |= buf_add(f->out, f->want.p, f->want.len);
		f->err |= buf_adds(f->out, ": ");
	}
	f->err |= buf_add(f->out, val, vl);
	f->count++;
	return 0;
}

int msg_hdr_append(const struct msg *m, const char *name, size_t nlen,
		   int value_only, struct buf *out)
{
	struct hdr_find f = {{0}, value_only, out, 0, {NULL, 0}, 0, 0};

	hdr_name_init(&f.want, name, nlen);
	hdr_walk(m, find_append, &f);
	return f.count;
}

static int find_after_name(const char *name, size_t nl, const char *val, size_t vl, void *arg)
{
	struct hdr_find *f = arg;
	const char *e = name + nl;

	(void)val;
	(void)vl;
	if (!name_matches(name, nl, &f->want))
		return 0;
	f->first.p = e;
	while (*e && *e != '\r' && *e != '\n')
		e++;
	f->first.len = (size_t)(e - f->first.p);
	return (unsigned)++f->count >= f->nth;
}

struct msg_pl msg_hdr_after_name(const struct msg *m, const char *name, size_t nlen,
				 unsigned nth)
{
	struct hdr_find f = {{0}, 0, NULL, 0, {NULL, 0}, 0, nth ? nth : 1};
	int colon = nlen && name[nlen - 1] == ':';

	hdr_name_init(&f.want, name, nlen - (size_t)colon);
	hdr_walk(m, find_after_name, &f);
	if ((unsigned)f.count < f.nth)
		return (struct msg_pl){NULL, 0};
	if (colon) {
		const char *c = memchr(f.first.p, ':', f.first.len);

		if (c) {
			f.first.len -= (size_t)(c + 1 - f.first.p);
			f.first.p = c + 1;
		}
	}
	return f.first;
}

struct msg_pl msg_hdr_first(const struct msg *m, const char *name, size_t nlen)
{
	struct hdr_find f = {{0}, 0, NULL, 0, {NULL, 0}, 0, 0};

	hdr_name_init(&f.want, name, nlen);
	hdr_walk(m, find_first, &f);
	return f.first;
}

/* Point pl at an osip string (copied by detach before om goes). */
static void set_pl(struct msg_pl *pl, const char *s)
{
	pl->p = s;
	pl->len = s ? strlen(s) : 0;
}

void msg_find_hdr_end(struct msg *m)
{
	const char *p = m->raw, *e;

	e = memmem(p, m->len, "\r\n\r\n", 4);
	if (e) {
		m->hdr_end = (size_t)(e - p) + 2;
		m->body_off = (size_t)(e - p) + 4;
		return;
	}
	e = memmem(p, m->len, "\n\n", 2);
	if (e) {
		m->hdr_end = (size_t)(e - p) + 1;
		m->body_off = (size_t)(e - p) + 2;
		return;
	}
	m->hdr_end = m->body_off = m->len;
}

/* Digits only, at most max: the CSeq number (RFC 3261 20.16: below
 * 2**32) and Content-Length (20.14). libosip2 takes "-999" and a CSeq of
 * 2**65 without a word (RFC 4475 3.1.2.3, 3.1.2.4, 3.1.2.5). */
static int digits_ok(struct msg_pl v, unsigned long long max)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++) {
		n = n * 10 + (unsigned)(v.p[i] - '0');
		if (n > max)
			return 0;
	}
	return i > 0 && (i == v.len || strchr(" \t\r\n", v.p[i]));
}

/* What libosip2 lets through and RFC 3261 does not: a status outside
 * 100-699 (libosip2 reads "4294967301" as 5), a version other than
 * SIP/2.0 (EPROTONOSUPPORT, so a server can answer 505), a CSeq method
 * other than the request's, numbers out of range, an unbracketed IPv6
 * Request-URI host. */
static int check_form(struct msg *m, osip_message_t *om)
{
	const char *nl = memchr(m->raw, '\n', m->len), *ver;
	size_t l = nl ? (size_t)(nl - m->raw) : m->len;
	struct msg_pl cl = msg_hdr_first(m, "Content-Length", 14);

	if (l && m->raw[l - 1] == '\r')
		l--;
	if (m->is_request) {
		while (l && m->raw[l - 1] == ' ')
			l--;
		for (ver = m->raw + l; ver > m->raw && ver[-1] != ' '; ver--)
			;
		if ((size_t)(m->raw + l - ver) != 7 || strncasecmp(ver, "SIP/2.0", 7))
			return EPROTONOSUPPORT;
		if (strcmp(m->method, m->cseq_method))
			return EBADMSG;  /* RFC 8.1.1.7; RFC 4475 3.1.2.17-18 */
		if (!msg_uri_host_ok(m->ruri.p, m->ruri.len))
			return EBADMSG;
	} else if (m->status < 100 || m->status > 699 || strncasecmp(m->raw, "SIP/2.0 ", 8)) {
		return EBADMSG;
	}
	if (!digits_ok(msg_hdr_first(m, "CSeq", 4), 0xffffffffULL))
		return EBADMSG;
	if (cl.len && !digits_ok(cl, 1ULL << 31))
		return EBADMSG;
	(void)om;
	return 0;
}

static int extract(struct msg *m, osip_message_t *om)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *gp = NULL;

	if (!om->call_id || !om->cseq || !om->cseq->method || !om->cseq->number ||
	    !om->from || !om->to || osip_message_get_via(om, 0, &via) < 0)
		return EBADMSG;
	m->is_request = MSG_IS_REQUEST(om);
	m->status = m->is_request ? 0 : om->status_code;
	if (m->is_request && (!om->sip_method || !om->req_uri))
		return EBADMSG;
	if (m->is_request)
		snprintf(m->method, sizeof(m->method), "%s", om->sip_method);
	snprintf(m->cseq_method, sizeof(m->cseq_method), "%s", om->cseq->method);
	m->cseq = (uint32_t)strtoul(om->cseq->number, NULL, 10);
	m->call_id = msg_hdr_first(m, "Call-ID", 7);
	if (!m->call_id.len)
		return EBADMSG;
	if (osip_to_get_tag(om->to, &gp) >= 0 && gp && gp->gvalue)
		set_pl(&m->to_tag, gp->gvalue);
	gp = NULL;
	if (osip_from_get_tag(om->from, &gp) >= 0 && gp && gp->gvalue)
		set_pl(&m->from_tag, gp->gvalue);
	if (om->from->url)
		set_pl(&m->from_user, om->from->url->username);
	gp = NULL;
	if (osip_via_param_get_byname(via, "branch", &gp) >= 0 && gp && gp->gvalue)
		set_pl(&m->branch, gp->gvalue);
	if (m->is_request) {
		/* the Request-URI as sent: second token of the first line */
		const char *sp = memchr(m->raw, ' ', m->len), *sp2;

		sp2 = sp ? memchr(sp + 1, ' ', m->len - (size_t)(sp + 1 - m->raw)) : NULL;
		if (sp && sp2) {
			m->ruri.p = sp + 1;
			m->ruri.len = (size_t)(sp2 - sp - 1);
		}
		set_pl(&m->ruri_user, om->req_uri->username);
	}
	return check_form(m, om);
}

/* Copy the fields that point into libosip2's strings to one block of
 * m's own. */
static int detach(struct msg *m)
{
	struct msg_pl *pl[] = {&m->to_tag, &m->from_tag, &m->from_user, &m->branch,
			       &m->ruri_user};
	size_t need = 0, i;
	char *p;

	for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++)
		need += pl[i]->len + 1;
	m->strs = p = malloc(need);
	if (!p)
		return ENOMEM;
	for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++) {
		if (pl[i]->len)
			memcpy(p, pl[i]->p, pl[i]->len);
		p[pl[i]->len] = '\0';
		pl[i]->p = p;
		p += pl[i]->len + 1;
	}
	return 0;
}

/* Back to a message with only its bytes: the scanner gave up half way. */
static void reset_fields(struct msg *m)
{
	char *raw = m->raw;
	size_t len = m->len;
	uint64_t hash = m->hash;

	memset(m, 0, sizeof(*m));
	m->raw = raw;
	m->len = len;
	m->hash = hash;
}

/* libosip2 (5.3) parses a multipart body into its parts and leaks a
 * part's Content-Type when a part does not parse (found by fuzz_target,
 * fuzz/regress/target/multipart-bad-part). Nothing here uses its view
 * of the body, so it is given a copy whose multipart Content-Types read
 * "xultipart": the body is then one opaque string to it. */
#define MASK_MAX 8

struct ct_mask {
	struct hdr_name want;
	size_t at[MASK_MAX];
	unsigned n;
	const char *raw;
};

static int find_multipart(const char *name, size_t nl, const char *val, size_t vl, void *arg)
{
	struct ct_mask *c = arg;

	if (name_matches(name, nl, &c->want) && vl >= 9 && !strncasecmp(val, "multipart", 9) &&
	    c->n < MASK_MAX)
		c->at[c->n++] = (size_t)(val - c->raw);
	return 0;
}

static char *osip_input(const struct msg *m)
{
	struct ct_mask c = {.raw = m->raw};
	char *copy;
	unsigned i;

	hdr_name_init(&c.want, "Content-Type", 12);
	hdr_walk(m, find_multipart, &c);
	if (!c.n || !(copy = malloc(m->len + 1)))
		return NULL;
	memcpy(copy, m->raw, m->len + 1);
	for (i = 0; i < c.n; i++)
		copy[c.at[i]] = 'x';
	return copy;
}

/* libosip2's full parse of m->raw (hdr_end and body_off found): the
 * verdict on anything unusual. */
static int parse_osip(struct msg *m)
{
	osip_message_t *om = NULL;
	char *masked;
	int err;

	if (osip_message_init(&om) != 0)
		return ENOMEM;
	m->om = om;
	masked = osip_input(m);
	err = osip_message_parse(om, masked ? masked : m->raw, m->len);
	free(masked);
	if (err != 0)
		return EBADMSG;
	err = extract(m, om);
	if (!err)
		err = detach(m);
	/* everything needed is in m now: the parse tree (dozens of small
	 * allocations) goes, so a message kept by a call costs little */
	osip_message_free(om);
	m->om = NULL;
	return err;
}

static int parse(struct msg **mp, const char *buf, size_t len, int strict)
{
	struct msg *m;
	int err, scan;

	/* the message and its bytes in one block */
	m = malloc(sizeof(*m) + len + 1);
	if (!m)
		return ENOMEM;
	memset(m, 0, sizeof(*m));
	m->raw = (char *)(m + 1);
	memcpy(m->raw, buf, len);
	m->raw[len] = '\0';
	m->len = len;
	m->hash = msg_hash(buf, len);
	err = EBADMSG;
	if (len < 12)
		goto out;
	/* the scanner finds the end of the headers, and any NUL in them, in
	 * its one pass over the lines */
	scan = strict ? MSG_SCAN_UNSURE : msg_scan(m);
	if (scan == MSG_SCAN_OK) {
		*mp = m;
		return 0;
	}
	if (scan == MSG_SCAN_BAD)
		goto out;
	reset_fields(m);
	/* a NUL ends nothing in a header, but a body may carry any byte
	 * (RFC 4475 3.1.1.11: a binary MIME part) */
	msg_find_hdr_end(m);
	if (memchr(buf, '\0', m->hdr_end))
		goto out;
	err = parse_osip(m);
	if (err)
		goto out;
	*mp = m;
	return 0;
out:
	msg_free(m);
	return err;
}

int msg_parse(struct msg **mp, const char *buf, size_t len)
{
	return parse(mp, buf, len, 0);
}

int msg_parse_strict(struct msg **mp, const char *buf, size_t len)
{
	return parse(mp, buf, len, 1);
}

void msg_free(struct msg *m)
{
	if (!m)
		return;
	if (m->om)
		osip_message_free(m->om);
	free(m->strs);
	free(m);
}

struct msg_pl msg_call_key(const struct msg *m, int whole)
{
	struct msg_pl k = m->call_id;
	size_t i;

	for (i = 0; !whole && i + 3 <= k.len; i++)
		if (k.p[i] == '/' && k.p[i + 1] == '/' && k.p[i + 2] == '/') {
			k.p += i + 3;
			k.len -= i + 3;
			break;
		}
	return k;
}
