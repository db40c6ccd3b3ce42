/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge_int: the state of a merge, shared by the files of src/merge/:
 * read.c (a report file into a jansson tree, typed members), counts.c
 * (the scenario, counters and histograms), merge.c (the run-level facts,
 * the verdict) and cmd.c (the command). They call one way: cmd -> merge
 * -> counts -> read (tests/meta/target-calls.sh). */
#ifndef SB_MERGE_INT_H
#define SB_MERGE_INT_H

#include <stdint.h>
#include <jansson.h>
#include "media/rtp.h"
#include "merge/merge.h"
#include "scenario/prog.h"
#include "stats/stats.h"

struct mrg {
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
	/* the inputs (their trees are freed once added) */
	char **gens;                 /* each input's "generator", JSON text  */
	int *gen_shards;             /* each input's shard index, -1 none     */
	unsigned *merged;            /* the sharded inputs' indexes           */
	unsigned nin, nmerged;
	int sharded;                 /* -1 before the first, 0 no, 1 yes     */
	unsigned shard_count;
};

/* Reading one report: where its errors go. at names the element being
 * read ("steps[2]"; "" at the top), since a tree keeps no lines. */
struct mrd {
	const char *path;
	struct diag *d;
	char at[48];
};

/* read.c: text or the file (text NULL) into *rootp; bad JSON is EINVAL
 * with d as path:line:column and jansson's reason. */
int mrg_load(json_t **rootp, const char *path, const char *text, size_t len,
	     struct diag *d);
/* Member key of o of type t (JSON_TRUE: a boolean; JSON_REAL: any
 * number), or NULL with the error in rd->d. */
json_t *mrg_field(const struct mrd *rd, const json_t *o, const char *key, json_type t);
int mrg_get_u64(const struct mrd *rd, const json_t *o, const char *key, uint64_t *out);
int mrg_add_u64(const struct mrd *rd, const json_t *o, const char *key, uint64_t *sum);
/* A string, or NULL for null; a missing member is an error. */
int mrg_get_str(const struct mrd *rd, const json_t *o, const char *key, const char **out);
/* v as a whole number of at least 0 (0: it is one). */
int mrg_uint(const json_t *v, uint64_t *out);
/* An error at rd->at: always EINVAL. */
int mrg_bad(const struct mrd *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v as one line of JSON (members in order), to free(); NULL: ENOMEM. */
char *mrg_text(const json_t *v);

/* counts.c: the scenario (first report) or its check (later ones), then
 * the counters, failures, steps, messages, media and histograms. */
int mrg_read_counts(struct mrg *m, const char *path, const json_t *root, struct diag *d);

#endif
