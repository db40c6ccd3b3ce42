/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine: the run. Allocates it (options, <init>, the main socket), runs
 * the loop and frees it; starts client calls at the configured rate.
 * The calls themselves are call.c's, sending is send.c's; the run's end
 * and what steers it are control.c's. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "engine/internal.h"
#include "report/rpt.h"

/* The only process-wide state: set from a signal handler (style 8.1). */
static volatile sig_atomic_t stop_signal, stop_signals;

void eng_signal_stop(int sig)
{
	stop_signal = sig;
	stop_signals++;
}

/* Calls due by now at rate r per period: floor(elapsed * r / period). */
static void on_rate(void *arg)
{
	struct eng *e = arg;
	uint64_t now = loop_now_us(e->loop), due, iv, lag = 0;

	/* how late this tick is: the generator's own lag */
	if (e->rate_sched_us && now > e->rate_sched_us) {
		lag = now - e->rate_sched_us;

		if (lag > e->max_lag_us)
			e->max_lag_us = lag;
		if (lag > 10000)
			e->late_ticks++;
	}
	if (!e->o.unpaced &&
	    eng_pace_update(&e->pace, e->rate * 1000.0 / (double)e->o.rate_period_ms, now)) {
		/* a new share of the asked rate: schedule anew from now */
		e->rate_base_us = now;
		e->rate_base_started = e->started;
	}
	if (e->o.unpaced) {
		due = UINT64_MAX;
	} else {
		double per_ms = e->rate * e->pace.factor / (double)e->o.rate_period_ms;
		uint64_t slack = (uint64_t)(50 * per_ms) > 2 ? (uint64_t)(50 * per_ms) : 2;

		due = e->rate_base_started + (uint64_t)((double)(now - e->rate_base_us) / 1000.0 *
							per_ms) + 1;
		/* more than 50 ms late and that many calls behind: sipbench
		 * cannot keep the rate. Starting the backlog in one burst would
		 * only feed a retransmission storm; drop it, go on from now. */

		if (lag > 50000 && due > e->started + 1 + slack && eng_can_start(e)) {
			e->not_started += due - e->started - 1;
			e->rate_base_us = now;
			e->rate_base_started = e->started;
			due = e->started + 1;
		}
	}
	while (e->started < due && eng_can_start(e))
		eng_start_client_call(e);
	if (e->o.max_calls && e->started >= e->o.max_calls && !e->stopping)
		eng_wind_down(e, "-m");
	if (e->stopping)
		return;
	iv = e->o.unpaced ? 1 : (uint64_t)((double)e->o.rate_period_ms / e->rate);
	iv = iv ? (iv > 100 ? 100 : iv) : 1;
	e->rate_sched_us = now + iv * 1000;
	tmr_start(e->loop, &e->rate_tmr, iv, on_rate, e);
}

/* ---- run control -------------------------------------------------------- */

static void on_tick(void *arg)
{
	struct eng *e = arg;

	eng_free_zombies(e);
	if (stop_signals != e->signals) {
		e->signals = stop_signals;
		eng_on_stop_signal(e, stop_signal);
	}
}

void eng_reap(struct eng *e)
{
	eng_abort_all(e);
	eng_free_zombies(e);
	eng_ended_free(e);  /* each fuzz input starts with none */
}

static int set_globals(struct eng *e, struct diag *d)
{
	unsigned i;

	if (!e->o.nset)
		return 0;
	e->globals = calloc(e->p->nvars ? e->p->nvars : 1, sizeof(*e->globals));
	if (!e->globals)
		return ENOMEM;
	for (i = 0; i < e->o.nset; i++) {
		int v = scn_var_index(e->p, e->o.set_names[i]);
		unsigned k;

		for (k = 0; k < e->p->nparams; k++)
			if (!strcmp(e->p->param_names[k], e->o.set_names[i]))
				break;
		if (k < e->p->nparams)
			continue;  /* a <param>: compiled with its -set value */
		if (v == PROG_NOVAR)
			return diag_set(d, NULL, 0,
				"-set %s: the scenario has no variable of that name "
				"(declare it with <Global variables=\"%s\"/>)",
				e->o.set_names[i], e->o.set_names[i]);
		if (var_set_str(&e->globals[v], e->o.set_values[i], strlen(e->o.set_values[i])))
			return ENOMEM;
	}
	return 0;
}

/* <init>: run its actions once, on a throwaway UA, and keep the variables
 * they set as globals every call reads (SIPp's semantics). */
static int run_init(struct eng *e, struct diag *d)
{
	const struct prog_ua *pu = &e->p->init;
	struct call *c;
	enum fail_reason r;
	unsigned i;
	int err = 0;

	if (!pu->nsteps)
		return 0;
	if (!e->globals && !(e->globals = calloc(e->p->nvars ? e->p->nvars : 1,
						   sizeof(*e->globals))))
		return ENOMEM;
	c = eng_call_alloc(e, 1);
	if (!c)
		return ENOMEM;
	if (ua_init(&c->ua[0], c, pu, 0, eng_call_extra(c, 0)) != 0) {
		free(c);
		return ENOMEM;
	}
	c->ua[0].sock = e->sock;
	c->ua[0].remote = e->remote;
	c->ua[0].call_id = strdup("init");
	for (i = 0; i < pu->nsteps && !err; i++)
		if (pu->steps[i].kind == STEP_NOP && var_run_actions(&c->ua[0], &pu->steps[i], NULL, &r))
			err = diag_set(d, e->p->file, pu->steps[i].line, "<init> failed: %s",
				       stat_fail_name(r));
	for (i = 0; i < e->p->nvars; i++) {
		if (c->ua[0].vars[i].kind == VAL_UNSET)
			continue;
		var_clear(&e->globals[i]);
		e->globals[i] = c->ua[0].vars[i];   /* moved, not copied */
		c->ua[0].vars[i].kind = VAL_UNSET;
		c->ua[0].vars[i].s = NULL;
	}
	ua_release(&c->ua[0]);
	free(c);
	return err;
}

#define PORT_TRIES 60   /* without -p: 5060 and the next 59, as SIPp */

static int open_main_socket(struct eng *e, struct diag *d)
{
	unsigned port = e->o.proto == TP_TLS || e->o.proto == TP_WSS ? 5061 : 5060, i;
	int err = EADDRINUSE;

	if (e->o.local_port)
		err = eng_open_socket(e, &e->sock, e->o.local_port, 1, eng_on_datagram, d);
	/* SIPp's default, which scripts and PBX peer settings rely on: the
	 * first free port from 5060, then any */
	for (i = 0; !e->o.local_port && err == EADDRINUSE && i <= PORT_TRIES; i++)
		err = eng_open_socket(e, &e->sock, i < PORT_TRIES ? port + i : 0, 1,
				      eng_on_datagram, d);
	if (err)
		return err;
	/* what a turn sends on the shared socket goes out in one sendmmsg */
	if (tp_set_batching(e->sock))
		return diag_set(d, NULL, 0, "out of memory");
	snprintf(e->local_ip, sizeof(e->local_ip), "%s", tp_ip(e->sock));
	tp_ip_host(e->local_ip, e->local_host, sizeof(e->local_host));
	e->local_port = tp_port(e->sock);
	return 0;
}

int eng_prog_is_server(const struct prog *p)
{
	return p->nuas == 1 && p->uas[0].uas_mode;
}

static int check_prog(struct eng *e, struct diag *d)
{
	const struct prog *p = e->p;

	if (p->nuas > 1 && e->o.per_call_socket)
		return diag_set(d, NULL, 0, "-t un: scenarios with several <ua> parties "
				"share one socket; use -t u1");
	e->uas_mode = eng_prog_is_server(p);
	e->st.uas_mode = e->uas_mode;
	if (!e->uas_mode && !e->o.remote)
		return diag_set(d, NULL, 0, "no target given: name one as host[:port]");
	return 0;
}

int eng_alloc(struct eng **ep, const struct eng_opts *o, const struct prog *p,
	      struct diag *d)
{
	struct eng *e = calloc(1, sizeof(*e));
	unsigned i, nsteps = 0;
	int err;

	if (!e)
		return ENOMEM;
	e->o = *o;
	e->p = p;
	e->pid = (int)getpid();
	if (o->shard_count)
		snprintf(e->shard_tag, sizeof(e->shard_tag), "-s%u", o->shard_index);
	lst_init(&e->active);
	lst_init(&e->zombies);
	lst_init(&e->gone_fifo);
	buf_init(&e->out, 65535);
	buf_init(&e->scratch, 1 << 20);
	for (i = 0; i < p->nuas; i++)
		nsteps += p->uas[i].nsteps;
	err = stat_init(&e->st, nsteps, p->nrtds);
	if (!err)
		err = stat_set_reps(&e->st, p->rtr_ms, p->nrtr, p->clr_ms, p->nclr);
	if (!err)
		err = check_prog(e, d);
	if (!err)
		err = eng_check_limits(e, d);
	if (!err)
		err = eng_adv_init(e, d);
	if (!err && o->pcap_path)
		err = rpt_pcap_open(&e->cap, o->pcap_path, d);
	if (!err && o->inf)
		err = inj_load(&e->inj, o->inf, d);
	if (!err && o->inf)
		err = inj_check(&e->inj, o->inf, p->max_field, d);
	if (!err && !o->inf && p->max_field >= 0)
		err = diag_set(d, NULL, 0, "the scenario (or -set, -au, -ap) uses [field%d]: "
			       "give the injection file with -inf FILE", p->max_field);
	if (!err && o->inf && o->shard_count)
		err = inj_shard(&e->inj, o->inf, o->shard_index, o->shard_count, d);
	if (!err)
		err = set_globals(e, d);
	if (!err && o->remote)
		err = tp_addr_parse(&e->remote, o->remote, tp_proto_port((enum tp_proto)o->proto), d);
	if (!err && o->remote && !tp_addr_port(&e->remote))
		err = diag_set(d, NULL, 0, "%s: port 0 cannot be sent to (give the target's "
			       "port, 1-65535, or leave it out for %u)", o->remote,
			       tp_proto_port((enum tp_proto)o->proto));
	if (!err && o->remote)
		tp_addr_host(&e->remote, e->remote_ip, sizeof(e->remote_ip));
	eng_peer_name(e);
	if (!err && o->loop)
		e->loop = o->loop;
	else if (!err)
		err = loop_alloc(&e->loop);
	if (!err)
		err = open_main_socket(e, d);
	if (!err)
		err = eng_media_init(e, d);
	if (!err)
		err = run_init(e, d);
	if (err) {
		eng_free(e);
		return err;
	}
	loop_set_tick(e->loop, on_tick, e);
	loop_set_batch(e->loop, o->batch_us);
	eng_pace_init(&e->pace, o->no_backoff);
	*ep = e;
	return 0;
}

void eng_free(struct eng *e)
{
	unsigned i;

	if (!e)
		return;
	eng_reap(e);
	if (e->globals && e->p)
		for (i = 0; i < e->p->nvars; i++)
			var_clear(&e->globals[i]);
	free(e->globals);
	tp_close(e->sock);
	eng_media_free(e);
	rpt_pcap_close(e->cap);
	if (e->loop != e->o.loop)
		loop_free(e->loop);
	inj_free(&e->inj);
	stat_free(&e->st);
	buf_free(&e->out);
	buf_free(&e->scratch);
	eng_adv_free(e);
	htab_free(&e->by_cid);
	htab_free(&e->by_user);
	eng_ended_free(e);
	free(e);
}

#define DRAIN_MS 2000   /* the longest a run's end waits for its streams */

struct drain {
	struct eng *e;
	struct tmr t;
	uint64_t until_us;
};

static void on_drain(void *arg)
{
	struct drain *d = arg;

	if (!tp_pending(d->e->sock) || loop_now_us(d->e->loop) >= d->until_us)
		loop_stop(d->e->loop);
	else
		tmr_start(d->e->loop, &d->t, 2, on_drain, d);
}

/* Streams: the run's last messages may still wait for their connection
 * to be set up (a TCP connect, a TLS handshake) or for room in a full
 * socket buffer. Turn the loop until they are written, for at most
 * DRAIN_MS, so that the peer gets them before the sockets close. */
static void drain(struct eng *e)
{
	struct drain d = {0};

	if (!tp_pending(e->sock))
		return;
	tmr_cancel(&e->rate_tmr);
	tmr_cancel(&e->timeout_tmr);
	tmr_cancel(&e->stat_tmr);
	d.e = e;
	tmr_init(&d.t);
	d.until_us = loop_now_us(e->loop) + DRAIN_MS * 1000u;
	tmr_start(e->loop, &d.t, 0, on_drain, &d);
	(void)loop_run(e->loop);
	tmr_cancel(&d.t);
}

int eng_run(struct eng *e, FILE *out)
{
	struct rpt_run r;
	int err;
	uint64_t late;

	loop_update_time(e->loop);
	e->start_us = loop_now_us(e->loop);
	{
		struct timeval tv;

		gettimeofday(&tv, NULL);
		e->start_unix_us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	}
	eng_set_rate(e, e->o.rate);
	e->cpu0 = eng_cpu_seconds();
	e->tx_late0 = tp_get_stats()->tx_late_errors;
	e->udp_drops0 = tp_get_stats()->rx_drops;
	if (e->o.keyboard && !e->uas_mode)
		eng_keys_start(e);
	if (!e->uas_mode)
		tmr_start(e->loop, &e->rate_tmr, 0, on_rate, e);
	if (!e->uas_mode && e->o.rate_increase > 0)
		tmr_start(e->loop, &e->ramp_tmr, e->o.stat_period_ms, eng_on_ramp, e);
	if (e->o.progress) {
		e->progress_tty = isatty(fileno(e->o.progress));
		tmr_start(e->loop, &e->progress_tmr, e->progress_tty ? 500 : 10000,
			  eng_on_progress, e);
	}
	if (e->o.timeout_ms)
		tmr_start(e->loop, &e->timeout_tmr, e->o.timeout_ms, eng_on_timeout, e);
	if (e->o.stat_csv) {
		e->csv.f = e->o.stat_csv;
		e->csv.rtd_names = e->p->rtd_names;
		e->csv.delim = e->o.stat_delim;
		e->csv.users = e->o.users;
		e->csv.nrtd = e->p->nrtds;
		e->csv.media = eng_media_stats(e);
		rpt_csv_header(&e->csv, &e->st, e->start_us, eng_target_rate(e));
	}
	if (e->o.stat_csv || e->o.metrics_path)
		tmr_start(e->loop, &e->stat_tmr, e->o.stat_period_ms, eng_on_stat, e);
	err = loop_run(e->loop);
	if (err)
		fprintf(stderr, "sipbench: event loop failed: %s\n", strerror(err));
	tmr_cancel(&e->ramp_tmr);
	tmr_cancel(&e->grace_tmr);
	tmr_cancel(&e->progress_tmr);
	eng_keys_stop(e);
	if (e->progress_tty)
		fputc('\n', e->o.progress);
	eng_abort_all(e);
	loop_update_time(e->loop);
	e->end_us = loop_now_us(e->loop);
	drain(e);
	/* batched sends that failed after eng_send had counted them */
	late = tp_get_stats()->tx_late_errors - e->tx_late0;
	e->st.tx -= late < e->st.tx ? late : e->st.tx;
	e->st.tx_errors += late;
	eng_pace_finish(&e->pace, e->end_us);
	if (e->o.stat_csv)
		rpt_csv_line(&e->csv, &e->st, e->end_us, eng_target_rate(e), e->nactive);
	eng_run_report(e, &r);
	rpt_summary(out, &r);
	/* a report that cannot be written makes the run's end fatal (255):
	 * the verdict it should carry is lost */
	err = eng_write_reports(e, &r);
	eng_write_metrics(e);
	if (err || e->metrics_failed || eng_close_outputs(e))
		return 255;
	return r.exit_status;
}
