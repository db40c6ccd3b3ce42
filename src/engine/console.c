/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console: the terminal while a run goes. On a terminal, SIPp's screens
 * (report/screen.c draws them; the scenario screen first), redrawn every
 * -f period and at each key, on the terminal's alternate screen, the
 * last one left on the normal screen at the end; with -display line, or
 * when the output is not a terminal, sipbench's one-line status (on a
 * terminal rewritten in place every 0.5 s, else a line every 10 s). The
 * keys: 1-9, h, ?, 0, s and c (a command) are the screens'; the others
 * steer the run (control.c's eng_key). SIGUSR1 and SIGUSR2 come here from
 * engine.c's tick. It alone touches e->console. */
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

/* The screens' snapshot of e now. */
static void snap(struct eng *e)
{
	struct rpt_screen *s = &e->console.scr;

	s->command = e->console.cmd_line[0] ? e->console.cmd_line : NULL;
	s->p = e->p;
	s->st = &e->st;
	s->media = eng_media_stats(e);
	s->transport = tp_proto_name(e->o.proto);
	s->remote = e->o.remote;
	s->local_port = e->local_port;
	s->uas_mode = e->uas_mode;
	s->rate = eng_target_rate(e) * (double)e->o.rate_period_ms / 1000.0;
	s->rate_period_ms = e->o.rate_period_ms;
	s->call_ms = e->o.pause_ms;
	s->users = e->o.users;
	s->limit = e->o.limit;
	s->max_calls = e->o.max_calls;
	s->active = e->nactive;
	s->peak = e->peak_active;
	s->peak_at_us = e->peak_at_us;
	s->start_us = e->start_us;
	s->now_us = loop_now_us(e->loop);
	s->start_unix_us = e->base.start_unix_us;
	s->state = e->console.forced ? RPT_SCR_FORCED : e->stopping ? RPT_SCR_WINDING :
		   e->paused ? RPT_SCR_PAUSED : RPT_SCR_RUNNING;
	if (!s->mark.at_us)
		s->mark.at_us = e->start_us;
}

/* The screen shown, from the top left corner; what the previous drawing
 * left below it is cleared. */
static void draw(struct eng *e)
{
	FILE *f = e->o.progress;

	snap(e);
	fputs("\033[H", f);
	rpt_screen_draw(f, &e->console.scr, e->console.which, "\033[K\n");
	fputs("\033[J", f);
	fflush(f);
}

static void on_screen(void *arg)
{
	struct eng *e = arg;

	if (e->console.which)
		draw(e);
	snap(e);
	rpt_screen_mark(&e->console.scr);  /* the next period starts */
	tmr_start(e->loop, &e->console.screen_tmr, e->o.screen_period_ms, on_screen, e);
}

/* Live progress: a status line rewritten in place on a terminal, a plain
 * line every 10 s otherwise. */
static void on_progress(void *arg)
{
	struct eng *e = arg;
	const struct stats *st = &e->st;
	uint64_t now = loop_now_us(e->loop), ended = st->calls_ok + st->calls_failed;
	double secs = (double)(now - e->start_us) / 1e6;
	/* calls/s now, as the target rate: the calls started since the last
	 * line (SIPp's call rate), not an average since the start */
	double per = (double)(now - (e->console.prog_last_us ? e->console.prog_last_us : e->start_us)) / 1e6;
	double rate = per > 0 ? (double)(e->started - e->console.prog_last_started) / per : 0;
	const struct hist *h = st->nrtd ? &st->rtd[0] : &st->call_len;
	char bar[24] = "";

	if (e->console.cmd_mode) {  /* a command is being typed on that line */
		tmr_start(e->loop, &e->console.progress_tmr, 500, on_progress, e);
		return;
	}

	if (e->o.max_calls) {
		unsigned i, full = (unsigned)(20.0 * (double)ended / (double)e->o.max_calls);

		for (i = 0; i < 20; i++)
			bar[i] = i < full ? '#' : '.';
		bar[20] = ' ';
	}
	fprintf(e->o.progress, "%s%s%6.1f s  %7.1f calls/s (target %.1f)  concurrent %llu  "
		"ok %llu  failed %llu  p99 %.1f ms%s", e->console.progress_tty ? "\r" : "", bar, secs,
		rate, eng_target_rate(e),
		(unsigned long long)e->nactive, (unsigned long long)st->calls_ok,
		(unsigned long long)st->calls_failed, hist_quantile(h, 0.99) / 1000.0,
		e->console.progress_tty ? "\033[K" : "\n");
	fflush(e->o.progress);
	e->console.prog_last_us = now;
	e->console.prog_last_started = e->started;
	tmr_start(e->loop, &e->console.progress_tmr, e->console.progress_tty ? 500 : 10000, on_progress, e);
}

/* The terminal's alternate screen, for the screens: on, or back to the
 * normal one (what was there before the run comes back). */
static void alt_screen(struct eng *e, int on)
{
	if (on == e->console.alt)
		return;
	e->console.alt = on;
	fputs(on ? "\033[?1049h\033[?25l\033[H\033[2J" : "\033[?25h\033[?1049l", e->o.progress);
	fflush(e->o.progress);
}

/* Show screen which (0: the one-line status). */
static void show(struct eng *e, int which)
{
	int was = e->console.which;

	e->console.which = which;
	if (which) {
		tmr_cancel(&e->console.progress_tmr);
		alt_screen(e, 1);
		draw(e);
		return;
	}
	if (was) {
		alt_screen(e, 0);
		e->console.prog_last_us = loop_now_us(e->loop);
		e->console.prog_last_started = e->started;
		tmr_start(e->loop, &e->console.progress_tmr, 500, on_progress, e);
	}
}

/* s: every screen into the screen file (-trace_screen), as at the end;
 * without it, SIGUSR2 (path) appends them to the file it would write. */
static void dump(struct eng *e, const char *path)
{
	FILE *f = e->o.screen_log;

	if (!f && (!path || !(f = fopen(path, "a")))) {
		if (path)
			fprintf(stderr, "sipbench: SIGUSR2: %s: cannot write: %s\n", path,
				strerror(errno));
		return;
	}
	snap(e);
	e->console.scr.command = NULL;
	rpt_screen_dump(f, &e->console.scr);
	if (f != e->o.screen_log)
		fclose(f);
}

/* A key while a command is typed: Enter runs it, Escape drops it. */
static void command_key(struct eng *e, int k)
{
	struct eng_console *c = &e->console;

	if (k == '\r' || k == '\n' || k == 0x1b) {
		c->cmd[c->ncmd] = '\0';
		c->cmd_mode = 0;
		if (k == 0x1b)
			c->cmd_line[0] = '\0';
		else
			eng_command_line(e, c->cmd, c->cmd_line, sizeof(c->cmd_line));
		c->ncmd = 0;
		if (!c->which && c->cmd_line[0])
			fprintf(stderr, "\r%s\033[K\r\n", c->cmd_line);
	} else if (k == 0x7f || k == 0x08) {
		c->ncmd -= c->ncmd > 0;
	} else if (k >= ' ' && k < 0x7f && c->ncmd + 1 < sizeof(c->cmd)) {
		c->cmd[c->ncmd++] = (char)k;
	}
	if (c->cmd_mode)
		snprintf(c->cmd_line, sizeof(c->cmd_line), "Command: %.*s", (int)c->ncmd, c->cmd);
	if (c->which) {
		draw(e);
	} else if (c->cmd_mode) {
		fprintf(stderr, "\r%s\033[K", c->cmd_line);
		fflush(stderr);
	}
}

/* A key for control.c (eng_key); 1 if it was one. */
static int steer(struct eng *e, int k)
{
	if (k == 'Q' || (k == 'q' && e->stopping))
		e->console.forced = 1;
	return eng_key(e, k);
}

void eng_console_signal(struct eng *e, int sig)
{
	if (sig == SIGUSR2) {
		dump(e, e->o.screen_path);
		return;
	}
	if (!e->console.which && !e->stopping)
		fprintf(stderr, "sipbench: SIGUSR1: no new calls; the calls in progress end (a "
			"second SIGUSR1 aborts them)\n");
	if (steer(e, 'q') && e->console.which)
		draw(e);
}

static void on_key(int fd, unsigned events, void *arg)
{
	struct eng *e = arg;
	char k[16];
	ssize_t n = read(fd, k, sizeof(k)), i;
	int tty = e->console.progress_tty;

	(void)events;
	for (i = 0; i < n; i++) {
		int stopping = e->stopping;

		if (e->console.cmd_mode) {
			command_key(e, k[i]);
			continue;
		}
		if (k[i] == 'c') {
			e->console.cmd_mode = 1;
			command_key(e, 0);
			continue;
		}

		if (k[i] >= '1' && k[i] <= '9' && k[i] != '5' && tty) {
			show(e, k[i] - '0');
			continue;
		}
		if ((k[i] == 'h' || k[i] == '?') && tty) {
			show(e, RPT_SCR_HELP);
			continue;
		}
		if (k[i] == '0' && tty) {
			show(e, 0);
			continue;
		}
		if (k[i] == 's') {
			dump(e, NULL);
			continue;
		}
		if (e->uas_mode && k[i] && strchr("+-*/p", k[i]))
			continue;  /* calls come in: no rate to change, none to pause */
		if (!steer(e, k[i]))
			continue;
		if (e->console.which) {
			draw(e);
			continue;
		}
		/* the one-line status says it */
		if (k[i] == 'p')
			fprintf(stderr, "\r\n%s\r\n", e->paused ? "paused: no new calls (p resumes)" :
				"resumed");
		else if (k[i] == 'q' && !stopping)
			fprintf(stderr, "\r\nstopping: no new calls; the calls in progress end "
				"(q again aborts them)\r\n");
	}
}

static void keys_start(struct eng *e)
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
	e->console.tty_saved = t;
}

static void keys_stop(struct eng *e)
{
	if (!e->console.tty_saved)
		return;
	loop_fd_del(e->loop, STDIN_FILENO);
	tcsetattr(STDIN_FILENO, TCSANOW, (struct termios *)e->console.tty_saved);
	free(e->console.tty_saved);
	e->console.tty_saved = NULL;
}

void eng_console_start(struct eng *e)
{
	if (e->o.keyboard)
		keys_start(e);
	tmr_start(e->loop, &e->console.screen_tmr, e->o.screen_period_ms, on_screen, e);
	if (!e->o.progress)
		return;
	e->console.progress_tty = isatty(fileno(e->o.progress));
	if (e->console.progress_tty && !e->o.display_line) {
		show(e, 1);
		return;
	}
	tmr_start(e->loop, &e->console.progress_tmr, e->console.progress_tty ? 500 : 10000,
		  on_progress, e);
}

void eng_console_end(struct eng *e)
{
	tmr_cancel(&e->console.progress_tmr);
	tmr_cancel(&e->console.screen_tmr);
	keys_stop(e);
	if (e->console.which) {
		/* the screen shown, and the statistics, stay on the terminal */
		int which = e->console.which;

		alt_screen(e, 0);
		snap(e);
		e->console.scr.state = RPT_SCR_ENDED;
		rpt_screen_draw(e->o.progress, &e->console.scr, which, "\n");
		if (which != 2)
			rpt_screen_draw(e->o.progress, &e->console.scr, 2, "\n");
		fflush(e->o.progress);
	} else if (e->console.progress_tty) {
		fputc('\n', e->o.progress);
	}
}

void eng_console_dump(struct eng *e, FILE *f)
{
	snap(e);
	e->console.scr.state = RPT_SCR_ENDED;
	e->console.scr.command = NULL;
	rpt_screen_dump(f, &e->console.scr);
}
