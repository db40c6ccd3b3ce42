/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdp: the two facts media needs from a peer's SDP, where to send audio
 * and video. A bounded line scanner: nothing else of SDP is read. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "media/rtp.h"

/* "IN IP4 addr" or "IN IP6 addr" (RFC 8866 5.7); a multicast TTL
 * suffix ("/127") is cut. */
static void conn_addr(const char *p, size_t n, char *out, size_t outlen)
{
	size_t i = 0, l;

	if (n < 7 || memcmp(p, "IN IP", 5))
		return;
	p += 5, n -= 5;
	while (n && *p != ' ')
		p++, n--;
	while (n && *p == ' ')
		p++, n--;
	l = 0;
	while (l < n && p[l] != ' ' && p[l] != '/' && p[l] != '\r')
		l++;
	if (!l || l >= outlen)
		return;
	for (; i < l; i++)
		out[i] = p[i];
	out[l] = '\0';
}

/* "audio 49170 RTP/AVP 0": kind and port (RFC 8866 5.14). */
static int media_line(const char *p, size_t n, unsigned *port)
{
	int k;
	unsigned long v = 0;
	size_t i;

	if (n > 6 && !memcmp(p, "audio ", 6))
		k = MEDIA_AUDIO, i = 6;
	else if (n > 6 && !memcmp(p, "video ", 6))
		k = MEDIA_VIDEO, i = 6;
	else
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '9' && v <= 65535; i++)
		v = v * 10 + (unsigned long)(p[i] - '0');
	*port = v <= 65535 ? (unsigned)v : 0;
	return k;
}

int media_sdp_peer(const char *body, size_t len, struct media_sdp *out)
{
	const char *p = body, *end = body + len;
	char session[64] = "";
	int cur = -1;            /* kind of the m= section we are in, -1: other */
	int seen[MEDIA_NKINDS] = {0};
	int in_media = 0;

	while (p < end && (*p == '\r' || *p == '\n' || *p == ' '))
		p++;
	if (end - p < 2 || p[0] != 'v' || p[1] != '=')
		return EINVAL;
	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n > 2 && p[0] == 'm' && p[1] == '=') {
			unsigned port = 0;
			int k = media_line(p + 2, n - 2, &port);

			in_media = 1;
			cur = k >= 0 && !seen[k] ? k : -1;
			if (cur >= 0) {
				seen[cur] = 1;
				out->port[cur] = port;
			}
		} else if (n > 2 && p[0] == 'c' && p[1] == '=') {
			if (!in_media)
				conn_addr(p + 2, n - 2, session, sizeof(session));
			else if (cur >= 0)
				conn_addr(p + 2, n - 2, out->ip[cur], sizeof(out->ip[cur]));
		}
		p = nl ? nl + 1 : end;
	}
	for (cur = 0; cur < MEDIA_NKINDS; cur++)
		if (!out->ip[cur][0])
			memcpy(out->ip[cur], session, sizeof(session));
	return 0;
}
