/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auth: digest authentication (RFC 3261 22, RFC 7616, RFC 8760). */
#ifndef SB_AUTH_H
#define SB_AUTH_H

struct buf;
struct msg;

/* A challenge from a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate). */
struct auth_chal {
	char realm[128];
	char nonce[256];
	char opaque[256];
	char algorithm[32];     /* "MD5" when the challenge names none         */
	int qop_auth;           /* the challenge offers qop=auth               */
	int proxy;              /* from a 407: answer with Proxy-Authorization */
};

/* Read the digest challenge of response m. EPROTO when there is none. */
int auth_parse_challenge(const struct msg *m, struct auth_chal *c);

/* Append the credentials header line (no CRLF) answering c for a request
 * method to uri: "Authorization: Digest ..." or "Proxy-Authorization: ...".
 * nc_count and cnonce are used with qop=auth. ENOTSUP for an unknown
 * algorithm. */
int auth_build(const struct auth_chal *c, const char *user, const char *pass,
	       const char *method, const char *uri, unsigned nc_count,
	       const char *cnonce, struct buf *out);

/* Parameter `name` of m's digest credentials into out; 1 when found. */
int auth_cred_param(const struct msg *m, const char *name, char *out, size_t n);

/* 1 when request m carries digest credentials of user with password
 * pass (any algorithm above), else 0. */
int auth_verify(const struct msg *m, const char *user, const char *pass);

#endif
