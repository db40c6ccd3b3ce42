/* SPDX-License-Identifier: GPL-2.0-or-later */
/* traces: SIPp's -trace_counts, -trace_error_codes and -trace_rtt
 * files. The first, <scenario>_<pid>_counts.csv, has SIPp's columns:
 * CurrentTime and ElapsedTime, then per step, "<index>_<what>_<counter>": a send has Sent, Retrans and (a request
 * other than ACK over UDP, which is retransmitted) Timeout; a receive
 * Recv, Retrans, Timeout and Unexp; a pause Sessions (the calls that
 * entered it) and Unexp; other steps no column. The counters are the
 * run's totals so far; every field ends with the delimiter. The second,
 * <scenario>_<pid>_error_codes.csv, lists the status codes of the
 * unexpected responses received since its previous line; the third,
 * <scenario>_<pid>_rtt.csv, each response time measured. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "report/pcap.h"
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

static const char *delim(const struct rpt_counts *c)
{
	return c->delim ? c->delim : ";";
}

/* SIPp counts send timeouts for the sends with retrans= only */
static int has_timeout(const struct step *s)
{
	return s->retrans_ms > 0;
}

static void step_header(const struct rpt_counts *c, unsigned i, const struct step *s)
{
	const char *d = delim(c);

	switch (s->kind) {
	case STEP_SEND:
		fprintf(c->f, "%u_%s_Sent%s%u_%s_Retrans%s", i, s->display, d, i, s->display, d);
		if (has_timeout(s))
			fprintf(c->f, "%u_%s_Timeout%s", i, s->display, d);
		break;
	case STEP_RECV:
		fprintf(c->f, "%u_%s_Recv%s%u_%s_Retrans%s%u_%s_Timeout%s%u_%s_Unexp%s", i,
			s->display, d, i, s->display, d, i, s->display, d, i, s->display, d);
		break;
	case STEP_PAUSE:
	case STEP_TIMEWAIT:
		fprintf(c->f, "%u_Pause_Sessions%s%u_Pause_Unexp%s", i, d, i, d);
		break;
	default:
		break;
	}
}

static void step_line(const struct rpt_counts *c, const struct step *s,
		      const struct stat_step *n)
{
	const char *d = delim(c);

	switch (s->kind) {
	case STEP_SEND:
		fprintf(c->f, "%llu%s%llu%s", (unsigned long long)n->sent, d,
			(unsigned long long)n->retrans, d);
		if (has_timeout(s))
			fprintf(c->f, "%llu%s", (unsigned long long)n->timeouts, d);
		break;
	case STEP_RECV:
		fprintf(c->f, "%llu%s%llu%s%llu%s%llu%s", (unsigned long long)n->recv, d,
			(unsigned long long)n->retrans, d, (unsigned long long)n->timeouts, d,
			(unsigned long long)n->unexpected, d);
		break;
	case STEP_PAUSE:
	case STEP_TIMEWAIT:
		fprintf(c->f, "%llu%s%llu%s", (unsigned long long)n->sent, d,
			(unsigned long long)n->unexpected, d);
		break;
	default:
		break;
	}
}

/* "YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu" of a time in microseconds. */
static void stamp_us(char *out, size_t n, uint64_t unix_us)
{
	time_t t = (time_t)(unix_us / 1000000u);
	struct tm tm;
	char s[32];

	localtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06u", s, (unsigned)(unix_us % 1000000u));
}

void rpt_calldebug(FILE *f, const char *call_id, const char *why,
		   const struct rpt_pcap_list *l)
{
	const struct rpt_pcap_msg *m;
	struct timeval tv;
	char ts[48];

	gettimeofday(&tv, NULL);
	stamp_us(ts, sizeof(ts), (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec);
	fprintf(f, "-------------------------------------------------------------------------------\n"
		"Call debugging information for call %s: %s at %s\n",
		call_id ? call_id : "(none)", why, ts);
	for (m = l->head; m; m = m->next) {
		stamp_us(ts, sizeof(ts), m->unix_us);
		fprintf(f, "%s %s %zu bytes %s %s:\n%.*s\n\n", ts, m->sent ? "sent" : "received",
			m->len, m->sent ? "to" : "from", m->peer, (int)m->len, m->data);
	}
	if (l->n >= RPT_PCAP_PER_CALL)
		fprintf(f, "(the call's first %u messages only)\n", RPT_PCAP_PER_CALL);
	fflush(f);
}

void rpt_counts_header(const struct rpt_counts *c)
{
	unsigned u, i;

	fprintf(c->f, "CurrentTime%sElapsedTime%s", delim(c), delim(c));
	for (u = 0; u < c->p->nuas; u++)
		for (i = 0; i < c->p->uas[u].nsteps; i++)
			step_header(c, i, &c->p->uas[u].steps[i]);
	fputc('\n', c->f);
	fflush(c->f);
}

void rpt_time_stamp(char *out, size_t n)
{
	struct timeval tv;
	struct tm tm;
	char s[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06ld\t%010ld.%06ld", s, (long)tv.tv_usec, (long)tv.tv_sec,
		 (long)tv.tv_usec);
}

void rpt_elapsed(char *out, size_t n, uint64_t us)
{
	unsigned long long ms = us / 1000, s = ms / 1000;

	snprintf(out, n, "%02llu:%02llu:%02llu:%06llu", s / 3600, s / 60 % 60, s % 60,
		 ms % 1000 * 1000);
}

void rpt_counts_line(const struct rpt_counts *c, const struct stats *st, uint64_t elapsed_us)
{
	char ts[64], el[48];
	unsigned u, i, flat = 0;

	rpt_time_stamp(ts, sizeof(ts));
	rpt_elapsed(el, sizeof(el), elapsed_us);
	fprintf(c->f, "%s%s%s%s", ts, delim(c), el, delim(c));
	for (u = 0; u < c->p->nuas; u++)
		for (i = 0; i < c->p->uas[u].nsteps; i++, flat++)
			if (flat < st->nsteps)
				step_line(c, &c->p->uas[u].steps[i], &st->steps[flat]);
	fputc('\n', c->f);
	fflush(c->f);
}

void rpt_codes_add(struct rpt_codes *c, int status)
{
	if (c->f && status && c->n < RPT_CODES)
		c->code[c->n++] = status;
}

void rpt_codes_line(struct rpt_codes *c, uint64_t elapsed_us)
{
	const char *d = c->delim ? c->delim : ";";
	char ts[64], el[48];

	if (!c->f)
		return;
	rpt_time_stamp(ts, sizeof(ts));
	rpt_elapsed(el, sizeof(el), elapsed_us);
	fprintf(c->f, "%s%s%s%s", ts, d, el, d);
	while (c->n)
		fprintf(c->f, "%d,", c->code[--c->n]);
	fputc('\n', c->f);
	fflush(c->f);
}

void rpt_rtt_add(struct rpt_rtt *r, uint64_t now_us, uint64_t rtt_us, unsigned rtd)
{
	const char *d = r->delim ? r->delim : ";";

	if (!r->f)
		return;
	if (!r->n++)
		fprintf(r->f, "Date_ms%sresponse_time_ms%srtd_no\n", d, d);
	fprintf(r->f, "%g%s%g%s%s\n", (double)(now_us - r->start_us) / 1000.0, d,
		(double)rtt_us / 1000.0, d, r->names[rtd]);
	if (r->freq && r->n % r->freq == 0)
		fflush(r->f);
}
