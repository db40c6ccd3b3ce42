/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_render: template expansion against a hand-built UA: [len] is the body
 * length, a [last_*] header the last message lacks drops its line, CSeq and
 * branch keywords with offsets, variables, an advertised address and the
 * one learned from a response's Via, [password] and [domain]. */
#include "config.h"
#include <check.h>
#include "tests/unit/runner.h"
#include <stdlib.h>
#include <string.h>
#include "engine/internal.h"
#include "sip/msg.h"

static struct eng eng;
static struct call *call;
static struct prog prog;

static void setup(void)
{
	static char *names[] = {"x"};

	memset(&eng, 0, sizeof(eng));
	memset(&prog, 0, sizeof(prog));
	prog.var_names = names;
	prog.nvars = 1;
	eng.p = &prog;
	eng.pid = 77;
	eng.o.service = "svc";
	eng.o.media_port = 6000;
	snprintf(eng.local_ip, sizeof(eng.local_ip), "127.0.0.1");
	buf_init(&eng.scratch, 4096);
	call = calloc(1, sizeof(*call) + sizeof(struct ua));
	call->eng = &eng;
	call->number = 5;
	call->ua[0].call = call;
	call->ua[0].vars = calloc(1, sizeof(struct var_val));
	call->ua[0].call_id = strdup("5-77@127.0.0.1");
	call->ua[0].cseq = 3;
}

static void teardown(void)
{
	var_clear(&call->ua[0].vars[0]);
	free(call->ua[0].vars);
	free(call->ua[0].call_id);
	msg_free(call->ua[0].last_msg);
	free(call);
	buf_free(&eng.scratch);
}

#define LIT(s) {SEG_LIT, 0, 0, -1, s, sizeof(s) - 1, NULL, NULL, NULL}
#define KW(k, off) {k, off, 0, -1, NULL, 0, NULL, NULL, NULL}

static const char *render(const struct tpl_seg *segs, unsigned n, int is_msg, struct buf *out)
{
	struct tpl t = {(struct tpl_seg *)segs, n, 1, "OPTIONS", 0, 1};
	struct step st = {0};

	st.index = 2;
	ck_assert_int_eq(rend_tpl(&call->ua[0], &st, &t, is_msg, out), 0);
	return out->data;
}

/* [password] is -ap rendered, else "password"; [domain] is -domain
 * rendered, else the target's address as [remote_ip] */
START_TEST(password_and_domain)
{
	struct tpl_seg s[] = {KW(SEG_PASSWORD, 0), LIT(" "), KW(SEG_DOMAIN, 0)};
	struct tpl_seg ap[] = {LIT("s3cret-"), KW(SEG_CALL_NUMBER, 0)};
	struct tpl_seg dom[] = {LIT("pbx.example")};
	struct tpl tap = {ap, 2, 0, "", 0, 1}, tdom = {dom, 1, 0, "", 0, 1};
	struct buf b;

	snprintf(eng.remote_ip, sizeof(eng.remote_ip), "10.0.0.9");
	buf_init(&b, 4096);
	ck_assert_str_eq(render(s, 3, 0, &b), "password 10.0.0.9");
	prog.auth_pass = &tap;
	prog.domain = &tdom;
	ck_assert_str_eq(render(s, 3, 0, &b), "s3cret-5 pbx.example");
	prog.auth_pass = NULL;
	prog.domain = NULL;
	buf_free(&b);
}
END_TEST

START_TEST(len_is_body_length)
{
	struct tpl_seg s[] = {
		LIT("OPTIONS sip:a SIP/2.0\r\nContent-Length: "), KW(SEG_LEN, 0),
		LIT("\r\n\r\nv=0\r\ns=-\r\n"),
	};
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_str_eq(render(s, 3, 1, &b),
			 "OPTIONS sip:a SIP/2.0\r\nContent-Length: 10\r\n\r\nv=0\r\ns=-\r\n");
	buf_free(&b);
}
END_TEST

START_TEST(missing_last_header_drops_line)
{
	static const char resp[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-a\r\n"
		"From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c1\r\n"
		"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct tpl_seg s[] = {
		LIT("ACK sip:a SIP/2.0\r\n"), {SEG_LAST_HDR, 0, 0, -1, "Via", 3, NULL, NULL, NULL},
		LIT("\r\n"), {SEG_LAST_HDR, 0, 0, -1, "Route", 5, NULL, NULL, NULL}, LIT(";lr\r\nTo: x"),
		KW(SEG_PEER_TAG_PARAM, 0), LIT("\r\n\r\n"),
	};
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(msg_parse(&call->ua[0].last_msg, resp, strlen(resp)), 0);
	call->ua[0].peer_tag = strdup("2");
	ck_assert_str_eq(render(s, 7, 1, &b), "ACK sip:a SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP h;branch=z9hG4bK-a\r\nTo: x;tag=2\r\n\r\n");
	free(call->ua[0].peer_tag);
	call->ua[0].peer_tag = NULL;
	buf_free(&b);
}
END_TEST

START_TEST(numeric_keywords_and_offsets)
{
	struct tpl_seg s[] = {
		KW(SEG_CSEQ, 0), LIT(" "), KW(SEG_CSEQ, 1), LIT(" "), KW(SEG_BRANCH, 0),
		LIT(" "), KW(SEG_BRANCH, -1), LIT(" "), KW(SEG_CALL_NUMBER, 2), LIT(" "),
		KW(SEG_CALL_ID, 0), LIT(" "), KW(SEG_SERVICE, 0), LIT(" "), KW(SEG_MEDIA_PORT, 2),
	};
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_str_eq(render(s, 15, 0, &b),
			 "3 4 z9hG4bK-77-5-2 z9hG4bK-77-5-1 7 5-77@127.0.0.1 svc 6002");
	buf_free(&b);
}
END_TEST

START_TEST(variables)
{
	struct tpl_seg s[] = {LIT("<"), {SEG_VAR, 0, 0, -1, NULL, 0, NULL, NULL, NULL}, LIT(">")};
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_str_eq(render(s, 3, 0, &b), "<>");
	ck_assert_int_eq(var_set_str(&call->ua[0].vars[0], "abc", 3), 0);
	ck_assert_str_eq(render(s, 3, 0, &b), "<abc>");
	var_set_dbl(&call->ua[0].vars[0], 42);
	ck_assert_str_eq(render(s, 3, 0, &b), "<42>");
	buf_free(&b);
}
END_TEST

START_TEST(advertised_and_learned_address)
{
	struct tpl_seg s[] = {
		KW(SEG_LOCAL_IP, 0), LIT(":"), KW(SEG_LOCAL_PORT, 0), LIT(" "),
		KW(SEG_LOCAL_IP_TYPE, 0), LIT(" "), KW(SEG_MEDIA_IP, 0), LIT(" "),
		KW(SEG_VIA_RECEIVED, 0), LIT(":"), KW(SEG_VIA_RPORT, 1),
	};
	struct eng_adv adv = {"fd00::7", "[fd00::7]", 5062};
	struct buf b;

	buf_init(&b, 4096);
	eng.adv = &adv;
	/* before a response: the advertised address everywhere */
	ck_assert_str_eq(render(s, 11, 0, &b), "[fd00::7]:5062 6 fd00::7 [fd00::7]:5063");
	/* then what the response's Via said */
	ck_assert_int_eq(tp_addr_parse(&call->ua[0].pub, "192.0.2.1:7000", 0, NULL), 0);
	ck_assert_str_eq(render(s, 11, 0, &b), "[fd00::7]:5062 6 fd00::7 192.0.2.1:7001");
	/* -mi still wins for [media_ip] */
	eng.o.media_ip = "198.51.100.2";
	ck_assert_str_eq(render(s, 11, 0, &b), "[fd00::7]:5062 6 198.51.100.2 192.0.2.1:7001");
	eng.o.media_ip = NULL;
	eng.adv = NULL;
	buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");

	if (msg_init())
		return 1;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, len_is_body_length);
	tcase_add_test(tc, password_and_domain);
	tcase_add_test(tc, missing_last_header_drops_line);
	tcase_add_test(tc, numeric_keywords_and_offsets);
	tcase_add_test(tc, variables);
	tcase_add_test(tc, advertised_and_learned_address);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
