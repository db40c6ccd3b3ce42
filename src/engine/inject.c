/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject: SIPp injection files (-inf). First line: SEQUENTIAL, RANDOM or
 * USER, and SIPp's PRINTF options; then one call's fields per line,
 * separated by ';'. Lines that are
 * empty or start with '#' or "//" are skipped. Checked at load against
 * the fields the scenario uses (inj_check): a short row is an error with
 * its file:line, where SIPp logs "Field N not found" and sends nothing. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "engine/internal.h"
#include "sip/msg.h"

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int add_row(struct inj *inj, char *line, int lineno)
{
	unsigned n = 1, i = 0;
	char **cols, *p, ***rows;
	unsigned *nc, *ln;

	for (p = line; *p; p++)
		n += *p == ';';
	/* a trailing ';' ends the last field rather than adding one */
	if (n > 1 && line[strlen(line) - 1] == ';')
		n--;
	cols = calloc(n, sizeof(*cols));
	rows = realloc(inj->rows, (inj->nrows + 1) * sizeof(*rows));
	if (rows)
		inj->rows = rows;
	nc = realloc(inj->ncols, (inj->nrows + 1) * sizeof(*nc));
	if (nc)
		inj->ncols = nc;
	ln = realloc(inj->lines, (inj->nrows + 1) * sizeof(*ln));
	if (ln)
		inj->lines = ln;
	if (!cols || !rows || !nc || !ln) {
		free(cols);
		return ENOMEM;
	}
	inj->rows[inj->nrows] = cols;
	inj->ncols[inj->nrows] = 0;
	inj->lines[inj->nrows++] = (unsigned)lineno;
	for (p = line; i < n; i++) {
		char *semi = strchr(p, ';');
		size_t l = semi ? (size_t)(semi - p) : strlen(p);

		cols[i] = strndup(p, l);
		if (!cols[i])
			return ENOMEM;  /* the row holds what it has: inj_free */
		inj->ncols[inj->nrows - 1] = i + 1;
		p = semi ? semi + 1 : p + l;
	}
	return 0;
}

/* A number after "NAME=" in the first line's options. */
static int opt_num(const char *v, const char *name, unsigned long long *out,
		   const char *path, struct diag *d)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (end == v || (*end && *end != ',') || errno || *v == '-')
		return diag_set(d, path, 1, "%s= wants a whole number, not '%.40s'", name, v);
	return 0;
}

/* SIPp's first line: the order rows are used in (SEQUENTIAL, RANDOM or
 * USER), then ','-separated options: PRINTF=N (N virtual lines, each data
 * line's %d formats given the line's number), PRINTFOFFSET=N and
 * PRINTFMULTIPLE=N (the number is offset + line * multiple). Other
 * options are ignored, as SIPp does, with a warning. */
static int first_line(struct inj *inj, const char *line, const char *path, struct diag *d)
{
	static const char *const kw[] = {"SEQUENTIAL", "RANDOM", "USER"};
	unsigned long long n_virtual = 0, v;
	const char *o;
	size_t i, n;
	int err = 0;

	for (i = 0; i < 3; i++) {
		n = strlen(kw[i]);
		if (!strncasecmp(line, kw[i], n) && (!line[n] || line[n] == ',' || line[n] == ' '))
			break;
	}
	if (i == 3)
		return diag_set(d, path, 1, "the first line must be SEQUENTIAL, RANDOM or USER "
				"(the order rows are used in), not '%.60s'", line);
	inj->random = i == 1;
	inj->p_multiple = 1;
	for (o = strchr(line + n, ','); !err && o; o = strchr(o, ',')) {
		o++;
		if (!strncasecmp(o, "PRINTFOFFSET=", 13)) {
			err = opt_num(o + 13, "PRINTFOFFSET", &inj->p_offset, path, d);
		} else if (!strncasecmp(o, "PRINTFMULTIPLE=", 15)) {
			err = opt_num(o + 15, "PRINTFMULTIPLE", &inj->p_multiple, path, d);
		} else if (!strncasecmp(o, "PRINTF=", 7)) {
			err = opt_num(o + 7, "PRINTF", &v, path, d);
			if (!err && (v == 0 || v > 100000000))
				err = diag_set(d, path, 1, "PRINTF= wants from 1 to 100000000 "
					       "virtual lines, not %llu", v);
			n_virtual = v;
		} else if (*o && *o != ' ') {
			diag_warn(path, 1, "'%.*s': not an injection file option SIPp knows, "
				  "ignored", (int)strcspn(o, ","), o);
		}
	}
	inj->printf_mode = n_virtual > 0;
	inj->vrows = (unsigned)n_virtual;
	return err;
}

static int read_rows(struct inj *inj, FILE *f, const char *path, struct diag *d)
{
	char line[8192];
	int lineno = 0, err = 0;

	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			return diag_set(d, path, lineno, "line longer than %zu bytes",
					sizeof(line) - 2);
		chomp(line);
		if (lineno == 1) {
			/* a spreadsheet's UTF-8 byte order mark */
			err = first_line(inj, line + (strncmp(line, "\xef\xbb\xbf", 3) ? 0 : 3),
					 path, d);
			continue;
		}
		if (!line[0] || line[0] == '#' || !strncmp(line, "//", 2))
			continue;
		err = add_row(inj, line, lineno);
	}
	if (!err && ferror(f))
		return diag_set(d, path, 0, "cannot read the injection file: %s",
				errno == EISDIR ? "is a directory" : strerror(errno));
	if (!err && lineno == 0)
		return diag_set(d, path, 1, "empty injection file (its first line must be "
				"SEQUENTIAL, RANDOM or USER, then one line of ';'-separated "
				"fields per call)");
	if (!err && inj->nrows == 0)
		return diag_set(d, path, lineno, "no data lines in the injection file");
	return err;
}

/* A PRINTF file's fields: each '%' starts "%%" or a format of digits,
 * '.' and '-' ending in 'd' (SIPp's rule), checked here, not per call. */
static int check_printf(const struct inj *inj, const char *path, struct diag *d)
{
	unsigned i, j;
	const char *s;

	for (i = 0; inj->printf_mode && i < inj->nrows; i++)
		for (j = 0; j < inj->ncols[i]; j++)
			for (s = strchr(inj->rows[i][j], '%'); s; s = strchr(s, '%')) {
				size_t k = s[1] == '%' ? 1 : strspn(s + 1, "0123456789.-");

				if (s[1] != '%' && (s[k + 1] != 'd' || k > 16))
					return diag_set(d, path, (int)inj->lines[i], "field %u: "
							"'%.20s' is not a PRINTF format (%%d with "
							"digits, '.' or '-' before the d, or %%%%)",
							j, s);
				s += s[1] == '%' ? 2 : k + 2;
			}
	return 0;
}

int inj_load(struct inj *inj, const char *path, struct diag *d)
{
	FILE *f = fopen(path, "r");
	struct stat sb;
	int err;

	memset(inj, 0, sizeof(*inj));
	if (!f)
		return diag_set(d, path, 0, "cannot open injection file: %s", strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return diag_set(d, path, 0, "is a directory, not an injection file");
	}
	err = read_rows(inj, f, path, d);
	fclose(f);
	if (!err)
		err = check_printf(inj, path, d);
	if (err)
		inj_free(inj);
	inj->vstride = 1;
	if (!inj->printf_mode)
		inj->vrows = inj->nrows;
	return err;
}

int inj_check(const struct inj *inj, const char *path, int max_field, struct diag *d)
{
	unsigned i;

	for (i = 0; max_field >= 0 && i < inj->nrows; i++) {
		const char *row = inj->rows[i][0];

		if ((int)inj->ncols[i] > max_field)
			continue;
		/* the whole line is field0: another separator? */
		if (inj->ncols[i] == 1 && strpbrk(row, ",\t"))
			return diag_set(d, path, (int)inj->lines[i], "the scenario uses "
					"[field%d], but this line is one field: fields are "
					"separated by ';', not '%c'", max_field,
					*strpbrk(row, ",\t"));
		return diag_set(d, path, (int)inj->lines[i], "the scenario uses [field%d], "
				"but this line has %u field%s ([field0] to [field%u], separated "
				"by ';')", max_field, inj->ncols[i], inj->ncols[i] == 1 ? "" : "s",
				inj->ncols[i] - 1);
	}
	return 0;
}

int inj_shard(struct inj *inj, const char *path, unsigned k, unsigned n, struct diag *d)
{
	unsigned i, j, kept = 0;

	if (k >= inj->vrows)
		return diag_set(d, path, 0, "-shard %u/%u: the injection file has %u data lines, "
				"so this shard has none (give at least %u)", k, n, inj->vrows, n);
	inj->next = 0;
	if (inj->printf_mode) {  /* the virtual lines k, k + n, ...: rows stay */
		inj->vbase = k;
		inj->vstride = n;
		inj->vrows = (inj->vrows - k + n - 1) / n;
		return 0;
	}
	for (i = 0; i < inj->nrows; i++) {
		if (i % n == k) {
			inj->rows[kept] = inj->rows[i];
			inj->lines[kept] = inj->lines[i];
			inj->ncols[kept++] = inj->ncols[i];
			continue;
		}
		for (j = 0; j < inj->ncols[i]; j++)
			free(inj->rows[i][j]);
		free(inj->rows[i]);
	}
	inj->nrows = inj->vrows = kept;
	return 0;
}

void inj_free(struct inj *inj)
{
	unsigned i, j;

	for (i = 0; i < inj->nrows; i++) {
		for (j = 0; j < inj->ncols[i]; j++)
			free(inj->rows[i][j]);
		free(inj->rows[i]);
	}
	htab_free(&inj->ix);
	free(inj->ixn);
	free(inj->rows);
	free(inj->ncols);
	free(inj->lines);
	memset(inj, 0, sizeof(*inj));
}

int inj_names(const char *path, const char *name)
{
	const char *a = strrchr(path, '/'), *b = strrchr(name, '/');

	return !strcmp(path, name) || !strcmp(a ? a + 1 : path, b ? b + 1 : name);
}

int inj_index(struct inj *inj, unsigned col)
{
	unsigned i;

	inj->ixn = calloc(inj->nrows ? inj->nrows : 1, sizeof(*inj->ixn));
	if (!inj->ixn)
		return ENOMEM;
	inj->indexed = 1;
	inj->ix_field = col;
	for (i = 0; i < inj->nrows; i++) {
		const char *k = col < inj->ncols[i] ? inj->rows[i][col] : "";

		inj->ixn[i].row = i;
		if (htab_add(&inj->ix, &inj->ixn[i].hn, msg_hash(k, strlen(k))))
			return ENOMEM;
	}
	return 0;
}

long inj_lookup(const struct inj *inj, const char *key, size_t len)
{
	uint64_t h = msg_hash(key, len);
	const struct htab_node *n;
	long row = -1;

	if (!inj->indexed)
		return -1;
	for (n = htab_chain(&inj->ix, h); n; n = n->next) {
		const struct inj_ix *x = (const struct inj_ix *)n;
		const char *k;

		if (n->key != h)
			continue;
		k = inj->ix_field < inj->ncols[x->row] ? inj->rows[x->row][inj->ix_field] : "";
		if (strlen(k) == len && !memcmp(k, key, len) && (long)x->row > row)
			row = (long)x->row;
	}
	return row;
}

unsigned inj_next_row(struct inj *inj)
{
	unsigned r;

	if (!inj->vrows)
		return 0;
	if (inj->random)
		return (unsigned)random() % inj->vrows;
	r = inj->next;
	inj->next = (inj->next + 1) % inj->vrows;
	return r;
}

/* One PRINTF number as the format pct (flags '-' '0', width, '.precision',
 * then 'd'; checked at load) asks. */
static int add_number(struct buf *out, const char *pct, unsigned long long v)
{
	const char *p = pct + 1;
	int minus = 0, zero = 0, width = 0, prec = -1;

	for (; *p == '-' || *p == '0'; p++)
		*p == '-' ? (minus = 1) : (zero = 1);
	for (; *p >= '0' && *p <= '9' && width < 1000; p++)
		width = width * 10 + (*p - '0');
	if (*p == '.')
		for (prec = 0, p++; *p >= '0' && *p <= '9' && prec < 1000; p++)
			prec = prec * 10 + (*p - '0');
	if (minus)
		return buf_addf(out, "%-*.*llu", width, prec < 0 ? 1 : prec, v);
	if (zero && prec < 0)
		return buf_addf(out, "%0*llu", width, v);
	return buf_addf(out, "%*.*llu", width, prec < 0 ? 1 : prec, v);
}

int inj_field_add(const struct inj *inj, unsigned row, unsigned col, struct buf *out)
{
	unsigned long long line;
	const char *s, *pct;
	int err = 0;

	if (row >= inj->vrows || !inj->nrows)
		return 0;
	line = inj->vbase + (unsigned long long)row * inj->vstride;
	row = (unsigned)(line % inj->nrows);
	if (col >= inj->ncols[row])
		return 0;
	s = inj->rows[row][col];
	if (!inj->printf_mode)
		return buf_adds(out, s);
	/* formats checked at load (check_printf) */
	for (; !err && (pct = strchr(s, '%')); ) {
		if (pct[1] == '%') {
			err = buf_add(out, s, (size_t)(pct - s) + 1);
			s = pct + 2;
			continue;
		}
		err = buf_add(out, s, (size_t)(pct - s));
		if (!err)
			err = add_number(out, pct, inj->p_offset + line * inj->p_multiple);
		s = pct + 1 + strspn(pct + 1, "0123456789.-") + 1;
	}
	return err ? err : buf_adds(out, s);
}
