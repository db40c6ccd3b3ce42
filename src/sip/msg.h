/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg: one received SIP message, parsed once: by the scanner (scan.c) when
 * it is in the plain form, else by libosip2 (msg.c is the only file that
 * calls osip_message_*). Exposes the few fields dispatch and the
 * interpreter need, and raw header lookup for [last_*] keywords. */
#ifndef SB_MSG_H
#define SB_MSG_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* A pointer + length into the message's own copy of the datagram. */
struct msg_pl {
	const char *p;
	size_t len;
};

struct msg {
	char *raw;               /* copy of the datagram, NUL-ended, in the
	                            same block as the struct                 */
	size_t len;
	void *om;                /* osip_message_t while parsing, then NULL  */
	char *strs;              /* owned copies of the fields below when
	                            libosip2 parsed (else they point in raw) */
	int is_request;
	int status;              /* response code, 0 for a request           */
	char method[24];         /* request method or ""                     */
	char cseq_method[24];    /* CSeq method                              */
	uint32_t cseq;           /* CSeq number                              */
	struct msg_pl call_id;   /* Call-ID value (raw bytes)                */
	struct msg_pl to_tag;    /* To tag, len 0 if none                    */
	struct msg_pl from_tag;  /* From tag, len 0 if none                  */
	struct msg_pl branch;    /* top Via branch, len 0 if none            */
	struct msg_pl ruri;      /* Request-URI (requests)                   */
	struct msg_pl ruri_user; /* user part of the Request-URI, may be 0   */
	struct msg_pl from_user; /* user part of the From URI, may be 0      */
	size_t hdr_end;          /* offset of the empty line ending headers  */
	size_t body_off;         /* offset of the body (== len if none)      */
	uint64_t hash;           /* FNV-1a of the whole datagram             */
};

/* Initialise libosip2's parser; call once before msg_parse. */
int msg_init(void);

/* Parse a datagram. On success *mp owns a copy of buf. A message in the
 * plain form (CRLF lines, no folding, one each of From, To, Call-ID,
 * CSeq, sip: URIs without escapes, a Content-Length that matches) is
 * read by a scanner of our own; any other goes through libosip2.
 * Returns EBADMSG when libosip2 rejects it or a mandatory header
 * (Call-ID, CSeq, From, To, Via) is missing, ENOMEM on allocation
 * failure. The msg_pl fields are not NUL-ended. */
int msg_parse(struct msg **mp, const char *buf, size_t len);
/* The same, always through libosip2's full parse (which checks every
 * header it knows): for the embedded target, which must refuse what a
 * proxy refuses. */
int msg_parse_strict(struct msg **mp, const char *buf, size_t len);
void msg_free(struct msg *m);

/* Append every occurrence of header `name` (case-insensitive; compact
 * forms match their long names) to out. With value_only, only the
 * values, comma-joined; otherwise "Name: value" lines joined by CRLF,
 * using `name` as written. Returns the number of occurrences found. */
int msg_hdr_append(const struct msg *m, const char *name, size_t nlen,
		   int value_only, struct buf *out);

/* The first occurrence's value (trimmed) or len 0. */
struct msg_pl msg_hdr_first(const struct msg *m, const char *name, size_t nlen);

/* Build a minimal response to request m (Via, From, To with tag when
 * to_tag is given and To has none, Call-ID, CSeq copied) into out. */
int msg_build_response(const struct msg *m, int code, const char *reason,
		       const char *to_tag, struct buf *out);

/* Build the ACK for a non-2xx final response m to an INVITE sent to ruri
 * (RFC 3261 17.1.1.3: same top Via, From, Call-ID and CSeq number; the To
 * of the response). */
int msg_build_ack(const struct msg *m, const char *ruri, size_t rlen, struct buf *out);

/* A request outside any template (a default BYE or CANCEL): its first
 * line, Via, From, To, Call-ID and CSeq; Max-Forwards 70, no body. A
 * header whose value is empty is left out. */
struct msg_req {
	const char *method;
	struct msg_pl ruri, via, route, from, to, call_id;  /* route: a Route
	                                  header's value, len 0: none */
	uint32_t cseq;
};
int msg_build_req(const struct msg_req *q, struct buf *out);

/* Build a request in m's dialog: method to ruri, with the given Via value
 * (NULL: m's top Via), m's From, To and Call-ID, and CSeq cseq method.
 * Used for the default BYE and CANCEL of an aborted call. */
int msg_build_request(const struct msg *m, const char *method, const char *ruri,
		      size_t rlen, const char *via, uint32_t cseq, struct buf *out);
/* The tag of the From (from != 0) or To header in the rendered message
 * buf (len bytes, not necessarily NUL-ended): 0 with *tag pointing into
 * buf, or -1 when that header has no tag. */
int msg_raw_tag(const char *buf, size_t len, int from, struct msg_pl *tag);
/* The URI inside the first Contact of m (without <>), len 0 if none. */
struct msg_pl msg_contact_uri(const struct msg *m);

uint64_t msg_hash(const char *p, size_t len);

/* The part of m's Call-ID that names its call: what follows the first
 * "///" when it has one (SIPp's convention: "anything///[call_id]" is
 * still the call's), else the whole Call-ID; with whole (-callid_slash_ign)
 * always the whole Call-ID. */
struct msg_pl msg_call_key(const struct msg *m, int whole);

/* SIPp's view of a header for <ereg search_in="hdr">: the text of m's
 * nth header called name (1: the first; SIPp's occurrence=) from just
 * after its name (colon included) to the end of that line; with name
 * ending in ':', from after the colon. Compact forms match. {NULL, 0}
 * when m has fewer such headers. */
struct msg_pl msg_hdr_after_name(const struct msg *m, const char *name, size_t nlen,
				 unsigned nth);

/* 0 when the host of sip:/sips: URI p (len) is an IPv6 address without
 * its brackets (RFC 5118 4.2), else 1 (other schemes: 1). */
int msg_uri_host_ok(const char *p, size_t len);

/* A response with the given code to the request in datagram buf that
 * did not parse (or that we refuse before parsing it): its Via, From,
 * To (with to_tag added when it has no tag), Call-ID and CSeq lines
 * copied as they are, whichever are there. EBADMSG when buf is not a
 * request or has no Via. */
int msg_build_reject(const char *buf, size_t len, int code, const char *reason,
		     const char *to_tag, const char *extra, struct buf *out);

#endif
