/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict: what a run's end says about it: the run limits (-max_fail_rate,
 * -max_p99), whether the generator kept up, the exit status, and the
 * --json/--junit files. engine.c calls these once, when the run ends,
 * and eng_baseline_start as it starts: e->base is this file's alone. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include "engine/internal.h"

/* The histogram a -max_p99 NAME reads: an rtd counter or call_length. */
static const struct hist *limit_hist(const struct eng *e, const char *name)
{
	unsigned i;

	if (!strcmp(name, "call_length"))
		return &e->st.call_len;
	for (i = 0; i < e->p->nrtds; i++)
		if (!strcmp(e->p->rtd_names[i], name))
			return &e->st.rtd[i];
	return NULL;
}

int eng_check_limits(const struct eng *e, struct diag *d)
{
	unsigned i;

	for (i = 0; i < e->o.np99; i++)
		if (!limit_hist(e, e->o.p99_names[i]))
			return diag_set(d, NULL, 0, "-max_p99 %s: no such counter (the "
					"scenario's rtd names, or call_length)",
					e->o.p99_names[i]);
	return 0;
}

/* -max_fail_rate and -max_p99, judged at the end of the run. */
void eng_eval_limits(const struct eng *e, struct rpt_run *r)
{
	const struct stats *st = &e->st;
	uint64_t ended = st->calls_ok + st->calls_failed;
	unsigned i;

	if (e->o.max_fail_rate >= 0) {
		struct rpt_limit *l = &r->limits[r->nlimits++];
		double rate = ended ? (double)st->calls_failed / (double)ended : 0;

		snprintf(l->name, sizeof(l->name), "-max_fail_rate %g%%", e->o.max_fail_rate * 100);
		snprintf(l->detail, sizeof(l->detail), "%llu of %llu calls failed (%.4g%%)",
			 (unsigned long long)st->calls_failed, (unsigned long long)ended,
			 rate * 100);
		l->broken = rate > e->o.max_fail_rate;
	}
	for (i = 0; i < e->o.np99 && r->nlimits < RPT_MAX_LIMITS; i++) {
		struct rpt_limit *l = &r->limits[r->nlimits++];
		const struct hist *h = limit_hist(e, e->o.p99_names[i]);
		double p99 = h ? hist_quantile(h, 0.99) / 1000.0 : 0;

		snprintf(l->name, sizeof(l->name), "-max_p99 %s=%llums", e->o.p99_names[i],
			 (unsigned long long)e->o.p99_ms[i]);
		if (!h || !h->count) {
			snprintf(l->detail, sizeof(l->detail), "%s has no samples", e->o.p99_names[i]);
			l->broken = 1;
			continue;
		}
		snprintf(l->detail, sizeof(l->detail), "p99 of %s is %.3f ms (%llu samples)",
			 e->o.p99_names[i], p99, (unsigned long long)h->count);
		l->broken = p99 > (double)e->o.p99_ms[i];
	}
}

double eng_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

void eng_baseline_start(struct eng *e)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	e->base.start_unix_us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	e->base.cpu0 = eng_cpu_seconds();
	e->base.tx_late0 = tp_get_stats()->tx_late_errors;
	e->base.udp_drops0 = tp_get_stats()->rx_drops;
}

void eng_baseline_end(struct eng *e)
{
	uint64_t late = tp_get_stats()->tx_late_errors - e->base.tx_late0;

	/* batched sends that failed after eng_send had counted them */
	e->st.tx -= late < e->st.tx ? late : e->st.tx;
	e->st.tx_errors += late;
}

/* Did sipbench keep up? A single-threaded generator near 100% of a core
 * whose rate timer runs late, or whose own sockets dropped UDP datagrams,
 * is the bottleneck: failures and slow answers may then be its own, not
 * the target's. Only sipbench's own evidence counts: another program's
 * drops on the same machine say nothing of it. g's rate timer figures
 * (max_lag_us, late_ticks, not_started) are control.c's, already in. */
static void judge_generator(const struct eng *e, struct rpt_gen *g)
{
	double wall = (double)(e->end_us - e->start_us) / 1e6;

	g->cpu_s = eng_cpu_seconds() - e->base.cpu0;
	g->cpu_share = wall > 0 ? g->cpu_s / wall : 0;
	tp_udp_sync_drops(e->sock);
	g->udp_drops = (long long)(tp_get_stats()->rx_drops - e->base.udp_drops0);
	if (e->o.proto != TP_UDP) {
		const struct tp_stats *t = tp_get_stats();

		g->udp_drops = -1;   /* not this run's concern */
		g->stream = 1;
		g->conns_out = t->conns_out;
		g->conns_in = t->conns_in;
		g->conns_lost = t->conns_lost;
		g->stream_errors = t->stream_errors + t->tls_failures;
	}
	g->held_s = (double)e->pace.held_us / 1e6;
	g->min_rate_share = e->pace.min_factor;
	if (e->pace.held_us && g->not_started == 0)
		snprintf(g->why, sizeof(g->why), "%s: answers queued up (first answers after "
			 "%.1f ms, %.1f ms unloaded), so sipbench held the start rate back, down "
			 "to %.0f%% of the asked rate, for %.1f s%s",
			 g->cpu_share > 0.7 ? "sipbench is the bottleneck" :
			 "the target is saturated", (double)e->pace.worst_us / 1000.0,
			 (double)e->pace.base_us / 1000.0, e->pace.min_factor * 100, g->held_s,
			 g->cpu_share > 0.7 ? "" : " (-no_backoff keeps the asked rate)");
	else if (g->not_started)
		snprintf(g->why, sizeof(g->why), "sipbench is the bottleneck: %llu calls due at "
			 "the asked rate were not started (%.0f%% of one core; its rate timer "
			 "up to %.0f ms late)", (unsigned long long)g->not_started,
			 g->cpu_share * 100, (double)g->max_lag_us / 1000.0);
	else if (g->udp_drops > 0)
		snprintf(g->why, sizeof(g->why), "sipbench may be the bottleneck: its sockets "
			 "dropped %lld UDP datagrams (receive buffers full)", g->udp_drops);
	else if (g->cpu_share > 0.9 && (g->late_ticks > 10 || g->max_lag_us > 100000))
		snprintf(g->why, sizeof(g->why), "sipbench is the bottleneck: %.0f%% of one "
			 "core, its rate timer up to %.0f ms late; ask for less, or the figures "
			 "measure sipbench", g->cpu_share * 100, (double)g->max_lag_us / 1000.0);
	else if (g->late_ticks > 100)
		snprintf(g->why, sizeof(g->why), "sipbench fell behind its schedule %llu times "
			 "(up to %.0f ms; the machine is busy)", (unsigned long long)g->late_ticks,
			 (double)g->max_lag_us / 1000.0);
	else if (g->cpu_share > 0.85 && wall > 2)
		/* a server has no schedule to fall behind: its CPU tells */
		snprintf(g->why, sizeof(g->why), "sipbench may be the bottleneck: it used %.0f%% "
			 "of one core, all one thread can give", g->cpu_share * 100);
	g->bottleneck = g->why[0] != '\0';
}

/* The run's report, judged: its figures, its limits and its verdict
 * (rpt_judge), for the summary and every report file. */
void eng_run_report(const struct eng *e, struct rpt_run *r)
{
	memset(r, 0, sizeof(*r));
	r->p = e->p;
	r->st = &e->st;
	r->elapsed_us = e->end_us - e->start_us;
	r->local_ip = e->local_ip;
	r->local_port = e->local_port;
	r->remote = e->o.remote;
	r->uas_mode = e->uas_mode;
	eng_control_report(e, r);  /* how it ended, how the rate timer kept up */
	r->timeout_error = e->o.timeout_error;
	r->start_unix_us = e->base.start_unix_us;
	judge_generator(e, &r->gen);
	r->pcap_path = e->o.pcap_path;
	r->pcap_msgs = rpt_pcap_count(e->cap);
	r->media = eng_media_stats(e);
	r->scenario_file = e->p->file;
	r->shard_index = e->o.shard_index;
	r->shard_count = e->o.shard_count;
	eng_eval_limits(e, r);
	rpt_judge(r);
}

/* --json and --junit, said on stderr when they cannot be written.
 * Returns 0, or -1 when one could not. */
int eng_write_reports(const struct eng *e, const struct rpt_run *r)
{
	FILE *f;
	int err, bad = 0;

	if (e->o.json_path) {
		f = fopen(e->o.json_path, "w");
		err = f ? rpt_json(f, r) : errno;
		if (f && fclose(f) && !err)
			err = errno;
		if (err)
			fprintf(stderr, "sipbench: error: -json %s: cannot write: %s\n",
				e->o.json_path, strerror(err));
		bad |= err != 0;
	}
	if (e->o.junit_path && (err = rpt_junit(e->o.junit_path, r)) != 0) {
		fprintf(stderr, "sipbench: error: -junit %s: cannot write: %s\n",
			e->o.junit_path, strerror(err));
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* --pcap: its last writes and its close. 0, or -1 (said on stderr). */
int eng_close_outputs(struct eng *e)
{
	int err = rpt_pcap_close(e->cap);

	e->cap = NULL;
	if (err)
		fprintf(stderr, "sipbench: error: -pcap %s: cannot write: %s\n",
			e->o.pcap_path, strerror(err));
	return err ? -1 : 0;
}
