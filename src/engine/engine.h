/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine: one run of a scenario. Starts calls (scenario instances) at the
 * configured rate, or on incoming requests for a server-side scenario,
 * routes every received message to its call, and ends when -m calls have
 * ended, on -timeout, or on a signal. */
#ifndef SB_ENGINE_H
#define SB_ENGINE_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "sip/txn.h"

struct loop;
struct prog;
struct stats;
struct eng;
struct tp_tls;

/* SIPp's default behaviours (-default_behaviors), as a mask. */
enum {
	ENG_BEH_BYE        = 1u << 0,   /* a failed call sends BYE or CANCEL  */
	ENG_BEH_ABORTUNEXP = 1u << 1,   /* abort the call on an unexpected msg */
	ENG_BEH_PINGREPLY  = 1u << 2,   /* answer in-call OPTIONS/NOTIFY      */
};

/* What the engine needs from the command line: filled by cli_parse from
 * the rows of src/cli/opts.def; main adds loop, tls, the trace files,
 * keyboard and progress. */
struct eng_opts {
	const char *remote;          /* "host[:port]" or NULL                */
	const char *rsa;             /* -rsa: where messages to remote go, or NULL */
	struct loop *loop;           /* run on this loop (not freed), or NULL */
	const char *local_ip;
	unsigned local_port;         /* 0: 5060 for servers, else any        */
	int per_call_socket;         /* -t un, tn, ln, wsn, wssn             */
	unsigned max_socket;         /* -max_socket: at most N of them, shared
	                                round-robin and kept to the end; 0 none */
	int proto;                   /* enum tp_proto                        */
	struct tp_tls *tls;          /* TLS and WSS: the contexts, else NULL  */
	const char *tls_name;        /* -tls_sni, or NULL: the target's host  */
	const char *ws_path;         /* -ws_path, or NULL                    */
	unsigned max_reconnect;      /* lost connections reopened, at most   */
	uint64_t reconnect_sleep_ms; /* no new calls for this long after one */
	int reconnect_close;         /* calls on a lost connection fail      */
	const char *media_ip;
	unsigned media_port;
	const char *advertise;       /* -advertise HOST[:PORT], or NULL      */
	int rtp_echo;                /* -rtp_echo: echo RTP on -mp, -mp + 2  */
	unsigned max_rtp_port;       /* -max_rtp_port: calls' media ports
	                                wrap above it (0: 65534)             */
	unsigned rtp_payload;        /* -rtp_payload: rtp_stream's default PT */
	unsigned rtp_buffsize;       /* -rtp_buffsize: socket buffers, 0: the
	                                kernel's                              */
	const char *service;
	double rate;                 /* calls per period                     */
	uint64_t rate_period_ms;
	unsigned limit;              /* concurrent calls, 0 = none           */
	unsigned max_calls;          /* 0 = none                             */
	uint64_t timeout_ms;         /* whole run, 0 = none                  */
	uint64_t grace_ms;           /* -grace: after a signal or -timeout,
	                                for the calls in progress to end     */
	int grace_given;             /* -grace was given: it bounds the end
	                                of -m, -rate_max and q runs too      */
	int timeout_error;
	uint64_t recv_timeout_ms;    /* default <recv> timeout, 0 = none     */
	uint64_t pause_ms;           /* -d                                   */
	uint64_t batch_us;           /* -timer_resol: loop_set_batch bound   */
	struct txn_conf txn;         /* T1, T2, T4 and -max_retrans (0: RFC) */
	int auto_answer;             /* -aa                                  */
	int icmp_fail;               /* -icmp_fail: an ICMP error fails the
	                                call at once (else, as SIPp: counted,
	                                the request retransmitted)           */
	unsigned behaviors;
	const char *inf;             /* injection file or NULL               */
	const char *infindex_file;   /* -infindex: the -inf file it names, or NULL */
	unsigned infindex_field;     /* ... and the field indexed            */
	const char *const *set_names, *const *set_values;
	unsigned nset;
	const char *const *key_values; /* -key values, by index              */
	FILE *msg_log;               /* -trace_msg, or NULL                  */
	FILE *err_log;               /* -trace_err, or NULL                  */
	FILE *stat_csv;              /* -trace_stat, or NULL                 */
	FILE *act_log;               /* -trace_logs: <log> actions, or NULL  */
	FILE *short_log;             /* -trace_shortmsg, or NULL             */
	FILE *counts_csv;            /* -trace_counts, or NULL               */
	FILE *codes_csv;             /* -trace_error_codes, or NULL          */
	FILE *rtt_csv;               /* -trace_rtt, or NULL                  */
	FILE *screen_log;            /* -trace_screen: SIPp's screens at the end */
	const char *screen_path;     /* where SIGUSR2 appends them without it */
	FILE *calldebug_log;         /* -trace_calldebug: failed calls' messages */
	unsigned rtt_freq;           /* -rtt_freq: its lines written by N    */
	const char *stat_delim;      /* its field separator, NULL for ";"    */
	uint64_t stat_period_ms;     /* -fd: CSV lines and ramp steps         */
	double rate_increase;        /* per -fd period; 0 = no ramp          */
	double rate_max;             /* 0 = none                             */
	int no_rate_quit;
	const char *json_path;       /* --json, or NULL                      */
	const char *junit_path;      /* --junit, or NULL                     */
	const char *pcap_path;       /* --pcap, or NULL                      */
	const char *metrics_path;    /* --metrics, or NULL                   */
	unsigned users;              /* -users: calls kept running, 0 none   */
	int unpaced;                 /* -users without -r: no rate           */
	int no_backoff;              /* -no_backoff: always the asked rate   */
	int keyboard;                /* read the keys from stdin (a TTY)     */
	uint64_t screen_period_ms;   /* -f: the screens' refresh period      */
	int display_line;            /* -display line: the one-line status
	                                on a terminal, not the screens      */
	double max_fail_rate;        /* < 0: none                            */
	const char (*p99_names)[64]; /* --max_p99 NAME=ms limits             */
	const uint64_t *p99_ms;
	unsigned np99;
	FILE *progress;              /* live progress (stderr), or NULL      */
	unsigned shard_index;        /* -shard K/N: K (the load options are
	                                already this shard's share)          */
	unsigned shard_count;        /* N; 0: not sharded                    */
	const char *cid_str;         /* -cid_str: SIPp's Call-ID format (%u
	                                %p %s %r %%), NULL: our own         */
	int callid_slash_ign;        /* -callid_slash_ign: the whole Call-ID
	                                names the call, "///" or not        */
	const char *auth_uri;        /* -auth_uri: the digest's uri, less sip: */
	double rate_scale;           /* -rate_scale: the keys' unit, 0: 1    */
	int no_retrans;              /* -nr: no UDP retransmission           */
	unsigned base_cseq;          /* -base_cseq: a party's first CSeq, 0: 1 */
	const char *twin;            /* -3pcc HOST:PORT, or NULL             */
	const char *twin_master;     /* -master NAME, or NULL                */
	const char *twin_slave;      /* -slave NAME, or NULL                 */
	const char *twin_cfg;        /* -slave_cfg FILE, or NULL             */
	unsigned ctl_port;           /* -cp: the UDP control port, 0: none
	                                (8888 with -ci alone)                */
	const char *ctl_ip;          /* -ci: its address, NULL: -i or loopback */
};

/* Prepare a run: bind sockets, read the injection file. p must outlive
 * the engine. Returns 0, or an errno with d filled. */
int eng_alloc(struct eng **ep, const struct eng_opts *o, const struct prog *p,
	      struct diag *d);
void eng_free(struct eng *e);

/* Run to the end and print the final summary on out. Returns the exit
 * status (0 all calls succeeded, 1 some failed, 97 stopped by a signal,
 * 99 no call processed). */
int eng_run(struct eng *e, FILE *out);

/* Is p a server-side scenario (it starts by receiving)? */
int eng_prog_is_server(const struct prog *p);

/* Ask the run to stop (async-signal-safe: sets a flag). */
void eng_signal_stop(int sig);
/* SIGUSR1 (as the key q) and SIGUSR2 (the screens into the screen file),
 * as SIPp; async-signal-safe. */
void eng_signal_user(int sig);

#endif
