/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls: OpenSSL behind the stream connections. One client and one server
 * context per run; TLS 1.2 and 1.3 (or one of them, pinned). Peers are
 * verified by default: the server's certificate must chain to -tls_ca
 * (or the system's CAs) and name the target (its host name, or its
 * address for an address literal, RFC 6125 / RFC 5922). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "transport/tp_int.h"

struct tp_tls {
	SSL_CTX *cli, *srv;
	X509 *self;                /* made at start when no certificate given */
	int verify;
};

static int ssl_error(struct diag *d, const char *what, const char *arg)
{
	char e[160];

	ERR_error_string_n(ERR_get_error(), e, sizeof(e));
	ERR_clear_error();
	return diag_set(d, NULL, 0, "TLS: %s%s%s: %s", what, arg ? " " : "", arg ? arg : "", e);
}

static int set_version(SSL_CTX *ctx, const char *v, struct diag *d)
{
	int ver = TLS1_2_VERSION, max = TLS1_3_VERSION;

	if (v && !strcmp(v, "1.2"))
		ver = max = TLS1_2_VERSION;
	else if (v && !strcmp(v, "1.3"))
		ver = max = TLS1_3_VERSION;
	else if (v)
		return diag_set(d, NULL, 0, "-tls_version: '%s' is not offered (1.2 or 1.3; "
				"older versions are insecure)", v);
	if (!SSL_CTX_set_min_proto_version(ctx, ver) || !SSL_CTX_set_max_proto_version(ctx, max))
		return ssl_error(d, "cannot set the version", v);
	return 0;
}

/* A self-signed certificate for 127.0.0.1, ::1 and localhost. */
static int self_sign(struct tp_tls *t, struct diag *d)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	unsigned char serial[8];
	int err = EIO;

	if (!k || !x)
		goto out;
	RAND_bytes(serial, sizeof(serial));
	serial[0] &= 0x7f;
	X509_set_version(x, 2);
	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), *(uint64_t *)serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"sipbench", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
				  "IP:127.0.0.1,IP:::1,DNS:localhost");
	if (!ext || !X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		goto out;
	}
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, k, EVP_sha256()) || !SSL_CTX_use_certificate(t->srv, x) ||
	    !SSL_CTX_use_PrivateKey(t->srv, k))
		goto out;
	t->self = x;
	x = NULL;
	err = 0;
out:
	if (err)
		ssl_error(d, "cannot make a self-signed certificate", NULL);
	X509_free(x);
	EVP_PKEY_free(k);
	return err;
}

static int use_cert(SSL_CTX *ctx, const struct tp_tls_conf *c, struct diag *d)
{
	const char *key = c->key ? c->key : c->cert;

	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return ssl_error(d, "cannot read the certificate", c->cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		return ssl_error(d, "cannot read the private key", key);
	if (SSL_CTX_check_private_key(ctx) != 1)
		return ssl_error(d, "the key does not match the certificate", c->cert);
	return 0;
}

int tp_tls_new(struct tp_tls **tp, const struct tp_tls_conf *c, struct diag *d)
{
	struct tp_tls *t = calloc(1, sizeof(*t));
	long mode = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
	int err;

	if (!t)
		return ENOMEM;
	t->verify = c->verify;
	t->cli = SSL_CTX_new(TLS_client_method());
	t->srv = SSL_CTX_new(TLS_server_method());
	if (!t->cli || !t->srv) {
		err = ssl_error(d, "cannot set up", NULL);
		goto out;
	}
	SSL_CTX_set_mode(t->cli, mode);
	SSL_CTX_set_mode(t->srv, mode);
	err = set_version(t->cli, c->version, d);
	if (!err)
		err = set_version(t->srv, c->version, d);
	if (err)
		goto out;
	if (c->key && !c->cert) {
		err = diag_set(d, NULL, 0, "-tls_key needs -tls_cert");
		goto out;
	}
	if (c->cert)
		err = use_cert(t->cli, c, d) || use_cert(t->srv, c, d) ? EINVAL : 0;
	else
		err = self_sign(t, d);
	if (err)
		goto out;
	if (c->ca ? SSL_CTX_load_verify_locations(t->cli, c->ca, NULL) != 1 :
		    SSL_CTX_set_default_verify_paths(t->cli) != 1) {
		err = ssl_error(d, "cannot read the CA file", c->ca);
		goto out;
	}
	SSL_CTX_set_verify(t->cli, c->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (c->require_client_cert) {
		STACK_OF(X509_NAME) *names;

		if (!c->ca) {
			err = diag_set(d, NULL, 0, "requiring client certificates needs -tls_ca");
			goto out;
		}
		names = SSL_load_client_CA_file(c->ca);
		if (SSL_CTX_load_verify_locations(t->srv, c->ca, NULL) != 1 || !names) {
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			err = ssl_error(d, "cannot read the CA file", c->ca);
			goto out;
		}
		SSL_CTX_set_client_CA_list(t->srv, names);
		SSL_CTX_set_verify(t->srv, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	*tp = t;
	return 0;
out:
	tp_tls_free(t);
	return err ? err : EINVAL;
}

int tp_tls_trust(struct tp_tls *client, const struct tp_tls *t, struct diag *d)
{
	if (t->self && X509_STORE_add_cert(SSL_CTX_get_cert_store(client->cli), t->self) != 1)
		return ssl_error(d, "cannot trust the embedded target's certificate", NULL);
	return 0;
}

void tp_tls_free(struct tp_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->cli);
	SSL_CTX_free(t->srv);
	X509_free(t->self);
	free(t);
}

/* ---- connections ------------------------------------------------------- */

void *tp_tls_conn_new(struct tp_tls *t, struct tp_conn *c, int server, const char *peer_name)
{
	SSL *ssl = SSL_new(server ? t->srv : t->cli);
	unsigned char tmp[16];
	char ip[64];

	if (!ssl || SSL_set_fd(ssl, c->fd) != 1)
		goto fail;
	if (server) {
		SSL_set_accept_state(ssl);
		return ssl;
	}
	SSL_set_connect_state(ssl);
	/* RFC 6066 3: SNI carries names, never address literals */
	if (peer_name && inet_pton(AF_INET, peer_name, tmp) != 1 &&
	    inet_pton(AF_INET6, peer_name, tmp) != 1) {
		if (SSL_set_tlsext_host_name(ssl, peer_name) != 1 ||
		    (t->verify && SSL_set1_host(ssl, peer_name) != 1))
			goto fail;
		return ssl;
	}
	tp_addr_ip(&c->peer, ip, sizeof(ip));
	if (t->verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) != 1)
		goto fail;
	return ssl;
fail:
	snprintf(c->why, sizeof(c->why), "TLS: cannot set up the connection");
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}

void tp_tls_conn_free(void *ssl)
{
	SSL_free(ssl);
}

int tp_tls_handshake(struct tp_conn *c)
{
	SSL *ssl = c->ssl;
	int r = SSL_do_handshake(ssl);
	long v;

	c->tls_wants_write = 0;
	if (r == 1)
		return 1;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->tls_wants_write = 1;
		return 0;
	default:
		break;
	}
	v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK)
		snprintf(c->why, sizeof(c->why), "TLS handshake failed: certificate: %s",
			 X509_verify_cert_error_string(v));
	else {
		char e[80];
		unsigned long code = ERR_get_error();

		ERR_error_string_n(code, e, sizeof(e));
		snprintf(c->why, sizeof(c->why), "TLS handshake failed: %s",
			 code ? e : "the peer closed the connection");
	}
	ERR_clear_error();
	return -1;
}

/* SSL_read/SSL_write's result r as recv/send would give it. */
static long io_result(struct tp_conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->tls_wants_write = 1;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_READ:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (!errno)
			return 0;   /* end of file without close_notify */
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

long tp_tls_read(struct tp_conn *c, void *buf, size_t n)
{
	int r;

	c->tls_wants_write = 0;
	errno = 0;
	r = SSL_read(c->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	return r > 0 ? r : io_result(c, r);
}

long tp_tls_write(struct tp_conn *c, const void *buf, size_t n)
{
	int r;

	errno = 0;
	r = SSL_write(c->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	return r > 0 ? r : io_result(c, r);
}
