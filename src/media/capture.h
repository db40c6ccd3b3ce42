/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: --pcap, the SIP messages of failed calls as a pcap file. A
 * call holds copies of its messages while it runs (at most
 * MEDIA_CAP_PER_CALL); when it fails they are written with synthesized
 * IPv4/UDP headers (libpcap's dump API, link type RAW), else dropped. */
#ifndef SB_CAPTURE_H
#define SB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"

#define MEDIA_CAP_PER_CALL 64

struct tp_addr;
struct media_cap;

/* One held message (a singly linked list per call, oldest first). */
struct media_cap_msg {
	struct media_cap_msg *next;
	uint64_t unix_us;
	uint32_t src_ip, dst_ip;       /* IPv4, network order              */
	uint16_t src_port, dst_port;   /* host order                       */
	size_t len;
	char data[];
};

/* A call's held messages. */
struct media_cap_list {
	struct media_cap_msg *head, **tail;
	unsigned n;
};

int media_cap_open(struct media_cap **cp, const char *path, struct diag *d);
/* Flush and close; NULL is fine. Returns 0, or the errno of a write
 * that failed (a full disk): the file is then incomplete. */
int media_cap_close(struct media_cap *c);

/* Hold a copy of a message of a call (no-op past MEDIA_CAP_PER_CALL,
 * or for a non-IPv4 address). */
void media_cap_hold(struct media_cap_list *l, const void *buf, size_t len,
		    const struct tp_addr *src, const struct tp_addr *dst);
/* Write the list to the file and empty it. */
void media_cap_write(struct media_cap *c, struct media_cap_list *l);
/* Empty the list without writing. */
void media_cap_drop(struct media_cap_list *l);
/* Messages written so far. */
uint64_t media_cap_count(const struct media_cap *c);

#endif
