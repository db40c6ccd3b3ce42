/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: a user-facing error with its place (file:line), filled by the
 * scenario loader, the injection-file reader and the CLI. main prints it
 * as "file:line: error: msg" and exits 255. */
#ifndef SB_DIAG_H
#define SB_DIAG_H

struct diag {
	const char *file;  /* borrowed; NULL when the error has no file   */
	int line;          /* 1-based; 0 when unknown                     */
	char msg[256];     /* what is wrong, without trailing newline     */
};

/* Fill d (if not NULL) with file, line and a printf-style message.
 * Always returns EINVAL so callers can write `return diag_set(...)`. */
int diag_set(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Print "file:line: warning: msg" on stderr (used for lenient loading). */
void diag_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print the diag as "file:line: error: msg" (or "sipbench: error: msg"
 * when it has no file) on stderr. */
void diag_print(const struct diag *d);

#endif
