/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv: the -trace_stat file, column for column as SIPp 3.6.1 writes it,
 * so that scripts reading SIPp's file by position or by name read ours:
 * the same names in the same order, time stamps as "date<TAB>time<TAB>
 * epoch", elapsed times as HH:MM:SS, means and standard deviations as
 * HH:MM:SS:uuuuuu, rates as C++ streams print a float (%g), each field
 * followed by the delimiter (-stat_delimiter, ";" by default), the
 * <ResponseTimeRepartition> and <CallLengthRepartition> counts at the
 * end. Counters sipbench cannot know are written as 0
 * (docs/trace_stat.md says which and why). sipbench's own columns come
 * after SIPp's last one: percentiles in milliseconds, UnfinishedCall and,
 * with media, the RTP counters. */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "media/rtp.h"
#include "report/rpt.h"
#include "stats/stats.h"

/* SIPp's counted columns after CallRate(C), in file order; each is a
 * (P) and (C) pair, except that TotalCallCreated and CurrentCall (one
 * column each) come between OutgoingCall and SuccessfulCall. */
enum { C_IN, C_OUT, C_OK, C_FAIL, C_SEND, C_UDP_RETRANS, C_TCP_CONNECT, C_TCP_CLOSED,
       C_UNEXP, C_REJECTED, C_CMD, C_RE_NO, C_RE_YES, C_RE_HDR, C_CONGESTION,
       C_TO_RECV, C_TO_SEND, C_TEST_NO, C_TEST_YES, C_STRCMP_NO, C_STRCMP_YES,
       C_OOC, C_DEAD, C_RTX, C_AA, C_WARN, C_FATAL, C_WD_MAJ, C_WD_MIN, C_N };

static const char *const names[C_N] = {
	"IncomingCall", "OutgoingCall", "SuccessfulCall", "FailedCall",
	"FailedCannotSendMessage", "FailedMaxUDPRetrans", "FailedTcpConnect",
	"FailedTcpClosed", "FailedUnexpectedMessage", "FailedCallRejected",
	"FailedCmdNotSent", "FailedRegexpDoesntMatch", "FailedRegexpShouldntMatch",
	"FailedRegexpHdrNotFound", "FailedOutboundCongestion", "FailedTimeoutOnRecv",
	"FailedTimeoutOnSend", "FailedTestDoesntMatch", "FailedTestShouldntMatch",
	"FailedStrcmpDoesntMatch", "FailedStrcmpShouldntMatch", "OutOfCallMsgs",
	"DeadCallMsgs", "Retransmissions", "AutoAnswered", "Warnings", "FatalErrors",
	"WatchdogMajor", "WatchdogMinor",
};

/* sipbench's percentile columns, after SIPp's. */
static const struct {
	const char *name;
	double q;
} qs[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};

/* One field and its delimiter. */
static void field(const struct rpt_csv *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(c->f, fmt, ap);
	va_end(ap);
	fputs(c->delim ? c->delim : ";", c->f);
}

/* Response-time counter i, or for i == nrtd the call length: of every
 * ended call in SIPp's columns (ended), of the successful ones in
 * sipbench's percentiles (the summary's and the JSON report's). */
static const struct hist *hist_of(const struct stats *st, const struct rpt_csv *c, unsigned i,
				  int ended)
{
	if (i < c->nrtd)
		return &st->rtd[i];
	return ended ? &st->call_len_ended : &st->call_len;
}

/* "ResponseTime1", or "CallLength" for i == nrtd; rtd names are short
 * (the scenario's rtd= values). */
static const char *hist_name(const struct rpt_csv *c, unsigned i, char *buf, size_t n)
{
	if (i < c->nrtd)
		snprintf(buf, n, "ResponseTime%s", c->rtd_names[i]);
	else
		snprintf(buf, n, "CallLength");
	return buf;
}

/* SIPp's repartition columns: the name alone (an empty field in the
 * lines), then one column per bound and one for the rest. */
static void rep_header(const struct rpt_csv *c, const char *name, const struct hist_rep *r)
{
	unsigned k;

	if (!r)
		return;
	field(c, "%s", name);
	for (k = 0; k < r->nbound; k++)
		field(c, "%s_<%llu", name, (unsigned long long)(r->bound[k] / 1000));
	field(c, "%s_>=%llu", name, (unsigned long long)(r->bound[r->nbound - 1] / 1000));
}

static void header(const struct rpt_csv *c, const struct stats *st)
{
	char n[96], rn[128];
	unsigned i, k;

	field(c, "StartTime");
	field(c, "LastResetTime");
	field(c, "CurrentTime");
	field(c, "ElapsedTime(P)");
	field(c, "ElapsedTime(C)");
	field(c, "TargetRate");
	field(c, "CallRate(P)");
	field(c, "CallRate(C)");
	for (i = 0; i < C_N; i++) {
		if (i == C_OK) {
			field(c, "TotalCallCreated");
			field(c, "CurrentCall");
		}
		field(c, "%s(P)", names[i]);
		field(c, "%s(C)", names[i]);
	}
	for (i = 0; i <= c->nrtd; i++) {
		hist_name(c, i, n, sizeof(n));
		field(c, "%s(P)", n);
		field(c, "%s(C)", n);
		field(c, "%sStDev(P)", n);
		field(c, "%sStDev(C)", n);
	}
	for (i = 0; i < c->ngen; i++) {  /* SIPp's generic counters */
		field(c, "%s(P)", c->gen_names[i]);
		field(c, "%s(C)", c->gen_names[i]);
	}
	for (i = 0; i < c->nrtd; i++) {
		snprintf(rn, sizeof(rn), "ResponseTimeRepartition%s", c->rtd_names[i]);
		rep_header(c, rn, st->rtd[i].rep);
	}
	rep_header(c, "CallLengthRepartition", st->call_len_ended.rep);
	/* sipbench's own */
	for (i = 0; i <= c->nrtd; i++) {
		hist_name(c, i, n, sizeof(n));
		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
			field(c, "%s_%s_ms(C)", n, qs[k].name);
	}
	field(c, "UnfinishedCall(P)");
	field(c, "UnfinishedCall(C)");
	if (c->media) {
		field(c, "RtpSent(C)");
		field(c, "RtpReceived(C)");
		field(c, "RtpEchoed(C)");
		field(c, "RtpLost(C)");
	}
	fputc('\n', c->f);
}

static int64_t wall_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* SIPp's time stamp: local date, time with microseconds, and the epoch. */
static void stamp(const struct rpt_csv *c, uint64_t loop_us)
{
	int64_t w = (int64_t)loop_us + c->wall_off_us;
	time_t sec = (time_t)(w / 1000000);
	long us = (long)(w % 1000000);
	struct tm tm;
	char s[32];

	if (!localtime_r(&sec, &tm)) {
		field(c, "");
		return;
	}
	strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
	field(c, "%s.%06ld\t%010ld.%06ld", s, us, (long)sec, us);
}

/* A duration: HH:MM:SS, or HH:MM:SS:uuuuuu with the microseconds. */
static void duration(const struct rpt_csv *c, uint64_t us, int with_us)
{
	unsigned long long s = us / 1000000;

	if (with_us)
		field(c, "%02llu:%02llu:%02llu:%06llu", s / 3600, s / 60 % 60, s % 60,
		      (unsigned long long)(us % 1000000));
	else
		field(c, "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
}

/* The sample standard deviation (SIPp's n - 1 form); 0 below 2 values. */
static uint64_t stdev(uint64_t n, uint64_t sum, double sumsq)
{
	double num, sd;

	if (n < 2)
		return 0;
	num = (double)n * sumsq - (double)sum * (double)sum;
	if (num <= 0)
		return 0;
	sd = sqrt(num / ((double)n * ((double)n - 1.0)));
	return (uint64_t)(sd + 0.5);
}

static void values(const struct stats *st, uint64_t v[C_N])
{
	unsigned i;
	uint64_t send = st->fail[FAIL_SEND] + st->fail[FAIL_UNREACHABLE];

	memset(v, 0, sizeof(uint64_t) * C_N);
	v[st->uas_mode ? C_IN : C_OUT] = st->calls_started;
	v[C_OK] = st->calls_ok;
	v[C_FAIL] = st->calls_failed;
	v[C_TCP_CLOSED] = st->conn_lost < send ? st->conn_lost : send;
	v[C_SEND] = send - v[C_TCP_CLOSED];
	v[C_UDP_RETRANS] = st->fail[FAIL_MAX_RETRANS];
	v[C_UNEXP] = st->fail[FAIL_UNEXPECTED];
	v[C_RE_YES] = st->regexp_inverse < st->fail[FAIL_REGEXP] ? st->regexp_inverse :
		      st->fail[FAIL_REGEXP];
	v[C_RE_NO] = st->fail[FAIL_REGEXP] - v[C_RE_YES];
	v[C_TO_RECV] = st->fail[FAIL_RECV_TIMEOUT];
	v[C_OOC] = st->stray;
	v[C_DEAD] = st->dead_msgs;
	for (i = 0; i < st->nsteps; i++)
		v[C_RTX] += st->steps[i].retrans;
	v[C_AA] = st->auto_answered;
}

/* Means and standard deviations of histogram i: (P), (C), StDev(P),
 * StDev(C). */
static void moments(struct rpt_csv *c, unsigned i, const struct hist *h)
{
	uint64_t dn = h->count - c->prev_n[i], ds = h->sum - c->prev_sum[i];
	double dq = h->sumsq - c->prev_sq[i];

	duration(c, dn ? ds / dn : 0, 1);
	duration(c, h->count ? h->sum / h->count : 0, 1);
	duration(c, stdev(dn, ds, dq), 1);
	duration(c, stdev(h->count, h->sum, h->sumsq), 1);
	c->prev_n[i] = h->count;
	c->prev_sum[i] = h->sum;
	c->prev_sq[i] = h->sumsq;
}

static void rep_line(const struct rpt_csv *c, const struct hist_rep *r)
{
	unsigned k;

	if (!r)
		return;
	field(c, "");
	for (k = 0; k <= r->nbound; k++)
		field(c, "%llu", (unsigned long long)r->n[k]);
}

void rpt_csv_line(struct rpt_csv *c, const struct stats *st, uint64_t now_us,
		  double target_rate, uint64_t current_calls)
{
	uint64_t v[C_N], per = now_us - c->last_us, all = now_us - c->start_us;
	uint64_t created = st->calls_started;
	/* calls created since the previous line (one of the two is 0) */
	uint64_t dcreated = created - c->prevc[C_IN] - c->prevc[C_OUT];
	unsigned i, k;

	values(st, v);
	stamp(c, c->start_us);
	stamp(c, c->last_us);
	stamp(c, now_us);
	duration(c, per, 0);
	duration(c, all, 0);
	if (c->users)
		field(c, "%u", c->users);
	else
		field(c, "%g", target_rate);
	field(c, "%g", per ? (double)(float)((double)dcreated * 1e6 / (double)per) : 0.0);
	field(c, "%g", all ? (double)(float)((double)created * 1e6 / (double)all) : 0.0);
	for (i = 0; i < C_N; i++) {
		if (i == C_OK) {
			field(c, "%llu", (unsigned long long)created);
			field(c, "%llu", (unsigned long long)current_calls);
		}
		field(c, "%llu", (unsigned long long)(v[i] - c->prevc[i]));
		field(c, "%llu", (unsigned long long)v[i]);
		c->prevc[i] = v[i];
	}
	for (i = 0; i <= c->nrtd; i++)
		moments(c, i, hist_of(st, c, i, 1));
	for (i = 0; i < c->ngen && i < st->ngen; i++) {
		field(c, "%llu", (unsigned long long)(st->gen[i] - c->prev_gen[i]));
		field(c, "%llu", (unsigned long long)st->gen[i]);
		c->prev_gen[i] = st->gen[i];
	}
	for (i = 0; i < c->nrtd; i++)
		rep_line(c, st->rtd[i].rep);
	rep_line(c, st->call_len_ended.rep);
	for (i = 0; i <= c->nrtd; i++)
		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
			field(c, "%.3f", hist_quantile(hist_of(st, c, i, 0), qs[k].q) / 1000.0);
	field(c, "%llu", (unsigned long long)(st->calls_unfinished - c->prev_unf));
	field(c, "%llu", (unsigned long long)st->calls_unfinished);
	c->prev_unf = st->calls_unfinished;
	if (c->media) {
		field(c, "%llu", (unsigned long long)c->media->rtp_sent);
		field(c, "%llu", (unsigned long long)c->media->rtp_recv);
		field(c, "%llu", (unsigned long long)c->media->rtp_echoed);
		field(c, "%llu", (unsigned long long)c->media->rtp_lost);
	}
	fputc('\n', c->f);
	fflush(c->f);
	c->last_us = now_us;
}

void rpt_csv_header(struct rpt_csv *c, const struct stats *st, uint64_t start_us,
		    double target_rate)
{
	if (c->nrtd > RPT_CSV_NRTD)
		c->nrtd = RPT_CSV_NRTD;
	c->start_us = c->last_us = start_us;
	c->wall_off_us = wall_us() - (int64_t)start_us;
	memset(c->prevc, 0, sizeof(c->prevc));
	memset(c->prev_n, 0, sizeof(c->prev_n));
	memset(c->prev_sum, 0, sizeof(c->prev_sum));
	memset(c->prev_sq, 0, sizeof(c->prev_sq));
	c->prev_unf = 0;
	memset(c->prev_gen, 0, sizeof(c->prev_gen));
	header(c, st);
	rpt_csv_line(c, st, start_us, target_rate, 0);
}
