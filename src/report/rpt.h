/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpt: reports. The final terminal summary and the -trace_stat CSV. */
#ifndef SB_RPT_H
#define SB_RPT_H

#include <stdint.h>
#include <stdio.h>

struct prog;
struct stats;
struct tp_stats;

/* What a final summary shows about one run. */
struct rpt_run {
	const struct prog *p;
	const struct stats *st;
	uint64_t elapsed_us;
	const char *local_ip;
	unsigned local_port;
	const char *remote;          /* NULL for a server scenario           */
	int uas_mode;
	const char *stopped_by;      /* "signal", "-timeout" or NULL         */
};

/* The final summary: per-step counters, calls by outcome, failures by
 * reason, response times. Lines meant for scripts keep a fixed shape:
 * "  successful <N>", "  failed <N>", "  timed out <N>". */
void rpt_summary(FILE *out, const struct rpt_run *r);

/* -trace_stat: a header, then one line per period, ';'-separated, with
 * SIPp's column names for the columns we share. */
struct rpt_csv {
	FILE *f;
	uint64_t start_us, last_us;
	uint64_t prev[1];            /* calls ended at the last line         */
	uint64_t prevc[24];          /* counted columns at the last line     */
};

void rpt_csv_header(struct rpt_csv *c, uint64_t start_us);
void rpt_csv_line(struct rpt_csv *c, const struct stats *st, uint64_t now_us,
		  double target_rate, uint64_t current_calls);

#endif
