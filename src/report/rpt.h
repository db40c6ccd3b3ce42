/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpt: reports. The final terminal summary and the -trace_stat CSV. */
#ifndef SB_RPT_H
#define SB_RPT_H

#include <stdint.h>
#include <stdio.h>

#include <stddef.h>

struct prog;
struct prog_ua;
struct step;
struct stats;
struct media_stats;

/* A run-level limit (-max_fail_rate, -max_p99) and how the run did. */
struct rpt_limit {
	char name[96];               /* "-max_p99 1=200ms"                   */
	char detail[160];            /* "p99 of rtd 1 is 250.312 ms"         */
	int broken;
};

#define RPT_MAX_LIMITS 9

/* How the generator itself did: is sipbench the bottleneck? */
struct rpt_gen {
	double cpu_s;                /* user + system CPU of the run         */
	double cpu_share;            /* of one core, over the run            */
	uint64_t max_lag_us;         /* the rate timer's worst lateness      */
	uint64_t late_ticks;         /* rate ticks more than 10 ms late      */
	uint64_t not_started;        /* calls due but dropped: behind        */
	long long udp_drops;         /* datagrams our UDP sockets dropped
	                                during the run (buffers full), -1:
	                                not UDP                            */
	int stream;                  /* the run's transport is a stream      */
	unsigned long long conns_out, conns_in, conns_lost;  /* its connections */
	unsigned long long stream_errors;  /* unframeable input, TLS failures */
	double held_s;               /* time the start rate was held back    */
	double min_rate_share;       /* lowest share of the asked rate       */
	int bottleneck;              /* sipbench could not keep up           */
	char why[240];
};

/* What the final reports show about one run. */
struct rpt_run {
	struct rpt_gen gen;
	const struct prog *p;
	const struct stats *st;
	uint64_t elapsed_us;
	uint64_t start_unix_us;      /* wall clock at the start              */
	const char *scenario_file;   /* NULL for a built-in                  */
	const char *pcap_path;       /* --pcap, or NULL                      */
	uint64_t pcap_msgs;          /* messages written there               */
	int exit_status;
	struct rpt_limit limits[RPT_MAX_LIMITS];
	unsigned nlimits;
	const char *local_ip;
	unsigned local_port;
	const char *remote;          /* NULL for a server scenario           */
	int uas_mode;
	const char *stopped_by;      /* "signal SIGINT", "-timeout" or NULL  */
	int signalled;               /* a signal ended the run (exit 97)     */
	int timed_out;               /* -timeout ended the run               */
	int timeout_error;           /* -timeout_error was given             */
	const char *unfinished_why;  /* what cut the unfinished calls, or NULL */
	const char *const *rtd_between; /* merge: what each rtd measures, as
	                                the reports say; NULL: from p's steps */
	char verdict[320];           /* rpt_judge's reason for exit_status   */
	const struct media_stats *media; /* RTP counters, NULL: no media     */
	unsigned shard_index;        /* -shard K/N: K                        */
	unsigned shard_count;        /* N; 0: not sharded ("shard": null)    */
	/* sipbench merge only (generators NULL otherwise): the shard indexes
	 * that went in (none when the inputs were not sharded), and each
	 * input's "generator" object (one line of JSON, written as it is)
	 * and shard index (-1: none), in order */
	const unsigned *merged;
	unsigned nmerged;
	const char *const *generators;
	const int *generator_shards;
	unsigned ngenerators;
};

/* judge.c: the exit status of r (and r->verdict, its reason), by the
 * rule of sipbench(1) EXIT STATUS: a signal 97; no call processed 99;
 * -timeout_error with -timeout reached or calls unfinished 1; without
 * -max_fail_rate a failed call 1; a broken limit 1; else 0. Unfinished
 * calls (still running when the run ended) are not failures. */
void rpt_judge(struct rpt_run *r);
/* A -max_fail_rate limit is among r's limits: the failed calls are
 * judged by it, not one by one. */
int rpt_fail_budget(const struct rpt_run *r);

/* outfile.c: can the run write its output file path (given to option
 * opt, named in the diag)? Checked before the first message: a directory,
 * a missing directory, a read-only or /proc file, a full device are
 * refused. replaced: the file is written aside (path.tmp) and renamed
 * over path (-metrics), so path must be absent or a regular file. Returns
 * 0, or EINVAL with d filled ("-json X: cannot write: reason"). */
struct diag;
int rpt_out_check(const char *opt, const char *path, int replaced, struct diag *d);

/* The final summary: per-step counters, calls by outcome, failures by
 * reason, response times. Lines meant for scripts keep a fixed shape:
 * "  successful <N>", "  failed <N>", "  timed out <N>". */
void rpt_summary(FILE *out, const struct rpt_run *r);

/* --json: the same facts as the summary, as one JSON object. */
int rpt_json(FILE *out, const struct rpt_run *r);

/* --junit: one testsuite; one testcase per failed call (the first ones,
 * then one for the rest), one per limit, one for the run. 0 or errno. */
int rpt_junit(const char *path, const struct rpt_run *r);

/* --metrics: OpenMetrics text in path (written aside, then renamed).
 * shard: -shard's index as text (every sample then carries shard= and
 * scenario=, and the histograms come as buckets too), or NULL. */
int rpt_metrics(const char *path, const struct prog *p, const struct stats *st,
		uint64_t concurrent, double target_rate, const char *shard);

/* Between which steps response-time counter rtd (0-based) measures:
 * "INVITE sent (step 1) -> 200 received (step 3)", from "the call's start" when
 * no step starts it; "" when no step stops it (a merged scenario). */
void rpt_rtd_between(const struct rpt_run *r, unsigned rtd, char *out, size_t n);

/* Name of a step for reports: "<- 200", "-> INVITE", "pause". */
void rpt_step_name(const struct step *st, char *out, size_t n);
/* The step behind a flattened step index, and its party. */
const struct step *rpt_flat_step(const struct prog *p, unsigned flat,
				 const struct prog_ua **pu);

/* -trace_stat: SIPp 3.6.1's columns in its order and formats, then
 * sipbench's own (docs/trace_stat.md). A header, a line at the start, one
 * per -fd period and one at the end; every field ends with the
 * delimiter. (P) counts since the previous line, (C) since the start. */
#define RPT_CSV_NRTD 32
#define RPT_CSV_NGEN 64
struct rpt_csv {
	FILE *f;
	const char *delim;           /* field separator, NULL for ";"        */
	unsigned users;              /* -users: TargetRate is it, as SIPp's  */
	char *const *rtd_names;      /* the response-time counters           */
	unsigned nrtd;               /* at most RPT_CSV_NRTD                  */
	const struct media_stats *media; /* RTP columns at the end, or NULL  */
	char *const *gen_names;      /* SIPp's generic counters' columns     */
	unsigned ngen;               /* at most RPT_CSV_NGEN                  */
	/* what the previous line had, for the (P) columns */
	uint64_t start_us, last_us;  /* loop clock: run start, last line     */
	int64_t wall_off_us;         /* wall clock minus loop clock          */
	uint64_t prevc[32];          /* counted columns                      */
	uint64_t prev_n[RPT_CSV_NRTD + 1], prev_sum[RPT_CSV_NRTD + 1];
	double prev_sq[RPT_CSV_NRTD + 1]; /* per rtd, then the call length  */
	uint64_t prev_unf;           /* unfinished calls                     */
	uint64_t prev_gen[RPT_CSV_NGEN];
};

/* The header and the first line (the counters at the run's start). */
void rpt_csv_header(struct rpt_csv *c, const struct stats *st, uint64_t start_us,
		    double target_rate);
void rpt_csv_line(struct rpt_csv *c, const struct stats *st, uint64_t now_us,
		  double target_rate, uint64_t current_calls);

/* -trace_counts: SIPp's per-step message counts (traces.c). A header,
 * then a line at the start, each -fd period and the end. */
struct rpt_counts {
	FILE *f;
	const char *delim;           /* -stat_delimiter, NULL for ";"        */
	const struct prog *p;
};
void rpt_counts_header(const struct rpt_counts *c);
/* -trace_calldebug: a failed or unfinished call's held messages, in
 * order, under a line naming the call and why it ended so. */
struct rpt_pcap_list;
void rpt_calldebug(FILE *f, const char *call_id, const char *why,
		   const struct rpt_pcap_list *l);
void rpt_counts_line(const struct rpt_counts *c, const struct stats *st, uint64_t elapsed_us);
/* -trace_error_codes: the status codes of the unexpected responses
 * since the previous line, one line per -fd period and at the end,
 * after the time stamp and elapsed time, newest first, each followed by
 * a comma (as SIPp). At most RPT_CODES kept between lines. */
#define RPT_CODES 256
struct rpt_codes {
	FILE *f;
	const char *delim;
	int code[RPT_CODES];
	unsigned n;
};
void rpt_codes_add(struct rpt_codes *c, int status);
void rpt_codes_line(struct rpt_codes *c, uint64_t elapsed_us);
/* -trace_rtt: one line per response time measured, "Date_ms;
 * response_time_ms;rtd_no" (ms since the run's start, the time in ms,
 * the counter's name), written out every freq (-rtt_freq) lines and at
 * the end; the header before the first line. */
struct rpt_rtt {
	FILE *f;
	const char *delim;
	unsigned freq, n;
	uint64_t start_us;
	char *const *names;          /* the response-time counters' names    */
};
void rpt_rtt_add(struct rpt_rtt *r, uint64_t now_us, uint64_t rtt_us, unsigned rtd);
/* SIPp's time stamp "date<TAB>time.usec<TAB>epoch.usec", now. */
void rpt_time_stamp(char *out, size_t n);
/* SIPp's elapsed time "HH:MM:SS:uuuuuu" (to the millisecond). */
void rpt_elapsed(char *out, size_t n, uint64_t us);

/* screen.c: SIPp's live screens (docs/screens.md), drawn from a
 * snapshot the engine fills: 1 the scenario's steps and their counters,
 * 2 the statistics (periodic and cumulative), 3 the repartitions of the
 * first response time and of the call length (6 to 9: response times 2
 * to 5), 4 the actions and variables, RPT_SCR_HELP the keys. Each line
 * ends with eol ("\n" in a file; on a terminal "\033[K\n", which also
 * clears what the previous drawing left). */
enum rpt_scr_state {
	RPT_SCR_RUNNING,             /* new calls start                      */
	RPT_SCR_PAUSED,              /* p: no new calls                      */
	RPT_SCR_WINDING,             /* q or the run's end: calls end        */
	RPT_SCR_FORCED,              /* q twice, Q: the calls are aborted    */
	RPT_SCR_ENDED,               /* the run is over                      */
};
#define RPT_SCR_HELP 10
#define RPT_SCR_NRTD 32
/* The counters at the start of the current period (the screens'
 * "periodic" figures are the difference). */
struct rpt_scr_mark {
	uint64_t at_us;              /* loop clock                           */
	uint64_t started, ok, failed;
	uint64_t rtd_n[RPT_SCR_NRTD], rtd_sum[RPT_SCR_NRTD];
	uint64_t len_n, len_sum;
};
struct rpt_screen {
	const struct prog *p;
	const struct stats *st;
	const struct media_stats *media; /* NULL: the run has no media       */
	const char *transport;       /* "UDP", ...                           */
	const char *remote;          /* the target, NULL for a server        */
	unsigned local_port;
	int uas_mode;                /* calls come in                        */
	double rate;                 /* calls per period now                 */
	uint64_t rate_period_ms;
	uint64_t call_ms;            /* -d: a default pause                  */
	unsigned users;              /* -users, 0 none                       */
	uint64_t limit;              /* -l, 0 none                           */
	uint64_t max_calls;          /* -m, 0 none                           */
	uint64_t active, peak;       /* calls in progress; the most at once  */
	uint64_t peak_at_us;         /* when the peak was (since the start)  */
	uint64_t start_us, now_us;   /* loop clock                           */
	uint64_t start_unix_us;      /* wall clock at the start              */
	enum rpt_scr_state state;
	struct rpt_scr_mark mark;    /* the current period's start           */
	int show_index;              /* "set index true": each row's step    */
	int show_hidden;             /* "set hide false": hide= ignored      */
	const char *command;         /* a last line ("Command: ..."), or NULL */
};
/* Draw screen which (1 to 9, RPT_SCR_HELP) of s on f. */
void rpt_screen_draw(FILE *f, const struct rpt_screen *s, int which, const char *eol);
/* The periodic figures start again from now (s->now_us). */
void rpt_screen_mark(struct rpt_screen *s);
/* Every screen one after the other, as SIPp's screen file has them:
 * scenario, statistics, repartition, then one per further response time. */
void rpt_screen_dump(FILE *f, const struct rpt_screen *s);

#endif
