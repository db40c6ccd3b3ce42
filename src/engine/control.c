/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control: what steers a run while it goes: the rate of new calls (the
 * rate timer, with pace.c's share of it; the ramp; keys on a terminal);
 * the run's end (-timeout, -m, the ramp's top, q, SIGINT/SIGTERM) with
 * the -grace given to the calls in progress and the abort of those still
 * running (unfinished); what the keys ask (console.c reads them); the
 * periodic -trace_stat and -metrics writes. It alone touches e->rate,
 * e->stop and e->periodic.
 * call.c owns the calls, engine.c the run's start and end; the verdict
 * is report/judge.c's. The calls report their end up through e->hooks. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine/internal.h"
#include "report/rpt.h"

void eng_stop_now(struct eng *e)
{
	e->stopping = 1;
	eng_abort_all(e, e->stop.abort_why);
	loop_stop(e->loop);
}

/* No call in progress and the end has come (-m, stopping): end the loop. */
static void maybe_finish(struct eng *e)
{
	if (e->nactive)
		return;
	if (e->stopping ||
	    (e->o.max_calls && e->ended >= e->o.max_calls) ||
	    (e->o.max_calls && !e->uas_mode && e->started >= e->o.max_calls))
		loop_stop(e->loop);
}

/* The hook of ua.c's last party done: the call's bookkeeping is call.c's;
 * whether the run ends with it is ours. */
static void on_call_ended(struct call *c)
{
	struct eng *e = c->eng;

	eng_call_ended(e, c);
	if (e->o.max_calls && e->ended >= e->o.max_calls && !e->stopping)
		eng_wind_down(e, "-m");
	maybe_finish(e);
}

void eng_control_init(struct eng *e)
{
	e->hooks.call_ended = on_call_ended;
}

/* Calls whose parties have all passed every step but a final timewait
 * are done: the end of a run with -grace need not wait for them. */
static void end_lingering(struct eng *e)
{
	struct lst_node *n = e->active.next, *next;

	for (; n != &e->active; n = next) {
		next = n->next;
		ua_end_if_lingering(LST_ENTRY(n, struct call, le));
	}
}

static void on_grace(void *arg)
{
	struct eng *e = arg;

	fprintf(stderr, "sipbench: the %.1f s grace period is over: aborting the %llu "
		"calls in progress\n", (double)e->stop.grace_used_ms / 1000.0,
		(unsigned long long)e->nactive);
	snprintf(e->stop.abort_buf, sizeof(e->stop.abort_buf), "grace period after %s over", e->stop.end_what);
	e->stop.abort_why = e->stop.abort_buf;
	e->end_lingering = 0;
	eng_stop_now(e);
}

/* The run's end has come (-timeout, -m, the ramp's top, q, a signal): no
 * new calls. Bounded, calls that have passed every step but their final
 * timewait end now and the others get grace_ms to end; unbounded, all the time
 * they need (SIPp waits for them after -m); calls still running when the
 * grace is over are unfinished (ua_abort). what names the end ("-timeout",
 * "a signal") in messages. */
static void wind_down(struct eng *e, const char *what, uint64_t grace_ms, int bounded)
{
	if (e->stop.winding && !bounded)
		return;
	e->stop.winding = 1;
	e->stopping = 1;
	snprintf(e->stop.end_what, sizeof(e->stop.end_what), "%s", what);
	if (bounded)
		end_lingering(e);  /* calls in their final timewait are done */
	if (bounded && !grace_ms) {
		snprintf(e->stop.abort_buf, sizeof(e->stop.abort_buf), "%s, with -grace 0", what);
		e->stop.abort_why = e->stop.abort_buf;
	}
	if (!e->nactive || (bounded && !grace_ms)) {
		eng_stop_now(e);
		return;
	}
	if (!bounded) {
		maybe_finish(e);
		return;
	}
	e->stop.grace_used_ms = grace_ms;
	e->end_lingering = 1;
	tmr_start(e->loop, &e->stop.grace_tmr, grace_ms, on_grace, e);
}

/* SIGINT or SIGTERM: the first ends the run gracefully (no new calls; the
 * calls in progress get -grace to end), the second aborts them. Either
 * way every report is written and the exit status is 97. */
void eng_on_stop_signal(struct eng *e, int sig)
{
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";

	if (e->stop.exit_reason) {
		fprintf(stderr, "sipbench: %s again: aborting the %llu calls in progress\n",
			name, (unsigned long long)e->nactive);
		e->stop.abort_why = "aborted by a second signal";
		eng_stop_now(e);
		return;
	}
	e->stop.exit_reason = 97;
	snprintf(e->stop.stopped_by, sizeof(e->stop.stopped_by), "signal %s", name);
	end_lingering(e);
	if (e->nactive && e->o.grace_ms)
		fprintf(stderr, "sipbench: %s: no new calls; the %llu calls in progress get "
			"%.1f s to end (a second signal aborts them)\n", name,
			(unsigned long long)e->nactive, (double)e->o.grace_ms / 1000.0);
	e->stop.winding = 0;  /* a signal bounds a wait that had none */
	wind_down(e, "a signal", e->o.grace_ms, 1);
}

/* -timeout: the end of the run, as a signal's but for the exit status
 * (SIPp's: 0, unless -timeout_error). */
static void on_timeout(void *arg)
{
	struct eng *e = arg;

	e->stop.timed_out = 1;
	if (tmr_isrunning(&e->stop.grace_tmr))
		return;  /* a signal's grace already bounds the end */
	end_lingering(e);
	if (e->nactive && e->o.grace_ms)
		fprintf(stderr, "sipbench: -timeout: no new calls; the %llu calls in progress "
			"get %.1f s to end\n", (unsigned long long)e->nactive,
			(double)e->o.grace_ms / 1000.0);
	e->stop.winding = 0;
	wind_down(e, "-timeout", e->o.grace_ms, 1);
}

/* -m reached, the ramp's top, or q: no new calls; the calls in progress
 * end in their own time, or within -grace when it was given. */
void eng_wind_down(struct eng *e, const char *what)
{
	if (e->o.grace_given)
		end_lingering(e);
	if (e->o.grace_given && e->nactive && e->o.grace_ms && !e->stop.winding)
		fprintf(stderr, "sipbench: %s: no new calls; the %llu calls in progress get "
			"%.1f s to end (-grace)\n", what, (unsigned long long)e->nactive,
			(double)e->o.grace_ms / 1000.0);
	wind_down(e, what, e->o.grace_ms, e->o.grace_given);
}

double eng_target_rate(const struct eng *e)
{
	return e->o.rate_period_ms ? e->rate.per_period * 1000.0 / (double)e->o.rate_period_ms : 0;
}

/* Change the rate from now on, keeping the calls already due. */
static void set_rate(struct eng *e, double rate)
{
	e->rate.base_us = loop_now_us(e->loop);
	e->rate.base_started = e->started;
	e->rate.per_period = rate;
}

/* Calls due by now at rate r per period: floor(elapsed * r / period). */
static void on_rate(void *arg)
{
	struct eng *e = arg;
	uint64_t now = loop_now_us(e->loop), due, iv, lag = 0;

	/* how late this tick is: the generator's own lag */
	if (e->rate.sched_us && now > e->rate.sched_us) {
		lag = now - e->rate.sched_us;

		if (lag > e->rate.max_lag_us)
			e->rate.max_lag_us = lag;
		if (lag > 10000)
			e->rate.late_ticks++;
	}
	if (!e->o.unpaced &&
	    eng_pace_update(&e->pace, e->rate.per_period * 1000.0 / (double)e->o.rate_period_ms,
			    now)) {
		/* a new share of the asked rate: schedule anew from now */
		e->rate.base_us = now;
		e->rate.base_started = e->started;
	}
	if (e->o.unpaced) {
		due = UINT64_MAX;
	} else {
		double per_ms = e->rate.per_period * e->pace.factor / (double)e->o.rate_period_ms;
		uint64_t slack = (uint64_t)(50 * per_ms) > 2 ? (uint64_t)(50 * per_ms) : 2;

		due = e->rate.base_started + (uint64_t)((double)(now - e->rate.base_us) / 1000.0 *
							 per_ms) + 1;
		/* more than 50 ms late and that many calls behind: sipbench
		 * cannot keep the rate. Starting the backlog in one burst would
		 * only feed a retransmission storm; drop it, go on from now. */

		if (lag > 50000 && due > e->started + 1 + slack && eng_can_start(e)) {
			e->rate.not_started += due - e->started - 1;
			e->rate.base_us = now;
			e->rate.base_started = e->started;
			due = e->started + 1;
		}
	}
	while (e->started < due && eng_can_start(e))
		eng_start_client_call(e);
	if (e->o.max_calls && e->started >= e->o.max_calls && !e->stopping)
		eng_wind_down(e, "-m");
	if (e->stopping)
		return;
	iv = e->o.unpaced ? 1 : (uint64_t)((double)e->o.rate_period_ms / e->rate.per_period);
	iv = iv ? (iv > 100 ? 100 : iv) : 1;
	e->rate.sched_us = now + iv * 1000;
	tmr_start(e->loop, &e->rate.tmr, iv, on_rate, e);
}

/* -rate_increase: one step every -fd period. After a period at -rate_max
 * the run ends (no new calls; SIPp's behaviour) unless -no_rate_quit. */
static void on_ramp(void *arg)
{
	struct eng *e = arg;
	double next = e->rate.per_period + e->o.rate_increase;

	if (e->rate.ramp_done) {
		if (!e->o.no_rate_quit)
			eng_wind_down(e, "-rate_max");
		return;
	}
	if (e->o.rate_max > 0 && next >= e->o.rate_max) {
		next = e->o.rate_max;
		e->rate.ramp_done = 1;
	}
	set_rate(e, next);
	tmr_start(e->loop, &e->rate.ramp_tmr, e->o.stat_period_ms, on_ramp, e);
}

/* Keys on a terminal, as SIPp's (console.c reads them): + and - change
 * the rate by 1, * and / by 10 (times -rate_scale), p pauses and resumes
 * new calls, q stops gracefully (no new calls; a second q aborts the
 * calls in progress), Q aborts them and ends the run at once. */
int eng_key(struct eng *e, int k)
{
	double r = e->rate.per_period, s = e->rate.scale;

	switch (k) {
	case '+': r += s; break;
	case '-': r -= s; break;
	case '*': r += 10 * s; break;
	case '/': r -= 10 * s; break;
	case 'p':
		e->paused = !e->paused;
		/* the schedule restarts from the resume: the calls not
		 * started while paused are not owed (no burst) */
		if (!e->paused)
			set_rate(e, e->rate.per_period);
		return 1;
	case 'Q':
		e->stop.abort_why = "aborted by Q";
		eng_stop_now(e);
		return 1;
	case 'q':
		if (e->stopping) {
			eng_stop_now(e);
			return 1;
		}
		e->stop.abort_why = "aborted by q";
		eng_wind_down(e, "q");
		return 1;
	default:
		return 0;
	}
	if (e->o.users && e->o.unpaced) {
		/* a -users run has no rate: the keys change the users, as
		 * SIPp's (by the same steps) */
		double u = (double)e->o.users + (r - e->rate.per_period);

		e->o.users = u < 1 ? 1 : u > 1e9 ? 1000000000u : (unsigned)u;
		return 1;
	}
	set_rate(e, r < 1 ? 1 : r);
	return 1;
}

int eng_write_metrics(struct eng *e)
{
	int err;

	if (!e->o.metrics_path || e->periodic.metrics_failed)
		return e->periodic.metrics_failed ? -1 : 0;
	/* the shard label is the index: shard_tag after its "-s" */
	err = rpt_metrics(e->o.metrics_path, e->p, &e->st, e->nactive, eng_target_rate(e),
			  e->shard_tag[0] ? e->shard_tag + 2 : NULL);
	if (err) {
		fprintf(stderr, "sipbench: error: -metrics %s: cannot write: %s\n",
			e->o.metrics_path, strerror(err));
		e->periodic.metrics_failed = 1;
		return -1;
	}
	return 0;
}

void eng_write_last_stat(struct eng *e)
{
	if (e->o.stat_csv)
		rpt_csv_line(&e->periodic.csv, &e->st, e->end_us, eng_target_rate(e), e->nactive);
	if (e->o.counts_csv)
		rpt_counts_line(&e->periodic.counts, &e->st, e->end_us - e->start_us);
	rpt_codes_line(&e->codes, e->end_us - e->start_us);
}

static void on_stat(void *arg)
{
	struct eng *e = arg;

	if (e->o.stat_csv)
		rpt_csv_line(&e->periodic.csv, &e->st, loop_now_us(e->loop), eng_target_rate(e),
			     e->nactive);
	if (e->o.counts_csv)
		rpt_counts_line(&e->periodic.counts, &e->st, loop_now_us(e->loop) - e->start_us);
	rpt_codes_line(&e->codes, loop_now_us(e->loop) - e->start_us);
	(void)eng_write_metrics(e);  /* said, and remembered for the exit status */
	tmr_start(e->loop, &e->periodic.tmr, e->o.stat_period_ms, on_stat, e);
}

int eng_set_rate(struct eng *e, double rate, double scale)
{
	if (rate < 0 || scale < 0 || (rate > 0 && e->o.unpaced))
		return EINVAL;
	if (scale > 0)
		e->rate.scale = scale;
	if (rate > 0)
		set_rate(e, rate);
	return 0;
}

void eng_control_start(struct eng *e)
{
	e->rate.scale = e->o.rate_scale > 0 ? e->o.rate_scale : 1;
	set_rate(e, e->o.rate);
	if (!e->uas_mode)
		tmr_start(e->loop, &e->rate.tmr, 0, on_rate, e);
	if (!e->uas_mode && e->o.rate_increase > 0)
		tmr_start(e->loop, &e->rate.ramp_tmr, e->o.stat_period_ms, on_ramp, e);
	if (e->o.timeout_ms)
		tmr_start(e->loop, &e->stop.timeout_tmr, e->o.timeout_ms, on_timeout, e);
	if (e->o.stat_csv) {
		e->periodic.csv.f = e->o.stat_csv;
		e->periodic.csv.rtd_names = e->p->rtd_names;
		e->periodic.csv.delim = e->o.stat_delim;
		e->periodic.csv.users = e->o.users;
		e->periodic.csv.nrtd = e->p->nrtds;
		e->periodic.csv.gen_names = e->p->counter_names;
		e->periodic.csv.ngen = e->p->ncounters < RPT_CSV_NGEN ? e->p->ncounters : RPT_CSV_NGEN;
		e->periodic.csv.media = eng_media_stats(e);
		rpt_csv_header(&e->periodic.csv, &e->st, e->start_us, eng_target_rate(e));
	}
	if (e->o.counts_csv) {
		e->periodic.counts = (struct rpt_counts){e->o.counts_csv, e->o.stat_delim, e->p};
		rpt_counts_header(&e->periodic.counts);
		rpt_counts_line(&e->periodic.counts, &e->st, 0);
	}
	e->rtt = (struct rpt_rtt){e->o.rtt_csv, e->o.stat_delim, e->o.rtt_freq, 0,
					   e->start_us, e->p->rtd_names};
	e->codes.f = e->o.codes_csv;
	e->codes.delim = e->o.stat_delim;
	rpt_codes_line(&e->codes, 0);
	if (e->o.stat_csv || e->o.metrics_path || e->o.counts_csv || e->o.codes_csv)
		tmr_start(e->loop, &e->periodic.tmr, e->o.stat_period_ms, on_stat, e);
}

void eng_control_end(struct eng *e)
{
	/* engine.c may turn the loop again (draining streams): none of
	 * these may fire then */
	tmr_cancel(&e->rate.tmr);
	tmr_cancel(&e->rate.ramp_tmr);
	tmr_cancel(&e->stop.timeout_tmr);
	tmr_cancel(&e->stop.grace_tmr);
	tmr_cancel(&e->periodic.tmr);
	e->end_lingering = 0;
	eng_abort_all(e, e->stop.abort_why);
}

void eng_control_report(const struct eng *e, struct rpt_run *r)
{
	r->stopped_by = e->stop.exit_reason ? e->stop.stopped_by :
			e->stop.timed_out ? "-timeout" : e->stop_why[0] ? e->stop_why : NULL;
	r->signalled = e->stop.exit_reason == 97;
	r->timed_out = e->stop.timed_out;
	r->unfinished_why = e->stop.abort_why;
	r->gen.max_lag_us = e->rate.max_lag_us;
	r->gen.late_ticks = e->rate.late_ticks;
	r->gen.not_started = e->rate.not_started;
}
