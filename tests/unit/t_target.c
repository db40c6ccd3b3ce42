/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_target: the embedded target without sockets: messages go in through
 * tgt_input and come out through a send_h that records them. Registrar
 * expiry with the clock passed in (tgt_loc_find, tgt_loc_sweep), and
 * forwarding on busy (a 486) and on no answer (the ring timer's handler,
 * called as the loop would call it), by -target_conf and X-Forward-To. */
#include "config.h"
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/runner.h"
#include "target/internal.h"

#define MAXSENT 16

struct sent {
	char buf[MAXSENT][2048];
	unsigned port[MAXSENT];
	unsigned n;
};

struct fx {
	struct loop *l;
	struct tgt_conf c;
	struct target tg;
	struct sent s;
};

static void capture(void *arg, const char *buf, size_t len, const struct tp_addr *to)
{
	struct sent *s = arg;

	ck_assert_uint_lt(s->n, MAXSENT);
	ck_assert_uint_lt(len, sizeof(s->buf[0]));
	memcpy(s->buf[s->n], buf, len);
	s->buf[s->n][len] = '\0';
	s->port[s->n++] = tp_addr_port(to);
}

static struct fx *fx_new(const char *conf)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[] = "/tmp/t_target.XXXXXX";
	struct diag d = {0};
	int fd = mkstemp(path);

	ck_assert(f && fd >= 0);
	ck_assert_int_eq(write(fd, conf, strlen(conf)), (int)strlen(conf));
	close(fd);
	ck_assert_msg(!tgt_conf_load(&f->c, path, &d), "%s", d.msg);
	unlink(path);
	ck_assert_int_eq(loop_alloc(&f->l), 0);
	ck_assert_int_eq(tgt_init(&f->tg, f->l, &f->c), 0);
	snprintf(f->tg.ip, sizeof(f->tg.ip), "127.0.0.1");
	f->tg.port = 5070;
	f->tg.send_h = capture;
	f->tg.send_arg = &f->s;
	return f;
}

static void fx_free(struct fx *f)
{
	tgt_fini(&f->tg);
	loop_free(f->l);
	tgt_conf_free(&f->c);
	free(f);
}

static void input(struct fx *f, unsigned from_port, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A message from 127.0.0.1:from_port. */
static void input(struct fx *f, unsigned from_port, const char *fmt, ...)
{
	char buf[2048], hp[32];
	struct tp_addr from;
	struct diag d = {0};
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(buf));
	snprintf(hp, sizeof(hp), "127.0.0.1:%u", from_port);
	ck_assert_int_eq(tp_addr_parse(&from, hp, 5060, &d), 0);
	tgt_input(&f->tg, buf, (size_t)n, &from);
}

/* user's REGISTER from its own contact 127.0.0.1:port. */
static void reg(struct fx *f, const char *user, unsigned port, int expires)
{
	unsigned before = f->s.n;

	input(f, port, "REGISTER sip:127.0.0.1:5070 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-r%s%d\r\n"
	      "From: <sip:%s@127.0.0.1>;tag=r1\r\nTo: <sip:%s@127.0.0.1>\r\n"
	      "Call-ID: reg-%s-%d\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:%s@127.0.0.1:%u>\r\nExpires: %d\r\nContent-Length: 0\r\n\r\n",
	      port, user, expires, user, user, user, expires, user, port, expires);
	ck_assert_uint_eq(f->s.n, before + 1);
	ck_assert_msg(!strncmp(f->s.buf[before], "SIP/2.0 200 ", 12), "%s", f->s.buf[before]);
}

/* A new INVITE from alice (port 5060) to user, with extra header lines. */
static void invite(struct fx *f, const char *user, const char *extra)
{
	input(f, 5060, "INVITE sip:%s@127.0.0.1:5070 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-c1\r\n"
	      "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:%s@127.0.0.1>\r\n"
	      "Call-ID: call-1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:5060>\r\n"
	      "Max-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n", user, user, extra);
}

/* The branch of the top Via of sent message i. */
static void top_branch(const struct fx *f, unsigned i, char *out, size_t n)
{
	const char *b = strstr(f->s.buf[i], ";branch=");

	ck_assert_ptr_nonnull(b);
	b += 8;
	snprintf(out, n, "%.*s", (int)strcspn(b, "\r\n;,"), b);
}

/* The callee's answer code on the branch of sent message i, from port. */
static void answer(struct fx *f, unsigned i, unsigned port, int code, const char *reason)
{
	char br[64];

	top_branch(f, i, br, sizeof(br));
	input(f, port, "SIP/2.0 %d %s\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=%s\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-c1\r\n"
	      "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:x@127.0.0.1>;tag=b%u\r\n"
	      "Call-ID: call-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	      code, reason, br, port);
}

static int starts(const struct fx *f, unsigned i, const char *prefix, unsigned port)
{
	return i < f->s.n && !strncmp(f->s.buf[i], prefix, strlen(prefix)) && f->s.port[i] == port;
}

static struct ptx *only_txn(struct fx *f)
{
	ck_assert(!lst_empty(&f->tg.txns));
	return LST_ENTRY(f->tg.txns.next, struct ptx, le);
}

/* ---- registrar ------------------------------------------------------------------ */

START_TEST(binding_expires_on_the_clock)
{
	struct fx *f = fx_new("no-auth\n");
	uint64_t now = loop_now_ms(f->l);

	reg(f, "bob", 5071, 60);
	ck_assert_ptr_nonnull(strstr(f->s.buf[0], "Contact: <sip:bob@127.0.0.1:5071>;expires=60"));
	ck_assert_ptr_nonnull(tgt_loc_find(&f->tg, "bob", 3, now));
	ck_assert_ptr_nonnull(tgt_loc_find(&f->tg, "bob", 3, now + 59999));
	ck_assert_ptr_null(tgt_loc_find(&f->tg, "bob", 3, now + 60000));
	ck_assert_ptr_null(tgt_loc_find(&f->tg, "bobby", 5, now));
	/* the sweep frees it only once expired */
	ck_assert_uint_eq(tgt_loc_sweep(&f->tg, now + 59999), 0);
	ck_assert_uint_eq(f->tg.by_user.count, 1);
	ck_assert_uint_eq(tgt_loc_sweep(&f->tg, now + 60000), 1);
	ck_assert_uint_eq(f->tg.by_user.count, 0);
	ck_assert_uint_eq(f->tg.n.expired, 1);
	fx_free(f);
}
END_TEST

START_TEST(expires_zero_removes_and_rebinding_reuses)
{
	struct fx *f = fx_new("no-auth\n");
	uint64_t now = loop_now_ms(f->l);

	reg(f, "bob", 5071, 3600);
	reg(f, "bob", 5071, 0);
	ck_assert_ptr_null(tgt_loc_find(&f->tg, "bob", 3, now));
	ck_assert_uint_eq(f->tg.by_user.count, 1);   /* until the sweep */
	reg(f, "bob", 5073, 30);                      /* reused in place */
	ck_assert_uint_eq(f->tg.by_user.count, 1);
	ck_assert_str_eq(tgt_loc_find(&f->tg, "bob", 3, now)->contact, "sip:bob@127.0.0.1:5073");
	ck_assert_ptr_null(tgt_loc_find(&f->tg, "bob", 3, now + 30000));
	fx_free(f);
}
END_TEST

START_TEST(static_binding_never_expires)
{
	struct fx *f = fx_new("no-auth\n");
	struct diag d = {0};

	ck_assert_int_eq(tgt_loc_add_static(&f->tg, "carol", "sip:carol@127.0.0.1:5072", &d), 0);
	ck_assert_uint_eq(tgt_loc_sweep(&f->tg, UINT64_MAX - 1), 0);
	ck_assert_ptr_nonnull(tgt_loc_find(&f->tg, "carol", 5, UINT64_MAX - 1));
	fx_free(f);
}
END_TEST

START_TEST(register_is_challenged_without_credentials)
{
	struct fx *f = fx_new("");

	input(f, 5071, "REGISTER sip:127.0.0.1:5070 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-r1\r\n"
	      "From: <sip:bob@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\n"
	      "Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:bob@127.0.0.1:5071>\r\nContent-Length: 0\r\n\r\n");
	ck_assert(starts(f, 0, "SIP/2.0 401 ", 5071));
	ck_assert_ptr_nonnull(strstr(f->s.buf[0], "WWW-Authenticate: Digest realm=\"sipbench\""));
	ck_assert_uint_eq(f->tg.by_user.count, 0);
	fx_free(f);
}
END_TEST

/* ---- forwarding on busy ---------------------------------------------------------- */

/* alice calls bob (5071); carol is at 5072. Sent so far: 100, INVITE. */
static struct fx *call_bob(const char *conf, const char *extra)
{
	struct fx *f = fx_new(conf);

	reg(f, "bob", 5071, 3600);
	reg(f, "carol", 5072, 3600);
	f->s.n = 0;
	invite(f, "bob", extra);
	ck_assert(starts(f, 0, "SIP/2.0 100 ", 5060));
	ck_assert(starts(f, 1, "INVITE sip:bob@127.0.0.1:5071 ", 5071));
	ck_assert_uint_eq(f->s.n, 2);
	return f;
}

START_TEST(busy_forwards_by_conf)
{
	struct fx *f = call_bob("no-auth\nforward-busy bob carol\n", "");
	char b1[64], b2[64];

	answer(f, 1, 5071, 486, "Busy Here");
	ck_assert(starts(f, 2, "ACK sip:bob@127.0.0.1:5071 ", 5071));
	ck_assert(starts(f, 3, "INVITE sip:carol@127.0.0.1:5072 ", 5072));
	ck_assert_uint_eq(f->s.n, 4);          /* no 486 upstream */
	top_branch(f, 1, b1, sizeof(b1));
	top_branch(f, 3, b2, sizeof(b2));
	ck_assert_str_ne(b1, b2);              /* a new client branch */
	ck_assert_uint_eq(f->tg.n.forwarded_calls, 1);
	/* carol answers: relayed, counted */
	answer(f, 3, 5072, 200, "OK");
	ck_assert(starts(f, 4, "SIP/2.0 200 ", 5060));
	ck_assert_uint_eq(f->tg.n.answered, 1);
	fx_free(f);
}
END_TEST

START_TEST(busy_without_a_rule_is_relayed)
{
	struct fx *f = call_bob("no-auth\nforward-noanswer bob carol\n", "");

	answer(f, 1, 5071, 486, "Busy Here");
	ck_assert(starts(f, 2, "ACK ", 5071));
	ck_assert(starts(f, 3, "SIP/2.0 486 ", 5060));
	ck_assert_uint_eq(f->s.n, 4);
	ck_assert_uint_eq(f->tg.n.forwarded_calls, 0);
	fx_free(f);
}
END_TEST

START_TEST(busy_forwards_once_by_header)
{
	struct fx *f = call_bob("no-auth\n", "X-Forward-To: <sip:carol@127.0.0.1>\r\n");
	char buf[64];

	ck_assert_str_eq(tgt_fwd_user(only_txn(f), 1, buf, sizeof(buf)), "carol");
	answer(f, 1, 5071, 486, "Busy Here");
	ck_assert(starts(f, 3, "INVITE sip:carol@127.0.0.1:5072 ", 5072));
	ck_assert_ptr_null(tgt_fwd_user(only_txn(f), 1, buf, sizeof(buf)));
	/* carol is busy too: no third branch, the 486 goes up */
	answer(f, 3, 5072, 486, "Busy Here");
	ck_assert(starts(f, 4, "ACK sip:carol@127.0.0.1:5072 ", 5072));
	ck_assert(starts(f, 5, "SIP/2.0 486 ", 5060));
	ck_assert_uint_eq(f->tg.n.forwarded_calls, 1);
	fx_free(f);
}
END_TEST

/* ---- forwarding on no answer ------------------------------------------------------ */

START_TEST(no_answer_cancels_and_forwards)
{
	struct fx *f = call_bob("no-auth\nforward-noanswer bob carol\nring-timeout 1500\n", "");
	struct ptx *t = only_txn(f);
	char b1[64], bc[64];

	/* the ring timer runs ring-timeout from the INVITE */
	ck_assert(tmr_isrunning(&t->ring));
	ck_assert_uint_eq(t->ring.expires_ms, loop_now_ms(f->l) + 1500);
	ck_assert_ptr_null(tgt_fwd_user(t, 1, b1, sizeof(b1)));   /* not on busy */
	tgt_fwd_on_ring(t);                                         /* as the loop would */
	ck_assert(starts(f, 2, "CANCEL sip:bob@127.0.0.1:5071 ", 5071));
	top_branch(f, 1, b1, sizeof(b1));
	top_branch(f, 2, bc, sizeof(bc));
	ck_assert_str_eq(b1, bc);              /* the INVITE's branch */
	ck_assert(starts(f, 3, "INVITE sip:carol@127.0.0.1:5072 ", 5072));
	ck_assert_uint_eq(f->s.n, 4);
	ck_assert(tmr_isrunning(&t->ring));    /* again, for carol */
	ck_assert_uint_eq(f->tg.n.forwarded_calls, 1);
	ck_assert_uint_eq(f->tg.n.canceled, 1);
	/* carol does not answer either: CANCEL, then 408 upstream */
	tgt_fwd_on_ring(t);
	ck_assert(starts(f, 4, "CANCEL sip:carol@127.0.0.1:5072 ", 5072));
	ck_assert(starts(f, 5, "SIP/2.0 408 ", 5060));
	ck_assert_int_eq(t->final, 408);
	fx_free(f);
}
END_TEST

START_TEST(no_answer_without_a_rule_is_408)
{
	struct fx *f = call_bob("no-auth\nforward-busy bob carol\n", "");
	struct ptx *t = only_txn(f);

	ck_assert_uint_eq(t->ring.expires_ms, loop_now_ms(f->l) + 4000);  /* the default */
	tgt_fwd_on_ring(t);
	ck_assert(starts(f, 2, "CANCEL sip:bob@127.0.0.1:5071 ", 5071));
	ck_assert(starts(f, 3, "SIP/2.0 408 ", 5060));
	ck_assert_uint_eq(f->s.n, 4);
	ck_assert_uint_eq(f->tg.n.forwarded_calls, 0);
	/* bob's late 486 after our 408: ACKed, not relayed */
	answer(f, 1, 5071, 487, "Request Terminated");
	ck_assert(starts(f, 4, "ACK ", 5071));
	ck_assert_uint_eq(f->s.n, 5);
	fx_free(f);
}
END_TEST

START_TEST(cancel_from_upstream_stops_forwarding)
{
	struct fx *f = call_bob("no-auth\nforward-noanswer bob carol\n", "");
	struct ptx *t = only_txn(f);
	char buf[64];

	input(f, 5060, "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-c1\r\n"
	      "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
	      "Call-ID: call-1\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n");
	ck_assert(starts(f, 2, "SIP/2.0 200 ", 5060));
	ck_assert(starts(f, 3, "CANCEL sip:bob@127.0.0.1:5071 ", 5071));
	ck_assert(!tmr_isrunning(&t->ring));
	ck_assert_ptr_null(tgt_fwd_user(t, 0, buf, sizeof(buf)));
	fx_free(f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("target");
	TCase *r = tcase_create("registrar"), *b = tcase_create("busy"),
	      *n = tcase_create("noanswer");

	tcase_add_test(r, binding_expires_on_the_clock);
	tcase_add_test(r, expires_zero_removes_and_rebinding_reuses);
	tcase_add_test(r, static_binding_never_expires);
	tcase_add_test(r, register_is_challenged_without_credentials);
	tcase_add_test(b, busy_forwards_by_conf);
	tcase_add_test(b, busy_without_a_rule_is_relayed);
	tcase_add_test(b, busy_forwards_once_by_header);
	tcase_add_test(n, no_answer_cancels_and_forwards);
	tcase_add_test(n, no_answer_without_a_rule_is_408);
	tcase_add_test(n, cancel_from_upstream_stops_forwarding);
	suite_add_tcase(s, r);
	suite_add_tcase(s, b);
	suite_add_tcase(s, n);
	return s;
}

int main(void)
{
	if (msg_init())
		return 1;
	return run_suite(suite());
}
