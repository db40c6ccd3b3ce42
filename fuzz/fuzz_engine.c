/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_engine: bytes arriving as datagrams at a running engine. The
 * datagrams go to the engine's socket handler (tp_deliver: what the UDP
 * socket's read callback calls), so they are parsed, routed to their call
 * or party, start a server call, are matched by the scenario's <recv>s
 * and answered (to a 127.0.0.1 socket nobody reads). One engine per
 * built-in scenario, made once: the server ones (uas, branchs) first,
 * then the client ones (uac, regexp, branchc), for which each input first
 * starts a call (its INVITE goes to that socket) and every "[call_id]" in
 * a datagram becomes that call's Call-ID, so responses reach it. The
 * first byte of an input picks the engine, the rest is datagrams
 * separated by FZ_SEP. After each input every call is ended and freed
 * (eng_reap). After each datagram the loop runs one turn, so timers due
 * at once fire (-d is 0: a <pause/> ends there and the call goes on);
 * longer ones (retransmissions, timeouts) do not within an input. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "engine/engine.h"
#include "engine/internal.h"
#include "fuzz/fuzz.h"
#include "loop/loop.h"
#include "sip/msg.h"
#include "scenario/builtin.h"
#include "scenario/prog.h"

#define MAX_ENG 24
#define MAX_DGRAMS 16

static struct eng *engs[MAX_ENG];
static unsigned neng;
static struct loop *lp;
static struct tmr turn_tmr;

static void on_turn_end(void *arg)
{
	loop_stop(arg);
}

/* One turn of the loop: what arrived on the sockets (an answer sent to
 * one of the engines' own addresses), the timers due now, the deferred
 * sends. */
static void turn(void)
{
	tmr_start(lp, &turn_tmr, 0, on_turn_end, lp);
	if (loop_run(lp))
		fz_fail("the event loop failed");
}

static int start_engine(struct prog *p, unsigned *port, int server)
{
	char remote[64];
	struct eng_opts o;
	struct diag d = {0};
	unsigned tries;

	memset(&o, 0, sizeof(o));
	o.loop = lp;
	o.local_ip = "127.0.0.1";
	o.proto = TP_UDP;
	o.service = "service";
	o.rate = 10;
	o.rate_period_ms = 1000;
	o.pause_ms = 0;  /* -d 0: a <pause/> without a time ends at once */
	o.behaviors = ENG_BEH_BYE | ENG_BEH_ABORTUNEXP | ENG_BEH_PINGREPLY;
	o.auto_answer = 1;
	o.msg_log = fz_devnull();
	o.err_log = fz_devnull();
	o.stat_period_ms = 1000;
	o.max_fail_rate = -1;
	if (!server) {
		snprintf(remote, sizeof(remote), "127.0.0.1:%u", tp_addr_port(fz_peer()));
		o.remote = remote;
	}
	/* a server binds a fixed port: the next free one (ours alone in the
	 * namespace fz_isolate made) */
	for (tries = 0; tries < 200; tries++) {
		o.local_port = (*port)++;
		if (!eng_alloc(&engs[neng], &o, p, &d))
			return 0;
	}
	fprintf(stderr, "fuzz_engine: %s\n", d.msg);
	return -1;
}

/* The shipped scenarios (multi-party ones among them), from
 * $SRCDIR/scenarios (else the tree it was built from), in name order
 * after the built-ins: engine 5 is
 * basic-call.xml, and so on (fuzz/README.md). */
/* The source tree (its scenarios and their pcap/ files), or NULL. */
static const char *src_dir(void)
{
	const char *src = getenv("SRCDIR");

#ifdef FZ_SRCDIR
	if (!src)
		src = FZ_SRCDIR;  /* the source tree it was built from */
#endif
	return src;
}

static void load_shipped(unsigned *port)
{
	static const char *const files[] = {
		"basic-call", "busy", "call-waiting", "forward-busy", "forward-noanswer", "hold",
		"noanswer-cancel", "noanswer-timeout", "register", "reinvite", "uac-pcap",
		"uas-echo", "unregister",
	};
	const char *src = src_dir();
	unsigned i;

	if (!src) {
		fprintf(stderr, "fuzz_engine: no SRCDIR: the built-in scenarios only\n");
		return;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && neng < MAX_ENG; i++) {
		char path[4096];
		struct prog *p;
		struct diag d = {0};

		snprintf(path, sizeof(path), "%s/scenarios/%s.xml", src, files[i]);
		if (scn_load_file(&p, path, NULL, &d))
			fz_fail(d.msg);
		if (start_engine(p, port, eng_prog_is_server(p)))
			fz_fail("cannot start an engine");
		neng++;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *const *names = scn_builtin_names();
	unsigned port = 15060, i, pass;

	(void)argc;
	(void)argv;
	fz_isolate_or_exit();
	if (msg_init() || loop_alloc(&lp))
		fz_fail("no parser or event loop");
	(void)fz_peer();
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; names[i] && neng < MAX_ENG; i++) {
			const char *xml = scn_builtin(names[i]);
			struct prog *p;
			struct diag d = {0};
			char name[4096];

			/* named as if in scenarios/: uac_pcap's pcap/ paths
			 * resolve there, as an installed built-in's do */
			snprintf(name, sizeof(name), "%s/scenarios/%s",
				 src_dir() ? src_dir() : ".", names[i]);
			if (scn_load_mem(&p, xml, strlen(xml), name, NULL, &d))
				fz_fail(d.msg);
			/* the 3PCC roles need a twin link (and 3pcc-A, 3pcc-B
			 * are uas with other words): not fuzzed here */
			if (p->twin != PROG_TWIN_NONE || !strncmp(names[i], "3pcc", 4) ||
			    eng_prog_is_server(p) != !pass) {
				scn_free(p);
				continue;
			}
			if (start_engine(p, &port, !pass))
				fz_fail("cannot start an engine");
			neng++;  /* p stays with it for the whole run */
		}
	}
	if (!neng)
		fz_fail("no scenario among the built-ins");
	load_shipped(&port);
	return 0;
}

/* buf with "[call_number]" replaced by the number of e's client call,
 * "[call_id]" by its Call-ID ("[call_id2]".. those of its second.. fourth
 * party), or NULL when there is nothing to replace. */
static char *with_call_id(struct eng *e, const char *buf, size_t *len)
{
	const struct call *c;
	char num[24], key[16], *out = NULL, *next;
	unsigned i;

	if (e->uas_mode || lst_empty(&e->active))
		return NULL;
	c = LST_ENTRY(e->active.next, struct call, le);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)c->number);
	if ((next = fz_subst(buf, len, "[call_number]", num)))
		out = next;
	for (i = 0; i < c->nuas && i < 4; i++) {
		if (i)
			snprintf(key, sizeof(key), "[call_id%u]", i + 1);
		else
			snprintf(key, sizeof(key), "[call_id]");
		next = fz_subst(out ? out : buf, len, key, c->ua[i].call_id ? c->ua[i].call_id : "");
		if (next) {
			free(out);
			out = next;
		}
	}
	return out;
}

static void deliver(const char *buf, size_t len, void *arg)
{
	struct eng *e = arg;
	char *subst = with_call_id(e, buf, &len);

	tp_deliver(e->sock, subst ? subst : buf, len, fz_peer());
	free(subst);
	turn();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eng *e;
	struct stats before;
	unsigned n, i, k;

	if (!size)
		return 0;
	e = engs[data[0] % neng];
	before = e->st;
	if (!e->uas_mode)
		eng_start_client_call(e);
	n = fz_each(data + 1, size - 1, MAX_DGRAMS, deliver, e);
	snprintf(fz_outcome, sizeof(fz_outcome),
		 "engine %u: %u datagrams, rx %llu, malformed %llu, stray %llu, calls %llu, "
		 "ok %llu, failed %llu, active %llu", (unsigned)(data[0] % neng), n,
		 (unsigned long long)(e->st.rx - before.rx),
		 (unsigned long long)(e->st.malformed - before.malformed),
		 (unsigned long long)(e->st.stray - before.stray),
		 (unsigned long long)(e->st.calls_started - before.calls_started),
		 (unsigned long long)(e->st.calls_ok - before.calls_ok),
		 (unsigned long long)(e->st.calls_failed - before.calls_failed),
		 (unsigned long long)e->nactive);
	eng_reap(e);
	/* what the calls sent to an engine's own address arrives now, and
	 * whatever it started ends too: nothing is left for the next input */
	for (i = 0; i < 2; i++) {
		turn();
		for (k = 0; k < neng; k++)
			eng_reap(engs[k]);
	}
	if (e->nactive || !lst_empty(&e->active) || !lst_empty(&e->zombies))
		fz_fail("calls left after eng_reap");
	if (e->st.rx - before.rx != n)
		fz_fail("a datagram was not counted as received");
	if (e->st.calls_started - before.calls_started !=
	    (e->st.calls_ok - before.calls_ok) + (e->st.calls_failed - before.calls_failed) +
	    (e->st.calls_unfinished - before.calls_unfinished))
		fz_fail("a started call was neither ok, failed nor unfinished");
	return 0;
}
