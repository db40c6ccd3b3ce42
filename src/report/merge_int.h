/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge_int: the state of a merge, shared by mread.c (reading the
 * reports' counters) and merge.c (the run-level facts, the verdict, the
 * command). */
#ifndef SB_MERGE_INT_H
#define SB_MERGE_INT_H

#include <stdint.h>
#include "media/rtp.h"
#include "report/merge.h"
#include "scenario/prog.h"
#include "stats/stats.h"

struct rpt_merge {
	/* the scenario, from the first report: names only */
	struct prog p;
	struct prog_ua *uas;
	unsigned nuas;
	struct step *steps;          /* flattened, nsteps                    */
	unsigned nsteps;
	char **rtd_names;
	char **rtd_between;          /* each rtd's "between" ("" unknown)   */
	unsigned nrtd;
	char *name, *file;
	const char *first;           /* path of the first report             */
	/* the sums */
	struct stats st;
	struct media_stats media;
	int have_media;
	struct rpt_gen gen;
	/* run-level facts */
	char *remote;                /* the first report's target            */
	char local_ip[64];
	unsigned local_port;
	uint64_t elapsed_us;         /* the longest                          */
	uint64_t start_unix_us;      /* the earliest                         */
	char stopped_by[64];         /* the first report's, or ""            */
	int signalled;               /* a report ended by a signal (97)      */
	int timeout_error;           /* a report was run with -timeout_error */
	int timed_out;               /* a report's run was ended by -timeout */
	struct rpt_limit limits[RPT_MAX_LIMITS];
	unsigned nlimits;
	/* the inputs */
	struct rpt_jval **roots;
	const struct rpt_jval **gens;
	int *gen_shards;             /* each input's shard index, -1 none     */
	unsigned *merged;            /* the sharded inputs' indexes           */
	unsigned nin, nmerged;
	int sharded;                 /* -1 before the first, 0 no, 1 yes     */
	unsigned shard_count;
};

/* mread.c: the scenario (first report) or its check (later ones), then
 * the counters, failures, steps, messages, media and histograms. */
int rpt_mread_counts(struct rpt_merge *m, const char *path, const struct rpt_jval *root,
		     struct diag *d);

#endif
