/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_int: the media engine's private state, shared by rtp.c (sockets,
 * receive and echo, parties) and play.c (pcap plays and rtp_stream's
 * sends). Not for use outside src/media/. play.c calls rtp.c, never the
 * reverse. */
#ifndef SB_MEDIA_RTP_INT_H
#define SB_MEDIA_RTP_INT_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include "loop/loop.h"
#include "media/pcap_play.h"
#include "media/rtp.h"
#include "media/srtp.h"

#define RTP_HDR 12
#define RX_BURST 64               /* datagrams read per wake-up and socket */
#define PKT_MAX 65536
#define PKT_BUF ((PKT_MAX + SDES_TRAILER_MAX + 15) / 16 * 16)

union maddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Receive side of one SSRC, for loss (RFC 3550 A.1, A.3). */
struct rx_track {
	int started;
	uint32_t ssrc;
	uint32_t base;               /* first sequence number              */
	uint32_t cycles;             /* wraps of the sequence number << 16 */
	uint16_t max_seq;            /* highest seen                        */
	uint64_t received;
};

/* One media socket: a party's (loss tracked) or a shared echo one. */
struct msock {
	int fd;                      /* -1: not open                        */
	unsigned port;
	int echo;                    /* send back what arrives              */
	struct media *m;
	struct rx_track rx;
	int track;                   /* keep rx (a party's socket)          */
	struct media_party *party;   /* its owner (SRTP), NULL: shared      */
	enum media_kind kind;
};

/* A play in progress: its timer sends what is due. */
struct play {
	struct tmr tmr;
	struct media_party *party;
	enum media_kind kind;
	const struct media_pcap *pc; /* NULL: not playing                   */
	unsigned next;               /* next packet to send                 */
	uint64_t start_us;           /* loop time of the capture's 0        */
	int have_in0;                /* seen the capture's first RTP header */
	uint16_t seq_in0;            /* its sequence number and timestamp   */
	uint32_t ts_in0;
	uint16_t seq_base;           /* what seq_in0/ts_in0 become          */
	uint32_t ts_base;
};

/* The sender state of one kind: one SSRC per party and kind, kept across
 * plays so a second play continues the first. */
struct sender {
	uint32_t ssrc;
	uint16_t seq_next;
	uint32_t ts_last;
	uint64_t last_us;            /* when ts_last was sent, 0: never     */
	unsigned clock_hz;
};

struct media_party {
	struct media *m;
	struct msock sock[MEDIA_NKINDS];
	struct play play[MEDIA_NKINDS];
	struct sender tx[MEDIA_NKINDS];
	int echo_set[MEDIA_NKINDS];  /* -1: as -rtp_echo, else 0/1          */
	struct media_sdp peer;
	int have_peer;
	uint64_t seed;
	struct sdes *sdes;           /* SRTP keys and sessions, or NULL     */
};

struct media {
	struct loop *loop;
	char ip[64];
	int family;
	unsigned first_port, next_port;
	unsigned last_port;          /* -max_rtp_port: wrap above it        */
	int buf_bytes;               /* -rtp_buffsize, 0: the kernel's      */
	int echo;                    /* -rtp_echo                           */
	struct msock shared[2];      /* -rtp_echo: -mp and -mp + 2          */
	struct media_pcap *pcaps;
	struct media_stats st;
	uint64_t salt;               /* for SSRCs and initial numbers       */
	unsigned char *pkt;          /* the one packet buffer of the loop's
	                                thread: PKT_BUF bytes, room for an
	                                SRTP tag, aligned for libsrtp      */
};

/* rtp.c */
int media_is_rtp(const unsigned char *b, size_t n);
uint64_t media_mix(uint64_t x);
int media_make_addr(const char *ip, unsigned port, union maddr *a, socklen_t *len);

#endif
