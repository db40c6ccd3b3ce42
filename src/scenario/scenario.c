/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenario: load a scenario document: parse it (strictly, after the
 * lenient fixes), walk the top level (<scenario>, <ua>, <init>,
 * repartitions, variable declarations), resolve labels, check variables;
 * and free a prog. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libxml/parser.h>
#include "scenario/build.h"
#include "scenario/load.h"

/* ---- top level ----------------------------------------------------------- */

static int int_list(struct lctx *c, const xmlNode *n, int **out, unsigned *count)
{
	const char *v = scn_x_attr(n, "value"), *p;
	unsigned k = 0;

	if (!v)
		return diag_set(c->d, c->p->file, scn_x_line(n), "<%s> without value=",
				(const char *)n->name);
	for (p = v, *count = 1; *p; p++)
		*count += *p == ',';
	*out = scn_zalloc(c->p, *count * sizeof(**out));
	if (!*out)
		return ENOMEM;
	for (p = v; k < *count; k++) {
		char *end;

		(*out)[k] = (int)strtol(p, &end, 10);
		while (*end == ' ')
			end++;
		if (end == p || (*end && *end != ','))
			return diag_set(c->d, c->p->file, scn_x_line(n),
					"<%s value=\"%s\">: expected numbers separated by commas",
					(const char *)n->name, v);
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int declare_vars(struct lctx *c, const xmlNode *n)
{
	const char *v = scn_x_attr(n, "variables"), *p;

	if (!v)
		return diag_set(c->d, c->p->file, scn_x_line(n), "<%s> without variables=",
				(const char *)n->name);
	for (p = v; *p;) {
		size_t l = strcspn(p, ",");
		size_t s = 0;

		while (s < l && p[s] == ' ')
			s++;
		while (l > s && p[l - 1] == ' ')
			l--;
		if (l > s && scn_var_ref(c->p, p + s, l - s, 0, 1) < 0)
			return ENOMEM;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

static int add_ua(struct lctx *c, const char *name)
{
	struct prog_ua *u = realloc(c->p->uas, (c->p->nuas + 1) * sizeof(*u));

	if (!u)
		return ENOMEM;
	c->p->uas = u;
	u = &u[c->p->nuas];
	memset(u, 0, sizeof(*u));
	u->name = scn_strndup(c->p, name, strlen(name));
	if (!u->name)
		return ENOMEM;
	c->cur_ua = c->p->nuas++;
	c->capsteps = 0;
	return 0;
}

static int walk_steps(struct lctx *c, const xmlNode *first, int in_ua)
{
	const xmlNode *n;
	int err;

	for (n = first; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		err = scn_x_step(c, n, in_ua);
		if (err)
			return err;
	}
	return 0;
}

/* <init>: steps run once before the first call (the engine runs their
 * actions to set global variables). Built as a temporary extra UA. */
static int init_block(struct lctx *c, const xmlNode *n)
{
	unsigned saved = c->cur_ua, nlabels = c->nlabels, nrefs = c->nrefs, i;
	int err;

	if (c->p->init.nsteps || n->properties)
		return diag_set(c->d, c->p->file, scn_x_line(n),
				n->properties ? "<init> takes no attributes" :
				"more than one <init>");
	err = add_ua(c, "init");
	if (!err)
		err = walk_steps(c, n->children, 0);
	c->p->init = c->p->uas[--c->p->nuas];
	/* its labels and references are <init>'s, not those of the party
	 * that gets the index next */
	for (i = nlabels; i < c->nlabels; i++)
		c->labels[i].ua = LOAD_INIT_UA;
	for (i = nrefs; i < c->nrefs; i++)
		c->refs[i].dst_ua = LOAD_INIT_UA;
	c->cur_ua = saved;
	c->capsteps = c->p->nuas ? c->p->uas[saved].nsteps : 0;
	return err;
}

static const char *const a_param[] = {"name", "value", NULL};

/* <param name= value=/>: a keyword [name] with a default value (keywords
 * allowed) that -set name VALUE or -key name VALUE replaces. */
static int param_element(struct lctx *c, const xmlNode *n)
{
	const char *name = scn_x_attr(n, "name"), *value = scn_x_attr(n, "value");
	struct prog *p = c->p;
	char **names;
	struct tpl **tpls;
	unsigned i;
	int err = scn_x_check_attrs(c, n, a_param, 1);

	if (err)
		return err;
	if (!name || !value || !*name || strcspn(name, "[]:$ ") != strlen(name))
		return diag_set(c->d, p->file, scn_x_line(n), "<param> needs name= (a plain "
				"word) and value=");
	for (i = 0; i < p->nparams; i++)
		if (!strcmp(p->param_names[i], name))
			return diag_set(c->d, p->file, scn_x_line(n), "<param name=\"%s\"> "
					"given twice", name);
	for (i = 0; p->opts && i < p->opts->nset; i++)
		if (!strcmp(p->opts->set_names[i], name))
			value = p->opts->set_values[i];
	names = realloc(p->param_names, (p->nparams + 1) * sizeof(*names));
	if (!names)
		return ENOMEM;
	p->param_names = names;
	tpls = realloc(p->params, (p->nparams + 1) * sizeof(*tpls));
	if (!tpls)
		return ENOMEM;
	p->params = tpls;
	names[p->nparams] = scn_strndup(p, name, strlen(name));
	if (!names[p->nparams])
		return ENOMEM;
	err = scn_text_compile(p, &tpls[p->nparams], value, scn_x_line(n), c->d);
	if (!err)
		p->nparams++;
	return err;
}

static const char *const a_ua[] = {"name", "user", "password", "domain", "advertise", NULL};

/* <DefaultMessage id=>: SIPp's replacement text for one of its default
 * messages. sipbench builds those (the BYE, CANCEL, ACK and 200 of the
 * default behaviours) from the dialog, so the text is checked and
 * warned about, not used. */
static int default_message(struct lctx *c, const xmlNode *n)
{
	static const char *const ids[] = {"3pcc_abort", "ack", "ack2", "bye", "cancel", "200"};
	const char *id = scn_x_attr(n, "id");
	const xmlNode *k;
	unsigned i;
	int err, text = 0;

	if ((err = scn_x_check_attrs(c, n, (const char *const[]){"id", NULL}, 0)))
		return err;
	for (i = 0; id && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(id, ids[i]))
			break;
	if (!id || i == sizeof(ids) / sizeof(ids[0]))
		return diag_set(c->d, c->p->file, scn_x_line(n), "<DefaultMessage id=\"%s\">: "
				"expected 3pcc_abort, ack, ack2, bye, cancel or 200", id ? id : "");
	for (k = n->children; k; k = k->next)
		text |= (k->type == XML_CDATA_SECTION_NODE || k->type == XML_TEXT_NODE) &&
			strspn((const char *)k->content, " \t\r\n") != strlen((const char *)k->content);
	if (!text)
		return diag_set(c->d, c->p->file, scn_x_line(n), "<DefaultMessage> without a message");
	return scn_x_lax(c, scn_x_line(n), "<DefaultMessage> is loaded but not used: the default "
			 "behaviours build their messages from the dialog");
}

static int top_element(struct lctx *c, const xmlNode *n, int has_ua)
{
	const char *name = (const char *)n->name;

	if (!strcmp(name, "DefaultMessage"))
		return default_message(c, n);

	if (!strcmp(name, "ResponseTimeRepartition"))
		return int_list(c, n, &c->p->rtr_ms, &c->p->nrtr);
	if (!strcmp(name, "CallLengthRepartition"))
		return int_list(c, n, &c->p->clr_ms, &c->p->nclr);
	if (!strcmp(name, "Global") || !strcmp(name, "User") || !strcmp(name, "Reference"))
		return declare_vars(c, n);
	if (!strcmp(name, "init"))
		return init_block(c, n);
	if (has_ua && !strcmp(name, "ua")) {
		const char *un = scn_x_attr(n, "name");
		int err = scn_x_check_attrs(c, n, a_ua, 1);

		if (!err && !un)
			err = diag_set(c->d, c->p->file, scn_x_line(n), "<ua> without name=");
		if (!err)
			err = add_ua(c, un);
		if (!err)
			err = scn_x_ua_attrs(c, n);
		return err ? err : walk_steps(c, n->children, 1);
	}
	if (has_ua)
		return diag_set(c->d, c->p->file, scn_x_line(n),
				"<%s> outside <ua>: a scenario with <ua> parties has every "
				"step inside one", name);
	return scn_x_step(c, n, 0);
}

static int has_ua_children(const xmlNode *root)
{
	const xmlNode *n;

	for (n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "ua"))
			return 1;
	return 0;
}

static int walk(struct lctx *c, const xmlNode *root)
{
	const xmlNode *n;
	int has_ua = has_ua_children(root), err;

	if (strcmp((const char *)root->name, "scenario"))
		return diag_set(c->d, c->p->file, scn_x_line(root),
				"the root element is <%s>, expected <scenario>",
				(const char *)root->name);
	if (scn_x_attr(root, "name") &&
	    !(c->p->name = scn_strndup(c->p, scn_x_attr(root, "name"),
				       strlen(scn_x_attr(root, "name")))))
		return ENOMEM;
	if (!has_ua && (err = add_ua(c, "default")))
		return err;
	/* parameters first: every template may use them */
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "param"))
			continue;
		err = param_element(c, n);
		if (err)
			return err;
	}
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || !strcmp((const char *)n->name, "param"))
			continue;
		err = top_element(c, n, has_ua);
		if (err)
			return err;
	}
	return 0;
}

/* ---- checks after the walk ---------------------------------------------- */

static int resolve_labels(struct lctx *c)
{
	unsigned i, k;

	for (i = 0; i < c->nrefs; i++) {
		const struct lref *r = &c->refs[i];
		struct prog_ua *u = r->dst_ua == LOAD_INIT_UA ? &c->p->init : &c->p->uas[r->dst_ua];
		struct step *s = &u->steps[r->step];

		for (k = 0; k < c->nlabels; k++)
			if (c->labels[k].ua == r->dst_ua && !strcmp(c->labels[k].id, r->id))
				break;
		if (k == c->nlabels)
			return diag_set(c->d, c->p->file, r->line,
					"undefined label '%s' (no <label id=\"%s\"/>)", r->id, r->id);
		*(r->ontimeout ? &s->ontimeout : &s->next) = (int)c->labels[k].step;
	}
	return 0;
}

static int check_vars(struct lctx *c)
{
	const struct scn_arena *a = c->p->arena;
	unsigned i, k;

	for (i = 0; i < c->p->nvars; i++) {
		if (a->written[i] || !a->read_line[i])
			continue;
		for (k = 0; c->o && k < c->o->nset; k++)
			if (!strcmp(c->o->set_names[k], c->p->var_names[i]))
				break;
		if (c->o && k < c->o->nset)
			continue;
		return diag_set(c->d, c->p->file, a->read_line[i],
				"variable $%s is used but never assigned", c->p->var_names[i]);
	}
	return 0;
}

/* [ua:NAME:...] names a party: resolve it to its index. */
static int resolve_tpl_parties(struct lctx *c, struct tpl *t)
{
	unsigned i, u;

	for (i = 0; t && i < t->nsegs; i++) {
		struct tpl_seg *s = &t->segs[i];

		if (s->kind != SEG_UA)
			continue;
		for (u = 0; u < c->p->nuas; u++)
			if (!strcmp(c->p->uas[u].name, s->str))
				break;
		if (u == c->p->nuas)
			return diag_set(c->d, c->p->file, t->line,
					"[ua:%s:...]: no <ua name=\"%s\"> in this scenario",
					s->str, s->str);
		s->num2 = (int32_t)u;
	}
	return 0;
}

/* Every [ua:...] resolves, and every <wait> has a <signal> to wait for. */
static int check_parties(struct lctx *c)
{
	uint64_t raised = 0;
	unsigned u, i, k;
	int err;

	for (u = 0; u < c->p->nuas; u++)
		for (i = 0; i < c->p->uas[u].nsteps; i++)
			if (c->p->uas[u].steps[i].kind == STEP_SIGNAL)
				raised |= 1ull << c->p->uas[u].steps[i].sig;
	for (i = 0; i < c->p->nparams; i++)
		if ((err = resolve_tpl_parties(c, c->p->params[i])))
			return err;
	if ((err = resolve_tpl_parties(c, c->p->auth_user)) ||
	    (err = resolve_tpl_parties(c, c->p->auth_pass)) ||
	    (err = resolve_tpl_parties(c, c->p->domain)))
		return err;
	for (u = 0; u < c->p->nuas; u++) {
		const struct prog_ua *pu = &c->p->uas[u];

		if ((err = resolve_tpl_parties(c, pu->user)) ||
		    (err = resolve_tpl_parties(c, pu->password)) ||
		    (err = resolve_tpl_parties(c, pu->domain)))
			return err;
		for (i = 0; i < pu->nsteps; i++) {
			struct step *s = &pu->steps[i];

			if (s->kind == STEP_WAIT && !(raised & (1ull << s->sig)))
				return diag_set(c->d, c->p->file, s->line, "<wait for=\"%s\"/>: "
						"no party has <signal name=\"%s\"/>", s->name, s->name);
			if ((err = resolve_tpl_parties(c, s->msg)))
				return err;
			for (k = 0; k < s->nacts; k++)
				if ((err = resolve_tpl_parties(c, s->acts[k].value)))
					return err;
		}
	}
	return 0;
}

static int finish(struct prog *p)
{
	unsigned u, i;

	for (u = 0; u < p->nuas; u++) {
		struct prog_ua *pu = &p->uas[u];

		for (i = 0; i < pu->nsteps && pu->steps[i].kind == STEP_LABEL; i++)
			;
		pu->uas_mode = i < pu->nsteps && pu->steps[i].kind == STEP_RECV &&
			       pu->steps[i].request != NULL;
		pu->cmd_mode = i < pu->nsteps && pu->steps[i].kind == STEP_RECVCMD;
	}
	return scn_flow(p);
}

/* ---- parsing ------------------------------------------------------------- */

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* The parser's first error is the one worth reporting; later ones are
 * usually consequences of it. */
struct first_err {
	int set;
	int line;
	char msg[200];
};

static void first_error(void *ctx, xmlErrorPtr e)
{
	struct first_err *f = ctx;
	size_t l;

	if (f->set || !e || e->level < XML_ERR_ERROR)
		return;
	f->set = 1;
	f->line = e->line;
	snprintf(f->msg, sizeof(f->msg), "%s", e->message ? e->message : "unreadable");
	l = strlen(f->msg);
	while (l && (f->msg[l - 1] == '\n' || f->msg[l - 1] == ' '))
		f->msg[--l] = '\0';
}

static int parse(struct lctx *c, const char *xml, size_t len, xmlDoc **docp)
{
	struct first_err fe = {0, 0, ""};
	xmlParserCtxt *ctxt;
	struct buf b;
	int err;

	buf_init(&b, len * 4 + 64);
	err = scn_lenient(c, xml, len, &b);
	if (err) {
		buf_free(&b);
		return err;
	}
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlSetStructuredErrorFunc(&fe, first_error);
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		buf_free(&b);
		return ENOMEM;
	}
	*docp = xmlCtxtReadMemory(ctxt, b.data ? b.data : "", (int)b.len, c->p->file, NULL,
				  XML_PARSE_NONET | XML_PARSE_NOCDATA * 0);
	if (!*docp)
		err = diag_set(c->d, c->p->file, fe.line, "malformed XML: %s",
			       fe.set ? fe.msg : "unreadable");
	xmlFreeParserCtxt(ctxt);
	xmlSetStructuredErrorFunc(NULL, NULL);
	buf_free(&b);
	return err;
}

static int build(struct prog *p, const char *xml, size_t len,
		 const struct scn_opts *o, struct diag *d)
{
	struct lctx c;
	xmlDoc *doc = NULL;
	int err;

	memset(&c, 0, sizeof(c));
	p->opts = o;
	c.p = p;
	c.d = d;
	c.o = o;
	err = parse(&c, xml, len, &doc);
	if (!err)
		err = walk(&c, xmlDocGetRootElement(doc));
	if (!err)
		err = resolve_labels(&c);
	if (!err)
		err = check_vars(&c);
	if (!err)
		err = scn_x_opts_creds(&c);
	if (!err)
		err = check_parties(&c);
	if (!err)
		err = scn_x_check_creds(&c);
	if (!err)
		err = finish(p);
	if (!err && (!p->nuas || !p->uas[0].nsteps))
		err = diag_set(d, p->file, 0, "the scenario has no steps");
	scn_x_lax_done(&c);
	free(c.labels);
	free(c.refs);
	xmlFreeDoc(doc);
	p->opts = NULL;
	return err;
}

int scn_load_mem(struct prog **pp, const char *xml, size_t len,
		 const char *path, const struct scn_opts *o, struct diag *d)
{
	struct prog *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return ENOMEM;
	p->max_field = -1;
	p->arena = calloc(1, sizeof(struct scn_arena));
	if (!p->arena || !(p->file = strdup(path))) {
		scn_free(p);
		return ENOMEM;
	}
	err = build(p, xml, len, o, d);
	if (err == ENOMEM)
		diag_set(d, path, 0, "out of memory while loading the scenario");
	if (err) {
		if (d && d->file == p->file)
			d->file = path;  /* p->file goes with p */
		scn_free(p);
		return err;
	}
	*pp = p;
	return 0;
}

int scn_load_file(struct prog **pp, const char *path,
		  const struct scn_opts *o, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	struct buf b;
	char chunk[8192];
	size_t n;
	int err = 0;

	if (!f)
		return diag_set(d, path, 0, "cannot open the scenario: %s", strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return diag_set(d, path, 0, "is a directory, not a scenario file");
	}
	buf_init(&b, 64u << 20);
	while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = buf_add(&b, chunk, n);
	fclose(f);
	if (err) {
		buf_free(&b);
		return diag_set(d, path, 0, "cannot read the scenario (too large?)");
	}
	err = scn_load_mem(pp, b.data ? b.data : "", b.len, path, o, d);
	buf_free(&b);
	return err;
}

static void free_steps(struct prog_ua *u)
{
	unsigned i, k;

	for (i = 0; i < u->nsteps; i++) {
		struct step *s = &u->steps[i];

		if (s->response_re_ok)
			regfree(&s->response_re);
		for (k = 0; k < s->nacts; k++)
			if (s->acts[k].re_ok)
				regfree(&s->acts[k].re);
		free(s->acts);
	}
	free(u->steps);
}

void scn_free(struct prog *p)
{
	struct scn_arena *a;
	size_t i;

	if (!p)
		return;
	a = p->arena;
	for (i = 0; i < p->nuas; i++)
		free_steps(&p->uas[i]);
	free_steps(&p->init);
	free(p->uas);
	free(p->var_names);
	free(p->rtd_names);
	free(p->counter_names);
	free(p->signal_names);
	free(p->param_names);
	free(p->params);
	if (a) {
		for (i = 0; i < a->n; i++)
			free(a->ptrs[i]);
		free(a->ptrs);
		free(a->written);
		free(a->read_line);
		free(a);
	}
	free(p->file);
	free(p);
}
