/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ws: WebSocket (RFC 6455) as RFC 7118 uses it for SIP: an HTTP/1.1
 * upgrade asking for the "sip" subprotocol, then one SIP message per
 * WebSocket message (text frames; clients mask theirs). Pings are
 * answered with pongs, a close with a close. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "transport/tp_int.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define HEAD_MAX 8192
#define MSG_MAX 65535

enum { OP_CONT = 0, OP_TEXT = 1, OP_BIN = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10 };

/* base64(SHA-1(key GUID)): the Sec-WebSocket-Accept of key. */
static void accept_of(const char *key, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char in[128];

	snprintf(in, sizeof(in), "%s%s", key, WS_GUID);
	EVP_Digest(in, strlen(in), md, &n, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, (int)n);
}

int tp_ws_client_hello(struct tp_conn *c, const char *path)
{
	unsigned char nonce[16];
	char host[80], req[512];
	int n;

	RAND_bytes(nonce, sizeof(nonce));
	EVP_EncodeBlock((unsigned char *)c->ws_key, nonce, sizeof(nonce));
	tp_addr_host(&c->peer, host, sizeof(host));
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
		     path, host, tp_addr_port(&c->peer), c->ws_key);
	return tp_bytes_add(&c->hs, req, (size_t)n);
}

/* The value of header name in the HTTP head h (NUL-terminated), into
 * out. 0 found, -1 not. */
static int head_value(const char *h, const char *name, char *out, size_t n)
{
	size_t l = strlen(name);
	const char *p;

	for (p = strstr(h, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2, *v, *e;

		if (strncasecmp(line, name, l) || line[l] != ':')
			continue;
		v = line + l + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = strstr(v, "\r\n");
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		snprintf(out, n, "%.*s", (int)(e - v), v);
		return 0;
	}
	return -1;
}

/* A comma-separated header value holds token (case-insensitive). */
static int has_token(const char *v, const char *token)
{
	size_t l = strlen(token);

	while (*v) {
		while (*v == ' ' || *v == ',')
			v++;
		if (!strncasecmp(v, token, l) && (v[l] == '\0' || v[l] == ',' || v[l] == ' '))
			return 1;
		v += strcspn(v, ",");
	}
	return 0;
}

static int refuse(struct tp_conn *c, const char *why)
{
	static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

	snprintf(c->why, sizeof(c->why), "WebSocket handshake refused: %s", why);
	if (!c->outgoing)
		(void)tp_bytes_add(&c->hs, bad, sizeof(bad) - 1);
	return -1;
}

int tp_ws_handshake_rx(struct tp_conn *c)
{
	char v[256], want[64], reply[512];
	const char *end;
	size_t head;
	int n;

	end = c->rx.len >= 4 ? memmem(c->rx.p, c->rx.len, "\r\n\r\n", 4) : NULL;
	if (!end)
		return c->rx.len > HEAD_MAX ? refuse(c, "no end of the HTTP head") : 0;
	head = (size_t)(end - c->rx.p) + 4;
	c->rx.p[head - 2] = '\0';      /* "\r\n\0": lines stay whole */
	if (c->outgoing) {
		if (strncmp(c->rx.p, "HTTP/1.1 101", 12)) {
			snprintf(v, sizeof(v), "%.*s", (int)strcspn(c->rx.p, "\r\n"), c->rx.p);
			return refuse(c, v);
		}
		accept_of(c->ws_key, want);
		if (head_value(c->rx.p, "Sec-WebSocket-Accept", v, sizeof(v)) || strcmp(v, want))
			return refuse(c, "wrong Sec-WebSocket-Accept");
		if (head_value(c->rx.p, "Sec-WebSocket-Protocol", v, sizeof(v)) ||
		    strcasecmp(v, "sip"))
			return refuse(c, "the server did not take the sip subprotocol");
		tp_bytes_drop(&c->rx, head);
		return 1;
	}
	if (strncmp(c->rx.p, "GET ", 4))
		return refuse(c, "not a GET");
	if (head_value(c->rx.p, "Upgrade", v, sizeof(v)) || !has_token(v, "websocket"))
		return refuse(c, "no Upgrade: websocket");
	if (head_value(c->rx.p, "Sec-WebSocket-Protocol", v, sizeof(v)) || !has_token(v, "sip"))
		return refuse(c, "no sip subprotocol asked for");
	if (head_value(c->rx.p, "Sec-WebSocket-Key", v, sizeof(v)) || strlen(v) > 40)
		return refuse(c, "no Sec-WebSocket-Key");
	accept_of(v, want);
	n = snprintf(reply, sizeof(reply),
		     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		     "Sec-WebSocket-Protocol: sip\r\n\r\n", want);
	tp_bytes_drop(&c->rx, head);
	return tp_bytes_add(&c->hs, reply, (size_t)n) ? -1 : 1;
}

static int frame_into(struct tp_bytes *b, int mask, unsigned op, const void *buf, size_t len)
{
	unsigned char h[14], key[4];
	size_t hl = 2, i;
	char *p;

	h[0] = (unsigned char)(0x80 | op);
	if (len < 126) {
		h[1] = (unsigned char)len;
	} else if (len <= 0xffff) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	if (mask) {
		RAND_bytes(key, sizeof(key));
		h[1] |= 0x80;
		memcpy(h + hl, key, 4);
		hl += 4;
	}
	if (tp_bytes_add(b, h, hl) || tp_bytes_add(b, buf, len))
		return ENOMEM;
	if (mask)
		for (p = b->p + b->len - len, i = 0; i < len; i++)
			p[i] ^= (char)key[i & 3];
	return 0;
}

int tp_ws_frame(struct tp_conn *c, const void *buf, size_t len)
{
	return frame_into(&c->tx, c->outgoing, OP_TEXT, buf, len);
}

long tp_ws_next(struct tp_conn *c, const char **msg, size_t *used)
{
	unsigned char *p = (unsigned char *)c->rx.p;
	size_t have = c->rx.len, hl = 2, i;
	uint64_t len;
	unsigned op, fin, masked;
	unsigned char *data;

	*used = 0;
	if (have < 2)
		return 0;
	fin = p[0] & 0x80;
	op = p[0] & 0x0f;
	masked = p[1] & 0x80;
	len = p[1] & 0x7f;
	if (len == 126) {
		if (have < 4)
			return 0;
		len = (uint64_t)p[2] << 8 | p[3];
		hl = 4;
	} else if (len == 127) {
		if (have < 10)
			return 0;
		for (len = 0, i = 0; i < 8; i++)
			len = len << 8 | p[2 + i];
		hl = 10;
	}
	if (len > MSG_MAX) {
		snprintf(c->why, sizeof(c->why), "WebSocket frame of %llu bytes",
			 (unsigned long long)len);
		return -1;
	}
	if (masked)
		hl += 4;
	if (have < hl + len)
		return 0;
	data = p + hl;
	if (masked)
		for (i = 0; i < len; i++)
			data[i] ^= p[hl - 4 + (i & 3)];
	*used = hl + (size_t)len;
	switch (op) {
	case OP_PING:
		if (frame_into(&c->tx, c->outgoing, OP_PONG, data, (size_t)len))
			return -1;
		return 0;
	case OP_PONG:
		return 0;
	case OP_CLOSE:
		(void)frame_into(&c->tx, c->outgoing, OP_CLOSE, data, len >= 2 ? 2 : 0);
		snprintf(c->why, sizeof(c->why), "WebSocket closed by the peer");
		return -1;
	case OP_TEXT:
	case OP_BIN:
		if (fin && !c->frag.len) {
			*msg = (const char *)data;
			return (long)len;
		}
		c->frag.len = 0;
		/* fall through */
	case OP_CONT:
		if (c->frag.len + len > MSG_MAX ||
		    tp_bytes_add(&c->frag, data, (size_t)len)) {
			snprintf(c->why, sizeof(c->why), "WebSocket message too large");
			return -1;
		}
		if (!fin)
			return 0;
		*msg = c->frag.p;
		len = c->frag.len;
		c->frag.len = 0;  /* the bytes stay until the next fragment */
		return (long)len;
	default:
		snprintf(c->why, sizeof(c->why), "WebSocket opcode %u", op);
		return -1;
	}
}
