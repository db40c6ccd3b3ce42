/* SPDX-License-Identifier: GPL-2.0-or-later */
/* read: a report file into a jansson tree, and the typed members the
 * merge reads from it, each error naming the file and the element. The
 * only file of sipbench that parses JSON. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "merge/merge_int.h"

#define MAX_FILE (256 << 20)

/* Can path be read as a report? Refused before jansson sees it: a
 * directory, an empty file, one too large to be a report. */
static int check_file(FILE *f, const char *path, struct diag *d)
{
	struct stat sb;

	if (fstat(fileno(f), &sb))
		return diag_set(d, path, 0, "cannot read: %s", strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return diag_set(d, path, 0, "cannot read: %s", strerror(EISDIR));
	if (S_ISREG(sb.st_mode) && !sb.st_size)
		return diag_set(d, path, 0, "empty file, not a report");
	if (sb.st_size > MAX_FILE)
		return diag_set(d, path, 0, "larger than 256 MB");
	return 0;
}

int mrg_load(json_t **rootp, const char *path, const char *text, size_t len,
	     struct diag *d)
{
	json_error_t e;
	json_t *root;
	FILE *f = NULL;
	int err = 0;

	if (!text && !(f = fopen(path, "rb")))
		return diag_set(d, path, 0, "cannot read: %s", strerror(errno));
	if (f && (err = check_file(f, path, d)) != 0)
		goto out;
	/* a repeated member name is an error, as a number beyond 2^63 - 1 is */
	root = f ? json_loadf(f, JSON_REJECT_DUPLICATES, &e) :
	       json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root && json_error_code(&e) == json_error_out_of_memory) {
		err = ENOMEM;
	} else if (!root) {
		err = diag_set(d, path, e.line > 0 ? e.line : 0, "%s", e.text);
		if (d && e.line > 0 && e.column > 0)
			d->col = e.column;
	} else {
		*rootp = root;
	}
out:
	if (f)
		fclose(f);
	return err;
}

int mrg_bad(const struct mrd *rd, const char *fmt, ...)
{
	char msg[sizeof(rd->d->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(rd->d, rd->path, 0, "%s%s%s", rd->at, rd->at[0] ? ": " : "", msg);
}

json_t *mrg_field(const struct mrd *rd, const json_t *o, const char *key, json_type t)
{
	json_t *v = json_object_get(o, key);

	if (v && (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)) ||
		  (t == JSON_REAL && json_is_number(v))))
		return v;
	mrg_bad(rd, "\"%s\" is %s (a report of sipbench %s or later is needed)", key,
		v ? "not of the expected type" : "missing", PACKAGE_VERSION);
	return NULL;
}

int mrg_uint(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return EINVAL;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int mrg_get_u64(const struct mrd *rd, const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = mrg_field(rd, o, key, JSON_REAL);

	if (!v)
		return EINVAL;
	if (mrg_uint(v, out))
		return mrg_bad(rd, "\"%s\": want a whole number of at least 0", key);
	return 0;
}

int mrg_add_u64(const struct mrd *rd, const json_t *o, const char *key, uint64_t *sum)
{
	uint64_t v = 0;

	if (mrg_get_u64(rd, o, key, &v))
		return EINVAL;
	*sum += v;
	return 0;
}

int mrg_get_str(const struct mrd *rd, const json_t *o, const char *key, const char **out)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!(v = mrg_field(rd, o, key, JSON_STRING)))
		return EINVAL;
	*out = json_string_value(v);
	return 0;
}

char *mrg_text(const json_t *v)
{
	/* ", " and ": " between items, reals in at most 15 digits: what the
	 * reports write (%.3f) reads back the same */
	return json_dumps(v, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
}
