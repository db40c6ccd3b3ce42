/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target/internal.h: what the files of target/ share and nobody else
 * sees: the target, its server transactions and client branches, its
 * location bindings, and the functions each file offers the ones above
 * it. Each file calls only files below it (docs/internals/target.md):
 *
 *   proxy.c -> fwd.c -> txn.c, registrar.c -> send.c -> uri.c
 *
 * proxy.c receives and refuses, fwd.c routes and relays, txn.c keeps
 * transactions and their timers, registrar.c the bindings and nonces,
 * send.c builds and sends, uri.c reads URIs and addresses. */
#ifndef SB_TARGET_INTERNAL_H
#define SB_TARGET_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include "base/buf.h"
#include "base/htab.h"
#include "base/list.h"
#include "loop/loop.h"
#include "sip/msg.h"
#include "sip/txn.h"
#include "target/target.h"
#include "transport/tp.h"

#define TGT_TXN_2XX_MS 5000    /* how long an INVITE answered 2xx
                                  lingers for its repeated INVITEs      */
#define TGT_NONCE_LIFE_S 300
#define TGT_SWEEP_MS 5000      /* how often expired bindings are freed  */
#define TGT_MAX_BRANCHES 2

struct ptx;

/* A client branch: the request forwarded once, by our Via branch. */
struct pbranch {
	struct htab_node node;     /* in target.by_branch, key: our branch   */
	struct ptx *t;
	char id[64];               /* our Via branch                         */
	char *req;                 /* the forwarded request (owned)          */
	size_t len;
	char ruri[256];
	struct tp_addr to;
	int status;                /* last response status, 0 none           */
	int canceled;              /* we sent CANCEL on it                   */
	struct txn txn;            /* timers A/B or E/F (sip/txn.h)          */
	struct tmr rtx;
};

/* A server transaction: one request from upstream, forwarded on at most
 * TGT_MAX_BRANCHES branches one after the other. */
struct ptx {
	struct htab_node node;     /* in target.by_txn, key: branch + method */
	struct lst_node le;        /* in target.txns                         */
	struct target *tg;
	struct msg *req;           /* as received (owned)                    */
	char key[256];             /* upstream branch, method, Call-ID       */
	struct tp_addr from;
	char *last;                /* last response sent upstream (owned)    */
	size_t last_len;
	int final;                 /* final status sent upstream, 0 none     */
	int canceled;              /* upstream sent CANCEL                   */
	int is_invite;
	char callee[64];           /* user the INVITE was for                */
	int forwarded;             /* the forwarding rule was used           */
	struct pbranch br[TGT_MAX_BRANCHES];
	unsigned nbr;
	struct tmr ring;           /* no-answer timer (INVITE)               */
	struct tmr life;           /* frees the transaction                  */
};

/* A location binding: user -> contact. */
struct ploc {
	struct htab_node node;     /* in target.by_user, key: user           */
	char user[64];
	char contact[256];         /* the registered Contact URI             */
	struct tp_addr addr;       /* where it points                        */
	uint64_t expires_ms;       /* loop clock; UINT64_MAX: static         */
};

struct tgt_counters {
	unsigned long long requests, responses, malformed, registered, challenged,
		forwarded_calls, not_found, loops, too_many_hops, retransmissions,
		canceled, stateless, expired, rejected, refused;
	unsigned long long calls;     /* new INVITEs routed on to a binding  */
	unsigned long long answered;  /* of those, answered 2xx (first one)  */
};

/* Where the target's messages go instead of its socket (unit tests). */
typedef void (tgt_send_h)(void *arg, const char *buf, size_t len, const struct tp_addr *to);

struct target {
	struct loop *loop;
	struct tp_sock *sock;      /* NULL in a unit test (send_h set)       */
	enum tp_proto proto;
	const struct tgt_conf *conf;
	char ip[64];
	unsigned port;
	unsigned token;            /* makes our branches and tags ours       */
	unsigned long long seq;
	struct htab by_txn, by_branch, by_user;
	struct lst_node txns;
	struct buf out;            /* the message being built                */
	struct buf stamp;          /* a request with received=/rport= added  */
	FILE *log;
	tgt_send_h *send_h;        /* set: sends go here, not to sock        */
	void *send_arg;
	struct tgt_counters n;
	struct txn_conf tc;        /* T1, T2, T4 (zeroed: RFC 3261's)        */
	struct tmr sweep;          /* frees expired bindings                 */
};

static inline uint64_t tgt_key(const char *p, size_t len)
{
	return msg_hash(p, len);
}

/* ---- proxy.c: the target's life and its input ---- */
/* The target without a socket: buffers, tables, the sweep timer. The
 * caller sets ip, port and a socket or send_h. 0 or ENOMEM. */
int tgt_init(struct target *tg, struct loop *l, const struct tgt_conf *c);
/* What tgt_init and the socket hold, not tg itself. */
void tgt_fini(struct target *tg);
/* One datagram (or framed stream message) from `from`. */
void tgt_input(struct target *tg, const char *buf, size_t len, const struct tp_addr *from);

/* ---- fwd.c: routing, forwarding on busy / no answer, CANCEL, responses ---- */
/* Route the new transaction t (its 100 Trying, then the next hop;
 * initial: a dialog-creating request). */
void tgt_fwd_request(struct ptx *t, int initial);
/* The user a call goes to on busy (on_busy) or no answer, or NULL: the
 * INVITE's X-Forward-To header, else -target_conf. Only once per call,
 * never after a CANCEL, only for an INVITE. buf receives a header's
 * user (n bytes). */
const char *tgt_fwd_user(const struct ptx *t, int on_busy, char *buf, size_t n);
/* The ring timer fired: CANCEL the branch, forward or answer 408. */
void tgt_fwd_on_ring(void *arg);
/* A CANCEL from upstream. */
void tgt_fwd_cancel(struct target *tg, const struct msg *m, const struct tp_addr *from);
/* A request of no transaction (the ACK of a 2xx): on, statelessly. */
void tgt_fwd_stateless(struct target *tg, const struct msg *m);
/* A response; frees m. */
void tgt_fwd_response(struct target *tg, struct msg *m);
/* Does m carry a Via branch of ours (it went round)? */
int tgt_looped(const struct target *tg, const struct msg *m);

/* ---- txn.c: server transactions, client branches, their timers ---- */
/* A server transaction for m from `from`, which then owns m. 0 or ENOMEM
 * (m still the caller's). */
int tgt_txn_alloc(struct ptx **tp, struct target *tg, struct msg *m, const struct tp_addr *from);
void tgt_txn_free(struct ptx *t);
struct ptx *tgt_txn_find(struct target *tg, const struct msg *m, const char *method);
struct pbranch *tgt_branch_find(struct target *tg, const struct msg *m);
/* Send a response upstream, keep it for retransmitted requests; a
 * final one stops the ring timer and lets the transaction linger. */
void tgt_respond_up(struct ptx *t, const char *buf, size_t len, int status);
void tgt_respond_own(struct ptx *t, int code, const char *reason);
/* A final response was sent upstream: free t after timer H (a non-2xx
 * to an INVITE), J (another request) or TGT_TXN_2XX_MS (a 2xx). */
void tgt_txn_linger(struct ptx *t);
/* Send t's request on a new client branch to ruri at `to` (rr: add our
 * Record-Route), with timer A/E. 0, ENOSPC or ENOMEM. */
int tgt_fork_branch(struct ptx *t, const char *ruri, const struct tp_addr *to, int rr);

/* ---- registrar.c: location, its sweep, digest nonces ---- */
/* user's live binding at now_ms, or NULL. */
struct ploc *tgt_loc_find(struct target *tg, const char *user, size_t len, uint64_t now_ms);
/* Free the bindings expired at now_ms; returns how many. */
unsigned tgt_loc_sweep(struct target *tg, uint64_t now_ms);
/* Start the sweep timer (every TGT_SWEEP_MS). */
void tgt_loc_start(struct target *tg);
/* A permanent binding (a location line of -target_conf). */
int tgt_loc_add_static(struct target *tg, const char *user, const char *uri, struct diag *d);
/* Free every binding. */
void tgt_loc_clear(struct target *tg);
/* 1 when m carries valid credentials of user. */
int tgt_authorized(struct target *tg, const struct msg *m, struct msg_pl user);
/* 401 (proxy: 407) with a fresh nonce. */
void tgt_challenge(struct target *tg, const struct msg *m, const struct tp_addr *from, int proxy);
/* A REGISTER, answered. */
void tgt_register(struct target *tg, const struct msg *m, const struct tp_addr *from);

/* ---- send.c: building and sending ---- */
void tgt_send(struct target *tg, const char *buf, size_t len, const struct tp_addr *to);
void tgt_branch_id(struct target *tg, char *out, size_t n);
/* Our tag for responses of our own ("sbt" and the token). */
int tgt_tag(const struct target *tg, char *out, size_t n);
/* A response of our own to m; extra: header lines ending in CRLF. */
int tgt_build_reply(struct target *tg, const struct msg *m, int code, const char *reason,
		    const char *extra, struct buf *out);
void tgt_reply(struct target *tg, const struct msg *m, const struct tp_addr *to, int code,
	       const char *reason, const char *extra);
/* m for ruri with our Via (branch), Max-Forwards one less, our
 * Record-Route when rr, without the first Route when it names us. */
int tgt_build_forward(struct target *tg, const struct msg *m, const char *ruri,
		      const char *branch, int rr, struct buf *out);
/* Response m without its top Via value. */
int tgt_strip_top_via(const struct msg *m, struct buf *out);
/* Response m for upstream with the Via headers of req (the request of
 * its transaction). */
int tgt_relay_response(const struct msg *req, const struct msg *m, struct buf *out);

/* ---- uri.c: URIs, headers, addresses ---- */
struct msg_pl tgt_uri_user(const char *p, size_t len);
int tgt_uri_hostport(const char *p, size_t len, char *host, size_t hn, unsigned *port);
int tgt_is_hdr(const char *line, size_t len, const char *name, const char *compact);
int tgt_is_self(const struct target *tg, const char *uri, size_t len);
int tgt_may_send(const struct target *tg, const struct tp_addr *a);
int tgt_addr_of(const struct target *tg, struct tp_addr *a, const char *host, unsigned port);

#endif
