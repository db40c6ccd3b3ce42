/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compile: a <send> CDATA (or an action's text) -> struct tpl. Normalises
 * the text as SIPp does, then splits it into literal segments and keyword
 * references, once at load time. See docs/internals/prog.md. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "scenario/build.h"

/* Keywords without arguments; `num` says whether +n/-n is allowed. */
static const struct {
	const char *name;
	enum seg_kind kind;
	int num;
} plain[] = {
	{"service", SEG_SERVICE, 0}, {"remote_ip", SEG_REMOTE_IP, 0},
	{"remote_port", SEG_REMOTE_PORT, 1}, {"local_ip", SEG_LOCAL_IP, 0},
	{"local_port", SEG_LOCAL_PORT, 1}, {"local_ip_type", SEG_LOCAL_IP_TYPE, 0},
	{"media_ip", SEG_MEDIA_IP, 0}, {"media_ip_type", SEG_MEDIA_IP_TYPE, 0},
	{"media_port", SEG_MEDIA_PORT, 1}, {"auto_media_port", SEG_AUTO_MEDIA_PORT, 1},
	{"transport", SEG_TRANSPORT, 0}, {"call_id", SEG_CALL_ID, 0},
	{"cseq", SEG_CSEQ, 1}, {"branch", SEG_BRANCH, 1}, {"pid", SEG_PID, 0},
	{"call_number", SEG_CALL_NUMBER, 1}, {"len", SEG_LEN, 0},
	{"peer_tag_param", SEG_PEER_TAG_PARAM, 0}, {"routes", SEG_ROUTES, 0},
	{"next_url", SEG_NEXT_URL, 0}, {"timestamp", SEG_TIMESTAMP, 0},
	{"date", SEG_DATE, 0}, {"users", SEG_USERS, 0}, {"userid", SEG_USERID, 0},
	{"sipp_version", SEG_SIPP_VERSION, 0}, {"server_ip", SEG_SERVER_IP, 0},
	{"client_ip", SEG_CLIENT_IP, 0}, {"clock_tick", SEG_CLOCK_TICK, 0},
	{"via_received", SEG_VIA_RECEIVED, 0}, {"via_rport", SEG_VIA_RPORT, 1},
	{"last_Request_URI", SEG_LAST_REQUEST_URI, 0},
	{"last_cseq_number", SEG_LAST_CSEQ_NUMBER, 1},
	{"last_message", SEG_LAST_MESSAGE, 0},
	{"rtpstream_audio_port", SEG_RTPSTREAM_AUDIO_PORT, 1},
	{"rtpstream_video_port", SEG_RTPSTREAM_VIDEO_PORT, 1},
};

struct cctx {
	struct prog *p;
	struct tpl *t;
	unsigned cap;
	int line;                /* XML line of the text being compiled */
	struct diag *d;
	const struct scn_opts *o;
};

static struct tpl_seg *new_seg(struct cctx *c, enum seg_kind k)
{
	struct tpl_seg *s;

	if (c->t->nsegs == c->cap) {
		unsigned n = c->cap ? c->cap * 2 : 8;

		s = realloc(c->t->segs, n * sizeof(*s));
		if (!s)
			return NULL;
		c->t->segs = s;
		c->cap = n;
	}
	s = &c->t->segs[c->t->nsegs++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->num2 = -1;
	return s;
}

static int add_lit(struct cctx *c, const char *p, size_t n)
{
	struct tpl_seg *s;

	if (!n)
		return 0;
	s = c->t->nsegs ? &c->t->segs[c->t->nsegs - 1] : NULL;
	if (s && s->kind == SEG_LIT) {
		/* literals are kept in one owned string per segment: extend it */
		char *m = malloc(s->len + n + 1);

		if (!m)
			return ENOMEM;
		memcpy(m, s->str, s->len);
		memcpy(m + s->len, p, n);
		m[s->len + n] = '\0';
		free((char *)s->str);
		s->str = m;
		s->len += n;
		return 0;
	}
	s = new_seg(c, SEG_LIT);
	if (!s || !(s->str = malloc(n + 1)))   /* a \x00 may be in it */
		return ENOMEM;
	memcpy((char *)s->str, p, n);
	((char *)s->str)[n] = '\0';
	s->len = n;
	return 0;
}

/* "+3" / "-1" at the end of a keyword name; returns the name's length. */
static size_t split_offset(const char *k, size_t n, int32_t *off)
{
	size_t i = n;

	while (i > 0 && isdigit((unsigned char)k[i - 1]))
		i--;
	if (i < n && i > 0 && (k[i - 1] == '+' || k[i - 1] == '-')) {
		*off = (int32_t)strtol(k + i - 1, NULL, 10);
		return i - 1;
	}
	*off = 0;
	return n;
}

/* name="value" or name=value inside a keyword ([field0 file="a.csv"]). */
static int kw_arg(const char *k, size_t n, const char *name, const char **v, size_t *vl)
{
	size_t nl = strlen(name), i;

	for (i = 0; i + nl < n; i++) {
		if ((i == 0 || k[i - 1] == ' ') && !strncmp(k + i, name, nl) && k[i + nl] == '=') {
			const char *s = k + i + nl + 1, *e = k + n;
			const char *end;

			if (*s == '"' || *s == '\'') {
				end = memchr(s + 1, *s, (size_t)(e - s - 1));
				s++;
			} else {
				end = s;
				while (end < e && *end != ' ')
					end++;
			}
			if (!end)
				end = e;
			*v = s;
			*vl = (size_t)(end - s);
			return 1;
		}
	}
	return 0;
}

static int kw_field(struct cctx *c, const char *k, size_t n, int line)
{
	struct tpl_seg *s = new_seg(c, SEG_FIELD);
	const char *v;
	size_t vl;

	if (!s)
		return ENOMEM;
	s->num = (int32_t)strtol(k + 5, NULL, 10);
	if (s->num > c->p->max_field)
		c->p->max_field = s->num;
	if (kw_arg(k, n, "file", &v, &vl) && !(s->str = scn_strndup(c->p, v, vl)))
		return ENOMEM;
	if (kw_arg(k, n, "line", &v, &vl) && memchr(v, '[', vl)) {
		const char *t = scn_strndup(c->p, v, vl);

		return t ? scn_text_compile(c->p, &s->sub, t, line, c->d) : ENOMEM;
	}
	if (kw_arg(k, n, "line", &v, &vl))
		s->num2 = (int32_t)strtol(v, NULL, 10);
	return 0;
}

/* An argument that may itself hold keywords: compiled as a template. */
static int kw_arg_tpl(struct cctx *c, const char *v, size_t vl, const char **str,
		      struct tpl **sub)
{
	*str = scn_strndup(c->p, v, vl);
	if (!*str)
		return ENOMEM;
	if (!memchr(v, '[', vl))
		return 0;
	return scn_text_compile(c->p, sub, *str, c->line, c->d);
}

static int kw_auth(struct cctx *c, const char *k, size_t n)
{
	struct tpl_seg *s = new_seg(c, SEG_AUTHENTICATION);
	const char *v;
	size_t vl;
	int err = 0;

	if (!s)
		return ENOMEM;
	if (kw_arg(k, n, "username", &v, &vl))
		err = kw_arg_tpl(c, v, vl, &s->str, &s->sub);
	if (!err && kw_arg(k, n, "password", &v, &vl))
		err = kw_arg_tpl(c, v, vl, &s->str2, &s->sub2);
	return err;
}

static int kw_last(struct cctx *c, const char *k, size_t n)
{
	struct tpl_seg *s = new_seg(c, SEG_LAST_HDR);
	const char *h = k + 5, *colon;
	size_t hl = n - 5;

	if (!s)
		return ENOMEM;
	colon = memchr(h, ':', hl);
	if (colon) {
		s->num = !strncmp(colon + 1, "value", (size_t)(k + n - colon - 1)) &&
			 (size_t)(k + n - colon - 1) == 5;
		hl = (size_t)(colon - h);
	}
	s->str = scn_strndup(c->p, h, hl);
	s->len = hl;
	return s->str ? 0 : ENOMEM;
}

static const char *const ua_what[] = {"user", "contact", "uri", "ip", "port", "domain"};

static int kw_ua(struct cctx *c, const char *k, size_t n, int line)
{
	struct tpl_seg *s = new_seg(c, SEG_UA);
	const char *name = k + 3, *colon = memchr(name, ':', n - 3);
	size_t i;

	if (!s)
		return ENOMEM;
	if (!colon)
		return diag_set(c->d, c->p->file, line,
				"[%.*s]: expected [ua:NAME:WHAT]", (int)n, k);
	for (i = 0; i < sizeof(ua_what) / sizeof(ua_what[0]); i++)
		if ((size_t)(k + n - colon - 1) == strlen(ua_what[i]) &&
		    !strncmp(colon + 1, ua_what[i], strlen(ua_what[i])))
			break;
	if (i == sizeof(ua_what) / sizeof(ua_what[0]))
		return diag_set(c->d, c->p->file, line, "[%.*s]: unknown party attribute "
				"(user, contact, uri, ip, port or domain)", (int)n, k);
	s->num = (int32_t)i;
	s->str = scn_strndup(c->p, name, (size_t)(colon - name));
	s->len = (size_t)(colon - name);
	return s->str ? 0 : ENOMEM;
}

/* SIPp's SDES keywords: [cryptotagLK], [cryptosuiteSLK],
 * [cryptokeyparamsLK] (an offset: -N keeps the key) and [ueSLK], with L
 * the line (1, 2), K the kind (audio, video), S a suite below. Returns 0
 * when k is one (its segment added), else -1 (or ENOMEM). */
static int kw_crypto(struct cctx *c, const char *k, size_t n)
{
	static const char *const suites[] = {"aescm128sha180", "aescm128sha132",
					     "nullsha180", "nullsha132"};
	int32_t off;
	size_t nl = split_offset(k, n, &off), sl;
	int what, suite = 0, kind, idx;
	struct tpl_seg *s;

	if (nl < 7 || (strncmp(k + nl - 5, "audio", 5) && strncmp(k + nl - 5, "video", 5)) ||
	    (k[nl - 6] != '1' && k[nl - 6] != '2'))
		return -1;
	kind = k[nl - 5] == 'v';
	idx = k[nl - 6] - '1';
	sl = nl - 6;  /* the part before the line number */
	if (sl == 9 && !strncmp(k, "cryptotag", 9))
		what = 0;
	else if (sl == 15 && !strncmp(k, "cryptokeyparams", 15))
		what = 2;
	else if (sl > 11 && !strncmp(k, "cryptosuite", 11))
		what = 1;
	else if (sl > 2 && !strncmp(k, "ue", 2) && strncmp(k, "uenull", 6))
		what = 3;
	else
		return -1;
	if (what == 1 || what == 3) {
		size_t at = what == 1 ? 11 : 2;

		for (suite = 0; suite < 4; suite++)
			if (strlen(suites[suite]) == sl - at &&
			    !strncmp(k + at, suites[suite], sl - at))
				break;
		if (suite == 4)
			return -1;
	}
	if (off && what != 2)
		return -1;
	if (!(s = new_seg(c, SEG_CRYPTO)))
		return ENOMEM;
	s->num = what | idx << 4 | kind << 8 | suite << 12;
	s->offset = off;
	return 0;
}

static int kw_plain(struct cctx *c, const char *k, size_t n, int line)
{
	int32_t off;
	size_t nl = split_offset(k, n, &off), i;
	int err;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct tpl_seg *s;

		if (strlen(plain[i].name) != nl || strncmp(plain[i].name, k, nl))
			continue;
		if (off && !plain[i].num)
			break;
		s = new_seg(c, plain[i].kind);
		if (!s)
			return ENOMEM;
		s->offset = off;
		return 0;
	}
	for (i = 0; c->o && i < c->o->nkey; i++) {
		struct tpl_seg *s;

		if (strlen(c->o->key_names[i]) != n || strncmp(c->o->key_names[i], k, n))
			continue;
		if (!(s = new_seg(c, SEG_KEY)))
			return ENOMEM;
		s->num = (int32_t)i;
		return 0;
	}
	for (i = 0; i < c->p->nparams; i++) {
		struct tpl_seg *s;

		if (strlen(c->p->param_names[i]) != n || strncmp(c->p->param_names[i], k, n))
			continue;
		if (!(s = new_seg(c, SEG_PARAM)))
			return ENOMEM;
		s->num = (int32_t)i;
		return 0;
	}
	/* ours, after the <param>s so that a scenario's own [domain] wins */
	if ((n == 8 && !strncmp(k, "password", 8)) || (n == 6 && !strncmp(k, "domain", 6)))
		return new_seg(c, n == 8 ? SEG_PASSWORD : SEG_DOMAIN) ? 0 : ENOMEM;
	if ((err = kw_crypto(c, k, n)) != -1)
		return err;
	return diag_set(c->d, c->p->file, line, "unknown keyword [%.*s]%s", (int)n, k,
			c->o && c->o->nkey ? "" : " (a custom keyword needs -key NAME VALUE)");
}

static int keyword(struct cctx *c, const char *k, size_t n, int line)
{
	if (k[0] == '$') {
		struct tpl_seg *s = new_seg(c, SEG_VAR);
		int v;

		if (!s)
			return ENOMEM;
		v = scn_var_ref(c->p, k + 1, n - 1, line, 0);
		if (v < 0)
			return ENOMEM;
		s->num = v;
		return 0;
	}
	if (n > 5 && !strncmp(k, "field", 5) && isdigit((unsigned char)k[5]))
		return kw_field(c, k, n, line);
	if (n >= 14 && !strncmp(k, "authentication", 14) && (n == 14 || k[14] == ' '))
		return kw_auth(c, k, n);
	if (n > 3 && !strncmp(k, "ua:", 3))
		return kw_ua(c, k, n, line);
	if (n > 5 && !strncmp(k, "last_", 5)) {
		int32_t off;
		size_t nl = split_offset(k, n, &off);

		if (!(nl == 16 && !strncmp(k, "last_Request_URI", 16)) &&
		    !(nl == 16 && !strncmp(k, "last_cseq_number", 16)) &&
		    !(nl == 12 && !strncmp(k, "last_message", 12)))
			return kw_last(c, k, n);
	}
	return kw_plain(c, k, n, line);
}

/* The ']' closing the keyword at s ('['), keywords nested in its
 * arguments included, or NULL. */
static const char *keyword_end(const char *s, size_t n)
{
	size_t i;
	int depth = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '[')
			depth++;
		else if (s[i] == ']' && --depth == 0)
			return s + i;
	}
	return memchr(s, ']', n);  /* unbalanced: the first ']' as before */
}

static int hexval(char h)
{
	return isdigit((unsigned char)h) ? h - '0' : tolower((unsigned char)h) - 'a' + 10;
}

/* SIPp's hex escape at s (a backslash, 'x'): one or two hex digits give
 * a byte ("\x5b" is '['). As SIPp reads it, the character after a single
 * digit is consumed too, and a non-digit after the 'x' is dropped.
 * Returns the bytes consumed (2 to 4); *byte is -1 when none results. */
static size_t hex_escape(const char *s, size_t n, int *byte)
{
	size_t i = 2;

	*byte = -1;
	if (i < n && isxdigit((unsigned char)s[i])) {
		*byte = hexval(s[i++]);
		if (i < n && isxdigit((unsigned char)s[i]))
			*byte = *byte * 16 + hexval(s[i]);
	}
	return i < n ? i + 1 : i;
}

/* Split one normalised line into literal text and keywords. */
static int split_line(struct cctx *c, const char *s, size_t n, int line)
{
	size_t i = 0, lit = 0;
	int err;

	while (i < n) {
		const char *close;

		if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'x') {
			int byte;
			char b;

			if ((err = add_lit(c, s + lit, i - lit)))
				return err;
			i += hex_escape(s + i, n - i, &byte);
			lit = i;
			b = (char)byte;
			if (byte >= 0 && (err = add_lit(c, &b, 1)))
				return err;
			continue;
		}
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '[' || s[i + 1] == ']')) {
			if ((err = add_lit(c, s + lit, i - lit)))
				return err;
			lit = i + 1;  /* keep the bracket, drop the backslash */
			i += 2;
			continue;
		}
		if (s[i] != '[' || i + 1 >= n ||
		    !(isalpha((unsigned char)s[i + 1]) || s[i + 1] == '$' || s[i + 1] == '_') ||
		    !(close = keyword_end(s + i, n - i))) {
			i++;
			continue;
		}
		if ((err = add_lit(c, s + lit, i - lit)))
			return err;
		if ((err = keyword(c, s + i + 1, (size_t)(close - s - i - 1), line)))
			return err;
		i = (size_t)(close - s) + 1;
		lit = i;
	}
	return add_lit(c, s + lit, n - lit);
}

struct line {
	const char *p;
	size_t n;
	int line;
	int nl;         /* a newline followed it in the text */
};

/* Cut text into lines with leading white space (and trailing CR) removed. */
static struct line *cut_lines(const char *text, int line0, unsigned *count)
{
	size_t cap = 16;
	struct line *v = malloc(cap * sizeof(*v));
	const char *p = text;
	unsigned n = 0;
	int ln = line0;

	while (v && *p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (n == cap) {
			struct line *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		while (l && (*p == ' ' || *p == '\t')) {
			p++;
			l--;
		}
		while (l && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		v[n].p = p;
		v[n].n = l;
		v[n].nl = e != NULL;
		v[n++].line = ln++;
		if (!e)
			break;
		p = e + 1;
	}
	*count = n;
	return v;
}

static void first_line(struct tpl *t, const struct line *l)
{
	const char *sp = memchr(l->p, ' ', l->n);

	if (l->n > 8 && !strncmp(l->p, "SIP/2.0 ", 8)) {
		t->status = (int)strtol(l->p + 8, NULL, 10);
		return;
	}
	if (sp && (size_t)(sp - l->p) < sizeof(t->method)) {
		t->is_request = 1;
		memcpy(t->method, l->p, (size_t)(sp - l->p));
		t->method[sp - l->p] = '\0';
	}
}

static int compile_lines(struct cctx *c, struct line *v, unsigned n)
{
	unsigned first = 0, last = n, i;
	int err = 0, in_body = 0;

	while (first < n && !v[first].n)
		first++;
	while (last > first && !v[last - 1].n)
		last--;
	if (first == last)
		return 0;
	first_line(c->t, &v[first]);
	for (i = first; i < last && !err; i++) {
		if (!v[i].n && !in_body) {
			in_body = 1;
			err = add_lit(c, "\r\n", 2);
			continue;
		}
		err = split_line(c, v[i].p, v[i].n, v[i].line);
		/* as SIPp: a body's last line ends with CRLF only when the
		 * text had a newline after it (a body of raw bytes ends where
		 * the CDATA does) */
		if (!err && (!in_body || i + 1 < last || v[i].nl))
			err = add_lit(c, "\r\n", 2);
	}
	if (!err && !in_body)
		err = add_lit(c, "\r\n", 2);
	return err;
}

/* Hand what t owns to the prog (freed by scn_free), whatever happened;
 * publish t only on success. */
static int adopt(struct prog *p, struct tpl *t, int err, struct tpl **tp)
{
	unsigned i;

	for (i = 0; i < t->nsegs; i++)
		if (t->segs[i].kind == SEG_LIT && !scn_keep(p, (void *)t->segs[i].str))
			err = ENOMEM;
	if (!scn_keep(p, t->segs) && t->nsegs)
		err = ENOMEM;
	if (!scn_keep(p, t))
		return ENOMEM;
	if (!err)
		*tp = t;
	return err;
}

int scn_tpl_compile(struct prog *p, struct tpl **tp, const char *text,
		    int line, int add_vars, struct diag *d)
{
	struct tpl *t = calloc(1, sizeof(*t));
	struct cctx c = {p, t, 0, line, d, p->opts};
	struct line *v;
	unsigned n;
	int err;

	(void)add_vars;
	if (!t)
		return ENOMEM;
	t->line = line;
	v = cut_lines(text, line, &n);
	err = v ? compile_lines(&c, v, n) : ENOMEM;
	free(v);
	return adopt(p, t, err, tp);
}

/* An action's text (log message, assignstr value): keywords, no message
 * normalisation. */
int scn_text_compile(struct prog *p, struct tpl **tp, const char *text, int line,
		     struct diag *d)
{
	struct tpl *t = calloc(1, sizeof(*t));
	struct cctx c = {p, t, 0, line, d, p->opts};

	if (!t)
		return ENOMEM;
	t->line = line;
	return adopt(p, t, split_line(&c, text, strlen(text), line), tp);
}
