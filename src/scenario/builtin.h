/* SPDX-License-Identifier: GPL-2.0-or-later */
/* builtin: the built-in scenarios (-sn NAME, -sd NAME). */
#ifndef SB_BUILTIN_H
#define SB_BUILTIN_H

/* The XML text of built-in scenario name, or NULL if there is none. */
const char *scn_builtin(const char *name);
/* The names, NULL-terminated. */
const char *const *scn_builtin_names(void);

#endif
