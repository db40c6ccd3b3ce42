/* SPDX-License-Identifier: GPL-2.0-or-later */
/* load: the loader's private state, shared by scenario.c (document and
 * top level), load.c (steps), actions.c (<action> children), creds.c,
 * xml.c (node readers, declared in xml.h) and lenient.c. Not for use
 * outside src/scenario/. */
#ifndef SB_SCN_LOAD_H
#define SB_SCN_LOAD_H

#include <libxml/tree.h>
#include "base/buf.h"
#include "scenario/prog.h"
#include "scenario/xml.h"

struct lbl {
	unsigned ua, step;
	const char *id;          /* borrowed from the document             */
};

/* A label reference, by position: steps[] grows (realloc) while the
 * document is walked, so no pointer into it is kept. */
struct lref {
	unsigned dst_ua;         /* LOAD_INIT_UA: a step of <init>         */
	unsigned step;           /* its index in the party's steps[]       */
	int ontimeout;           /* the step's ontimeout=, else its next=  */
	const char *id;
	int line;
};

#define LOAD_INIT_UA (~0u)   /* lbl.ua and lref.dst_ua of <init>        */

/* One kind of leniency warning (its text without the line): printed at
 * its first line, later ones only counted (scn_x_lax in xml.c). */
struct lax_seen {
	char msg[120];
	int line;                /* the first occurrence                   */
	unsigned more;           /* occurrences after the first            */
};

#define LOAD_LAX_KINDS 16

struct lctx {
	struct prog *p;
	struct diag *d;
	const struct scn_opts *o;
	unsigned cur_ua;
	unsigned capsteps;       /* capacity of the current UA's steps[]  */
	struct lbl *labels;
	unsigned nlabels, caplabels;
	struct lref *refs;
	unsigned nrefs, caprefs;
	struct lax_seen lax[LOAD_LAX_KINDS];
	unsigned nlax;
};

int scn_x_step(struct lctx *c, const xmlNode *n, int in_ua);
int scn_x_actions(struct lctx *c, const xmlNode *action, struct step *s);
/* actions.c: SIPp's distribution attributes of <pause> and <sample>. */
int scn_x_dist(struct lctx *c, const xmlNode *n, int line, struct dist *out, int oldstyle,
	       int *found);

/* creds.c: <ua user= password= domain= advertise=> of the current
 * party; -au, -ap and -domain (after the walk: they may name <param>s);
 * then a refusal of any of them that refers to itself (after the
 * parties resolve). */
int scn_x_ua_attrs(struct lctx *c, const xmlNode *n);
int scn_x_opts_creds(struct lctx *c);
int scn_x_check_creds(struct lctx *c);

/* lenient.c: see there. */
int scn_lenient(struct lctx *c, const char *s, size_t n, struct buf *out);

#endif
