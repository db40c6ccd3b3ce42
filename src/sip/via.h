/* SPDX-License-Identifier: GPL-2.0-or-later */
/* via: the NAT parameters of the top Via (RFC 3261 18.2.1, RFC 3581):
 * a server stamps received=/rport= into a request it receives, a client
 * reads them back from a response to learn the address it was seen
 * from. Works on raw bytes; no libosip2. */
#ifndef SB_VIA_H
#define SB_VIA_H

#include <stddef.h>
#include "transport/tp.h"

struct buf;
struct msg;

/* The server side of RFC 3581 section 4 for the datagram buf of len
 * bytes that came from src. When buf is a request whose top Via asks
 * for it, a copy goes into out (reset first) with the top Via stamped,
 * and *stamped is set to 1:
 *   - ";rport" without a value gets the source port (rport=PORT) and a
 *     received= with the source address, even when it equals sent-by;
 *   - otherwise received= is added when the sent-by host is not the
 *     source address (RFC 3261 18.2.1), and nothing when it is.
 * A received= already present is kept. Anything else (a response, no
 * Via, a Via we cannot read) leaves *stamped 0 and out untouched: the
 * caller uses buf as it is. Returns 0, or ENOMEM. */
int msg_via_stamp(const char *buf, size_t len, const struct tp_addr *src,
		  struct buf *out, int *stamped);

/* The address a response's top Via says we were seen from: received=
 * (else the sent-by host) and rport= (else the sent-by port). Returns 0
 * with *a set when the top Via has received= or rport= with a value,
 * ENOENT when it has neither (or they do not parse). */
int msg_via_public(const struct msg *m, struct tp_addr *a);

#endif
