/* SPDX-License-Identifier: GPL-2.0-or-later */
/* command: SIPp's command lines, whichever way they come: typed after 'c'
 * on the terminal (console.c), or in a datagram on the UDP control port
 * (-cp, -ci), as SIPp's: a datagram whose first byte is 'c' carries a
 * command line ("cset rate 20"), any other carries a key in its first
 * byte, which goes to eng_key (control.c) as a key pressed would. The
 * port is opt-in (SIPp always opens 8888): bound to -ci, else to the -i
 * address, else to 127.0.0.1. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "engine/internal.h"

/* A number that is the whole of s. */
static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno;
}

/* "true"/"false" (or 1/0) into *b: 0, or -1. */
static int word_bool(const char *w, int *b)
{
	if (!strcmp(w, "true") || !strcmp(w, "1"))
		*b = 1;
	else if (!strcmp(w, "false") || !strcmp(w, "0"))
		*b = 0;
	else
		return -1;
	return 0;
}

static void cmd_set(struct eng *e, const char *what, const char *val, char *out, size_t n)
{
	double v;
	int b;

	if ((!strcmp(what, "hide") || !strcmp(what, "index")) && !word_bool(val, &b)) {
		/* the scenario screen's (console.c draws it) */
		if (!strcmp(what, "hide"))
			e->console.scr.show_hidden = !b;
		else
			e->console.scr.show_index = b;
	} else if (!strcmp(what, "display")) {
		return;  /* SIPp's display switch: the screens are console.c's keys */
	} else if (!number(val, &v) || v < 0 || v > 1e6) {
		snprintf(out, n, "Command \"set %s %s\": not a number", what, val);
		return;
	} else if (!strcmp(what, "rate") || !strcmp(what, "rate-scale")) {
		int rate = !strcmp(what, "rate");

		if (v <= 0 || eng_set_rate(e, rate ? v : 0, rate ? 0 : v)) {
			snprintf(out, n, "Command \"set %s %s\": a number above 0 (and a run with "
				 "a rate) wanted", what, val);
			return;
		}
	} else if (!strcmp(what, "users")) {
		if (!e->o.users) {
			snprintf(out, n, "Command \"set users\": the run has a rate, not -users");
			return;
		}
		e->o.users = v < 1 ? 1 : (unsigned)v;
	} else if (!strcmp(what, "limit")) {
		if (e->o.users) {
			snprintf(out, n, "Command \"set limit\": the run keeps -users calls going");
			return;
		}
		e->o.limit = (unsigned)v;
	} else {
		snprintf(out, n, "Command \"set %s %s\": not known to sipbench (set rate, "
			 "rate-scale, users, limit, hide, index)", what, val);
		return;
	}
	snprintf(out, n, "Command \"set %s %s\" done", what, val);
}

/* dump tasks: the calls in progress, one line each, on stderr. */
static void dump_tasks(struct eng *e)
{
	struct lst_node *c;

	fprintf(stderr, "\r\n%llu calls in progress\r\n", (unsigned long long)e->nactive);
	for (c = e->active.next; c != &e->active; c = c->next) {
		struct call *call = LST_ENTRY(c, struct call, le);

		fprintf(stderr, "call %llu: %s\r\n", (unsigned long long)call->number,
			call->ua[0].call_id ? call->ua[0].call_id : "(no Call-ID yet)");
	}
}

void eng_command_line(struct eng *e, char *line, char *out, size_t n)
{
	char *w[4] = {NULL, NULL, NULL, NULL}, *save = NULL, *t;
	unsigned k = 0;

	out[0] = '\0';
	for (t = strtok_r(line, " \t\r\n", &save); t && k < 4; t = strtok_r(NULL, " \t\r\n", &save))
		w[k++] = t;
	if (!k)
		return;
	if (!strcmp(w[0], "set") && k == 3)
		cmd_set(e, w[1], w[2], out, n);
	else if (!strcmp(w[0], "dump") && k == 2 && !strcmp(w[1], "tasks"))
		dump_tasks(e);
	else if (!strcmp(w[0], "dump") || !strcmp(w[0], "trace") || !strcmp(w[0], "reset"))
		snprintf(out, n, "Command \"%s\": not supported by sipbench", w[0]);
	else
		snprintf(out, n, "Command \"%s\": sipbench knows set rate, set rate-scale, set "
			 "users, set limit, set hide, set index, dump tasks", w[0]);
}

static void on_datagram(int fd, unsigned events, void *arg)
{
	struct eng *e = arg;
	char b[2048], out[160];
	ssize_t n = recv(fd, b, sizeof(b) - 1, 0);

	(void)events;
	if (n <= 0)
		return;
	b[n] = '\0';
	if (b[0] != 'c') {
		(void)eng_key(e, b[0]);
		return;
	}
	eng_command_line(e, b + 1, out, sizeof(out));
	if (out[0])
		fprintf(stderr, "\r\nsipbench: control: %s\r\n", out);
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
