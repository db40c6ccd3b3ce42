/* SPDX-License-Identifier: GPL-2.0-or-later */
/* build: what every loader file shares while a prog is being built
 * (defined in build.c): the allocations the prog owns, and the variable
 * bookkeeping used to report a variable that is read but never
 * assigned. */
#ifndef SB_SCN_BUILD_H
#define SB_SCN_BUILD_H

#include <stddef.h>
#include "scenario/prog.h"

struct scn_arena {
	void **ptrs;             /* every allocation the prog owns          */
	size_t n, cap;
	unsigned char *written;  /* per variable: assigned somewhere        */
	int *read_line;          /* per variable: first line reading it     */
	unsigned vcap;
};

/* Register ptr as owned by p (freed by scn_free). On failure ptr is
 * freed and NULL returned. */
void *scn_keep(struct prog *p, void *ptr);
void *scn_zalloc(struct prog *p, size_t n);
char *scn_strndup(struct prog *p, const char *s, size_t n);
/* Index of variable name (added if new); write marks it assigned, else
 * line is remembered as a read. -1 on ENOMEM. */
int scn_var_ref(struct prog *p, const char *name, size_t n, int line, int write);

/* flow.c: fill each step's keep_last and resend_copy, and each recv's
 * cseq_methods. ENOMEM or 0. */
int scn_flow(struct prog *p);

/* compile.c: an action's text (no message normalisation). */
struct diag;
int scn_text_compile(struct prog *p, struct tpl **tp, const char *text, int line,
		     struct diag *d);

#endif
