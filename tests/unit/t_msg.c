/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_msg: message parsing and raw header lookup (compact forms, folding,
 * several occurrences), response building, and histogram accuracy. */
#include "config.h"
#include <check.h>
#include "tests/unit/runner.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "sip/msg.h"
#include "stats/stats.h"

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

START_TEST(parse_fields)
{
	struct msg *m = NULL;

	ck_assert_int_eq(msg_parse(&m, invite, strlen(invite)), 0);
	ck_assert_int_eq(m->is_request, 1);
	ck_assert_str_eq(m->method, "INVITE");
	ck_assert_str_eq(m->cseq_method, "INVITE");
	ck_assert_uint_eq(m->cseq, 7);
	ck_assert_int_eq((int)m->call_id.len, 14);
	ck_assert(!memcmp(m->call_id.p, "42-1@127.0.0.1", 14));
	ck_assert(!memcmp(m->from_tag.p, "abc", 3));
	ck_assert_int_eq((int)m->to_tag.len, 0);
	ck_assert(!memcmp(m->branch.p, "z9hG4bK-1", 9));
	ck_assert(!memcmp(m->ruri.p, "sip:bob@127.0.0.1:5070", m->ruri.len));
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

START_TEST(build_response)
{
	struct msg *m = NULL, *r = NULL;
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(msg_parse(&m, invite, strlen(invite)), 0);
	ck_assert_int_eq(msg_build_response(m, 486, "Busy Here", "xyz", &b), 0);
	ck_assert_int_eq(msg_parse(&r, b.data, b.len), 0);
	ck_assert_int_eq(r->status, 486);
	ck_assert(!memcmp(r->to_tag.p, "xyz", 3));
	ck_assert_uint_eq(r->cseq, 7);
	msg_free(r);
	msg_free(m);
	buf_free(&b);
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

int main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	if (msg_init())
		return 1;
	tcase_add_test(tc, parse_fields);
	tcase_add_test(tc, header_lookup);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, build_response);
	tcase_add_test(tc, hist_error_bound);
	tcase_add_test(tc, hist_merge_lossless);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
