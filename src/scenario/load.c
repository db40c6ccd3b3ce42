/* SPDX-License-Identifier: GPL-2.0-or-later */
/* load: scenario XML (libxml2) -> struct prog. Checks every element and
 * attribute against SIPp's grammar plus our <ua>/<signal>/<wait>, resolves
 * labels, and reports the first problem as file:line. Actions are in
 * actions.c, templates in compile.c. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "base/buf.h"
#include "scenario/build.h"
#include "scenario/load.h"

/* hide= and hiderest= only shape the scenario screen (report/screen.c) */
#define COMMON "start_rtd", "rtd", "repeat_rtd", "crlf", "next", "test", "chance", \
	"condexec", "condexec_inverse", "counter", "display", "hide", "hiderest"

static const char *const a_send[] = {COMMON, "retrans", "lost", "start_txn", "ack_txn", NULL};
static const char *const a_recv[] = {COMMON, "response", "request", "optional", "ignoresdp",
	"rrs", "auth", "lost", "timeout", "ontimeout", "regexp_match", "response_txn",
	"max_time", "max_time_from", "advance_state", NULL};
static const char *const a_pause[] = {COMMON, "milliseconds", "variable", "distribution",
	"min", "max", "mean", "stdev", "value", "sanity_check", "lambda", "k", "x_m", "shape",
	"scale", "location", "theta", "n", "p", "normal", "exponential", "lognormal", "weibull",
	"pareto", "gamma", NULL};
static const char *const a_nop[] = {COMMON, NULL};
static const char *const a_label[] = {"id", NULL};
static const char *const a_timewait[] = {"milliseconds", "crlf", "display", NULL};
static const char *const a_sendcmd[] = {COMMON, "dest", NULL};
static const char *const a_recvcmd[] = {COMMON, "src", "optional", "timeout", "ontimeout", NULL};
static const char *const a_signal[] = {"name", NULL};
static const char *const a_wait[] = {"for", "timeout", NULL};

static int rtd_index(struct lctx *c, const char *v)
{
	const char *name = scn_x_bool(v) ? "1" : v;
	char **r;
	unsigned i;

	for (i = 0; i < c->p->nrtds; i++)
		if (!strcmp(c->p->rtd_names[i], name))
			return (int)i + 1;
	r = realloc(c->p->rtd_names, (c->p->nrtds + 1) * sizeof(*r));
	if (!r)
		return -1;
	c->p->rtd_names = r;
	r[c->p->nrtds] = scn_strndup(c->p, name, strlen(name));
	if (!r[c->p->nrtds])
		return -1;
	return (int)++c->p->nrtds;
}

/* counter="NAME": SIPp's generic counters, one per name, in the order
 * met; a number N names the column GenericCounterN. */
static int counter_index(struct lctx *c, const char *v)
{
	char name[96], **r;
	unsigned i;

	snprintf(name, sizeof(name), v[strspn(v, "0123456789")] ? "%s" : "GenericCounter%s", v);
	for (i = 0; i < c->p->ncounters; i++)
		if (!strcmp(c->p->counter_names[i], name))
			return (int)i + 1;
	r = realloc(c->p->counter_names, (c->p->ncounters + 1) * sizeof(*r));
	if (!r)
		return -1;
	c->p->counter_names = r;
	r[c->p->ncounters] = scn_strndup(c->p, name, strlen(name));
	if (!r[c->p->ncounters])
		return -1;
	return (int)++c->p->ncounters;
}

/* Remember a label reference (next=, ontimeout=) to resolve at the end. */
static int want_label(struct lctx *c, const struct step *s, int ontimeout, const char *id,
		      int line)
{
	struct lref *r;

	if (c->nrefs == c->caprefs) {
		unsigned n = c->caprefs ? c->caprefs * 2 : 16;

		r = realloc(c->refs, n * sizeof(*r));
		if (!r)
			return ENOMEM;
		c->refs = r;
		c->caprefs = n;
	}
	r = &c->refs[c->nrefs++];
	r->dst_ua = c->cur_ua;
	r->step = s->index;
	r->ontimeout = ontimeout;
	r->id = id;
	r->line = line;
	return 0;
}

/* ---- steps ----------------------------------------------------------- */

static struct step *new_step(struct lctx *c, const xmlNode *n, enum step_kind k)
{
	struct prog_ua *u = &c->p->uas[c->cur_ua];
	struct step *s;

	if (u->nsteps == c->capsteps) {
		unsigned cap = c->capsteps ? c->capsteps * 2 : 16;

		s = realloc(u->steps, cap * sizeof(*s));
		if (!s)
			return NULL;
		u->steps = s;
		c->capsteps = cap;
	}
	s = &u->steps[u->nsteps];
	memset(s, 0, sizeof(*s));
	/* SIPp gives a label no message of its own */
	if (u->nsteps)
		s->msg_index = s[-1].msg_index + (s[-1].kind != STEP_LABEL);
	s->kind = k;
	s->line = scn_x_line(n);
	s->index = u->nsteps++;
	s->next = s->ontimeout = -1;
	s->test = s->pause_var = s->condexec = PROG_NOVAR;
	s->chance_pct = 100;
	return s;
}

/* Attributes every message command shares: next, test, chance, rtd... */
static int common_attrs(struct lctx *c, const xmlNode *n, struct step *s)
{
	const char *v;
	int err = 0;

	if ((v = scn_x_attr(n, "next")) && (err = want_label(c, s, 0, v, scn_x_line(n))))
		return err;
	if ((v = scn_x_attr(n, "test")) &&
	    (s->test = scn_var_ref(c->p, v, strlen(v), scn_x_line(n), 0)) < 0)
		return ENOMEM;
	if ((v = scn_x_attr(n, "chance"))) {
		/* a fraction (0..1) or a percentage (up to 100); out of that
		 * range the conversion to int was undefined (UBSan) */
		char *end;
		double x = strtod(v, &end);

		if (end == v || *end || !(x >= 0 && x <= 100))
			return diag_set(c->d, c->p->file, scn_x_line(n),
					"chance=\"%s\": want a probability from 0 to 1 "
					"(or a percentage up to 100)", v);
		s->chance_pct = (int)(x * (x <= 1 ? 100 : 1));
	}
	if ((v = scn_x_attr(n, "rtd")) && (s->rtd = rtd_index(c, v)) < 0)
		return ENOMEM;
	if ((v = scn_x_attr(n, "start_rtd")) && (s->start_rtd = rtd_index(c, v)) < 0)
		return ENOMEM;
	if ((v = scn_x_attr(n, "counter")) && *v && (s->counter = counter_index(c, v)) < 0)
		return ENOMEM;
	s->repeat_rtd = scn_x_bool(scn_x_attr(n, "repeat_rtd"));
	s->crlf = scn_x_bool(scn_x_attr(n, "crlf"));
	if ((v = scn_x_attr(n, "hiderest")))
		c->hide_rest = scn_x_bool(v);
	v = scn_x_attr(n, "hide");
	s->hide = v ? scn_x_bool(v) : c->hide_rest;
	if ((v = scn_x_attr(n, "condexec")) &&
	    (s->condexec = scn_var_ref(c->p, v, strlen(v), scn_x_line(n), 0)) < 0)
		return ENOMEM;
	s->condexec_inverse = scn_x_bool(scn_x_attr(n, "condexec_inverse"));
	return 0;
}

/* SIPp reads a message's actions from its first child element only,
 * and only when that is an <action>: any other element there (an <ereg>
 * written straight inside <recv>, a second <action>) is never looked at.
 * We ignore them too, with a warning (an error under -strict). */
static int children_actions(struct lctx *c, const xmlNode *n, struct step *s)
{
	const xmlNode *k;
	int first = 1, err;

	for (k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (first && !strcmp((const char *)k->name, "action"))
			err = scn_x_actions(c, k, s);
		else
			err = scn_x_lax(c, scn_x_line(k), "<%s> inside <%s> ignored: SIPp reads "
					"only a first child <action>", (const char *)k->name,
					(const char *)n->name);
		if (err)
			return err;
		first = 0;
	}
	return 0;
}

/* SIPp's start_txn= and ack_txn= of a send: a request (not an ACK)
 * starts the named transaction, an ACK acknowledges one; a response does
 * neither. The transaction's method is kept for response_txn=. */
static int send_txn(struct lctx *c, const xmlNode *n, struct step *s)
{
	const char *st = scn_x_attr(n, "start_txn"), *ack = scn_x_attr(n, "ack_txn");
	int is_ack = s->msg->is_request && !strcmp(s->msg->method, "ACK");

	if ((st || ack) && !s->msg->is_request)
		return diag_set(c->d, c->p->file, s->line, "%s= on a response: only a request "
				"starts or acknowledges a transaction", st ? "start_txn" : "ack_txn");
	if (st && is_ack)
		return diag_set(c->d, c->p->file, s->line, "start_txn= on an ACK: an ACK "
				"starts no transaction");
	if (ack && !is_ack)
		return diag_set(c->d, c->p->file, s->line, "ack_txn= on a %s: only an ACK "
				"acknowledges a transaction", s->msg->method);
	if (!st)
		return 0;
	if (c->ntxns == sizeof(c->txns) / sizeof(c->txns[0]))
		return diag_set(c->d, c->p->file, s->line, "more than 32 transactions");
	c->txns[c->ntxns].name = st;
	c->txns[c->ntxns].method = s->msg->method;
	c->ntxns++;
	return 0;
}

/* response_txn=: the method of the request that started it */
static int recv_txn(struct lctx *c, const xmlNode *n, struct step *s)
{
	const char *t = scn_x_attr(n, "response_txn");
	unsigned i;

	if (!t)
		return 0;
	if (s->request)
		return diag_set(c->d, c->p->file, s->line, "response_txn= on a request: it "
				"only matches responses");
	for (i = c->ntxns; i-- > 0;)
		if (!strcmp(c->txns[i].name, t)) {
			s->txn_method = c->txns[i].method;
			return 0;
		}
	return diag_set(c->d, c->p->file, s->line, "response_txn=\"%s\": no earlier send "
			"has start_txn=\"%s\"", t, t);
}

/* The message of a <send> or <sendCmd>: its CDATA section; plain text
 * only when there is none (white space around a CDATA would shift its
 * line numbers). */
static int message_text(struct lctx *c, const xmlNode *n, struct step *s)
{
	const xmlNode *k, *text = NULL;
	struct buf b;
	int err = 0;

	for (k = n->children; k && !text; k = k->next)
		if (k->type == XML_CDATA_SECTION_NODE)
			text = k;
	buf_init(&b, 1 << 20);
	for (k = text ? text : n->children; k; k = text ? NULL : k->next)
		if (k->type == XML_CDATA_SECTION_NODE || k->type == XML_TEXT_NODE)
			err |= buf_adds(&b, (const char *)k->content);
	if (!err && b.data && strspn(b.data, " \t\r\n") != b.len)
		err = scn_tpl_compile(c->p, &s->msg, b.data, text ? scn_x_line(text) : s->line,
				      1, c->d);
	else if (!err)
		err = diag_set(c->d, c->p->file, s->line, "<%s> without a message",
			       (const char *)n->name);
	buf_free(&b);
	return err;
}

static int el_send(struct lctx *c, const xmlNode *n)
{
	struct step *s = new_step(c, n, STEP_SEND);
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, a_send, 0)) || (err = common_attrs(c, n, s)) ||
	    (err = scn_x_int(c, n, "retrans", &s->retrans_ms)) ||
	    (err = scn_x_int(c, n, "lost", &s->lost_pct)) || (err = children_actions(c, n, s)))
		return err;
	s->start_txn = scn_x_attr(n, "start_txn") != NULL;
	s->txn_send = s->start_txn || scn_x_attr(n, "ack_txn");
	if ((err = message_text(c, n, s)))
		return err;
	if (s->msg->is_request)
		snprintf(s->display, sizeof(s->display), "%s", s->msg->method);
	else
		snprintf(s->display, sizeof(s->display), "%d", s->msg->status);
	return send_txn(c, n, s);
}

static int recv_match(struct lctx *c, const xmlNode *n, struct step *s)
{
	const char *resp = scn_x_attr(n, "response"), *req = scn_x_attr(n, "request");
	int rc;

	if (!!resp == !!req)
		return diag_set(c->d, c->p->file, s->line,
				"<recv> needs exactly one of response= or request=");
	if (req) {
		s->request = scn_strndup(c->p, req, strlen(req));
		snprintf(s->display, sizeof(s->display), "%s", req);
		return s->request ? 0 : ENOMEM;
	}
	snprintf(s->display, sizeof(s->display), "%s", resp);
	if (scn_x_bool(scn_x_attr(n, "regexp_match"))) {
		rc = regcomp(&s->response_re, resp, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char e[128];

			regerror(rc, &s->response_re, e, sizeof(e));
			return diag_set(c->d, c->p->file, s->line,
					"bad regexp in response=\"%s\": %s", resp, e);
		}
		s->response_re_ok = 1;
		return 0;
	}
	return scn_x_int(c, n, "response", &s->response);
}

static int el_recv(struct lctx *c, const xmlNode *n)
{
	struct step *s = new_step(c, n, STEP_RECV);
	const char *v;
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, a_recv, 0)) || (err = recv_match(c, n, s)) ||
	    (err = common_attrs(c, n, s)) || (err = scn_x_int(c, n, "timeout", &s->timeout_ms)) ||
	    (err = scn_x_int(c, n, "max_time", &s->max_time_ms)))
		return err;
	if ((v = scn_x_attr(n, "max_time_from")) != NULL) {
		if (!s->max_time_ms)
			return diag_set(c->d, c->p->file, s->line,
					"max_time_from=\"%s\" without max_time=", v);
		if ((s->max_time_from = rtd_index(c, v)) < 0)
			return ENOMEM;
	}
	v = scn_x_attr(n, "optional");
	s->optional = v && !strcmp(v, "global") ? 2 : scn_x_bool(v);
	s->auth = scn_x_bool(scn_x_attr(n, "auth"));
	s->rrs = scn_x_bool(scn_x_attr(n, "rrs"));
	s->ignoresdp = scn_x_bool(scn_x_attr(n, "ignoresdp"));
	/* SIPp: true by default, false only for an optional message */
	if ((v = scn_x_attr(n, "advance_state")) && !scn_x_bool(v)) {
		if (!s->optional)
			return diag_set(c->d, c->p->file, s->line, "advance_state=\"%s\" on a "
					"message that is not optional", v);
		s->stay = 1;
	}
	if ((v = scn_x_attr(n, "ontimeout")) && (err = want_label(c, s, 1, v, s->line)))
		return err;
	if ((err = recv_txn(c, n, s)))
		return err;
	return children_actions(c, n, s);
}

/* A pause's distribution: fixed and uniform in whole milliseconds, as
 * before; the others drawn per call (PAUSE_DIST). */
static int dist_pause(struct lctx *c, struct step *s)
{
	const double *p = s->pause_dist.p;

	switch (s->pause_dist.kind) {
	case DIST_FIXED:
		s->pause = PAUSE_FIXED;
		if (!(p[0] >= 0 && p[0] <= 0x7fffffff))
			return diag_set(c->d, c->p->file, s->line, "<pause value=\"%g\">: "
					"expected milliseconds from 0 to 2147483647", p[0]);
		s->pause_ms = (int)p[0];
		return 0;
	case DIST_UNIFORM:
		s->pause = PAUSE_UNIFORM;
		if (!(p[0] >= 0 && p[1] <= 0x7fffffff))
			return diag_set(c->d, c->p->file, s->line, "<pause min=\"%g\" max=\"%g\">: "
					"expected milliseconds from 0 to 2147483647", p[0], p[1]);
		s->pause_min_ms = (int)p[0];
		s->pause_max_ms = (int)p[1];
		return 0;
	default:
		s->pause = PAUSE_DIST;
		return 0;
	}
}

static int el_pause(struct lctx *c, const xmlNode *n, enum step_kind k)
{
	struct step *s = new_step(c, n, k);
	const char *v;
	int err, found = 0;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, k == STEP_PAUSE ? a_pause : a_timewait, 0)))
		return err;
	if (k == STEP_PAUSE && (err = common_attrs(c, n, s)))
		return err;
	s->pause = PAUSE_DEFAULT;
	if ((v = scn_x_attr(n, "variable"))) {
		s->pause = PAUSE_VAR;
		if ((s->pause_var = scn_var_ref(c->p, v, strlen(v), s->line, 0)) < 0)
			return ENOMEM;
	} else if ((err = scn_x_dist(c, n, s->line, &s->pause_dist, 1, &found))) {
		return err;
	} else if (found) {
		err = dist_pause(c, s);
	} else if (scn_x_attr(n, "milliseconds") || scn_x_attr(n, "value")) {
		s->pause = PAUSE_FIXED;
		err = scn_x_int(c, n, scn_x_attr(n, "milliseconds") ? "milliseconds" : "value",
			     &s->pause_ms);
	}
	if (err)
		return err;
	if (s->pause == PAUSE_FIXED)
		snprintf(s->display, sizeof(s->display), "%s %dms",
			 k == STEP_PAUSE ? "Pause" : "Timewait", s->pause_ms);
	else
		snprintf(s->display, sizeof(s->display), "%s",
			 k == STEP_PAUSE ? "Pause" : "Timewait");
	return 0;
}

static int el_label(struct lctx *c, const xmlNode *n)
{
	struct step *s = new_step(c, n, STEP_LABEL);
	const char *id = scn_x_attr(n, "id");
	struct lbl *l;
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, a_label, 0)))
		return err;
	if (!id)
		return diag_set(c->d, c->p->file, s->line, "<label> without id=");
	if (c->nlabels == c->caplabels) {
		unsigned cap = c->caplabels ? c->caplabels * 2 : 16;

		l = realloc(c->labels, cap * sizeof(*l));
		if (!l)
			return ENOMEM;
		c->labels = l;
		c->caplabels = cap;
	}
	l = &c->labels[c->nlabels++];
	l->ua = c->cur_ua;
	l->step = s->index;
	l->id = id;
	snprintf(s->display, sizeof(s->display), "label %s", id);
	return 0;
}

static int el_nop(struct lctx *c, const xmlNode *n)
{
	struct step *s = new_step(c, n, STEP_NOP);
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, a_nop, 0)) || (err = common_attrs(c, n, s)))
		return err;
	snprintf(s->display, sizeof(s->display), "[NOP]");
	return children_actions(c, n, s);
}

static int signal_index(struct lctx *c, const char *name)
{
	char **v;
	unsigned i;

	for (i = 0; i < c->p->nsignals; i++)
		if (!strcmp(c->p->signal_names[i], name))
			return (int)i;
	if (c->p->nsignals == 64)
		return -1;
	v = realloc(c->p->signal_names, (c->p->nsignals + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->p->signal_names = v;
	v[c->p->nsignals] = (char *)name;  /* owned by the prog's arena */
	return (int)c->p->nsignals++;
}

static int el_sync(struct lctx *c, const xmlNode *n, enum step_kind k)
{
	struct step *s = new_step(c, n, k);
	const char *v = scn_x_attr(n, k == STEP_SIGNAL ? "name" : "for");
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, k == STEP_SIGNAL ? a_signal : a_wait, 1)))
		return err;
	if (!v)
		return diag_set(c->d, c->p->file, s->line, "<%s> without %s=",
				(const char *)n->name, k == STEP_SIGNAL ? "name" : "for");
	s->name = scn_strndup(c->p, v, strlen(v));
	if (s->name && (s->sig = signal_index(c, s->name)) < 0)
		return diag_set(c->d, c->p->file, s->line, "more than 64 signal names");
	snprintf(s->display, sizeof(s->display), "%s %s",
		 k == STEP_SIGNAL ? "signal" : "wait", v);
	return s->name ? scn_x_int(c, n, "timeout", &s->timeout_ms) : ENOMEM;
}

/* <sendCmd [dest=]> (a message to the 3PCC twin) or <recvCmd [src=]>
 * (wait for one; its actions read the command). */
static int el_cmd(struct lctx *c, const xmlNode *n, int send)
{
	struct step *s = new_step(c, n, send ? STEP_SENDCMD : STEP_RECVCMD);
	const char *v = NULL;
	int err;

	if (!s)
		return ENOMEM;
	if ((err = scn_x_check_attrs(c, n, send ? a_sendcmd : a_recvcmd, 0)) ||
	    (err = common_attrs(c, n, s)))
		return err;
	if (c->p->twin == PROG_TWIN_NONE)
		c->p->twin = send ? PROG_TWIN_SEND_FIRST : PROG_TWIN_RECV_FIRST;
	if ((v = scn_x_attr(n, send ? "dest" : "src")) &&
	    !(s->name = scn_strndup(c->p, v, strlen(v))))
		return ENOMEM;
	snprintf(s->display, sizeof(s->display), "%s%s%s", send ? "sendCmd" : "recvCmd",
		 v ? " " : "", v ? v : "");
	if (send)
		return (err = message_text(c, n, s)) ? err : children_actions(c, n, s);
	if ((err = scn_x_int(c, n, "timeout", &s->timeout_ms)))
		return err;
	v = scn_x_attr(n, "optional");
	s->optional = v && !strcmp(v, "global") ? 2 : scn_x_bool(v);
	if ((v = scn_x_attr(n, "ontimeout")) && (err = want_label(c, s, 1, v, s->line)))
		return err;
	return children_actions(c, n, s);
}

/* One element of a step list (a <scenario>, a <ua> or an <init>). */
int scn_x_step(struct lctx *c, const xmlNode *n, int in_ua)
{
	const char *name = (const char *)n->name;

	if (!strcmp(name, "send"))
		return el_send(c, n);
	if (!strcmp(name, "recv"))
		return el_recv(c, n);
	if (!strcmp(name, "pause"))
		return el_pause(c, n, STEP_PAUSE);
	if (!strcmp(name, "timewait"))
		return el_pause(c, n, STEP_TIMEWAIT);
	if (!strcmp(name, "nop"))
		return el_nop(c, n);
	if (!strcmp(name, "label"))
		return el_label(c, n);
	if (in_ua && !strcmp(name, "signal"))
		return el_sync(c, n, STEP_SIGNAL);
	if (in_ua && !strcmp(name, "wait"))
		return el_sync(c, n, STEP_WAIT);
	if (!strcmp(name, "sendCmd") || !strcmp(name, "recvCmd"))
		return in_ua ? diag_set(c->d, c->p->file, scn_x_line(n), "<%s> inside <ua>: "
					"parties of one scenario talk with <signal>/<wait>",
					name) : el_cmd(c, n, !strcmp(name, "sendCmd"));
	return diag_set(c->d, c->p->file, scn_x_line(n), "unknown element <%s>", name);
}
