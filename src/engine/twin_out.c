/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin_out: what a party sends to a 3PCC twin: a <sendCmd>'s message, or
 * the notice that its call failed. A command is SIP-like text (header
 * lines, a Call-ID among them that names the call at the twin) ended by
 * one ESC byte (0x1b), written on the TCP link twin.c opened. */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "engine/internal.h"

#define TWIN_EOC '\x1b'      /* ends a command on the link */

static struct twin_conn *conn_for(struct eng *e, const char *dest)
{
	unsigned i;

	if (!dest || !e->twin.extended)
		return e->twin.link;
	for (i = 0; i < e->twin.npeers; i++)
		if (!strcmp(e->twin.peers[i].name, dest))
			return e->twin.peers[i].out;
	return NULL;
}

/* The whole of buf, waiting (a second at most each time) while the
 * kernel's buffer is full: commands are small and the twin is near. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {fd, POLLOUT, 0};

			if (poll(&p, 1, 1000) <= 0)
				return ETIMEDOUT;
			continue;
		}
		if (n <= 0)
			return n < 0 ? errno : EPIPE;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_text(struct eng *e, struct twin_conn *tc, struct buf *b)
{
	int err;

	if (!tc || tc->fd < 0)
		return ENOTCONN;
	if (e->o.msg_log)
		fprintf(e->o.msg_log, "----------------------------------------------- "
			"3PCC command sent [%zu] bytes:\n\n%.*s\n\n", b->len, (int)b->len, b->data);
	if (buf_add(b, "\x1b", 1))
		return ENOMEM;
	err = write_all(tc->fd, b->data, b->len);
	if (!err)
		e->twin.sent++;
	return err;
}

int ua_send_cmd(struct ua *ua, const struct step *st)
{
	struct eng *e = ua->call->eng;
	int err = rend_tpl(ua, st, st->msg, 0, &e->out);

	return err ? err : send_text(e, conn_for(e, st->name), &e->out);
}

void ua_cmd_abort(struct ua *ua)
{
	struct eng *e = ua->call->eng;

	if (!e->twin.link || e->twin.quiet || !ua->call_id || !ua->pc)
		return;
	buf_reset(&e->scratch);
	if (buf_addf(&e->scratch, "Call-ID: %s\r\ninternal-cmd: abort_call\r\n\r\n",
		       ua->call_id) == 0)
		(void)send_text(e, e->twin.link, &e->scratch);
}
