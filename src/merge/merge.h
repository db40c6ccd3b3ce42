/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge: sipbench merge, many JSON reports of one scenario (the shards of
 * a -shard run, or any runs) into one, losslessly: counters summed,
 * histograms merged bucket by bucket, every figure of the result computed
 * from the merged data as one run's would be. The reports are read with
 * jansson, which only src/merge/ sees (docs/internals/merge.md). */
#ifndef SB_MERGE_H
#define SB_MERGE_H

#include <stddef.h>
#include <stdio.h>
#include "base/diag.h"
#include "report/rpt.h"

struct mrg;

int mrg_alloc(struct mrg **mp);
void mrg_free(struct mrg *m);

/* Add one report: the file at path, or text[0..len) named path. The
 * first fixes the scenario; a later one of another scenario (its step
 * list or response-time counters differ), of another histogram layout,
 * sharded differently, or missing what a merge needs is an error: EINVAL
 * with d naming path (and, for bad JSON, line and column), ENOMEM. With
 * text NULL, mrg_add_mem reads the file too. */
int mrg_add_file(struct mrg *m, const char *path, struct diag *d);
int mrg_add_mem(struct mrg *m, const char *path, const char *text, size_t len,
		struct diag *d);

/* The merged report (valid until mrg_free): limits judged again on the
 * merged figures, exit status as one run's (rpt_judge's rules). Say on
 * warn (if not NULL) which shards of 0..N-1 are missing or came twice. */
void mrg_result(struct mrg *m, struct rpt_run *r, FILE *warn);

/* `sipbench merge [-o FILE|-] REPORT.json...`: argv[0] is "merge".
 * Returns the exit status: the merged run's, or 255 on bad input. */
int mrg_main(int argc, char **argv);

#endif
