/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp: media of a run. Each party that uses media gets its own UDP
 * sockets (audio, video) on the -mi address, on even ports from -mp up;
 * it plays pcap files to the address its peer's SDP names (with the
 * capture's timing, on loop timers: no thread per call), echoes what it
 * receives when asked, and counts RTP sent, received, echoed and lost.
 * -rtp_echo also opens SIPp's shared echo sockets on -mp and -mp + 2.
 * Owns no SIP: the engine hands it SDP bodies and scenario commands. */
#ifndef SB_RTP_H
#define SB_RTP_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"

struct loop;
struct media;
struct media_party;
struct media_pcap;

enum media_kind { MEDIA_AUDIO, MEDIA_VIDEO, MEDIA_NKINDS };

/* Counters of a run (all parties, all sockets). */
struct media_stats {
	uint64_t rtp_sent;          /* RTP packets sent by pcap plays       */
	uint64_t rtp_recv;          /* RTP packets received                 */
	uint64_t rtp_echoed;        /* of those, sent back to their sender  */
	uint64_t rtp_lost;          /* missing sequence numbers (RFC 3550
	                               A.3), per party and SSRC at its end  */
	uint64_t plays;             /* pcap plays started                   */
	uint64_t plays_done;        /* pcap plays that sent every packet    */
	uint64_t no_peer;           /* plays without a peer address (SDP)   */
	uint64_t send_errors;       /* sends the kernel refused             */
	uint64_t sockets;           /* media sockets opened                 */
	uint64_t srtp_protected;    /* SRTP packets sent (srtp.h)           */
	uint64_t srtp_unprotected;  /* SRTP packets authenticated (and
	                               decrypted) on receipt                */
	uint64_t srtp_auth_fail;    /* received packets whose tag failed    */
	uint64_t srtp_replay_fail;  /* received packets seen before         */
	uint64_t srtp_errors;       /* other SRTP failures (no key, ...)    */
};

struct media_opts {
	const char *ip;             /* -mi, or the local IP                 */
	unsigned port;              /* -mp: first media port, 0: any        */
	unsigned last_port;         /* -max_rtp_port: highest, 0: 65534     */
	int buf_bytes;              /* -rtp_buffsize: SO_SNDBUF/SO_RCVBUF of
	                               the calls' sockets, 0: the kernel's  */
	int echo;                   /* -rtp_echo                            */
};

/* Start the media of a run on l. With o->echo, binds the shared echo
 * sockets (ip:port and ip:port+2). Returns 0, or an errno with d filled
 * ("cannot bind ..."). */
int media_alloc(struct media **mp, struct loop *l, const struct media_opts *o,
		struct diag *d);
/* Stops every play, closes the shared sockets, frees the loaded pcaps.
 * Parties must be freed before. NULL is fine. */
void media_free(struct media *m);
const struct media_stats *media_get_stats(const struct media *m);

/* Load a pcap file once (path as given; a relative one is also tried
 * against dir, the scenario's directory, when dir is not NULL). Later
 * calls with the same path return the same one. Keeps the UDP payloads
 * of every IPv4/IPv6 UDP packet (Ethernet, Linux cooked, raw IP, BSD
 * loopback link types) with their time from the first. Returns 0, or
 * an errno with d's message set (file and line are the caller's). */
int media_pcap_load(struct media *m, const char *path, const char *dir,
		    const struct media_pcap **pcp, struct diag *d);
/* One loaded before with media_pcap_load, or NULL. */
const struct media_pcap *media_pcap_find(const struct media *m, const char *path);
unsigned media_pcap_count(const struct media_pcap *pc);
uint64_t media_pcap_duration_us(const struct media_pcap *pc);

/* A party's media: created on first use by any call below (*pp NULL),
 * owned by the caller, freed with media_party_free. seed makes its SSRCs
 * (a call number, say). */
/* The local port of the party's kind socket, opening it on first use
 * (the next free even port from -mp). Returns 0 or an errno. */
int media_party_port(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, unsigned *port);
/* A received SDP body: the connection address (session or media level
 * c=) and the port of the first m=audio and m=video lines become the
 * destinations of later plays. A body that is not SDP changes nothing. */
int media_party_sdp(struct media *m, struct media_party **pp, uint64_t seed,
		    const char *body, size_t len);
/* Play pc on the party's kind socket to the peer's kind address, now,
 * keeping the capture's gaps; a play of the same kind still running is
 * replaced. RTP headers are rewritten: see docs/internals/media.md. */
int media_party_play(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, const struct media_pcap *pc);
/* Echo what the party's kind socket receives (on = 1) or stop (0).
 * The socket is opened if it was not. */
int media_party_echo(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, int on);
/* Render an SDES keyword of the party (srtp.h: media_sdes_keyword), making the
 * party's SRTP state. m NULL: a key is drawn but kept nowhere. */
int media_party_sdes(struct media *m, struct media_party **pp, uint64_t seed,
		     enum media_kind k, int idx, int what, int suite, int reuse,
		     char *out, size_t size);

/* Send one RTP packet made by rtpstream.c from the party's kind socket
 * to its peer's kind address; counts rtp_sent, or send_errors. Returns 0,
 * ENOTCONN (no peer address for that kind yet, or no socket), or the
 * send's errno. */
int media_party_send(struct media_party *p, enum media_kind k, const void *pkt,
		     size_t len);
/* Stop its plays, count what was lost, close its sockets. NULL is fine. */
void media_party_free(struct media_party *p);

/* What a peer's SDP says about where to send: per kind, the connection
 * address (the media-level c= line, else the session-level one) and the
 * port of the first m= line of that kind; port 0: none (or refused). */
struct media_sdp {
	char ip[MEDIA_NKINDS][64];
	unsigned port[MEDIA_NKINDS];
};

/* Parse the c= and m= lines of an SDP body (RFC 8866 5.7, 5.14). Returns
 * 0, or EINVAL when body does not start as SDP ("v=" line). */
int media_sdp_peer(const char *body, size_t len, struct media_sdp *out);

#endif
