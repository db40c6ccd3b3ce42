/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace: the -trace_msg writer, one for the engine and the embedded
 * target. Each message as SIPp writes it, a dashed line with the time,
 * then "TCP message sent (511 bytes)" or "TCP message received [309]
 * bytes", named after the transport it went by, then the message; sipbench
 * adds the peer's address and, on the dashed line, who traced it. */
#ifndef SB_TRACE_H
#define SB_TRACE_H

#include <stddef.h>
#include <stdio.h>
#include "transport/tp.h"

/* Local time with microseconds, "2026-12-02 07:03:42.119274". */
void msg_trace_stamp(char *out, size_t n);

/* Write one message to f (NULL: nothing). who: "" for the engine,
 * "target" for the embedded target. sent: 1 sent to peer, 0 received
 * from it, over proto. */
void msg_trace(FILE *f, const char *who, enum tp_proto proto, int sent, const char *buf,
	       size_t len, const struct tp_addr *peer);

/* -trace_shortmsg: one line per message, as SIPp writes it: the time
 * stamp (date, time, epoch), S (sent) or R (received), the Call-ID,
 * "CSeq:" and the CSeq, the first line, separated by tabs. */
void msg_trace_short(FILE *f, int sent, const char *buf, size_t len);

#endif
