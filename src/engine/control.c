/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control: what steers a run while it goes: its end (-timeout, -m, the
 * ramp's top, q, SIGINT/SIGTERM) with the -grace given to the calls in
 * progress and the abort of those still running (unfinished); the rate's
 * changes (ramp, keys on a terminal); the live status line and the
 * periodic -trace_stat and -metrics writes. engine.c owns the calls, the
 * dispatch and the run's start; the verdict is report/judge.c's. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "engine/internal.h"
#include "report/rpt.h"

void eng_stop_now(struct eng *e)
{
	e->stopping = 1;
	eng_abort_all(e);
	loop_stop(e->loop);
}

/* A call whose parties have all passed every step but a final timewait
 * is done: the end of a run with -grace need not wait for it. */
void eng_end_if_lingering(struct call *c)
{
	unsigned i, lingering = 0;

	for (i = 0; i < c->nuas; i++)
		lingering += c->ua[i].state == UA_ST_DONE || ua_lingering(&c->ua[i]);
	if (lingering < c->nuas)
		return;
	for (i = 0; i < c->nuas; i++)
		if (c->ua[i].state != UA_ST_DONE)
			ua_abort(&c->ua[i]);
}

static void end_lingering(struct eng *e)
{
	struct lst_node *n = e->active.next, *next;

	for (; n != &e->active; n = next) {
		next = n->next;
		eng_end_if_lingering(LST_ENTRY(n, struct call, le));
	}
}

static void on_grace(void *arg)
{
	struct eng *e = arg;

	fprintf(stderr, "sipbench: the %.1f s grace period is over: aborting the %llu "
		"calls in progress\n", (double)e->grace_used_ms / 1000.0,
		(unsigned long long)e->nactive);
	snprintf(e->abort_buf, sizeof(e->abort_buf), "grace period after %s over", e->end_what);
	e->abort_why = e->abort_buf;
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
	if (e->winding && !bounded)
		return;
	e->winding = 1;
	e->stopping = 1;
	snprintf(e->end_what, sizeof(e->end_what), "%s", what);
	if (bounded)
		end_lingering(e);  /* calls in their final timewait are done */
	if (bounded && !grace_ms) {
		snprintf(e->abort_buf, sizeof(e->abort_buf), "%s, with -grace 0", what);
		e->abort_why = e->abort_buf;
	}
	if (!e->nactive || (bounded && !grace_ms)) {
		eng_stop_now(e);
		return;
	}
	if (!bounded) {
		eng_maybe_finish(e);
		return;
	}
	e->grace_used_ms = grace_ms;
	tmr_start(e->loop, &e->grace_tmr, grace_ms, on_grace, e);
}

/* SIGINT or SIGTERM: the first ends the run gracefully (no new calls; the
 * calls in progress get -grace to end), the second aborts them. Either
 * way every report is written and the exit status is 97. */
void eng_on_stop_signal(struct eng *e, int sig)
{
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";

	if (e->exit_reason) {
		fprintf(stderr, "sipbench: %s again: aborting the %llu calls in progress\n",
			name, (unsigned long long)e->nactive);
		e->abort_why = "aborted by a second signal";
		eng_stop_now(e);
		return;
	}
	e->exit_reason = 97;
	snprintf(e->stopped_by, sizeof(e->stopped_by), "signal %s", name);
	end_lingering(e);
	if (e->nactive && e->o.grace_ms)
		fprintf(stderr, "sipbench: %s: no new calls; the %llu calls in progress get "
			"%.1f s to end (a second signal aborts them)\n", name,
			(unsigned long long)e->nactive, (double)e->o.grace_ms / 1000.0);
	e->winding = 0;  /* a signal bounds a wait that had none */
	wind_down(e, "a signal", e->o.grace_ms, 1);
}

/* -timeout: the end of the run, as a signal's but for the exit status
 * (SIPp's: 0, unless -timeout_error). */
void eng_on_timeout(void *arg)
{
	struct eng *e = arg;

	e->timed_out = 1;
	if (tmr_isrunning(&e->grace_tmr))
		return;  /* a signal's grace already bounds the end */
	end_lingering(e);
	if (e->nactive && e->o.grace_ms)
		fprintf(stderr, "sipbench: -timeout: no new calls; the %llu calls in progress "
			"get %.1f s to end\n", (unsigned long long)e->nactive,
			(double)e->o.grace_ms / 1000.0);
	e->winding = 0;
	wind_down(e, "-timeout", e->o.grace_ms, 1);
}

/* -m reached, the ramp's top, or q: no new calls; the calls in progress
 * end in their own time, or within -grace when it was given. */
void eng_wind_down(struct eng *e, const char *what)
{
	if (e->o.grace_given)
		end_lingering(e);
	if (e->o.grace_given && e->nactive && e->o.grace_ms && !e->winding)
		fprintf(stderr, "sipbench: %s: no new calls; the %llu calls in progress get "
			"%.1f s to end (-grace)\n", what, (unsigned long long)e->nactive,
			(double)e->o.grace_ms / 1000.0);
	wind_down(e, what, e->o.grace_ms, e->o.grace_given);
}

double eng_target_rate(const struct eng *e)
{
	return e->o.rate_period_ms ? e->rate * 1000.0 / (double)e->o.rate_period_ms : 0;
}

/* Change the rate from now on, keeping the calls already due. */
void eng_set_rate(struct eng *e, double rate)
{
	e->rate_base_us = loop_now_us(e->loop);
	e->rate_base_started = e->started;
	e->rate = rate;
}

/* -rate_increase: one step every -fd period. After a period at -rate_max
 * the run ends (no new calls; SIPp's behaviour) unless -no_rate_quit. */
void eng_on_ramp(void *arg)
{
	struct eng *e = arg;
	double next = e->rate + e->o.rate_increase;

	if (e->ramp_done) {
		if (!e->o.no_rate_quit)
			eng_wind_down(e, "-rate_max");
		return;
	}
	if (e->o.rate_max > 0 && next >= e->o.rate_max) {
		next = e->o.rate_max;
		e->ramp_done = 1;
	}
	eng_set_rate(e, next);
	tmr_start(e->loop, &e->ramp_tmr, e->o.stat_period_ms, eng_on_ramp, e);
}

/* Keys on a terminal, as SIPp's: + and - change the rate by 1, * and /
 * by 10 (times -rate_scale), p pauses and resumes new calls, q stops gracefully (no new
 * calls; a second q aborts the calls in progress). */
static void on_key(int fd, unsigned events, void *arg)
{
	struct eng *e = arg;
	char k[16];
	ssize_t n = read(fd, k, sizeof(k)), i;

	(void)events;
	for (i = 0; i < n; i++) {
		double r = e->rate, s = e->o.rate_scale > 0 ? e->o.rate_scale : 1;

		switch (k[i]) {
		case '+': r += s; break;
		case '-': r -= s; break;
		case '*': r += 10 * s; break;
		case '/': r -= 10 * s; break;
		case 'p':
			e->paused = !e->paused;
			/* the schedule restarts from the resume: the calls not
			 * started while paused are not owed (no burst) */
			if (!e->paused)
				eng_set_rate(e, e->rate);
			fprintf(stderr, "\r\n%s\r\n", e->paused ? "paused: no new calls (p resumes)" :
				"resumed");
			continue;
		case 'q':
			if (e->stopping) {
				eng_stop_now(e);
				return;
			}
			fprintf(stderr, "\r\nstopping: no new calls; the calls in progress end "
				"(q again aborts them)\r\n");
			e->abort_why = "aborted by q";
			eng_wind_down(e, "q");
			continue;
		default:
			continue;
		}
		eng_set_rate(e, r < 1 ? 1 : r);
	}
}

void eng_keys_start(struct eng *e)
{
	struct termios *t = malloc(sizeof(*t)), raw;

	if (!t || tcgetattr(STDIN_FILENO, t)) {
		free(t);
		return;
	}
	raw = *t;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) ||
	    loop_fd_add(e->loop, STDIN_FILENO, LOOP_READ, on_key, e)) {
		tcsetattr(STDIN_FILENO, TCSANOW, t);
		free(t);
		return;
	}
	e->tty_saved = t;
}

void eng_keys_stop(struct eng *e)
{
	if (!e->tty_saved)
		return;
	loop_fd_del(e->loop, STDIN_FILENO);
	tcsetattr(STDIN_FILENO, TCSANOW, (struct termios *)e->tty_saved);
	free(e->tty_saved);
	e->tty_saved = NULL;
}

/* Live progress: a status line rewritten in place on a terminal, a plain
 * line every 10 s otherwise. */
void eng_on_progress(void *arg)
{
	struct eng *e = arg;
	const struct stats *st = &e->st;
	uint64_t now = loop_now_us(e->loop), ended = st->calls_ok + st->calls_failed;
	double secs = (double)(now - e->start_us) / 1e6;
	/* calls/s now, as the target rate: the calls started since the last
	 * line (SIPp's call rate), not an average since the start */
	double per = (double)(now - (e->prog_last_us ? e->prog_last_us : e->start_us)) / 1e6;
	double rate = per > 0 ? (double)(e->started - e->prog_last_started) / per : 0;
	const struct hist *h = st->nrtd ? &st->rtd[0] : &st->call_len;
	char bar[24] = "";

	if (e->o.max_calls) {
		unsigned i, full = (unsigned)(20.0 * (double)ended / (double)e->o.max_calls);

		for (i = 0; i < 20; i++)
			bar[i] = i < full ? '#' : '.';
		bar[20] = ' ';
	}
	fprintf(e->o.progress, "%s%s%6.1f s  %7.1f calls/s (target %.1f)  concurrent %llu  "
		"ok %llu  failed %llu  p99 %.1f ms%s", e->progress_tty ? "\r" : "", bar, secs,
		rate, eng_target_rate(e),
		(unsigned long long)e->nactive, (unsigned long long)st->calls_ok,
		(unsigned long long)st->calls_failed, hist_quantile(h, 0.99) / 1000.0,
		e->progress_tty ? "\033[K" : "\n");
	fflush(e->o.progress);
	e->prog_last_us = now;
	e->prog_last_started = e->started;
	tmr_start(e->loop, &e->progress_tmr, e->progress_tty ? 500 : 10000, eng_on_progress, e);
}

void eng_write_metrics(struct eng *e)
{
	int err;

	if (!e->o.metrics_path || e->metrics_failed)
		return;
	/* the shard label is the index: shard_tag after its "-s" */
	err = rpt_metrics(e->o.metrics_path, e->p, &e->st, e->nactive, eng_target_rate(e),
			  e->shard_tag[0] ? e->shard_tag + 2 : NULL);
	if (err) {
		fprintf(stderr, "sipbench: error: -metrics %s: cannot write: %s\n",
			e->o.metrics_path, strerror(err));
		e->metrics_failed = 1;
	}
}

void eng_on_stat(void *arg)
{
	struct eng *e = arg;

	if (e->o.stat_csv)
		rpt_csv_line(&e->csv, &e->st, loop_now_us(e->loop), eng_target_rate(e), e->nactive);
	eng_write_metrics(e);
	tmr_start(e->loop, &e->stat_tmr, e->o.stat_period_ms, eng_on_stat, e);
}
