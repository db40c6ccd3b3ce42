/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_msg: message parsing and raw header lookup (compact forms, folding,
 * several occurrences), response building, the top Via's received/rport
 * (stamping and reading back), and histogram accuracy and repartitions. */
#include "config.h"
#include <check.h>
#include "tests/unit/runner.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "sip/msg.h"
#include "sip/via.h"
#include "stats/stats.h"
#include "transport/tp_int.h"

static const char invite[] =
	"INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
	"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-2\r\n"
	"From: alice <sip:alice@127.0.0.1>;tag=abc\r\n"
	"To: bob <sip:bob@127.0.0.1>\r\n"
	"i: 42-1@127.0.0.1\r\n"
	"CSeq: 7 INVITE\r\n"
	"Subject: a folded\r\n"
	"  header value\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

/* a field equals a whole string: its length too, not only a prefix */
#define ck_assert_pl_eq(pl, str)                                                   \
	ck_assert_msg((pl).len == strlen(str) && !memcmp((pl).p, (str), (pl).len), \
		      "%s is '%.*s', not '%s'", #pl, (int)(pl).len, (pl).p ? (pl).p : "", (str))

START_TEST(parse_fields)
{
	struct msg *m = NULL;

	ck_assert_int_eq(msg_parse(&m, invite, strlen(invite)), 0);
	ck_assert_int_eq(m->is_request, 1);
	ck_assert_str_eq(m->method, "INVITE");
	ck_assert_str_eq(m->cseq_method, "INVITE");
	ck_assert_uint_eq(m->cseq, 7);
	ck_assert_pl_eq(m->call_id, "42-1@127.0.0.1");
	ck_assert_pl_eq(m->from_tag, "abc");
	ck_assert_int_eq((int)m->to_tag.len, 0);
	ck_assert_pl_eq(m->branch, "z9hG4bK-1");
	ck_assert_pl_eq(m->ruri, "sip:bob@127.0.0.1:5070");
	ck_assert_str_eq(m->raw + m->body_off, "v=0\n");
	msg_free(m);
}
END_TEST

START_TEST(header_lookup)
{
	struct msg *m = NULL;
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(msg_parse(&m, invite, strlen(invite)), 0);
	ck_assert_int_eq(msg_hdr_append(m, "Via", 3, 0, &b), 2);
	ck_assert_str_eq(b.data, "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-2");
	buf_reset(&b);
	ck_assert_int_eq(msg_hdr_append(m, "call-id", 7, 1, &b), 1);
	ck_assert_str_eq(b.data, "42-1@127.0.0.1");
	buf_reset(&b);
	ck_assert_int_eq(msg_hdr_append(m, "Subject", 7, 1, &b), 1);
	ck_assert_str_eq(b.data, "a folded\r\n  header value");
	/* the body's "v=0" is not a Via header */
	buf_reset(&b);
	ck_assert_int_eq(msg_hdr_append(m, "Route", 5, 0, &b), 0);
	buf_free(&b);
	msg_free(m);
}
END_TEST

START_TEST(malformed)
{
	static const char *bad[] = {
		"garbage\r\n\r\n",
		"INVITE sip:x SIP/2.0\r\n\r\n",                     /* no headers */
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n",     /* no Call-ID */
		"",
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct msg *m = NULL;

		ck_assert_int_ne(msg_parse(&m, bad[i], strlen(bad[i])), 0);
		ck_assert_ptr_null(m);
	}
}
END_TEST

/* What libosip2 lets through and RFC 3261 does not, refused by both
 * ways in (RFC 4475 3.1.2.x, RFC 5118 4.2). Each message is plain
 * otherwise, so the scanner sees it first. */
#define HDRS(cseq) "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\n" \
	"To: <sip:b@h>\r\nCall-ID: c1\r\nCSeq: " cseq "\r\n"

START_TEST(refused_by_both_ways)
{
	static const struct {
		const char *m;
		int err;
	} cases[] = {
		/* bigcode: libosip2 read this code as 5 */
		{"SIP/2.0 4294967301 better not break the receiver\r\n" HDRS("1 INVITE") "\r\n", EBADMSG},
		{"SIP/2.0 700 Too Big\r\n" HDRS("1 INVITE") "\r\n", EBADMSG},
		/* scalar02: a CSeq past 2**32-1 */
		{"OPTIONS sip:b@h SIP/2.0\r\n" HDRS("36893488147419103232 OPTIONS") "\r\n", EBADMSG},
		/* ncl: a negative Content-Length */
		{"OPTIONS sip:b@h SIP/2.0\r\n" HDRS("1 OPTIONS") "Content-Length: -999\r\n\r\n", EBADMSG},
		/* badvers: another version, for a 505 */
		{"OPTIONS sip:b@h SIP/7.0\r\n" HDRS("1 OPTIONS") "\r\n", EPROTONOSUPPORT},
		/* mismatch01: the CSeq method is not the request's */
		{"OPTIONS sip:b@h SIP/2.0\r\n" HDRS("1 INVITE") "\r\n", EBADMSG},
		/* ipv6-bad: an IPv6 host without brackets */
		{"REGISTER sip:2001:db8::10 SIP/2.0\r\n" HDRS("1 REGISTER") "\r\n", EBADMSG},
		/* badinv01: empty Via parameters, which the scanner once read past */
		{"INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"
		 "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c1\r\nCSeq: 8 INVITE\r\n\r\n",
		 EBADMSG},
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg *a = NULL, *b = NULL;
		size_t len = strlen(cases[i].m);

		ck_assert_msg(msg_parse(&a, cases[i].m, len) == cases[i].err, "fast, case %u", i);
		ck_assert_msg(msg_parse_strict(&b, cases[i].m, len) == cases[i].err, "strict, case %u", i);
		ck_assert_ptr_null(a);
		ck_assert_ptr_null(b);
	}
}
END_TEST

/* mpart01: a body may hold NUL bytes (a binary MIME part); a header may
 * not (libosip2 reads C strings). */
START_TEST(nul_in_body_not_in_headers)
{
	static const char ok[] = "MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE")
		"Content-Length: 4\r\n\r\na\0b\0";
	static const char bad[] = "MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE")
		"Subject: a\0b\r\nContent-Length: 0\r\n\r\n";
	struct msg *m = NULL;

	ck_assert_int_eq(msg_parse(&m, ok, sizeof(ok) - 1), 0);
	ck_assert_uint_eq(m->len - m->body_off, 4);
	msg_free(m);
	m = NULL;
	ck_assert_int_eq(msg_parse_strict(&m, ok, sizeof(ok) - 1), 0);
	msg_free(m);
	m = NULL;
	ck_assert_int_eq(msg_parse(&m, bad, sizeof(bad) - 1), EBADMSG);
	ck_assert_int_eq(msg_parse_strict(&m, bad, sizeof(bad) - 1), EBADMSG);
}
END_TEST

/* The scanner finds the end of the headers and NULs in them in its own
 * walk; where it stops short (folding, LF line ends, no empty line),
 * parse looks for them itself. Each way in gives the same verdict, and
 * the same hdr_end and body_off when the message is taken. */
START_TEST(nul_found_by_scanner_and_fallback)
{
	static const struct {
		const char *m;
		size_t len;
		int err;
		size_t body;
	} cases[] = {
#define C(s, e) {s, sizeof(s) - 1, e, 0}
#define B(s, n) {s, sizeof(s) - 1, 0, n}
		/* in the start line, in a header the scanner reads, in the last
		 * header line before the empty line */
		C("MESSAGE sip:b\0@h SIP/2.0\r\n" HDRS("1 MESSAGE") "\r\n", EBADMSG),
		C("MESSAGE sip:b@h SIP/2.0\r\nCall-ID: c\0d\r\n" HDRS("1 MESSAGE") "\r\n", EBADMSG),
		C("MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE") "X: \0\r\n\r\n", EBADMSG),
		/* after folding (the scanner gives up first), with LF line ends,
		 * with no empty line at all */
		C("MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE") "X: a\r\n b\r\nY: \0\r\n\r\n",
		  EBADMSG),
		C("MESSAGE sip:b@h SIP/2.0\nCall-ID: c1\nY: \0\n\n", EBADMSG),
		C("MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE") "Y: \0", EBADMSG),
		/* in the body only: taken, whichever way reads it */
		B("MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE") "Content-Length: 3\r\n\r\n\r\n\0",
		  3),
		B("MESSAGE sip:b@h SIP/2.0\r\n" HDRS("1 MESSAGE") "X: a\r\n b\r\n"
		  "Content-Length: 2\r\n\r\n\0\0", 2),
#undef C
#undef B
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg *a = NULL, *b = NULL;

		ck_assert_msg(msg_parse(&a, cases[i].m, cases[i].len) == cases[i].err,
			      "fast, case %u", i);
		ck_assert_msg(msg_parse_strict(&b, cases[i].m, cases[i].len) == cases[i].err,
			      "strict, case %u", i);
		if (!cases[i].err) {
			ck_assert_uint_eq(a->hdr_end, b->hdr_end);
			ck_assert_uint_eq(a->body_off, b->body_off);
			ck_assert_uint_eq(a->len - a->body_off, cases[i].body);
		}
		msg_free(a);
		msg_free(b);
	}
}
END_TEST

/* insuf: a request we cannot parse is answered from its own lines,
 * whichever of Via, From, To, Call-ID, CSeq it has; a response never. */
START_TEST(reject_from_raw_lines)
{
	static const char insuf[] = "INVITE sip:user@example.com SIP/2.0\r\n"
		"CSeq: 193942 INVITE\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n"
		"Content-Type: application/sdp\r\nl: 0\r\n\r\n";
	static const char to[] = "OPTIONS sip:b@h SIP/2.0\r\n" HDRS("1 INVITE") "\r\n";
	static const char resp[] = "SIP/2.0 200 OK\r\n" HDRS("1 INVITE") "\r\n";
	struct buf out;

	buf_init(&out, 1 << 16);
	ck_assert_int_eq(msg_build_reject(insuf, sizeof(insuf) - 1, 400, "Bad Request", "t1",
					  NULL, &out), 0);
	ck_assert_str_eq(out.data, "SIP/2.0 400 Bad Request\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n"
			 "CSeq: 193942 INVITE\r\nContent-Length: 0\r\n\r\n");
	buf_reset(&out);
	ck_assert_int_eq(msg_build_reject(to, sizeof(to) - 1, 505, "Version Not Supported", "t1",
					  NULL, &out), 0);
	/* RFC 3261 8.2.6.2: Via, From, Call-ID, CSeq copied; To gets our tag */
	ck_assert_str_eq(out.data, "SIP/2.0 505 Version Not Supported\r\n"
			 "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\n"
			 "To: <sip:b@h>;tag=t1\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n");
	buf_reset(&out);
	ck_assert_int_eq(msg_build_reject(resp, sizeof(resp) - 1, 400, "Bad Request", "t1",
					  NULL, &out), EBADMSG);
	buf_free(&out);
}
END_TEST

/* Every torture message takes the right way and gets the verdict the
 * manifest records: the scanner and libosip2 agree on accepting it (and
 * on its fields), and "unparsable", "request", "response" match. */
static void same_fields(const struct msg *a, const struct msg *b, const char *name);

START_TEST(torture_messages_agree_with_manifest)
{
	const char *src = getenv("SRCDIR");
	char path[4096], line[2048];
	FILE *mf;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/tests/torture/manifest.tsv", src ? src : ".");
	mf = fopen(path, "r");
	ck_assert_msg(mf != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), mf)) {
		char *name = strtok(line, "\t"), *kind;
		static char data[70000];
		struct msg *a = NULL, *b = NULL;
		size_t len;
		FILE *f;
		int ea, eb, i;

		if (!name || *name == '#' || *name == '\n')
			continue;
		for (i = 0, kind = NULL; i < 4; i++)
			kind = strtok(NULL, "\t");
		ck_assert_ptr_nonnull(kind);
		snprintf(path, sizeof(path), "%s/tests/torture/%s.sip", src ? src : ".", name);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "cannot open %s", path);
		len = fread(data, 1, sizeof(data), f);
		fclose(f);
		ea = msg_parse(&a, data, len);
		eb = msg_parse_strict(&b, data, len);
		ck_assert_msg(ea == eb, "%s: fast %d, strict %d", name, ea, eb);
		if (!strcmp(kind, "unparsable")) {
			ck_assert_msg(ea != 0, "%s: parsed, the manifest says unparsable", name);
		} else {
			ck_assert_msg(ea == 0, "%s: error %d, the manifest says %s", name, ea, kind);
			ck_assert_msg(a->is_request == !strcmp(kind, "request"), "%s: kind", name);
			same_fields(a, b, name);
		}
		msg_free(a);
		msg_free(b);
		n++;
	}
	fclose(mf);
	ck_assert_uint_eq(n, 61);  /* 49 of RFC 4475, 12 of RFC 5118 */
}
END_TEST

/* The scanner (msg_parse) and libosip2 (msg_parse_strict) agree on
 * every field, for messages the scanner reads and for ones it hands on. */
static void same_pl(const struct msg_pl *a, const struct msg_pl *b, const char *what)
{
	ck_assert_msg(a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len)),
		      "%s: '%.*s' vs '%.*s'", what, (int)a->len, a->p ? a->p : "",
		      (int)b->len, b->p ? b->p : "");
}

static void same_fields(const struct msg *a, const struct msg *b, const char *name)
{
	ck_assert_msg(a->is_request == b->is_request && a->status == b->status &&
		      !strcmp(a->method, b->method) && !strcmp(a->cseq_method, b->cseq_method) &&
		      a->cseq == b->cseq, "%s: first line or CSeq", name);
	same_pl(&a->call_id, &b->call_id, "call_id");
	same_pl(&a->to_tag, &b->to_tag, "to_tag");
	same_pl(&a->from_tag, &b->from_tag, "from_tag");
	same_pl(&a->branch, &b->branch, "branch");
	same_pl(&a->ruri, &b->ruri, "ruri");
	same_pl(&a->ruri_user, &b->ruri_user, "ruri_user");
	same_pl(&a->from_user, &b->from_user, "from_user");
	ck_assert_uint_eq(a->hdr_end, b->hdr_end);
	ck_assert_uint_eq(a->body_off, b->body_off);
}

START_TEST(scanner_agrees_with_libosip2)
{
	static const char *msgs[] = {
		/* a SIPp-style INVITE with SDP */
		"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1-1-0\r\n"
		"From: sipp <sip:sipp@127.0.0.1:5061>;tag=1SIPpTag001\r\n"
		"To: service <sip:service@127.0.0.1:5060>\r\n"
		"Call-ID: 1-1@127.0.0.1\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: sip:sipp@127.0.0.1:5061\r\n"
		"Max-Forwards: 70\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: 4\r\n\r\nv=0\n",
		/* a response with two Vias in one header, addr-spec To with tag */
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;rport, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n"
		"From: <sip:a@h>;tag=x1\r\n"
		"To: sip:b@h;tag=y2\r\n"
		"Call-ID: abc\r\n"
		"CSeq: 12 INVITE\r\n"
		"Content-Length: 0\r\n\r\n",
		/* compact forms, no user in the Request-URI, no Content-Length */
		"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
		"v: SIP/2.0/UDP h:5060;branch=z9hG4bK.9\r\n"
		"f: a <sips:alice@example.com>;tag=t\r\n"
		"t: <sip:bob@h>\r\n"
		"i: q@w\r\n"
		"CSeq: 2 OPTIONS\r\n\r\n",
		/* handed on: a quoted display name, an escaped user, folding */
		"BYE sip:b%40x@h SIP/2.0\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bKq\r\n"
		"From: \"A <b>; c\" <sip:a@h>;tag=1\r\n"
		"To: <sip:b@h>;tag=2\r\n"
		"Call-ID: c1\r\n"
		"CSeq: 3\r\n BYE\r\n\r\n",
		/* handed on: LF-only line ends */
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bKq\n"
		"From: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: c1\nCSeq: 3 BYE\n\n",
	};
	unsigned i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct msg *a = NULL, *b = NULL;
		size_t len = strlen(msgs[i]);

		ck_assert_int_eq(msg_parse(&a, msgs[i], len), 0);
		ck_assert_msg(msg_parse_strict(&b, msgs[i], len) == 0, "message %u", i);
		ck_assert_int_eq(a->is_request, b->is_request);
		ck_assert_int_eq(a->status, b->status);
		ck_assert_str_eq(a->method, b->method);
		ck_assert_str_eq(a->cseq_method, b->cseq_method);
		ck_assert_uint_eq(a->cseq, b->cseq);
		same_pl(&a->call_id, &b->call_id, "call_id");
		same_pl(&a->to_tag, &b->to_tag, "to_tag");
		same_pl(&a->from_tag, &b->from_tag, "from_tag");
		same_pl(&a->branch, &b->branch, "branch");
		same_pl(&a->ruri, &b->ruri, "ruri");
		same_pl(&a->ruri_user, &b->ruri_user, "ruri_user");
		same_pl(&a->from_user, &b->from_user, "from_user");
		ck_assert_uint_eq(a->hdr_end, b->hdr_end);
		ck_assert_uint_eq(a->body_off, b->body_off);
		ck_assert(a->hash == b->hash);
		/* the first three take the fast path: no copies of their own */
		ck_assert(i >= 3 ? b->strs != NULL : a->strs == NULL);
		msg_free(a);
		msg_free(b);
	}
}
END_TEST

START_TEST(scanner_hands_on_what_libosip2_refuses)
{
	/* Content-Length longer than the body: the scanner does not accept
	 * it, whatever libosip2 then says */
	static const char m1[] =
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n"
		"From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c1\r\n"
		"CSeq: 3 BYE\r\nContent-Length: 40\r\n\r\nv=0\r\n";
	static const char m2[] =   /* two Call-IDs */
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n"
		"From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c1\r\n"
		"i: c2\r\nCSeq: 3 BYE\r\n\r\n";
	struct msg *a = NULL, *b = NULL;
	int ra = msg_parse(&a, m1, strlen(m1)), rb = msg_parse_strict(&b, m1, strlen(m1));

	ck_assert_int_eq(ra, rb);
	ck_assert(!a || a->strs != NULL);
	msg_free(a);
	msg_free(b);
	a = b = NULL;
	ra = msg_parse(&a, m2, strlen(m2));
	rb = msg_parse_strict(&b, m2, strlen(m2));
	ck_assert_int_eq(ra, rb);
	ck_assert(!a || a->strs != NULL);
	msg_free(a);
	msg_free(b);
}
END_TEST

/* The tag of our own rendered messages (dispatch tells parties sharing a
 * Call-ID apart by it): long and compact names, the tag anywhere in the
 * parameters, a buffer that ends without a NUL, no tag, no such header. */
START_TEST(raw_tag)
{
	static const char req[] =
		"INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1;tag=no\r\n"
		"f: <sip:a@x>;x=1;TAG=a-17\r\nTo: <sip:b@x>\r\nCall-ID: c\r\n\r\n"
		"From: <sip:body@x>;tag=body\r\n";
	static const char resp[] =
		"SIP/2.0 200 OK\r\nFrom: \"A\" <sip:a@x>;tag=a-17\r\n"
		"To   : <sip:b@x>;tag=b-9>junk";
	struct msg_pl t;

	ck_assert_int_eq(msg_raw_tag(req, sizeof(req) - 1, 1, &t), 0);
	ck_assert_int_eq((int)t.len, 4);
	ck_assert(memcmp(t.p, "a-17", 4) == 0);
	/* the To of the request has no tag; the body's From is not a header */
	ck_assert_int_eq(msg_raw_tag(req, sizeof(req) - 1, 0, &t), -1);
	ck_assert_int_eq(msg_raw_tag(resp, sizeof(resp) - 1, 0, &t), 0);
	ck_assert_int_eq((int)t.len, 3);
	ck_assert(memcmp(t.p, "b-9", 3) == 0);
	/* cut inside the tag: bounded by the buffer, not by a NUL */
	ck_assert_int_eq(msg_raw_tag(resp, (size_t)(strstr(resp, "b-9") - resp) + 2, 0, &t), 0);
	ck_assert_int_eq((int)t.len, 2);
	ck_assert_int_eq(msg_raw_tag("SIP/2.0 100 Trying\r\n\r\n", 22, 1, &t), -1);
}
END_TEST

START_TEST(build_response)
{
	struct msg *m = NULL, *r = NULL;
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(msg_parse(&m, invite, strlen(invite)), 0);
	ck_assert_int_eq(msg_build_response(m, 486, "Busy Here", "xyz", &b), 0);
	ck_assert_int_eq(msg_parse(&r, b.data, b.len), 0);
	ck_assert_int_eq(r->status, 486);
	ck_assert_pl_eq(r->to_tag, "xyz");
	ck_assert_pl_eq(r->call_id, "42-1@127.0.0.1");
	ck_assert_pl_eq(r->from_tag, "abc");
	ck_assert_pl_eq(r->branch, "z9hG4bK-1");
	ck_assert_uint_eq(r->cseq, 7);
	msg_free(r);
	msg_free(m);
	buf_free(&b);
}
END_TEST

/* Stamp req as if it came from ip:port; returns the stamped text or NULL
 * when nothing was to be added (static buffer). */
static const char *stamp(const char *req, const char *ip, unsigned port)
{
	static char out[2048];
	struct tp_addr src;
	struct buf b;
	char spec[80];
	int stamped = -1;

	snprintf(spec, sizeof(spec), strchr(ip, ':') ? "[%s]:%u" : "%s:%u", ip, port);
	ck_assert_int_eq(tp_addr_parse(&src, spec, 0, NULL), 0);
	buf_init(&b, 4096);
	ck_assert_int_eq(msg_via_stamp(req, strlen(req), &src, &b, &stamped), 0);
	ck_assert(stamped == 0 || stamped == 1);
	if (stamped)
		snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data);
	buf_free(&b);
	return stamped ? out : NULL;
}

#define REQ(via) "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n" via "\r\nCall-ID: 1\r\n\r\n"

START_TEST(via_stamp)
{
	/* RFC 3581 4: rport gets the source port, received the address */
	ck_assert_str_eq(stamp(REQ("Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK-1"),
			       "192.0.2.7", 9988),
			 REQ("Via: SIP/2.0/UDP 10.0.0.1:5060;rport=9988;received=192.0.2.7;branch=z9hG4bK-1"));
	/* ... even when sent-by is right; rport last, compact form, a second via-parm */
	ck_assert_str_eq(stamp(REQ("v: SIP/2.0/UDP 127.0.0.1:5061;branch=b;rport , SIP/2.0/UDP h"),
			       "127.0.0.1", 5061),
			 REQ("v: SIP/2.0/UDP 127.0.0.1:5061;branch=b;rport=5061;received=127.0.0.1 , SIP/2.0/UDP h"));
	/* RFC 3261 18.2.1: no rport, another host: received only */
	ck_assert_str_eq(stamp(REQ("Via: SIP/2.0/UDP pc.example;branch=b"), "127.0.0.1", 5060),
			 REQ("Via: SIP/2.0/UDP pc.example;branch=b;received=127.0.0.1"));
	/* IPv6: sent-by in brackets compares equal, received= has none */
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP [::1]:5060;branch=b"), "::1", 7000));
	ck_assert_str_eq(stamp(REQ("Via: SIP/2.0/UDP [::1]:5060;rport;branch=b"), "::1", 7000),
			 REQ("Via: SIP/2.0/UDP [::1]:5060;rport=7000;received=::1;branch=b"));
	/* nothing to do: the right host without rport, rport already filled,
	 * a received already there, a response */
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=b"), "127.0.0.1", 1));
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP 127.0.0.1;rport=1;branch=b"), "127.0.0.1", 1));
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP 10.0.0.1;received=127.0.0.1"), "127.0.0.1", 1));
	ck_assert_ptr_null(stamp("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;rport\r\n\r\n",
				 "127.0.0.1", 1));
	/* a Via that does not parse is left alone */
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP [::1;rport"), "127.0.0.1", 1));
	/* no "rport" inside another parameter's name */
	ck_assert_ptr_null(stamp(REQ("Via: SIP/2.0/UDP 127.0.0.1;xrport;branch=b"), "127.0.0.1", 1));
}
END_TEST

static int learned(const char *via, char *ip, size_t n)
{
	char resp[512];
	struct msg *m = NULL;
	struct tp_addr a;
	int err;

	snprintf(resp, sizeof(resp), "SIP/2.0 200 OK\r\n%s\r\nFrom: <sip:a@h>;tag=1\r\n"
		 "To: <sip:b@h>\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		 via);
	ck_assert_int_eq(msg_parse(&m, resp, strlen(resp)), 0);
	err = msg_via_public(m, &a);
	msg_free(m);
	if (err)
		return -1;
	tp_addr_ip(&a, ip, n);
	return (int)tp_addr_port(&a);
}

START_TEST(via_public)
{
	char ip[64];

	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1:5060;rport=9988;received=192.0.2.7;"
				 "branch=z9hG4bK-1", ip, sizeof(ip)), 9988);
	ck_assert_str_eq(ip, "192.0.2.7");
	/* rport alone: the host is sent-by's */
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=b;rport=7", ip,
				 sizeof(ip)), 7);
	ck_assert_str_eq(ip, "10.0.0.1");
	/* received alone: sent-by's port, or 5060 */
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1;received=::1;branch=b", ip,
				 sizeof(ip)), 5060);
	ck_assert_str_eq(ip, "::1");
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP [::1]:5062;received=[::1];rport=9;branch=b", ip,
				 sizeof(ip)), 9);
	ck_assert_str_eq(ip, "::1");
	/* neither, or an rport without a value */
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=b", ip, sizeof(ip)), -1);
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=b", ip, sizeof(ip)), -1);
	ck_assert_int_eq(learned("Via: SIP/2.0/UDP 10.0.0.1;received=nohost", ip, sizeof(ip)), -1);
}
END_TEST

START_TEST(hist_error_bound)
{
	struct hist h = {0};
	uint64_t v;

	/* values 1..100000 us: each quantile within 1% of the exact one */
	for (v = 1; v <= 100000; v++)
		ck_assert_int_eq(hist_add(&h, v), 0);
	ck_assert_uint_eq(h.count, 100000);
	ck_assert_uint_eq(h.max, 100000);
	ck_assert(llabs((long long)hist_quantile(&h, 0.5) - 50000) <= 500);
	ck_assert(llabs((long long)hist_quantile(&h, 0.99) - 99000) <= 990);
	hist_free(&h);
}
END_TEST

START_TEST(hist_merge_lossless)
{
	struct hist a = {0}, b = {0}, all = {0};
	uint64_t v;

	for (v = 1; v < 50000; v += 7) {
		hist_add(v % 2 ? &a : &b, v);
		hist_add(&all, v);
	}
	ck_assert_int_eq(hist_merge(&a, &b), 0);
	ck_assert_uint_eq(a.count, all.count);
	ck_assert_uint_eq(a.sum, all.sum);
	ck_assert_uint_eq(hist_quantile(&a, 0.999), hist_quantile(&all, 0.999));
	ck_assert(memcmp(a.bucket, all.bucket, HIST_BUCKETS * sizeof(*a.bucket)) == 0);
	hist_free(&a);
	hist_free(&b);
	hist_free(&all);
}
END_TEST

/* SIPp's repartition: bounds in ms, sorted; a value counts under the
 * first bound above it, at the bound it counts in the next column. And
 * the sum of squares for the standard deviation. */
START_TEST(hist_repartition)
{
	static const int ms[] = {50, 10, 20};
	static const uint64_t v[] = {0, 9999, 10000, 19999, 20000, 49999, 50000, 10000000};
	static const uint64_t want[] = {2, 2, 2, 2};
	struct hist h = {0};
	unsigned i;

	ck_assert_int_eq(hist_set_rep(&h, ms, 3), 0);
	ck_assert_uint_eq(h.rep->bound[0], 10000);
	ck_assert_uint_eq(h.rep->bound[2], 50000);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_int_eq(hist_add(&h, v[i]), 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(h.rep->n[i], want[i]);
	ck_assert(h.sumsq == 9999.0 * 9999 + 1e8 + 19999.0 * 19999 + 4e8 + 49999.0 * 49999 +
		  25e8 + 1e14);
	hist_free(&h);
	ck_assert_ptr_null(h.rep);
}
END_TEST

/* A string literal and its length: a hand-counted length overran some of
 * these literals by up to 3 bytes (ASan: global-buffer-overflow). */
#define LIT(s) (s), sizeof(s) - 1

/* SIP over a stream (RFC 3261 18.3): one message at a time, whatever
 * the reads cut; keep-alive CRLFs skipped; a bad length refused. */
START_TEST(stream_framing)
{
	static const char two[] =
		"\r\n\r\nOPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h\r\nContent-Length: 5\r\n"
		"\r\nhelloBYE sip:a@h SIP/2.0\r\nl: 0\r\n\r\n";
	size_t first = sizeof("OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n"
			       "Content-Length: 5\r\n\r\nhello") - 1;
	size_t skip, n;
	long r;

	/* every cut before the end of the first message: more needed */
	for (n = 0; n < 4 + first; n++) {
		r = tp_frame_sip(two, n, 65535, &skip);
		ck_assert_int_eq(r, 0);
	}
	r = tp_frame_sip(two, sizeof(two) - 1, 65535, &skip);
	ck_assert_uint_eq(skip, 4);
	ck_assert_int_eq(r, (long)first);
	r = tp_frame_sip(two + 4 + first, sizeof(two) - 1 - 4 - first, 65535, &skip);
	ck_assert_uint_eq(skip, 0);
	ck_assert_int_eq(r, (long)(sizeof(two) - 1 - 4 - first));
	/* no Content-Length: no body */
	r = tp_frame_sip(LIT("BYE x SIP/2.0\r\nTo: t\r\n\r\nXYZ"), 65535, &skip);
	ck_assert_int_eq(r, 24);
	/* refused: a length that does not parse, two lengths, too large */
	ck_assert_int_eq(tp_frame_sip(LIT("A\r\nContent-Length: x\r\n\r\n"), 65535, &skip), -1);
	ck_assert_int_eq(tp_frame_sip(LIT("A\r\nl: 1\r\nl: 1\r\n\r\nzz"), 65535, &skip), -1);
	ck_assert_int_eq(tp_frame_sip(LIT("A\r\nl: 99999\r\n\r\n"), 65535, &skip), -1);
	ck_assert_int_eq(tp_frame_sip(LIT("AAAAAAAAAAAA"), 8, &skip), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	if (msg_init())
		return 1;
	tcase_add_test(tc, parse_fields);
	tcase_add_test(tc, header_lookup);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, scanner_agrees_with_libosip2);
	tcase_add_test(tc, refused_by_both_ways);
	tcase_add_test(tc, nul_in_body_not_in_headers);
	tcase_add_test(tc, nul_found_by_scanner_and_fallback);
	tcase_add_test(tc, reject_from_raw_lines);
	tcase_add_test(tc, torture_messages_agree_with_manifest);
	tcase_add_test(tc, scanner_hands_on_what_libosip2_refuses);
	tcase_add_test(tc, build_response);
	tcase_add_test(tc, raw_tag);
	tcase_add_test(tc, via_stamp);
	tcase_add_test(tc, via_public);
	tcase_add_test(tc, hist_error_bound);
	tcase_add_test(tc, hist_merge_lossless);
	tcase_add_test(tc, hist_repartition);
	tcase_add_test(tc, stream_framing);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
