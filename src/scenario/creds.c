/* SPDX-License-Identifier: GPL-2.0-or-later */
/* creds: who a party is and how it authenticates. Compiles <ua user=>,
 * <ua password=>, <ua domain=> (and checks <ua advertise=>) and the
 * command line's -au, -ap and -domain into templates (keywords allowed:
 * [field2], a <param>), and refuses at load a chain of them that would
 * refer to itself. The engine renders them (engine/render.c); the order
 * of precedence is in sipbench-scenario(5), PARTIES AND CREDENTIALS. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "scenario/build.h"
#include "scenario/load.h"
#include "transport/tp.h"

/* One attribute of <ua>, compiled into *tp; absent: *tp stays NULL. */
static int ua_attr(struct lctx *c, const xmlNode *n, const char *name, struct tpl **tp)
{
	const char *v = scn_x_attr(n, name);

	if (!v)
		return 0;
	if (!*v)
		return diag_set(c->d, c->p->file, scn_x_line(n), "<ua %s=\"\">: empty "
				"(leave the attribute out for the default)", name);
	return scn_text_compile(c->p, tp, v, scn_x_line(n), c->d);
}

/* <ua advertise="HOST[:PORT]">: an address literal, checked here so that
 * a typo is reported with its line. */
static int ua_advertise(struct lctx *c, const xmlNode *n)
{
	const char *v = scn_x_attr(n, "advertise");
	struct prog_ua *u = &c->p->uas[c->cur_ua];
	struct tp_addr a;
	struct diag tmp;

	if (!v)
		return 0;
	if (tp_addr_parse(&a, v, 0, &tmp))
		return diag_set(c->d, c->p->file, scn_x_line(n), "<ua advertise=\"%s\">: not "
				"an IPv4 or IPv6 address with an optional :port", v);
	u->advertise = scn_strndup(c->p, v, strlen(v));
	return u->advertise ? 0 : ENOMEM;
}

int scn_x_ua_attrs(struct lctx *c, const xmlNode *n)
{
	struct prog_ua *u = &c->p->uas[c->cur_ua];
	int err = ua_attr(c, n, "user", &u->user);

	if (!err)
		err = ua_attr(c, n, "password", &u->password);
	if (!err)
		err = ua_attr(c, n, "domain", &u->domain);
	if (!err)
		err = ua_advertise(c, n);
	return err;
}

/* One option's value, compiled; its errors name the option. */
static int opt_tpl(struct lctx *c, const char *opt, const char *v, struct tpl **tp)
{
	struct diag tmp = {0};
	int err;

	if (!v)
		return 0;
	if (!*v)
		return diag_set(c->d, NULL, 0, "%s: empty value", opt);
	err = scn_text_compile(c->p, tp, v, 0, &tmp);
	if (err == EINVAL)
		return diag_set(c->d, NULL, 0, "%s '%s': %s", opt, v, tmp.msg);
	return err;
}

int scn_x_opts_creds(struct lctx *c)
{
	int err;

	if (!c->o)
		return 0;
	err = opt_tpl(c, "-au", c->o->auth_user, &c->p->auth_user);
	if (!err)
		err = opt_tpl(c, "-ap", c->o->auth_pass, &c->p->auth_pass);
	if (!err)
		err = opt_tpl(c, "-domain", c->o->domain, &c->p->domain);
	return err;
}

/* How deep rendering t goes through the templates it pulls in
 * ([password], [domain], [ua:X:domain], <param>s, [authentication]'s
 * arguments); more than the limit means a loop. */
#define CREDS_DEPTH 16

static int too_deep(const struct prog *p, const struct tpl *t, int depth);

static int seg_too_deep(const struct prog *p, const struct tpl_seg *s, int depth)
{
	const struct prog_ua *o;

	switch (s->kind) {
	case SEG_PASSWORD:
		return too_deep(p, p->auth_pass, depth);
	case SEG_DOMAIN:
		return too_deep(p, p->domain, depth);
	case SEG_PARAM:
		return too_deep(p, p->params[s->num], depth);
	case SEG_AUTHENTICATION:
		return too_deep(p, s->sub, depth) || too_deep(p, s->sub2, depth);
	case SEG_UA:
		if (s->num != UA_WHAT_DOMAIN || s->num2 < 0 || (unsigned)s->num2 >= p->nuas)
			return 0;
		o = &p->uas[s->num2];
		return too_deep(p, o->domain ? o->domain : p->domain, depth);
	default:
		return 0;
	}
}

static int too_deep(const struct prog *p, const struct tpl *t, int depth)
{
	unsigned i;

	if (!t)
		return 0;
	if (depth > CREDS_DEPTH)
		return 1;
	for (i = 0; i < t->nsegs; i++)
		if (seg_too_deep(p, &t->segs[i], depth + 1))
			return 1;
	return 0;
}

int scn_x_check_creds(struct lctx *c)
{
	const struct prog *p = c->p;
	unsigned u;

	if (too_deep(p, p->auth_user, 0) || too_deep(p, p->auth_pass, 0) ||
	    too_deep(p, p->domain, 0))
		return diag_set(c->d, NULL, 0, "-au, -ap or -domain refers to itself "
				"(through [password], [domain] or a <param>)");
	for (u = 0; u < p->nuas; u++) {
		const struct prog_ua *pu = &p->uas[u];

		if (too_deep(p, pu->user, 0) || too_deep(p, pu->password, 0) ||
		    too_deep(p, pu->domain, 0))
			return diag_set(c->d, p->file, pu->password ? pu->password->line :
					pu->domain ? pu->domain->line : pu->user->line,
					"<ua name=\"%s\">: its user=, password= or domain= refers "
					"to itself (through [ua:NAME:domain] or [domain])", pu->name);
	}
	return 0;
}
