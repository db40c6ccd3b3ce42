/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jread: a small JSON reader for sipbench's own reports (sipbench merge).
 * RFC 8259 values: objects, arrays, strings with escapes (\uXXXX and
 * surrogate pairs to UTF-8), numbers, true, false, null. No library. */
#ifndef SB_JREAD_H
#define SB_JREAD_H

#include <stddef.h>
#include <stdio.h>
#include "base/diag.h"

enum rpt_jtype { RPT_JNULL, RPT_JFALSE, RPT_JTRUE, RPT_JNUM, RPT_JSTR, RPT_JARR, RPT_JOBJ };

/* One value. Objects keep their members in order (keys[i] names
 * items[i]); a repeated key is an error. Owned by the tree's root. */
struct rpt_jval {
	enum rpt_jtype type;
	double num;                  /* RPT_JNUM                             */
	int is_uint;                 /* the number was a whole number >= 0,
	                                exact in u (below 2^64)              */
	unsigned long long u;
	char *str;                   /* RPT_JSTR: NUL-terminated UTF-8       */
	struct rpt_jval **items;     /* RPT_JARR, RPT_JOBJ                   */
	char **keys;                 /* RPT_JOBJ                             */
	unsigned n;
	unsigned line;               /* where the value starts, 1-based      */
	size_t off;                  /* and its byte offset, 0-based         */
};

/* Parse text[0..len) (one value, white space around it). On error
 * returns EINVAL with d filled as file:line and "byte N: what" (file is
 * only borrowed into d), or ENOMEM; *vp is set only on success. Nesting
 * deeper than 64 is an error, not a stack overflow. */
int rpt_jparse(struct rpt_jval **vp, const char *text, size_t len, const char *file,
	       struct diag *d);
/* Read and parse a whole file (at most 256 MB). */
int rpt_jparse_file(struct rpt_jval **vp, const char *path, struct diag *d);
void rpt_jfree(struct rpt_jval *v);

/* Member key of object o, or NULL (o not an object, or no such key). */
const struct rpt_jval *rpt_jget(const struct rpt_jval *o, const char *key);

/* Write v back as JSON (compact, members in order). */
void rpt_jwrite(FILE *f, const struct rpt_jval *v);
/* s as a JSON string, quoted and escaped (NULL as ""). */
void rpt_jstr(FILE *f, const char *s);

#endif
