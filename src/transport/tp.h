/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tp: transports. UDP (one shared socket, or one per call), and streams:
 * TCP, TLS, WebSocket and secure WebSocket (RFC 7118), behind the same
 * calls. A stream socket is an endpoint: it may listen, and it keeps a
 * connection per peer address, opened on the first send to it, so the
 * layers above address peers as they do over UDP. UDP receiving is
 * batched (recvmmsg); every message, datagram or framed, is handed up
 * through tp_recv_h. */
#ifndef SB_TP_H
#define SB_TP_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "base/diag.h"

struct loop;
struct tp_sock;
struct tp_tls;

enum tp_proto { TP_UDP, TP_TCP, TP_TLS, TP_WS, TP_WSS };

/* "UDP", "TCP", "TLS", "WS", "WSS": as in a Via header. */
const char *tp_proto_name(enum tp_proto p);
/* The same in lower case, as a URI's transport= parameter. */
const char *tp_proto_param(enum tp_proto p);
/* Streams deliver or fail: no SIP retransmissions (RFC 3261 17.1.1.2). */
int tp_proto_reliable(enum tp_proto p);
/* Default port of a target: 5060, 5061 for TLS, 80 and 443 for WS(S). */
unsigned tp_proto_port(enum tp_proto p);

/* An IPv4 or IPv6 address: 28 bytes, not sockaddr_storage's 128 (every
 * call keeps one per party). */
union tp_sa {
	sa_family_t ss_family;
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct tp_addr {
	union tp_sa ss;
	socklen_t len;
};

/* A datagram arrived on s from `from`. buf is valid during the call. */
typedef void (tp_recv_h)(struct tp_sock *s, const char *buf, size_t len,
			 const struct tp_addr *from, void *arg);

/* Open a UDP socket bound to ip:port (port 0: any free port) and watch
 * it on l. On error returns an errno and fills d ("cannot bind ..."). */
int tp_udp_open(struct tp_sock **sp, struct loop *l, const char *ip,
		unsigned port, tp_recv_h *h, void *arg, struct diag *d);
/* A stream endpoint bound to ip:port (port 0: any free port). listen:
 * accept connections there too; connections it opens leave from the same
 * port (SO_REUSEPORT), so a peer that answers or calls back our Via or
 * Contact address finds the connection already open. tls: contexts for
 * TP_TLS and TP_WSS (else NULL). peer_name: the name the remote's
 * certificate must carry and SNI (NULL: the address). ws_path: the
 * Request-URI of the WebSocket handshake ("/" when NULL). */
struct tp_stream_conf {
	enum tp_proto proto;
	int listen;
	struct tp_tls *tls;
	const char *peer_name;
	const char *ws_path;
};
int tp_stream_open(struct tp_sock **sp, struct loop *l, const struct tp_stream_conf *c,
		   const char *ip, unsigned port, tp_recv_h *h, void *arg, struct diag *d);
/* A connection of s ended: outgoing tells whether s had opened it, why
 * is a short reason ("connection refused", "closed by the peer", "TLS
 * handshake failed: ..."). What was queued for it is lost. */
typedef void (tp_lost_h)(struct tp_sock *s, const struct tp_addr *peer, int outgoing,
			 const char *why, void *arg);
void tp_set_lost(struct tp_sock *s, tp_lost_h *h, void *arg);
/* UDP: an ICMP error came back for a datagram s sent to `to` (IP_RECVERR,
 * RFC 1122 4.1.3.3). offender: the address that sent the ICMP message (the
 * target itself, or a router); what: its kind, "port unreachable", "host
 * unreachable", ...; fatal: a destination-unreachable error (the datagram
 * cannot arrive), not a "packet too big" or "time exceeded". buf: the start
 * of the datagram as the ICMP message quoted it (about 500 bytes over IPv4,
 * often less than the whole message). */
struct tp_icmp {
	struct tp_addr to, offender;
	const char *what;
	int fatal;
	const char *buf;
	size_t len;
};
typedef void (tp_icmp_h)(struct tp_sock *s, const struct tp_icmp *ic, void *arg);
void tp_set_icmp(struct tp_sock *s, tp_icmp_h *h, void *arg);
enum tp_proto tp_sock_proto(const struct tp_sock *s);
void tp_close(struct tp_sock *s);

/* TLS settings, shared by the endpoints of a run. cert and key: our
 * certificate (a server's, or a client certificate); with none, a
 * server side gets a self-signed one made at start. ca: the CAs to
 * verify peers with (else the system's); a server given ca requires
 * client certificates. verify 0 turns checking of the peer's
 * certificate off. version: "1.2" or "1.3" pins it, NULL allows both. */
struct tp_tls_conf {
	const char *cert, *key, *ca, *version;
	int verify;
	int require_client_cert;
};
int tp_tls_new(struct tp_tls **tp, const struct tp_tls_conf *c, struct diag *d);
/* Trust what t presents as a server (its self-signed certificate): the
 * embedded target and the engine in one process. */
int tp_tls_trust(struct tp_tls *client, const struct tp_tls *t, struct diag *d);
void tp_tls_free(struct tp_tls *t);
/* From now on, gather what is sent on s during a loop turn and send it
 * with one sendmmsg at the end of the turn (a shared socket: per-call
 * sockets gain nothing). A batched send that fails then is counted in
 * tp_stats.tx_late_errors, not returned by tp_send. */
int tp_set_batching(struct tp_sock *s);

/* Send one datagram. Returns 0 or errno (EAGAIN when the socket buffer
 * is full, ECONNREFUSED after an ICMP port unreachable...). */
int tp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to);

/* Does s hold bytes not yet written: a stream connection still being
 * set up (TCP connect, TLS or WebSocket handshake) or a full socket
 * buffer? Before a run ends, the loop turns until it does not. */
int tp_pending(const struct tp_sock *s);

/* Hand buf to s's receive handler as if it had arrived from `from`: the
 * path every received datagram or framed message takes. For the fuzz
 * targets (fuzz/) and their regression replay; nothing else calls it. */
void tp_deliver(struct tp_sock *s, const char *buf, size_t len, const struct tp_addr *from);

/* The bound port and address (as text) of s. */
unsigned tp_port(const struct tp_sock *s);
const char *tp_ip(const struct tp_sock *s);
void tp_set_arg(struct tp_sock *s, void *arg);

/* Parse "host[:port]" (IPv4 literal or name; "[v6]:port" accepted) into
 * a. Returns 0, or EINVAL with d filled. */
int tp_addr_parse(struct tp_addr *a, const char *hostport, unsigned defport,
		  struct diag *d);
/* Text of a's address and its port. */
void tp_addr_ip(const struct tp_addr *a, char *out, size_t n);
unsigned tp_addr_port(const struct tp_addr *a);

/* ip as the host part of a URI or Via: an IPv6 address in brackets
 * (RFC 3261 25.1, IPv6reference), anything else as it is. */
void tp_ip_host(const char *ip, char *out, size_t n);
/* The address of a as a URI host (tp_addr_ip, then tp_ip_host). */
void tp_addr_host(const struct tp_addr *a, char *out, size_t n);

/* Counters kept by the transport layer (all sockets); rx_dgrams and
 * tx_dgrams count messages on streams too. */
struct tp_stats {
	unsigned long long rx_dgrams, tx_dgrams, tx_errors, rx_truncated;
	unsigned long long tx_late_errors;  /* batched sends that failed    */
	unsigned long long conns_out, conns_in;  /* connections opened, accepted */
	unsigned long long conns_lost;      /* ended other than by tp_close */
	unsigned long long tls_failures;    /* handshakes that failed       */
	unsigned long long stream_errors;   /* unframeable bytes: connection
					       closed                        */
	unsigned long long icmp_errors;     /* UDP: ICMP errors read         */
	unsigned long long rx_drops;        /* UDP: datagrams our sockets
					       dropped, receive buffer full:
					       counted as received datagrams
					       tell, or at tp_close and
					       tp_udp_sync_drops            */
};
const struct tp_stats *tp_get_stats(void);

/* Bring tp_stats.rx_drops up to date with s's own drop count (UDP;
 * nothing for a stream): the drops after its last datagram received. */
void tp_udp_sync_drops(struct tp_sock *s);

#endif
