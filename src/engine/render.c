/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render: expand a compiled template for one UA. Literal segments are
 * copied; keywords read the UA, its call and the engine. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "engine/internal.h"
#include "sip/auth.h"
#include "sip/msg.h"

struct rctx {
	struct ua *ua;
	const struct step *st;
	struct buf *out;
	int is_msg;
	size_t len_pos;          /* where [len] goes, SIZE_MAX if none */
	int skip_line;           /* a missing [last_*] drops its line  */
};

static int kw_addr(struct rctx *r, enum seg_kind k, int32_t off);

/* Decimal digits without printf: numbers go into every message. */
static int add_num(struct buf *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

static int add_date(struct buf *b, int with_usec)
{
	struct timeval tv;
	struct tm tm;
	char s[64];

	gettimeofday(&tv, NULL);
	if (with_usec) {
		localtime_r(&tv.tv_sec, &tm);
		strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
		return buf_addf(b, "%s.%06ld", s, (long)tv.tv_usec);
	}
	gmtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return buf_adds(b, s);
}

/* Drop what this line has so far and skip to its end (SIPp's rule for a
 * [last_*] header that the last message did not have). */
static void drop_line(struct rctx *r)
{
	struct buf *b = r->out;
	size_t i = b->len;

	while (i > 0 && b->data[i - 1] != '\n')
		i--;
	b->len = i;
	if (b->data)
		b->data[i] = '\0';
	r->skip_line = 1;
}

static int kw_last(struct rctx *r, const struct tpl_seg *s)
{
	const struct msg *m = r->ua->last_msg;

	if (!m || msg_hdr_append(m, s->str, s->len, s->num == 1, r->out) == 0) {
		if (r->is_msg)
			drop_line(r);
	}
	return 0;
}

/* A keyword argument's template, rendered into out[n]. */
static int sub_text(struct rctx *r, const struct tpl *t, char *out, size_t n)
{
	struct buf tmp;
	int err;

	buf_init(&tmp, 1 << 16);
	err = rend_tpl(r->ua, r->st, t, 0, &tmp);
	if (!err)
		snprintf(out, n, "%s", tmp.data ? tmp.data : "");
	buf_free(&tmp);
	return err;
}

/* A template rendered into out[n], or def when there is none. */
static int text_or(struct rctx *r, struct ua *ua, const struct tpl *t, const char *def,
		   char *out, size_t n)
{
	struct rctx o = *r;

	if (!t) {
		snprintf(out, n, "%s", def ? def : "");
		return 0;
	}
	o.ua = ua;
	return sub_text(&o, t, out, n);
}

/* The credentials of [authentication], the most specific first (see
 * sipbench-scenario(5), PARTIES AND CREDENTIALS): the keyword's own
 * arguments; for the user, the party's <ua user=>, then -au, then the
 * user a party without user= was given, then -s; for the password,
 * <ua password=>, then -ap ([password]), then "password". */
static int auth_creds(struct rctx *r, const struct tpl_seg *s, char *user, char *pass,
		      size_t n)
{
	struct ua *ua = r->ua;
	struct eng *e = ua->call->eng;
	const struct prog *p = e->p;
	int err;

	if (s->sub)
		err = sub_text(r, s->sub, user, n);
	else if (s->str)
		err = (snprintf(user, n, "%s", s->str), 0);
	else if (ua->pu->user || !p->auth_user)
		err = (snprintf(user, n, "%s", ua->user ? ua->user : e->o.service), 0);
	else
		err = sub_text(r, p->auth_user, user, n);
	if (err)
		return err;
	if (s->sub2)
		return sub_text(r, s->sub2, pass, n);
	if (s->str2)
		return (snprintf(pass, n, "%s", s->str2), 0);
	return text_or(r, ua, ua->pu->password ? ua->pu->password : p->auth_pass,
		       "password", pass, n);
}

/* [authentication]: credentials for the request being built, answering
 * the last challenge; its method and Request-URI are in the first line,
 * already rendered. EPROTO when there is no challenge. */
static int kw_auth(struct rctx *r, const struct tpl_seg *s)
{
	struct ua *ua = r->ua;
	const char *line = r->out->data, *sp, *sp2;
	char method[24], uri[512], cnonce[40], user[128], pass[128];
	int err;

	if (!ua->chal)
		return EPROTO;
	sp = line ? strchr(line, ' ') : NULL;
	sp2 = sp ? strchr(sp + 1, ' ') : NULL;
	if (!sp2 || (size_t)(sp - line) >= sizeof(method) || (size_t)(sp2 - sp) > sizeof(uri))
		return EPROTO;
	snprintf(method, sizeof(method), "%.*s", (int)(sp - line), line);
	if (ua->call->eng->o.auth_uri)  /* SIPp's -auth_uri: "sip:" + it */
		snprintf(uri, sizeof(uri), "sip:%s", ua->call->eng->o.auth_uri);
	else
		snprintf(uri, sizeof(uri), "%.*s", (int)(sp2 - sp - 1), sp + 1);
	snprintf(cnonce, sizeof(cnonce), "%08lx%08llx", (unsigned long)random(),
		 (unsigned long long)ua->call->number);
	if (auth_creds(r, s, user, pass, sizeof(user)))
		return ENOMEM;
	err = auth_build(ua->chal, user, pass, method, uri, ++ua->auth_nc, cnonce, r->out);
	if (!err)
		ua->auth_cseq = ua->cseq;
	return err == ENOTSUP ? EPROTO : err;
}

/* [domain] (o NULL) or [ua:NAME:domain] of party o: -domain or the
 * party's <ua domain=>, else the address the party talks to. */
static int kw_domain(struct rctx *r, struct ua *o)
{
	const struct prog *p = r->ua->call->eng->p;
	const struct tpl *t = o && o->pu->domain ? o->pu->domain : p->domain;
	char text[256];

	if (!t && !o)
		return kw_addr(r, SEG_REMOTE_IP, 0);
	if (!t) {
		tp_addr_host(&o->remote, text, sizeof(text));
		return buf_adds(r->out, text);
	}
	return text_or(r, o ? o : r->ua, t, NULL, text, sizeof(text)) ? ENOMEM :
	       buf_adds(r->out, text);
}

/* [password]: -ap rendered for this party, else "password". */
static int kw_password(struct rctx *r)
{
	char pass[128];

	return text_or(r, r->ua, r->ua->call->eng->p->auth_pass, "password", pass,
		       sizeof(pass)) ? ENOMEM : buf_adds(r->out, pass);
}

/* [ua:NAME:what]: another party of the same call. */
static int kw_party(struct rctx *r, const struct tpl_seg *s)
{
	struct call *c = r->ua->call;
	struct ua *o = (unsigned)s->num2 < c->nuas ? &c->ua[s->num2] : r->ua;
	char host[72];

	tp_addr_host(&o->remote, host, sizeof(host));
	switch (s->num) {
	case UA_WHAT_USER:
		return buf_adds(r->out, o->user ? o->user : "");
	case UA_WHAT_CONTACT:  /* as the party advertises itself */
		/* over a stream, the transport too: a proxy reaches the
		 * party over what it registered with (RFC 3261 19.1.1) */
		if (o->sock && tp_sock_proto(o->sock) != TP_UDP)
			return buf_addf(r->out, "sip:%s@%s:%u;transport=%s", o->user ? o->user : "",
					eng_ua_host(o), eng_ua_port(o),
					tp_proto_param(tp_sock_proto(o->sock)));
		return buf_addf(r->out, "sip:%s@%s:%u", o->user ? o->user : "", eng_ua_host(o),
				eng_ua_port(o));
	case UA_WHAT_URI:
		return buf_addf(r->out, "sip:%s@%s:%u", o->user ? o->user : "", host,
				tp_addr_port(&o->remote));
	case UA_WHAT_IP:
		return buf_adds(r->out, eng_ua_host(o));
	case UA_WHAT_PORT:
		return buf_addf(r->out, "%u", eng_ua_port(o));
	default:  /* UA_WHAT_DOMAIN */
		return kw_domain(r, o);
	}
}

/* A <param>: its template, rendered for this party. */
static int kw_param(struct rctx *r, const struct tpl_seg *s)
{
	const struct prog *p = r->ua->call->eng->p;
	struct buf tmp;
	int err;

	buf_init(&tmp, 1 << 16);
	err = rend_tpl(r->ua, r->st, p->params[s->num], 0, &tmp);
	if (!err)
		err = buf_add(r->out, tmp.data, tmp.len);
	buf_free(&tmp);
	return err;
}

/* [fieldN], of the call's row, or of line=N, or of line="[$v]" (SIPp's:
 * a row number, from 0, made at send time; not a number or negative, as
 * <lookup>'s -1: nothing). */
static int kw_field(struct rctx *r, const struct tpl_seg *s)
{
	struct eng *e = r->ua->call->eng;
	unsigned row = s->num2 >= 0 ? (unsigned)s->num2 : r->ua->call->field_row;

	if (s->sub) {
		char num[32], *end;
		double v;
		int err = sub_text(r, s->sub, num, sizeof(num));

		if (err)
			return err;
		v = strtod(num, &end);
		if (!num[0] || *end || !(v >= 0) || v >= 4294967295.0)
			return 0;
		row = (unsigned)v;
	}
	return inj_field_add(&e->inj, row, (unsigned)s->num, r->out);
}

static int kw_var(struct rctx *r, const struct tpl_seg *s)
{
	const struct var_val *v = &r->ua->vars[s->num];
	struct eng *e = r->ua->call->eng;

	if (v->kind == VAL_UNSET && e->globals)
		v = &e->globals[s->num];
	return var_append(v, r->out);
}

/* [last_Request_URI]: a request's Request-URI; for a response, as
 * SIPp, the URI between the <> of its To (nothing without <>). */
static int kw_last_ruri(struct rctx *r, const struct msg *m)
{
	struct msg_pl t;
	const char *lt, *gt;

	if (!m)
		return 0;
	if (m->ruri.len)
		return buf_add(r->out, m->ruri.p, m->ruri.len);
	t = msg_hdr_first(m, "To", 2);
	lt = t.len ? memchr(t.p, '<', t.len) : NULL;
	gt = lt ? memchr(lt, '>', t.len - (size_t)(lt - t.p)) : NULL;
	return lt && gt ? buf_add(r->out, lt + 1, (size_t)(gt - lt - 1)) : 0;
}

static int kw_next_url(struct rctx *r)
{
	struct msg_pl c;
	const char *lt, *gt;

	if (r->ua->next_url)    /* set by rrs="true", as SIPp */
		return buf_adds(r->out, r->ua->next_url);
	if (!r->ua->last_msg)
		return 0;
	c = msg_hdr_first(r->ua->last_msg, "Contact", 7);
	if (!c.len)
		return 0;
	lt = memchr(c.p, '<', c.len);
	gt = lt ? memchr(lt, '>', c.len - (size_t)(lt - c.p)) : NULL;
	if (lt && gt)
		return buf_add(r->out, lt + 1, (size_t)(gt - lt - 1));
	return buf_add(r->out, c.p, c.len);
}

/* With media in the scenario, the party's own port: video when the
 * keyword is [rtpstream_video_port] or sits on a line naming video (an
 * m=video line, as SIPp decides), else audio. */
static int kw_media_port(struct rctx *r, enum seg_kind k, int32_t off)
{
	const char *line = r->out->data ? r->out->data : "";
	size_t i = r->out->len, n;
	unsigned port;
	int video = k == SEG_RTPSTREAM_VIDEO_PORT;

	while (i && line[i - 1] != '\n')
		i--;
	for (n = r->out->len - i; !video && k != SEG_RTPSTREAM_AUDIO_PORT && n >= 5; n--, i++)
		video = !memcmp(line + i, "video", 5);
	if (eng_media_port(r->ua, video, &port))
		return ENOMEM;
	return add_num(r->out, (long long)port + off);
}

static int kw_addr(struct rctx *r, enum seg_kind k, int32_t off)
{
	struct ua *ua = r->ua;
	struct eng *e = ua->call->eng;
	char host[72];

	if (e->media_calls && (k == SEG_MEDIA_PORT || k == SEG_AUTO_MEDIA_PORT ||
			       k == SEG_RTPSTREAM_AUDIO_PORT || k == SEG_RTPSTREAM_VIDEO_PORT))
		return kw_media_port(r, k, off);
	switch (k) {
	case SEG_REMOTE_IP:
	case SEG_CLIENT_IP:
		/* the target's address as text is kept; others are converted */
		if (ua->remote.len == e->remote.len &&
		    !memcmp(&ua->remote.ss, &e->remote.ss, e->remote.len) && e->remote_ip[0])
			return buf_adds(r->out, e->remote_ip);
		tp_addr_host(&ua->remote, host, sizeof(host));
		return buf_adds(r->out, host);
	case SEG_REMOTE_PORT:
		return add_num(r->out, (long long)tp_addr_port(&ua->remote) + off);
	case SEG_LOCAL_IP:
	case SEG_SERVER_IP:
		/* as SIPp: an IPv6 address in brackets, ready for a URI or Via;
		 * the advertised one when the party has one (nat.c) */
		return buf_adds(r->out, eng_ua_host(ua));
	case SEG_LOCAL_PORT:
		return add_num(r->out, (long long)eng_ua_port(ua) + off);
	case SEG_LOCAL_IP_TYPE:
		return buf_adds(r->out, strchr(eng_ua_ip(ua), ':') ? "6" : "4");
	case SEG_MEDIA_IP:
		return buf_adds(r->out, e->o.media_ip ? e->o.media_ip : eng_ua_ip(ua));
	case SEG_MEDIA_IP_TYPE: {
		const char *mi = e->o.media_ip ? e->o.media_ip : eng_ua_ip(ua);

		return buf_adds(r->out, strchr(mi, ':') ? "6" : "4");
	}
	case SEG_VIA_RECEIVED:
		if (!ua->pub.len)
			return buf_adds(r->out, eng_ua_host(ua));
		tp_addr_host(&ua->pub, host, sizeof(host));
		return buf_adds(r->out, host);
	case SEG_VIA_RPORT:
		return add_num(r->out, (long long)(ua->pub.len ? tp_addr_port(&ua->pub) :
						   eng_ua_port(ua)) + off);
	case SEG_MEDIA_PORT:
		return add_num(r->out, (long long)e->o.media_port + off);
	case SEG_RTPSTREAM_AUDIO_PORT:
		return add_num(r->out, (long long)e->o.media_port + off);
	case SEG_RTPSTREAM_VIDEO_PORT:
		return add_num(r->out, (long long)e->o.media_port + 2 + off);
	case SEG_AUTO_MEDIA_PORT:
		return add_num(r->out, (long long)e->o.media_port + off +
			       2 * (long long)(ua->call->number % 10000));
	default:
		return 0;
	}
}

static int kw_call(struct rctx *r, const struct tpl_seg *s)
{
	struct ua *ua = r->ua;
	struct eng *e = ua->call->eng;
	const struct msg *m = ua->last_msg;

	switch (s->kind) {
	case SEG_SERVICE:
		return buf_adds(r->out, e->o.service);
	case SEG_TRANSPORT:
		return buf_adds(r->out, tp_proto_name((enum tp_proto)e->o.proto));
	case SEG_CALL_ID:
		return buf_adds(r->out, ua->call_id);
	case SEG_CSEQ:
		return add_num(r->out, (long long)ua->cseq + s->offset);
	case SEG_BRANCH:
		return buf_adds(r->out, "z9hG4bK-") || add_num(r->out, e->pid) ||
		       buf_add(r->out, "-", 1) ||
		       add_num(r->out, (long long)ua->call->number) || buf_add(r->out, "-", 1) ||
		       add_num(r->out, (long long)(r->st ? r->st->index : 0) + s->offset) ? ENOMEM : 0;
	case SEG_PID:
		return add_num(r->out, e->pid);
	case SEG_CALL_NUMBER:
		return add_num(r->out, (long long)ua->call->number + s->offset);
	case SEG_PEER_TAG_PARAM:
		return ua->peer_tag ? buf_adds(r->out, ";tag=") || buf_adds(r->out, ua->peer_tag) : 0;
	case SEG_LAST_REQUEST_URI:
		return kw_last_ruri(r, m);
	case SEG_LAST_CSEQ_NUMBER:
		return m ? add_num(r->out, (long long)m->cseq + s->offset) : 0;
	case SEG_LAST_MESSAGE:
		return m ? buf_add(r->out, m->raw, m->len) : 0;
	case SEG_ROUTES:
		if (ua->routes)
			return buf_adds(r->out, ua->routes);
		if (r->is_msg)
			drop_line(r);  /* no route set: no Route header line */
		return 0;
	case SEG_USERS:
		return add_num(r->out, (long long)e->nactive);
	case SEG_USERID:
		return add_num(r->out, (long long)ua->call->number);
	case SEG_SIPP_VERSION:
		return buf_adds(r->out, "sipbench-" PACKAGE_VERSION);
	case SEG_CLOCK_TICK:
		return add_num(r->out, (long long)(loop_now_ms(e->loop)));
	default:
		return 0;
	}
}

static int render_seg(struct rctx *r, const struct tpl_seg *s)
{
	switch (s->kind) {
	case SEG_LIT:
		return buf_add(r->out, s->str, s->len);
	case SEG_LEN:
		r->len_pos = r->out->len;
		return 0;
	case SEG_LAST_HDR:
		return kw_last(r, s);
	case SEG_FIELD:
		return kw_field(r, s);
	case SEG_VAR:
		return kw_var(r, s);
	case SEG_NEXT_URL:
		return kw_next_url(r);
	case SEG_TIMESTAMP:
		return add_date(r->out, 1);
	case SEG_DATE:
		return add_date(r->out, 0);
	case SEG_AUTHENTICATION:
		return kw_auth(r, s);
	case SEG_UA:
		return kw_party(r, s);
	case SEG_CRYPTO:
		return eng_media_crypto(r->ua, s->num, s->offset, r->out);
	case SEG_REMOTE_IP: case SEG_REMOTE_PORT: case SEG_LOCAL_IP:
	case SEG_LOCAL_PORT: case SEG_LOCAL_IP_TYPE: case SEG_MEDIA_IP:
	case SEG_MEDIA_IP_TYPE: case SEG_MEDIA_PORT: case SEG_AUTO_MEDIA_PORT:
	case SEG_SERVER_IP: case SEG_CLIENT_IP: case SEG_RTPSTREAM_AUDIO_PORT:
	case SEG_RTPSTREAM_VIDEO_PORT: case SEG_VIA_RECEIVED: case SEG_VIA_RPORT:
		return kw_addr(r, s->kind, s->offset);
	case SEG_PARAM:
		return kw_param(r, s);
	case SEG_DOMAIN:
		return kw_domain(r, NULL);
	case SEG_PASSWORD:
		return kw_password(r);
	case SEG_KEY:
		return buf_adds(r->out, r->ua->call->eng->o.key_values[s->num]);
	default:
		return kw_call(r, s);
	}
}

/* While skipping a dropped line, consume literal text up to and
 * including its newline; keywords on that line produce nothing. */
static int skip_seg(struct rctx *r, const struct tpl_seg *s)
{
	const char *nl;

	if (s->kind != SEG_LIT)
		return 0;
	nl = memchr(s->str, '\n', s->len);
	if (!nl)
		return 0;
	r->skip_line = 0;
	return buf_add(r->out, nl + 1, s->len - (size_t)(nl + 1 - s->str));
}

static int fill_len(struct rctx *r)
{
	struct buf *b = r->out;
	const char *sep;
	size_t body;
	char num[24];
	int n, err;

	if (r->len_pos == SIZE_MAX || !b->data)
		return 0;
	/* [len] sits in a header: the empty line comes after it */
	sep = memmem(b->data + r->len_pos, b->len - r->len_pos, "\r\n\r\n", 4);
	body = sep ? b->len - (size_t)(sep + 4 - b->data) : 0;
	n = snprintf(num, sizeof(num), "%zu", body);
	/* grow by n bytes, then shift the tail right */
	err = buf_add(b, num, (size_t)n);
	if (err)
		return err;
	memmove(b->data + r->len_pos + n, b->data + r->len_pos,
		b->len - (size_t)n - r->len_pos);
	memcpy(b->data + r->len_pos, num, (size_t)n);
	return 0;
}

int rend_tpl(struct ua *ua, const struct step *st, const struct tpl *t,
	     int is_msg, struct buf *out)
{
	struct rctx r = {ua, st, out, is_msg, SIZE_MAX, 0};
	unsigned i;
	int err = 0;

	buf_reset(out);
	for (i = 0; i < t->nsegs && !err; i++)
		err = r.skip_line ? skip_seg(&r, &t->segs[i])
				  : render_seg(&r, &t->segs[i]);
	if (!err && is_msg)
		err = fill_len(&r);
	if (!err && !out->data)
		err = buf_add(out, "", 0);
	if (err == EPROTO)
		return EPROTO;
	return err ? ENOMEM : 0;
}
