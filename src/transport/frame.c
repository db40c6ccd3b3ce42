/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frame: SIP over a byte stream. The growable byte buffers of a
 * connection and the Content-Length framing of RFC 3261 18.3 (see
 * tp_int.h). A leaf: stream.c and ws.c call it, it calls nothing of
 * transport/. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "transport/tp_int.h"

/* ---- byte buffers --------------------------------------------------- */

int tp_bytes_add(struct tp_bytes *b, const void *data, size_t n)
{
	if (!n)
		return 0;  /* b->p may be NULL: no pointer arithmetic on it */
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap + 1);  /* +1: room for a NUL */
		if (!p)
			return ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

void tp_bytes_drop(struct tp_bytes *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void tp_bytes_free(struct tp_bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- framing -------------------------------------------------------- */

static int hdr_is(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name), i;

	if (n < l)
		return 0;
	for (i = 0; i < l; i++)
		if ((line[i] | 0x20) != name[i])
			return 0;
	while (l < n && (line[l] == ' ' || line[l] == '\t'))
		l++;
	return l < n && line[l] == ':';
}

long tp_frame_sip(const char *buf, size_t len, size_t max, size_t *skip)
{
	const char *p, *end, *line;
	size_t s = 0, head;
	long body = 0;
	int seen = 0;

	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	*skip = s;
	buf += s;
	len -= s;
	end = len >= 4 ? memmem(buf, len < max ? len : max, "\r\n\r\n", 4) : NULL;
	if (!end)
		return len > max ? -1 : 0;
	head = (size_t)(end - buf) + 4;
	for (line = buf; line < end; line = p + 2) {
		const char *v;
		char *stop;

		p = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if (!p)
			break;
		if (!hdr_is(line, (size_t)(p - line), "content-length") &&
		    !hdr_is(line, (size_t)(p - line), "l"))
			continue;
		v = memchr(line, ':', (size_t)(p - line)) + 1;
		while (v < p && (*v == ' ' || *v == '\t'))
			v++;
		if (v == p || *v < '0' || *v > '9')
			return -1;
		body = strtol(v, &stop, 10);
		while (stop < p && (*stop == ' ' || *stop == '\t'))
			stop++;
		if (stop != p || body < 0 || seen++)
			return -1;
	}
	if (head + (size_t)body > max)
		return -1;
	return head + (size_t)body > len ? 0 : (long)(head + (size_t)body);
}
