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

#define RTP_HDR 12
#define RX_BURST 64               /* datagrams read per wake-up and socket */
#define PKT_MAX 65536

union maddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Receive side of one SSRC, for loss (RFC 3550 A.1, A.3). */
struct rx_track {
	int started;
	uint32_t ssrc;
	uint32_t base;               /* first sequence number              */
	uint32_t cycles;             /* wraps of the sequence number << 16 */
	uint16_t max_seq;            /* highest seen                        */
	uint64_t received;
};

/* One media socket: a party's (loss tracked) or a shared echo one. */
struct msock {
	int fd;                      /* -1: not open                        */
	unsigned port;
	int echo;                    /* send back what arrives              */
	struct media *m;
	struct rx_track rx;
	int track;                   /* keep rx (a party's socket)          */
	struct media_party *party;   /* its owner (SRTP), NULL: shared      */
	enum media_kind kind;
};

/* A play in progress: its timer sends what is due. */
struct play {
	struct tmr tmr;
	struct media_party *party;
	enum media_kind kind;
	const struct media_pcap *pc; /* NULL: not playing                   */
	unsigned next;               /* next packet to send                 */
	uint64_t start_us;           /* loop time of the capture's 0        */
	int have_in0;                /* seen the capture's first RTP header */
	uint16_t seq_in0;            /* its sequence number and timestamp   */
	uint32_t ts_in0;
	uint16_t seq_base;           /* what seq_in0/ts_in0 become          */
	uint32_t ts_base;
};

/* The sender state of one kind: one SSRC per party and kind, kept across
 * plays so a second play continues the first. */
struct sender {
	uint32_t ssrc;
	uint16_t seq_next;
	uint32_t ts_last;
	uint64_t last_us;            /* when ts_last was sent, 0: never     */
	unsigned clock_hz;
};

struct media_party {
	struct media *m;
	struct msock sock[MEDIA_NKINDS];
	struct play play[MEDIA_NKINDS];
	struct sender tx[MEDIA_NKINDS];
	int echo_set[MEDIA_NKINDS];  /* -1: as -rtp_echo, else 0/1          */
	struct media_sdp peer;
	int have_peer;
	uint64_t seed;
	struct sdes *sdes;           /* SRTP keys and sessions, or NULL     */
};

struct media {
	struct loop *loop;
	char ip[64];
	int family;
	unsigned first_port, next_port;
	unsigned last_port;          /* -max_rtp_port: wrap above it        */
	int buf_bytes;               /* -rtp_buffsize, 0: the kernel's      */
	int echo;                    /* -rtp_echo                           */
	struct msock shared[2];      /* -rtp_echo: -mp and -mp + 2          */
	struct media_pcap *pcaps;
	struct media_stats st;
	uint64_t salt;               /* for SSRCs and initial numbers       */
};

/* one loop thread: one buffer; room for an SRTP tag, aligned for libsrtp */
static _Alignas(16) unsigned char pktbuf[PKT_MAX + SDES_TRAILER_MAX];

const struct media_stats *media_get_stats(const struct media *m)
{
	return &m->st;
}

/* splitmix64: SSRCs and initial sequence numbers that differ per party
 * and per run (RFC 3550 5.1: they should be random). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int make_addr(const char *ip, unsigned port, union maddr *a, socklen_t *len)
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

static int is_rtp(const unsigned char *b, size_t n)
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
		ssize_t n = recvfrom(fd, pktbuf, PKT_MAX, MSG_DONTWAIT, &from.sa, &fl);
		int rtp;

		if (n < 0)
			return;
		size_t len = (size_t)n;
		int sec = 0;

		rtp = is_rtp(pktbuf, len);
		if (rtp) {
			m->st.rtp_recv++;
			if (s->party && (sec = media_srtp_unprotect(s->party->sdes, s->kind,
							      pktbuf, &len, &m->st)) < 0)
				continue;  /* failed its check: counted, dropped */
			if (s->track)
				rx_note(m, &s->rx, pktbuf);
		}
		if (!s->echo || (sec && media_srtp_protect(s->party->sdes, s->kind, pktbuf,
						     &len, &m->st) < 0))
			continue;
		if (sendto(fd, pktbuf, len, MSG_DONTWAIT, &from.sa, fl) < 0)
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

	if (make_addr(m->ip, port, &a, &len))
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

	if (!m)
		return ENOMEM;
	m->loop = l;
	snprintf(m->ip, sizeof(m->ip), "%s", o->ip ? o->ip : "127.0.0.1");
	m->first_port = m->next_port = o->port & ~1u;
	if (o->port & 1)
		m->first_port = m->next_port = o->port;  /* as asked, then +2 */
	m->last_port = o->last_port && o->last_port < 65535 ? o->last_port : 65534;
	m->last_port = m->last_port < m->first_port ? m->first_port : m->last_port;
	m->buf_bytes = o->buf_bytes;
	m->echo = o->echo;
	m->salt = mix((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
	m->shared[0].fd = m->shared[1].fd = -1;
	if (make_addr(m->ip, 0, &a, &len))
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

/* ---- plays ------------------------------------------------------------ */

/* RTP clock rate by payload type (RFC 3551 6); dynamic types: 8 kHz for
 * audio, 90 kHz for video. Only used to advance the timestamp across the
 * silence between two plays of one party. */
static unsigned clock_of(unsigned pt, enum media_kind k)
{
	if (pt == 10 || pt == 11)
		return 44100;
	if (pt == 6)
		return 16000;
	if (pt == 16)
		return 11025;
	if (pt == 17)
		return 22050;
	if (pt == 14 || (pt >= 25 && pt <= 34))
		return 90000;
	if (pt < 24)
		return 8000;
	return k == MEDIA_VIDEO ? 90000 : 8000;
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The first RTP packet of a play fixes the mapping of the capture's
 * numbers to ours: same SSRC for the party's whole call, sequence and
 * timestamp continuing from its previous play (or random at its first),
 * the capture's deltas (gaps, marker bits, payload) kept. */
static void rewrite(struct play *pl, unsigned char *b, uint64_t now_us)
{
	struct sender *tx = &pl->party->tx[pl->kind];
	uint16_t seq = (uint16_t)(b[2] << 8 | b[3]);
	uint32_t ts = get32(b + 4);

	if (!pl->have_in0) {
		pl->have_in0 = 1;
		pl->seq_in0 = seq;
		pl->ts_in0 = ts;
		tx->clock_hz = clock_of(b[1] & 0x7f, pl->kind);
		pl->seq_base = tx->seq_next;
		pl->ts_base = tx->last_us ? tx->ts_last + (uint32_t)((now_us - tx->last_us) *
				tx->clock_hz / 1000000u) : tx->ts_last;
	}
	seq = (uint16_t)(pl->seq_base + (uint16_t)(seq - pl->seq_in0));
	ts = pl->ts_base + (ts - pl->ts_in0);
	b[2] = (unsigned char)(seq >> 8);
	b[3] = (unsigned char)seq;
	put32(b + 4, ts);
	put32(b + 8, tx->ssrc);
	if ((uint16_t)(seq - tx->seq_next) < 0x8000)
		tx->seq_next = (uint16_t)(seq + 1);
	tx->ts_last = ts;
	tx->last_us = now_us;
}

static void send_pkt(struct play *pl, const struct media_pkt *pk, uint64_t now_us)
{
	struct media_party *p = pl->party;
	struct media *m = p->m;
	const char *ip = p->peer.ip[pl->kind];
	long port = (long)p->peer.port[pl->kind] + pk->port_off;
	union maddr to;
	socklen_t tl;
	int rtp = pk->port_off == 0 && is_rtp(pl->pc->data + pk->off, pk->len);
	size_t len = pk->len;

	if (port <= 0 || port > 65535 || make_addr(ip, (unsigned)port, &to, &tl)) {
		m->st.send_errors++;
		return;
	}
	memcpy(pktbuf, pl->pc->data + pk->off, pk->len);
	if (rtp)
		rewrite(pl, pktbuf, now_us);
	if (rtp && media_srtp_protect(p->sdes, pl->kind, pktbuf, &len, &m->st) < 0)
		return;
	if (sendto(p->sock[pl->kind].fd, pktbuf, len, MSG_DONTWAIT, &to.sa, tl) < 0)
		m->st.send_errors++;
	else if (rtp)
		m->st.rtp_sent++;
}

int media_party_send(struct media_party *p, enum media_kind k, const void *pkt,
		     size_t len)
{
	union maddr to;
	socklen_t tl;

	if (!p->have_peer || !p->peer.port[k] || p->sock[k].fd < 0 ||
	    make_addr(p->peer.ip[k], p->peer.port[k], &to, &tl))
		return ENOTCONN;
	if (sendto(p->sock[k].fd, pkt, len, MSG_DONTWAIT, &to.sa, tl) < 0) {
		p->m->st.send_errors++;
		return errno;
	}
	p->m->st.rtp_sent++;
	return 0;
}

static void play_tick(void *arg)
{
	struct play *pl = arg;
	struct media *m = pl->party->m;
	const struct media_pcap *pc = pl->pc;
	uint64_t now = loop_now_us(m->loop), el = now - pl->start_us, wait_us;

	/* everything due goes now: a late wake-up sends a short burst and
	 * the stream is back on the capture's schedule */
	while (pl->next < pc->n && pc->pkts[pl->next].t_us <= el)
		send_pkt(pl, &pc->pkts[pl->next++], now);
	if (pl->next == pc->n) {
		m->st.plays_done++;
		pl->pc = NULL;
		return;
	}
	wait_us = pc->pkts[pl->next].t_us - el;
	tmr_start(m->loop, &pl->tmr, (wait_us + 999) / 1000, play_tick, pl);
}

int media_party_play(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, const struct media_pcap *pc)
{
	struct media_party *p;
	struct play *pl;
	unsigned port;
	int err = media_party_port(m, pp, seed, k, &port);

	if (err)
		return err;
	p = *pp;
	m->st.plays++;
	if (!p->have_peer || !p->peer.port[k] || !p->peer.ip[k][0]) {
		m->st.no_peer++;
		return 0;
	}
	if (!p->tx[k].ssrc) {
		uint64_t r = mix(m->salt ^ mix(seed * 2 + (uint64_t)k));

		p->tx[k].ssrc = (uint32_t)r ? (uint32_t)r : 1;
		p->tx[k].seq_next = (uint16_t)(r >> 32);
		p->tx[k].ts_last = (uint32_t)(r >> 16);
	}
	pl = &p->play[k];
	tmr_cancel(&pl->tmr);
	pl->pc = pc;
	pl->next = 0;
	pl->have_in0 = 0;
	pl->start_us = loop_now_us(m->loop);
	play_tick(pl);
	return 0;
}
