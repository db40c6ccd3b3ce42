/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine internals shared by engine.c (run, rate, dispatch), ua.c (the
 * interpreter), render.c (templates), vars.c (variables and actions) and
 * inject.c (CSV injection). Not for use outside src/engine/. */
#ifndef SB_ENGINE_INTERNAL_H
#define SB_ENGINE_INTERNAL_H

#include <stdint.h>
#include <strings.h>
#include "base/buf.h"
#include "base/htab.h"
#include "base/list.h"
#include "engine/engine.h"
#include "loop/loop.h"
#include "report/pcap.h"
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"
#include "transport/tp.h"

struct msg;
struct auth_chal;

enum val_kind { VAL_UNSET, VAL_STR, VAL_DBL, VAL_BOOL };

struct var_val {
	enum val_kind kind;
	double d;
	char *s;                   /* owned, NUL-terminated (VAL_STR)      */
};

enum ua_state {
	UA_ST_RUN,                 /* executing steps                      */
	UA_ST_RECV,                /* waiting at a <recv>                  */
	UA_ST_PAUSE,               /* in a <pause> or <timewait>           */
	UA_ST_WAIT,                /* in a <wait> for another party        */
	UA_ST_DONE,
};

enum rtx_kind { RTX_NONE, RTX_INVITE, RTX_NON_INVITE, RTX_FINAL_RESP };

struct call;

struct ua {
	struct call *call;
	const struct prog_ua *pu;
	unsigned step_base;        /* offset of this UA's steps in stats    */
	unsigned pc;
	enum ua_state state;
	struct tmr tmr;            /* pause / recv timeout                 */
	struct tmr rtx;            /* retransmission                       */
	enum rtx_kind rtx_kind;
	char *rtx_msg;             /* owned copy of what is retransmitted  */
	size_t rtx_len;
	unsigned rtx_step;         /* step the retransmission counts for   */
	struct txn txn;            /* its timers (sip/txn.h)               */
	char rtx_method[24];       /* CSeq method that stops it            */
	char *last_sent;           /* owned copy of the last response or ACK
	                              sent, only when its step's resend_copy */
	size_t last_sent_len;
	int last_sent_step;        /* step of the last message sent, or -1  */
	int last_sent_is_resp, last_sent_is_ack;
	int resending;             /* rendering a resend: SDES keys kept    */
	char *dlg;                 /* owned: of the 2xx that made our dialog,
	                              "contact\0From\0To\0" (for a BYE)    */
	int dlg_closed;            /* a BYE was sent or received              */
	int inv_pending;           /* our INVITE has no final response yet    */
	int adopted;               /* took its Call-ID from an initial request */
	uint32_t ok_cseq;          /* CSeq of the last 2xx to our INVITE, 0 none */
	uint32_t acked_cseq;       /* ... once we sent its ACK: a repeat of that
	                              2xx is ACKed again (RFC 3261 13.2.2.4) */
	unsigned ack_step;         /* the step that sent that ACK            */
	uint64_t ltag;             /* hash of our own tag in the last message
	                              sent (parties only; 0 unknown)        */
	struct auth_chal *chal;    /* owned: last challenge (recv auth=true)  */
	unsigned auth_nc;          /* nonce count sent with qop=auth          */
	uint32_t auth_cseq;        /* CSeq of the last request with credentials, 0 none */
	struct msg *last_msg;      /* last message received (owned), while a
	                              later step reads it (step keep_last)  */
	uint64_t rx_hash;          /* of the last message received, to know */
	size_t rx_len;             /* its retransmissions; len 0: none      */
	char *peer_tag;            /* owned: remote tag for [peer_tag_param] */
	char *routes;              /* owned: route set from rrs="true"     */
	char *next_url;            /* owned: [next_url] set with it, or NULL */
	char *call_id;             /* owned                                */
	uint32_t cseq;
	int cseq_used;
	int jump_to;               /* set by a jump action, else -1        */
	struct var_val *vars;      /* prog->nvars, in the call's block     */
	uint64_t *rtd_start_us;    /* prog->nrtds, in the call's block     */
	uint64_t last_send_us;     /* when the last message was first sent */
	struct tp_sock *sock;      /* per-call socket (-t un) or shared    */
	struct tp_addr remote;
	struct htab_node cid_node; /* in eng->by_cid, keyed by call_id     */
	struct htab_node user_node; /* in eng->by_user (several parties)  */
	char *user;                /* owned: this party's user part, or NULL */
	struct tp_addr pub;        /* where a response's Via says we were seen
	                              from (received=/rport=); len 0: none */
	struct media_party *media; /* owned: its RTP sockets and plays, or NULL */
	struct media_stream *stream; /* owned: its rtp_stream, or NULL       */
};

struct call {
	struct eng *eng;
	uint64_t number;           /* [call_number], from 1                */
	uint64_t start_us;
	struct lst_node le;        /* active or zombie list                */
	unsigned field_row;        /* injection row for this call          */
	unsigned nuas, nactive;
	int failed;                /* a UA failed: outcome decided         */
	enum fail_reason reason;
	int timed_out;
	int unfinished;            /* still running when the run ended     */
	int answered;              /* a first answer came (eng_pace_answered) */
	uint64_t signals;          /* <signal>s raised, by index           */
	struct rpt_pcap_list cap;  /* --pcap: its messages so far          */
	struct ua ua[];
};

/* pace.c: the share of the asked rate to start, cut while answers queue. */
struct pace {
	double factor;             /* share of the asked rate, (0, 1]      */
	double min_factor;         /* the lowest it went                   */
	uint64_t ewma_us;          /* smoothed time to a first answer      */
	uint64_t base_us;          /* its lowest: the unloaded time        */
	uint64_t worst_us;         /* the highest that caused a cut        */
	unsigned samples;
	uint64_t hold_until_us;    /* cool-down after a cut                */
	uint64_t next_up_us;       /* next increase                        */
	uint64_t changed_us;       /* factor last changed                  */
	uint64_t held_us;          /* time spent below the asked rate      */
	uint64_t win_start_us;     /* window counting answered calls       */
	unsigned win_calls;
	double answered_per_s;     /* calls answered per second, last window */
	int off;                   /* -no_backoff                          */
};

void eng_pace_init(struct pace *p, int off);
/* A first answer to a request came rtt_us after it was sent (requests
 * that were retransmitted give no sample, as in Karn's algorithm). */
void eng_pace_sample(struct pace *p, uint64_t rtt_us);
/* A call got the first answer to its first request. */
void eng_pace_answered(struct pace *p, uint64_t now_us);
/* Called from the rate timer with the asked calls per second: 1 when
 * factor changed (the schedule must restart from now at the new rate). */
int eng_pace_update(struct pace *p, double asked_per_s, uint64_t now_us);
void eng_pace_finish(struct pace *p, uint64_t now_us);

/* nat.c: the address a party advertises instead of its socket's. */
struct eng_adv {
	char ip[64];               /* as text; "" when not advertising       */
	char host[72];             /* the same as a URI host ([::1])         */
	unsigned port;             /* 0: the socket's own port               */
};

struct inj_ix {
	struct htab_node hn;
	unsigned row;
};

struct inj {
	char ***rows;              /* rows[i][j]: field j of row i         */
	unsigned *ncols;
	unsigned *lines;           /* rows[i]'s line in the file (1-based)  */
	unsigned nrows;
	int random;
	unsigned next;
	/* SIPp's PRINTF=N: N virtual lines; virtual line v uses row v % nrows,
	 * each %d in its fields replaced by offset + v * multiple. A shard
	 * keeps the virtual lines base, base + stride, ... */
	int printf_mode;
	unsigned vrows;            /* lines calls draw from (nrows without)  */
	unsigned vbase, vstride;
	unsigned long long p_offset, p_multiple;
	/* -infindex: rows by the value of one field, for <lookup> */
	int indexed;
	unsigned ix_field;
	struct htab ix;
	struct inj_ix *ixn;        /* nrows nodes, linked in ix             */
};

/* What the parties (ua.c, called from timers and from below) report to
 * the owner of the calls without calling up into it: the files of
 * src/engine/ call one way (docs/design.md). Set by eng_control_init. */
struct eng_hooks {
	/* the last party of c is done (ua.c's ua_done): once per call */
	void (*call_ended)(struct call *c);
};

/* The parts of struct eng that one file owns: only that file touches
 * their fields (others ask it through a function). */

/* control.c: the rate of new calls and its schedule (the rate timer, the
 * ramp, the keys that change it) */
struct eng_rate {
	double per_period;         /* calls per -rp period now (ramps move it) */
	double scale;              /* the rate keys' unit (-rate_scale)      */
	uint64_t base_us;          /* when the rate last changed           */
	uint64_t base_started;     /* calls started by then                */
	int ramp_done;             /* -rate_max reached                    */
	uint64_t sched_us;         /* when the rate timer should fire      */
	uint64_t max_lag_us;       /* the latest it fired                  */
	uint64_t late_ticks;       /* rate ticks more than 10 ms late      */
	uint64_t not_started;      /* calls due that sipbench could not start */
	struct tmr tmr, ramp_tmr;
};

/* control.c: the run's end */
struct eng_stop {
	int exit_reason;           /* 0, or 97 on signal                   */
	int timed_out;             /* -timeout hit                         */
	int winding;               /* the run's end has come (wind_down)   */
	const char *abort_why;     /* why calls still running are aborted  */
	char abort_buf[96];        /* abort_why when it is made up         */
	char end_what[24];         /* what ended the run: "-timeout", "-m"  */
	uint64_t grace_used_ms;    /* the grace period armed               */
	char stopped_by[64];       /* "SIGINT", ... for the reports        */
	struct tmr timeout_tmr, grace_tmr;
};

/* console.c: the terminal: SIPp's screens or the live status line,
 * and the keys */
struct eng_console {
	int progress_tty;          /* the live output is on a terminal     */
	uint64_t prog_last_us;     /* the live line's last time, 0 none yet */
	uint64_t prog_last_started; /* calls started by then               */
	void *tty_saved;           /* struct termios before the keys mode  */
	struct tmr progress_tmr;
	int which;                 /* screen shown: 1-9, RPT_SCR_HELP; 0: the
	                              one-line status                      */
	int alt;                   /* the terminal's alternate screen is on */
	int forced;                /* q twice or Q: calls being aborted    */
	struct rpt_screen scr;     /* the screens' snapshot and period mark */
	struct tmr screen_tmr;     /* redraw every -f                      */
	int cmd_mode;              /* c: a command is being typed          */
	char cmd[64];              /* what was typed                       */
	size_t ncmd;
	char cmd_line[128];        /* "Command: ..." or its outcome, "" none */
	int ctl_fd, ctl_on;        /* command.c: the -cp control port      */
};

/* control.c: the periodic -trace_stat, -trace_counts, -metrics writes */
struct eng_periodic {
	struct tmr tmr;
	struct rpt_csv csv;        /* -trace_stat state                    */
	struct rpt_counts counts;  /* -trace_counts                        */
	int metrics_failed;        /* -metrics could not be written        */
};

/* verdict.c: the process's own counters at the start of the run */
struct eng_baseline {
	uint64_t start_unix_us;    /* wall clock at the start              */
	uint64_t udp_drops0;       /* our UDP sockets' drops at start      */
	double cpu0;               /* our CPU seconds at start             */
	uint64_t tx_late0;         /* tp's failed batched sends at start   */
};

/* twin.c: the 3PCC twin link (docs/internals/engine.md, "The twin
 * link"). One TCP connection to or from a twin instance. */
struct twin_conn {
	struct eng *e;
	int fd;
	char *buf;                 /* bytes read, not yet a whole command  */
	size_t len, cap;
	struct twin_conn *next;    /* in eng_twin.conns                   */
};

/* A name of -slave_cfg (extended 3PCC) and where it listens. */
struct twin_peer {
	char *name, *addr;         /* owned                                */
	struct twin_conn *out;     /* our connection to it, or NULL        */
};

struct eng_twin {
	int lfd;                   /* our listening socket, or -1          */
	struct twin_conn *conns;   /* every connection open                */
	struct twin_conn *link;    /* -3pcc: the one link, both ways       */
	struct twin_peer *peers;   /* -slave_cfg, extended 3PCC            */
	unsigned npeers;
	int extended;              /* -master or -slave                    */
	int connected;             /* extended: connected to our dests     */
	int quiet;                 /* a failure the twin asked for: no
	                              abort_call back                      */
	uint64_t sent, received;   /* commands                             */
};

struct eng {
	struct eng_opts o;
	struct eng_hooks hooks;
	const struct prog *p;
	struct loop *loop;
	struct tp_sock *sock;      /* the main socket                      */
	struct tp_addr remote;
	struct tp_addr rsa;        /* -rsa: messages to remote go here     */
	struct tp_sock **pool;     /* -max_socket: the per-call sockets (call.c) */
	unsigned npool, next_pool;
	int have_rsa;
	char remote_ip[72];        /* remote's address as a URI host, "" none */
	int have_remote;
	char local_ip[64];         /* as bound, for Call-IDs               */
	char local_host[72];       /* the same as a URI host ([::1])       */
	unsigned local_port;
	int uas_mode;              /* the single UA starts on a request     */
	struct stats st;
	struct lst_node active, zombies;
	uint64_t nactive;
	uint64_t peak_active;      /* the most calls at once (call.c)      */
	uint64_t peak_at_us;       /* when, since the start                */
	uint64_t started, ended;
	uint64_t start_us, end_us;
	struct rpt_pcap *cap;       /* --pcap writer, or NULL                 */
	struct eng_rate rate;
	struct eng_stop stop;
	struct eng_console console;
	struct eng_baseline base;
	struct eng_periodic periodic;
	/* Shared through report/traces.c's functions alone: set up and
	 * written per period by control.c, added to where it is measured */
	struct rpt_codes codes;    /* -trace_error_codes (recv.c adds)     */
	struct rpt_rtt rtt;        /* -trace_rtt (ua.c adds)               */
	/* Shared: whether a new call may start (eng_can_start) */
	int stopping;              /* no new calls (control.c, link.c)     */
	int paused;                /* 'p': no new calls (control.c)        */
	uint64_t hold_until_us;    /* no new calls before (link.c, after a loss) */
	int end_lingering;         /* set by control.c while -grace runs: a
	                              party entering its final timewait ends
	                              its call at once (ua.c)              */
	char stop_why[320];        /* what ended the run early, or "" (link.c) */
	int signals;               /* stop signals handled so far (engine.c) */
	int usr1_signals, usr2_signals; /* SIGUSR1, SIGUSR2 handled (engine.c) */
	unsigned reconnects;       /* lost connections to the target so far (link.c) */
	unsigned children;         /* <exec command> processes not yet reaped
	                              (started in vars.c, reaped in engine.c) */
	struct htab by_cid;        /* Call-ID -> UA                        */
	struct htab by_user;       /* user part -> UA (several parties)    */
	struct htab gone;           /* Call-IDs of calls ended in the last
	                              64*T1 (dispatch.c): late messages   */
	struct lst_node gone_fifo;  /* the same, oldest first              */
	void *gone_pool;            /* their nodes (ended.c), or NULL       */
	struct buf out;            /* render scratch                       */
	struct buf scratch;        /* render scratch for nested keywords   */
	struct inj inj;
	struct var_val *globals;   /* -set values, by variable index       */
	int pid;
	char shard_tag[16];        /* "-sK" with -shard K/N, in Call-IDs; "" */
	struct pace pace;           /* back-off when answers queue up        */
	char tls_name[256];         /* the target's host, for TLS checks     */
	struct eng_adv *adv;        /* by party index (p->nuas), NULL when no
	                               party advertises                       */
	struct buf stamp;           /* a request with received=/rport= added */
	struct media *media;        /* RTP of the run, or NULL (none used)   */
	int media_calls;            /* the scenario plays or echoes: each
	                               party gets its own media ports        */
	struct eng_twin twin;       /* 3PCC (twin.c; twin_out.c writes)      */
	struct media_audio *audio;  /* rtp_stream's files, loaded at start   */
	int pattern_warned;         /* SIPp 3.7's rtp_stream patterns said   */
};

/* link.c */
/* Open a socket of the run's transport on port (0: any): the main one
 * (main_sock: on -i, listening for streams) or a call's own. */
int eng_open_socket(struct eng *e, struct tp_sock **sp, unsigned port, int main_sock,
		    tp_recv_h *h, struct diag *d);
/* Fill e->tls_name from -tls_sni or the target as given. */
void eng_peer_name(struct eng *e);
/* A datagram from `from` that did not parse: when its raw text names a
 * running call by a whole Call-ID line, that call fails as SIPp fails it
 * (an unexpected message). Returns 1 if a call failed. */
int eng_fail_unparsable(struct eng *e, const char *buf, size_t len,
			const struct tp_addr *from);

/* dispatch.c: which party a received message is for (docs/design.md) */
int eng_hash_add(struct eng *e, struct ua *ua);
void eng_hash_del(struct eng *e, struct ua *ua);
/* The party whose Call-ID is cid (len bytes), or NULL. */
struct ua *eng_cid_find(struct eng *e, const char *cid, size_t len);
/* The party m is for: in-dialog by Call-ID and tags, an initial request
 * to a party of its Request-URI's user waiting for one (which adopts m's
 * Call-ID). NULL if none. */
struct ua *eng_route(struct eng *e, const struct msg *m);
/* Remember the Call-IDs of call c, which just ended, for 64*T1. */
void eng_ended_add(struct eng *e, const struct call *c);
/* m, which no running call takes, belongs to a call ended in the last
 * 64*T1: count it as a retransmission, ACK a repeated 2xx its party had
 * ACKed, free m and return 1. Else 0 (m untouched). */
int eng_ended_absorb(struct eng *e, struct tp_sock *s, struct msg *m,
		     const struct tp_addr *from);
void eng_ended_free(struct eng *e);

/* send.c: every datagram sent, counted and traced; -trace_err */
int eng_send(struct eng *e, struct ua *ua, const char *buf, size_t len);
/* The same to any address (no call: a message for an ended one). */
int eng_send_to(struct eng *e, struct tp_sock *s, const struct tp_addr *to,
		const char *buf, size_t len);
/* The local address of ua's socket. */
void eng_local_addr(const struct ua *ua, struct tp_addr *a);
void eng_trace_err(struct eng *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* call.c: the calls of a run, from start to end */
/* A call and its nuas parties in one zeroed block; eng_call_extra is
 * party i's share of it (variables, rtd marks) for ua_init. */
struct call *eng_call_alloc(struct eng *e, unsigned nuas);
void *eng_call_extra(struct call *c, unsigned i);
/* The last party of c is done: count its outcome, forget its Call-IDs,
 * queue it for freeing (control.c's hook, which then ends the run if
 * it is due). */
void eng_call_ended(struct eng *e, struct call *c);
/* The call number ([call_number]) of the n-th call started. */
uint64_t eng_call_number(const struct eng *e, uint64_t n);
/* Start one client call now (what the rate timer does for each call due;
 * fuzz/ calls it directly). */
void eng_start_client_call(struct eng *e);
/* A 3PCC twin's command names an unknown Call-ID and the scenario starts
 * with <recvCmd>: a new call with that Call-ID, run to its first
 * <recvCmd>. Its party, or NULL (no new call may start, or it failed). */
struct ua *eng_start_cmd_call(struct eng *e, const char *cid, size_t len);
/* A datagram on the main socket or a call's own: to its party, to a
 * recently ended call, to a new server call, or counted stray. */
void eng_on_datagram(struct tp_sock *s, const char *buf, size_t len,
		     const struct tp_addr *from, void *arg);
/* The calls still running, each party aborted (ua_abort); why (NULL: "run
 * ended") is said in -trace_err. */
void eng_abort_all(struct eng *e, const char *why);
/* Free the calls ended in this loop iteration. */
void eng_free_zombies(struct eng *e);

/* A new call may start now (rate timer, server call on a request). */
static inline int eng_can_start(const struct eng *e)
{
	return !e->stopping && !e->paused &&
	       (!e->hold_until_us || loop_now_us(e->loop) >= e->hold_until_us) &&
	       (!e->o.max_calls || e->started < e->o.max_calls) &&
	       (!e->o.limit || e->nactive < e->o.limit) &&
	       (!e->o.users || e->nactive < e->o.users);
}

/* call.c: the -max_socket sockets, closed once no call holds them */
void eng_pool_free(struct eng *e);

/* engine.c */
/* End every call in progress (as the end of a run does) and free the
 * ended ones: fuzz/ reuses one engine for every input. */
void eng_reap(struct eng *e);

/* command.c: SIPp's command lines, typed after c on the terminal
 * (console.c) or sent to the -cp control port (whose keys go to
 * eng_key): set rate|rate-scale|users|limit|hide|index, dump tasks.
 * line is cut up; what happened goes to out ("" for nothing). */
void eng_command_line(struct eng *e, char *line, char *out, size_t n);
/* Open the -cp control port (with the loop): 0, or EINVAL with d set. */
int eng_command_open(struct eng *e, struct diag *d);
void eng_command_close(struct eng *e);

/* control.c: the run's end, rate changes, live status, periodic writes */
/* (owns e->rate, e->stop, e->console, e->periodic) */
/* Set e->hooks (what the parties report up). */
void eng_control_init(struct eng *e);
/* The run starts now: the rate timer, the ramp, the keys, the status
 * line, -timeout, the periodic writes. */
void eng_control_start(struct eng *e);
/* The loop has ended: stop those timers, abort the calls still running. */
void eng_control_end(struct eng *e);
/* How the run ended and how the rate timer kept up, for the report
 * (stopped_by, signalled, timed_out, unfinished_why; gen's lag figures). */
void eng_control_report(const struct eng *e, struct rpt_run *r);
/* Abort the calls still running now and end the loop. */
void eng_stop_now(struct eng *e);
/* SIGINT/SIGTERM seen by the loop's tick: the first winds the run down
 * with -grace (exit 97), the second aborts. */
void eng_on_stop_signal(struct eng *e, int sig);
/* -m reached, the ramp's top or q (what names it): no new calls; the
 * calls in progress end in their own time, or within -grace if given. */
void eng_wind_down(struct eng *e, const char *what);
/* A key that steers the run: + - * / (the rate), p (pause), q (end
 * gracefully; again: abort), Q (abort now). 1 if k is one, else 0. */
int eng_key(struct eng *e, int k);
/* The command "set rate" (rate > 0) or "set rate-scale" (scale > 0):
 * 0, or EINVAL (a negative figure; a -users run without -r has no rate). */
int eng_set_rate(struct eng *e, double rate, double scale);
/* Calls per second asked for now. */
double eng_target_rate(const struct eng *e);
/* The run's last -trace_stat line (at e->end_us). */
void eng_write_last_stat(struct eng *e);
/* -metrics now (a failure is said once and remembered): 0, or -1 when
 * it could not be written, now or before (exit 255). */
int eng_write_metrics(struct eng *e);

/* console.c: the terminal (owns e->console) */
/* The screens or the status line, and the keys when stdin is a terminal. */
void eng_console_start(struct eng *e);
/* The loop has ended: the keys off; the screen shown stays, with the
 * statistics, on the terminal's normal screen. */
void eng_console_end(struct eng *e);
/* -trace_screen at the end: every screen, as SIPp's screen file. */
void eng_console_dump(struct eng *e, FILE *f);
/* SIGUSR1: as the key q; SIGUSR2: every screen appended to the screen
 * file (-trace_screen's, or the one it would have, made then). */
void eng_console_signal(struct eng *e, int sig);

/* ua.c */
/* The memory a UA needs beside its struct (variables, rtd marks): the
 * call allocates it with itself, zeroed, and hands it to ua_init. */
size_t ua_extra_size(const struct prog *p);
int ua_init(struct ua *ua, struct call *c, const struct prog_ua *pu, unsigned step_base,
	    void *extra);
void ua_release(struct ua *ua);
void ua_run(struct ua *ua);
void ua_fail(struct ua *ua, enum fail_reason r, const char *what);
/* End call c now if all its parties sit in their final timewait (they
 * have passed every step: the call is successful). */
void ua_end_if_lingering(struct call *c);
/* End a party still running when the run ends (the call is then
 * unfinished, unless it had already failed); why as eng_abort_all's. */
void ua_abort(struct ua *ua, const char *why);
/* After a matched recv: response-time marks, then next=/jump. */
void ua_after_recv(struct ua *ua, const struct step *st);

/* rtx.c: retransmissions of a party's requests and final responses,
 * below ua.c: it says when, ua.c owns the timer and fails the call. */
/* Sent st's message buf: keep what must be retransmitted until answered;
 * the delay to arm ua->rtx with, or TXN_NEVER. */
uint32_t ua_rtx_after_send(struct ua *ua, const struct step *st, const char *buf, size_t len);
/* ua->rtx fired: resend, or time out (B, F; H: no ACK). 0 and *next (the
 * delay to arm again, or TXN_NEVER), or ETIMEDOUT with what (n bytes)
 * saying what timed out; the caller fails the call. */
int ua_rtx_fire(struct ua *ua, uint32_t *next, char *what, size_t n);
/* A provisional answered the non-INVITE request being retransmitted:
 * resend it every T2 from now on (RFC 3261 17.1.2.2). */
void ua_rtx_provisional(struct ua *ua);
/* m repeats the last message received: send again the response or ACK
 * that answered it (the kept copy, or its step rendered again with m as
 * the last message). */
void ua_resend_last(struct ua *ua, struct msg *m);
/* Drop the copy of a request whose transaction is over (no CANCEL or
 * ACK can need it any more). */
void ua_rtx_forget(struct ua *ua);
/* *dst = a NUL-terminated copy of src (len bytes), *dlen = len. */
int ua_keep_copy(char **dst, size_t *dlen, const char *src, size_t len);

static inline void ua_rtx_stop(struct ua *ua)
{
	tmr_cancel(&ua->rtx);
	ua->rtx_kind = RTX_NONE;
}

/* The statistics of ua's step idx (an index into its own steps). */
static inline struct stat_step *ua_step_stat(struct ua *ua, unsigned idx)
{
	return &ua->call->eng->st.steps[ua->step_base + idx];
}

static inline int ua_is_method(const char *m, const char *want)
{
	return strcasecmp(m, want) == 0;
}

/* behave.c: the default BYE/CANCEL of a failed call (-default_behaviors) */
void ua_note_msg(struct ua *ua, const struct msg *m);
void ua_default_behaviour(struct ua *ua);

/* recv.c */
void ua_on_msg(struct ua *ua, struct msg *m);  /* takes ownership of m */
/* ua waits at a <recv> that request m would match. */
int ua_expects_request(const struct ua *ua, const struct msg *m);

/* render.c: expand t for ua into out (reset first). is_msg: a SIP message
 * ([len] filled, missing [last_*] drops its line). */
int rend_tpl(struct ua *ua, const struct step *st, const struct tpl *t,
	     int is_msg, struct buf *out);

/* twin_out.c: what goes to a 3PCC twin */
/* <sendCmd>: render st's message for ua and send it to st's dest= (the
 * -3pcc link without one). 0, or an errno (ENOTCONN: no such link). */
int ua_send_cmd(struct ua *ua, const struct step *st);
/* Tell the twin that ua's call failed (SIPp's abort_call), when it has
 * one and ua got past its first step. */
void ua_cmd_abort(struct ua *ua);

/* twin.c: the link itself (below engine.c, above call.c) */
/* Open the link (-3pcc, -master/-slave with -slave_cfg) as the scenario
 * needs: listen, connect. 0, or an errno with d filled. */
int eng_twin_open(struct eng *e, struct diag *d);
void eng_twin_close(struct eng *e);

/* val.c: one variable's value */
void var_clear(struct var_val *v);
int var_set_str(struct var_val *v, const char *s, size_t len);
void var_set_dbl(struct var_val *v, double d);
void var_set_bool(struct var_val *v, int b);
int var_is_true(const struct var_val *v);
/* Text of a variable into out (appended). */
int var_append(const struct var_val *v, struct buf *out);

/* vars.c: the <action> interpreter */
/* Run st's actions. Returns 0, or -1 when the call must fail (*r set). */
int var_run_actions(struct ua *ua, const struct step *st, const struct msg *m,
		    enum fail_reason *r);

/* verdict.c: the end of a run (owns e->base) */
/* Note the process's own counters as the run starts, and at its end
 * take back from e->st.tx the batched sends that failed after eng_send
 * had counted them. */
void eng_baseline_start(struct eng *e);
void eng_baseline_end(struct eng *e);
/* -max_p99 names a counter the scenario has (else a diag, at start). */
int eng_check_limits(const struct eng *e, struct diag *d);
void eng_eval_limits(const struct eng *e, struct rpt_run *r);
double eng_cpu_seconds(void);
/* The run's report from e at its end: figures, limits, verdict. */
void eng_run_report(const struct eng *e, struct rpt_run *r);
/* --json, --junit: 0, or -1 when one could not be written (said). */
int eng_write_reports(const struct eng *e, const struct rpt_run *r);
/* Close --pcap at the end of the run: 0, or -1 on a write error (said). */
int eng_close_outputs(struct eng *e);

/* nat.c: NAT simulation (see docs/design.md) */
/* Parse -advertise and each party's advertise= (diag on a bad address). */
int eng_adv_init(struct eng *e, struct diag *d);
void eng_adv_free(struct eng *e);
/* What ua shows as its own address in [local_ip], [local_port],
 * [media_ip] (without -mi), [ua:NAME:contact] and the default BYE's Via:
 * the advertised address when it has one, else the socket's. host is a
 * URI host (IPv6 in brackets), ip the bare address. */
const char *eng_ua_host(const struct ua *ua);
const char *eng_ua_ip(const struct ua *ua);
unsigned eng_ua_port(const struct ua *ua);
/* A datagram from `from`: when it is a request whose top Via asks for
 * received=/rport=, *buf and *len are pointed at a stamped copy (valid until
 * the next call). Returns 0, or ENOMEM (the datagram is used as is). */
int eng_nat_stamp(struct eng *e, const char **buf, size_t *len, const struct tp_addr *from);
/* Response m: remember its top Via's received=/rport= in ua->pub. */
void eng_nat_learn(struct ua *ua, const struct msg *m);
/* media.c: RTP (src/media/rtp.h) for the parties of a run */
struct media_stats;
/* After the loop and main socket: does the scenario use media? Loads its
 * pcap files (a diag names the action's line) and, with media or
 * -rtp_echo, starts e->media. */
int eng_media_init(struct eng *e, struct diag *d);
void eng_media_free(struct eng *e);
/* [media_port] and friends when media_calls: the party's own port. */
int eng_media_port(struct ua *ua, int video, unsigned *port);
/* Render an SDES keyword (SEG_CRYPTO: num and offset as prog.h) of the
 * party into out, keeping its keys for SRTP when the run has media. */
int eng_media_crypto(struct ua *ua, int32_t num, int32_t offset, struct buf *out);
/* Every message a party receives: its SDP, if any, is the peer's. */
void eng_media_msg(struct ua *ua, const struct msg *m);
/* <exec play_pcap_audio|play_pcap_video|rtp_echo>: 0, or -1 (*r set). */
int eng_media_exec(struct ua *ua, const struct action *a, enum fail_reason *r);
void eng_media_release(struct ua *ua);
/* The run's media counters, or NULL when it has no media. */
const struct media_stats *eng_media_stats(const struct eng *e);

/* inject.c */
int inj_load(struct inj *inj, const char *path, struct diag *d);
/* Refuse a file whose rows lack a field the scenario uses: max_field is
 * the highest [fieldN] (-1: none). file:line of the first short row. */
int inj_check(const struct inj *inj, const char *path, int max_field, struct diag *d);
void inj_free(struct inj *inj);
/* -shard K/N: keep only the rows whose index (0-based, data rows in
 * file order; virtual lines of a PRINTF file) is K mod N; a shard left
 * without rows is an error. */
int inj_shard(struct inj *inj, const char *path, unsigned k, unsigned n, struct diag *d);
unsigned inj_next_row(struct inj *inj);
/* Append field col of row (a call's row, or an explicit line) to out;
 * nothing when out of range. PRINTF files format the line's number in. */
int inj_field_add(const struct inj *inj, unsigned row, unsigned col, struct buf *out);
/* Does name name the injection file path: the same, or the same file
 * name without the directories (SIPp's file= and -infindex)? */
int inj_names(const char *path, const char *name);
/* -infindex: index the rows on field col. 0 or ENOMEM. */
int inj_index(struct inj *inj, unsigned col);
/* The row whose indexed field is key (the last such row), or -1. */
long inj_lookup(const struct inj *inj, const char *key, size_t len);

#endif
