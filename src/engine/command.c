/* SPDX-License-Identifier: GPL-2.0-or-later */
/* command: what a user may tell a run while it goes, whichever way it
 * comes: a key on the terminal (control.c reads them), or a datagram on
 * the UDP control port (-cp, -ci), as SIPp's: a datagram whose first byte
 * is 'c' carries a command line ("set rate 20"), any other carries a key
 * in its first byte. On the terminal, 'c' starts a command line that
 * Enter ends. One handler for both: eng_command_key and
 * eng_command_line. The port is opt-in (SIPp always opens 8888): bound
 * to -ci, else to the -i address, else to 127.0.0.1. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include "engine/internal.h"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("\r\nsipbench: control: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\r\n", stderr);
}

/* Keys, as SIPp's: + and - change the rate by 1, * and / by 10 (times
 * -rate_scale; with -users, the users), p pauses and resumes new calls,
 * q stops gracefully (no new calls; a second q aborts the calls in
 * progress), Q aborts them at once (the default BYE or CANCEL). Screen
 * keys (1-9, s) have nothing to show here and do nothing. */
void eng_command_key(struct eng *e, int key)
{
	double r = e->rate.per_period, s = e->o.rate_scale > 0 ? e->o.rate_scale : 1, d;

	switch (key) {
	case '+': d = s; break;
	case '-': d = -s; break;
	case '*': d = 10 * s; break;
	case '/': d = -10 * s; break;
	case 'p':
		e->paused = !e->paused;
		/* the schedule restarts from the resume: the calls not
		 * started while paused are not owed (no burst) */
		if (!e->paused)
			eng_set_rate(e, e->rate.per_period);
		fprintf(stderr, "\r\n%s\r\n", e->paused ? "paused: no new calls (p resumes)" :
			"resumed");
		return;
	case 'q':
		if (e->stopping) {
			eng_stop_now(e);
			return;
		}
		fprintf(stderr, "\r\nstopping: no new calls; the calls in progress end "
			"(q again aborts them)\r\n");
		e->stop.abort_why = "aborted by q";
		eng_wind_down(e, "q");
		return;
	case 'Q':
		fprintf(stderr, "\r\nQ: aborting the %llu calls in progress\r\n",
			(unsigned long long)e->nactive);
		e->stop.abort_why = "aborted by Q";
		e->stopping = 1;
		eng_stop_now(e);
		return;
	default:
		return;
	}
	if (e->o.users && e->o.unpaced) {
		long long u = (long long)e->o.users + (long long)d;

		e->o.users = u < 1 ? 1 : (unsigned)u;
		return;
	}
	eng_set_rate(e, r + d < 1 ? 1 : r + d);
}

/* A number that is the whole of s. */
static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno;
}

static void cmd_set(struct eng *e, const char *what, const char *val)
{
	double v;

	if (!val) {
		say("set needs a name and a value (set rate 10)");
	} else if (!strcmp(what, "display") || !strcmp(what, "hide")) {
		return;  /* SIPp's screens: nothing to show here */
	} else if (!number(val, &v) || v < 0 || v > 1e6) {
		say("set: not a number: %s", val);
	} else if (!strcmp(what, "rate")) {
		if (e->o.users && e->o.unpaced)
			say("set rate: the run keeps -users calls going, it has no rate");
		else
			eng_set_rate(e, v);
	} else if (!strcmp(what, "rate-scale")) {
		e->o.rate_scale = v;
	} else if (!strcmp(what, "users")) {
		if (!e->o.users)
			say("set users: the run has a rate, not -users");
		else
			e->o.users = v < 1 ? 1 : (unsigned)v;
	} else if (!strcmp(what, "limit")) {
		if (e->o.users)
			say("set limit: the run keeps -users calls going");
		else
			e->o.limit = (unsigned)v;
	} else {
		say("set: unknown name: %s", what);
	}
}

/* dump tasks: the calls in progress, one line each, on stderr. */
static void dump_tasks(struct eng *e)
{
	struct lst_node *n;

	fprintf(stderr, "\r\n%llu calls in progress\r\n", (unsigned long long)e->nactive);
	for (n = e->active.next; n != &e->active; n = n->next) {
		struct call *c = LST_ENTRY(n, struct call, le);

		fprintf(stderr, "call %llu: %s\r\n", (unsigned long long)c->number,
			c->ua[0].call_id ? c->ua[0].call_id : "(no Call-ID yet)");
	}
}

/* A command line: set NAME VALUE (rate, rate-scale, users, limit),
 * dump tasks, and SIPp's others said to be unsupported. */
void eng_command_line(struct eng *e, char *line)
{
	char *w[3] = {NULL, NULL, NULL}, *save = NULL, *t;
	unsigned n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t && n < 3; t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (!n)
		return;
	if (n < 2)
		say("%s needs an argument", w[0]);
	else if (!strcmp(w[0], "set"))
		cmd_set(e, w[1], w[2]);
	else if (!strcmp(w[0], "dump") && !strcmp(w[1], "tasks"))
		dump_tasks(e);
	else if (!strcmp(w[0], "dump") || !strcmp(w[0], "trace") || !strcmp(w[0], "reset"))
		say("%s: not supported by sipbench", w[0]);
	else
		say("unknown command: %s", w[0]);
}

/* Keys on a terminal: each is command.c's, but for 'c', which starts a
 * command line that Enter ends (SIPp's). */
static void on_key(int fd, unsigned events, void *arg)
{
	struct eng *e = arg;
	struct eng_console *con = &e->console;
	char k[16];
	ssize_t n = read(fd, k, sizeof(k)), i;

	(void)events;
	for (i = 0; i < n; i++) {
		if (!con->line_mode) {
			if (k[i] == 'c') {
				con->line_mode = 1;
				con->line_len = 0;
				fputs("\r\ncommand: ", stderr);
			} else {
				eng_command_key(e, k[i]);
			}
			continue;
		}
		if (k[i] == '\n' || k[i] == '\r') {
			con->line[con->line_len] = '\0';
			con->line_mode = 0;
			eng_command_line(e, con->line);
		} else if ((k[i] == 127 || k[i] == '\b') && con->line_len) {
			con->line_len--;
		} else if (con->line_len + 1 < sizeof(con->line)) {
			con->line[con->line_len++] = k[i];
			fputc(k[i], stderr);
		}
	}
}

void eng_command_start(struct eng *e)
{
	struct termios *t, raw;

	if (!e->o.keyboard || e->uas_mode)
		return;
	t = malloc(sizeof(*t));
	if (!t || tcgetattr(STDIN_FILENO, t)) {
		free(t);
		return;
	}
	raw = *t;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) ||
	    loop_fd_add(e->loop, STDIN_FILENO, LOOP_READ, on_key, e)) {
		tcsetattr(STDIN_FILENO, TCSANOW, t);
		free(t);
		return;
	}
	e->console.tty_saved = t;
}

void eng_command_end(struct eng *e)
{
	if (!e->console.tty_saved)
		return;
	loop_fd_del(e->loop, STDIN_FILENO);
	tcsetattr(STDIN_FILENO, TCSANOW, (struct termios *)e->console.tty_saved);
	free(e->console.tty_saved);
	e->console.tty_saved = NULL;
}

static void on_datagram(int fd, unsigned events, void *arg)
{
	struct eng *e = arg;
	char b[2048];
	ssize_t n = recv(fd, b, sizeof(b) - 1, 0);

	(void)events;
	if (n <= 0)
		return;
	b[n] = '\0';
	if (b[0] == 'c')
		eng_command_line(e, b + 1);
	else
		eng_command_key(e, b[0]);
}

int eng_command_open(struct eng *e, struct diag *d)
{
	const char *ip = e->o.ctl_ip ? e->o.ctl_ip : e->o.local_ip ? e->o.local_ip : "127.0.0.1";
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port = e->o.ctl_port ? e->o.ctl_port : 8888;
	int fd, err;

	if (port > 65535)
		return diag_set(d, NULL, 0, "-cp %u: not a port (1-65535)", port);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in6);
	} else {
		return diag_set(d, NULL, 0, "-ci %s: not an IPv4 or IPv6 address", ip);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return diag_set(d, NULL, 0, "control port: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		err = errno;
		close(fd);
		return diag_set(d, NULL, 0, "-cp %u: cannot bind the control port on %s: %s", port,
				ip, strerror(err));
	}
	err = loop_fd_add(e->loop, fd, LOOP_READ, on_datagram, e);
	if (err) {
		close(fd);
		return diag_set(d, NULL, 0, "control port: %s", strerror(err));
	}
	e->console.ctl_fd = fd;
	e->console.ctl_on = 1;
	return 0;
}

void eng_command_close(struct eng *e)
{
	if (!e->console.ctl_on)
		return;
	loop_fd_del(e->loop, e->console.ctl_fd);
	close(e->console.ctl_fd);
	e->console.ctl_on = 0;
}
