/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json: the final report as one JSON object (--json). Times are in
 * milliseconds, as floating-point numbers; counters are integers. The
 * same figures as the terminal summary, from the same statistics. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include "media/rtp.h"
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong form, no surrogate, at most U+10FFFF), 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp, n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)     /* the NUL too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* s as a JSON string, quoted and escaped (NULL as ""). JSON is UTF-8
 * (RFC 8259), and sipbench merge's reader holds to it: a byte that
 * starts no well-formed sequence (a name cut inside a character, a
 * peer's Latin-1) is written as U+FFFD. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t n = c >= 0x80 ? utf8_len((const unsigned char *)s) : 1;

		if (!n)
			fputs("\\ufffd", f);
		else if (n > 1)
			fwrite(s, 1, n, f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
		s += n > 1 ? n - 1 : 0;
	}
	fputc('"', f);
}

/* What a lossless merge needs (sipbench merge): the exact sum, min and
 * max, and every non-empty bucket as [index, count] in the layout of
 * "hist_sub_bits". */
static void raw_hist(FILE *f, const struct hist *h)
{
	unsigned b, n = 0;

	fprintf(f, ", \"sum_us\": %llu, \"min_us\": %llu, \"max_us\": %llu, \"buckets\": [",
		(unsigned long long)h->sum, (unsigned long long)(h->count ? h->min : 0),
		(unsigned long long)h->max);
	for (b = 0; h->bucket && b < HIST_BUCKETS; b++)
		if (h->bucket[b])
			fprintf(f, "%s[%u, %lu]", n++ ? ", " : "", b, (unsigned long)h->bucket[b]);
	fputc(']', f);
}

static const char *kind_name(enum step_kind k)
{
	static const char *const names[] = {
		[STEP_SEND] = "send", [STEP_RECV] = "recv", [STEP_PAUSE] = "pause",
		[STEP_NOP] = "nop", [STEP_LABEL] = "label", [STEP_TIMEWAIT] = "timewait",
		[STEP_SIGNAL] = "signal", [STEP_WAIT] = "wait",
		[STEP_SENDCMD] = "sendCmd", [STEP_RECVCMD] = "recvCmd",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "nop";
}

/* between: what the histogram measures ("" leaves "between" out). */
static void hist(FILE *f, const char *name, const char *between, const struct hist *h)
{
	fputs("{\"name\": ", f);
	jstr(f, name);
	if (between[0]) {
		fputs(", \"between\": ", f);
		jstr(f, between);
	}
	fprintf(f, ", \"count\": %llu", (unsigned long long)h->count);
	if (h->count)
		fprintf(f, ", \"mean_ms\": %.3f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
			"\"p99_ms\": %.3f, \"p999_ms\": %.3f, \"min_ms\": %.3f, \"max_ms\": %.3f",
			(double)h->sum / (double)h->count / 1000.0, hist_quantile(h, 0.5) / 1000.0,
			hist_quantile(h, 0.9) / 1000.0, hist_quantile(h, 0.99) / 1000.0,
			hist_quantile(h, 0.999) / 1000.0, h->min / 1000.0, h->max / 1000.0);
	raw_hist(f, h);
	fputc('}', f);
}

static void steps(FILE *f, const struct rpt_run *r)
{
	unsigned u, i, flat = 0;
	char name[96];

	fputs("  \"steps\": [", f);
	for (u = 0; u < r->p->nuas; u++) {
		const struct prog_ua *pu = &r->p->uas[u];

		for (i = 0; i < pu->nsteps; i++, flat++) {
			const struct stat_step *c = &r->st->steps[flat];

			rpt_step_name(&pu->steps[i], name, sizeof(name));
			fprintf(f, "%s\n    {\"party\": ", flat ? "," : "");
			jstr(f, pu->name);
			fprintf(f, ", \"index\": %u, \"kind\": \"%s\", \"step\": ", i + 1,
				kind_name(pu->steps[i].kind));
			jstr(f, name);
			fprintf(f, ", \"sent\": %llu, \"received\": %llu, \"retransmissions\": %llu, "
				"\"timeouts\": %llu, \"unexpected\": %llu}",
				(unsigned long long)c->sent, (unsigned long long)c->recv,
				(unsigned long long)c->retrans, (unsigned long long)c->timeouts,
				(unsigned long long)c->unexpected);
		}
	}
	fputs("\n  ],\n", f);
}

static void failures(FILE *f, const struct rpt_run *r)
{
	unsigned i, n = 0;
	char name[96];

	fputs("  \"failures\": [", f);
	for (i = 0; i < FAIL_COUNT; i++) {
		if (!r->st->fail[i])
			continue;
		fprintf(f, "%s\n    {\"reason\": ", n++ ? "," : "");
		jstr(f, stat_fail_name((enum fail_reason)i));
		fprintf(f, ", \"calls\": %llu}", (unsigned long long)r->st->fail[i]);
	}
	fputs("\n  ],\n  \"failed_at\": [", f);
	for (i = 0; i < r->st->nfail_at; i++) {
		const struct stat_fail_at *fa = &r->st->fail_at[i];
		const struct prog_ua *pu = NULL;
		const struct step *st = rpt_flat_step(r->p, fa->step, &pu);

		if (!st)
			continue;
		rpt_step_name(st, name, sizeof(name));
		fprintf(f, "%s\n    {\"reason\": ", i ? "," : "");
		jstr(f, stat_fail_name(fa->r));
		fputs(", \"party\": ", f);
		jstr(f, pu->name);
		fprintf(f, ", \"index\": %u, \"step\": ", st->index + 1);
		jstr(f, name);
		fputs(", \"detail\": ", f);
		jstr(f, fa->what);
		fprintf(f, ", \"calls\": %llu}", (unsigned long long)fa->n);
	}
	fputs("\n  ],\n", f);
}

/* "shard": {"index": K, "count": N}, null, or for a merge {"merged":
 * [K...], "count": N}; a merge also lists each input's generator. */
static void shard(FILE *f, const struct rpt_run *r)
{
	unsigned i;

	if (!r->generators && !r->shard_count) {
		fputs("  \"shard\": null,\n", f);
		return;
	}
	if (!r->generators) {
		fprintf(f, "  \"shard\": {\"index\": %u, \"count\": %u},\n", r->shard_index,
			r->shard_count);
		return;
	}
	fputs("  \"shard\": {\"merged\": [", f);
	for (i = 0; i < r->nmerged; i++)
		fprintf(f, "%s%u", i ? ", " : "", r->merged[i]);
	fprintf(f, "], \"count\": %u},\n  \"generators\": [", r->shard_count);
	for (i = 0; i < r->ngenerators; i++) {
		fprintf(f, "%s\n    {\"shard\": ", i ? "," : "");
		if (r->generator_shards[i] < 0)
			fputs("null", f);
		else
			fprintf(f, "%d", r->generator_shards[i]);
		fputs(", \"generator\": ", f);
		fputs(r->generators[i], f);
		fputc('}', f);
	}
	fputs("\n  ],\n", f);
}

int rpt_json(FILE *f, const struct rpt_run *r)
{
	const struct stats *st = r->st;
	double secs = (double)r->elapsed_us / 1e6;
	time_t t0 = (time_t)(r->start_unix_us / 1000000u);
	char when[40];
	unsigned i;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	fprintf(f, "{\n  \"sipbench\": \"%s\",\n  \"scenario\": ", PACKAGE_VERSION);
	jstr(f, r->p->name ? r->p->name : "");
	fputs(",\n  \"scenario_file\": ", f);
	if (r->scenario_file)
		jstr(f, r->scenario_file);
	else
		fputs("null", f);
	fputs(",\n  \"target\": ", f);
	if (r->remote)
		jstr(f, r->remote);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"local\": \"%s:%u\",\n  \"started\": \"%s\",\n  \"elapsed_s\": %.3f,\n",
		r->local_ip, r->local_port, when, secs);
	fputs("  \"stopped_by\": ", f);
	if (r->stopped_by)
		jstr(f, r->stopped_by);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"exit_status\": %d,\n  \"verdict\": ", r->exit_status);
	jstr(f, r->verdict);
	fprintf(f, ",\n  \"timeout_error\": %s,\n", r->timeout_error ? "true" : "false");
	shard(f, r);
	fprintf(f, "  \"hist_sub_bits\": %d,\n  \"hist_max_exp\": %d,\n", HIST_SUB_BITS,
		HIST_MAX_EXP);
	fprintf(f, "  \"calls\": {\"started\": %llu, \"successful\": %llu, \"failed\": %llu, "
		"\"timed_out\": %llu, \"unfinished\": %llu, \"rate_per_s\": %.3f},\n",
		(unsigned long long)st->calls_started, (unsigned long long)st->calls_ok,
		(unsigned long long)st->calls_failed, (unsigned long long)st->calls_timeout,
		(unsigned long long)st->calls_unfinished,
		secs > 0 ? (double)(st->calls_ok + st->calls_failed) / secs : 0);
	failures(f, r);
	steps(f, r);
	fputs("  \"response_times\": [", f);
	for (i = 0; i < st->nrtd; i++) {
		char between[360];

		fputs(i ? ",\n    " : "\n    ", f);
		rpt_rtd_between(r, i, between, sizeof(between));
		hist(f, r->p->rtd_names[i], between, &st->rtd[i]);
	}
	fputs("\n  ],\n  \"call_length\": ", f);
	hist(f, "call_length", "the successful calls, start to end", &st->call_len);
	fprintf(f, ",\n  \"messages\": {\"sent\": %llu, \"received\": %llu, \"send_errors\": %llu, "
		"\"unparsable\": %llu, \"no_call\": %llu, \"repeated\": %llu, "
		"\"default_bye_cancel\": %llu, \"icmp_errors\": %llu},\n",
		(unsigned long long)st->tx, (unsigned long long)st->rx,
		(unsigned long long)st->tx_errors, (unsigned long long)st->malformed,
		(unsigned long long)st->stray, (unsigned long long)st->retrans_rx,
		(unsigned long long)st->default_sent, (unsigned long long)st->icmp);
	if (r->media)
		fprintf(f, "  \"media\": {\"rtp_sent\": %llu, \"rtp_received\": %llu, "
			"\"rtp_echoed\": %llu, \"rtp_lost\": %llu, \"plays\": %llu, "
			"\"plays_done\": %llu, \"no_peer\": %llu, \"send_errors\": %llu, "
			"\"sockets\": %llu},\n",
			(unsigned long long)r->media->rtp_sent,
			(unsigned long long)r->media->rtp_recv,
			(unsigned long long)r->media->rtp_echoed,
			(unsigned long long)r->media->rtp_lost,
			(unsigned long long)r->media->plays,
			(unsigned long long)r->media->plays_done,
			(unsigned long long)r->media->no_peer,
			(unsigned long long)r->media->send_errors,
			(unsigned long long)r->media->sockets);
	if (r->media)
		fprintf(f, "  \"srtp\": {\"protected\": %llu, \"authenticated\": %llu, "
			"\"auth_failed\": %llu, \"replayed\": %llu, \"errors\": %llu},\n",
			(unsigned long long)r->media->srtp_protected,
			(unsigned long long)r->media->srtp_unprotected,
			(unsigned long long)r->media->srtp_auth_fail,
			(unsigned long long)r->media->srtp_replay_fail,
			(unsigned long long)r->media->srtp_errors);
	fprintf(f, "  \"generator\": {\"cpu_s\": %.3f, \"cpu_share\": %.3f, \"max_lag_ms\": %.3f, "
		"\"late_ticks\": %llu, \"not_started\": %llu, \"udp_drops\": %lld, "
		"\"held_back_s\": %.3f, \"min_rate_share\": %.3f, \"bottleneck\": %s, "
		"\"verdict\": ",
		r->gen.cpu_s, r->gen.cpu_share, (double)r->gen.max_lag_us / 1000.0,
		(unsigned long long)r->gen.late_ticks, (unsigned long long)r->gen.not_started,
		r->gen.udp_drops, r->gen.held_s, r->gen.min_rate_share,
		r->gen.bottleneck ? "true" : "false");
	jstr(f, r->gen.bottleneck ? r->gen.why : "kept up");
	if (r->gen.stream)
		fprintf(f, ", \"connections\": {\"opened\": %llu, \"accepted\": %llu, "
			"\"lost\": %llu, \"broken\": %llu}", r->gen.conns_out, r->gen.conns_in,
			r->gen.conns_lost, r->gen.stream_errors);
	fputs("},\n", f);
	fputs("  \"limits\": [", f);
	for (i = 0; i < r->nlimits; i++) {
		fprintf(f, "%s\n    {\"limit\": ", i ? "," : "");
		jstr(f, r->limits[i].name);
		fputs(", \"detail\": ", f);
		jstr(f, r->limits[i].detail);
		fprintf(f, ", \"broken\": %s}", r->limits[i].broken ? "true" : "false");
	}
	fputs("\n  ]\n}\n", f);
	return ferror(f) ? EIO : 0;
}
