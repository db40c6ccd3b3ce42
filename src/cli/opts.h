/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts: the command line -> struct config. Nothing else reads argv. */
#ifndef SB_OPTS_H
#define SB_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "engine/engine.h"

enum cli_opt_id {
#define OPT(name, id, kind, cat, meta, help) CLI_OPT_##id,
#include "cli/opts.def"
#undef OPT
	CLI_OPT_COUNT
};

enum { TP_MODE_U1, TP_MODE_UN };  /* one socket, or one per call */

#define CLI_MAX_P99 8

struct config {
	const char *scenario_file;  /* -sf                                   */
	const char *builtin;        /* -sn                                   */
	const char *dump_builtin;   /* -sd                                   */
	const char *inf;            /* -inf                                  */
	const char **set_names;     /* -set pairs (point into argv)          */
	const char **set_values;
	unsigned nset;
	const char **key_names;     /* -key pairs (point into argv)          */
	const char **key_values;
	unsigned nkey;
	const char *service;        /* -s                                    */
	const char *auth_user;      /* -au                                   */
	const char *auth_pass;      /* -ap                                   */
	const char *domain;         /* -domain                               */
	uint64_t pause_ms;          /* -d                                    */
	uint64_t timer_resol_ms;    /* -timer_resol: batching pause bound    */
	int no_backoff;             /* -no_backoff                           */
	double rate;                /* -r                                    */
	uint64_t rate_period_ms;    /* -rp                                   */
	unsigned limit;             /* -l; 0 = none                          */
	unsigned max_calls;         /* -m; 0 = none                          */
	uint64_t timeout_ms;        /* -timeout; 0 = none                    */
	uint64_t grace_ms;          /* -grace after a signal or -timeout     */
	int grace_given;            /* -grace was on the command line        */
	int timeout_error;
	uint64_t recv_timeout_ms;   /* -recv_timeout; 0 = none               */
	const char *local_ip;       /* -i                                    */
	unsigned local_port;        /* -p; 0 = choose                        */
	int tp_mode;                /* -t: TP_MODE_U1 or TP_MODE_UN          */
	int tp_proto;               /* -t: enum tp_proto                     */
	unsigned max_reconnect;     /* -max_reconnect                        */
	uint64_t reconnect_sleep_ms;
	int reconnect_close;        /* -reconnect_close (default 1)          */
	const char *tls_cert, *tls_key, *tls_ca, *tls_version, *tls_sni;
	int tls_no_verify;
	const char *ws_path;        /* -ws_path                              */
	const char *media_ip;       /* -mi                                   */
	unsigned media_port;        /* -mp                                   */
	const char *advertise;      /* -advertise HOST[:PORT], or NULL       */
	int rtp_echo;               /* -rtp_echo                             */
	unsigned max_retrans;       /* -max_retrans; 0 = RFC 3261 64xT1 rule */
	int auto_answer;            /* -aa                                   */
	unsigned behaviors;         /* -nd / -default_behaviors: BEH_* mask  */
	int trace_msg, trace_err, trace_stat;
	const char *message_file, *error_file, *stat_file;
	const char *stat_delimiter;  /* -stat_delimiter, or NULL for ";" */
	uint64_t freq_dump_ms;      /* -fd                                   */
	int background;             /* -bg                                   */
	int serve;                  /* --serve                               */
	double rate_increase;       /* -rate_increase; 0 = no ramp           */
	double rate_max;            /* -rate_max; 0 = none                   */
	int no_rate_quit;
	const char *json, *junit;   /* report files, or NULL                 */
	const char *pcap;           /* --pcap FILE, or NULL                  */
	const char *metrics;        /* --metrics FILE, or NULL               */
	unsigned users;             /* -users; 0 = none                      */
	int rate_given;             /* -r was on the command line            */
	double max_fail_rate;       /* -max_fail_rate; < 0 = none            */
	char p99_names[CLI_MAX_P99][64];  /* -max_p99 NAME=TIME              */
	uint64_t p99_ms[CLI_MAX_P99];
	unsigned np99;
	const char *target_conf;    /* -target_conf                          */
	int nostdin;
	unsigned shard_index;       /* -shard K/N: K                         */
	unsigned shard_count;       /* N; 0: not sharded                     */
	const char *shard_from;     /* the variable K came from, or NULL     */
	const char *remote;         /* the target "host[:port]", or NULL     */
	int help, version;
};

enum {
	BEH_BYE        = ENG_BEH_BYE,
	BEH_ABORTUNEXP = ENG_BEH_ABORTUNEXP,
	BEH_PINGREPLY  = ENG_BEH_PINGREPLY,
	BEH_ALL        = BEH_BYE | BEH_ABORTUNEXP | BEH_PINGREPLY,
};

/* Parse argv into c (defaults first). On a bad option returns EINVAL with
 * d filled ("-r: not a number: 'x'"). */
int cli_parse(struct config *c, int argc, char **argv, struct diag *d);
/* shard.c: -shard K/N or N (the index then from the environment, at
 * resolve). cli_shard_resolve checks K < N and turns the load options
 * into this shard's share (rate/N, its part of -m, -l, -users). */
int cli_shard_parse(struct config *c, const char *v, struct diag *d);
int cli_shard_resolve(struct config *c, struct diag *d);
/* Print the grouped --help built from opts.def. */
/* Frees the -set/-key arrays cli_parse made (their strings are argv's);
 * cli_parse frees them itself when it fails. */
void cli_free(struct config *c);
void cli_help(FILE *f);

#endif
