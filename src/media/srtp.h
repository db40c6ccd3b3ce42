/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srtp: SRTP keyed by SDES (RFC 4568) for a party's media, on libsrtp2.
 * The party's own a=crypto lines come from SIPp's keywords
 * ([cryptotag1audio], [cryptosuiteaescm128sha1801audio],
 * [cryptokeyparams1audio], ...): rendering a key parameter draws a fresh
 * master key and salt (OpenSSL RAND). The peer's lines come from the SDP
 * bodies it sends. When both sides have lines of one kind (audio,
 * video), packets of that kind are protected on the way out and checked
 * on the way in; see docs/internals/media.md "SRTP" for which line of
 * each side is used. Owns no socket: rtp.c hands it packets. */
#ifndef SB_SRTP_H
#define SB_SRTP_H

#include <stddef.h>
#include <stdint.h>

struct media_stats;
struct sdes;

/* What a crypto keyword renders. */
enum sdes_what {
	SDES_TAG,      /* [cryptotagNkind]: "N"                               */
	SDES_SUITE,    /* [cryptosuite...Nkind]: the suite's name              */
	SDES_KEY,      /* [cryptokeyparamsNkind]: base64 key||salt; a negative
	                  offset ([...-5]) repeats the last key, else new one  */
	SDES_UE        /* [ue...Nkind]: "UNENCRYPTED_SRTP" (and the suite)     */
};

/* The crypto suites SIPp offers (RFC 4568 6.2, and libsrtp's NULL ones). */
enum sdes_suite {
	SDES_AES_CM_128_HMAC_SHA1_80,
	SDES_AES_CM_128_HMAC_SHA1_32,
	SDES_NULL_HMAC_SHA1_80,
	SDES_NULL_HMAC_SHA1_32,
	SDES_NSUITES
};

/* Largest growth of a packet by media_srtp_protect (the auth tag). */
#define SDES_TRAILER_MAX 16

/* Start and stop libsrtp2 for a run (media_alloc, media_free). */
int media_srtp_init(void);
void media_srtp_done(void);

/* Render one keyword of the party's kind (0 audio, 1 video), line idx
 * (0 or 1, the keyword's "1" or "2") into out (size >= 48). *sp is
 * created on first use. With sp NULL (no media in the run) a key is drawn
 * and rendered but kept nowhere. Returns 0 or an errno. */
int media_sdes_keyword(struct sdes **sp, int kind, int idx, enum sdes_what what,
		 enum sdes_suite suite, int reuse, char *out, size_t size);
/* A received SDP body: the a=crypto lines of its first m=audio and
 * m=video sections replace the peer's lines of that kind (a section
 * without one turns SRTP off for that kind). Returns 0 or ENOMEM. */
int media_sdes_peer(struct sdes **sp, const char *body, size_t len);
/* Protect the RTP packet b (*len bytes, room for SDES_TRAILER_MAX more)
 * of the kind. Returns 0 when the kind has no SRTP (b unchanged), 1 when
 * protected (*len grown), -1 when it failed (counted; do not send). */
int media_srtp_protect(struct sdes *s, int kind, unsigned char *b, size_t *len,
		 struct media_stats *st);
/* Check and decrypt a received packet in place. Returns 0 when the kind
 * has no SRTP, 1 when it authenticated (*len shrunk), -1 when it failed
 * (an auth or replay failure, counted: drop it). */
int media_srtp_unprotect(struct sdes *s, int kind, unsigned char *b, size_t *len,
		   struct media_stats *st);
void media_sdes_free(struct sdes *s);

/* The suite named by SDP text (n bytes), or -1. */
int media_sdes_suite(const char *name, size_t n);

#endif
