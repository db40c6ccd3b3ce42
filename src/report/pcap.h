/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap: the --pcap report, the SIP messages of failed calls as a pcap
 * file. A call holds copies of its messages while it runs (at most
 * RPT_PCAP_PER_CALL); when it fails they are written with synthesized
 * IPv4/UDP headers (libpcap's dump API, link type RAW), else dropped.
 * The same held messages make -trace_calldebug's text (traces.c); an
 * IPv6 message is held for that but left out of the pcap file. */
#ifndef SB_RPT_PCAP_H
#define SB_RPT_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"

#define RPT_PCAP_PER_CALL 64

struct tp_addr;
struct rpt_pcap;

/* One held message (a singly linked list per call, oldest first). */
struct rpt_pcap_msg {
	struct rpt_pcap_msg *next;
	uint64_t unix_us;
	uint32_t src_ip, dst_ip;       /* IPv4, network order              */
	uint16_t src_port, dst_port;   /* host order                       */
	int v4;                        /* both addresses IPv4 (else not in pcap) */
	int sent;                      /* we sent it (else received)       */
	char peer[72];                 /* the other end, "ip:port"         */
	size_t len;
	char data[];
};

/* A call's held messages. */
struct rpt_pcap_list {
	struct rpt_pcap_msg *head, **tail;
	unsigned n;
};

int rpt_pcap_open(struct rpt_pcap **cp, const char *path, struct diag *d);
/* Flush and close; NULL is fine. Returns 0, or the errno of a write
 * that failed (a full disk): the file is then incomplete. */
int rpt_pcap_close(struct rpt_pcap *c);

/* Hold a copy of a message of a call, sent or received (no-op past
 * RPT_PCAP_PER_CALL). */
void rpt_pcap_hold(struct rpt_pcap_list *l, const void *buf, size_t len,
		   const struct tp_addr *src, const struct tp_addr *dst, int sent);
/* Write the list to the file and empty it. */
void rpt_pcap_write(struct rpt_pcap *c, struct rpt_pcap_list *l);
/* Empty the list without writing. */
void rpt_pcap_drop(struct rpt_pcap_list *l);
/* Messages written so far. */
uint64_t rpt_pcap_count(const struct rpt_pcap *c);

#endif
