/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_srtp: SDES-keyed SRTP between two parties' states (media/srtp.h):
 * an offer of two lines, an answer of one, packets protected one way and
 * authenticated the other, a changed byte and a repeat refused and
 * counted, UNENCRYPTED_SRTP leaving the payload readable, plain RTP for a
 * kind without a=crypto. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "tests/unit/runner.h"
#include "media/rtp.h"
#include "media/srtp.h"

#define PAYLOAD 160

static void kw(struct sdes **s, int kind, int idx, enum sdes_what w, enum sdes_suite su,
	       char *out)
{
	ck_assert_int_eq(media_sdes_keyword(s, kind, idx, w, su, 0, out, 64), 0);
}

/* "a=crypto:T SUITE inline:KEY" of line idx, kind audio, into sdp. */
static void line(struct sdes **s, int idx, enum sdes_suite su, int ue, char *sdp, size_t n)
{
	char t[64], u[64], k[64], e[64] = "";

	kw(s, 0, idx, SDES_TAG, su, t);
	kw(s, 0, idx, SDES_SUITE, su, u);
	kw(s, 0, idx, SDES_KEY, su, k);
	if (ue) {
		e[0] = ' ';
		kw(s, 0, idx, SDES_UE, su, e + 1);
	}
	ck_assert_uint_eq(strlen(k), 40);
	snprintf(sdp + strlen(sdp), n - strlen(sdp), "a=crypto:%s %s inline:%s%s\r\n", t, u, k, e);
}

static size_t packet(unsigned char *b, uint16_t seq)
{
	int i;

	memset(b, 0, 12);
	b[0] = 0x80;
	b[2] = (unsigned char)(seq >> 8);
	b[3] = (unsigned char)seq;
	b[8] = 0x12;
	b[11] = 0x34;
	for (i = 0; i < PAYLOAD; i++)
		b[12 + i] = (unsigned char)(i * 7);
	return 12 + PAYLOAD;
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
	     "m=audio 4000 RTP/SAVP 0\r\n"

/* An offer of lines 1 (80-bit tag) and 2 (32-bit), an answer taking
 * line 2's suite: 4-byte tags both ways, payload encrypted. */
START_TEST(offer_answer_roundtrip)
{
	struct sdes *a = NULL, *b = NULL;
	struct media_stats st;
	char offer[512] = HEAD, answer[512] = HEAD;
	unsigned char pkt[256], plain[256];
	size_t n, n0;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(media_srtp_init(), 0);
	line(&a, 0, SDES_AES_CM_128_HMAC_SHA1_80, 0, offer, sizeof(offer));
	line(&a, 1, SDES_AES_CM_128_HMAC_SHA1_32, 0, offer, sizeof(offer));
	ck_assert_int_eq(media_sdes_peer(&b, offer, strlen(offer)), 0);
	line(&b, 1, SDES_AES_CM_128_HMAC_SHA1_32, 0, answer, sizeof(answer));
	ck_assert_ptr_nonnull(strstr(answer, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"));
	ck_assert_int_eq(media_sdes_peer(&a, answer, strlen(answer)), 0);

	n0 = n = packet(pkt, 1000);
	memcpy(plain, pkt, n);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	ck_assert_uint_eq(n, n0 + 4);
	ck_assert_int_ne(memcmp(pkt + 12, plain + 12, PAYLOAD), 0);
	ck_assert_int_eq(memcmp(pkt, plain, 12), 0);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	ck_assert_uint_eq(n, n0);
	ck_assert_int_eq(memcmp(pkt, plain, n0), 0);
	/* back, with the answer's key */
	ck_assert_int_eq(media_srtp_protect(b, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_unprotect(a, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(memcmp(pkt, plain, n0), 0);
	/* a changed byte fails its tag; a repeat is a replay */
	n = packet(pkt, 1001);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	memcpy(plain, pkt, n);
	pkt[20] ^= 1;
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), -1);
	memcpy(pkt, plain, n);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	memcpy(pkt, plain, n0 + 4);
	n = n0 + 4;
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), -1);
	ck_assert_uint_eq(st.srtp_protected, 3);
	ck_assert_uint_eq(st.srtp_unprotected, 3);
	ck_assert_uint_eq(st.srtp_auth_fail, 1);
	ck_assert_uint_eq(st.srtp_replay_fail, 1);
	ck_assert_uint_eq(st.srtp_errors, 0);
	/* video has no a=crypto: plain RTP */
	n = packet(pkt, 5);
	ck_assert_int_eq(media_srtp_protect(a, 1, pkt, &n, &st), 0);
	ck_assert_uint_eq(n, n0);
	media_sdes_free(a);
	media_sdes_free(b);
	media_srtp_done();
}
END_TEST

/* A new key on a re-offer: the old one no longer authenticates. */
START_TEST(new_key_rekeys)
{
	struct sdes *a = NULL, *b = NULL;
	struct media_stats st;
	char o1[512] = HEAD, o2[512] = HEAD, ans[512] = HEAD;
	unsigned char pkt[256];
	size_t n;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(media_srtp_init(), 0);
	line(&a, 0, SDES_AES_CM_128_HMAC_SHA1_80, 0, o1, sizeof(o1));
	ck_assert_int_eq(media_sdes_peer(&b, o1, strlen(o1)), 0);
	line(&b, 0, SDES_AES_CM_128_HMAC_SHA1_80, 0, ans, sizeof(ans));
	ck_assert_int_eq(media_sdes_peer(&a, ans, strlen(ans)), 0);
	n = packet(pkt, 7);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	line(&a, 0, SDES_AES_CM_128_HMAC_SHA1_80, 0, o2, sizeof(o2));
	ck_assert_str_ne(o1, o2);
	n = packet(pkt, 8);  /* a uses its new key, b still the old one */
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), -1);
	ck_assert_int_eq(media_sdes_peer(&b, o2, strlen(o2)), 0);
	n = packet(pkt, 9);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	ck_assert_uint_eq(st.srtp_auth_fail, 1);
	media_sdes_free(a);
	media_sdes_free(b);
	media_srtp_done();
}
END_TEST

/* UNENCRYPTED_SRTP: a tag, the payload as it was; a lifetime and MKI
 * after the key are read past. */
START_TEST(unencrypted_and_lifetime)
{
	struct sdes *a = NULL, *b = NULL;
	struct media_stats st;
	char o[512] = HEAD, ans[512] = HEAD, *k, kbuf[64];
	unsigned char pkt[256], plain[256];
	size_t n, n0;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(media_srtp_init(), 0);
	line(&a, 0, SDES_AES_CM_128_HMAC_SHA1_80, 1, o, sizeof(o));
	ck_assert_ptr_nonnull(strstr(o, " UNENCRYPTED_SRTP\r\n"));
	ck_assert_int_eq(media_sdes_peer(&b, o, strlen(o)), 0);
	line(&b, 0, SDES_AES_CM_128_HMAC_SHA1_80, 1, ans, sizeof(ans));
	k = strstr(ans, "inline:") + 7 + 40;  /* "|2^31|1:4" goes after the key */
	memmove(k + 9, k, strlen(k) + 1);
	memcpy(k, "|2^31|1:4", 9);
	ck_assert_int_eq(media_sdes_peer(&a, ans, strlen(ans)), 0);
	n0 = n = packet(pkt, 3);
	memcpy(plain, pkt, n);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	ck_assert_uint_eq(n, n0 + 10);
	ck_assert_int_eq(memcmp(pkt, plain, n0), 0);
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_protect(b, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_srtp_unprotect(a, 0, pkt, &n, &st), 1);
	ck_assert_uint_eq(n, n0);
	/* b's answer rendered again with its key kept ([...-N]): the same
	 * sessions, so a packet b took before is a replay now */
	n = packet(pkt, 4);
	ck_assert_int_eq(media_srtp_protect(a, 0, pkt, &n, &st), 1);
	memcpy(plain, pkt, n);
	n0 = n;
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), 1);
	ck_assert_int_eq(media_sdes_keyword(&b, 0, 0, SDES_SUITE, SDES_AES_CM_128_HMAC_SHA1_80,
					    0, kbuf, 64), 0);
	ck_assert_int_eq(media_sdes_keyword(&b, 0, 0, SDES_KEY, SDES_AES_CM_128_HMAC_SHA1_80,
					    1, kbuf, 64), 0);
	ck_assert_int_eq(media_sdes_keyword(&b, 0, 0, SDES_UE, SDES_AES_CM_128_HMAC_SHA1_80,
					    0, kbuf, 64), 0);
	memcpy(pkt, plain, n0);
	n = n0;
	ck_assert_int_eq(media_srtp_unprotect(b, 0, pkt, &n, &st), -1);
	ck_assert_uint_eq(st.srtp_replay_fail, 1);
	/* rendered again without [ue...]: b encrypts from now on */
	ck_assert_int_eq(media_sdes_keyword(&b, 0, 0, SDES_SUITE, SDES_AES_CM_128_HMAC_SHA1_80,
					    0, kbuf, 64), 0);
	n0 = n = packet(pkt, 5);
	memcpy(plain, pkt, n);
	ck_assert_int_eq(media_srtp_protect(b, 0, pkt, &n, &st), 1);
	ck_assert_int_ne(memcmp(pkt + 12, plain + 12, PAYLOAD), 0);
	media_sdes_free(a);
	media_sdes_free(b);
	media_srtp_done();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srtp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, offer_answer_roundtrip);
	tcase_add_test(tc, new_key_rekeys);
	tcase_add_test(tc, unencrypted_and_lifetime);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
