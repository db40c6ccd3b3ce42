/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats: run counters, per-step counters and log-linear histograms
 * (mergeable bucket by bucket; relative error below 1%). */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stdint.h>

/* Why a call failed. Every member has a report string (stat_fail_name). */
enum fail_reason {
	FAIL_UNEXPECTED,     /* a message no step expected               */
	FAIL_RECV_TIMEOUT,   /* a <recv> timed out without ontimeout     */
	FAIL_MAX_RETRANS,    /* a UDP request got no response in time    */
	FAIL_REGEXP,         /* an ereg with check_it did not match      */
	FAIL_ACTION,         /* <error> action, or a failing action      */
	FAIL_SEND,           /* the transport refused to send            */
	FAIL_AUTH,           /* no challenge to answer, or bad algorithm */
	FAIL_TOO_SLOW,       /* a <recv max_time=> came too late         */
	FAIL_INTERNAL,       /* out of memory or a bug                   */
	FAIL_UNREACHABLE,    /* an ICMP error: the target is unreachable */
	FAIL_COUNT
};

const char *stat_fail_name(enum fail_reason r);

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_EXP 40
#define HIST_BUCKETS (HIST_SUB * (HIST_MAX_EXP - HIST_SUB_BITS + 1))

/* Exact counts below fixed bounds (SIPp's "repartition"): n[i] counts
 * the values under bound[i] and not under bound[i-1]; n[nbound] the
 * values at or above the last bound. Bounds ascend, in microseconds. */
struct hist_rep {
	uint64_t *bound;
	uint64_t *n;         /* nbound + 1 entries                           */
	unsigned nbound;
};

/* Values in microseconds. */
struct hist {
	uint64_t count;
	uint64_t sum;
	double sumsq;        /* sum of the squares, for a standard deviation */
	uint64_t min, max;
	uint32_t *bucket;    /* HIST_BUCKETS entries, allocated on first add */
	struct hist_rep *rep; /* exact counts by bounds, or NULL             */
};

int hist_add(struct hist *h, uint64_t v);
/* Value at quantile q (0..1), as the midpoint of its bucket; 0 if empty. */
uint64_t hist_quantile(const struct hist *h, double q);
int hist_merge(struct hist *dst, const struct hist *src);
/* Bucket b's lowest value, and its width (values low .. low + width - 1). */
uint64_t hist_bucket_low(unsigned b, uint64_t *width);
void hist_free(struct hist *h);
/* Give h exact counts below the bounds ms[0..n-1] (milliseconds, any
 * order; none when n is 0). */
int hist_set_rep(struct hist *h, const int *ms, unsigned n);

struct stat_step {
	uint64_t sent, recv, retrans, timeouts, unexpected, lost;
};

/* Where and why calls failed: the first STAT_FAIL_AT distinct (reason,
 * step, detail) triples, counted; the rest are only in fail[]. */
#define STAT_FAIL_AT 16
struct stat_fail_at {
	enum fail_reason r;
	unsigned step;                 /* flattened step index               */
	uint64_t n;
	char what[120];
};

/* The first STAT_FAILED_CALLS failed calls, one by one (for JUnit). */
#define STAT_FAILED_CALLS 1000
struct stat_failed_call {
	uint64_t number;
	char call_id[80];
	unsigned step;                 /* flattened step index               */
	enum fail_reason r;
	char what[120];
};

struct stats {
	struct stat_step *steps;       /* one per step of each UA, flattened */
	unsigned nsteps;
	uint64_t *gen;                 /* SIPp's generic counters (counter=)  */
	unsigned ngen;
	uint64_t calls_started, calls_ok, calls_failed;
	uint64_t calls_timeout;          /* failed calls that timed out        */
	uint64_t calls_unfinished;     /* still running when the run ended:
	                                  neither successful nor failed     */
	uint64_t fail[FAIL_COUNT];
	uint64_t tx, rx, tx_errors;    /* datagrams of this run's UAs        */
	uint64_t malformed;            /* unparsable datagrams               */
	uint64_t stray;                /* messages matching no call          */
	uint64_t retrans_rx;           /* retransmissions received           */
	uint64_t auto_answered;        /* -aa answers                        */
	uint64_t dead_msgs;            /* messages for calls just ended      */
	uint64_t conn_lost;            /* calls failed by a lost connection
	                                  (counted in fail[FAIL_SEND] too)  */
	uint64_t regexp_inverse;       /* regexp failures that were a
	                                  check_it_inverse match (in
	                                  fail[FAIL_REGEXP] too)           */
	uint64_t default_sent;         /* BYE/CANCEL sent for failed calls   */
	uint64_t icmp;                 /* ICMP errors for what the UAs sent  */
	struct stat_fail_at fail_at[STAT_FAIL_AT];
	unsigned nfail_at;
	struct stat_failed_call *failed;  /* STAT_FAILED_CALLS, on first use */
	unsigned nfailed;
	struct hist *rtd;              /* one per response-time counter      */
	unsigned nrtd;
	struct hist call_len;          /* successful calls                   */
	struct hist call_len_ended;    /* every call that ended, failed ones
	                                  too (SIPp's CallLength, the CSV)  */
	struct hist call_setup;
	int uas_mode;                  /* calls are incoming                 */
};

void stat_fail_note(struct stats *s, enum fail_reason r, unsigned step, const char *what);
void stat_failed_call(struct stats *s, uint64_t number, const char *call_id,
		      enum fail_reason r, unsigned step, const char *what);
int stat_init(struct stats *s, unsigned nsteps, unsigned nrtd);
/* The scenario's <ResponseTimeRepartition> (every response-time counter)
 * and <CallLengthRepartition> (call_len_ended) bounds, in milliseconds. */
/* n generic counters, zero (counter= of the scenario). 0 or ENOMEM. */
int stat_set_gen(struct stats *s, unsigned n);
int stat_set_reps(struct stats *s, const int *rt_ms, unsigned nrt, const int *cl_ms,
		  unsigned ncl);
void stat_free(struct stats *s);

#endif
