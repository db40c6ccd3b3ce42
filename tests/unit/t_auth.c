/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_auth: digest credentials against RFC 7616's worked examples (MD5 and
 * SHA-256, qop=auth), round trips through auth_verify for every
 * algorithm, and challenge parsing from a 407. */
#include "config.h"
#include <check.h>
#include <string.h>
#include "tests/unit/runner.h"
#include "base/buf.h"
#include "sip/auth.h"
#include "sip/msg.h"

/* RFC 7616 3.9.1 */
static struct auth_chal rfc7616(const char *algo)
{
	struct auth_chal c;

	memset(&c, 0, sizeof(c));
	snprintf(c.realm, sizeof(c.realm), "http-auth@example.org");
	snprintf(c.nonce, sizeof(c.nonce), "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
	snprintf(c.opaque, sizeof(c.opaque), "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
	snprintf(c.algorithm, sizeof(c.algorithm), "%s", algo);
	c.qop_auth = 1;
	return c;
}

static void expect_response(const char *algo, const char *want)
{
	struct auth_chal c = rfc7616(algo);
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(auth_build(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
				    "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", &b), 0);
	ck_assert_msg(strstr(b.data, want) != NULL, "%s", b.data);
	ck_assert(strstr(b.data, "nc=00000001") != NULL);
	buf_free(&b);
}

START_TEST(rfc7616_md5)
{
	expect_response("MD5", "response=\"8ca523f5e9506fed4657c9700eebdbec\"");
}
END_TEST

START_TEST(rfc7616_sha256)
{
	expect_response("SHA-256",
		"response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"");
}
END_TEST

/* build credentials for a REGISTER, put them in a request, verify them */
START_TEST(round_trip_all_algorithms)
{
	static const char *const algos[] = {"MD5", "MD5-sess", "SHA-256", "SHA-256-sess",
					    "SHA-512-256", "SHA-512-256-sess"};
	unsigned i, q;

	for (i = 0; i < 6; i++) {
		for (q = 0; q < 2; q++) {
			struct auth_chal c = rfc7616(algos[i]);
			struct msg *m = NULL;
			struct buf b;

			c.qop_auth = (int)q;
			buf_init(&b, 8192);
			buf_adds(&b, "REGISTER sip:example.org SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\n"
				 "From: <sip:bob@example.org>;tag=1\r\nTo: <sip:bob@example.org>\r\n"
				 "Call-ID: c1\r\nCSeq: 2 REGISTER\r\n");
			ck_assert_int_eq(auth_build(&c, "bob", "pw", "REGISTER", "sip:example.org",
						    3, "abc", &b), 0);
			buf_adds(&b, "\r\nContent-Length: 0\r\n\r\n");
			ck_assert_int_eq(msg_parse(&m, b.data, b.len), 0);
			ck_assert_msg(auth_verify(m, "bob", "pw"), "%s qop=%u", algos[i], q);
			ck_assert(!auth_verify(m, "bob", "wrong"));
			ck_assert(!auth_verify(m, "eve", "pw"));
			msg_free(m);
			buf_free(&b);
		}
	}
}
END_TEST

START_TEST(parse_407)
{
	static const char r[] = "SIP/2.0 407 Proxy Authentication Required\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK-1\r\nFrom: <sip:a@h>;tag=1\r\n"
		"To: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
		"Proxy-Authenticate: Digest realm=\"pbx\", nonce=\"abc, def\", "
		"qop=\"auth,auth-int\", algorithm=SHA-256\r\nContent-Length: 0\r\n\r\n";
	struct auth_chal c;
	struct msg *m = NULL;

	ck_assert_int_eq(msg_parse(&m, r, strlen(r)), 0);
	ck_assert_int_eq(auth_parse_challenge(m, &c), 0);
	ck_assert_int_eq(c.proxy, 1);
	ck_assert_str_eq(c.realm, "pbx");
	ck_assert_str_eq(c.nonce, "abc, def");
	ck_assert_str_eq(c.algorithm, "SHA-256");
	ck_assert_int_eq(c.qop_auth, 1);
	msg_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");

	if (msg_init())
		return 1;
	tcase_add_test(tc, rfc7616_md5);
	tcase_add_test(tc, rfc7616_sha256);
	tcase_add_test(tc, round_trip_all_algorithms);
	tcase_add_test(tc, parse_407);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
