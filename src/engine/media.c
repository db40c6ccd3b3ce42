/* SPDX-License-Identifier: GPL-2.0-or-later */
/* media: the engine's side of RTP (src/media/rtp.h, rtpstream.h do the
 * work). Finds at start whether the scenario uses media and loads its
 * pcap and audio files; gives each party its media ports, the SDP it
 * receives and the play_pcap_* / rtp_echo / rtp_stream commands of its
 * actions. */
#include "config.h"
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "media/rtp.h"
#include "media/rtpstream.h"
#include "sip/msg.h"

#ifndef SB_SCENARIODIR
#define SB_SCENARIODIR NULL     /* builds outside Makefile.am (fuzz) */
#endif

static int is_play(const struct action *a, enum media_kind *k)
{
	if (a->kind != ACT_EXEC || !a->str || !a->arg)
		return 0;
	if (!strcmp(a->str, "play_pcap_audio"))
		*k = MEDIA_AUDIO;
	else if (!strcmp(a->str, "play_pcap_video"))
		*k = MEDIA_VIDEO;
	else
		return 0;
	return 1;
}

static int is_echo(const struct action *a)
{
	return a->kind == ACT_EXEC && a->str && a->arg && !strcmp(a->str, "rtp_echo");
}

static int is_stream(const struct action *a)
{
	return a->kind == ACT_EXEC && a->str && a->arg && !strcmp(a->str, "rtp_stream");
}

/* rtp_stream: the value checked and its file loaded (second pass). */
static int scan_stream(struct eng *e, const struct action *a, const char *dir,
		       struct diag *d)
{
	struct media_stream_cmd c;
	const struct media_audio *au;
	int err = media_stream_parse(a->arg, e->o.rtp_payload, &c, d);

	if (!err && c.op == STREAM_PLAY)
		err = media_audio_load(&e->audio, c.file, dir, &au, d);
	if (!err && c.op == STREAM_PATTERN && !e->pattern_warned) {
		e->pattern_warned = 1;
		diag_warn(e->p->file, a->line, "rtp_stream=\"%s\": SIPp 3.7's pattern forms are "
			  "loaded but not sent", a->arg);
	}
	return err;
}

/* Load every pcap of pu's actions; note whether pu uses media. */
static int scan_party(struct eng *e, const struct prog_ua *pu, const char *dir,
		      struct diag *d)
{
	const struct media_pcap *pc;
	enum media_kind k;
	unsigned i, j;
	int err;

	for (i = 0; i < pu->nsteps; i++)
		for (j = 0; j < pu->steps[i].nacts; j++) {
			const struct action *a = &pu->steps[i].acts[j];

			if (is_echo(a))
				e->media_calls = 1;
			if (is_stream(a)) {
				e->media_calls = 1;
				err = e->media ? scan_stream(e, a, dir, d) : 0;
			} else if (!is_play(a, &k))
				continue;
			else {
				e->media_calls = 1;
				if (!e->media)
					continue;  /* first pass: only finding out */
				err = media_pcap_load(e->media, a->arg, dir, &pc, d);
			}
			if (err) {
				d->file = e->p->file;
				d->line = a->line;
				return err;
			}
		}
	return 0;
}

static int builtin(const char *file)
{
	return !strncmp(file, "<built-in ", 10);
}

int eng_media_init(struct eng *e, struct diag *d)
{
	struct media_opts mo;
	char *dir = NULL;
	unsigned i;
	int err = 0;

	for (i = 0; i < e->p->nuas; i++)
		scan_party(e, &e->p->uas[i], NULL, d);
	if (!e->media_calls && !e->o.rtp_echo)
		return 0;
	memset(&mo, 0, sizeof(mo));
	mo.ip = e->o.media_ip ? e->o.media_ip : e->local_ip;
	mo.port = e->o.media_port;
	mo.echo = e->o.rtp_echo;
	mo.last_port = e->o.max_rtp_port;
	mo.buf_bytes = (int)e->o.rtp_buffsize;
	err = media_alloc(&e->media, e->loop, &mo, d);
	/* relative media paths: the current directory, else the scenario's
	 * own; a built-in's is the installed scenarios directory (pcap/) */
	if (!err && e->p->file && !builtin(e->p->file) && !(dir = strdup(e->p->file)))
		err = ENOMEM;
	for (i = 0; !err && i < e->p->nuas; i++)
		err = scan_party(e, &e->p->uas[i], dir ? dirname(dir) :
				 e->p->file && builtin(e->p->file) ? SB_SCENARIODIR : NULL, d);
	free(dir);
	return err;
}

void eng_media_free(struct eng *e)
{
	media_free(e->media);
	e->media = NULL;
	media_audio_free_all(e->audio);
	e->audio = NULL;
}

static uint64_t seed_of(const struct ua *ua)
{
	return ua->call->number * 16 + (uint64_t)(ua - ua->call->ua);
}

int eng_media_port(struct ua *ua, int video, unsigned *port)
{
	struct eng *e = ua->call->eng;

	return media_party_port(e->media, &ua->media, seed_of(ua),
				video ? MEDIA_VIDEO : MEDIA_AUDIO, port);
}

int eng_media_crypto(struct ua *ua, int32_t num, int32_t offset, struct buf *out)
{
	struct eng *e = ua->call->eng;
	char txt[64];
	int err;

	err = media_party_sdes(e->media, &ua->media, seed_of(ua),
			       (num >> 8 & 15) ? MEDIA_VIDEO : MEDIA_AUDIO, num >> 4 & 15,
			       num & 15, num >> 12 & 15, offset < 0 || ua->resending, txt,
			       sizeof(txt));
	return err ? err : buf_adds(out, txt);
}

/* A multipart body (RFC 5621: SDP with a PIDF-LO, say): its first
 * application/sdp part, from after that part's blank line to the next
 * boundary line; any other body as it is. */
static void sdp_part(const char **b, size_t *n)
{
	static const char ct[] = "content-type: application/sdp";
	const char *p = *b, *end = *b + *n, *q;

	if (*n >= 2 && !memcmp(p, "v=", 2))
		return;
	for (; p + sizeof(ct) - 1 <= end; p++)
		if ((*p | 0x20) == 'c' && !strncasecmp(p, ct, sizeof(ct) - 1))
			break;
	if (p + sizeof(ct) - 1 > end)
		return;
	for (; p + 1 < end; p++)
		if (p[0] == '\n' && (p[1] == '\n' || (p[1] == '\r' && p + 2 < end && p[2] == '\n'))) {
			p += p[1] == '\n' ? 2 : 3;
			for (q = p; q + 2 < end; q++)
				if (q[0] == '\n' && q[1] == '-' && q[2] == '-')
					break;  /* the next boundary line */
			*b = p;
			*n = (size_t)((q + 2 < end ? q + 1 : end) - p);
			return;
		}
}

void eng_media_msg(struct ua *ua, const struct msg *m)
{
	struct eng *e = ua->call->eng;
	const char *b = m->raw + m->body_off;
	size_t n = m->len - m->body_off;

	if (!e->media_calls || m->body_off >= m->len)
		return;
	sdp_part(&b, &n);
	/* the last SDP received names where this party sends */
	if (media_party_sdp(e->media, &ua->media, seed_of(ua), b, n))
		eng_trace_err(e, "call %s: out of memory for its media", ua->call_id);
}

/* rtp_echo: SIPp's "startaudio[,pt,codec]", "stopaudio", "startvideo",
 * "stopvideo", "update..." (a codec change: nothing to do for an echo),
 * and the element form's value="1" / "0" (audio). */
static int echo_cmd(struct ua *ua, const char *arg)
{
	struct eng *e = ua->call->eng;
	size_t n = strcspn(arg, ",");
	enum media_kind k = MEDIA_AUDIO;
	int on;

	if (n == 1 && (arg[0] == '0' || arg[0] == '1'))
		on = arg[0] == '1';
	else if (n > 5 && !memcmp(arg + n - 5, "audio", 5))
		on = strncmp(arg, "stop", 4) != 0;
	else if (n > 5 && !memcmp(arg + n - 5, "video", 5)) {
		k = MEDIA_VIDEO;
		on = strncmp(arg, "stop", 4) != 0;
	} else {
		eng_trace_err(e, "call %s: rtp_echo=\"%s\": not understood", ua->call_id, arg);
		return 0;
	}
	return media_party_echo(e->media, &ua->media, seed_of(ua), k, on);
}

/* rtp_stream="FILE,LOOPS,PT", "pause", "resume" (checked at load). */
static int stream_cmd(struct ua *ua, const char *arg)
{
	struct eng *e = ua->call->eng;
	struct media_stream_cmd c;
	const struct media_audio *au;
	struct diag d;

	if (media_stream_parse(arg, e->o.rtp_payload, &c, &d))
		return EINVAL;
	if (c.op == STREAM_PATTERN)
		return 0;
	if (c.op != STREAM_PLAY) {
		media_stream_pause(ua->stream, c.op == STREAM_PAUSE);
		return 0;
	}
	if (!(au = media_audio_find(e->audio, c.file)))
		return ENOENT;
	return media_stream_play(e->media, e->loop, &ua->media, seed_of(ua), &ua->stream,
				 au, c.loops, c.codec);
}

int eng_media_exec(struct ua *ua, const struct action *a, enum fail_reason *r)
{
	struct eng *e = ua->call->eng;
	const struct media_pcap *pc;
	enum media_kind k;
	int err = 0;

	if (!e->media_calls || !a->arg)
		return 0;
	if (is_play(a, &k) && (pc = media_pcap_find(e->media, a->arg)))
		err = media_party_play(e->media, &ua->media, seed_of(ua), k, pc);
	else if (is_echo(a))
		err = echo_cmd(ua, a->arg);
	else if (is_stream(a))
		err = stream_cmd(ua, a->arg);
	if (err) {
		eng_trace_err(e, "call %s: media: %s", ua->call_id, strerror(err));
		*r = FAIL_INTERNAL;
		return -1;
	}
	return 0;
}

void eng_media_release(struct ua *ua)
{
	media_stream_free(ua->stream);
	ua->stream = NULL;
	media_party_free(ua->media);
	ua->media = NULL;
}

const struct media_stats *eng_media_stats(const struct eng *e)
{
	return e->media ? media_get_stats(e->media) : NULL;
}
