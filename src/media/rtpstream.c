/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtpstream: raw audio files sent as RTP, one packet per ptime (see
 * rtpstream.h). One timer per stream on the engine's loop; packets are
 * due on a fixed grid from the play's start, so a late wake-up sends the
 * overdue ones at once and the stream keeps its rate. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "loop/loop.h"
#include "media/rtpstream.h"

#define RTP_HDR 12
#define PAYLOAD_MAX 1024
#define AUDIO_MAX (64u << 20)    /* a bigger file is refused             */

struct media_audio {
	struct media_audio *next;
	char *path;                 /* as the scenario names it            */
	unsigned char *data;        /* the samples (a .wav: after its header) */
	size_t len;
};

struct media_stream {
	struct tmr tmr;
	struct loop *loop;
	struct media_party *party;
	const struct media_audio *a; /* NULL: not playing                  */
	const struct media_codec *c;
	long left;                  /* packets still to send, < 0: for ever */
	size_t pos;                 /* next byte of the file               */
	uint64_t start_us;          /* the play's packet 0 is due then      */
	uint64_t slot;              /* next packet slot from start_us       */
	int paused;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts0;               /* timestamp at epoch_us               */
	uint64_t epoch_us;          /* the stream's first play             */
	uint64_t sent;
};

/* SIPp's table (its actions.cpp), as facts: RFC 3551 clocks are 8 kHz
 * for all of these; G.722 (9) keeps 8000 by RFC 3551's own rule. */
static const struct media_codec codecs[] = {
	{0, 160, 20, 160},   /* PCMU          */
	{8, 160, 20, 160},   /* PCMA          */
	{9, 160, 20, 160},   /* G.722         */
	{18, 20, 20, 160},   /* G.729         */
	{98, 50, 30, 240},   /* iLBC, 30 ms   */
};

const struct media_codec *media_codec_find(unsigned pt)
{
	unsigned i;

	for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (codecs[i].pt == pt)
			return &codecs[i];
	return NULL;
}

static int num(const char *s, size_t n, long *v)
{
	char tmp[24], *end;

	if (!n || n >= sizeof(tmp))
		return EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtol(tmp, &end, 10);
	return errno || *end ? EINVAL : 0;
}

int media_stream_parse(const char *arg, unsigned default_pt,
		       struct media_stream_cmd *c, struct diag *d)
{
	const char *p = arg, *f[4];
	size_t n[4];
	long pt = default_pt;
	unsigned nf = 0;

	memset(c, 0, sizeof(*c));
	if (!strcmp(arg, "pause") || !strcmp(arg, "resume")) {
		c->op = arg[0] == 'p' ? STREAM_PAUSE : STREAM_RESUME;
		return 0;
	}
	if (strstr(arg, "apattern") == arg || strstr(arg, "vpattern") == arg ||
	    !strncmp(arg, "pauseapattern", 13) || !strncmp(arg, "resumeapattern", 14) ||
	    !strncmp(arg, "pausevpattern", 13) || !strncmp(arg, "resumevpattern", 14)) {
		c->op = STREAM_PATTERN;
		return 0;
	}
	while (nf < 4) {
		f[nf] = p;
		n[nf] = strcspn(p, ",");
		p += n[nf++];
		if (!*p++)
			break;
	}
	if (p[-1] || !n[0])
		return diag_set(d, NULL, 0, "rtp_stream=\"%s\": not FILE[,LOOPS[,PAYLOAD_TYPE"
				"[,CODEC]]], pause or resume", arg);
	if (n[0] >= sizeof(c->file))
		return diag_set(d, NULL, 0, "rtp_stream: file name too long");
	memcpy(c->file, f[0], n[0]);
	c->loops = 1;
	if (nf > 1 && num(f[1], n[1], &c->loops))
		return diag_set(d, NULL, 0, "rtp_stream=\"%s\": loop count \"%.*s\" is not a "
				"number (-1: for ever)", arg, (int)n[1], f[1]);
	if (nf > 2 && (num(f[2], n[2], &pt) || pt < 0 || pt > 127))
		return diag_set(d, NULL, 0, "rtp_stream=\"%s\": payload type \"%.*s\" is not "
				"0 to 127", arg, (int)n[2], f[2]);
	if (!(c->codec = media_codec_find((unsigned)pt)))
		return diag_set(d, NULL, 0, "rtp_stream: payload type %ld has no known "
				"packet size (0, 8, 9, 18 or 98)", pt);
	c->op = STREAM_PLAY;
	return 0;
}

/* ---- files -------------------------------------------------------------- */

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* Bytes before the samples: RIFF....WAVE, then chunks until "data". */
static size_t wav_header(const unsigned char *b, size_t len)
{
	size_t off = 12;

	if (len < 44 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4))
		return 0;
	while (off + 8 <= len) {
		uint32_t sz = le32(b + off + 4);

		if (!memcmp(b + off, "data", 4))
			return off + 8;
		if (sz > len - off - 8)
			break;
		off += 8 + sz + (sz & 1);
	}
	return 0;  /* no data chunk: sent as raw bytes */
}

static int read_all(const char *path, unsigned char **bp, size_t *lenp, struct diag *d)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t len = 0, cap = 0, n;
	int err = 0;

	if (!fp)
		return diag_set(d, NULL, 0, "rtp_stream: cannot open %s: %s", path,
				strerror(errno));
	do {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > AUDIO_MAX || !(nb = realloc(b, cap))) {
				err = diag_set(d, NULL, 0, "rtp_stream: %s: too big", path);
				break;
			}
			b = nb;
		}
		n = fread(b + len, 1, cap - len, fp);
		len += n;
	} while (n);
	if (!err && ferror(fp))
		err = diag_set(d, NULL, 0, "rtp_stream: cannot read %s", path);
	fclose(fp);
	if (!err && !len)
		err = diag_set(d, NULL, 0, "rtp_stream: %s is empty", path);
	if (err) {
		free(b);
		return err;
	}
	*bp = b;
	*lenp = len;
	return 0;
}

const struct media_audio *media_audio_find(const struct media_audio *list,
					   const char *path)
{
	for (; list; list = list->next)
		if (!strcmp(list->path, path))
			return list;
	return NULL;
}

int media_audio_load(struct media_audio **list, const char *path, const char *dir,
		     const struct media_audio **ap, struct diag *d)
{
	struct media_audio *a;
	char alt[4096];
	const char *at = path;
	size_t skip;
	int err;

	if ((*ap = media_audio_find(*list, path)))
		return 0;
	if (dir && path[0] != '/' && access(path, R_OK) != 0 &&
	    snprintf(alt, sizeof(alt), "%s/%s", dir, path) < (int)sizeof(alt) &&
	    access(alt, R_OK) == 0)
		at = alt;
	if (!(a = calloc(1, sizeof(*a))) || !(a->path = strdup(path))) {
		free(a);
		return ENOMEM;
	}
	if ((err = read_all(at, &a->data, &a->len, d))) {
		free(a->path);
		free(a);
		return err;
	}
	skip = wav_header(a->data, a->len);
	if (skip && skip < a->len) {
		memmove(a->data, a->data + skip, a->len - skip);
		a->len -= skip;
	}
	a->next = *list;
	*list = a;
	*ap = a;
	return 0;
}

size_t media_audio_len(const struct media_audio *a)
{
	return a->len;
}

void media_audio_free_all(struct media_audio *list)
{
	struct media_audio *a;

	while ((a = list)) {
		list = a->next;
		free(a->data);
		free(a->path);
		free(a);
	}
}

/* ---- streams ------------------------------------------------------------ */

static void put16(unsigned char *b, uint16_t v)
{
	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
}

static void put32(unsigned char *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* One packet of slot s: header, then the next bytes of the file, the
 * file starting over at its end (as SIPp: the last packet of a file
 * that is not a whole number of packets takes its tail from the start). */
static void send_one(struct media_stream *s, uint64_t slot)
{
	unsigned char pkt[RTP_HDR + PAYLOAD_MAX];
	const struct media_codec *c = s->c;
	uint32_t ts = s->ts0 + (uint32_t)((s->start_us - s->epoch_us) * 8 / 1000) +
		      (uint32_t)(slot * c->ticks);
	size_t i, pos = s->pos;

	pkt[0] = 0x80;
	pkt[1] = (unsigned char)c->pt;
	put16(pkt + 2, s->seq);
	put32(pkt + 4, ts);
	put32(pkt + 8, s->ssrc);
	for (i = 0; i < c->bytes; i++) {
		pkt[RTP_HDR + i] = s->a->data[pos++];
		if (pos == s->a->len)
			pos = 0;
	}
	if (media_party_send(s->party, MEDIA_AUDIO, pkt, RTP_HDR + c->bytes))
		return;  /* no peer yet, or refused: this slot is silence */
	s->seq++;
	s->pos = pos;
	s->sent++;
	if (s->left > 0)
		s->left--;
}

static void tick(void *arg)
{
	struct media_stream *s = arg;
	uint64_t now = loop_now_us(s->loop), ptime_us = (uint64_t)s->c->ms * 1000;
	uint64_t due = (now - s->start_us) / ptime_us, next_us;

	/* every slot up to now: a packet, or a gap while paused */
	while (s->slot <= due && s->left) {
		if (!s->paused)
			send_one(s, s->slot);
		s->slot++;
	}
	if (!s->left) {
		s->a = NULL;
		return;
	}
	next_us = s->start_us + s->slot * ptime_us;
	tmr_start(s->loop, &s->tmr, (next_us - now + 999) / 1000, tick, s);
}

int media_stream_play(struct media *m, struct loop *l, struct media_party **pp,
		      uint64_t seed, struct media_stream **sp,
		      const struct media_audio *a, long loops,
		      const struct media_codec *c)
{
	struct media_stream *s = *sp;
	unsigned port;
	int err = media_party_port(m, pp, seed, MEDIA_AUDIO, &port);

	if (err)
		return err;
	if (!s) {
		uint64_t r = seed * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL) << 20 ^
			     (uint64_t)getpid() << 40;

		r ^= r >> 29;
		r *= 0xbf58476d1ce4e5b9ull;
		r ^= r >> 32;
		if (!(s = calloc(1, sizeof(*s))))
			return ENOMEM;
		tmr_init(&s->tmr);
		s->loop = l;
		s->ssrc = (uint32_t)r ? (uint32_t)r : 1;
		s->seq = (uint16_t)(r >> 32);
		s->ts0 = (uint32_t)(r >> 16);
		s->epoch_us = loop_now_us(l);
		*sp = s;
	}
	tmr_cancel(&s->tmr);
	s->party = *pp;
	s->a = a;
	s->c = c;
	s->pos = 0;
	s->slot = 0;
	/* packets: the file loops times over, cut in packets, rounded up */
	if (loops < 0 || (size_t)loops > ((size_t)LONG_MAX - c->bytes) / a->len)
		s->left = -1;  /* for ever, or longer than a run can last */
	else
		s->left = (long)((a->len * (size_t)loops + c->bytes - 1) / c->bytes);
	s->start_us = loop_now_us(l);
	if (s->left)
		tick(s);
	return 0;
}

void media_stream_pause(struct media_stream *s, int paused)
{
	if (s)
		s->paused = paused;
}

uint64_t media_stream_sent(const struct media_stream *s)
{
	return s ? s->sent : 0;
}

void media_stream_free(struct media_stream *s)
{
	if (!s)
		return;
	tmr_cancel(&s->tmr);
	free(s);
}
