/* SPDX-License-Identifier: GPL-2.0-or-later */
/* txn: the RFC 3261 transaction timers (17.1, 17.2; 13.3.1.4 for a 2xx)
 * as one schedule, for the four kinds of transaction over an unreliable
 * or a reliable transport. Pure: no clock, no allocation, no I/O. The
 * owner keeps a struct txn and one timer; each call says how long to arm
 * that timer for, and txn_fire what to do when it fires. Times count
 * from the event that armed the timer, so the owner never reads a clock.
 * docs/internals/txn.md. */
#ifndef SB_SIP_TXN_H
#define SB_SIP_TXN_H

#include <stdint.h>

/* RFC 3261 17.1.1.1 defaults. A zero field of struct txn_conf means the
 * default, so a zeroed conf is the RFC's. */
#define TXN_T1_MS 500
#define TXN_T2_MS 4000
#define TXN_T4_MS 5000
#define TXN_D_MIN_MS 32000        /* timer D: "> 32 s" (17.1.1.2)       */

#define TXN_NEVER UINT32_MAX      /* no timer: cancel the one running     */
#define TXN_KEEP (UINT32_MAX - 1) /* leave the running timer as it is     */

/* A run's timer values (per run: a step's retrans= replaces t1). */
struct txn_conf {
	uint32_t t1_ms, t2_ms, t4_ms; /* 0: TXN_T1_MS, TXN_T2_MS, TXN_T4_MS  */
	unsigned max_inv_rtx;      /* resends of an INVITE or of its final
	                              response; 0: none but 64*T1          */
	unsigned max_noninv_rtx;   /* resends of another request; 0: none  */
};

enum txn_kind { TXN_ICT, TXN_NICT, TXN_IST, TXN_NIST };

enum txn_state {
	TXN_CALLING, TXN_TRYING, TXN_PROCEEDING, TXN_COMPLETED, TXN_CONFIRMED,
	TXN_TERMINATED
};

/* What happened: a client received it, a server sent it (ACK: received). */
enum txn_ev { TXN_EV_1XX, TXN_EV_2XX, TXN_EV_FINAL, TXN_EV_ACK };

/* What the owner does when the timer fires. */
enum txn_act {
	TXN_ACT_NONE,     /* nothing now; arm again (a capped resend)      */
	TXN_ACT_RESEND,   /* send the request (A, E) or response (G) again */
	TXN_ACT_TIMEOUT,  /* B, F or H: no answer (no ACK); terminated     */
	TXN_ACT_END       /* D, I, J or K: terminated normally             */
};

enum txn_timer {
	TXN_TA, TXN_TB, TXN_TD, TXN_TE, TXN_TF, TXN_TG, TXN_TH, TXN_TI, TXN_TJ,
	TXN_TK
};

/* One transaction's schedule: 20 bytes, embedded in its owner. */
struct txn {
	uint32_t at_ms;    /* when the armed timer fires                   */
	uint32_t ivl_ms;   /* the wait after the next resend, before caps   */
	uint32_t end_ms;   /* B/F/H: the timeout                            */
	uint16_t sent;     /* resends so far                                */
	uint8_t kind, state, reliable;
};

/* Start t: a client sent its request, a server received one. The delay
 * to arm (A or E; B or F alone over a reliable transport), or TXN_NEVER
 * (a server waits for its TU). */
uint32_t txn_begin(struct txn *t, const struct txn_conf *c, enum txn_kind k, int reliable);
/* An event; the delay to arm from now, TXN_KEEP or TXN_NEVER. */
uint32_t txn_event(struct txn *t, const struct txn_conf *c, enum txn_ev ev);
/* The armed timer fired: what to do, and *next the delay to arm again
 * (TXN_NEVER: none). */
enum txn_act txn_fire(struct txn *t, const struct txn_conf *c, uint32_t *next);
/* The initial value of a timer (TXN_NEVER: not used on that transport). */
uint32_t txn_timer_ms(const struct txn_conf *c, enum txn_timer tm, int reliable);

#endif
