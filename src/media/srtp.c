/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srtp: SDES-keyed SRTP of one party (see srtp.h). Two libsrtp2 sessions
 * per kind, one per direction, rebuilt when either side's lines change
 * (a re-INVITE with new keys, say). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>
#include "media/rtp.h"
#include "media/srtp.h"

#define KEY_LEN 30                /* AES-128 master key (16) + salt (14) */
#define B64_LEN 40
#define NKINDS 2
#define PEER_MAX 4                /* a=crypto lines kept per kind        */

static const char *const suite_name[SDES_NSUITES] = {
	"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32",
	"NULL_HMAC_SHA1_80", "NULL_HMAC_SHA1_32",
};

/* One a=crypto line: ours (rendered) or the peer's (parsed). */
struct line {
	int set;
	unsigned tag;
	int suite;                    /* enum sdes_suite, -1: unknown        */
	int ue;                       /* UNENCRYPTED_SRTP                    */
	int keyed;                    /* key drawn (ours) or read (peer's)   */
	unsigned char key[KEY_LEN];
};

struct dir {
	srtp_t sess;                  /* NULL: no SRTP this way              */
	int failed;                   /* creation failed: drop, count        */
};

struct sdes {
	struct line mine[NKINDS][2];
	struct line peer[NKINDS][PEER_MAX];
	unsigned gen[NKINDS];         /* bumped on every change              */
	unsigned built[NKINDS];       /* gen the sessions were built for     */
	struct line mine_b[NKINDS][2];  /* the lines they were built from:  */
	struct line peer_b[NKINDS][PEER_MAX];  /* a message rendered again
	                                 with the same keys changes nothing */
	struct dir tx[NKINDS], rx[NKINDS];
};

int media_srtp_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : EIO;
}

void media_srtp_done(void)
{
	srtp_shutdown();
}

int media_sdes_suite(const char *name, size_t n)
{
	int i;

	for (i = 0; i < SDES_NSUITES; i++)
		if (strlen(suite_name[i]) == n && !memcmp(suite_name[i], name, n))
			return i;
	return -1;
}

static int get(struct sdes **sp)
{
	if (!*sp && !(*sp = calloc(1, sizeof(**sp))))
		return ENOMEM;
	return 0;
}

int media_sdes_keyword(struct sdes **sp, int kind, int idx, enum sdes_what what,
		 enum sdes_suite suite, int reuse, char *out, size_t size)
{
	unsigned char tmp[KEY_LEN], *key = tmp;
	struct line *l = NULL, was;
	int err;

	memset(&was, 0, sizeof(was));
	if (sp) {
		if ((err = get(sp)))
			return err;
		l = &(*sp)->mine[kind][idx];
		was = *l;
		l->set = 1;
		l->tag = (unsigned)idx + 1;
		key = l->key;
	}
	if (size <= B64_LEN)
		return ENOSPC;
	switch (what) {
	case SDES_TAG:
		snprintf(out, size, "%d", idx + 1);
		break;
	case SDES_UE:
	case SDES_SUITE:
		/* the ue keyword stands for the suite and marks the line */
		if (l) {
			l->suite = (int)suite;
			l->ue = what == SDES_UE;  /* the suite comes first on a line */
		}
		snprintf(out, size, "%s", what == SDES_UE ? "UNENCRYPTED_SRTP" : suite_name[suite]);
		break;
	case SDES_KEY:
		if (!(reuse && l && was.keyed) && RAND_bytes(key, KEY_LEN) != 1)
			return EIO;
		if (l)
			l->keyed = 1;
		EVP_EncodeBlock((unsigned char *)out, key, KEY_LEN);
		break;
	}
	if (l && memcmp(&was, l, sizeof(was)))
		(*sp)->gen[kind]++;  /* new keys: new sessions at the next packet */
	return 0;
}

/* ---- the peer's SDP --------------------------------------------------- */

/* "a=crypto:TAG SUITE inline:KEY[|lifetime][|MKI:len] [params]" (RFC
 * 4568 9.1), line s..e. Returns 0 when it is one we can use. */
static int parse_crypto(const char *s, const char *e, struct line *l)
{
	const char *p = s + 9, *q;
	unsigned char raw[64];
	char b64[B64_LEN + 1];
	unsigned long tag;
	char *end;

	memset(l, 0, sizeof(*l));
	tag = strtoul(p, &end, 10);
	if (end == p || end >= e || *end != ' ')
		return -1;
	for (p = end; p < e && *p == ' '; p++)
		;
	for (q = p; q < e && *q != ' '; q++)
		;
	l->suite = media_sdes_suite(p, (size_t)(q - p));
	for (p = q; p < e && *p == ' '; p++)
		;
	if (l->suite < 0 || e - p < 7 + B64_LEN || memcmp(p, "inline:", 7))
		return -1;
	memcpy(b64, p + 7, B64_LEN);
	b64[B64_LEN] = 0;
	if (EVP_DecodeBlock(raw, (unsigned char *)b64, B64_LEN) != KEY_LEN)
		return -1;
	memcpy(l->key, raw, KEY_LEN);
	for (q = p + 7 + B64_LEN; q + 16 <= e; q++)
		if (!memcmp(q, "UNENCRYPTED_SRTP", 16))
			l->ue = 1;
	l->tag = (unsigned)tag;
	l->set = l->keyed = 1;
	return 0;
}

int media_sdes_peer(struct sdes **sp, const char *body, size_t len)
{
	struct line found[NKINDS][PEER_MAX];
	const char *p = body, *end = body + len;
	int seen[NKINDS] = {0, 0}, n[NKINDS] = {0, 0}, cur = -1, k, err;

	memset(found, 0, sizeof(found));
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *le;

		if (!e)
			e = end;
		le = e > p && e[-1] == '\r' ? e - 1 : e;
		if (le - p >= 8 && !memcmp(p, "m=", 2)) {
			cur = -1;
			if (!memcmp(p + 2, "audio ", 6))
				cur = 0;
			else if (le - p >= 8 && !memcmp(p + 2, "video ", 6))
				cur = 1;
			if (cur >= 0 && seen[cur]++)
				cur = -1;  /* only the first section of a kind */
		} else if (cur >= 0 && le - p > 9 && !memcmp(p, "a=crypto:", 9) &&
			   n[cur] < PEER_MAX && !parse_crypto(p, le, &found[cur][n[cur]]))
			n[cur]++;
		p = e + 1;
	}
	if (!seen[0] && !seen[1])
		return 0;
	if (!*sp && !n[0] && !n[1])
		return 0;  /* plain RTP: nothing to keep */
	if ((err = get(sp)))
		return err;
	for (k = 0; k < NKINDS; k++) {
		if (!seen[k] || !memcmp((*sp)->peer[k], found[k], sizeof(found[k])))
			continue;
		memcpy((*sp)->peer[k], found[k], sizeof(found[k]));
		(*sp)->gen[k]++;
	}
	return 0;
}

/* ---- sessions --------------------------------------------------------- */

static void dir_clear(struct dir *d)
{
	if (d->sess)
		srtp_dealloc(d->sess);
	d->sess = NULL;
	d->failed = 0;
}

static void dir_make(struct dir *d, const struct line *l, int outbound)
{
	srtp_policy_t pol;
	unsigned char key[KEY_LEN];

	memset(&pol, 0, sizeof(pol));
	switch (l->suite) {
	case SDES_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		break;
	case SDES_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		break;
	case SDES_NULL_HMAC_SHA1_80:
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol.rtp);
		break;
	default:
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol.rtp);
		pol.rtp.auth_tag_len = 4;
		break;
	}
	if (l->ue)
		pol.rtp.sec_serv = sec_serv_auth;
	srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	memcpy(key, l->key, KEY_LEN);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 1;  /* an echo may resend what a play sent */
	if (srtp_create(&d->sess, &pol) != srtp_err_status_ok) {
		d->sess = NULL;
		d->failed = 1;
	}
}

/* Which lines key the two directions: the first of the peer's lines
 * whose suite one of ours has (the offer/answer agreement: an answer
 * names the suite it took from the offer), else the peer's first line
 * and our first. No peer line: no SRTP either way. */
static void build(struct sdes *s, int k)
{
	const struct line *rx = NULL, *tx = NULL;
	int i, j;

	s->built[k] = s->gen[k];
	if (!memcmp(s->mine_b[k], s->mine[k], sizeof(s->mine[k])) &&
	    !memcmp(s->peer_b[k], s->peer[k], sizeof(s->peer[k])))
		return;  /* rendered again, same keys: keep the sessions */
	memcpy(s->mine_b[k], s->mine[k], sizeof(s->mine[k]));
	memcpy(s->peer_b[k], s->peer[k], sizeof(s->peer[k]));
	dir_clear(&s->tx[k]);
	dir_clear(&s->rx[k]);
	for (i = 0; i < PEER_MAX && s->peer[k][i].set && !tx; i++)
		for (j = 0; j < 2 && !tx; j++)
			if (s->mine[k][j].set && s->mine[k][j].suite == s->peer[k][i].suite) {
				rx = &s->peer[k][i];
				tx = &s->mine[k][j];
			}
	if (!tx && s->peer[k][0].set) {
		rx = &s->peer[k][0];
		tx = s->mine[k][0].set ? &s->mine[k][0] : s->mine[k][1].set ? &s->mine[k][1] : NULL;
	}
	if (!rx)
		return;
	dir_make(&s->rx[k], rx, 0);
	if (tx)
		dir_make(&s->tx[k], tx, 1);
	else
		s->tx[k].failed = 1;  /* the peer expects SRTP; we have no key */
}

int media_srtp_protect(struct sdes *s, int kind, unsigned char *b, size_t *len,
		 struct media_stats *st)
{
	int n = (int)*len;

	if (!s)
		return 0;
	if (s->built[kind] != s->gen[kind])
		build(s, kind);
	if (!s->tx[kind].sess && !s->tx[kind].failed)
		return 0;
	if (!s->tx[kind].sess || srtp_protect(s->tx[kind].sess, b, &n) != srtp_err_status_ok) {
		st->srtp_errors++;
		return -1;
	}
	*len = (size_t)n;
	st->srtp_protected++;
	return 1;
}

int media_srtp_unprotect(struct sdes *s, int kind, unsigned char *b, size_t *len,
		   struct media_stats *st)
{
	srtp_err_status_t r;
	int n = (int)*len;

	if (!s)
		return 0;
	if (s->built[kind] != s->gen[kind])
		build(s, kind);
	if (!s->rx[kind].sess) {
		if (!s->rx[kind].failed)
			return 0;
		st->srtp_errors++;
		return -1;
	}
	r = srtp_unprotect(s->rx[kind].sess, b, &n);
	if (r == srtp_err_status_ok) {
		*len = (size_t)n;
		st->srtp_unprotected++;
		return 1;
	}
	if (r == srtp_err_status_auth_fail)
		st->srtp_auth_fail++;
	else if (r == srtp_err_status_replay_fail || r == srtp_err_status_replay_old)
		st->srtp_replay_fail++;
	else
		st->srtp_errors++;
	return -1;
}

void media_sdes_free(struct sdes *s)
{
	int k;

	if (!s)
		return;
	for (k = 0; k < NKINDS; k++) {
		dir_clear(&s->tx[k]);
		dir_clear(&s->rx[k]);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}
