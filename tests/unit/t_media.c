/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_media: the peer-SDP reader, the pcap reader on the shipped tone, and
 * one play on loopback between two parties of one run (one echoes):
 * every packet sent, received, echoed, none lost. */
#include "config.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/runner.h"
#include "loop/loop.h"
#include "media/pcap_play.h"
#include "media/rtp.h"
#include "media/rtpstream.h"

static const char *tone_path(void)
{
	static char path[4096];
	const char *src = getenv("SRCDIR");

	snprintf(path, sizeof(path), "%s/scenarios/pcap/tone-440hz-ulaw.pcap", src ? src : ".");
	return path;
}

START_TEST(sdp_session_and_media_c)
{
	const char *b = "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
			"t=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\n"
			"c=IN IP6 ::1\r\n";
	struct media_sdp s;

	ck_assert_int_eq(media_sdp_peer(b, strlen(b), &s), 0);
	ck_assert_str_eq(s.ip[MEDIA_AUDIO], "10.0.0.1");
	ck_assert_uint_eq(s.port[MEDIA_AUDIO], 4000);
	ck_assert_str_eq(s.ip[MEDIA_VIDEO], "::1");
	ck_assert_uint_eq(s.port[MEDIA_VIDEO], 4002);
}
END_TEST

START_TEST(sdp_first_of_a_kind_lf_ttl)
{
	const char *b = "v=0\nc=IN IP4 224.2.1.1/127\nm=audio 0 RTP/AVP 0\nm=audio 5000 RTP/AVP 8\n";
	struct media_sdp s;

	ck_assert_int_eq(media_sdp_peer(b, strlen(b), &s), 0);
	ck_assert_str_eq(s.ip[MEDIA_AUDIO], "224.2.1.1");
	ck_assert_uint_eq(s.port[MEDIA_AUDIO], 0);  /* the first, refused */
	ck_assert_uint_eq(s.port[MEDIA_VIDEO], 0);
	ck_assert_int_eq(media_sdp_peer("hello", 5, &s), EINVAL);
	ck_assert_int_eq(media_sdp_peer("", 0, &s), EINVAL);
}
END_TEST

START_TEST(pcap_tone)
{
	struct media_pcap *pc;
	struct diag d;
	unsigned i;

	ck_assert_int_eq(media_pcap_read(&pc, tone_path(), &d), 0);
	ck_assert_uint_eq(pc->n, 100);
	ck_assert_uint_eq(pc->dur_us, 1980000);
	for (i = 0; i < pc->n; i++) {
		ck_assert_uint_eq(pc->pkts[i].t_us, i * 20000u);
		ck_assert_uint_eq(pc->pkts[i].len, 172);  /* RTP header + 160 samples */
		ck_assert_int_eq(pc->pkts[i].port_off, 0);
	}
	ck_assert_uint_eq(pc->data[pc->pkts[0].off], 0x80);
	media_pcap_free(pc);
	ck_assert_int_ne(media_pcap_read(&pc, "/nonexistent.pcap", &d), 0);
	ck_assert(strstr(d.msg, "cannot read pcap") != NULL);
}
END_TEST

static void stop_h(void *arg)
{
	loop_stop(arg);
}

START_TEST(play_and_echo_on_loopback)
{
	struct media_opts o = {"127.0.0.1", 0, 0, 0, 0};
	struct media_party *a = NULL, *b = NULL;
	const struct media_pcap *pc;
	const struct media_stats *st;
	struct media *m;
	struct loop *l;
	struct tmr t;
	struct diag d;
	unsigned pa, pb;
	char sdp[128];

	ck_assert_int_eq(loop_alloc(&l), 0);
	ck_assert_int_eq(media_alloc(&m, l, &o, &d), 0);
	ck_assert_int_eq(media_pcap_load(m, tone_path(), NULL, &pc, &d), 0);
	ck_assert_ptr_eq(media_pcap_find(m, tone_path()), pc);
	ck_assert_int_eq(media_party_port(m, &a, 1, MEDIA_AUDIO, &pa), 0);
	ck_assert_int_eq(media_party_echo(m, &b, 2, MEDIA_AUDIO, 1), 0);
	ck_assert_int_eq(media_party_port(m, &b, 2, MEDIA_AUDIO, &pb), 0);
	ck_assert_uint_ne(pa, pb);
	snprintf(sdp, sizeof(sdp), "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio %u RTP/AVP 0\r\n", pb);
	ck_assert_int_eq(media_party_sdp(m, &a, 1, sdp, strlen(sdp)), 0);
	ck_assert_int_eq(media_party_play(m, &a, 1, MEDIA_AUDIO, pc), 0);
	tmr_init(&t);
	tmr_start(l, &t, 2300, stop_h, l);
	ck_assert_int_eq(loop_run(l), 0);
	media_party_free(a);
	media_party_free(b);
	st = media_get_stats(m);
	ck_assert_uint_eq(st->rtp_sent, 100);
	ck_assert_uint_eq(st->rtp_recv, 200);    /* b got them, a got the echoes */
	ck_assert_uint_eq(st->rtp_echoed, 100);
	ck_assert_uint_eq(st->rtp_lost, 0);
	ck_assert_uint_eq(st->plays_done, 1);
	media_free(m);
	loop_free(l);
}
END_TEST

START_TEST(stream_values)
{
	struct media_stream_cmd c;
	struct diag d;

	ck_assert_int_eq(media_stream_parse("a.wav", 8, &c, &d), 0);
	ck_assert_str_eq(c.file, "a.wav");
	ck_assert_int_eq(c.loops, 1);
	ck_assert_uint_eq(c.codec->pt, 8);
	ck_assert_int_eq(media_stream_parse("b.raw,-1,18,G729/8000", 8, &c, &d), 0);
	ck_assert_int_eq(c.loops, -1);
	ck_assert_uint_eq(c.codec->bytes, 20);
	ck_assert_int_eq(media_stream_parse("pause", 8, &c, &d), 0);
	ck_assert_int_eq(c.op, STREAM_PAUSE);
	ck_assert_int_eq(media_stream_parse("resume", 8, &c, &d), 0);
	ck_assert_int_eq(c.op, STREAM_RESUME);
	ck_assert_int_eq(media_stream_parse("a.raw,1,3", 8, &c, &d), EINVAL);
	ck_assert_int_eq(media_stream_parse("a.raw,1,8,x,y", 8, &c, &d), EINVAL);
	ck_assert_int_eq(media_stream_parse("a.raw,,8", 8, &c, &d), EINVAL);
	ck_assert_int_eq(media_stream_parse("", 8, &c, &d), EINVAL);
	ck_assert_int_eq(media_stream_parse("a.raw", 4, &c, &d), EINVAL);
}
END_TEST

/* a 400-byte .wav (header skipped) played 3 times at PT 0: 1200 bytes,
 * 8 packets of 160 (the last one wraps to the start), all received */
START_TEST(stream_wav_on_loopback)
{
	struct media_opts o = {"127.0.0.1", 0, 0, 0, 0};
	struct media_party *a = NULL, *b = NULL;
	struct media_stream *s = NULL;
	struct media_audio *list = NULL;
	const struct media_audio *au;
	const struct media_stats *st;
	unsigned char wav[44 + 400];
	char path[] = "/tmp/t_media_XXXXXX", sdp[128];
	struct media *m;
	struct loop *l;
	struct tmr t;
	struct diag d;
	unsigned pa, pb;
	FILE *fp;
	int fd;

	memset(wav, 0, sizeof(wav));
	memcpy(wav, "RIFF", 4);
	memcpy(wav + 8, "WAVEfmt ", 8);
	wav[16] = 16;
	memcpy(wav + 36, "data", 4);
	wav[40] = 400 & 0xff;
	wav[41] = 400 >> 8;
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "wb"));
	ck_assert_uint_eq(fwrite(wav, 1, sizeof(wav), fp), sizeof(wav));
	fclose(fp);
	ck_assert_int_eq(media_audio_load(&list, path, NULL, &au, &d), 0);
	unlink(path);
	ck_assert_uint_eq(media_audio_len(au), 400);
	ck_assert_int_eq(loop_alloc(&l), 0);
	ck_assert_int_eq(media_alloc(&m, l, &o, &d), 0);
	ck_assert_int_eq(media_party_port(m, &a, 1, MEDIA_AUDIO, &pa), 0);
	ck_assert_int_eq(media_party_port(m, &b, 2, MEDIA_AUDIO, &pb), 0);
	snprintf(sdp, sizeof(sdp), "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio %u RTP/AVP 0\r\n", pb);
	ck_assert_int_eq(media_party_sdp(m, &a, 1, sdp, strlen(sdp)), 0);
	ck_assert_int_eq(media_stream_play(m, l, &a, 1, &s, au, 3, media_codec_find(0)), 0);
	tmr_init(&t);
	tmr_start(l, &t, 400, stop_h, l);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_uint_eq(media_stream_sent(s), 8);
	media_stream_free(s);
	media_party_free(a);
	media_party_free(b);
	st = media_get_stats(m);
	ck_assert_uint_eq(st->rtp_sent, 8);
	ck_assert_uint_eq(st->rtp_recv, 8);
	ck_assert_uint_eq(st->rtp_lost, 0);
	media_free(m);
	loop_free(l);
	media_audio_free_all(list);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, sdp_session_and_media_c);
	tcase_add_test(tc, sdp_first_of_a_kind_lf_ttl);
	tcase_add_test(tc, pcap_tone);
	tcase_add_test(tc, play_and_echo_on_loopback);
	tcase_add_test(tc, stream_values);
	tcase_add_test(tc, stream_wav_on_loopback);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
