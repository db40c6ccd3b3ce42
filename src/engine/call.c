/* SPDX-License-Identifier: GPL-2.0-or-later */
/* call: the calls of a run. Allocates a call and its parties, gives a
 * client call its identity, starts a server call on an unknown Call-ID,
 * hands each received datagram to its party (by dispatch.c), and counts
 * a call's outcome when it ends. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"
#include "sip/trace.h"

static void call_free(struct call *c)
{
	unsigned i;

	for (i = 0; i < c->nuas; i++) {
		/* -max_socket's are shared: closed at the end (eng_pool_free) */
		if (c->ua[i].sock && c->ua[i].sock != c->eng->sock && !c->eng->o.max_socket)
			tp_close(c->ua[i].sock);
		ua_release(&c->ua[i]);
	}
	rpt_pcap_drop(&c->cap);
	free(c);
}

void eng_call_ended(struct eng *e, struct call *c)
{
	uint64_t now = loop_now_us(e->loop);
	unsigned i;

	/* one outcome per call: failed, unfinished (still running when the
	 * run ended) or successful; the call length is a successful call's */
	if (c->failed) {
		e->st.calls_failed++;
		if (c->timed_out)
			e->st.calls_timeout++;  /* a subset of the failed */
		e->st.fail[c->reason]++;
	} else if (c->unfinished) {
		e->st.calls_unfinished++;
	} else {
		e->st.calls_ok++;
		hist_add(&e->st.call_len, now - c->start_us);
	}
	if (!c->unfinished || c->failed)
		hist_add(&e->st.call_len_ended, now - c->start_us);
	if (e->o.calldebug_log && (c->failed || c->unfinished))
		rpt_calldebug(e->o.calldebug_log, c->ua[0].call_id,
			      c->failed ? stat_fail_name(c->reason) : "unfinished", &c->cap);
	if (e->cap && (c->failed || c->unfinished))
		rpt_pcap_write(e->cap, &c->cap);
	else
		rpt_pcap_drop(&c->cap);
	for (i = 0; i < c->nuas; i++)
		eng_hash_del(e, &c->ua[i]);
	eng_ended_add(e, c);  /* what still comes for it is late, not stray */
	lst_unlink(&c->le);
	lst_append(&e->zombies, &c->le);  /* freed at the end of the iteration */
	e->nactive--;
	e->ended++;
}

/* A new call's own socket: a new one, or with -max_socket N, once N are
 * open, the next of them in turn (SIPp's). */
static int call_socket(struct eng *e, struct tp_sock **sp, struct diag *d)
{
	struct tp_sock **pool;
	int err;

	if (!e->o.max_socket)
		return eng_open_socket(e, sp, 0, 0, eng_on_datagram, d);
	if (e->npool >= e->o.max_socket) {
		*sp = e->pool[e->next_pool++ % e->npool];
		return 0;
	}
	pool = realloc(e->pool, (e->npool + 1) * sizeof(*pool));
	if (!pool)
		return ENOMEM;
	e->pool = pool;
	err = eng_open_socket(e, &pool[e->npool], 0, 0, eng_on_datagram, d);
	if (err)
		return err;
	*sp = pool[e->npool++];
	return 0;
}

void eng_pool_free(struct eng *e)
{
	unsigned i;

	for (i = 0; i < e->npool; i++)
		tp_close(e->pool[i]);
	free(e->pool);
	e->pool = NULL;
	e->npool = 0;
}

/* A call and its nuas parties in one zeroed block: the structs, then
 * each party's variables and rtd marks. */
struct call *eng_call_alloc(struct eng *e, unsigned nuas)
{
	size_t extra = ua_extra_size(e->p);
	struct call *c = calloc(1, sizeof(*c) + nuas * (sizeof(struct ua) + extra));

	if (c) {
		c->eng = e;
		c->nuas = nuas;
	}
	return c;
}

void *eng_call_extra(struct call *c, unsigned i)
{
	return (char *)&c->ua[c->nuas] + i * ua_extra_size(c->eng->p);
}

static int call_new(struct eng *e, struct call **cp, struct diag *d)
{
	const struct prog *p = e->p;
	struct call *c = eng_call_alloc(e, p->nuas);
	unsigned i, base = 0;
	int err = ENOMEM;

	if (!c)
		return ENOMEM;
	c->number = eng_call_number(e, ++e->started);
	c->start_us = loop_now_us(e->loop);
	c->field_row = inj_next_row(&e->inj);
	for (i = 0; i < p->nuas; i++) {
		err = ua_init(&c->ua[i], c, &p->uas[i], base, eng_call_extra(c, i));
		if (err)
			goto out;
		base += p->uas[i].nsteps;
		c->ua[i].sock = e->sock;
		c->ua[i].remote = e->remote;
	}
	if (e->o.per_call_socket && !e->uas_mode) {
		err = call_socket(e, &c->ua[0].sock, d);
		if (err) {
			c->ua[0].sock = NULL;
			goto out;
		}
	}
	c->nactive = c->nuas;
	lst_append(&e->active, &c->le);
	e->nactive++;
	if (e->nactive > e->peak_active) {  /* the scenario screen's peak */
		e->peak_active = e->nactive;
		e->peak_at_us = loop_now_us(e->loop) - e->start_us;
	}
	e->st.calls_started++;
	*cp = c;
	return 0;
out:
	call_free(c);
	return err;
}

/* -cid_str's format as SIPp: %u the call number (with "-I" for party I
 * of a multi-party call, so the parties' Call-IDs differ), %p the pid,
 * %s the local address, %r a random number, %% a '%'. */
static void cid_format(const struct eng *e, const struct call *c, unsigned i, char *out,
		       size_t size)
{
	const char *f = e->o.cid_str;
	size_t n = 0;

	for (; *f && n + 1 < size; f++) {
		int w = 0;

		if (*f != '%' || !f[1]) {
			out[n++] = *f;
			continue;
		}
		switch (*++f) {
		case 'u':
			w = c->nuas == 1 ?
				snprintf(out + n, size - n, "%llu", (unsigned long long)c->number) :
				snprintf(out + n, size - n, "%llu-%u", (unsigned long long)c->number, i);
			break;
		case 'p': w = snprintf(out + n, size - n, "%d", e->pid); break;
		case 's': w = snprintf(out + n, size - n, "%s", e->local_ip); break;
		case 'r': w = snprintf(out + n, size - n, "%ld", random()); break;
		default: out[n++] = *f; break;
		}
		n += w > 0 ? (size_t)w : 0;
	}
	out[n < size ? n : size - 1] = '\0';
}

/* Identity of party i of a client call: its Call-ID and user part. */
static int party_identity(struct eng *e, struct call *c, unsigned i)
{
	struct ua *ua = &c->ua[i];
	char cid[160];

	if (e->o.cid_str)
		cid_format(e, c, i, cid, sizeof(cid));
	else if (c->nuas == 1)
		snprintf(cid, sizeof(cid), "%llu-%d%s@%s", (unsigned long long)c->number,
			 e->pid, e->shard_tag, e->local_ip);
	else
		snprintf(cid, sizeof(cid), "%llu-%u-%d%s@%s", (unsigned long long)c->number, i,
			 e->pid, e->shard_tag, e->local_ip);
	ua->call_id = strdup(cid);
	if (!ua->call_id)
		return ENOMEM;
	if (ua->pu->user) {
		if (rend_tpl(ua, NULL, ua->pu->user, 0, &e->scratch) || !e->scratch.len)
			return EINVAL;
		ua->user = strdup(e->scratch.data);
	} else if (c->nuas == 1) {
		return 0;  /* a SIPp scenario: no party identity */
	} else {
		snprintf(cid, sizeof(cid), "sb%llu%s", (unsigned long long)c->number, ua->pu->name);
		ua->user = strdup(cid);
	}
	return ua->user ? 0 : ENOMEM;
}

/* A client call: give each party its identity, then run them all. */
void eng_start_client_call(struct eng *e)
{
	struct call *c;
	struct diag d;
	unsigned i;

	if (call_new(e, &c, &d)) {
		e->st.fail[FAIL_INTERNAL]++;
		e->st.calls_failed++;
		e->ended++;
		return;
	}
	for (i = 0; i < c->nuas; i++) {
		if (party_identity(e, c, i) || eng_hash_add(e, &c->ua[i])) {
			ua_fail(&c->ua[i], FAIL_INTERNAL, "no identity for the party "
				"(out of memory, or its user= is empty)");
			return;
		}
	}
	for (i = 0; i < c->nuas && !c->failed; i++)
		ua_run(&c->ua[i]);
}

/* The number of the n-th call started (1-based): n itself, or with
 * -shard K/N, K + 1 + (n - 1) * N. Shards interleave, so the numbers of
 * N shards never meet, and for -m M split as cli_shard_resolve does they
 * are together exactly 1..M, the numbers of one unsharded run. */
uint64_t eng_call_number(const struct eng *e, uint64_t n)
{
	if (!e->o.shard_count)
		return n;
	return e->o.shard_index + 1 + (n - 1) * e->o.shard_count;
}

/* A request with an unknown Call-ID: a new call for a server scenario. */
static void start_server_call(struct eng *e, struct tp_sock *s, struct msg *m,
			      const struct tp_addr *from)
{
	const struct step *first = NULL;
	struct msg_pl key = msg_call_key(m, e->o.callid_slash_ign);
	struct call *c;
	struct diag d;
	unsigned i;

	for (i = 0; i < e->p->uas[0].nsteps && !first; i++)
		if (e->p->uas[0].steps[i].kind != STEP_LABEL)
			first = &e->p->uas[0].steps[i];
	if (!m->is_request || !first || !first->request ||
	    strcasecmp(first->request, m->method) || !eng_can_start(e) ||
	    call_new(e, &c, &d)) {
		e->st.stray++;
		eng_trace_err(e, "message matching no call ignored: %.60s", m->raw);
		msg_free(m);
		return;
	}
	c->ua[0].sock = s;
	c->ua[0].remote = *from;
	c->ua[0].call_id = strndup(key.p, key.len);
	if (!c->ua[0].call_id || eng_hash_add(e, &c->ua[0])) {
		msg_free(m);
		ua_fail(&c->ua[0], FAIL_INTERNAL, "out of memory");
		return;
	}
	ua_run(&c->ua[0]);  /* reaches the first recv */
	ua_on_msg(&c->ua[0], m);
}

struct ua *eng_start_cmd_call(struct eng *e, const char *cid, size_t len)
{
	struct call *c;
	struct diag d;

	if (!eng_can_start(e) || call_new(e, &c, &d))
		return NULL;
	c->ua[0].call_id = strndup(cid, len);
	if (!c->ua[0].call_id || eng_hash_add(e, &c->ua[0])) {
		ua_fail(&c->ua[0], FAIL_INTERNAL, "out of memory");
		return NULL;
	}
	ua_run(&c->ua[0]);  /* reaches the first <recvCmd> */
	return c->ua[0].state == UA_ST_RECV ? &c->ua[0] : NULL;
}

/* Up to 4 bytes of CR and LF. buf is not NUL-terminated: a datagram
 * ends at len, whatever the receive buffer holds after it. */
static int is_keepalive(const char *buf, size_t len)
{
	size_t i;

	if (len > 4)
		return 0;
	for (i = 0; i < len; i++)
		if (buf[i] != '\r' && buf[i] != '\n')
			return 0;
	return 1;
}

void eng_on_datagram(struct tp_sock *s, const char *buf, size_t len,
		     const struct tp_addr *from, void *arg)
{
	struct eng *e = arg;
	struct msg *m;
	struct ua *ua;
	int err;

	e->st.rx++;
	/* keep-alive CRLFs (RFC 5626 3.5.1) are not messages */
	if (is_keepalive(buf, len))
		return;
	if (e->o.msg_log)
		msg_trace(e->o.msg_log, "", tp_sock_proto(s), 0, buf, len, from);
	msg_trace_short(e->o.short_log, 0, buf, len);
	(void)eng_nat_stamp(e, &buf, &len, from);  /* RFC 3581 4: received/rport */
	err = msg_parse(&m, buf, len);
	if (err) {
		e->st.malformed++;
		eng_trace_err(e, "unparsable datagram (%zu bytes) ignored: %.*s", len,
			      (int)(len < 60 ? len : 60), buf);
		(void)eng_fail_unparsable(e, buf, len, from);
		return;
	}
	ua = eng_route(e, m);
	if (ua) {
		if (m->is_request && e->by_user.count)
			ua->remote = *from;  /* answer whoever sent it (the proxy) */
		ua_on_msg(ua, m);
		return;
	}
	if (eng_ended_absorb(e, s, m, from))
		return;
	if (e->uas_mode) {
		start_server_call(e, s, m, from);
		return;
	}
	e->st.stray++;
	eng_trace_err(e, "message matching no call ignored: %.60s", m->raw);
	msg_free(m);
}

void eng_abort_all(struct eng *e, const char *why)
{
	while (!lst_empty(&e->active)) {
		struct call *c = LST_ENTRY(e->active.next, struct call, le);
		unsigned i;

		for (i = 0; i < c->nuas; i++)
			ua_abort(&c->ua[i], why);
	}
}

void eng_free_zombies(struct eng *e)
{
	while (!lst_empty(&e->zombies)) {
		struct call *c = LST_ENTRY(e->zombies.next, struct call, le);

		lst_unlink(&c->le);
		call_free(c);
	}
}
