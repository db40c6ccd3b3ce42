/* SPDX-License-Identifier: GPL-2.0-or-later */
/* val: the value of one variable (unset, text, number, boolean): set,
 * cleared, tested and written as text. The bottom of the engine: render.c
 * writes values into messages, vars.c's actions set them, and neither
 * needs the other for it. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "engine/internal.h"

void var_clear(struct var_val *v)
{
	if (v->kind == VAL_STR)
		free(v->s);
	v->s = NULL;
	v->kind = VAL_UNSET;
	v->d = 0;
}

int var_set_str(struct var_val *v, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return ENOMEM;
	memcpy(p, s, len);
	p[len] = '\0';
	var_clear(v);
	v->kind = VAL_STR;
	v->s = p;
	return 0;
}

void var_set_dbl(struct var_val *v, double d)
{
	var_clear(v);
	v->kind = VAL_DBL;
	v->d = d;
}

void var_set_bool(struct var_val *v, int b)
{
	var_clear(v);
	v->kind = VAL_BOOL;
	v->d = b ? 1 : 0;
}

int var_is_true(const struct var_val *v)
{
	switch (v->kind) {
	case VAL_STR:
		return 1;  /* a regexp that matched set it */
	case VAL_DBL:
	case VAL_BOOL:
		return v->d != 0;
	default:
		return 0;
	}
}

int var_append(const struct var_val *v, struct buf *out)
{
	switch (v->kind) {
	case VAL_STR:
		return buf_adds(out, v->s);
	case VAL_BOOL:
		return buf_adds(out, v->d != 0 ? "true" : "false");
	case VAL_DBL:
		if (v->d == floor(v->d) && fabs(v->d) < 1e15)
			return buf_addf(out, "%lld", (long long)v->d);
		return buf_addf(out, "%f", v->d);
	default:
		return 0;
	}
}
