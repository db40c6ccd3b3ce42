/* SPDX-License-Identifier: GPL-2.0-or-later */
/* build: what a prog owns while it is built (the arena scn_keep fills
 * and scn_free empties) and its variable table (index by name; which
 * are read but never assigned). The leaf under every loader file. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/build.h"

/* ---- the arena --------------------------------------------------------- */

void *scn_keep(struct prog *p, void *ptr)
{
	struct scn_arena *a = p->arena;

	if (!ptr)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void **v = realloc(a->ptrs, cap * sizeof(*v));

		if (!v) {
			free(ptr);
			return NULL;
		}
		a->ptrs = v;
		a->cap = cap;
	}
	a->ptrs[a->n++] = ptr;
	return ptr;
}

void *scn_zalloc(struct prog *p, size_t n)
{
	return scn_keep(p, calloc(1, n ? n : 1));
}

char *scn_strndup(struct prog *p, const char *s, size_t n)
{
	return scn_keep(p, strndup(s, n));
}

/* ---- variables ---------------------------------------------------------- */

static int grow_vars(struct prog *p)
{
	struct scn_arena *a = p->arena;
	unsigned cap = a->vcap ? a->vcap * 2 : 16;
	char **names = realloc(p->var_names, cap * sizeof(*names));
	unsigned char *w;
	int *r;

	if (!names)
		return ENOMEM;
	p->var_names = names;
	w = realloc(a->written, cap);
	if (!w)
		return ENOMEM;
	a->written = w;
	r = realloc(a->read_line, cap * sizeof(*r));
	if (!r)
		return ENOMEM;
	a->read_line = r;
	a->vcap = cap;
	return 0;
}

int scn_var_ref(struct prog *p, const char *name, size_t n, int line, int write)
{
	struct scn_arena *a = p->arena;
	unsigned i;

	if (n && name[0] == '$') {
		name++;
		n--;
	}
	for (i = 0; i < p->nvars; i++)
		if (strlen(p->var_names[i]) == n && !strncmp(p->var_names[i], name, n))
			break;
	if (i == p->nvars) {
		if (p->nvars == a->vcap && grow_vars(p))
			return -1;
		if (!(p->var_names[i] = scn_strndup(p, name, n)))
			return -1;
		a->written[i] = 0;
		a->read_line[i] = 0;
		p->nvars++;
	}
	if (write)
		a->written[i] = 1;
	else if (!a->read_line[i])
		a->read_line[i] = line;
	return (int)i;
}

int scn_var_index(const struct prog *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->var_names[i], name))
			return (int)i;
	return PROG_NOVAR;
}
