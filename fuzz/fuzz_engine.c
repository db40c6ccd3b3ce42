/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_engine: bytes arriving as datagrams at a running engine with a
 * server scenario. The datagrams go to the engine's socket handler
 * (tp_deliver: what the UDP socket's read callback calls), so they are
 * parsed, routed to their call or party, start a server call, are matched
 * by the scenario's <recv>s and answered (to a 127.0.0.1 socket nobody
 * reads). One engine per built-in server scenario, made once; the first
 * byte of an input picks the engine, the rest is datagrams separated by
 * FZ_SEP. After each input every call is ended and freed (eng_reap). */
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

#define MAX_ENG 8
#define MAX_DGRAMS 16

static struct eng *engs[MAX_ENG];
static unsigned neng;
static struct loop *lp;

static int start_engine(struct prog *p, unsigned *port)
{
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
	o.behaviors = ENG_BEH_BYE | ENG_BEH_ABORTUNEXP | ENG_BEH_PINGREPLY;
	o.auto_answer = 1;
	o.msg_log = fz_devnull();
	o.err_log = fz_devnull();
	o.stat_period_ms = 1000;
	o.max_fail_rate = -1;
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *const *names = scn_builtin_names();
	unsigned port = 15060, i;

	(void)argc;
	(void)argv;
	fz_isolate_or_exit();
	if (msg_init() || loop_alloc(&lp))
		fz_fail("no parser or event loop");
	for (i = 0; names[i] && neng < MAX_ENG; i++) {
		const char *xml = scn_builtin(names[i]);
		struct prog *p;
		struct diag d = {0};

		if (scn_load_mem(&p, xml, strlen(xml), names[i], NULL, &d))
			fz_fail(d.msg);
		if (!eng_prog_is_server(p)) {
			scn_free(p);
			continue;
		}
		if (start_engine(p, &port))
			fz_fail("cannot start an engine");
		neng++;  /* p stays with it for the whole run */
	}
	if (!neng)
		fz_fail("no server scenario among the built-ins");
	(void)fz_peer();
	return 0;
}

static void deliver(const char *buf, size_t len, void *arg)
{
	struct eng *e = arg;

	tp_deliver(e->sock, buf, len, fz_peer());
	loop_run_deferred(lp);  /* what the loop does at the end of a turn */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eng *e;
	struct stats before;
	unsigned n;

	if (!size)
		return 0;
	e = engs[data[0] % neng];
	before = e->st;
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
	loop_run_deferred(lp);
	if (e->nactive || !lst_empty(&e->active) || !lst_empty(&e->zombies))
		fz_fail("calls left after eng_reap");
	if (e->st.rx - before.rx != n)
		fz_fail("a datagram was not counted as received");
	if (e->st.calls_started - before.calls_started !=
	    (e->st.calls_ok - before.calls_ok) + (e->st.calls_failed - before.calls_failed))
		fz_fail("a started call was neither ok nor failed");
	return 0;
}
