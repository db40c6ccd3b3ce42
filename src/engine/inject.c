/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject: SIPp injection files (-inf). First line: SEQUENTIAL, RANDOM or
 * USER; then one call's fields per line, separated by ';'. Lines that are
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

/* SIPp's first line: the order rows are used in, optionally followed by
 * ",PRINTF=..." options (not supported: refused by name). */
static int first_line(struct inj *inj, const char *line, const char *path, struct diag *d)
{
	static const char *const kw[] = {"SEQUENTIAL", "RANDOM", "USER"};
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(kw[i]);
		if (strncasecmp(line, kw[i], n) || (line[n] && line[n] != ',' && line[n] != ' '))
			continue;
		inj->random = i == 1;
		if (line[n] == ',')
			return diag_set(d, path, 1, "'%.60s': options after %s are not "
					"supported", line + n + 1, kw[i]);
		return 0;
	}
	return diag_set(d, path, 1, "the first line must be SEQUENTIAL, RANDOM or USER "
			"(the order rows are used in), not '%.60s'", line);
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
	if (err)
		inj_free(inj);
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

	if (k >= inj->nrows)
		return diag_set(d, path, 0, "-shard %u/%u: the injection file has %u data lines, "
				"so this shard has none (give at least %u)", k, n, inj->nrows, n);
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
	inj->nrows = kept;
	inj->next = 0;
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
	free(inj->rows);
	free(inj->ncols);
	free(inj->lines);
	memset(inj, 0, sizeof(*inj));
}

unsigned inj_next_row(struct inj *inj)
{
	unsigned r;

	if (!inj->nrows)
		return 0;
	if (inj->random)
		return (unsigned)random() % inj->nrows;
	r = inj->next;
	inj->next = (inj->next + 1) % inj->nrows;
	return r;
}

const char *inj_field(const struct inj *inj, unsigned row, unsigned col)
{
	if (row >= inj->nrows || col >= inj->ncols[row])
		return NULL;
	return inj->rows[row][col];
}
