/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lenient: make SIPp-era scenario text acceptable to a strict XML parser
 * without moving any line: a '<' inside an attribute value becomes "&lt;",
 * and a repeated attribute is blanked out (the first one wins, as in
 * SIPp). Each fix is reported as a warning with its line. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/diag.h"
#include "scenario/build.h"

struct lx {
	const char *s;
	size_t n, i;
	int line;
	struct buf *out;
	const char *file;
	int err;
};

static void put(struct lx *x, const char *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		x->line += p[k] == '\n';
	x->err |= buf_add(x->out, p, n);
}

/* Does the text at x->i start with lit? (s is not NUL-terminated.) */
static int at(const struct lx *x, const char *lit)
{
	size_t l = strlen(lit);

	return x->n - x->i >= l && !memcmp(x->s + x->i, lit, l);
}

/* Copy up to and including the terminator (comment, CDATA, PI...). */
static void copy_until(struct lx *x, const char *end)
{
	const char *e = memmem(x->s + x->i, x->n - x->i, end, strlen(end));
	size_t stop = e ? (size_t)(e - x->s) + strlen(end) : x->n;

	put(x, x->s + x->i, stop - x->i);
	x->i = stop;
}

struct attr {
	size_t name_at, name_len;  /* in the output */
};

static int seen_before(const struct lx *x, const struct attr *a, unsigned na,
		       size_t at, size_t len)
{
	unsigned k;

	for (k = 0; k < na; k++)
		if (a[k].name_len == len && !memcmp(x->out->data + a[k].name_at,
						    x->out->data + at, len))
			return 1;
	return 0;
}

/* One attribute value, quote to quote, escaping '<'. */
static void copy_value(struct lx *x)
{
	char q = x->s[x->i];

	put(x, &q, 1);
	x->i++;
	while (x->i < x->n && x->s[x->i] != q) {
		if (x->s[x->i] == '<') {
			diag_warn(x->file, x->line, "unescaped '<' in an attribute value "
				  "(read as &lt;)");
			x->err |= buf_adds(x->out, "&lt;");
		} else {
			put(x, x->s + x->i, 1);
		}
		x->i++;
	}
	if (x->i < x->n) {
		put(x, &q, 1);
		x->i++;
	}
}

static void skip_ws(struct lx *x)
{
	while (x->i < x->n && isspace((unsigned char)x->s[x->i]))
		put(x, x->s + x->i++, 1);
}

static void start_tag(struct lx *x)
{
	struct attr a[64];
	unsigned na = 0;

	put(x, x->s + x->i++, 1);  /* '<' */
	while (x->i < x->n && !isspace((unsigned char)x->s[x->i]) &&
	       x->s[x->i] != '>' && x->s[x->i] != '/')
		put(x, x->s + x->i++, 1);
	for (;;) {
		size_t at, len, from;

		skip_ws(x);
		if (x->i >= x->n || x->s[x->i] == '>' || x->s[x->i] == '/' || x->err)
			return;
		at = x->out->len;
		from = x->i;
		while (x->i < x->n && !isspace((unsigned char)x->s[x->i]) &&
		       !strchr("=>/", x->s[x->i]))
			put(x, x->s + x->i++, 1);
		len = x->out->len - at;
		skip_ws(x);
		if (x->i < x->n && x->s[x->i] == '=') {
			put(x, x->s + x->i++, 1);
			skip_ws(x);
			if (x->i < x->n && (x->s[x->i] == '"' || x->s[x->i] == '\''))
				copy_value(x);
		}
		if (len && seen_before(x, a, na, at, len)) {
			size_t k;

			diag_warn(x->file, x->line, "attribute '%.*s' repeated; the first one is used",
				  (int)len, x->out->data + at);
			for (k = at; k < x->out->len; k++)
				if (x->out->data[k] != '\n')
					x->out->data[k] = ' ';
		} else if (len && na < 64) {
			a[na].name_at = at;
			a[na++].name_len = len;
		}
		if (x->i == from)
			put(x, x->s + x->i++, 1);  /* no progress: copy one byte */
	}
}

int scn_lenient(const char *s, size_t n, const char *file, struct buf *out)
{
	struct lx x = {s, n, 0, 1, out, file, 0};

	while (x.i < n && !x.err) {
		const char *p = s + x.i;

		if (*p != '<') {
			put(&x, p, 1);
			x.i++;
		} else if (at(&x, "<!--")) {
			copy_until(&x, "-->");
		} else if (at(&x, "<![CDATA[")) {
			copy_until(&x, "]]>");
		} else if (x.i + 1 < n && (p[1] == '?' || p[1] == '!' || p[1] == '/')) {
			copy_until(&x, ">");
		} else {
			start_tag(&x);
		}
	}
	return x.err ? ENOMEM : 0;
}
