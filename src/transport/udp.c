/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp: UDP sockets on the event loop; batched receive with recvmmsg. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include "loop/loop.h"
#include "transport/tp.h"

#define BATCH 32
#define DGRAM_MAX 65536
#define TXQ 64                 /* datagrams per sendmmsg                 */
#define TXQ_BYTES 65536        /* their bytes                            */
#define TXQ_DIRECT 8192        /* larger datagrams go out at once        */

/* Sends gathered during a loop turn, sent with one sendmmsg at its end. */
struct txq {
	struct mmsghdr mm[TXQ];
	struct iovec iov[TXQ];
	struct tp_addr to[TXQ];
	unsigned n;
	size_t used;
	char bytes[TXQ_BYTES];
};

struct tp_sock {
	int fd;
	struct loop *loop;
	tp_recv_h *h;
	void *arg;
	unsigned port;
	char ip[64];
	struct txq *txq;           /* tp_set_batching, else NULL            */
	struct loop_defer flush;   /* queued while txq holds datagrams       */
};

/* Receive buffers shared by all sockets: the loop is single-threaded and
 * a datagram is handed up and consumed before the next recvmmsg. */
static char rxbuf[BATCH][DGRAM_MAX];
static struct tp_stats stats;

const struct tp_stats *tp_get_stats(void)
{
	return &stats;
}

static void on_readable(int fd, unsigned events, void *arg)
{
	struct tp_sock *s = arg;
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct tp_addr from[BATCH];
	int n, i, rounds = 0;

	(void)events;
	do {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = rxbuf[i];
			iov[i].iov_len = DGRAM_MAX - 1;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i].ss;
			mm[i].msg_hdr.msg_namelen = sizeof(from[i].ss);
		}
		n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			from[i].len = mm[i].msg_hdr.msg_namelen;
			stats.rx_dgrams++;
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				stats.rx_truncated++;
				continue;
			}
			/* the handler may close s (per-call sockets): stop then */
			s->h(s, rxbuf[i], mm[i].msg_len, &from[i], s->arg);
		}
		/* bounded so one busy socket cannot starve timers */
	} while (n == BATCH && ++rounds < 8);
	if (n == BATCH)
		loop_note_backlog(s->loop);  /* more waits: no gathering pause */
}

static void set_bufsize(int fd)
{
	int sz = 8 * 1024 * 1024;

	/* FORCE variants ignore rmem_max when we run as root */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int bind_sock(struct tp_sock *s, const char *ip, unsigned port, struct diag *d)
{
	struct tp_addr a;
	char host[80], spec[128];
	int err;

	tp_ip_host(ip, host, sizeof(host));
	snprintf(spec, sizeof(spec), "%s:%u", host, port);
	err = tp_addr_parse(&a, spec, port, d);
	if (err)
		return diag_set(d, NULL, 0, "bad local address '%s' (expected an IPv4 or IPv6 "
				"address)", ip);
	s->fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return diag_set(d, NULL, 0, "cannot create a UDP socket: %s", strerror(errno));
	set_bufsize(s->fd);
	if (bind(s->fd, (struct sockaddr *)&a.ss, a.len) < 0) {
		err = errno;
		diag_set(d, NULL, 0, "cannot bind UDP %s: %s", spec, strerror(err));
		return err;
	}
	a.len = sizeof(a.ss);
	if (getsockname(s->fd, (struct sockaddr *)&a.ss, &a.len) < 0)
		return errno;
	s->port = tp_addr_port(&a);
	tp_addr_ip(&a, s->ip, sizeof(s->ip));
	return 0;
}

int tp_udp_open(struct tp_sock **sp, struct loop *l, const char *ip,
		unsigned port, tp_recv_h *h, void *arg, struct diag *d)
{
	struct tp_sock *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return ENOMEM;
	s->fd = -1;
	s->loop = l;
	s->h = h;
	s->arg = arg;
	err = bind_sock(s, ip, port, d);
	if (err)
		goto out;
	err = loop_fd_add(l, s->fd, LOOP_READ, on_readable, s);
	if (err) {
		diag_set(d, NULL, 0, "cannot watch the UDP socket: %s", strerror(err));
		goto out;
	}
	*sp = s;
	return 0;
out:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return err;
}

static void txq_flush(void *arg)
{
	struct tp_sock *s = arg;
	struct txq *q = s->txq;
	unsigned done = 0;

	while (q && done < q->n) {
		int n = sendmmsg(s->fd, q->mm + done, q->n - done, MSG_DONTWAIT);

		if (n <= 0) {
			/* the rest is lost, as a datagram the network drops */
			stats.tx_late_errors += q->n - done;
			break;
		}
		done += (unsigned)n;
	}
	if (q) {
		q->n = 0;
		q->used = 0;
	}
}

void tp_close(struct tp_sock *s)
{
	if (!s)
		return;
	if (s->flush.queued)
		loop_run_deferred(s->loop);
	loop_fd_del(s->loop, s->fd);
	close(s->fd);
	free(s->txq);
	free(s);
}

int tp_set_batching(struct tp_sock *s)
{
	if (s->txq)
		return 0;
	s->txq = calloc(1, sizeof(*s->txq));
	if (!s->txq)
		return ENOMEM;
	s->flush.h = txq_flush;
	s->flush.arg = s;
	return 0;
}

static int send_now(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to)
{
	ssize_t n = sendto(s->fd, buf, len, MSG_DONTWAIT,
			   (const struct sockaddr *)&to->ss, to->len);

	if (n < 0) {
		stats.tx_errors++;
		return errno;
	}
	stats.tx_dgrams++;
	return 0;
}

int tp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to)
{
	struct txq *q = s->txq;
	unsigned i;

	if (!q || len > TXQ_DIRECT)
		return send_now(s, buf, len, to);
	if (q->n == TXQ || q->used + len > TXQ_BYTES)
		txq_flush(s);
	i = q->n++;
	memcpy(q->bytes + q->used, buf, len);
	q->to[i] = *to;
	q->iov[i].iov_base = q->bytes + q->used;
	q->iov[i].iov_len = len;
	memset(&q->mm[i], 0, sizeof(q->mm[i]));
	q->mm[i].msg_hdr.msg_name = &q->to[i].ss;
	q->mm[i].msg_hdr.msg_namelen = q->to[i].len;
	q->mm[i].msg_hdr.msg_iov = &q->iov[i];
	q->mm[i].msg_hdr.msg_iovlen = 1;
	q->used += len;
	stats.tx_dgrams++;
	loop_defer(s->loop, &s->flush);
	return 0;
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

long long tp_udp_rcvbuf_errors(void)
{
	char names[512], vals[512];
	FILE *f = fopen("/proc/net/snmp", "r");
	long long v = -1;

	if (!f)
		return -1;
	/* two "Udp:" lines: the column names, then the values */
	while (fgets(names, sizeof(names), f)) {
		char *sn = NULL, *sv = NULL, *n, *x;

		if (strncmp(names, "Udp:", 4) || !fgets(vals, sizeof(vals), f))
			continue;
		for (n = strtok_r(names, " \n", &sn), x = strtok_r(vals, " \n", &sv); n && x;
		     n = strtok_r(NULL, " \n", &sn), x = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, "RcvbufErrors"))
				v = strtoll(x, NULL, 10);
		break;
	}
	fclose(f);
	return v;
}
