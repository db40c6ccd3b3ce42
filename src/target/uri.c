/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uri: how the target reads URIs, header names and host:port, and where
 * it may send (never to broadcast or multicast; with local-only, only to
 * loopback). No state, no sending: the leaf of target/. */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "target/internal.h"

/* The user part of a SIP URI inside p[0..len) ("sip:user@host..."). */
struct msg_pl tgt_uri_user(const char *p, size_t len)
{
	struct msg_pl u = {NULL, 0};
	const char *s, *e, *at;

	if (!len)
		return u;  /* no such header: p is NULL */
	e = p + len;
	s = memmem(p, len, "sip:", 4);
	if (!s)
		s = memmem(p, len, "sips:", 5);
	if (!s)
		return u;
	s = memchr(s, ':', (size_t)(e - s)) + 1;
	for (at = s; at < e && *at != '@' && *at != '>' && *at != ';'; at++)
		;
	if (at < e && *at == '@') {
		u.p = s;
		u.len = (size_t)(at - s);
	}
	return u;
}

/* host and port of a SIP URI (or of "SIP/2.0/UDP host:port" when via). */
int tgt_uri_hostport(const char *p, size_t len, char *host, size_t hn, unsigned *port)
{
	const char *e = p + len, *s = p, *h;
	size_t n;

	while (s < e && (*s == ' ' || *s == '<'))
		s++;
	if ((size_t)(e - s) > 4 && !strncasecmp(s, "sip:", 4))
		s += 4;
	else if ((size_t)(e - s) > 5 && !strncasecmp(s, "sips:", 5))
		s += 5;
	for (h = s; h < e && *h != '>' && *h != ';' && *h != '?'; h++)
		if (*h == '@') {
			s = h + 1;
			break;
		}
	if (*s == '[') {
		for (h = s; h < e && *h != ']'; h++)
			;
		h = h < e ? h + 1 : h;
	} else {
		for (h = s; h < e && *h != ':' && *h != ';' && *h != '>' && *h != ' ' &&
		     *h != '?' && *h != ','; h++)
			;
	}
	n = (size_t)(h - s);
	if (!n || n >= hn)
		return EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = 5060;
	if (h < e && *h == ':')
		*port = (unsigned)strtoul(h + 1, NULL, 10);
	return *port && *port < 65536 ? 0 : EINVAL;
}

/* Is line (len bytes) the header name, or its compact form? */
int tgt_is_hdr(const char *line, size_t len, const char *name, const char *compact)
{
	size_t n = strlen(name);
	const char *c;

	if (len > n && !strncasecmp(line, name, n))
		c = line + n;
	else if (compact && len > 1 && tolower((unsigned char)line[0]) == compact[0])
		c = line + 1;
	else
		return 0;
	while (c < line + len && (*c == ' ' || *c == '\t'))
		c++;
	return c < line + len && *c == ':';
}

/* Is this URI ours (host and port of the target)? */
int tgt_is_self(const struct target *tg, const char *uri, size_t len)
{
	char host[128];
	unsigned port;

	return !tgt_uri_hostport(uri, len, host, sizeof(host), &port) && port == tg->port &&
	       (!strcmp(host, tg->ip) || !strcmp(host, "localhost"));
}

/* Is a loopback address (127/8, ::1, ::ffff:127/104)? */
static int is_loopback(const struct tp_addr *a)
{
	const unsigned char *b6 = a->ss.in6.sin6_addr.s6_addr;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (a->ss.ss_family == AF_INET)
		return (ntohl(a->ss.in.sin_addr.s_addr) >> 24) == 127;
	if (a->ss.ss_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&a->ss.in6.sin6_addr) ||
	       (!memcmp(b6, mapped, 12) && b6[12] == 127);
}

/* May the target send to a? Not to a broadcast or multicast address
 * (RFC 4475 3.3.10: a response's second Via may say 255.255.255.255),
 * and with local-only, only to loopback. */
int tgt_may_send(const struct target *tg, const struct tp_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		uint32_t v4 = ntohl(a->ss.in.sin_addr.s_addr);

		if (v4 == 0xffffffffU || (v4 >> 28) == 0xe || v4 == 0)
			return 0;
	} else if (a->ss.ss_family == AF_INET6 &&
		   (IN6_IS_ADDR_MULTICAST(&a->ss.in6.sin6_addr) ||
		    IN6_IS_ADDR_UNSPECIFIED(&a->ss.in6.sin6_addr))) {
		return 0;
	}
	return !tg->conf->local_only || is_loopback(a);
}

/* host:port of a URI or Via as an address. With local-only a name is
 * never looked up (a message names any host it likes; looking it up
 * would block the loop and leave the machine), except "localhost". */
int tgt_addr_of(const struct target *tg, struct tp_addr *a, const char *host, unsigned port)
{
	char h[80], hp[128];
	struct diag d = {0};
	unsigned char bin[16];

	if (tg->conf->local_only && strcasecmp(host, "localhost")) {
		char bare[80];
		size_t n = strlen(host);

		if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
			snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), host + 1);
		else
			snprintf(bare, sizeof(bare), "%s", host);
		if (inet_pton(AF_INET, bare, bin) != 1 && inet_pton(AF_INET6, bare, bin) != 1)
			return EHOSTUNREACH;
	}
	tp_ip_host(host, h, sizeof(h));
	snprintf(hp, sizeof(hp), "%s:%u", h, port);
	if (tp_addr_parse(a, hp, 5060, &d))
		return EINVAL;
	return tgt_may_send(tg, a) ? 0 : EHOSTUNREACH;
}
