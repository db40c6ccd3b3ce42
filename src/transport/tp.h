/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tp: transports. UDP now (one shared socket, or one per call); TCP, TLS
 * and WebSocket later behind the same calls. Receiving is batched
 * (recvmmsg) and handed up datagram by datagram through tp_recv_h. */
#ifndef SB_TP_H
#define SB_TP_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "base/diag.h"

struct loop;
struct tp_sock;

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
void tp_close(struct tp_sock *s);
/* From now on, gather what is sent on s during a loop turn and send it
 * with one sendmmsg at the end of the turn (a shared socket: per-call
 * sockets gain nothing). A batched send that fails then is counted in
 * tp_stats.tx_late_errors, not returned by tp_send. */
int tp_set_batching(struct tp_sock *s);

/* Send one datagram. Returns 0 or errno (EAGAIN when the socket buffer
 * is full, ECONNREFUSED after an ICMP port unreachable...). */
int tp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to);

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

/* Counters kept by the transport layer (all sockets). */
/* ip as the host part of a URI or Via: an IPv6 address in brackets
 * (RFC 3261 25.1, IPv6reference), anything else as it is. */
void tp_ip_host(const char *ip, char *out, size_t n);
/* The address of a as a URI host (tp_addr_ip, then tp_ip_host). */
void tp_addr_host(const struct tp_addr *a, char *out, size_t n);

struct tp_stats {
	unsigned long long rx_dgrams, tx_dgrams, tx_errors, rx_truncated;
	unsigned long long tx_late_errors;  /* batched sends that failed    */
};
const struct tp_stats *tp_get_stats(void);

/* The machine's UDP receive buffer overflows so far (RcvbufErrors of
 * /proc/net/snmp), or -1 when unknown. */
long long tp_udp_rcvbuf_errors(void);

#endif
