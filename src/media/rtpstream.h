/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtpstream: SIPp's <exec rtp_stream="FILE,LOOPS,PT"/>. A raw audio file
 * (8 kHz G.711 and friends, a .wav's header skipped) is cut into packets
 * of one ptime (20 ms: 160 bytes of PCMU/PCMA) and sent as RTP from the
 * party's audio socket (its [media_port]) to the peer's SDP audio address,
 * on the loop's timers. Pause keeps the clock running (the timestamps
 * jump over the silence), resume goes on from the same byte of the file.
 * Sends through rtp.c (media_party_send), which counts rtp_sent. */
#ifndef SB_RTPSTREAM_H
#define SB_RTPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "media/rtp.h"

struct loop;
struct media_audio;
struct media_stream;

/* What one payload type means to rtp_stream: bytes and milliseconds per
 * packet, RTP clock ticks per packet. */
struct media_codec {
	unsigned pt;
	unsigned bytes;
	unsigned ms;
	unsigned ticks;
};

/* The packetisation of payload type pt (SIPp's table: 0 PCMU, 8 PCMA,
 * 9 G.722, 18 G.729, 98 iLBC 30 ms), or NULL when it is not known. */
const struct media_codec *media_codec_find(unsigned pt);

/* A parsed rtp_stream value: "pause", "resume", or "FILE[,LOOPS[,PT[,NAME]]]"
 * (LOOPS default 1, -1 for ever; PT default default_pt; NAME, SIPp 3.7's
 * "PCMA/8000", is taken and not used). */
/* STREAM_PATTERN: SIPp 3.7's apattern/vpattern forms (and their pause
 * and resume), read but not sent */
enum media_stream_op { STREAM_PLAY, STREAM_PAUSE, STREAM_RESUME, STREAM_PATTERN };
struct media_stream_cmd {
	enum media_stream_op op;
	char file[1024];
	long loops;
	const struct media_codec *codec;
};
/* Returns 0, or EINVAL with d's message set (no file or line). */
int media_stream_parse(const char *arg, unsigned default_pt,
		       struct media_stream_cmd *c, struct diag *d);

/* Load an audio file once into *list (path as given, else relative to
 * dir when that exists); a RIFF/WAVE header is skipped up to the data
 * chunk, the rest is sent as it is (no conversion). Returns 0, or an
 * errno with d's message set. */
int media_audio_load(struct media_audio **list, const char *path, const char *dir,
		     const struct media_audio **ap, struct diag *d);
const struct media_audio *media_audio_find(const struct media_audio *list,
					   const char *path);
size_t media_audio_len(const struct media_audio *a);
void media_audio_free_all(struct media_audio *list);

/* Play a on the party's audio socket (opened if need be), loops times
 * (< 0: until the stream is freed), replacing a play in progress; the
 * SSRC stays, the sequence numbers go on. *sp is created on first use
 * and owned by the caller. Returns 0 or an errno. */
int media_stream_play(struct media *m, struct loop *l, struct media_party **pp,
		      uint64_t seed, struct media_stream **sp,
		      const struct media_audio *a, long loops,
		      const struct media_codec *c);
/* Pause (1) or resume (0) the play; without one, nothing. */
void media_stream_pause(struct media_stream *s, int paused);
/* Packets this stream has sent (tests, traces). */
uint64_t media_stream_sent(const struct media_stream *s);
/* Stop and free; NULL is fine. Before media_party_free of its party. */
void media_stream_free(struct media_stream *s);

#endif
