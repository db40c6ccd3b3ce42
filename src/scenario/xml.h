/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml: the node readers xml.c gives every loader file (scenario.c,
 * load.c, actions.c, creds.c). Not for use outside src/scenario/. */
#ifndef SB_SCN_XML_H
#define SB_SCN_XML_H

#include <libxml/tree.h>

struct lctx;

int scn_x_line(const xmlNode *n);
const char *scn_x_attr(const xmlNode *n, const char *name);
/* An attribute not in the NULL-ended allowed[]: on one of our own
 * elements (ours) a file:line error; on SIPp's, ignored with a warning
 * as SIPp does (scn_x_lax). */
int scn_x_check_attrs(struct lctx *c, const xmlNode *n, const char *const *allowed, int ours);
int scn_x_bool(const char *v);
/* Something SIPp ignores or repairs: a "file:line: warning: ..." (each
 * kind once; repeats are counted and summed up by scn_x_lax_done), or
 * under -strict a file:line error (EINVAL). */
int scn_x_lax(struct lctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void scn_x_lax_done(struct lctx *c);
/* Attribute name as a whole number 0..2^31-1 into *out (untouched when
 * absent; empty, but for response=, 0 with a lax warning, as SIPp's
 * strtol reads it); anything else is a file:line error. */
int scn_x_int(struct lctx *c, const xmlNode *n, const char *name, int *out);

#endif
