/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject: SIPp injection files (-inf). First line: SEQUENTIAL, RANDOM or
 * USER; then one call's fields per line, separated by ';'. Lines that are
 * empty or start with '#' or "//" are skipped. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int add_row(struct inj *inj, char *line)
{
	unsigned n = 1, i = 0;
	char **cols, *p, ***rows;
	unsigned *nc;

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
	if (!cols || !rows || !nc) {
		free(cols);
		return ENOMEM;
	}
	for (p = line; i < n; i++) {
		char *semi = strchr(p, ';');
		size_t l = semi ? (size_t)(semi - p) : strlen(p);

		cols[i] = strndup(p, l);
		if (!cols[i])
			return ENOMEM;
		p = semi ? semi + 1 : p + l;
	}
	inj->rows[inj->nrows] = cols;
	inj->ncols[inj->nrows++] = n;
	return 0;
}

static int read_rows(struct inj *inj, FILE *f, const char *path, struct diag *d)
{
	char line[8192];
	int lineno = 0, err = 0;

	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		chomp(line);
		if (lineno == 1) {
			if (!strncasecmp(line, "RANDOM", 6))
				inj->random = 1;
			else if (strncasecmp(line, "SEQUENTIAL", 10) &&
				 strncasecmp(line, "USER", 4))
				return diag_set(d, path, 1,
					"first line must be SEQUENTIAL, RANDOM or USER, not '%.60s'", line);
			continue;
		}
		if (!line[0] || line[0] == '#' || !strncmp(line, "//", 2))
			continue;
		err = add_row(inj, line);
	}
	if (!err && inj->nrows == 0)
		return diag_set(d, path, lineno, "no data lines in the injection file");
	return err;
}

int inj_load(struct inj *inj, const char *path, struct diag *d)
{
	FILE *f = fopen(path, "r");
	int err;

	memset(inj, 0, sizeof(*inj));
	if (!f)
		return diag_set(d, path, 0, "cannot open injection file: %s", strerror(errno));
	err = read_rows(inj, f, path, d);
	fclose(f);
	if (err)
		inj_free(inj);
	return err;
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
