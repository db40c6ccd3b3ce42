/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vars: the <action> interpreter (ereg, assignments, arithmetic, test,
 * strcmp, jump, log, exec...) on a party's variables (values: val.c). */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>
#include "engine/internal.h"
#include "sip/auth.h"
#include "sip/msg.h"

static const struct var_val *var_get(struct ua *ua, int idx)
{
	const struct var_val *v = &ua->vars[idx];
	struct eng *e = ua->call->eng;

	if (v->kind == VAL_UNSET && e->globals)
		v = &e->globals[idx];
	return v;
}

static double var_num(struct ua *ua, int idx)
{
	const struct var_val *v = var_get(ua, idx);

	if (v->kind == VAL_STR)
		return strtod(v->s, NULL);
	return v->d;
}

/* The text an ereg searches, per search_in. */
static int ereg_subject(struct ua *ua, const struct action *a, const struct msg *m,
			struct buf *tmp, const char **subj)
{
	switch (a->search) {
	case SEARCH_MSG:
		*subj = m ? m->raw : "";
		return 0;
	case SEARCH_BODY:
		*subj = m ? m->raw + m->body_off : "";
		return 0;
	case SEARCH_HDR:
		buf_reset(tmp);
		if (m) {
			/* as SIPp: what follows the header's name, colon
			 * included, to the end of its line */
			struct msg_pl h = msg_hdr_after_name(m, a->header, strlen(a->header),
								a->occurrence);

			if (!h.p) {
				*subj = NULL;  /* no such header */
				return 0;
			}
			if (h.len && buf_add(tmp, h.p, h.len))
				return ENOMEM;
		}
		*subj = tmp->data ? tmp->data : "";
		return 0;
	case SEARCH_VAR: {
		const struct var_val *v = var_get(ua, a->var2);

		buf_reset(tmp);
		if (var_append(v, tmp))
			return ENOMEM;
		*subj = tmp->data ? tmp->data : "";
		return 0;
	}
	}
	return EINVAL;
}

static int act_ereg(struct ua *ua, const struct action *a, const struct msg *m,
		    enum fail_reason *r)
{
	struct buf *tmp = &ua->call->eng->scratch;
	regmatch_t pm[10];
	const char *subj;
	unsigned i;
	int ok;

	if (ereg_subject(ua, a, m, tmp, &subj))
		goto oom;
	if (!subj && a->check_it) {
		/* SIPp fails the call when the header is missing, whatever
		 * the regexp would match in nothing */
		*r = FAIL_REGEXP;
		eng_trace_err(ua->call->eng, "call %s: regexp at line %d: no %s header",
			      ua->call_id, a->line, a->header);
		return -1;
	}
	if (!subj)
		subj = "";
	ok = regexec(&a->re, subj, 10, pm, 0) == 0;
	if ((a->check_it && !ok) || (a->check_it_inverse && ok)) {
		*r = FAIL_REGEXP;
		ua->call->eng->st.regexp_inverse += ok;  /* SIPp tells them apart */
		eng_trace_err(ua->call->eng, "call %s: regexp at line %d %s",
			      ua->call_id, a->line, ok ? "matched" : "did not match");
		return -1;
	}
	for (i = 0; i < a->nvars && i < 10; i++) {
		struct var_val *v = &ua->vars[a->vars[i]];

		if (!ok || pm[i].rm_so < 0) {
			var_clear(v);
			continue;
		}
		if (var_set_str(v, subj + pm[i].rm_so, (size_t)(pm[i].rm_eo - pm[i].rm_so)))
			goto oom;
	}
	return 0;
oom:
	*r = FAIL_INTERNAL;
	return -1;
}

static int compare(double a, double b, enum cmp_op op)
{
	switch (op) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_GT: return a > b;
	case CMP_LT: return a < b;
	case CMP_GE: return a >= b;
	case CMP_LE: return a <= b;
	}
	return 0;
}

static double operand(struct ua *ua, const struct action *a)
{
	return a->var3 != PROG_NOVAR ? var_num(ua, a->var3) :
	       a->var2 != PROG_NOVAR && !a->has_dval ? var_num(ua, a->var2) : a->dval;
}

static int act_arith(struct ua *ua, const struct action *a)
{
	struct var_val *v = &ua->vars[a->var];
	double x = v->kind == VAL_UNSET ? 0 : var_num(ua, a->var), y = operand(ua, a);

	switch (a->kind) {
	case ACT_ASSIGN: x = y; break;
	case ACT_ADD: x += y; break;
	case ACT_SUBTRACT: x -= y; break;
	case ACT_MULTIPLY: x *= y; break;
	case ACT_DIVIDE: x = y != 0 ? x / y : 0; break;
	default: break;
	}
	var_set_dbl(v, x);
	return 0;
}

static int act_strcmp(struct ua *ua, const struct action *a, struct buf *tmp)
{
	struct buf other;
	int res, err = 0;

	buf_init(&other, 1 << 16);
	buf_reset(tmp);
	err |= var_append(var_get(ua, a->var2), tmp);
	if (a->var3 != PROG_NOVAR)
		err |= var_append(var_get(ua, a->var3), &other);
	else if (a->value)
		err |= rend_tpl(ua, NULL, a->value, 0, &other);
	res = strcmp(tmp->data ? tmp->data : "", other.data ? other.data : "");
	buf_free(&other);
	var_set_dbl(&ua->vars[a->var], res);
	return err ? ENOMEM : 0;
}

/* <exec command=>: a shell command, as SIPp's, in a child process the
 * loop does not wait for (engine.c reaps it), so a slow command does not
 * hold the calls up. The child gets default signal handling and an
 * empty mask; our descriptors are all close-on-exec. */
static void run_command(struct eng *e, const char *cmd)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	posix_spawnattr_t at;
	sigset_t none, dflt;
	pid_t pid;
	int err;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGCHLD);
	if (posix_spawnattr_init(&at)) {
		eng_trace_err(e, "exec failed: %s: out of memory", cmd);
		return;
	}
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	err = posix_spawn(&pid, "/bin/sh", NULL, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	if (err)
		eng_trace_err(e, "exec failed: %s: %s", cmd, strerror(err));
	else
		e->children++;
}

static int act_text(struct ua *ua, const struct action *a, struct buf *tmp)
{
	struct eng *e = ua->call->eng;
	int err = rend_tpl(ua, NULL, a->value, 0, tmp);

	if (err)
		return err;
	switch (a->kind) {
	case ACT_ASSIGNSTR:
		return var_set_str(&ua->vars[a->var], tmp->data, tmp->len);
	case ACT_LOG:
		/* -trace_logs' file; without it the message log, as before */
		if (e->o.act_log || e->o.msg_log)
			fprintf(e->o.act_log ? e->o.act_log : e->o.msg_log, "%s\n", tmp->data);
		return 0;
	case ACT_WARNING:
		fprintf(stderr, "sipbench: warning: %s\n", tmp->data);
		return 0;
	case ACT_ERROR:
		eng_trace_err(e, "call %s: %s", ua->call_id, tmp->data);
		return 0;
	case ACT_EXEC:
		run_command(e, tmp->data);
		return 0;
	default:
		return 0;
	}
}

/* <setdest host= port= protocol=>: the party's messages go to host:port
 * from now on (SIPp's; the Request-URIs stay as the scenario writes
 * them). The protocol must be the run's transport: SIPp cannot switch
 * either. */
static int act_setdest(struct ua *ua, const struct action *a, struct buf *tmp,
		       enum fail_reason *r)
{
	struct eng *e = ua->call->eng;
	char host[256], what[640];
	unsigned long port;
	struct tp_addr to;
	struct diag d = {0};
	const char *proto = tp_proto_param(tp_sock_proto(ua->sock));

	if (rend_tpl(ua, NULL, a->value3, 0, tmp))
		goto oom;
	if (strcasecmp(tmp->data ? tmp->data : "", proto)) {
		snprintf(what, sizeof(what), "<setdest protocol=\"%s\">: the run's transport is %s",
			 tmp->data ? tmp->data : "", proto);
		goto fail;
	}
	if (rend_tpl(ua, NULL, a->value2, 0, tmp))
		goto oom;
	port = strtoul(tmp->data ? tmp->data : "", NULL, 10);
	if (rend_tpl(ua, NULL, a->value, 0, tmp))
		goto oom;
	snprintf(host, sizeof(host), strchr(tmp->data ? tmp->data : "", ':') ? "[%s]" : "%s",
		 tmp->data ? tmp->data : "");
	if (!port || port > 65535 || tp_addr_parse(&to, host, (unsigned)port, &d)) {
		snprintf(what, sizeof(what), "<setdest>: cannot send to %s port %lu%s%s", host,
			 port, d.msg[0] ? ": " : "", d.msg);
		goto fail;
	}
	ua->remote = to;
	return 0;
oom:
	*r = FAIL_INTERNAL;
	return -1;
fail:
	eng_trace_err(e, "call %s: %s", ua->call_id, what);
	*r = FAIL_ACTION;
	return -1;
}

static void act_gettimeofday(struct ua *ua, const struct action *a)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	if (a->nvars > 0)
		var_set_dbl(&ua->vars[a->vars[0]], (double)tv.tv_sec);
	if (a->nvars > 1)
		var_set_dbl(&ua->vars[a->vars[1]], (double)tv.tv_usec);
}

static int act_verifyauth(struct ua *ua, const struct action *a, const struct msg *m,
			  enum fail_reason *r)
{
	struct buf user, pass;
	int err, ok = 0;

	buf_init(&user, 1024);
	buf_init(&pass, 1024);
	err = rend_tpl(ua, NULL, a->value, 0, &user);
	if (!err)
		err = rend_tpl(ua, NULL, a->value2, 0, &pass);
	if (!err && m)
		ok = auth_verify(m, user.data, pass.data);
	buf_free(&user);
	buf_free(&pass);
	if (err) {
		*r = FAIL_INTERNAL;
		return -1;
	}
	var_set_bool(&ua->vars[a->var], ok);
	return 0;
}

/* <lookup assign_to= file= key=>: the row of the -infindex file whose
 * indexed field is key, or -1 (SIPp's); without -infindex, -1 (SIPp
 * stops the run; the loader warned, -strict refused). */
static int act_lookup(struct ua *ua, const struct action *a, struct buf *tmp,
		      enum fail_reason *r)
{
	struct eng *e = ua->call->eng;
	int ok;

	if (rend_tpl(ua, NULL, a->value, 0, tmp))
		goto oom;
	if (!e->o.infindex_file) {  /* the loader warned */
		var_set_dbl(&ua->vars[a->var], -1);
		return 0;
	}
	ok = tmp->data && inj_names(e->o.inf, tmp->data);
	if (!ok) {
		eng_trace_err(e, "call %s: <lookup file=\"%s\">: not the -infindex file",
			      ua->call_id, tmp->data ? tmp->data : "");
		*r = FAIL_ACTION;
		return -1;
	}
	if (rend_tpl(ua, NULL, a->value2, 0, tmp))
		goto oom;
	var_set_dbl(&ua->vars[a->var], (double)inj_lookup(&e->inj, tmp->data ? tmp->data : "",
							   tmp->len));
	return 0;
oom:
	*r = FAIL_INTERNAL;
	return -1;
}

/* SIPp's message index (labels have none) -> the step; beyond the last
 * one, the end of the call */
static int step_of_msg(const struct prog_ua *pu, unsigned mi)
{
	unsigned i;

	for (i = 0; i < pu->nsteps; i++)
		if (pu->steps[i].msg_index >= mi)
			return (int)i;
	return pu->nsteps < INT_MAX ? (int)pu->nsteps : INT_MAX;
}

/* <urlencode> (RFC 3986's unreserved characters kept, as SIPp) and
 * <urldecode> ('+' as a space) of in, into out */
static int url_code(enum act_kind k, const char *p, const char *end, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	int err = 0;

	for (; p < end && !err; p++) {
		unsigned char ch = (unsigned char)*p;
		char c[3];

		if (k == ACT_URLDECODE) {
			if (ch == '%' && end - p >= 3 && isxdigit((unsigned char)p[1]) &&
			    isxdigit((unsigned char)p[2])) {
				char h[3] = {p[1], p[2], 0};

				c[0] = (char)strtol(h, NULL, 16);
				p += 2;
			} else {
				c[0] = ch == '+' ? ' ' : (char)ch;
			}
			err = buf_add(out, c, 1);
		} else if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			err = buf_add(out, p, 1);
		} else {
			c[0] = '%';
			c[1] = hex[ch >> 4];
			c[2] = hex[ch & 15];
			err = buf_add(out, c, 3);
		}
	}
	return err;
}

/* <trim>, <urlencode>, <urldecode>: the variable's text, changed in place */
static int act_text_op(struct ua *ua, const struct action *a, struct buf *tmp)
{
	struct var_val *v = &ua->vars[a->var];
	const char *p, *end;
	struct buf out;
	int err;

	buf_reset(tmp);
	if (var_append(var_get(ua, a->var), tmp))
		return ENOMEM;
	p = tmp->data ? tmp->data : "";
	end = p + tmp->len;
	if (a->kind == ACT_TRIM) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		return var_set_str(v, p, (size_t)(end - p));
	}
	buf_init(&out, 256);
	err = url_code(a->kind, p, end, &out);
	if (!err)
		err = var_set_str(v, out.data ? out.data : "", out.len);
	buf_free(&out);
	return err;
}

static int run_one(struct ua *ua, const struct step *st, const struct action *a,
		   const struct msg *m, enum fail_reason *r)
{
	struct buf *tmp = &ua->call->eng->scratch;

	switch (a->kind) {
	case ACT_EREG:
		return act_ereg(ua, a, m, r);
	case ACT_ASSIGN: case ACT_ADD: case ACT_SUBTRACT:
	case ACT_MULTIPLY: case ACT_DIVIDE:
		return act_arith(ua, a);
	case ACT_TODOUBLE:
		var_set_dbl(&ua->vars[a->var], var_num(ua, a->var2));
		return 0;
	case ACT_TEST:
		var_set_bool(&ua->vars[a->var],
			     compare(var_num(ua, a->var2), operand(ua, a), a->cmp));
		return 0;
	case ACT_STRCMP:
		return act_strcmp(ua, a, tmp) ? (*r = FAIL_INTERNAL, -1) : 0;
	case ACT_JUMP: {
		double to = a->var2 != PROG_NOVAR ? var_num(ua, a->var2) : a->dval;

		/* past the last step ends the call; beyond int's range (or NaN)
		 * the conversion was undefined (UBSan): clamp, NaN jumps nowhere */
		ua->jump_to = to >= 0 ? step_of_msg(ua->pu, to < INT_MAX ? (unsigned)to : INT_MAX) :
			      -1;
		return 0;
	}
	case ACT_SETDEST:
		return act_setdest(ua, a, tmp, r);
	case ACT_GETTIMEOFDAY:
		act_gettimeofday(ua, a);
		return 0;
	case ACT_EXEC:
		if (!a->value)
			return eng_media_exec(ua, a, r);  /* play_pcap_*, rtp_echo */
		/* fall through */
	case ACT_ASSIGNSTR: case ACT_LOG: case ACT_WARNING: case ACT_ERROR:
		if (act_text(ua, a, tmp)) {
			*r = FAIL_INTERNAL;
			return -1;
		}
		if (a->kind == ACT_ERROR) {
			*r = FAIL_ACTION;
			return -1;
		}
		return 0;
	case ACT_VERIFYAUTH:
		return act_verifyauth(ua, a, m, r);
	case ACT_LOOKUP:
		return act_lookup(ua, a, tmp, r);
	case ACT_SAMPLE:
		var_set_dbl(&ua->vars[a->var], rnd_sample(&a->dist));
		return 0;
	case ACT_INDEX:
		var_set_dbl(&ua->vars[a->var], (double)st->msg_index);
		return 0;
	case ACT_TRIM: case ACT_URLENCODE: case ACT_URLDECODE:
		return act_text_op(ua, a, tmp) ? (*r = FAIL_INTERNAL, -1) : 0;
	default:
		return 0;  /* the ACT_IGNORED ones */
	}
}

int var_run_actions(struct ua *ua, const struct step *st, const struct msg *m,
		    enum fail_reason *r)
{
	unsigned i;

	for (i = 0; i < st->nacts; i++)
		if (run_one(ua, st, &st->acts[i], m, r))
			return -1;
	return 0;
}
