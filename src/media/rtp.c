/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp: media sockets, pcap plays and RTP echo of a run (see rtp.h).
 * Everything runs on the engine's loop: a play is one embedded timer
 * that sends the packets that are due and sleeps until the next one. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "loop/loop.h"
#include "media/pcap_play.h"
#include "media/rtp.h"
#include "media/srtp.h"
#include "media/rtp_int.h"


const struct media_stats *media_get_stats(const struct media *m)
{
	return &m->st;
}

/* splitmix64: SSRCs and initial sequence numbers that differ per party
 * and per run (RFC 3550 5.1: they should be random). */
uint64_t media_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int media_make_addr(const char *ip, unsigned port, union maddr *a, socklen_t *len)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((uint16_t)port);
		*len = sizeof(a->in);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)port);
		*len = sizeof(a->in6);
		return 0;
	}
	return EINVAL;
}

/* ---- receiving and echo ---------------------------------------------- */

int media_is_rtp(const unsigned char *b, size_t n)
{
	/* version 2; RTCP packet types 200-204 (RFC 5761 4) are not RTP */
	return n >= RTP_HDR && b[0] >> 6 == 2 && !(b[1] >= 200 && b[1] <= 204);
}

static uint64_t rx_lost(const struct rx_track *t)
{
	uint64_t expected;

	if (!t->started)
		return 0;
	expected = (uint64_t)t->cycles + t->max_seq - t->base + 1;
	return expected > t->received ? expected - t->received : 0;
}

static void rx_note(struct media *m, struct rx_track *t, const unsigned char *b)
{
	uint16_t seq = (uint16_t)(b[2] << 8 | b[3]);
	uint32_t ssrc = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];

	if (!t->started || ssrc != t->ssrc) {
		m->st.rtp_lost += rx_lost(t);
		t->started = 1;
		t->ssrc = ssrc;
		t->base = seq;
		t->max_seq = seq;
		t->cycles = 0;
		t->received = 0;
	} else if ((uint16_t)(seq - t->max_seq) < 0x8000 && seq != t->max_seq) {
		if (seq < t->max_seq)
			t->cycles += 65536;  /* in order across the wrap */
		t->max_seq = seq;
	}
	t->received++;
}

static void on_readable(int fd, unsigned events, void *arg)
{
	struct msock *s = arg;
	struct media *m = s->m;
	union maddr from;
	unsigned i;

	(void)events;
	for (i = 0; i < RX_BURST; i++) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, m->pkt, PKT_MAX, MSG_DONTWAIT, &from.sa, &fl);
		int rtp;

		if (n < 0)
			return;
		size_t len = (size_t)n;
		int sec = 0;

		rtp = media_is_rtp(m->pkt, len);
		if (rtp) {
			m->st.rtp_recv++;
			if (s->party && (sec = media_srtp_unprotect(s->party->sdes, s->kind,
							      m->pkt, &len, &m->st)) < 0)
				continue;  /* failed its check: counted, dropped */
			if (s->track)
				rx_note(m, &s->rx, m->pkt);
		}
		if (!s->echo || (sec && media_srtp_protect(s->party->sdes, s->kind, m->pkt,
						     &len, &m->st) < 0))
			continue;
		if (sendto(fd, m->pkt, len, MSG_DONTWAIT, &from.sa, fl) < 0)
			m->st.send_errors++;
		else if (rtp)
			m->st.rtp_echoed++;
	}
	loop_note_backlog(m->loop);
}

/* ---- sockets ---------------------------------------------------------- */

static int sock_bind(struct media *m, struct msock *s, unsigned port)
{
	union maddr a;
	socklen_t len;
	int fd, err;

	if (media_make_addr(m->ip, port, &a, &len))
		return EINVAL;
	fd = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if ((m->buf_bytes > 0 &&  /* -rtp_buffsize */
	     (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &m->buf_bytes, sizeof(int)) < 0 ||
	      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m->buf_bytes, sizeof(int)) < 0)) ||
	    bind(fd, &a.sa, len) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	if (getsockname(fd, &a.sa, &len) == 0)
		port = ntohs(a.sa.sa_family == AF_INET ? a.in.sin_port : a.in6.sin6_port);
	err = loop_fd_add(m->loop, fd, LOOP_READ, on_readable, s);
	if (err) {
		close(fd);
		return err;
	}
	s->fd = fd;
	s->port = port;
	s->m = m;
	m->st.sockets++;
	return 0;
}

static void sock_close(struct msock *s)
{
	if (s->fd < 0)
		return;
	if (s->track)
		s->m->st.rtp_lost += rx_lost(&s->rx);
	loop_fd_del(s->m->loop, s->fd);
	close(s->fd);
	s->fd = -1;
}

/* The next free even port from -mp (RFC 3550 11: RTP on even ports,
 * RTCP on the odd one above), wrapping above -max_rtp_port; -mp 0: the
 * kernel's choice. */
static int sock_open_next(struct media *m, struct msock *s)
{
	unsigned tries;
	int err = EADDRINUSE;

	if (!m->first_port)
		return sock_bind(m, s, 0);
	for (tries = 0; tries < 32768 && err == EADDRINUSE; tries++) {
		unsigned port = m->next_port;

		m->next_port = port + 2 > m->last_port ? m->first_port : port + 2;
		err = sock_bind(m, s, port);
	}
	return err;
}

/* ---- the run ---------------------------------------------------------- */

int media_alloc(struct media **mp, struct loop *l, const struct media_opts *o,
		struct diag *d)
{
	struct media *m = calloc(1, sizeof(*m));
	union maddr a;
	socklen_t len;
	int err = 0, i;

	if (!m || !(m->pkt = aligned_alloc(16, PKT_BUF))) {
		free(m);
		return ENOMEM;
	}
	m->loop = l;
	snprintf(m->ip, sizeof(m->ip), "%s", o->ip ? o->ip : "127.0.0.1");
	m->first_port = m->next_port = o->port & ~1u;
	if (o->port & 1)
		m->first_port = m->next_port = o->port;  /* as asked, then +2 */
	m->last_port = o->last_port && o->last_port < 65535 ? o->last_port : 65534;
	m->last_port = m->last_port < m->first_port ? m->first_port : m->last_port;
	m->buf_bytes = o->buf_bytes;
	m->echo = o->echo;
	m->salt = media_mix((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
	m->shared[0].fd = m->shared[1].fd = -1;
	if (media_make_addr(m->ip, 0, &a, &len))
		err = diag_set(d, NULL, 0, "-mi %s: not an IPv4 or IPv6 address", m->ip);
	else if (o->echo && (!o->port || o->port > 65533))
		err = diag_set(d, NULL, 0, "-rtp_echo needs -mp PORT (1 to 65533): it echoes "
			       "on PORT and PORT + 2");
	for (i = 0; !err && o->echo && i < 2; i++) {
		m->shared[i].echo = 1;
		err = sock_bind(m, &m->shared[i], o->port + 2 * (unsigned)i);
		if (err)
			diag_set(d, NULL, 0, "-rtp_echo: cannot bind %s:%u: %s", m->ip,
				 o->port + 2 * (unsigned)i, strerror(err));
	}
	if (!err && (err = media_srtp_init()))
		diag_set(d, NULL, 0, "libsrtp2 does not start");
	if (err) {
		media_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

void media_free(struct media *m)
{
	struct media_pcap *pc;

	if (!m)
		return;
	sock_close(&m->shared[0]);
	sock_close(&m->shared[1]);
	media_srtp_done();
	while ((pc = m->pcaps)) {
		m->pcaps = pc->next;
		media_pcap_free(pc);
	}
	free(m->pkt);
	free(m);
}

const struct media_pcap *media_pcap_find(const struct media *m, const char *path)
{
	const struct media_pcap *pc;

	for (pc = m->pcaps; pc; pc = pc->next)
		if (!strcmp(pc->path, path))
			return pc;
	return NULL;
}

int media_pcap_load(struct media *m, const char *path, const char *dir,
		    const struct media_pcap **pcp, struct diag *d)
{
	struct media_pcap *pc;
	char alt[4096];
	int err;

	if ((*pcp = media_pcap_find(m, path)))
		return 0;
	if (dir && path[0] != '/' && access(path, R_OK) != 0 &&
	    snprintf(alt, sizeof(alt), "%s/%s", dir, path) < (int)sizeof(alt) &&
	    access(alt, R_OK) == 0)
		err = media_pcap_read(&pc, alt, d);
	else
		err = media_pcap_read(&pc, path, d);
	if (err)
		return err;
	free(pc->path);  /* found again under the name the scenario uses */
	if (!(pc->path = strdup(path))) {
		media_pcap_free(pc);
		return ENOMEM;
	}
	pc->next = m->pcaps;
	m->pcaps = pc;
	*pcp = pc;
	return 0;
}

unsigned media_pcap_count(const struct media_pcap *pc)
{
	return pc->n;
}

uint64_t media_pcap_duration_us(const struct media_pcap *pc)
{
	return pc->dur_us;
}

/* ---- parties ---------------------------------------------------------- */

static int party_get(struct media *m, struct media_party **pp, uint64_t seed)
{
	struct media_party *p;
	int k;

	if (*pp)
		return 0;
	if (!(p = calloc(1, sizeof(*p))))
		return ENOMEM;
	p->m = m;
	p->seed = seed;
	for (k = 0; k < MEDIA_NKINDS; k++) {
		p->sock[k].fd = -1;
		p->sock[k].track = 1;
		p->sock[k].echo = m->echo;
		p->sock[k].party = p;
		p->sock[k].kind = (enum media_kind)k;
		p->echo_set[k] = -1;
		p->play[k].party = p;
		p->play[k].kind = (enum media_kind)k;
		tmr_init(&p->play[k].tmr);
	}
	*pp = p;
	return 0;
}

int media_party_port(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, unsigned *port)
{
	struct media_party *p;
	int err = party_get(m, pp, seed);

	if (err)
		return err;
	p = *pp;
	if (p->sock[k].fd < 0 && (err = sock_open_next(m, &p->sock[k])))
		return err;
	*port = p->sock[k].port;
	return 0;
}

int media_party_sdp(struct media *m, struct media_party **pp, uint64_t seed,
		    const char *body, size_t len)
{
	struct media_sdp s;
	int err;

	if (media_sdp_peer(body, len, &s))
		return 0;
	if ((err = party_get(m, pp, seed)))
		return err;
	(*pp)->peer = s;
	(*pp)->have_peer = 1;
	return media_sdes_peer(&(*pp)->sdes, body, len);
}

int media_party_sdes(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, int idx, int what, int suite, int reuse,
		     char *out, size_t size)
{
	int err = m ? party_get(m, pp, seed) : 0;

	return err ? err : media_sdes_keyword(m ? &(*pp)->sdes : NULL, (int)k, idx,
					(enum sdes_what)what, (enum sdes_suite)suite,
					reuse, out, size);
}

int media_party_echo(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, int on)
{
	unsigned port;
	int err = media_party_port(m, pp, seed, k, &port);

	if (err)
		return err;
	(*pp)->echo_set[k] = on;
	(*pp)->sock[k].echo = on;
	return 0;
}

void media_party_free(struct media_party *p)
{
	int k;

	if (!p)
		return;
	for (k = 0; k < MEDIA_NKINDS; k++) {
		tmr_cancel(&p->play[k].tmr);
		sock_close(&p->sock[k]);
	}
	media_sdes_free(p->sdes);
	free(p);
}

