/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_play: a pcap file read into memory for replay. Private to
 * src/media/ (rtp.c plays it). */
#ifndef SB_PCAP_PLAY_H
#define SB_PCAP_PLAY_H

#include <stdint.h>
#include "base/diag.h"

/* One UDP payload of the capture. */
struct media_pkt {
	uint64_t t_us;              /* capture time since the first packet  */
	uint32_t off;               /* of its payload in media_pcap.data    */
	uint16_t len;               /* payload bytes                        */
	int32_t port_off;           /* its UDP destination port minus the
	                               first packet's (RTCP: +1)            */
};

struct media_pcap {
	struct media_pcap *next;    /* in the run's list of loaded files    */
	char *path;                 /* as the scenario names it (owned)     */
	struct media_pkt *pkts;     /* owned                                */
	unsigned n;
	unsigned char *data;        /* owned: every payload, back to back   */
	uint64_t dur_us;            /* time of the last packet              */
};

/* Read every IPv4/IPv6 UDP packet of the file at path (libpcap's
 * offline reader). Returns 0, or EIO/EINVAL/ENOMEM with d's message set
 * (no file or line: the caller adds them). */
int media_pcap_read(struct media_pcap **pcp, const char *path, struct diag *d);
void media_pcap_free(struct media_pcap *pc);

#endif
