/* SPDX-License-Identifier: GPL-2.0-or-later */
/* builtin: the built-in scenarios (-sn NAME, -sd NAME). */
#ifndef SB_BUILTIN_H
#define SB_BUILTIN_H

/* The XML text of built-in scenario name, or NULL if there is none. */
const char *scn_builtin(const char *name);
/* The names, NULL-terminated. */
const char *const *scn_builtin_names(void);

/* builtin_3pcc.c: the 3PCC roles */
extern const char scn_3pcc_ca_xml[], scn_3pcc_cb_xml[], scn_3pcc_a_xml[], scn_3pcc_b_xml[];

#endif
