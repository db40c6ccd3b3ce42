/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge: sipbench merge, many JSON reports of one scenario (the shards of
 * a -shard run, or any runs) into one, losslessly: counters summed,
 * histograms merged bucket by bucket, every figure of the result computed
 * from the merged data as one run's would be. */
#ifndef SB_MERGE_H
#define SB_MERGE_H

#include "base/diag.h"
#include "report/jread.h"
#include "report/rpt.h"

struct rpt_merge;

int rpt_merge_alloc(struct rpt_merge **mp);
void rpt_merge_free(struct rpt_merge *m);

/* Add one report, root (taken over: freed with m, even on error). The
 * first fixes the scenario; a later one of another scenario (its step
 * list or response-time counters differ), of another histogram layout,
 * sharded differently, or missing what a merge needs is an error: EINVAL
 * with d naming path (and the line), ENOMEM. */
int rpt_merge_add(struct rpt_merge *m, const char *path, struct rpt_jval *root,
		  struct diag *d);
int rpt_merge_add_file(struct rpt_merge *m, const char *path, struct diag *d);

/* The merged report (valid until rpt_merge_free): limits judged again on
 * the merged figures, exit status as one run's (eng_exit_code's rules).
 * Say on warn (if not NULL) which shards of 0..N-1 are missing or came
 * twice. */
void rpt_merge_result(struct rpt_merge *m, struct rpt_run *r, FILE *warn);

/* `sipbench merge [-o FILE|-] REPORT.json...`: argv[0] is "merge".
 * Returns the exit status: the merged run's, or 255 on bad input. */
int rpt_merge_main(int argc, char **argv);

#endif
