/* SPDX-License-Identifier: GPL-2.0-or-later */
/* screen: SIPp's screens, as text lines, from a snapshot of the run
 * (struct rpt_screen, filled by engine/console.c). The same lines go to
 * the terminal while the run goes (the caller homes the cursor first and
 * clears what is left after them) and to the -trace_screen file at its
 * end. The layouts follow SIPp 3.6's: a title line, the screen's body,
 * then a line saying what the keys do or what the run is doing. Plain
 * text, 80 columns; no curses (docs/screens.md). */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "media/rtp.h"
#include "report/rpt.h"
#include "base/dist.h"
#include "scenario/prog.h"
#include "stats/stats.h"

#define WIDTH 80

static void line(FILE *f, const char *eol, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(FILE *f, const char *eol, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputs(eol, f);
}

/* A rule of dashes WIDTH wide with text in it: centred, or, with right,
 * the name near the middle and right near the end. */
static void rule(FILE *f, const char *eol, const char *name, const char *right)
{
	char buf[WIDTH + 1];
	size_t n = strlen(name), r = right ? strlen(right) : 0, at;

	memset(buf, '-', WIDTH);
	buf[WIDTH] = '\0';
	if (n + r + 6 > WIDTH) {
		line(f, eol, "--- %s %s", name, right ? right : "");
		return;
	}
	at = right ? (WIDTH - r - 4 - n) / 2 + 8 : (WIDTH - n - 2) / 2;
	if (right && at + n + 2 > WIDTH - r - 4)
		at = WIDTH - r - 4 - n - 2;
	buf[at] = ' ';
	memcpy(buf + at + 1, name, n);
	buf[at + 1 + n] = ' ';
	if (right) {
		buf[WIDTH - r - 4] = ' ';
		memcpy(buf + WIDTH - r - 3, right, r);
		buf[WIDTH - 3] = ' ';
	}
	line(f, eol, "%s", buf);
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- 1: the scenario ------------------------------------------------ */

static void scenario_head(FILE *f, const struct rpt_screen *s, const char *eol)
{
	uint64_t el = s->now_us - s->start_us, per = s->now_us - s->mark.at_us;
	const struct stats *st = s->st;
	char left[64], right[64];

	if (s->uas_mode) {
		line(f, eol, "  Port   Total-time  Total-calls  Transport");
		line(f, eol, "  %-5u %6llu.%02llu s     %8llu  %s", s->local_port, ull(el / 1000000),
		     ull(el / 10000 % 100), ull(st->calls_started), s->transport);
	} else {
		char what[48];

		if (s->users)
			snprintf(what, sizeof(what), "%u (%llu ms)", s->users, ull(s->call_ms));
		else
			snprintf(what, sizeof(what), "%.1f(%llu ms)/%.3fs", s->rate, ull(s->call_ms),
				 (double)s->rate_period_ms / 1000.0);
		line(f, eol, "  %s   Port   Total-time  Total-calls  Remote-host",
		     s->users ? "Users (length)" : "Call rate (length)");
		line(f, eol, "  %-18s %-5u %6llu.%02llu s     %8llu  %.40s(%s)", what, s->local_port,
		     ull(el / 1000000), ull(el / 10000 % 100), ull(st->calls_started),
		     s->remote ? s->remote : "", s->transport);
	}
	line(f, eol, "%s", "");
	if (!s->max_calls || st->calls_started < s->max_calls)
		snprintf(left, sizeof(left), "%llu new calls during %llu.%03llu s period",
			 ull(st->calls_started - s->mark.started), ull(per / 1000000),
			 ull(per / 1000 % 1000));
	else
		snprintf(left, sizeof(left), "Call limit %llu hit, %.1f s period",
			 ull(s->max_calls), (double)per / 1e6);
	line(f, eol, "  %-38s", left);
	if (s->limit && !s->uas_mode)
		snprintf(left, sizeof(left), "%llu calls (limit %llu)", ull(s->active), ull(s->limit));
	else
		snprintf(left, sizeof(left), "%llu calls", ull(s->active));
	line(f, eol, "  %-38s  Peak was %llu calls, after %llu s", left, ull(s->peak),
	     ull(s->peak_at_us / 1000000));
	snprintf(left, sizeof(left), "%llu dead call msg (discarded)", ull(st->dead_msgs));
	snprintf(right, sizeof(right), "%llu out-of-call msg (discarded)", ull(st->stray));
	line(f, eol, "  %-38s  %s", left, right);
	if (st->auto_answered)
		line(f, eol, "  %llu requests auto-answered", ull(st->auto_answered));
	snprintf(left, sizeof(left), "%llu unparsable msg", ull(st->malformed));
	line(f, eol, "  %-38s  %llu/%llu %s errors (send/icmp)", left, ull(st->tx_errors),
	     ull(st->icmp), s->transport);
	if (s->media)
		line(f, eol, "  %-38llu  %llu RTP pckts received, %llu echoed", ull(s->media->rtp_sent),
		     ull(s->media->rtp_recv), ull(s->media->rtp_echoed));
}

/* The name and arrow of a message step: the arrow points the way the
 * message goes, the peer on the side of a calling party's arrow tip. */
static void arrow(char *out, size_t n, const struct step *t, int uas)
{
	char what[24];
	int out_dir = t->kind == STEP_SEND;

	if (t->kind == STEP_SEND && t->msg && !t->msg->is_request)
		snprintf(what, sizeof(what), "%d", t->msg->status);
	else if (t->kind == STEP_SEND && t->msg)
		snprintf(what, sizeof(what), "%s", t->msg->method);
	else
		snprintf(what, sizeof(what), "%.10s", t->display);
	if (uas)
		snprintf(out, n, out_dir ? "  <---------- %-10s " : "  ----------> %-10s ", what);
	else
		snprintf(out, n, out_dir ? "  %10s ----------> " : "  %10s <---------- ", what);
}

/* A counter's column: the figure, or blanks when the step has none. */
static const char *col(char *buf, size_t n, int has, uint64_t v)
{
	if (has || v)
		snprintf(buf, n, "%-9llu", ull(v));
	else
		snprintf(buf, n, "%-9s", "");
	return buf;
}

/* "Pause [   1000ms]": how long, as the scenario says it. */
static void pause_head(char *out, size_t n, const struct step *t, const struct prog *p,
		       uint64_t call_ms)
{
	char d[32];

	switch (t->pause) {
	case PAUSE_FIXED:
		snprintf(d, sizeof(d), "%dms", t->pause_ms);
		break;
	case PAUSE_UNIFORM:
		snprintf(d, sizeof(d), "%d-%dms", t->pause_min_ms, t->pause_max_ms);
		break;
	case PAUSE_DIST: {
		static const char *const names[] = {
			"fixed", "uniform", "normal", "lognormal", "exp", "weibull", "pareto",
			"gpareto", "gamma", "negbin",
		};
		unsigned k = (unsigned)t->pause_dist.kind;

		snprintf(d, sizeof(d), "%s", k < sizeof(names) / sizeof(names[0]) ? names[k] : "random");
		break;
	}
	case PAUSE_VAR:
		snprintf(d, sizeof(d), "$%.24s", t->pause_var >= 0 && (unsigned)t->pause_var < p->nvars ?
			 p->var_names[t->pause_var] : "?");
		break;
	default:
		snprintf(d, sizeof(d), "%llums", ull(call_ms));
		break;
	}
	snprintf(out, n, "%12s [%9s]", t->kind == STEP_TIMEWAIT ? "Timewait" : "Pause", d);
}

static void step_row(FILE *f, const char *eol, const struct step *t, const struct stat_step *c,
		     int uas, const struct rpt_screen *s)
{
	char head[64], rtd[16] = "        ", a[24], b[24], d[24], e[24];

	if (t->kind == STEP_LABEL)
		return;  /* labels show nothing */
	if (s->show_index)
		fprintf(f, "%-2u:", t->msg_index);

	if (t->start_rtd)
		snprintf(rtd, sizeof(rtd), " B-RTD%d ", t->start_rtd);
	else if (t->rtd)
		snprintf(rtd, sizeof(rtd), " E-RTD%d ", t->rtd);
	switch (t->kind) {
	case STEP_SEND:
		arrow(head, sizeof(head), t, uas);
		line(f, eol, "%s%s%s %s %s %s", head, rtd, col(a, 24, 1, c->sent),
		     col(b, 24, 1, c->retrans), col(d, 24, t->retrans_ms > 0, c->timeouts),
		     col(e, 24, 0, c->unexpected));
		break;
	case STEP_RECV:
		arrow(head, sizeof(head), t, uas);
		line(f, eol, "%s%s%s %s %s %s", head, rtd, col(a, 24, 1, c->recv),
		     col(b, 24, 1, c->retrans), col(d, 24, 1, c->timeouts),
		     col(e, 24, 1, c->unexpected));
		break;
	case STEP_PAUSE:
	case STEP_TIMEWAIT:
		pause_head(head, sizeof(head), t, s->p, s->call_ms);
		line(f, eol, "%-33s%s %-9s %-9s %s", head, col(a, 24, 1, c->sent), "", "",
		     col(e, 24, 1, c->unexpected));
		break;
	case STEP_SIGNAL:
	case STEP_WAIT:
		snprintf(head, sizeof(head), "       [%.24s]", t->display);
		line(f, eol, "%-33s%s %-9s %s", head,
		     col(a, 24, 1, t->kind == STEP_SIGNAL ? c->sent : c->recv), "",
		     col(d, 24, t->kind == STEP_WAIT, c->timeouts));
		break;
	default:
		line(f, eol, "              [ NOP ]");
		break;
	}
	if (t->crlf)
		line(f, eol, "%s", "");
}

static void scenario_screen(FILE *f, const struct rpt_screen *s, const char *eol)
{
	unsigned u, i, flat = 0;

	scenario_head(f, s, eol);
	line(f, eol, "%s", "");
	line(f, eol, "%-*sMessages  Retrans   Timeout   Unexpected-Msg", s->show_index ? 36 : 33, "");
	for (u = 0; u < s->p->nuas; u++) {
		const struct prog_ua *pu = &s->p->uas[u];

		if (s->p->nuas > 1)
			line(f, eol, "  party %s", pu->name);
		for (i = 0; i < pu->nsteps && flat < s->st->nsteps; i++, flat++)
			if (!pu->steps[i].hide || s->show_hidden)
				step_row(f, eol, &pu->steps[i], &s->st->steps[flat], pu->uas_mode, s);
	}
}

/* ---- 2: the statistics ---------------------------------------------- */

static void wall(char *out, size_t n, uint64_t unix_us)
{
	time_t t = (time_t)(unix_us / 1000000);
	struct tm tm;
	char d[32];

	localtime_r(&t, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%06llu %llu.%06llu", d, ull(unix_us % 1000000), ull(unix_us / 1000000),
		 ull(unix_us % 1000000));
}

#define CROSS "-------------------------+---------------------------+--------------------------"

static void two(FILE *f, const char *eol, const char *name, uint64_t per, uint64_t cum)
{
	line(f, eol, "  %-22.22s | %8llu                  | %8llu", name, ull(per), ull(cum));
}

static void times(FILE *f, const char *eol, const char *name, uint64_t per_us, uint64_t cum_us)
{
	char a[32], b[32];

	rpt_elapsed(a, sizeof(a), per_us);
	rpt_elapsed(b, sizeof(b), cum_us);
	line(f, eol, "  %-22.22s | %-25.25s | %-24.24s", name, a, b);
}

static uint64_t mean(uint64_t sum, uint64_t n)
{
	return n ? sum / n : 0;
}

static void stats_screen(FILE *f, const struct rpt_screen *s, const char *eol)
{
	const struct stats *st = s->st;
	const struct rpt_scr_mark *m = &s->mark;
	uint64_t el = s->now_us - s->start_us, per = s->now_us - m->at_us;
	uint64_t in = s->uas_mode ? st->calls_started : 0, out = s->uas_mode ? 0 : st->calls_started;
	uint64_t in0 = s->uas_mode ? m->started : 0, out0 = s->uas_mode ? 0 : m->started;
	char buf[64];
	unsigned i;

	wall(buf, sizeof(buf), s->start_unix_us);
	line(f, eol, "  %-22.22s | %-52.52s", "Start Time", buf);
	wall(buf, sizeof(buf), s->start_unix_us + (m->at_us - s->start_us));
	line(f, eol, "  %-22.22s | %-52.52s", "Last Reset Time", buf);
	wall(buf, sizeof(buf), s->start_unix_us + el);
	line(f, eol, "  %-22.22s | %-52.52s", "Current Time", buf);
	line(f, eol, "%s", CROSS);
	line(f, eol, "  %-22s | %-25s | %s", "Counter Name", "Periodic value", "Cumulative value");
	line(f, eol, "%s", CROSS);
	times(f, eol, "Elapsed Time", per, el);
	line(f, eol, "  %-22.22s | %8.3f cps              | %8.3f cps", "Call Rate",
	     per ? (double)(st->calls_started - m->started) * 1e6 / (double)per : 0,
	     el ? (double)st->calls_started * 1e6 / (double)el : 0);
	line(f, eol, "%s", CROSS);
	two(f, eol, "Incoming calls created", in - in0, in);
	two(f, eol, "Outgoing calls created", out - out0, out);
	line(f, eol, "  %-22.22s | %-25s | %8llu", "Total Calls created", "", ull(st->calls_started));
	line(f, eol, "  %-22.22s | %8llu                  |", "Current Calls", ull(s->active));
	line(f, eol, "%s", CROSS);
	two(f, eol, "Successful call", st->calls_ok - m->ok, st->calls_ok);
	two(f, eol, "Failed call", st->calls_failed - m->failed, st->calls_failed);
	line(f, eol, "%s", CROSS);
	for (i = 0; i < st->nrtd && i < RPT_SCR_NRTD; i++) {
		const struct hist *h = &st->rtd[i];

		snprintf(buf, sizeof(buf), "Response Time %s", s->p->rtd_names[i]);
		times(f, eol, buf, mean(h->sum - m->rtd_sum[i], h->count - m->rtd_n[i]),
		      mean(h->sum, h->count));
	}
	times(f, eol, "Call Length", mean(st->call_len_ended.sum - m->len_sum,
					  st->call_len_ended.count - m->len_n),
	      mean(st->call_len_ended.sum, st->call_len_ended.count));
}

/* ---- 3, 6-9: the repartitions --------------------------------------- */

static void repart(FILE *f, const char *eol, const struct hist *h)
{
	const struct hist_rep *r = h->rep;
	unsigned i;

	if (!r || !r->nbound) {
		line(f, eol, "    <no repartition defined>");
		return;
	}
	for (i = 0; i < r->nbound; i++)
		line(f, eol, "    %10llu ms <= n < %10llu ms : %10llu",
		     ull(i ? r->bound[i - 1] / 1000 : 0), ull(r->bound[i] / 1000), ull(r->n[i]));
	line(f, eol, "    %14s n >= %10llu ms : %10llu", "", ull(r->bound[r->nbound - 1] / 1000),
	     ull(r->n[r->nbound]));
}

static void repart_screen(FILE *f, const struct rpt_screen *s, unsigned rtd, const char *eol)
{
	if (rtd >= s->st->nrtd) {
		line(f, eol, "  no response time %u in this scenario", rtd + 1);
		return;
	}
	line(f, eol, "  Average Response Time Repartition %s", s->p->rtd_names[rtd]);
	repart(f, eol, &s->st->rtd[rtd]);
	if (rtd)
		return;
	line(f, eol, "  Average Call Length Repartition");
	repart(f, eol, &s->st->call_len_ended);
}

/* ---- 4: actions and variables --------------------------------------- */

static const char *act_name(enum act_kind k)
{
	static const char *const names[] = {
		[ACT_EREG] = "ereg", [ACT_ASSIGNSTR] = "assignstr", [ACT_ASSIGN] = "assign",
		[ACT_ADD] = "add", [ACT_SUBTRACT] = "subtract", [ACT_MULTIPLY] = "multiply",
		[ACT_DIVIDE] = "divide", [ACT_TODOUBLE] = "todouble", [ACT_TEST] = "test",
		[ACT_STRCMP] = "strcmp", [ACT_JUMP] = "jump", [ACT_LOG] = "log",
		[ACT_WARNING] = "warning", [ACT_ERROR] = "error",
		[ACT_GETTIMEOFDAY] = "gettimeofday", [ACT_EXEC] = "exec",
		[ACT_SETDEST] = "setdest", [ACT_VERIFYAUTH] = "verifyauth",
		[ACT_LOOKUP] = "lookup",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "?";
}

static const char *var_name(const struct prog *p, int v)
{
	return v >= 0 && (unsigned)v < p->nvars ? p->var_names[v] : NULL;
}

static void vars_screen(FILE *f, const struct rpt_screen *s, const char *eol)
{
	const struct prog *p = s->p;
	unsigned u, i, j, found = 0;

	line(f, eol, "  Actions by message:");
	for (u = 0; u < p->nuas; u++)
		for (i = 0; i < p->uas[u].nsteps; i++) {
			const struct step *t = &p->uas[u].steps[i];
			char name[64];

			if (!t->nacts)
				continue;
			rpt_step_name(t, name, sizeof(name));
			line(f, eol, "  => message %u (%s%s%s): %u action(s)", t->msg_index, name,
			     p->nuas > 1 ? ", party " : "", p->nuas > 1 ? p->uas[u].name : "",
			     t->nacts);
			for (j = 0; j < t->nacts; j++) {
				const struct action *a = &t->acts[j];
				const char *v = var_name(p, a->var), *v2 = var_name(p, a->var2);

				line(f, eol, "     --> action %u: %s%s%s%s%s (line %d)", j,
				     act_name(a->kind), v ? " $" : "", v ? v : "",
				     v2 ? " from $" : "", v2 ? v2 : "", a->line);
				found++;
			}
		}
	if (!found)
		line(f, eol, "  => no action in any message");
	line(f, eol, "%s", "");
	line(f, eol, "  Variables (%u):", p->nvars);
	for (i = 0; i < p->nvars; i++)
		line(f, eol, "    $%s", p->var_names[i]);
}

/* ---- the keys ------------------------------------------------------- */

static void help_screen(FILE *f, const char *eol)
{
	static const char *const keys[] = {
		"1        the scenario: each step's messages, retransmissions, timeouts",
		"2        statistics: periodic (since the last refresh) and cumulative",
		"3        repartition of response time 1 and of the call length",
		"4        the scenario's actions and variables",
		"6 to 9   repartition of response times 2 to 5",
		"0        the one-line status instead of the screens (1-9: back)",
		"h ?      these keys",
		"+ -      raise, lower the rate by 1 (x -rate_scale)",
		"* /      raise, lower the rate by 10 (x -rate_scale)",
		"p        pause new calls; p again resumes them",
		"q        no new calls, the calls in progress end; q again aborts them",
		"Q        abort the calls in progress and end now",
		"s        write the screens to the screen file (with -trace_screen)",
		"c        a command, Enter runs it, Esc drops it: set rate N, set rate-scale N,",
		"         set hide true|false (hide= obeyed), set index true|false (step numbers)",
	};
	unsigned i;

	line(f, eol, "  Keys (the screens refresh every -f period, 1 s by default):");
	line(f, eol, "%s", "");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		line(f, eol, "  %s", keys[i]);
}

static void footer(FILE *f, const struct rpt_screen *s, const char *eol)
{
	switch (s->state) {
	case RPT_SCR_ENDED:
		rule(f, eol, "Test Terminated", NULL);
		break;
	case RPT_SCR_WINDING:
		rule(f, eol, "Waiting for active calls to end. Press [q] again to force exit.", NULL);
		break;
	case RPT_SCR_FORCED:
		rule(f, eol, "Forcing quit", NULL);
		break;
	case RPT_SCR_PAUSED:
		rule(f, eol, "Traffic Paused - Press [p] again to resume", NULL);
		break;
	default:
		if (s->uas_mode)
			rule(f, eol, "Server Mode -- [q]: Soft exit -- [h]: Keys", NULL);
		else
			rule(f, eol, "[+|-|*|/]: Adjust rate -- [q]: Soft exit -- [p]: Pause "
			     "-- [h]: Keys", NULL);
		break;
	}
}

void rpt_screen_draw(FILE *f, const struct rpt_screen *s, int which, const char *eol)
{
	char title[48];

	switch (which) {
	case 2:
		rule(f, eol, "Statistics Screen", "[1-9]: Change Screen");
		stats_screen(f, s, eol);
		break;
	case 3:
		rule(f, eol, "Repartition Screen", "[1-9]: Change Screen");
		repart_screen(f, s, 0, eol);
		break;
	case 4:
		rule(f, eol, "Variables Screen", "[1-9]: Change Screen");
		vars_screen(f, s, eol);
		break;
	case 6: case 7: case 8: case 9:
		snprintf(title, sizeof(title), "Repartition %d Screen", which - 4);
		rule(f, eol, title, "[1-9]: Change Screen");
		repart_screen(f, s, (unsigned)which - 5, eol);
		break;
	case RPT_SCR_HELP:
		rule(f, eol, "Keys", "[1-9]: Change Screen");
		help_screen(f, eol);
		break;
	default:
		rule(f, eol, "Scenario Screen", "[1-9]: Change Screen");
		scenario_screen(f, s, eol);
		break;
	}
	footer(f, s, eol);
	if (s->command)
		line(f, eol, "%s", s->command);
}

void rpt_screen_mark(struct rpt_screen *s)
{
	struct rpt_scr_mark *m = &s->mark;
	const struct stats *st = s->st;
	unsigned i;

	m->at_us = s->now_us;
	m->started = st->calls_started;
	m->ok = st->calls_ok;
	m->failed = st->calls_failed;
	for (i = 0; i < st->nrtd && i < RPT_SCR_NRTD; i++) {
		m->rtd_n[i] = st->rtd[i].count;
		m->rtd_sum[i] = st->rtd[i].sum;
	}
	m->len_n = st->call_len_ended.count;
	m->len_sum = st->call_len_ended.sum;
}

void rpt_screen_dump(FILE *f, const struct rpt_screen *s)
{
	unsigned i;

	rpt_screen_draw(f, s, 1, "\n");
	rpt_screen_draw(f, s, 2, "\n");
	rpt_screen_draw(f, s, 3, "\n");
	for (i = 1; i < s->st->nrtd && i < 5; i++)
		rpt_screen_draw(f, s, (int)i + 5, "\n");
	fflush(f);
}
