/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace: the -trace_msg writer (see trace.h). */
#include "config.h"
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include "sip/trace.h"

void msg_trace_stamp(char *out, size_t n)
{
	struct timeval tv;
	struct tm tm;
	char s[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%06ld", s, (long)tv.tv_usec);
}

void msg_trace(FILE *f, const char *who, enum tp_proto proto, int sent, const char *buf,
	       size_t len, const struct tp_addr *peer)
{
	char ts[48], ip[64];

	if (!f)
		return;
	msg_trace_stamp(ts, sizeof(ts));
	tp_addr_ip(peer, ip, sizeof(ip));
	fprintf(f, "----------------------------------------------- %s%s%s\n", ts,
		*who ? " " : "", who);
	/* SIPp's two forms: "(N bytes)" sent, "[N] bytes" received */
	if (sent)
		fprintf(f, "%s message sent (%zu bytes) to %s:%u:\n\n", tp_proto_name(proto), len,
			ip, tp_addr_port(peer));
	else
		fprintf(f, "%s message received [%zu] bytes from %s:%u:\n\n",
			tp_proto_name(proto), len, ip, tp_addr_port(peer));
	fprintf(f, "%.*s\n\n", (int)len, buf);
}
