/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts: the command line, parsed by the one table of opts.def straight
 * into the structs that use the values: the engine's struct eng_opts and
 * main's struct main_opts. Nothing else reads argv. */
#ifndef SB_OPTS_H
#define SB_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "engine/engine.h"
#include "scenario/prog.h"

#define CLI_MAX_P99 8

/* What only main.c reads: the scenario to load (and the loader's own
 * options), the output files it opens, the TLS contexts and the embedded
 * target it makes, what to do instead of a run. */
struct main_opts {
	struct scn_opts scn;        /* -set, -key, -au, -ap, -domain         */
	const char *scenario_file;  /* -sf                                   */
	const char *builtin;        /* -sn                                   */
	const char *dump_builtin;   /* -sd                                   */
	int trace_msg, trace_err, trace_stat;
	const char *message_file, *error_file, *stat_file;
	int trace_logs, trace_shortmsg, trace_counts, trace_error_codes, trace_rtt;
	int trace_screen;
	const char *screen_file;       /* -screen_file                       */
	int error_overwrite;           /* -error_overwrite: 0 appends        */
	int message_overwrite, shortmessage_overwrite, log_overwrite; /* the same */
	int screen_overwrite, calldebug_overwrite;                    /* the same */
	int trace_calldebug;           /* -trace_calldebug                   */
	const char *calldebug_file;    /* -calldebug_file                    */
	const char *log_file;          /* -log_file                          */
	const char *shortmessage_file; /* -shortmessage_file                 */
	const char *tls_cert, *tls_key, *tls_ca, *tls_version;
	int tls_no_verify;
	const char *target_conf;    /* -target_conf                          */
	int serve;                  /* --serve                               */
	int background;             /* -bg                                   */
	int nostdin;
	int help, version;
	/* -max_p99 NAME=TIME: the storage eng_opts' p99_* point into */
	char p99_names[CLI_MAX_P99][64];
	uint64_t p99_ms[CLI_MAX_P99];
};

/* -default_behaviors as the engine's mask. */
enum {
	BEH_BYE        = ENG_BEH_BYE,
	BEH_ABORTUNEXP = ENG_BEH_ABORTUNEXP,
	BEH_PINGREPLY  = ENG_BEH_PINGREPLY,
	BEH_ALL        = BEH_BYE | BEH_ABORTUNEXP | BEH_PINGREPLY,
};

/* Parse argv into o and m (their defaults first). The engine's fields
 * main fills itself (loop, tls, the trace files, keyboard, progress) are
 * left zero. On a bad option returns EINVAL with d filled ("-r: not a
 * number: 'x'"), m freed. A SIPp option without effect here is warned of
 * on stderr, once. */
int cli_parse(struct eng_opts *o, struct main_opts *m, int argc, char **argv,
	      struct diag *d);
/* Frees the -set/-key arrays cli_parse made (their strings are argv's). */
void cli_free(struct eng_opts *o, struct main_opts *m);
/* Print the grouped --help built from opts.def. */
void cli_help(FILE *f);

#endif
