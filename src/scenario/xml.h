/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml: the node readers xml.c gives every loader file (scenario.c,
 * load.c, actions.c, creds.c). Not for use outside src/scenario/. */
#ifndef SB_SCN_XML_H
#define SB_SCN_XML_H

#include <libxml/tree.h>

struct lctx;

int scn_x_line(const xmlNode *n);
const char *scn_x_attr(const xmlNode *n, const char *name);
/* An attribute not in the NULL-ended allowed[]: a file:line error. */
int scn_x_check_attrs(struct lctx *c, const xmlNode *n, const char *const *allowed);
int scn_x_bool(const char *v);
/* Attribute name as a whole number 0..2^31-1 into *out (untouched when
 * absent); anything else is a file:line error. */
int scn_x_int(struct lctx *c, const xmlNode *n, const char *name, int *out);

#endif
