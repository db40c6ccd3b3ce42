/* SPDX-License-Identifier: GPL-2.0-or-later */
/* play: what a party sends on its own: a pcap play (play_pcap_audio,
 * play_pcap_video), its RTP headers rewritten as one sender's, on the
 * capture's schedule; and one packet of rtp_stream's (rtpstream.c). */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "media/rtp_int.h"

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
	int rtp = pk->port_off == 0 && media_is_rtp(pl->pc->data + pk->off, pk->len);
	size_t len = pk->len;

	if (port <= 0 || port > 65535 || media_make_addr(ip, (unsigned)port, &to, &tl)) {
		m->st.send_errors++;
		return;
	}
	memcpy(m->pkt, pl->pc->data + pk->off, pk->len);
	if (rtp)
		rewrite(pl, m->pkt, now_us);
	if (rtp && media_srtp_protect(p->sdes, pl->kind, m->pkt, &len, &m->st) < 0)
		return;
	if (sendto(p->sock[pl->kind].fd, m->pkt, len, MSG_DONTWAIT, &to.sa, tl) < 0)
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
	    media_make_addr(p->peer.ip[k], p->peer.port[k], &to, &tl))
		return ENOTCONN;
	if (len > PKT_MAX)
		return EMSGSIZE;
	/* SRTP when the call negotiated it (the tag needs room after it) */
	memcpy(p->m->pkt, pkt, len);
	if (media_srtp_protect(p->sdes, k, p->m->pkt, &len, &p->m->st) < 0)
		return 0;  /* counted there */
	if (sendto(p->sock[k].fd, p->m->pkt, len, MSG_DONTWAIT, &to.sa, tl) < 0) {
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
		uint64_t r = media_mix(m->salt ^ media_mix(seed * 2 + (uint64_t)k));

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
