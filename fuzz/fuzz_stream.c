/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_stream: the byte stream of one TCP or WebSocket connection, cut
 * into messages the way the stream transport's read path does
 * (conn_process in src/transport/stream.c): tp_frame_sip for TCP and TLS,
 * the WebSocket handshake (tp_ws_handshake_rx) then frames (tp_ws_next)
 * for WS and WSS. Every message is then parsed (msg_parse). The first
 * byte picks the framing: bit 0 WebSocket, bit 1 our side opened the
 * connection (a client: it reads the server's 101); bits 2-7, when not
 * 0, cut the rest into reads of 7 times that many bytes (else one read).
 * No separator byte: frames are binary. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "sip/msg.h"
#include "transport/tp_int.h"

#define MSG_MAX 65535

struct state {
	struct tp_conn c;
	int ws, ended;
	unsigned msgs, malformed;
};

static void parse(struct state *s, const char *p, size_t len)
{
	char *copy = fz_copy(p, len);
	struct msg *m;

	if (msg_parse(&m, copy, len))
		s->malformed++;
	else
		msg_free(m);
	s->msgs++;
	free(copy);
}

/* conn_process's loop, for a connection in c->state. */
static void process(struct state *s)
{
	struct tp_conn *c = &s->c;

	while (!s->ended) {
		if (c->state == TP_C_WS) {
			int r = tp_ws_handshake_rx(c);

			if (r < 0) {
				s->ended = 1;
				return;
			}
			if (r == 0)
				return;
			c->state = TP_C_OPEN;
			continue;
		}
		if (!c->rx.len)
			return;
		if (s->ws) {
			const char *m;
			size_t used;
			long n = tp_ws_next(c, &m, &used);

			if (n < 0) {
				s->ended = 1;
				return;
			}
			if (n == 0 && !used)
				return;
			if (n > 0)
				parse(s, m, (size_t)n);
			tp_bytes_drop(&c->rx, used);
		} else {
			size_t skip;
			long n = tp_frame_sip(c->rx.p, c->rx.len, MSG_MAX, &skip);

			if (n < 0) {
				s->ended = 1;
				return;
			}
			if (n == 0) {
				tp_bytes_drop(&c->rx, skip);
				return;
			}
			parse(s, c->rx.p + skip, (size_t)n);
			tp_bytes_drop(&c->rx, skip + (size_t)n);
		}
	}
}

static void chunk(struct state *s, const uint8_t *buf, size_t len)
{
	if (s->ended)
		return;
	if (tp_bytes_add(&s->c.rx, buf, len))
		fz_fail("out of memory");
	process(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (msg_init())
		fz_fail("no parser");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s;
	unsigned n = 0;
	size_t off, step;
	int ws;

	if (!size)
		return 0;
	memset(&s, 0, sizeof(s));
	ws = s.ws = data[0] & 1;
	s.c.outgoing = (data[0] >> 1) & 1;
	s.c.state = ws ? TP_C_WS : TP_C_OPEN;
	/* a client checks the server's accept against the key it sent:
	 * RFC 6455's sample key, whose accept value is
	 * s3pPLMBiTxaQ9kYGzzhZRbK+xOo= (tp_ws_client_hello draws one) */
	if (ws && s.c.outgoing)
		snprintf(s.c.ws_key, sizeof(s.c.ws_key), "dGhlIHNhbXBsZSBub25jZQ==");
	step = (size_t)(data[0] >> 2) * 7;
	if (!step)
		step = size;
	for (off = 1; off < size; off += step, n++)
		chunk(&s, data + off, size - off < step ? size - off : step);
	snprintf(fz_outcome, sizeof(fz_outcome), "%s %s: %u chunks, %u messages, %u unparsable%s",
		 ws ? "ws" : "sip", s.c.outgoing ? "client" : "server", n, s.msgs, s.malformed,
		 s.ended ? ", connection ended" : "");
	free(s.c.rx.p);
	free(s.c.tx.p);
	free(s.c.hs.p);
	free(s.c.frag.p);
	return 0;
}
