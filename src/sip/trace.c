/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace: the -trace_msg and -trace_shortmsg writers (see trace.h). */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* The value of header name (or its compact form c, 0: none) in the
 * message, trimmed, into out ("" when absent). */
static void hdr(const char *buf, size_t len, const char *name, char c, char *out, size_t n)
{
	const char *p = buf, *end = buf + len, *eol, *v;
	size_t nl = strlen(name);

	*out = '\0';
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol == p || (eol == p + 1 && *p == '\r'))
			return;  /* the blank line: the headers end */
		v = NULL;
		if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl))
			v = p + nl;
		else if (c && (eol - p) > 1 && tolower((unsigned char)*p) == c)
			v = p + 1;
		if (v) {
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v < eol && *v == ':') {
				size_t k;

				for (v++; v < eol && (*v == ' ' || *v == '\t'); v++)
					;
				k = (size_t)(eol - v);
				while (k && (v[k - 1] == '\r' || v[k - 1] == ' '))
					k--;
				snprintf(out, n, "%.*s", (int)k, v);
				return;
			}
		}
		p = eol + 1;
	}
}

void msg_trace_short(FILE *f, int sent, const char *buf, size_t len)
{
	char ts[64], cid[256], cseq[64];
	struct timeval tv;
	struct tm tm;
	char s[32];
	size_t first;

	if (!f)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d\t%H:%M:%S", &tm);
	snprintf(ts, sizeof(ts), "%s.%06ld\t%010ld.%06ld", s, (long)tv.tv_usec,
		 (long)tv.tv_sec, (long)tv.tv_usec);
	hdr(buf, len, "Call-ID", 'i', cid, sizeof(cid));
	hdr(buf, len, "CSeq", 0, cseq, sizeof(cseq));
	for (first = 0; first < len && buf[first] != '\r' && buf[first] != '\n'; first++)
		;
	fprintf(f, "%s\t%c\t%s\tCSeq:%s\t%.*s\n", ts, sent ? 'S' : 'R', cid, cseq, (int)first, buf);
}
