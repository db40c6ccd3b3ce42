/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actions: the children of <action> -> struct action, with their
 * attributes checked and their regexps and texts compiled once. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/build.h"
#include "scenario/load.h"

struct act_def {
	const char *name;
	enum act_kind kind;
	const char *const *attrs;
};

static const char *const a_ereg[] = {"regexp", "search_in", "header", "case_indep",
	"occurrence", "occurence", "start_line", "check_it", "check_it_inverse", "assign_to",
	"variable", NULL};
static const char *const a_value[] = {"assign_to", "value", "variable", NULL};
static const char *const a_todouble[] = {"assign_to", "variable", NULL};
static const char *const a_test[] = {"assign_to", "variable", "compare", "value",
	"variable2", NULL};
static const char *const a_jump[] = {"value", "variable", NULL};
static const char *const a_msg[] = {"message", NULL};
static const char *const a_tod[] = {"assign_to", NULL};
static const char *const a_exec[] = {"command", "int_cmd", "play_pcap_audio",
	"play_pcap_video", "play_pcap_image", "play_dtmf", "rtp_stream", "rtp_echo", "srtp_check",
	NULL};
static const char *const a_setdest[] = {"host", "port", "protocol", NULL};
static const char *const a_verify[] = {"assign_to", "username", "password", NULL};
static const char *const a_rtp_echo[] = {"value", NULL};
static const char *const a_lookup[] = {"assign_to", "file", "key", NULL};
static const char *const a_sample[] = {"assign_to", "distribution", "value", "min", "max",
	"mean", "stdev", "lambda", "k", "x_m", "shape", "scale", "location", "theta", "n", "p",
	NULL};
static const char *const a_assign_to[] = {"assign_to", NULL};
static const char *const a_variable[] = {"variable", NULL};
static const char *const a_none[] = {NULL};
static const char *const a_insert[] = {"file", "value", NULL};
static const char *const a_replace[] = {"file", "line", "value", NULL};

static const struct act_def defs[] = {
	{"ereg", ACT_EREG, a_ereg},
	{"assignstr", ACT_ASSIGNSTR, a_value},
	{"assign", ACT_ASSIGN, a_value},
	{"add", ACT_ADD, a_value},
	{"subtract", ACT_SUBTRACT, a_value},
	{"multiply", ACT_MULTIPLY, a_value},
	{"divide", ACT_DIVIDE, a_value},
	{"todouble", ACT_TODOUBLE, a_todouble},
	{"test", ACT_TEST, a_test},
	{"strcmp", ACT_STRCMP, a_test},
	{"jump", ACT_JUMP, a_jump},
	{"log", ACT_LOG, a_msg},
	{"warning", ACT_WARNING, a_msg},
	{"error", ACT_ERROR, a_msg},
	{"gettimeofday", ACT_GETTIMEOFDAY, a_tod},
	{"exec", ACT_EXEC, a_exec},
	{"setdest", ACT_SETDEST, a_setdest},
	{"verifyauth", ACT_VERIFYAUTH, a_verify},
	{"rtp_echo", ACT_EXEC, a_rtp_echo},
	{"lookup", ACT_LOOKUP, a_lookup},
	{"sample", ACT_SAMPLE, a_sample},
	{"trim", ACT_TRIM, a_assign_to},
	{"urlencode", ACT_URLENCODE, a_variable},
	{"urldecode", ACT_URLDECODE, a_variable},
	{"index", ACT_INDEX, a_assign_to},
	{"closecon", ACT_IGNORED, a_none},
	{"pauserestore", ACT_IGNORED, a_value},
	{"insert", ACT_IGNORED, a_insert},
	{"replace", ACT_IGNORED, a_replace},
};

static int var_of(struct lctx *c, const char *name, int line, int write, int *out)
{
	int v = scn_var_ref(c->p, name, strlen(name), line, write);

	if (v < 0)
		return ENOMEM;
	*out = v;
	return 0;
}

/* assign_to="a,b,c": every name is written. */
static int assign_list(struct lctx *c, struct action *a, const char *list, int line)
{
	const char *p = list;
	unsigned n = 1, i = 0;

	for (; *p; p++)
		n += *p == ',';
	a->vars = scn_zalloc(c->p, n * sizeof(*a->vars));
	if (!a->vars)
		return ENOMEM;
	for (p = list; i < n; i++) {
		size_t l = strcspn(p, ",");
		int v;

		while (l && *p == ' ') {
			p++;
			l--;
		}
		while (l && p[l - 1] == ' ')
			l--;
		v = scn_var_ref(c->p, p, l, line, 1);
		if (v < 0)
			return ENOMEM;
		a->vars[i] = v;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	a->nvars = n;
	a->var = a->vars[0];
	return 0;
}

static int ereg(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *re = scn_x_attr(n, "regexp"), *in = scn_x_attr(n, "search_in");
	int rc, flags = REG_EXTENDED;

	if (!re)
		return diag_set(c->d, c->p->file, a->line, "<ereg> without regexp=");
	a->search = !in || !strcmp(in, "msg") ? SEARCH_MSG : !strcmp(in, "hdr") ? SEARCH_HDR :
		    !strcmp(in, "body") ? SEARCH_BODY : !strcmp(in, "var") ? SEARCH_VAR : -1;
	if ((int)a->search < 0)
		return diag_set(c->d, c->p->file, a->line,
				"<ereg search_in=\"%s\">: expected msg, hdr, body or var", in);
	if (a->search == SEARCH_HDR) {
		const char *h = scn_x_attr(n, "header");
		size_t l;
		int colon;

		if (!h)
			return diag_set(c->d, c->p->file, a->line,
					"<ereg search_in=\"hdr\"> without header=");
		while (*h == ' ')
			h++;
		/* "To:" keeps its colon: SIPp then searches the text after
		 * it, and after the name ("To") otherwise (msg_hdr_after_name) */
		l = strcspn(h, ":");
		colon = h[l] == ':';
		while (l && h[l - 1] == ' ')
			l--;
		if (!(a->header = scn_strndup(c->p, h, l + colon)))
			return ENOMEM;
		if (colon)
			((char *)a->header)[l] = ':';
	}
	/* SIPp reads occurrence= or its own spelling occurence=: the nth
	 * header of that name (a whole message or body: the first match) */
	if (!(in = scn_x_attr(n, "occurrence")))
		in = scn_x_attr(n, "occurence");
	a->occurrence = 1;
	if (in) {
		char *end;
		long k = strtol(in, &end, 10);

		if (end == in || *end || k < 1 || k > 1000000)
			return diag_set(c->d, c->p->file, a->line, "<ereg occurrence=\"%s\">: "
					"expected a whole number from 1", in);
		a->occurrence = (unsigned)k;
		if (k > 1 && a->search != SEARCH_HDR &&
		    (rc = scn_x_lax(c, a->line, "<ereg occurrence=\"%s\"> counts headers: "
				    "without search_in=\"hdr\" the first match is used", in)))
			return rc;
	}
	a->check_it = scn_x_bool(scn_x_attr(n, "check_it"));
	a->check_it_inverse = scn_x_bool(scn_x_attr(n, "check_it_inverse"));
	a->case_indep = scn_x_bool(scn_x_attr(n, "case_indep"));
	if (a->case_indep)
		flags |= REG_ICASE;
	rc = regcomp(&a->re, re, flags);
	if (rc) {
		char e[128];

		regerror(rc, &a->re, e, sizeof(e));
		return diag_set(c->d, c->p->file, a->line, "bad regexp \"%s\": %s", re, e);
	}
	a->re_ok = 1;
	return 0;
}

static int cmp_op(struct lctx *c, const char *v, struct action *a)
{
	static const struct { const char *name; enum cmp_op op; } ops[] = {
		{"equal", CMP_EQ}, {"not_equal", CMP_NE}, {"greater_than", CMP_GT},
		{"less_than", CMP_LT}, {"greater_than_equal", CMP_GE},
		{"less_than_equal", CMP_LE},
	};
	unsigned i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (v && !strcmp(v, ops[i].name)) {
			a->cmp = ops[i].op;
			return 0;
		}
	return diag_set(c->d, c->p->file, a->line, "<test compare=\"%s\">: expected equal, "
			"not_equal, greater_than, less_than, greater_than_equal or "
			"less_than_equal", v ? v : "");
}

static int values(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *v;
	int err = 0;

	if ((v = scn_x_attr(n, "variable")))
		err = var_of(c, v, a->line, 0, &a->var2);
	if (!err && (v = scn_x_attr(n, "variable2")))
		err = var_of(c, v, a->line, 0, &a->var3);
	v = scn_x_attr(n, "value");
	if (!v && xmlHasProp(n, (const xmlChar *)"value"))
		v = "";  /* libxml2 gives value="" no text node */
	if (!err && v) {
		char *end;

		/* SIPp's strtod takes an empty value as 0 */
		if (!*v && a->kind != ACT_ASSIGNSTR && a->kind != ACT_STRCMP &&
		    (err = scn_x_lax(c, a->line, "<%s value=\"\"> read as 0",
				     (const char *)n->name)))
			return err;
		a->dval = strtod(v, &end);
		a->has_dval = !*v || (end != v && !*end);
		if (a->kind == ACT_ASSIGNSTR || a->kind == ACT_STRCMP)
			err = scn_text_compile(c->p, &a->value, v, a->line, c->d);
		else if (!a->has_dval)
			err = diag_set(c->d, c->p->file, a->line,
				       "<%s value=\"%s\">: expected a number",
				       (const char *)n->name, v);
	}
	return err;
}

static int verify_attrs(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *u = scn_x_attr(n, "username"), *p = scn_x_attr(n, "password");
	int err;

	if (!u || !p || a->var == PROG_NOVAR)
		return diag_set(c->d, c->p->file, a->line,
				"<verifyauth> needs assign_to=, username= and password=");
	err = scn_text_compile(c->p, &a->value, u, a->line, c->d);
	return err ? err : scn_text_compile(c->p, &a->value2, p, a->line, c->d);
}

/* <lookup assign_to= file= key=/>: SIPp finds key in the -infindex of
 * the injection file and assigns its row number (engine/vars.c). */
static int lookup_attrs(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *f = scn_x_attr(n, "file"), *k = scn_x_attr(n, "key");
	int err;

	if (!f || !k || a->var == PROG_NOVAR)
		return diag_set(c->d, c->p->file, a->line,
				"<lookup> needs assign_to=, file= and key=");
	if ((err = scn_text_compile(c->p, &a->value, f, a->line, c->d)) ||
	    (err = scn_text_compile(c->p, &a->value2, k, a->line, c->d)))
		return err;
	if (!c->o || !c->o->infindex)
		return scn_x_lax(c, a->line, "<lookup> without -infindex FILE FIELD: its "
				 "assign_to= variable gets -1 (SIPp stops)");
	return 0;
}

/* The actions after ACT_SAMPLE: each needs its variable; insert,
 * replace, pauserestore and closecon are read and warned about, not
 * run. */
static int fill_more(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *name = (const char *)n->name, *v;
	int found, err;

	switch (a->kind) {
	case ACT_SAMPLE:
		if (a->var == PROG_NOVAR)
			return diag_set(c->d, c->p->file, a->line, "<sample> needs assign_to=");
		if ((err = scn_x_dist(c, n, a->line, &a->dist, 0, &found)))
			return err;
		return found ? 0 : diag_set(c->d, c->p->file, a->line,
					    "<sample> needs distribution=");
	case ACT_TRIM: case ACT_INDEX:
		return a->var == PROG_NOVAR ? diag_set(c->d, c->p->file, a->line,
						       "<%s> needs assign_to=", name) : 0;
	case ACT_URLENCODE: case ACT_URLDECODE:
		/* SIPp changes the variable in place */
		if (!(v = scn_x_attr(n, "variable")))
			return diag_set(c->d, c->p->file, a->line, "<%s> needs variable=", name);
		return assign_list(c, a, v, a->line);
	case ACT_IGNORED:
		if (!(a->str = scn_strndup(c->p, name, strlen(name))))
			return ENOMEM;
		return scn_x_lax(c, a->line, "<%s> is loaded but not run", name);
	default:
		return 0;
	}
}

/* SIPp's distribution attributes (<pause>, <sample>): distribution= and
 * its parameters, each a number. oldstyle (<pause>): without
 * distribution=, an attribute named after a kind (normal=...) names it,
 * and min= or max= mean uniform. *found is 0 when nothing names one. */
int scn_x_dist(struct lctx *c, const xmlNode *n, int line, struct dist *out, int oldstyle,
	       int *found)
{
	static const char *const old[] = {"normal", "exponential", "lognormal", "weibull",
		"pareto", "gamma"};
	const char *name = scn_x_attr(n, "distribution"), *const *pn, *v, *why;
	unsigned i;
	int k;

	*found = 0;
	for (i = 0; !name && oldstyle && i < sizeof(old) / sizeof(old[0]); i++)
		if (scn_x_attr(n, old[i]))
			name = old[i];
	if (!name && oldstyle && (scn_x_attr(n, "min") || scn_x_attr(n, "max")))
		name = "uniform";
	if (!name)
		return 0;
	if ((k = rnd_kind_of(name)) < 0)
		return diag_set(c->d, c->p->file, line, "<%s distribution=\"%s\">: expected fixed, "
				"uniform, normal, lognormal, exponential, weibull, pareto, gpareto, "
				"gamma or negbin", (const char *)n->name, name);
	memset(out, 0, sizeof(*out));
	out->kind = (enum dist_kind)k;
	for (pn = rnd_params(out->kind), i = 0; pn[i]; i++) {
		char *end;

		v = scn_x_attr(n, pn[i]);
		/* SIPp's pauses also say distribution="fixed" milliseconds= */
		if (!v && out->kind == DIST_FIXED)
			v = scn_x_attr(n, "milliseconds");
		if (!v)
			return diag_set(c->d, c->p->file, line, "<%s distribution=\"%s\"> needs %s=",
					(const char *)n->name, name, pn[i]);
		out->p[i] = strtod(v, &end);
		if (end == v || *end || !isfinite(out->p[i]))
			return diag_set(c->d, c->p->file, line, "<%s %s=\"%s\">: expected a number",
					(const char *)n->name, pn[i], v);
	}
	if ((why = rnd_check(out)))
		return diag_set(c->d, c->p->file, line, "<%s distribution=\"%s\">: %s",
				(const char *)n->name, name, why);
	*found = 1;
	return 0;
}

static int fill(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *v;
	int err = 0;

	a->var = a->var2 = a->var3 = PROG_NOVAR;
	if ((v = scn_x_attr(n, "assign_to")))
		err = assign_list(c, a, v, a->line);
	if (!err && a->kind == ACT_VERIFYAUTH)
		return verify_attrs(c, n, a);
	if (!err && a->kind == ACT_LOOKUP)
		return lookup_attrs(c, n, a);
	if (!err)
		err = fill_more(c, n, a);
	if (err || a->kind >= ACT_SAMPLE)
		return err;
	if (!err && a->kind == ACT_EREG)
		err = ereg(c, n, a);
	if (!err && a->kind != ACT_EREG)
		err = values(c, n, a);
	if (!err && a->kind == ACT_TEST)
		err = cmp_op(c, scn_x_attr(n, "compare"), a);
	if (!err && (a->kind == ACT_LOG || a->kind == ACT_WARNING || a->kind == ACT_ERROR)) {
		v = scn_x_attr(n, "message");
		err = scn_text_compile(c->p, &a->value, v ? v : "", a->line, c->d);
	}
	if (!err && a->kind == ACT_SETDEST) {
		const char *h = scn_x_attr(n, "host"), *pt = scn_x_attr(n, "port"),
			   *pr = scn_x_attr(n, "protocol");

		if (!h || !pt || !pr)
			return diag_set(c->d, c->p->file, a->line,
					"<setdest> needs host=, port= and protocol=");
		err = scn_text_compile(c->p, &a->value, h, a->line, c->d);
		if (!err)
			err = scn_text_compile(c->p, &a->value2, pt, a->line, c->d);
		if (!err)
			err = scn_text_compile(c->p, &a->value3, pr, a->line, c->d);
	}
	if (!err && a->kind == ACT_EXEC) {
		if ((v = scn_x_attr(n, "command")))
			err = scn_text_compile(c->p, &a->value, v, a->line, c->d);
		else if (!strcmp((const char *)n->name, "rtp_echo"))
			a->str = "rtp_echo";
		else if (n->properties) {
			/* a copy: the document is freed after loading */
			const char *k = (const char *)n->properties->name;

			if (!(a->str = scn_strndup(c->p, k, strlen(k))))
				return ENOMEM;
		}
		v = a->str ? scn_x_attr(n, n->properties ? (const char *)n->properties->name :
					"value") : NULL;
		if (v && !(a->arg = scn_strndup(c->p, v, strlen(v))))
			err = ENOMEM;
	}
	return err;
}

/* The exec kinds the engine runs (besides command=). */
static int exec_supported(const char *kind)
{
	return !strcmp(kind, "play_pcap_audio") || !strcmp(kind, "play_pcap_video") ||
	       !strcmp(kind, "rtp_echo") || !strcmp(kind, "rtp_stream");
}

static int one(struct lctx *c, const xmlNode *n, struct action *a)
{
	const char *name = (const char *)n->name;
	unsigned i;
	int err;

	memset(a, 0, sizeof(*a));
	a->line = scn_x_line(n);
	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (!strcmp(defs[i].name, name))
			break;
	if (i == sizeof(defs) / sizeof(defs[0]))
		return diag_set(c->d, c->p->file, a->line, "unknown action <%s>", name);
	a->kind = defs[i].kind;
	err = scn_x_check_attrs(c, n, defs[i].attrs, 0);
	if (!err)
		err = fill(c, n, a);
	if (!err && a->kind == ACT_EXEC && a->str && !exec_supported(a->str))
		diag_warn(c->p->file, a->line, "<exec %s> is accepted but not run yet", a->str);
	return err;
}

int scn_x_actions(struct lctx *c, const xmlNode *action, struct step *s)
{
	const xmlNode *k;
	unsigned n = s->nacts;
	struct action *v;
	int err;

	if (action->properties)
		return diag_set(c->d, c->p->file, scn_x_line(action),
				"<action> takes no attributes");
	for (k = action->children; k; k = k->next)
		n += k->type == XML_ELEMENT_NODE;
	if (n == s->nacts)
		return 0;
	v = realloc(s->acts, n * sizeof(*v));
	if (!v)
		return ENOMEM;
	s->acts = v;
	for (k = action->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		err = one(c, k, &s->acts[s->nacts]);
		s->nacts++;  /* counted even on error so scn_free releases it */
		if (err)
			return err;
	}
	return 0;
}
