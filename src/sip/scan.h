/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan: msg_parse's fast path, private to src/sip/. */
#ifndef SB_SCAN_H
#define SB_SCAN_H

struct msg;

enum { MSG_SCAN_OK = 0, MSG_SCAN_UNSURE = -1, MSG_SCAN_BAD = -2 };

/* Fill m's fields from m->raw (m->len bytes and a NUL after them) when
 * the message is in the plain form the scanner knows; the fields then
 * point into m->raw, and hdr_end and body_off are set. Returns
 * MSG_SCAN_OK; MSG_SCAN_BAD when a NUL comes before the end of the
 * headers (the message is malformed whoever reads it); MSG_SCAN_UNSURE
 * when libosip2 must decide (m's fields are then partly written: the
 * caller resets them, and finds the end of the headers and any NUL in
 * them itself, since the scanner stopped short). */
int msg_scan(struct msg *m);

/* Where m's headers end (the first empty line: CRLF CRLF, else LF LF;
 * none: the whole message): m->hdr_end and m->body_off. For what the
 * scanner did not read. */
void msg_find_hdr_end(struct msg *m);

#endif
