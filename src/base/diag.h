/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: a user-facing error with its place (file:line, or file:line:col
 * where a column is known: sipbench merge's JSON), filled by the scenario
 * loader, the injection-file reader, the CLI and the merge. main prints
 * it as "file:line: error: msg" and exits 255. */
#ifndef SB_DIAG_H
#define SB_DIAG_H

struct diag {
	const char *file;  /* borrowed; NULL when the error has no file   */
	int line;          /* 1-based; 0 when unknown                     */
	int col;           /* 1-based; 0 when unknown (diag_set sets 0)   */
	char msg[256];     /* what is wrong, without trailing newline     */
};

/* Fill d (if not NULL) with file, line and a printf-style message.
 * Always returns EINVAL so callers can write `return diag_set(...)`. */
int diag_set(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Print "file:line: warning: msg" on stderr (used for lenient loading). */
void diag_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print the diag as "file:line: error: msg" ("file:line:col: ..." with
 * a column, "sipbench: error: msg" when it has no file) on stderr. */
void diag_print(const struct diag *d);

#endif
