/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp: UDP sockets on the event loop; batched receive with recvmmsg,
 * batched sending with sendmmsg. ICMP errors: every socket sets
 * IP_RECVERR (IPV6_RECVERR), so the kernel queues the ICMP errors that
 * come back for what it sent, unconnected as it is; they are read from the
 * error queue and handed up (tp_set_icmp). The same error is also left
 * pending on the socket, for the next send or receive to report once: a
 * send that meets it is tried again, since the error belongs to an earlier
 * datagram.
 *
 * Drops: every socket sets SO_RXQ_OVFL, so a datagram received carries
 * the socket's own count of datagrams dropped so far (its receive buffer
 * was full); the count is read once more when the socket closes or is
 * asked for (SO_MEMINFO), for drops after the last datagram received.
 * Only sipbench's own sockets count: the machine-wide RcvbufErrors of
 * /proc/net/snmp also holds every other program's drops. */
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
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <linux/errqueue.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include "transport/tp_int.h"

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


/* Receive buffers shared by all sockets: the loop is single-threaded and
 * a datagram is handed up and consumed before the next recvmmsg. */
static char rxbuf[BATCH][DGRAM_MAX];
#define stats tp_stats_g

/* What an ICMP error is, and whether the datagram is lost for good. */
static const char *icmp_kind(const struct sock_extended_err *ee, int *fatal)
{
	*fatal = 0;
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP) {
		if (ee->ee_type == ICMP_TIME_EXCEEDED)
			return "time exceeded";
		if (ee->ee_type != ICMP_DEST_UNREACH)
			return "error";
		*fatal = ee->ee_code != ICMP_FRAG_NEEDED;
		switch (ee->ee_code) {
		case ICMP_NET_UNREACH: return "network unreachable";
		case ICMP_HOST_UNREACH: return "host unreachable";
		case ICMP_PROT_UNREACH: return "protocol unreachable";
		case ICMP_PORT_UNREACH: return "port unreachable";
		case ICMP_FRAG_NEEDED: return "fragmentation needed";
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
			return "administratively prohibited";
		default: return "destination unreachable";
		}
	}
	if (ee->ee_type == ICMP6_TIME_EXCEEDED)
		return "time exceeded";
	if (ee->ee_type == ICMP6_PACKET_TOO_BIG)
		return "packet too big";
	if (ee->ee_type != ICMP6_DST_UNREACH)
		return "error";
	*fatal = 1;
	switch (ee->ee_code) {
	case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
	case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
	case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
	case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
	default: return "destination unreachable";
	}
}

/* Read one entry of s's error queue and hand an ICMP error up. Returns
 * 1 when an entry was read (the handler may have closed s), 0 when the
 * queue is empty. */
static int read_error(struct tp_sock *s)
{
	union {
		char b[512];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	struct tp_icmp ic;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	memset(&ic, 0, sizeof(ic));
	iov.iov_base = rxbuf[0];
	iov.iov_len = DGRAM_MAX - 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_name = &ic.to.ss;
	mh.msg_namelen = sizeof(ic.to.ss);
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	n = recvmsg(s->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return 0;
	ic.to.len = mh.msg_namelen;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		const struct sock_extended_err *ee;
		const struct sockaddr *off;

		if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6)
			return 1;   /* a local error: the send already reported it */
		off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET) {
			memcpy(&ic.offender.ss.in, off, sizeof(struct sockaddr_in));
			ic.offender.len = sizeof(struct sockaddr_in);
		} else if (off->sa_family == AF_INET6) {
			memcpy(&ic.offender.ss.in6, off, sizeof(struct sockaddr_in6));
			ic.offender.len = sizeof(struct sockaddr_in6);
		}
		ic.what = icmp_kind(ee, &ic.fatal);
		ic.buf = rxbuf[0];
		ic.len = (size_t)n;
		rxbuf[0][n] = '\0';
		stats.icmp_errors++;
		if (s->icmp)
			s->icmp(s, &ic, s->icmp_arg);
		return 1;
	}
	return 1;
}

/* s's drops so far are `total` (a cumulative count, 32 bits wide in the
 * kernel): count the new ones. */
static void note_drops(struct tp_sock *s, uint32_t total)
{
	stats.rx_drops += (uint32_t)(total - s->drops);
	s->drops = total;
}

void tp_udp_sync_drops(struct tp_sock *s)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (s->proto == TP_UDP && !getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) &&
	    len > SK_MEMINFO_DROPS * sizeof(mi[0]))
		note_drops(s, mi[SK_MEMINFO_DROPS]);
}

/* The drop count a received datagram carries (SO_RXQ_OVFL), if any: the
 * kernel adds it once the socket has dropped something. */
static void read_ovfl(struct tp_sock *s, struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t total;

			memcpy(&total, CMSG_DATA(cm), sizeof(total));
			note_drops(s, total);
		}
}

static void on_readable(int fd, unsigned events, void *arg)
{
	struct tp_sock *s = arg;
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct tp_addr from[BATCH];
	union {
		char b[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl[BATCH];
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
			mm[i].msg_hdr.msg_control = ctl[i].b;
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].b);
		}
		n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			/* woken with nothing to read: an ICMP error waits (the
			 * poll says so while the error queue is not empty). One
			 * at a time: its handler may close s. */
			(void)read_error(s);
			return;
		}
		/* counts are cumulative: the batch's last one is the newest */
		if (mm[n - 1].msg_hdr.msg_controllen)
			read_ovfl(s, &mm[n - 1].msg_hdr);
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

int tp_udp_open(struct tp_sock **sp, struct loop *l, const char *ip,
		unsigned port, tp_recv_h *h, void *arg, struct diag *d)
{
	struct tp_sock *s = calloc(1, sizeof(*s));
	struct tp_addr a;
	int err;

	if (!s)
		return ENOMEM;
	s->fd = -1;
	s->proto = TP_UDP;
	s->loop = l;
	s->h = h;
	s->arg = arg;
	err = tp_local_parse(&a, ip, port, d);
	if (err)
		goto out;
	s->fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = errno;
		diag_set(d, NULL, 0, "cannot create a UDP socket: %s", strerror(err));
		goto out;
	}
	set_bufsize(s->fd);
	{
		int on = 1;

		if (a.ss.ss_family == AF_INET6)
			(void)setsockopt(s->fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on));
		else
			(void)setsockopt(s->fd, SOL_IP, IP_RECVERR, &on, sizeof(on));
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	}
	err = tp_bind(s, s->fd, &a, 0, d);
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

/* The errors an ICMP message leaves pending on the socket (for an earlier
 * datagram, maybe to another peer): a send that meets one is tried again. */
static int icmp_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	       e == EHOSTDOWN || e == ENONET || e == EPROTO || e == EACCES;
}

static void txq_flush(void *arg)
{
	struct tp_sock *s = arg;
	struct txq *q = s->txq;
	unsigned done = 0;

	while (q && done < q->n) {
		int n = sendmmsg(s->fd, q->mm + done, q->n - done, MSG_DONTWAIT);

		if (n < 0 && icmp_errno(errno))
			n = sendmmsg(s->fd, q->mm + done, q->n - done, MSG_DONTWAIT);
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

void tp_udp_close(struct tp_sock *s)
{
	if (s->flush.queued)
		loop_run_deferred(s->loop);
	tp_udp_sync_drops(s);
	loop_fd_del(s->loop, s->fd);
	close(s->fd);
	free(s->txq);
	free(s);
}

int tp_set_batching(struct tp_sock *s)
{
	if (s->proto != TP_UDP)
		return 0;   /* streams always write at the end of the turn */
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

	if (n < 0 && icmp_errno(errno))
		n = sendto(s->fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&to->ss,
			   to->len);
	if (n < 0) {
		stats.tx_errors++;
		return errno;
	}
	stats.tx_dgrams++;
	return 0;
}

int tp_udp_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to)
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
