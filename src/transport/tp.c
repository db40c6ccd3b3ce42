/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tp: what every transport shares: the protocols' names, binding, the
 * calls that go to UDP or to a stream endpoint, addresses as text. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include "transport/tp_int.h"

struct tp_stats tp_stats_g;

const struct tp_stats *tp_get_stats(void)
{
	return &tp_stats_g;
}

static const char *const proto_names[] = {"UDP", "TCP", "TLS", "WS", "WSS"};
static const char *const proto_params[] = {"udp", "tcp", "tls", "ws", "wss"};

const char *tp_proto_name(enum tp_proto p)
{
	return proto_names[p];
}

const char *tp_proto_param(enum tp_proto p)
{
	return proto_params[p];
}

int tp_proto_reliable(enum tp_proto p)
{
	return p != TP_UDP;
}

unsigned tp_proto_port(enum tp_proto p)
{
	switch (p) {
	case TP_TLS: return 5061;
	case TP_WS: return 80;
	case TP_WSS: return 443;
	default: return 5060;
	}
}

enum tp_proto tp_sock_proto(const struct tp_sock *s)
{
	return s->proto;
}

int tp_local_parse(struct tp_addr *a, const char *ip, unsigned port, struct diag *d)
{
	char host[80], spec[128];

	tp_ip_host(ip, host, sizeof(host));
	snprintf(spec, sizeof(spec), "%s:%u", host, port);
	if (tp_addr_parse(a, spec, port, d))
		return diag_set(d, NULL, 0, "bad local address '%s' (expected an IPv4 or IPv6 "
				"address)", ip);
	return 0;
}

int tp_bind(struct tp_sock *s, int fd, const struct tp_addr *at, int reuse, struct diag *d)
{
	struct tp_addr a = *at;
	char host[80];
	int err, one = 1;

	if (reuse && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0))
		return diag_set(d, NULL, 0, "cannot share a port: %s", strerror(errno));
	if (bind(fd, &a.ss.sa, a.len) < 0) {
		err = errno;
		tp_addr_host(&a, host, sizeof(host));
		diag_set(d, NULL, 0, "cannot bind %s %s:%u: %s", tp_proto_name(s->proto), host,
			 tp_addr_port(&a), strerror(err));
		return err;
	}
	a.len = sizeof(a.ss);
	if (getsockname(fd, &a.ss.sa, &a.len) < 0)
		return errno;
	s->port = tp_addr_port(&a);
	tp_addr_ip(&a, s->ip, sizeof(s->ip));
	return 0;
}

int tp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to)
{
	if (s->proto == TP_UDP)
		return tp_udp_send(s, buf, len, to);
	return tp_stream_send(s, buf, len, to);
}

int tp_pending(const struct tp_sock *s)
{
	return s && s->proto != TP_UDP && tp_stream_pending(s);
}

void tp_deliver(struct tp_sock *s, const char *buf, size_t len, const struct tp_addr *from)
{
	s->h(s, buf, len, from, s->arg);
}

void tp_close(struct tp_sock *s)
{
	if (!s)
		return;
	if (s->proto == TP_UDP)
		tp_udp_close(s);
	else
		tp_stream_close(s);
}

void tp_set_lost(struct tp_sock *s, tp_lost_h *h, void *arg)
{
	s->lost = h;
	s->lost_arg = arg;
}

void tp_set_icmp(struct tp_sock *s, tp_icmp_h *h, void *arg)
{
	s->icmp = h;
	s->icmp_arg = arg;
}

unsigned tp_port(const struct tp_sock *s)
{
	return s->port;
}

const char *tp_ip(const struct tp_sock *s)
{
	return s->ip;
}

void tp_set_arg(struct tp_sock *s, void *arg)
{
	s->arg = arg;
}

static int split_hostport(const char *hp, char *host, size_t hn, unsigned *port)
{
	const char *colon;
	size_t l;

	if (hp[0] == '[') {
		const char *rb = strchr(hp, ']');

		if (!rb)
			return EINVAL;
		l = (size_t)(rb - hp - 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		hp++;
	} else {
		colon = strrchr(hp, ':');
		if (colon && strchr(hp, ':') != colon)
			colon = NULL; /* bare IPv6 literal */
		l = colon ? (size_t)(colon - hp) : strlen(hp);
	}
	if (l == 0 || l >= hn)
		return EINVAL;
	memcpy(host, hp, l);
	host[l] = '\0';
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (*end || p < 0 || p > 65535)
			return EINVAL;
		*port = (unsigned)p;
	}
	return 0;
}

int tp_addr_parse(struct tp_addr *a, const char *hostport, unsigned defport,
		  struct diag *d)
{
	struct addrinfo hints, *res = NULL;
	char host[256], port[8];
	unsigned p = defport;
	int rc;

	if (split_hostport(hostport, host, sizeof(host), &p))
		return diag_set(d, NULL, 0, "bad address '%s' (expected host[:port])", hostport);
	snprintf(port, sizeof(port), "%u", p);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res)
		return diag_set(d, NULL, 0, "cannot resolve '%s': %s", host, gai_strerror(rc));
	if (res->ai_addrlen > sizeof(a->ss)) {
		freeaddrinfo(res);
		return diag_set(d, NULL, 0, "'%s' is not an IPv4 or IPv6 address", host);
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void tp_ip_host(const char *ip, char *out, size_t n)
{
	snprintf(out, n, strchr(ip, ':') && ip[0] != '[' ? "[%s]" : "%s", ip);
}

void tp_addr_host(const struct tp_addr *a, char *out, size_t n)
{
	char ip[64];

	tp_addr_ip(a, ip, sizeof(ip));
	tp_ip_host(ip, out, n);
}

void tp_addr_ip(const struct tp_addr *a, char *out, size_t n)
{
	const void *src = a->ss.ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr;

	if (!inet_ntop(a->ss.ss_family, src, out, (socklen_t)n))
		snprintf(out, n, "?");
}

unsigned tp_addr_port(const struct tp_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

uint64_t tp_addr_key(const struct tp_addr *a)
{
	const unsigned char *p;
	uint64_t h = 1469598103934665603ull;
	size_t i, n;

	if (a->ss.ss_family == AF_INET6) {
		p = (const unsigned char *)&a->ss.in6.sin6_addr;
		n = 16;
	} else {
		p = (const unsigned char *)&a->ss.in.sin_addr;
		n = 4;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (h ^ tp_addr_port(a)) * 1099511628211ull;
}

int tp_addr_eq(const struct tp_addr *a, const struct tp_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family || tp_addr_port(a) != tp_addr_port(b))
		return 0;
	if (a->ss.ss_family == AF_INET6)
		return !memcmp(&a->ss.in6.sin6_addr, &b->ss.in6.sin6_addr, 16);
	return a->ss.in.sin_addr.s_addr == b->ss.in.sin_addr.s_addr;
}
