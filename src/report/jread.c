/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jread: a recursive-descent JSON parser into a small tree, bounded in
 * depth, with every error placed by line and byte offset. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/jread.h"

#define MAX_DEPTH 64
#define MAX_FILE (256u << 20)

struct pstate {
	const char *s;
	size_t len, pos;
	unsigned line;
	size_t line_start;
	const char *file;
	struct diag *d;
	int err;                     /* ENOMEM once it happened            */
};

static int fail(struct pstate *p, const char *what)
{
	if (p->err == ENOMEM)
		return ENOMEM;
	if (p->pos >= p->len)
		diag_set(p->d, p->file, (int)p->line, "byte %zu: %s (at the end of the input)",
			 p->pos, what);
	else
		diag_set(p->d, p->file, (int)p->line, "byte %zu: %s (at '%c')", p->pos, what,
			 p->s[p->pos] >= 0x20 && p->s[p->pos] < 0x7f ? p->s[p->pos] : '?');
	return EINVAL;
}

static void skip_ws(struct pstate *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

static struct rpt_jval *new_val(struct pstate *p, enum rpt_jtype t)
{
	struct rpt_jval *v = calloc(1, sizeof(*v));

	if (!v) {
		p->err = ENOMEM;
		return NULL;
	}
	v->type = t;
	v->line = p->line;
	v->off = p->pos;
	return v;
}

static int hex4(struct pstate *p, unsigned *out)
{
	unsigned i, v = 0;

	if (p->len - p->pos < 4)
		return fail(p, "\\u needs four hex digits");
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(p, "\\u needs four hex digits");
	}
	p->pos += 4;
	*out = v;
	return 0;
}

static void put_utf8(char *o, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xc0 | (cp >> 6));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xe0 | (cp >> 12));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | (cp >> 18));
		o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* \uXXXX, with a surrogate pair as one code point; \u0000 is refused
 * (our strings are NUL-terminated). */
static int unicode_escape(struct pstate *p, char *o, size_t *n)
{
	unsigned cp, lo;

	if (hex4(p, &cp))
		return EINVAL;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(p, "a lone low surrogate in \\u");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
			return fail(p, "a high surrogate without its low half");
		p->pos += 2;
		if (hex4(p, &lo))
			return EINVAL;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(p, "a high surrogate without its low half");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!cp)
		return fail(p, "\\u0000 is not accepted in a string");
	put_utf8(o, n, cp);
	return 0;
}

/* A string's text, the opening quote already seen. The output is never
 * longer than the input (an escape shrinks or keeps its length). */
static int parse_string(struct pstate *p, char **out)
{
	size_t start = p->pos, n = 0;
	char *o;

	while (p->pos < p->len && p->s[p->pos] != '"') {
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len)
		return fail(p, "a string without its closing quote");
	o = malloc(p->pos - start + 1);
	if (!o) {
		p->err = ENOMEM;
		return ENOMEM;
	}
	for (p->pos = start; p->s[p->pos] != '"';) {
		unsigned char c = (unsigned char)p->s[p->pos++];
		static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
		const char *e;

		if (c < 0x20) {
			p->pos--;
			free(o);
			return fail(p, "a control character inside a string (write it as \\u00XX)");
		}
		if (c != '\\') {
			o[n++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[p->pos++];
		if (c == 'u') {
			if (unicode_escape(p, o, &n)) {
				free(o);
				return EINVAL;
			}
		} else if (c && (e = strchr(esc_in, c)) != NULL) {
			o[n++] = esc_out[e - esc_in];
		} else {
			p->pos--;
			free(o);
			return fail(p, "an unknown escape in a string");
		}
	}
	p->pos++;
	o[n] = '\0';
	*out = o;
	return 0;
}

static int digits(struct pstate *p)
{
	size_t s = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > s;
}

/* RFC 8259 section 6 grammar, checked by hand; strtod converts. */
static int parse_number(struct pstate *p, struct rpt_jval *v)
{
	size_t start = p->pos;
	int whole = 1;
	char tmp[64], *end;

	if (p->s[p->pos] == '-') {
		p->pos++;
		whole = 0;
	}
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (!digits(p))
		return fail(p, "a number needs digits");
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		whole = 0;
		if (!digits(p))
			return fail(p, "digits must follow the decimal point");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		whole = 0;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return fail(p, "digits must follow the exponent");
	}
	if (p->pos - start >= sizeof(tmp)) {
		p->pos = start;
		return fail(p, "a number longer than 63 characters");
	}
	memcpy(tmp, p->s + start, p->pos - start);
	tmp[p->pos - start] = '\0';
	v->num = strtod(tmp, NULL);
	if (whole) {
		errno = 0;
		v->u = strtoull(tmp, &end, 10);
		v->is_uint = !errno && !*end;
	}
	return 0;
}

static int parse_value(struct pstate *p, struct rpt_jval **vp, unsigned depth);

static int add_item(struct pstate *p, struct rpt_jval *c, struct rpt_jval *item, char *key)
{
	struct rpt_jval **items = realloc(c->items, (c->n + 1) * sizeof(*items));
	char **keys;

	if (items)
		c->items = items;
	if (!items || (key && !(keys = realloc(c->keys, (c->n + 1) * sizeof(*keys))))) {
		rpt_jfree(item);
		free(key);
		p->err = ENOMEM;
		return ENOMEM;
	}
	if (key) {
		c->keys = keys;
		c->keys[c->n] = key;
	}
	c->items[c->n++] = item;
	return 0;
}

static int parse_member(struct pstate *p, struct rpt_jval *o, unsigned depth)
{
	struct rpt_jval *item;
	size_t at;
	char *key;
	unsigned i;

	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return fail(p, "expected a member name in quotes");
	at = p->pos++;
	if (parse_string(p, &key))
		return p->err ? ENOMEM : EINVAL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key)) {
			p->pos = at;
			free(key);
			return fail(p, "a member name given twice in one object");
		}
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ':') {
		free(key);
		return fail(p, "expected ':' after the member name");
	}
	p->pos++;
	if (parse_value(p, &item, depth + 1)) {
		free(key);
		return p->err ? ENOMEM : EINVAL;
	}
	return add_item(p, o, item, key);
}

/* An array or an object, its opening bracket already seen. */
static int parse_container(struct pstate *p, struct rpt_jval *c, unsigned depth)
{
	char close = c->type == RPT_JOBJ ? '}' : ']';
	struct rpt_jval *item;

	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (c->type == RPT_JOBJ) {
			if (parse_member(p, c, depth))
				return p->err ? ENOMEM : EINVAL;
		} else if (parse_value(p, &item, depth + 1) || add_item(p, c, item, NULL)) {
			return p->err ? ENOMEM : EINVAL;
		}
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return fail(p, c->type == RPT_JOBJ ? "expected ',' or '}' in an object" :
			    "expected ',' or ']' in an array");
	}
}

static int literal(struct pstate *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "expected a value (object, array, string, number, true, "
			    "false or null)");
	p->pos += n;
	return 0;
}

static int parse_value(struct pstate *p, struct rpt_jval **vp, unsigned depth)
{
	struct rpt_jval *v;
	int err;
	char c;

	skip_ws(p);
	if (depth > MAX_DEPTH)
		return fail(p, "nested deeper than 64 levels");
	if (p->pos >= p->len)
		return fail(p, "expected a value");
	c = p->s[p->pos];
	v = new_val(p, c == '{' ? RPT_JOBJ : c == '[' ? RPT_JARR : c == '"' ? RPT_JSTR :
		    c == 't' ? RPT_JTRUE : c == 'f' ? RPT_JFALSE : c == 'n' ? RPT_JNULL : RPT_JNUM);
	if (!v)
		return ENOMEM;
	switch (v->type) {
	case RPT_JOBJ:
	case RPT_JARR:
		p->pos++;
		err = parse_container(p, v, depth);
		break;
	case RPT_JSTR:
		p->pos++;
		err = parse_string(p, &v->str);
		break;
	case RPT_JTRUE: err = literal(p, "true"); break;
	case RPT_JFALSE: err = literal(p, "false"); break;
	case RPT_JNULL: err = literal(p, "null"); break;
	default:
		err = c == '-' || (c >= '0' && c <= '9') ? parse_number(p, v) :
		      literal(p, "\x01");
		break;
	}
	if (err) {
		rpt_jfree(v);
		return p->err ? ENOMEM : err;
	}
	*vp = v;
	return 0;
}

int rpt_jparse(struct rpt_jval **vp, const char *text, size_t len, const char *file,
	       struct diag *d)
{
	struct pstate p = {text, len, 0, 1, 0, file, d, 0};
	struct rpt_jval *v;
	int err;

	err = parse_value(&p, &v, 0);
	if (err)
		return err == ENOMEM || p.err == ENOMEM ? ENOMEM : EINVAL;
	skip_ws(&p);
	if (p.pos < p.len) {
		rpt_jfree(v);
		return fail(&p, "more after the value (one JSON value per file)");
	}
	*vp = v;
	return 0;
}

int rpt_jparse_file(struct rpt_jval **vp, const char *path, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (!f)
		return diag_set(d, path, 0, "cannot read: %s", strerror(errno));
	for (;;) {
		size_t got;

		if (n == cap) {
			char *t = cap < MAX_FILE ? realloc(text, cap = cap ? cap * 2 : 65536) : NULL;

			if (!t) {
				err = cap >= MAX_FILE ? diag_set(d, path, 0, "larger than 256 MB") :
				      ENOMEM;
				break;
			}
			text = t;
		}
		got = fread(text + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				err = diag_set(d, path, 0, "cannot read: %s", strerror(errno));
			break;
		}
	}
	fclose(f);
	if (!err && n == 0)
		err = diag_set(d, path, 0, "empty file, not a report");
	if (!err)
		err = rpt_jparse(vp, text, n, path, d);
	free(text);
	return err;
}

void rpt_jfree(struct rpt_jval *v)
{
	unsigned i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		rpt_jfree(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct rpt_jval *rpt_jget(const struct rpt_jval *o, const char *key)
{
	unsigned i;

	if (!o || o->type != RPT_JOBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

void rpt_jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void rpt_jwrite(FILE *f, const struct rpt_jval *v)
{
	unsigned i;

	switch (v->type) {
	case RPT_JNULL: fputs("null", f); break;
	case RPT_JTRUE: fputs("true", f); break;
	case RPT_JFALSE: fputs("false", f); break;
	case RPT_JSTR: rpt_jstr(f, v->str); break;
	case RPT_JNUM:
		if (v->is_uint) {
			fprintf(f, "%llu", v->u);
		} else {
			/* the shortest of 15 or 17 digits that reads back the same */
			char b[40];

			snprintf(b, sizeof(b), "%.15g", v->num);
			if (strtod(b, NULL) != v->num)
				snprintf(b, sizeof(b), "%.17g", v->num);
			fputs(b, f);
		}
		break;
	case RPT_JARR:
	case RPT_JOBJ:
		fputc(v->type == RPT_JOBJ ? '{' : '[', f);
		for (i = 0; i < v->n; i++) {
			if (i)
				fputs(", ", f);
			if (v->type == RPT_JOBJ) {
				rpt_jstr(f, v->keys[i]);
				fputs(": ", f);
			}
			rpt_jwrite(f, v->items[i]);
		}
		fputc(v->type == RPT_JOBJ ? '}' : ']', f);
		break;
	}
}
