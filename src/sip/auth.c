/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auth: HTTP digest for SIP (RFC 3261 22, RFC 7616, RFC 8760): read a
 * 401/407 challenge, compute the credentials for a request, and check
 * credentials received. MD5, MD5-sess, SHA-256, SHA-512-256; qop=auth. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include "base/buf.h"
#include "sip/auth.h"
#include "sip/msg.h"

static const EVP_MD *algo_md(const char *algo, int *sess)
{
	size_t n = strlen(algo);

	*sess = n > 5 && !strcasecmp(algo + n - 5, "-sess");
	if (!n || !strncasecmp(algo, "MD5", 3))
		return EVP_md5();
	if (!strncasecmp(algo, "SHA-256", 7))
		return EVP_sha256();
	if (!strncasecmp(algo, "SHA-512-256", 11))
		return EVP_sha512_256();
	return NULL;
}

/* hex(H(a:b:c...)) of the NULL-terminated parts, joined by ':' */
static int hash_hex(const EVP_MD *md, char *out, size_t outlen, ...)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *part;
	va_list ap;
	int first = 1, ok;

	if (!ctx)
		return ENOMEM;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	va_start(ap, outlen);
	while (ok && (part = va_arg(ap, const char *)) != NULL) {
		if (!first)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		ok = ok && EVP_DigestUpdate(ctx, part, strlen(part));
		first = 0;
	}
	va_end(ap);
	ok = ok && EVP_DigestFinal_ex(ctx, d, &dl);
	EVP_MD_CTX_free(ctx);
	if (!ok || outlen < 2 * dl + 1)
		return EINVAL;
	for (i = 0; i < dl; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * dl] = '\0';
	return 0;
}

/* Copy the value of param name (quoted or token) from a challenge or
 * credentials header value into out; "" when absent. */
static void param(const char *v, size_t vl, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name), i = 0;

	out[0] = '\0';
	while (i < vl) {
		while (i < vl && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
			i++;
		if (vl - i > nl && !strncasecmp(v + i, name, nl) && v[i + nl] == '=') {
			const char *s = v + i + nl + 1, *e;
			size_t l;

			if (*s == '"') {
				s++;
				e = memchr(s, '"', vl - (size_t)(s - v));
			} else {
				e = s;
				while (e < v + vl && *e != ',' && *e != ' ')
					e++;
			}
			l = e ? (size_t)(e - s) : vl - (size_t)(s - v);
			if (l >= n)
				l = n - 1;
			memcpy(out, s, l);
			out[l] = '\0';
			return;
		}
		/* skip this param, honouring quotes */
		while (i < vl && v[i] != ',') {
			if (v[i++] == '"')
				while (i < vl && v[i++] != '"')
					;
		}
	}
}

int auth_parse_challenge(const struct msg *m, struct auth_chal *c)
{
	struct msg_pl h;
	char qop[64];

	memset(c, 0, sizeof(*c));
	c->proxy = m->status == 407;
	h = msg_hdr_first(m, c->proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
			  c->proxy ? 18 : 16);
	if (h.len < 7 || strncasecmp(h.p, "Digest", 6))
		return EPROTO;
	h.p += 6;
	h.len -= 6;
	param(h.p, h.len, "realm", c->realm, sizeof(c->realm));
	param(h.p, h.len, "nonce", c->nonce, sizeof(c->nonce));
	param(h.p, h.len, "opaque", c->opaque, sizeof(c->opaque));
	param(h.p, h.len, "algorithm", c->algorithm, sizeof(c->algorithm));
	param(h.p, h.len, "qop", qop, sizeof(qop));
	/* qop may list several options: auth is the one we do */
	c->qop_auth = strstr(qop, "auth") != NULL &&
		      (strstr(qop, "auth-int") == NULL || strstr(qop, "auth,") ||
		       strstr(qop, "auth ") || !strcmp(qop, "auth"));
	if (!c->nonce[0])
		return EPROTO;
	if (!c->algorithm[0])
		snprintf(c->algorithm, sizeof(c->algorithm), "MD5");
	return 0;
}

static int compute(const struct auth_chal *c, const char *user, const char *pass,
		   const char *method, const char *uri, const char *nc,
		   const char *cnonce, char *resp, size_t n)
{
	char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[sizeof(ha1)];
	int sess, err;
	const EVP_MD *md = algo_md(c->algorithm, &sess);

	if (!md)
		return ENOTSUP;
	err = hash_hex(md, ha1, sizeof(ha1), user, c->realm, pass, NULL);
	if (!err && sess)
		err = hash_hex(md, ha1, sizeof(ha1), ha1, c->nonce, cnonce, NULL);
	if (!err)
		err = hash_hex(md, ha2, sizeof(ha2), method, uri, NULL);
	if (err)
		return err;
	if (c->qop_auth)
		return hash_hex(md, resp, n, ha1, c->nonce, nc, cnonce, "auth", ha2, NULL);
	return hash_hex(md, resp, n, ha1, c->nonce, ha2, NULL);
}

int auth_build(const struct auth_chal *c, const char *user, const char *pass,
	       const char *method, const char *uri, unsigned nc_count,
	       const char *cnonce, struct buf *out)
{
	char resp[2 * EVP_MAX_MD_SIZE + 1], nc[12];
	int err, sess;

	snprintf(nc, sizeof(nc), "%08x", nc_count);
	err = compute(c, user, pass, method, uri, nc, cnonce, resp, sizeof(resp));
	if (err)
		return err;
	err = buf_addf(out, "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		       "uri=\"%s\", response=\"%s\", algorithm=%s",
		       c->proxy ? "Proxy-Authorization" : "Authorization",
		       user, c->realm, c->nonce, uri, resp, c->algorithm);
	if (!err && c->opaque[0])
		err = buf_addf(out, ", opaque=\"%s\"", c->opaque);
	if (!err && c->qop_auth)
		err = buf_addf(out, ", qop=auth, nc=%s, cnonce=\"%s\"", nc, cnonce);
	else if (!err && (algo_md(c->algorithm, &sess), sess))
		err = buf_addf(out, ", cnonce=\"%s\"", cnonce);  /* -sess needs it */
	return err;
}

/* The credentials header of m (Authorization, else Proxy-Authorization). */
static struct msg_pl cred_hdr(const struct msg *m)
{
	struct msg_pl h = msg_hdr_first(m, "Authorization", 13);

	if (!h.len)
		h = msg_hdr_first(m, "Proxy-Authorization", 19);
	if (h.len < 7 || strncasecmp(h.p, "Digest", 6))
		h.len = 0;
	return h;
}

int auth_cred_param(const struct msg *m, const char *name, char *out, size_t n)
{
	struct msg_pl h = cred_hdr(m);

	if (!h.len)
		return 0;
	param(h.p + 6, h.len - 6, name, out, n);
	return out[0] != '\0';
}

int auth_verify(const struct msg *m, const char *user, const char *pass)
{
	struct auth_chal c;
	struct msg_pl h = cred_hdr(m);
	char u[128], uri[512], resp[160], nc[16], cnonce[128], qop[16], want[160];

	if (!h.len)
		return 0;
	memset(&c, 0, sizeof(c));
	param(h.p + 6, h.len - 6, "username", u, sizeof(u));
	param(h.p + 6, h.len - 6, "realm", c.realm, sizeof(c.realm));
	param(h.p + 6, h.len - 6, "nonce", c.nonce, sizeof(c.nonce));
	param(h.p + 6, h.len - 6, "uri", uri, sizeof(uri));
	param(h.p + 6, h.len - 6, "response", resp, sizeof(resp));
	param(h.p + 6, h.len - 6, "algorithm", c.algorithm, sizeof(c.algorithm));
	param(h.p + 6, h.len - 6, "nc", nc, sizeof(nc));
	param(h.p + 6, h.len - 6, "cnonce", cnonce, sizeof(cnonce));
	param(h.p + 6, h.len - 6, "qop", qop, sizeof(qop));
	c.qop_auth = !strcasecmp(qop, "auth");
	if (strcmp(u, user))
		return 0;
	if (compute(&c, user, pass, m->method, uri, nc, cnonce, want, sizeof(want)))
		return 0;
	return strcasecmp(want, resp) == 0;
}
