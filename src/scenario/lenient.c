/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lenient: make the scenario text SIPp's own parser takes acceptable to
 * libxml2 without moving any line. SIPp (3.6/3.7, xp_parser.c) reads a
 * quoted attribute value up to the next unescaped quote, looks elements
 * up by scanning for '<', and stops at the end of the text; so it takes:
 *   a raw '<' or '&' in an attribute value      -> &lt; / &amp;
 *   \" inside a "-quoted value (SIPp: a quote)   -> &quot;
 *   a repeated attribute (SIPp reads the first)  -> the later ones blanked
 *   an attribute glued to the previous value,
 *     request="PRACK"crlf="true" (SIPp never
 *     finds it: it wants white space before a name) -> blanked
 *   "--" inside a comment                        -> "- "
 *   a comment left open at the end of the file   -> closed there
 *   elements left open at the end (</scenario>)  -> closed there
 * Each repair goes through scn_x_lax: a warning with its line, or under
 * -strict the load's error. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "scenario/build.h"
#include "scenario/load.h"

#define MAX_DEPTH 32
#define MAX_NAME 64

struct lx {
	struct lctx *c;
	const char *s;
	size_t n, i;
	int line;
	struct buf *out;
	int err;                  /* ENOMEM, or the -strict EINVAL      */
	unsigned depth;           /* open elements, names in open[]     */
	char open[MAX_DEPTH][MAX_NAME];
	int open_line[MAX_DEPTH];
};

static void put(struct lx *x, const char *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		x->line += p[k] == '\n';
	if (buf_add(x->out, p, n))
		x->err = ENOMEM;
}

static void put_str(struct lx *x, const char *s)
{
	put(x, s, strlen(s));
}

static void lax(struct lx *x, int err)
{
	if (err && !x->err)
		x->err = err;
}

/* Does the text at x->i start with lit? (s is not NUL-terminated.) */
static int at(const struct lx *x, const char *lit)
{
	size_t l = strlen(lit);

	return x->n - x->i >= l && !memcmp(x->s + x->i, lit, l);
}

/* Copy up to and including the terminator (CDATA, PI, DOCTYPE...). */
static void copy_until(struct lx *x, const char *end)
{
	const char *e = memmem(x->s + x->i, x->n - x->i, end, strlen(end));
	size_t stop = e ? (size_t)(e - x->s) + strlen(end) : x->n;

	put(x, x->s + x->i, stop - x->i);
	x->i = stop;
}

/* <!-- ... -->: "--" inside is not XML, SIPp does not mind; a comment
 * never closed runs to the end of the file (SIPp then finds no more
 * elements there). */
static void comment(struct lx *x)
{
	const char *e = memmem(x->s + x->i + 4, x->n - x->i - 4, "-->", 3);
	size_t stop = e ? (size_t)(e - x->s) : x->n, k;
	int line = x->line, warned = 0;

	put(x, "<!--", 4);
	for (k = x->i + 4; k < stop; k++) {
		if (x->s[k] == '-' && (k + 1 == stop || x->s[k + 1] == '-')) {
			if (!warned++)
				lax(x, scn_x_lax(x->c, x->line, "\"--\" inside a comment"));
			put(x, " ", 1);
		} else {
			put(x, x->s + k, 1);
		}
	}
	if (!e)
		lax(x, scn_x_lax(x->c, line, "comment not closed: the rest of the file is "
				 "read as a comment"));
	put(x, "-->", 3);
	x->i = e ? stop + 3 : x->n;
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

/* An '&' that starts no character or entity reference libxml2 knows. */
static int stray_amp(const struct lx *x)
{
	static const char *const ent[] = {"amp;", "lt;", "gt;", "quot;", "apos;"};
	size_t k = x->i + 1;
	unsigned e;

	if (k < x->n && x->s[k] == '#') {
		for (k++; k < x->n && isalnum((unsigned char)x->s[k]); k++)
			;
		return k == x->i + 2 || k >= x->n || x->s[k] != ';';
	}
	for (e = 0; e < sizeof(ent) / sizeof(ent[0]); e++)
		if (x->n - k >= strlen(ent[e]) && !memcmp(x->s + k, ent[e], strlen(ent[e])))
			return 0;
	return 1;
}

/* One attribute value, quote to quote. */
static void copy_value(struct lx *x)
{
	char q = x->s[x->i];

	put(x, &q, 1);
	x->i++;
	while (x->i < x->n && x->s[x->i] != q && !x->err) {
		char ch = x->s[x->i];

		if (ch == '<') {
			lax(x, scn_x_lax(x->c, x->line, "raw '<' in an attribute value "
					 "(read as &lt;)"));
			put_str(x, "&lt;");
		} else if (ch == '&' && stray_amp(x)) {
			lax(x, scn_x_lax(x->c, x->line, "raw '&' in an attribute value "
					 "(read as &amp;)"));
			put_str(x, "&amp;");
		} else if (ch == '\\' && q == '"' && x->i + 1 < x->n && x->s[x->i + 1] == '"') {
			lax(x, scn_x_lax(x->c, x->line, "\\\" in an attribute value "
					 "(read as a quote, as SIPp does)"));
			put_str(x, "&quot;");
			x->i++;
		} else if (ch == '\\' && x->i + 1 < x->n && x->s[x->i + 1] == '\\') {
			put(x, x->s + x->i++, 2);  /* \\ : the next quote still ends it */
		} else {
			put(x, &ch, 1);
		}
		x->i++;
	}
	if (x->i < x->n) {
		put(x, &q, 1);
		x->i++;
	}
}

static int skip_ws(struct lx *x)
{
	size_t from = x->i;

	while (x->i < x->n && isspace((unsigned char)x->s[x->i]))
		put(x, x->s + x->i++, 1);
	return x->i != from;
}

static void blank(struct lx *x, size_t from)
{
	size_t k;

	for (k = from; k < x->out->len; k++)
		if (x->out->data[k] != '\n')
			x->out->data[k] = ' ';
}

/* The attributes of a start tag, up to its '>' or "/>". */
static void attributes(struct lx *x)
{
	struct attr a[64];
	unsigned na = 0;

	for (;;) {
		size_t at, len, from;
		int spaced = skip_ws(x);

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
		if (len && !spaced) {
			lax(x, scn_x_lax(x->c, x->line, "attribute '%.*s' without a space "
					 "before it ignored (SIPp does not see it)",
					 (int)len, x->out->data + at));
			blank(x, at);
		} else if (len && seen_before(x, a, na, at, len)) {
			lax(x, scn_x_lax(x->c, x->line, "attribute '%.*s' repeated; the "
					 "first one is used", (int)len, x->out->data + at));
			blank(x, at);
		} else if (len && na < 64) {
			a[na].name_at = at;
			a[na++].name_len = len;
		}
		if (x->i == from)
			put(x, x->s + x->i++, 1);  /* no progress: copy one byte */
	}
}

static size_t name_len(const struct lx *x, size_t from)
{
	size_t k = from;

	while (k < x->n && !isspace((unsigned char)x->s[k]) && !strchr(">/", x->s[k]))
		k++;
	return k - from;
}

static void start_tag(struct lx *x)
{
	size_t l = name_len(x, x->i + 1), name = x->i + 1;
	int line = x->line;

	put(x, x->s + x->i, l + 1);
	x->i += l + 1;
	attributes(x);
	if (x->i < x->n && x->s[x->i] == '/')
		return;  /* <empty/> */
	if (x->depth < MAX_DEPTH) {
		/* a name too long to keep is not closed at the end */
		size_t k = l < MAX_NAME ? l : 0;

		memcpy(x->open[x->depth], x->s + name, k);
		x->open[x->depth][k] = '\0';
		x->open_line[x->depth] = line;
	}
	x->depth++;
}

/* </name>: closes that element and any left open inside it (libxml2
 * then reports those); a name not open at all is left to libxml2. */
static void end_tag(struct lx *x)
{
	size_t l = name_len(x, x->i + 2);
	unsigned d = x->depth < MAX_DEPTH ? x->depth : MAX_DEPTH;

	while (d && (l != strlen(x->open[d - 1]) || memcmp(x->open[d - 1], x->s + x->i + 2, l)))
		d--;
	if (d)
		x->depth = d - 1;
	else if (x->depth > MAX_DEPTH)
		x->depth--;
	copy_until(x, ">");
}

/* Close what is still open at the end, innermost first. */
static void close_open(struct lx *x)
{
	int last = x->line - (x->n && x->s[x->n - 1] == '\n');  /* the file's last line */

	while (x->depth && !x->err) {
		x->depth--;
		if (x->depth >= MAX_DEPTH || !x->open[x->depth][0])
			continue;
		lax(x, scn_x_lax(x->c, last, "no </%s> for the <%s> of line %d: closed at "
				 "the end of the file", x->open[x->depth], x->open[x->depth],
				 x->open_line[x->depth]));
		put_str(x, "</");
		put_str(x, x->open[x->depth]);
		put_str(x, ">");
	}
}

int scn_lenient(struct lctx *c, const char *s, size_t n, struct buf *out)
{
	struct lx *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return ENOMEM;
	x->c = c;
	x->s = s;
	x->n = n;
	x->line = 1;
	x->out = out;
	while (x->i < n && !x->err) {
		const char *p = s + x->i;
		size_t start = x->i;

		if (*p != '<') {
			put(x, p, 1);
			x->i++;
		} else if (at(x, "<!--")) {
			comment(x);
		} else if (at(x, "<![CDATA[")) {
			copy_until(x, "]]>");
			/* never closed: SIPp finds no message either; leave
			 * the error to libxml2 (a closer would land inside) */
			if (x->i - start < 12 || memcmp(x->s + x->i - 3, "]]>", 3))
				x->depth = 0;
		} else if (x->i + 1 < n && p[1] == '/') {
			end_tag(x);
		} else if (x->i + 1 < n && (p[1] == '?' || p[1] == '!')) {
			copy_until(x, ">");
		} else {
			start_tag(x);
		}
	}
	if (!x->err)
		close_open(x);
	err = x->err;
	free(x);
	return err;
}
