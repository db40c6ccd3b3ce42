/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv: the -trace_stat file. Columns keep SIPp's names and order for the
 * ones sipbench has; (P) counts since the previous line, (C) since the
 * start. Counters sipbench does not have are written as 0. After SIPp's
 * columns come the mean response times (ResponseTimeN, CallLength, as
 * SIPp writes them: hh:mm:ss:usec) and then sipbench's own percentile
 * columns in milliseconds (ResponseTimeN_p99_ms(C)...), read from the same
 * histograms as the summary and the JSON report, and UnfinishedCall (calls
 * still running when the run ended, which SIPp does not count). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "media/rtp.h"
#include "report/rpt.h"
#include "stats/stats.h"

/* The counted columns, in file order; each is written as a (P);(C) pair. */
enum { C_IN, C_OUT, C_OK, C_FAIL, C_SEND, C_RETRANS_FAIL, C_UNEXP, C_REJ,
       C_CMD, C_RE_NO, C_RE_YES, C_RE_HDR, C_OOC, C_DEAD, C_RTX, C_AA, C_WARN,
       C_FATAL, C_WD_MAJ, C_WD_MIN, C_N };

static const char *const names[C_N] = {
	"IncomingCall", "OutgoingCall", "SuccessfulCall", "FailedCall",
	"FailedCannotSendMessage", "FailedMaxUDPRetrans", "FailedUnexpectedMessage",
	"FailedCallRejected", "FailedCmdNotSent", "FailedRegexpDoesntMatch",
	"FailedRegexpShouldntMatch", "FailedRegexpHdrNotFound", "OutOfCallMsgs",
	"DeadCallMsgs", "Retransmissions", "AutoAnswered", "Warnings", "FatalErrors",
	"WatchdogMajor", "WatchdogMinor",
};

static const struct {
	const char *name;
	double q;
} qs[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};

void rpt_csv_header(struct rpt_csv *c, uint64_t start_us)
{
	unsigned i;

	c->start_us = c->last_us = start_us;
	memset(c->prev, 0, sizeof(c->prev));
	fprintf(c->f, "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);"
		"TargetRate;CallRate(P);CallRate(C)");
	for (i = 0; i < C_N; i++) {
		if (i == C_OK)
			fprintf(c->f, ";TotalCallCreated;CurrentCall");
		fprintf(c->f, ";%s(P);%s(C)", names[i], names[i]);
	}
	for (i = 0; i < c->nrtd; i++)
		fprintf(c->f, ";ResponseTime%s(P);ResponseTime%s(C)", c->rtd_names[i],
			c->rtd_names[i]);
	fprintf(c->f, ";CallLength(P);CallLength(C)");
	for (i = 0; i <= c->nrtd; i++) {
		const char *n = i < c->nrtd ? c->rtd_names[i] : NULL;
		unsigned k;

		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
			fprintf(c->f, ";%s%s_%s_ms(C)", n ? "ResponseTime" : "CallLength",
				n ? n : "", qs[k].name);
	}
	fprintf(c->f, ";UnfinishedCall(P);UnfinishedCall(C)");
	if (c->media)
		fprintf(c->f, ";RtpSent(C);RtpReceived(C);RtpEchoed(C);RtpLost(C)");
	fprintf(c->f, "\n");
	fflush(c->f);
}

static void clock_str(char *out, size_t n)
{
	struct timeval tv;
	struct tm tm;
	char s[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06ld\t%ld.%06ld", s, (long)tv.tv_usec, (long)tv.tv_sec,
		 (long)tv.tv_usec);
}

static void hms(char *out, size_t n, uint64_t us)
{
	uint64_t s = us / 1000000;

	snprintf(out, n, "%02llu:%02llu:%02llu:%06llu", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
		 (unsigned long long)(us % 1000000));
}

static void values(const struct stats *st, int uas_mode, uint64_t v[C_N])
{
	unsigned i;

	memset(v, 0, sizeof(uint64_t) * C_N);
	v[uas_mode ? C_IN : C_OUT] = st->calls_started;
	v[C_OK] = st->calls_ok;
	v[C_FAIL] = st->calls_failed;
	v[C_SEND] = st->fail[FAIL_SEND] + st->fail[FAIL_UNREACHABLE];
	v[C_RETRANS_FAIL] = st->fail[FAIL_MAX_RETRANS];
	v[C_UNEXP] = st->fail[FAIL_UNEXPECTED];
	v[C_RE_NO] = st->fail[FAIL_REGEXP];
	v[C_OOC] = st->stray;
	for (i = 0; i < st->nsteps; i++)
		v[C_RTX] += st->steps[i].retrans;
	v[C_AA] = st->auto_answered;
}

/* The (P) and (C) means of one histogram, as SIPp's hh:mm:ss:usec. */
static void means(struct rpt_csv *c, unsigned i, const struct hist *h)
{
	uint64_t dn = h->count - c->prev_n[i], ds = h->sum - c->prev_sum[i];
	char p[32], a[32];

	hms(p, sizeof(p), dn ? ds / dn : 0);
	hms(a, sizeof(a), h->count ? h->sum / h->count : 0);
	fprintf(c->f, ";%s;%s", p, a);
	c->prev_n[i] = h->count;
	c->prev_sum[i] = h->sum;
}

void rpt_csv_line(struct rpt_csv *c, const struct stats *st, uint64_t now_us,
		  double target_rate, uint64_t current_calls)
{
	uint64_t v[C_N], pv, ended = st->calls_ok + st->calls_failed;
	double per = (double)(now_us - c->last_us) / 1e6, all = (double)(now_us - c->start_us) / 1e6;
	char now[80], elp[32], elc[32];
	unsigned i;

	values(st, st->uas_mode, v);
	clock_str(now, sizeof(now));
	hms(elp, sizeof(elp), now_us - c->last_us);
	hms(elc, sizeof(elc), now_us - c->start_us);
	pv = ended - c->prev[0];
	fprintf(c->f, "%s;%s;%s;%s;%s;%.3f;%.3f;%.3f", now, now, now, elp, elc, target_rate,
		per > 0 ? (double)pv / per : 0, all > 0 ? (double)ended / all : 0);
	for (i = 0; i < C_N; i++) {
		if (i == C_OK)
			fprintf(c->f, ";%llu;%llu", (unsigned long long)st->calls_started,
				(unsigned long long)current_calls);
		fprintf(c->f, ";%llu;%llu", (unsigned long long)(v[i] - c->prevc[i]),
			(unsigned long long)v[i]);
		c->prevc[i] = v[i];
	}
	for (i = 0; i <= c->nrtd && i < 33; i++)
		means(c, i, i < c->nrtd ? &st->rtd[i] : &st->call_len);
	for (i = 0; i <= c->nrtd; i++) {
		const struct hist *h = i < c->nrtd ? &st->rtd[i] : &st->call_len;
		unsigned k;

		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
			fprintf(c->f, ";%.3f", hist_quantile(h, qs[k].q) / 1000.0);
	}
	fprintf(c->f, ";%llu;%llu", (unsigned long long)(st->calls_unfinished - c->prev_unf),
		(unsigned long long)st->calls_unfinished);
	c->prev_unf = st->calls_unfinished;
	if (c->media)
		fprintf(c->f, ";%llu;%llu;%llu;%llu", (unsigned long long)c->media->rtp_sent,
			(unsigned long long)c->media->rtp_recv,
			(unsigned long long)c->media->rtp_echoed,
			(unsigned long long)c->media->rtp_lost);
	fprintf(c->f, "\n");
	fflush(c->f);
	c->prev[0] = ended;
	c->last_us = now_us;
}
