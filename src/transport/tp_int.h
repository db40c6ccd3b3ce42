/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tp_int: what the transport files share and nobody else sees. A
 * tp_sock is one of two kinds: a UDP socket (udp.c), or a stream
 * endpoint (stream.c) holding connections for TCP, TLS, WS and WSS;
 * frame.c frames SIP in their bytes. */
#ifndef SB_TP_INT_H
#define SB_TP_INT_H

#include <stdint.h>
#include "transport/tp.h"
#include "base/htab.h"
#include "loop/loop.h"

struct tp_stream;

struct tp_sock {
	enum tp_proto proto;
	int fd;                    /* UDP: the socket; stream: the listener or -1 */
	struct loop *loop;
	tp_recv_h *h;
	void *arg;
	tp_lost_h *lost;
	void *lost_arg;
	tp_icmp_h *icmp;           /* UDP: ICMP errors (tp_set_icmp)        */
	void *icmp_arg;
	unsigned port;
	char ip[64];
	struct txq *txq;           /* UDP, tp_set_batching, else NULL        */
	struct loop_defer flush;   /* queued while txq holds datagrams       */
	struct tp_stream *st;      /* stream endpoints                       */
	uint32_t drops;            /* UDP: the socket's drops counted so far */
};

extern struct tp_stats tp_stats_g;

/* ip:port (an address literal) as a tp_addr, or EINVAL with d filled. */
int tp_local_parse(struct tp_addr *a, const char *ip, unsigned port, struct diag *d);
/* Bind fd to a (port 0: any) and fill s->ip and s->port from what the
 * kernel gave. reuse: SO_REUSEADDR and SO_REUSEPORT first, so that the
 * connections of a stream endpoint leave from its listening port. */
int tp_bind(struct tp_sock *s, int fd, const struct tp_addr *a, int reuse, struct diag *d);
/* A hash of a's address and port, and whether a and b are the same
 * address and port (a stream endpoint's table of connections). */
uint64_t tp_addr_key(const struct tp_addr *a);
int tp_addr_eq(const struct tp_addr *a, const struct tp_addr *b);

int tp_udp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to);
void tp_udp_close(struct tp_sock *s);
int tp_stream_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to);
void tp_stream_close(struct tp_sock *s);
static inline int tp_is_tls(enum tp_proto p) { return p == TP_TLS || p == TP_WSS; }
static inline int tp_is_ws(enum tp_proto p) { return p == TP_WS || p == TP_WSS; }
int tp_stream_pending(const struct tp_sock *s);

/* frame.c. SIP over a stream (RFC 3261 18.3): the length of the first
 * message in buf[0..len), headers and the body that Content-Length
 * announces. Returns 0 when more bytes are needed, -1 when the message
 * is malformed (no Content-Length value that parses, or larger than
 * max), else its length. *skip is set to the CR/LF bytes before it
 * (keep-alives). */
long tp_frame_sip(const char *buf, size_t len, size_t max, size_t *skip);


/* A growable byte buffer of a connection. */
struct tp_bytes {
	char *p;
	size_t len, cap;
};
int tp_bytes_add(struct tp_bytes *b, const void *data, size_t n);
void tp_bytes_drop(struct tp_bytes *b, size_t n);   /* the first n bytes */
void tp_bytes_free(struct tp_bytes *b);             /* and its memory     */

enum tp_cstate { TP_C_CONNECTING, TP_C_TLS, TP_C_WS, TP_C_OPEN };

/* One connection of a stream endpoint. */
struct tp_conn {
	struct htab_node hn;       /* in the endpoint's table, by peer       */
	struct lst_node le;        /* in the endpoint's list                 */
	struct tp_sock *ep;
	int fd;
	struct tp_addr peer;
	enum tp_cstate state;
	unsigned outgoing : 1;
	unsigned watching_write : 1;
	unsigned tls_wants_write : 1;  /* SSL_read needs the socket writable */
	void *ssl;                 /* SSL *, TLS and WSS                     */
	struct tp_bytes rx;        /* read, not yet handed up                */
	struct tp_bytes tx;        /* to write once open (framed for WS)     */
	struct tp_bytes hs;        /* WebSocket handshake, written first     */
	struct tp_bytes frag;      /* a fragmented WebSocket message         */
	char ws_key[32];           /* the Sec-WebSocket-Key we sent          */
	char why[120];             /* why it ended                           */
};

/* tls.c. A new SSL for c's fd (server: accepting), or NULL with c->why
 * set. peer_name: the name to verify and send as SNI (NULL: check the
 * address). */
void *tp_tls_conn_new(struct tp_tls *t, struct tp_conn *c, int server,
		      const char *peer_name);
void tp_tls_conn_free(void *ssl);
/* The handshake: 1 done, 0 again later, -1 failed (c->why set). */
int tp_tls_handshake(struct tp_conn *c);
/* Like recv and send: > 0 bytes, 0 the peer closed, -1 with errno
 * (EAGAIN: later). */
long tp_tls_read(struct tp_conn *c, void *buf, size_t n);
long tp_tls_write(struct tp_conn *c, const void *buf, size_t n);

/* ws.c (RFC 6455 for RFC 7118). */
/* The client's upgrade request, into c->hs. */
int tp_ws_client_hello(struct tp_conn *c, const char *path);
/* Handshake bytes at the start of c->rx: 1 done (consumed, and for a
 * server the answer queued in c->hs), 0 more needed, -1 refused
 * (c->why set). */
int tp_ws_handshake_rx(struct tp_conn *c);
/* Frame a message into c->tx (clients mask). */
int tp_ws_frame(struct tp_conn *c, const void *buf, size_t len);
/* The next whole message in c->rx: > 0 its length, at *msg (valid until
 * the next call); 0 more needed; -1 the connection must end (c->why
 * set). Control frames are answered here. *used: bytes of c->rx to drop
 * once the message is handed up. */
long tp_ws_next(struct tp_conn *c, const char **msg, size_t *used);

#endif
