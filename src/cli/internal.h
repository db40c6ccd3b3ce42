/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli internals: the value parsers every table kind shares (value.c),
 * the callbacks of the options no kind fits (cb.c), -shard (shard.c).
 * Calls go one way: opts.c -> cb.c, shard.c -> value.c. */
#ifndef SB_CLI_INTERNAL_H
#define SB_CLI_INTERNAL_H

#include <stdint.h>
#include "cli/opts.h"

/* Where a parsed value goes: the two structs of cli_parse. */
struct cli_dst {
	struct eng_opts *eng;
	struct main_opts *main;
};

/* A CB row's function: opt is the option's name (for messages), args its
 * arguments, as many as the words of the row's metavar. */
typedef int (cli_cb)(struct cli_dst *t, const char *opt, char *const *args,
		     struct diag *d);

/* A KW row's words and what each stores; the list ends with a NULL word.
 * expected says them in an error: "-OPT: 'x' (expected EXPECTED)". */
struct cli_kw {
	const char *word;
	int value;
};
struct cli_kws {
	const char *expected;
	struct cli_kw kw[6];
};

/* value.c: "-OPT: not a whole number: 'x'" and so on, into d. */
int cli_uint(const char *opt, const char *s, unsigned *out, struct diag *d);
/* A rate: a number from 0 to CLI_MAX_RATE. */
int cli_double(const char *opt, const char *s, double *out, struct diag *d);
/* A time with an optional unit (ms, s, m, h); unit_ms is the default. */
int cli_time(const char *opt, const char *s, uint64_t unit_ms, uint64_t *out,
	     struct diag *d);

/* cb.c */
cli_cb cli_cb_set, cli_cb_key, cli_cb_infindex, cli_cb_transport, cli_cb_port, cli_cb_timer_resol,
	cli_cb_nd, cli_cb_behaviors, cli_cb_fail_rate, cli_cb_p99, cli_cb_max_retrans,
	cli_cb_stat_delim, cli_cb_t2;
extern const struct cli_kws cli_kw_bool, cli_kw_display;

/* shard.c: -shard K/N or N (the index then from the environment, at
 * resolve). cli_shard_resolve checks K < N and turns the load options
 * into this shard's share (rate/N, its part of -m, -l, -users). */
cli_cb cli_cb_shard;
int cli_shard_resolve(struct eng_opts *o, struct diag *d);

#endif
