/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine: the run. Allocates it (options, <init>, the main socket), runs
 * the loop and frees it. The calls themselves are call.c's, sending is send.c's; the rate of
 * new calls, the run's end and what steers it are control.c's. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "engine/internal.h"
#include "report/rpt.h"

/* The only process-wide state: set from a signal handler (style 8.1). */
static volatile sig_atomic_t stop_signal, stop_signals, usr1_signals, usr2_signals;

void eng_signal_stop(int sig)
{
	stop_signal = sig;
	stop_signals++;
}

void eng_signal_user(int sig)
{
	if (sig == SIGUSR1)
		usr1_signals++;
	else
		usr2_signals++;
}

/* ---- run control -------------------------------------------------------- */

/* The message traces are current whenever the loop goes to wait (SIPp
 * flushes each message; a reader may look while the run goes on). A
 * write that fails is said here with its reason, once (the file keeps
 * its error flag: main.c says at the end that it is incomplete and the
 * exit status is 255). */
static void flush_trace(FILE *f, const char *opt)
{
	if (!f || ferror(f) || !fflush(f))
		return;
	fprintf(stderr, "sipbench: error: %s: a write failed: %s\n", opt, strerror(errno));
}

static void on_tick(void *arg)
{
	struct eng *e = arg;

	eng_free_zombies(e);
	flush_trace(e->o.msg_log, "-message_file");
	flush_trace(e->o.short_log, "-shortmessage_file");
	flush_trace(e->o.act_log, "-log_file");
	/* <exec command> children that ended (vars.c) */
	while (e->children && waitpid(-1, NULL, WNOHANG) > 0)
		e->children--;
	if (stop_signals != e->signals) {
		e->signals = stop_signals;
		eng_on_stop_signal(e, stop_signal);
	}
	if (usr1_signals != e->usr1_signals) {
		e->usr1_signals = usr1_signals;
		eng_console_signal(e, SIGUSR1);
	}
	if (usr2_signals != e->usr2_signals) {
		e->usr2_signals = usr2_signals;
		eng_console_signal(e, SIGUSR2);
	}
}

void eng_reap(struct eng *e)
{
	eng_abort_all(e, NULL);
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
	return p->nuas == 1 && (p->uas[0].uas_mode || p->uas[0].cmd_mode);
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

/* -infindex FILE FIELD: FILE is the -inf file (by its name without the
 * directory, as SIPp names injection files). */
static int set_index(struct eng *e, struct diag *d)
{
	const char *f = e->o.infindex_file;

	if (f && !e->o.inf)
		return diag_set(d, NULL, 0, "-infindex %s: no -inf file to index", f);
	if (f && !inj_names(e->o.inf, f))
		return diag_set(d, NULL, 0, "-infindex %s: not the -inf file (%s)", f, e->o.inf);
	return f && inj_index(&e->inj, e->o.infindex_field) ? ENOMEM : 0;
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
	e->twin.lfd = -1;
	e->pid = (int)getpid();
	if (o->shard_count)
		snprintf(e->shard_tag, sizeof(e->shard_tag), "-s%u", o->shard_index);
	eng_control_init(e);
	lst_init(&e->active);
	lst_init(&e->zombies);
	lst_init(&e->gone_fifo);
	buf_init(&e->out, 65535);
	buf_init(&e->scratch, 1 << 20);
	for (i = 0; i < p->nuas; i++)
		nsteps += p->uas[i].nsteps;
	err = stat_init(&e->st, nsteps, p->nrtds);
	if (!err)
		err = stat_set_gen(&e->st, p->ncounters);
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
		err = set_index(e, d);
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
	if (!err && o->rsa) {
		err = tp_addr_parse(&e->rsa, o->rsa, tp_proto_port((enum tp_proto)o->proto), d);
		e->have_rsa = !err;
	}
	eng_peer_name(e);
	if (!err && o->loop)
		e->loop = o->loop;
	else if (!err)
		err = loop_alloc(&e->loop);
	if (!err)
		err = open_main_socket(e, d);
	if (!err && (o->ctl_port || o->ctl_ip))
		err = eng_command_open(e, d);
	if (!err)
		err = eng_media_init(e, d);
	if (!err)
		err = run_init(e, d);
	if (!err)
		err = eng_twin_open(e, d);
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
	eng_twin_close(e);
	eng_pool_free(e);
	if (e->globals && e->p)
		for (i = 0; i < e->p->nvars; i++)
			var_clear(&e->globals[i]);
	free(e->globals);
	tp_close(e->sock);
	if (e->loop)
		eng_command_close(e);
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
	/* eng_control_end has stopped the rate, -timeout and -fd timers */
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
	int err, metrics_err;

	loop_update_time(e->loop);
	e->start_us = loop_now_us(e->loop);
	eng_baseline_start(e);
	eng_control_start(e);
	eng_console_start(e);
	err = loop_run(e->loop);
	if (err)
		fprintf(stderr, "sipbench: event loop failed: %s\n", strerror(err));
	eng_control_end(e);
	loop_update_time(e->loop);
	eng_console_end(e);
	e->end_us = loop_now_us(e->loop);
	drain(e);
	eng_baseline_end(e);
	eng_pace_finish(&e->pace, e->end_us);
	eng_write_last_stat(e);
	eng_run_report(e, &r);
	rpt_summary(out, &r);
	if (e->o.screen_log)
		eng_console_dump(e, e->o.screen_log);  /* -trace_screen */
	/* a report that cannot be written makes the run's end fatal (255):
	 * the verdict it should carry is lost */
	err = eng_write_reports(e, &r);
	metrics_err = eng_write_metrics(e);
	if (err || metrics_err || eng_close_outputs(e))
		return 255;
	return r.exit_status;
}
