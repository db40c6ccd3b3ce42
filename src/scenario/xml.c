/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml: the small readers of a libxml2 node that every loader file
 * shares: its line, an attribute, the attributes an element allows, a
 * boolean and a whole number. A leaf: it calls no other scn_ file. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>
#include "scenario/load.h"
#include "scenario/xml.h"

int scn_x_line(const xmlNode *n)
{
	return (int)xmlGetLineNo(n);
}

const char *scn_x_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && a->children)
			return (const char *)a->children->content;
	return NULL;
}

int scn_x_lax(struct lctx *c, int line, const char *fmt, ...)
{
	char msg[sizeof(c->lax[0].msg)];
	unsigned i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->o && c->o->strict)
		return diag_set(c->d, c->p->file, line, "%s (an error under -strict)", msg);
	for (i = 0; i < c->nlax; i++)
		if (!strcmp(c->lax[i].msg, msg)) {
			c->lax[i].more++;
			return 0;
		}
	if (c->nlax < LOAD_LAX_KINDS) {
		memcpy(c->lax[c->nlax].msg, msg, sizeof(msg));
		c->lax[c->nlax].line = line;
		c->lax[c->nlax++].more = 0;
	}
	diag_warn(c->p->file, line, "%s", msg);
	return 0;
}

void scn_x_lax_done(struct lctx *c)
{
	unsigned i;

	for (i = 0; i < c->nlax; i++)
		if (c->lax[i].more)
			diag_warn(c->p->file, 0, "%u more as at line %d (%s)", c->lax[i].more,
				  c->lax[i].line, c->lax[i].msg);
	c->nlax = 0;
}

/* SIPp looks attributes up by name and never sees the others: on its
 * elements an unknown one is ignored, with a warning (an error under
 * -strict); on ours (ours != 0: <ua>, <param>, ...) it is an error. */
int scn_x_check_attrs(struct lctx *c, const xmlNode *n, const char *const *allowed, int ours)
{
	const xmlAttr *a;
	int err;

	for (a = n->properties; a; a = a->next) {
		unsigned i;

		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], (const char *)a->name))
				break;
		if (!allowed[i] && ours)
			return diag_set(c->d, c->p->file, scn_x_line(n),
					"unknown attribute '%s' on element <%s>",
					(const char *)a->name, (const char *)n->name);
		if (!allowed[i] &&
		    (err = scn_x_lax(c, scn_x_line(n), "unknown attribute '%s' on <%s> ignored",
				     (const char *)a->name, (const char *)n->name)))
			return err;
	}
	return 0;
}

int scn_x_bool(const char *v)
{
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"));
}

int scn_x_int(struct lctx *c, const xmlNode *n, const char *name, int *out)
{
	const char *v = scn_x_attr(n, name);
	char *end;
	long l;

	if (!v)
		return 0;
	if (!*v && strcmp(name, "response")) {
		/* SIPp's strtol/atol read an empty value as 0 */
		*out = 0;
		return scn_x_lax(c, scn_x_line(n), "<%s %s=\"\"> read as 0",
				 (const char *)n->name, name);
	}
	l = strtol(v, &end, 10);
	if (end == v || *end || l < 0 || l > 0x7fffffff)
		return diag_set(c->d, c->p->file, scn_x_line(n),
				"<%s %s=\"%s\">: expected a whole number",
				(const char *)n->name, name, v);
	*out = (int)l;
	return 0;
}
