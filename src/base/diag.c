/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: user-facing errors and warnings with file:line. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "base/diag.h"

int diag_set(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return EINVAL;
	d->file = file;
	d->line = line;
	d->col = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return EINVAL;
}

void diag_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (file && line > 0)
		fprintf(stderr, "%s:%d: warning: ", file, line);
	else if (file)
		fprintf(stderr, "%s: warning: ", file);
	else
		fprintf(stderr, "sipbench: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void diag_print(const struct diag *d)
{
	if (d->file && d->line > 0 && d->col > 0)
		fprintf(stderr, "%s:%d:%d: error: %s\n", d->file, d->line, d->col, d->msg);
	else if (d->file && d->line > 0)
		fprintf(stderr, "%s:%d: error: %s\n", d->file, d->line, d->msg);
	else if (d->file)
		fprintf(stderr, "%s: error: %s\n", d->file, d->msg);
	else
		fprintf(stderr, "sipbench: error: %s\n", d->msg);
}
