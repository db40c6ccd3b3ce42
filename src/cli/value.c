/* SPDX-License-Identifier: GPL-2.0-or-later */
/* value: the parsers of the table's value kinds (whole numbers, rates,
 * times with units), each with its error message; shared by the table
 * (opts.c) and the callbacks (cb.c). */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/internal.h"

/* Bounds that keep the engine's arithmetic on these values in range:
 * calls per rate period (-r, -rate_increase, -rate_max), and a time. */
#define CLI_MAX_RATE 1e6
#define CLI_MAX_TIME_MS 1e12

int cli_uint(const char *opt, const char *s, unsigned *out, struct diag *d)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 0xffffffffUL)
		return diag_set(d, NULL, 0, "-%s: not a whole number: '%s'", opt, s);
	*out = (unsigned)v;
	return 0;
}

int cli_double(const char *opt, const char *s, double *out, struct diag *d)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		return diag_set(d, NULL, 0, "-%s: not a number: '%s'", opt, s);
	if (v > CLI_MAX_RATE)
		return diag_set(d, NULL, 0, "-%s: at most %.0f, not '%s'", opt, CLI_MAX_RATE, s);
	*out = v;
	return 0;
}

int cli_time(const char *opt, const char *s, uint64_t unit_ms, uint64_t *out, struct diag *d)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return diag_set(d, NULL, 0, "-%s: not a time: '%s'", opt, s);
	if (!strcmp(end, "ms"))
		unit_ms = 1;
	else if (!strcmp(end, "s"))
		unit_ms = 1000;
	else if (!strcmp(end, "m"))
		unit_ms = 60000;
	else if (!strcmp(end, "h"))
		unit_ms = 3600000;
	else if (*end)
		return diag_set(d, NULL, 0, "-%s: unknown time unit in '%s' (use ms, s, m or h)",
				opt, s);
	/* converting a double beyond uint64_t's range is undefined (UBSan) */
	if (v * (double)unit_ms > CLI_MAX_TIME_MS)
		return diag_set(d, NULL, 0, "-%s: at most %.0f ms (about 31 years), not '%s'",
				opt, CLI_MAX_TIME_MS, s);
	*out = (uint64_t)(v * (double)unit_ms + 0.5);
	return 0;
}
