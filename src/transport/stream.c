/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream: TCP, TLS, WS and WSS endpoints. An endpoint owns a table of
 * connections by peer address; tp_send to an address with no connection
 * opens one. Each connection is a small state machine:
 *
 *   CONNECTING --(writable, no error)--> TLS? --> WS? --> OPEN
 *
 * (accepted ones start at TLS, WS or OPEN). What is sent before OPEN
 * waits in tx. Incoming bytes are framed by Content-Length (RFC 3261
 * 18.3, frame.c), or by WebSocket frames (ws.c), and handed up a message
 * at a time. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "transport/tp_int.h"

#define MSG_MAX 65535              /* the largest message we take          */
#define RX_CHUNK 2048               /* free room wanted before a read      */
#define TX_MAX (8u << 20)          /* queued for one connection, at most   */

struct tp_stream {
	struct tp_stream_conf conf;
	char *peer_name, *ws_path;
	struct htab conns;
	struct lst_node all;
	struct tp_addr local;
	struct lst_node dirty;     /* connections with bytes to write        */
	struct loop_defer flush;
	int spare_fd;              /* bound, not listening: the first
				      connection of a -t tn call uses it      */
};

/* ---- connections ---------------------------------------------------- */

static struct tp_conn *conn_find(struct tp_stream *st, const struct tp_addr *to)
{
	uint64_t k = tp_addr_key(to);
	struct htab_node *n;

	for (n = htab_chain(&st->conns, k); n; n = n->next) {
		struct tp_conn *c = LST_ENTRY(n, struct tp_conn, hn);

		if (n->key == k && tp_addr_eq(&c->peer, to))
			return c;
	}
	return NULL;
}

static void conn_free(struct tp_conn *c)
{
	htab_del(&c->ep->st->conns, &c->hn);
	if (lst_linked(&c->le))
		lst_unlink(&c->le);
	loop_fd_del(c->ep->loop, c->fd);
	close(c->fd);
	tp_tls_conn_free(c->ssl);
	tp_bytes_free(&c->rx);
	tp_bytes_free(&c->tx);
	tp_bytes_free(&c->hs);
	tp_bytes_free(&c->frag);
	free(c);
}

/* The connection is over: say so (why: NULL when c->why says it), then
 * free it. Returns -1 so callers can write `return conn_end(c, ...)`. */
static int conn_end(struct tp_conn *c, const char *why)
{
	struct tp_sock *s = c->ep;
	struct tp_addr peer = c->peer;
	int outgoing = c->outgoing;

	if (why)
		snprintf(c->why, sizeof(c->why), "%s", why);
	tp_stats_g.conns_lost++;
	if (s->lost) {
		char text[sizeof(c->why)];

		memcpy(text, c->why, sizeof(text));
		conn_free(c);
		s->lost(s, &peer, outgoing, text, s->lost_arg);
		return -1;
	}
	conn_free(c);
	return -1;
}

static void on_conn_io(int fd, unsigned events, void *arg);

static struct tp_conn *conn_new(struct tp_sock *s, int fd, const struct tp_addr *peer,
				int outgoing)
{
	struct tp_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		return NULL;
	c->ep = s;
	c->fd = fd;
	c->peer = *peer;
	c->outgoing = outgoing;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (htab_add(&s->st->conns, &c->hn, tp_addr_key(peer)) ||
	    loop_fd_add(s->loop, fd, LOOP_READ | (outgoing ? LOOP_WRITE : 0), on_conn_io, c)) {
		htab_del(&s->st->conns, &c->hn);
		free(c);
		return NULL;
	}
	c->watching_write = outgoing;
	lst_append(&s->st->all, &c->le);
	return c;
}

/* The next state after the TCP connection is up (or the TLS handshake is
 * done). -1: the connection ended. */
static int conn_advance(struct tp_conn *c)
{
	struct tp_stream *st = c->ep->st;
	enum tp_proto p = c->ep->proto;

	if (c->state == TP_C_CONNECTING && tp_is_tls(p)) {
		c->ssl = tp_tls_conn_new(st->conf.tls, c, !c->outgoing, st->peer_name);
		if (!c->ssl)
			return conn_end(c, NULL);
		c->state = TP_C_TLS;
		return 0;
	}
	if (c->state != TP_C_WS && tp_is_ws(p)) {
		c->state = TP_C_WS;
		if (c->outgoing && tp_ws_client_hello(c, st->ws_path))
			return conn_end(c, "out of memory");
		return 0;
	}
	c->state = TP_C_OPEN;
	return 0;
}

static long io_read(struct tp_conn *c, void *buf, size_t n)
{
	if (c->ssl)
		return tp_tls_read(c, buf, n);
	return recv(c->fd, buf, n, MSG_DONTWAIT);
}

static long io_write(struct tp_conn *c, const void *buf, size_t n)
{
	if (c->ssl)
		return tp_tls_write(c, buf, n);
	return send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Write what can be written of b. 0, or -1 when the connection ended. */
static int write_out(struct tp_conn *c, struct tp_bytes *b)
{
	size_t done = 0;

	while (done < b->len) {
		long n = io_write(c, b->p + done, b->len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		tp_bytes_drop(b, done);
		snprintf(c->why, sizeof(c->why), "cannot write: %s",
			 n < 0 ? strerror(errno) : "closed");
		return conn_end(c, NULL);
	}
	tp_bytes_drop(b, done);
	if (!b->len)
		tp_bytes_free(b);
	return 0;
}

static void watch(struct tp_conn *c)
{
	int want = c->state == TP_C_CONNECTING || c->hs.len || c->tls_wants_write ||
		   (c->state == TP_C_OPEN && c->tx.len);

	if (want != c->watching_write &&
	    !loop_fd_mod(c->ep->loop, c->fd, LOOP_READ | (want ? LOOP_WRITE : 0)))
		c->watching_write = want;
}

static int conn_flush(struct tp_conn *c)
{
	if (c->state == TP_C_CONNECTING || c->state == TP_C_TLS)
		return 0;
	if (c->hs.len && write_out(c, &c->hs))
		return -1;
	if (c->state == TP_C_OPEN && !c->hs.len && c->tx.len && write_out(c, &c->tx))
		return -1;
	return 0;
}

static void deliver(struct tp_conn *c, char *msg, size_t len)
{
	char saved = msg[len];

	msg[len] = '\0';  /* rx keeps a spare byte past its data */
	tp_stats_g.rx_dgrams++;
	c->ep->h(c->ep, msg, len, &c->peer, c->ep->arg);
	msg[len] = saved;
}

/* Hand up every whole message in rx. -1: the connection ended. */
static int conn_process(struct tp_conn *c)
{
	for (;;) {
		if (c->state == TP_C_WS) {
			int r = tp_ws_handshake_rx(c);

			if (r < 0) {
				tp_stats_g.stream_errors++;
				(void)conn_flush(c);  /* a refusal, best effort */
				return conn_end(c, NULL);
			}
			if (r == 0)
				return 0;
			c->state = TP_C_OPEN;
			continue;
		}
		if (c->state != TP_C_OPEN || !c->rx.len)
			return 0;
		if (tp_is_ws(c->ep->proto)) {
			const char *m;
			size_t used;
			long n = tp_ws_next(c, &m, &used);

			if (n < 0)
				return conn_end(c, NULL);
			if (n == 0 && !used)
				return 0;
			if (n > 0)
				deliver(c, (char *)m, (size_t)n);
			tp_bytes_drop(&c->rx, used);
		} else {
			size_t skip;
			long n = tp_frame_sip(c->rx.p, c->rx.len, MSG_MAX, &skip);

			if (n < 0) {
				tp_stats_g.stream_errors++;
				return conn_end(c, "unframeable message (bad Content-Length, "
						"or over 65535 bytes)");
			}
			/* RFC 5626 4.4.1: a CRLF CRLF ping gets a CRLF pong */
			if (skip >= 4 && !memcmp(c->rx.p, "\r\n\r\n", 4) &&
			    tp_bytes_add(&c->tx, "\r\n", 2) == 0 && conn_flush(c))
				return -1;
			if (n == 0) {
				tp_bytes_drop(&c->rx, skip);
				return 0;
			}
			deliver(c, c->rx.p + skip, (size_t)n);
			tp_bytes_drop(&c->rx, skip + (size_t)n);
		}
	}
}

static int conn_read(struct tp_conn *c)
{
	int rounds = 0;

	for (;;) {
		long n;

		if (c->rx.cap - c->rx.len < RX_CHUNK) {
			size_t cap = c->rx.cap ? c->rx.cap * 2 : 4096;
			char *p;

			if (c->rx.len > 2 * MSG_MAX + 16384) {
				tp_stats_g.stream_errors++;
				return conn_end(c, "over 131070 bytes unframed");
			}
			p = realloc(c->rx.p, cap + 1);  /* +1: room for a NUL */
			if (!p)
				return conn_end(c, "out of memory");
			c->rx.p = p;
			c->rx.cap = cap;
		}
		n = io_read(c, c->rx.p + c->rx.len, c->rx.cap - c->rx.len);
		if (n > 0) {
			c->rx.len += (size_t)n;
			if (conn_process(c))
				return -1;
			if (++rounds < 16)
				continue;
			loop_note_backlog(c->ep->loop);
			return 0;
		}
		if (n == 0)
			return conn_end(c, "closed by the peer");
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* an idle connection holds no buffer (100,000 of them
			 * with -t tn) */
			if (!c->rx.len)
				tp_bytes_free(&c->rx);
			return 0;
		}
		return conn_end(c, strerror(errno));
	}
}

static void on_conn_io(int fd, unsigned events, void *arg)
{
	struct tp_conn *c = arg;

	(void)fd;
	if (c->state == TP_C_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (!(events & (LOOP_WRITE | LOOP_READ)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err) {
			snprintf(c->why, sizeof(c->why), "cannot connect: %s", strerror(err));
			(void)conn_end(c, NULL);
			return;
		}
		if (conn_advance(c))
			return;
	}
	if (c->state == TP_C_TLS) {
		int r = tp_tls_handshake(c);

		if (r < 0) {
			tp_stats_g.tls_failures++;
			(void)conn_end(c, NULL);
			return;
		}
		if (r > 0 && conn_advance(c))
			return;
	}
	if (c->state != TP_C_CONNECTING && c->state != TP_C_TLS && conn_read(c))
		return;
	if (conn_flush(c))
		return;
	watch(c);
}

/* ---- the endpoint ------------------------------------------------------ */

static int new_socket(struct tp_sock *s)
{
	return socket(s->st->local.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static void on_accept(int fd, unsigned events, void *arg)
{
	struct tp_sock *s = arg;
	int i;

	(void)events;
	for (i = 0; i < 64; i++) {
		struct tp_addr peer;
		struct tp_conn *c;
		int cfd;

		peer.len = sizeof(peer.ss);
		cfd = accept4(fd, &peer.ss.sa, &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		tp_stats_g.conns_in++;
		c = conn_new(s, cfd, &peer, 0);
		if (!c) {
			close(cfd);
			continue;
		}
		c->state = TP_C_CONNECTING;
		if (conn_advance(c))
			continue;
		if (c->state == TP_C_TLS)
			(void)tp_tls_handshake(c);  /* nothing to read yet: sets up */
	}
}

static void flush_dirty(void *arg)
{
	struct tp_sock *s = arg;
	struct tp_stream *st = s->st;

	while (!lst_empty(&st->dirty)) {
		struct tp_conn *c = LST_ENTRY(st->dirty.next, struct tp_conn, le);

		lst_unlink(&c->le);
		lst_append(&st->all, &c->le);
		if (!conn_flush(c))
			watch(c);
	}
}

static struct tp_conn *conn_open(struct tp_sock *s, const struct tp_addr *to)
{
	struct tp_stream *st = s->st;
	struct tp_conn *c;
	struct diag d = {0};
	struct tp_sock tmp;
	int fd = st->spare_fd;

	if (to->ss.ss_family != st->local.ss.ss_family) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	st->spare_fd = -1;
	if (fd < 0) {
		struct tp_addr at = st->local;

		fd = new_socket(s);
		if (fd < 0)
			return NULL;
		/* leave from the listening port; without one, from any */
		memset(&tmp, 0, sizeof(tmp));
		tmp.proto = s->proto;
		if (!st->conf.listen)
			tp_addr_parse(&at, s->ip[0] ? s->ip : "0.0.0.0", 0, &d);
		if (tp_bind(&tmp, fd, &at, st->conf.listen, &d)) {
			close(fd);
			errno = EADDRINUSE;
			return NULL;
		}
	}
	if (connect(fd, &to->ss.sa, to->len) < 0 && errno != EINPROGRESS) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	c = conn_new(s, fd, to, 1);
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	tp_stats_g.conns_out++;
	return c;
}

int tp_stream_send(struct tp_sock *s, const void *buf, size_t len, const struct tp_addr *to)
{
	struct tp_stream *st = s->st;
	struct tp_conn *c = conn_find(st, to);
	int err;

	if (!c) {
		c = conn_open(s, to);
		if (!c) {
			tp_stats_g.tx_errors++;
			return errno ? errno : ENOMEM;
		}
	}
	if (c->tx.len + len > TX_MAX) {
		tp_stats_g.tx_errors++;
		return ENOBUFS;
	}
	err = tp_is_ws(s->proto) ? tp_ws_frame(c, buf, len) : tp_bytes_add(&c->tx, buf, len);
	if (err)
		return err;
	tp_stats_g.tx_dgrams++;
	if (c->state != TP_C_OPEN)
		return 0;   /* goes out when the connection is up */
	/* written at the end of the turn: a turn's messages to a connection
	 * go out together, and a write that fails cannot end a connection
	 * under a handler that is reading from it */
	lst_unlink(&c->le);
	lst_append(&st->dirty, &c->le);
	loop_defer(s->loop, &st->flush);
	return 0;
}

/* Is a's port held by another socket? EADDRINUSE with d filled, or 0. */
static int port_taken(struct tp_sock *s, const struct tp_addr *a, struct diag *d)
{
	int fd = new_socket(s), one = 1, err = 0;

	if (fd < 0)
		return 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (tp_bind(s, fd, a, 0, d))
		err = EADDRINUSE;
	close(fd);
	return err;
}

int tp_stream_open(struct tp_sock **sp, struct loop *l, const struct tp_stream_conf *c,
		   const char *ip, unsigned port, tp_recv_h *h, void *arg, struct diag *d)
{
	struct tp_sock *s = calloc(1, sizeof(*s));
	struct tp_stream *st = calloc(1, sizeof(*st));
	int err, fd = -1;

	if (!s || !st) {
		free(s);
		free(st);
		return ENOMEM;
	}
	s->proto = c->proto;
	s->loop = l;
	s->h = h;
	s->arg = arg;
	s->fd = -1;
	s->st = st;
	st->conf = *c;
	st->spare_fd = -1;
	lst_init(&st->all);
	lst_init(&st->dirty);
	st->flush.h = flush_dirty;
	st->flush.arg = s;
	err = ENOMEM;
	if ((c->peer_name && !(st->peer_name = strdup(c->peer_name))) ||
	    !(st->ws_path = strdup(c->ws_path ? c->ws_path : "/")))
		goto out;
	if (tp_is_tls(c->proto) && !c->tls) {
		err = diag_set(d, NULL, 0, "%s without TLS settings", tp_proto_name(c->proto));
		goto out;
	}
	err = tp_local_parse(&st->local, ip, port, d);
	if (err)
		goto out;
	fd = new_socket(s);
	if (fd < 0) {
		err = errno;
		diag_set(d, NULL, 0, "cannot create a %s socket: %s", tp_proto_name(c->proto),
			 strerror(err));
		goto out;
	}
	/* SO_REUSEPORT would let a second listener share the port silently:
	 * first make sure nobody holds it */
	if (c->listen && port && (err = port_taken(s, &st->local, d)) != 0)
		goto out;
	err = tp_bind(s, fd, &st->local, c->listen, d);
	if (err)
		goto out;
	if (tp_local_parse(&st->local, s->ip, s->port, d))
		goto out;
	if (!c->listen) {
		st->spare_fd = fd;
		*sp = s;
		return 0;
	}
	if (listen(fd, 1024) < 0 || loop_fd_add(l, fd, LOOP_READ, on_accept, s)) {
		err = errno ? errno : EIO;
		diag_set(d, NULL, 0, "cannot listen on %s %s:%u: %s", tp_proto_name(c->proto),
			 ip, s->port, strerror(err));
		goto out;
	}
	s->fd = fd;
	*sp = s;
	return 0;
out:
	if (fd >= 0)
		close(fd);
	free(st->peer_name);
	free(st->ws_path);
	free(st);
	free(s);
	return err;
}

int tp_stream_pending(const struct tp_sock *s)
{
	const struct lst_node *heads[2] = {&s->st->all, &s->st->dirty}, *n;
	unsigned i;

	for (i = 0; i < 2; i++)
		for (n = heads[i]->next; n != heads[i]; n = n->next)
			if (LST_ENTRY(n, struct tp_conn, le)->tx.len ||
			    LST_ENTRY(n, struct tp_conn, le)->hs.len)
				return 1;
	return 0;
}

void tp_stream_close(struct tp_sock *s)
{
	struct tp_stream *st = s->st;

	if (st->flush.queued)
		loop_run_deferred(s->loop);
	while (!lst_empty(&st->all))
		conn_free(LST_ENTRY(st->all.next, struct tp_conn, le));
	while (!lst_empty(&st->dirty))
		conn_free(LST_ENTRY(st->dirty.next, struct tp_conn, le));
	if (s->fd >= 0) {
		loop_fd_del(s->loop, s->fd);
		close(s->fd);
	}
	if (st->spare_fd >= 0)
		close(st->spare_fd);
	htab_free(&st->conns);
	free(st->peer_name);
	free(st->ws_path);
	free(st);
	free(s);
}
