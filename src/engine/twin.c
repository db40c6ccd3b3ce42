/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin: the 3PCC twin link, as SIPp's -3pcc and its extended form
 * (-master/-slave with -slave_cfg). Instances of one 3PCC test talk over
 * TCP in commands: SIP-like text ended by an ESC byte, whose Call-ID
 * names the call (twin_out.c writes them).
 *   -3pcc ADDR: a scenario whose first command is <recvCmd> listens on
 *   ADDR and takes one twin; one whose first is <sendCmd> connects to it.
 *   The one connection carries commands both ways.
 *   -master/-slave NAME: every instance listens on its own address of
 *   the -slave_cfg file; the master connects at once to each name its
 *   <sendCmd dest=> give, a slave when its first twin connects. Commands
 *   go out on our connections and come in on the accepted ones; a
 *   <recvCmd src=> checks the command's From line.
 * A command for a party waiting at a <recvCmd> (optional <recv>s and
 * labels before it are passed) runs that step's actions on its text; one
 * naming no call starts a call when the scenario begins with <recvCmd>;
 * "internal-cmd: abort_call" fails the call. Any other command fails its
 * call as unexpected. When a twin closes, the run winds down (SIPp
 * ends then too). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "engine/internal.h"
#include "sip/msg.h"

#define TWIN_MAX_CMD (1 << 20)      /* a command longer than this: link error */
#define CONNECT_TRIES 30            /* 100 ms apart: the twin may start late */
#define LINGER_MS 5000              /* see linger() */

/* The value of header name (len nlen, with its colon) at a line start of
 * txt, white space trimmed; p NULL when absent. */
static struct msg_pl header(const char *txt, const char *name, size_t nlen)
{
	struct msg_pl v = {NULL, 0};
	const char *l = txt;

	while (l && *l) {
		if (!strncasecmp(l, name, nlen)) {
			const char *p = l + nlen, *q;

			p += strspn(p, " \t");
			for (q = p; *q && *q != '\r' && *q != '\n'; q++)
				;
			while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			v.p = p;
			v.len = (size_t)(q - p);
			return v;
		}
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return v;
}

static struct msg_pl cmd_call_id(const char *txt)
{
	struct msg_pl v = header(txt, "Call-ID:", 8);

	return v.p ? v : header(txt, "i:", 2);
}

/* The <recvCmd> a command for ua goes to: the current step or one after
 * optional <recv>s and labels. -1 if none. */
static int recvcmd_step(const struct ua *ua)
{
	unsigned i;

	if (ua->state != UA_ST_RECV)
		return -1;
	for (i = ua->pc; i < ua->pu->nsteps; i++) {
		const struct step *st = &ua->pu->steps[i];

		if (st->kind == STEP_RECVCMD)
			return (int)i;
		if (st->kind != STEP_LABEL && !(st->kind == STEP_RECV && st->optional))
			return -1;
	}
	return -1;
}

/* Extended 3PCC: the command's From names the twin src= expects. */
static int from_ok(const struct eng *e, const struct step *st, const char *txt)
{
	struct msg_pl f;

	if (!e->twin.extended || !st->name)
		return 1;
	f = header(txt, "From:", 5);
	return f.p && f.len == strlen(st->name) && !memcmp(f.p, st->name, f.len);
}

static void deliver(struct ua *ua, char *txt, size_t len)
{
	struct eng *e = ua->call->eng;
	const struct step *st;
	struct msg m;
	enum fail_reason r;
	char what[96];
	int i = recvcmd_step(ua);

	if (i < 0 || !from_ok(e, &ua->pu->steps[i], txt)) {
		unsigned at = ua->pc < ua->pu->nsteps ? ua->pc : 0;

		ua_step_stat(ua, at)->unexpected++;
		snprintf(what, sizeof(what), "3PCC command %swhile at %s",
			 i < 0 ? "" : "from another twin ",
			 ua->pc < ua->pu->nsteps ? ua->pu->steps[ua->pc].display : "end");
		ua_fail(ua, FAIL_UNEXPECTED, what);
		return;
	}
	st = &ua->pu->steps[i];
	tmr_cancel(&ua->tmr);
	ua_step_stat(ua, (unsigned)i)->recv++;
	ua->pc = (unsigned)i;
	/* the actions read the command as a message without a start line */
	memset(&m, 0, sizeof(m));
	m.raw = txt;
	m.len = m.hdr_end = m.body_off = len;
	if (var_run_actions(ua, st, &m, &r)) {
		ua_fail(ua, r, st->display);
		return;
	}
	ua->state = UA_ST_RUN;
	ua_after_recv(ua, st);
	ua_run(ua);
}

/* One whole command (NUL-terminated at len, which may be changed). */
static void on_cmd(struct eng *e, char *txt, size_t len)
{
	struct msg_pl cid, ic;
	struct ua *ua;

	e->twin.received++;
	/* the line ends that carried it are not part of it (as SIPp) */
	while (len >= 2 && txt[len - 2] == '\r' && txt[len - 1] == '\n')
		txt[len -= 2] = '\0';
	if (e->o.msg_log)
		fprintf(e->o.msg_log, "----------------------------------------------- "
			"3PCC command received [%zu] bytes:\n\n%s\n\n", len, txt);
	cid = cmd_call_id(txt);
	if (!cid.p || !cid.len) {
		e->st.malformed++;
		eng_trace_err(e, "3PCC command without a Call-ID ignored: %.60s", txt);
		return;
	}
	ua = eng_cid_find(e, cid.p, cid.len);
	ic = header(txt, "internal-cmd:", 13);
	if (ic.p) {
		if (ua && ic.len == 10 && !memcmp(ic.p, "abort_call", 10)) {
			e->twin.quiet = 1;  /* no abort_call back for this one */
			ua_fail(ua, FAIL_ACTION, "aborted by the 3PCC twin (abort_call)");
			e->twin.quiet = 0;
		}
		return;
	}
	if (!ua && e->p->nuas == 1 && e->p->uas[0].cmd_mode)
		ua = eng_start_cmd_call(e, cid.p, cid.len);
	if (!ua) {
		e->st.stray++;
		eng_trace_err(e, "3PCC command matching no call ignored: %.60s", txt);
		return;
	}
	deliver(ua, txt, len);
}

static void conn_free(struct eng *e, struct twin_conn *tc)
{
	struct twin_conn **pp;
	unsigned i;

	for (pp = &e->twin.conns; *pp; pp = &(*pp)->next)
		if (*pp == tc) {
			*pp = tc->next;
			break;
		}
	if (e->twin.link == tc)
		e->twin.link = NULL;
	for (i = 0; i < e->twin.npeers; i++)
		if (e->twin.peers[i].out == tc)
			e->twin.peers[i].out = NULL;
	if (tc->fd >= 0) {
		loop_fd_del(e->loop, tc->fd);
		close(tc->fd);
	}
	free(tc->buf);
	free(tc);
}

static void on_conn(int fd, unsigned events, void *arg);

static int conn_add(struct eng *e, int fd, struct twin_conn **out)
{
	struct twin_conn *tc = calloc(1, sizeof(*tc));
	int one = 1;

	if (!tc) {
		close(fd);
		return ENOMEM;
	}
	tc->e = e;
	tc->fd = fd;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (loop_fd_add(e->loop, fd, LOOP_READ, on_conn, tc)) {
		tc->fd = -1;
		close(fd);
		free(tc);
		return ENOMEM;
	}
	tc->next = e->twin.conns;
	e->twin.conns = tc;
	*out = tc;
	return 0;
}

static void on_conn(int fd, unsigned events, void *arg)
{
	struct twin_conn *tc = arg;
	struct eng *e = tc->e;
	ssize_t n;
	size_t i, start = 0;

	(void)events;
	if (tc->cap - tc->len < 4096) {
		size_t cap = tc->cap ? tc->cap * 2 : 8192;
		char *b = cap <= TWIN_MAX_CMD ? realloc(tc->buf, cap + 1) : NULL;

		if (!b)
			goto lost;
		tc->buf = b;
		tc->cap = cap;
	}
	n = recv(fd, tc->buf + tc->len, tc->cap - tc->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		goto lost;
	tc->len += (size_t)n;
	for (i = 0; i < tc->len; i++) {
		if (tc->buf[i] != '\x1b')
			continue;
		tc->buf[i] = '\0';
		on_cmd(e, tc->buf + start, i - start);
		start = i + 1;
	}
	memmove(tc->buf, tc->buf + start, tc->len - start);
	tc->len -= start;
	return;
lost:
	eng_trace_err(e, "3PCC twin link closed");
	conn_free(e, tc);
	if (!e->stopping)
		eng_wind_down(e, "3PCC twin");
}

/* A TCP connection to addr (HOST:PORT), tried a few times: the twin may
 * not listen yet. */
static int connect_to(struct eng *e, const char *addr, struct twin_conn **out,
		      struct diag *d)
{
	struct timespec pause = {0, 100 * 1000 * 1000};
	struct tp_addr a;
	int fd = -1, i, err;

	if ((err = tp_addr_parse(&a, addr, 0, d)))
		return err;
	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket(a.ss.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return diag_set(d, NULL, 0, "3PCC: socket: %s", strerror(errno));
		if (connect(fd, &a.ss.sa, a.len) == 0)
			return conn_add(e, fd, out);
		err = errno;
		close(fd);
		if (err != ECONNREFUSED)
			break;
		nanosleep(&pause, NULL);
	}
	return diag_set(d, NULL, 0, "3PCC: cannot connect to the twin at %s: %s", addr,
			strerror(err));
}

static void connect_dests(struct eng *e)
{
	struct diag d;
	unsigned i;

	e->twin.connected = 1;
	for (i = 0; i < e->twin.npeers; i++) {
		struct twin_peer *tp = &e->twin.peers[i];

		if (tp->out || !tp->name[0])
			continue;
		if (connect_to(e, tp->addr, &tp->out, &d))
			eng_trace_err(e, "%s", d.msg);
	}
}

static void on_accept(int lfd, unsigned events, void *arg)
{
	struct eng *e = arg;
	struct twin_conn *tc;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	(void)events;
	if (fd < 0)
		return;
	if (conn_add(e, fd, &tc))
		return;
	if (!e->twin.extended) {
		/* -3pcc: one twin, its connection the link both ways */
		if (!e->twin.link)
			e->twin.link = tc;
		return;
	}
	if (!e->twin.connected)
		connect_dests(e);
}

static int listen_on(struct eng *e, const char *addr, struct diag *d)
{
	struct tp_addr a;
	int one = 1, err;

	if ((err = tp_addr_parse(&a, addr, 0, d)))
		return err;
	e->twin.lfd = socket(a.ss.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (e->twin.lfd < 0)
		return diag_set(d, NULL, 0, "3PCC: socket: %s", strerror(errno));
	(void)setsockopt(e->twin.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(e->twin.lfd, &a.ss.sa, a.len) || listen(e->twin.lfd, 16))
		return diag_set(d, NULL, 0, "3PCC: cannot listen on %s: %s", addr,
				strerror(errno));
	if (loop_fd_add(e->loop, e->twin.lfd, LOOP_READ, on_accept, e))
		return ENOMEM;
	return 0;
}

/* -slave_cfg: "NAME;HOST:PORT" lines. Only the names the scenario sends
 * to are connected; ours is where we listen. */
static int read_cfg(struct eng *e, const char *self, const char **own, struct diag *d)
{
	FILE *f = fopen(e->o.twin_cfg, "r");
	char line[512];
	unsigned ln = 0;

	if (!f)
		return diag_set(d, e->o.twin_cfg, 0, "cannot open: %s", strerror(errno));
	*own = NULL;
	while (fgets(line, sizeof(line), f)) {
		char *semi = strchr(line, ';'), *end;
		struct twin_peer *p;

		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (!semi || semi == line || !semi[1]) {
			fclose(f);
			return diag_set(d, e->o.twin_cfg, (int)ln, "want NAME;HOST:PORT");
		}
		*semi = '\0';
		if ((end = strchr(semi + 1, ';')))
			*end = '\0';
		p = realloc(e->twin.peers, (e->twin.npeers + 1) * sizeof(*p));
		if (!p) {
			fclose(f);
			return ENOMEM;
		}
		e->twin.peers = p;
		p += e->twin.npeers++;
		p->name = strdup(line);
		p->addr = strdup(semi + 1);
		p->out = NULL;
		if (!p->name || !p->addr) {
			fclose(f);
			return ENOMEM;
		}
	}
	fclose(f);
	for (ln = 0; ln < e->twin.npeers; ln++)
		if (!strcmp(e->twin.peers[ln].name, self))
			*own = e->twin.peers[ln].addr;
	return *own ? 0 : diag_set(d, e->o.twin_cfg, 0, "no line for '%s'", self);
}

/* Extended mode: keep only the names some <sendCmd dest=> gives (an
 * empty name is never connected); say which dest= is not in the file. */
static int mark_dests(struct eng *e, struct diag *d)
{
	const struct prog_ua *pu = &e->p->uas[0];
	unsigned i, j;
	int *used = calloc(e->twin.npeers + 1, sizeof(*used));

	if (!used)
		return ENOMEM;
	for (i = 0; i < pu->nsteps; i++) {
		const struct step *st = &pu->steps[i];

		if (st->kind != STEP_SENDCMD && st->kind != STEP_RECVCMD)
			continue;
		if (!st->name) {
			free(used);
			return diag_set(d, e->p->file, st->line, "<%s> needs %s= with "
					"-master/-slave (extended 3PCC)",
					st->kind == STEP_SENDCMD ? "sendCmd" : "recvCmd",
					st->kind == STEP_SENDCMD ? "dest" : "src");
		}
		for (j = 0; j < e->twin.npeers; j++)
			if (!strcmp(e->twin.peers[j].name, st->name))
				break;
		if (j == e->twin.npeers) {
			free(used);
			return diag_set(d, e->p->file, st->line, "'%s' is not in -slave_cfg %s",
					st->name, e->o.twin_cfg);
		}
		used[j] |= st->kind == STEP_SENDCMD;
	}
	for (j = 0; j < e->twin.npeers; j++)
		if (!used[j])
			e->twin.peers[j].name[0] = '\0';
	free(used);
	return 0;
}

int eng_twin_open(struct eng *e, struct diag *d)
{
	const char *self = e->o.twin_master ? e->o.twin_master : e->o.twin_slave, *own;
	int err;

	e->twin.lfd = -1;
	if (e->p->twin == PROG_TWIN_NONE) {
		if (e->o.twin || self)
			return diag_set(d, NULL, 0, "-3pcc, -master, -slave: the scenario has "
					"no <sendCmd> or <recvCmd>");
		return 0;
	}
	if (e->p->nuas > 1)
		return diag_set(d, NULL, 0, "3PCC: <sendCmd>/<recvCmd> need a scenario "
				"of one party");
	if (!self) {
		if (!e->o.twin)
			return diag_set(d, e->p->file, 0, "<sendCmd>/<recvCmd> without a twin: "
					"give -3pcc HOST:PORT (or -master/-slave)");
		if (e->p->twin == PROG_TWIN_RECV_FIRST)
			return listen_on(e, e->o.twin, d);
		return connect_to(e, e->o.twin, &e->twin.link, d);
	}
	if (e->o.twin_master && e->o.twin_slave)
		return diag_set(d, NULL, 0, "-master and -slave: one or the other");
	if (!e->o.twin_cfg)
		return diag_set(d, NULL, 0, "-master/-slave need -slave_cfg FILE");
	if (e->o.twin_slave && e->p->twin == PROG_TWIN_SEND_FIRST)
		return diag_set(d, e->p->file, 0, "-slave: a slave's scenario must "
				"<recvCmd> before it <sendCmd>s");
	e->twin.extended = 1;
	if ((err = read_cfg(e, self, &own, d)) || (err = mark_dests(e, d)) ||
	    (err = listen_on(e, own, d)))
		return err;
	if (e->o.twin_master)
		connect_dests(e);
	return 0;
}

/* The side that listens (a C-B, a slave) leaves last: it waits, LINGER_MS
 * at most, for its twins to close their links first (not after a stop
 * signal). SIPp 3.6.1's master
 * can abort (an assertion in its poll loop) when a slave's two links
 * close while it still runs. */
static void linger(struct eng *e)
{
	struct pollfd pf[16];
	struct twin_conn *tc;
	uint64_t end = loop_now_ms(e->loop) + LINGER_MS;
	nfds_t n = 0, i;
	char junk[512];

	for (tc = e->twin.conns; tc && n < 16; tc = tc->next)
		pf[n++] = (struct pollfd){tc->fd, POLLIN, 0};
	while (n) {
		loop_update_time(e->loop);
		if (loop_now_ms(e->loop) >= end ||
		    poll(pf, n, (int)(end - loop_now_ms(e->loop))) <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (!pf[i].revents || recv(pf[i].fd, junk, sizeof(junk), 0) > 0)
				continue;
			pf[i--] = pf[--n];  /* closed (or failed): done with it */
		}
	}
}

void eng_twin_close(struct eng *e)
{
	unsigned i;

	if (e->p && e->p->twin == PROG_TWIN_RECV_FIRST && e->twin.conns && !e->signals)
		linger(e);
	while (e->twin.conns) {
		int more = e->twin.conns->next != NULL;

		conn_free(e, e->twin.conns);
		/* SIPp 3.6.1 (extended 3PCC) closes all its twin sockets on
		 * the first that ends, and aborts if another ended in the same
		 * poll: it sees our links end one at a time */
		if (more && e->twin.extended)
			nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	if (e->twin.lfd >= 0) {
		loop_fd_del(e->loop, e->twin.lfd);
		close(e->twin.lfd);
	}
	e->twin.lfd = -1;
	for (i = 0; i < e->twin.npeers; i++) {
		free(e->twin.peers[i].name);
		free(e->twin.peers[i].addr);
	}
	free(e->twin.peers);
	e->twin.peers = NULL;
	e->twin.npeers = 0;
}
