/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv: the -trace_stat file. Columns keep SIPp's names and order for the
 * ones sipbench has; (P) counts since the previous line, (C) since the
 * start. Counters sipbench does not have are written as 0. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
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
	v[C_SEND] = st->fail[FAIL_SEND];
	v[C_RETRANS_FAIL] = st->fail[FAIL_MAX_RETRANS];
	v[C_UNEXP] = st->fail[FAIL_UNEXPECTED];
	v[C_RE_NO] = st->fail[FAIL_REGEXP];
	v[C_OOC] = st->stray;
	for (i = 0; i < st->nsteps; i++)
		v[C_RTX] += st->steps[i].retrans;
	v[C_AA] = st->auto_answered;
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
	fprintf(c->f, "\n");
	fflush(c->f);
	c->prev[0] = ended;
	c->last_us = now_us;
}
