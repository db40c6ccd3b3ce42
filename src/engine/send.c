/* SPDX-License-Identifier: GPL-2.0-or-later */
/* send: every datagram the engine sends goes out here, counted and, with
 * -trace_msg and -trace_shortmsg, traced; -trace_err lines are written here too. A leaf: it
 * calls only the transport, the trace writer and the --pcap hold. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "engine/internal.h"
#include "sip/trace.h"

void eng_trace_err(struct eng *e, const char *fmt, ...)
{
	char ts[48];
	va_list ap;

	if (!e->o.err_log)
		return;
	msg_trace_stamp(ts, sizeof(ts));
	fprintf(e->o.err_log, "%s: ", ts);
	va_start(ap, fmt);
	vfprintf(e->o.err_log, fmt, ap);
	va_end(ap);
	fputc('\n', e->o.err_log);
}

void eng_local_addr(const struct ua *ua, struct tp_addr *a)
{
	char hp[96];
	struct diag d = {0};

	snprintf(hp, sizeof(hp), "%s:%u", tp_ip(ua->sock), tp_port(ua->sock));
	if (tp_addr_parse(a, hp, 5060, &d))
		memset(a, 0, sizeof(*a));
}

int eng_send_to(struct eng *e, struct tp_sock *s, const struct tp_addr *to,
		const char *buf, size_t len)
{
	int err = tp_send(s, buf, len, to);

	if (err) {
		e->st.tx_errors++;
		return err;
	}
	e->st.tx++;
	if (e->o.msg_log)
		msg_trace(e->o.msg_log, "", tp_sock_proto(s), 1, buf, len, to);
	msg_trace_short(e->o.short_log, 1, buf, len);
	return 0;
}

/* Where a party's message goes: its peer, but -rsa's address for the
 * target (the message still names the target). */
static const struct tp_addr *dest(const struct eng *e, const struct ua *ua)
{
	if (e->have_rsa && ua->remote.len == e->remote.len &&
	    !memcmp(&ua->remote.ss, &e->remote.ss, e->remote.len))
		return &e->rsa;
	return &ua->remote;
}

int eng_send(struct eng *e, struct ua *ua, const char *buf, size_t len)
{
	const struct tp_addr *to = dest(e, ua);
	int err = tp_send(ua->sock, buf, len, to);

	if (err) {
		e->st.tx_errors++;
		return err;
	}
	e->st.tx++;
	if (e->o.msg_log)
		msg_trace(e->o.msg_log, "", tp_sock_proto(ua->sock), 1, buf, len, to);
	msg_trace_short(e->o.short_log, 1, buf, len);
	if (e->cap || e->o.calldebug_log) {
		struct tp_addr self;

		eng_local_addr(ua, &self);
		rpt_pcap_hold(&ua->call->cap, buf, len, &self, to, 1);
	}
	return err;
}
