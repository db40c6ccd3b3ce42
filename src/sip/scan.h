/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan: msg_parse's fast path, private to src/sip/. */
#ifndef SB_SCAN_H
#define SB_SCAN_H

struct msg;

/* Fill m's fields from m->raw (m->len bytes, NUL-ended, no NUL inside)
 * when the message is in the plain form the scanner knows; the fields
 * then point into m->raw. Returns 0, or -1 when libosip2 must decide
 * (m's fields are then partly written: the caller resets them). */
int msg_scan(struct msg *m);

#endif
