/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge: the run-level facts of the reports (shards, times, generator,
 * limits, exit status), the merged verdict, and the `sipbench merge`
 * command. The counters and histograms are read in mread.c. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "report/merge_int.h"

#define EXIT_FATAL 255

int rpt_merge_alloc(struct rpt_merge **mp)
{
	struct rpt_merge *m = calloc(1, sizeof(*m));

	if (!m)
		return ENOMEM;
	m->sharded = -1;
	m->gen.min_rate_share = 1;
	*mp = m;
	return 0;
}

void rpt_merge_free(struct rpt_merge *m)
{
	unsigned i;

	if (!m)
		return;
	for (i = 0; i < m->nin; i++)
		rpt_jfree(m->roots[i]);
	for (i = 0; i < m->nuas; i++)
		free((char *)m->uas[i].name);
	for (i = 0; m->rtd_names && i < m->nrtd; i++)
		free(m->rtd_names[i]);
	for (i = 0; m->rtd_between && i < m->nrtd; i++)
		free(m->rtd_between[i]);
	free(m->rtd_between);
	stat_free(&m->st);
	free(m->roots);
	free(m->gens);
	free(m->gen_shards);
	free(m->merged);
	free(m->rtd_names);
	free(m->uas);
	free(m->steps);
	free(m->name);
	free(m->file);
	free(m->remote);
	free(m);
}

/* Small readers (the counters' ones are in mread.c): a member of the
 * given type or an error naming it. */
static const struct rpt_jval *need(const char *path, const struct rpt_jval *o,
				   const char *key, enum rpt_jtype t, struct diag *d)
{
	const struct rpt_jval *v = rpt_jget(o, key);

	if (v && (v->type == t || (t == RPT_JTRUE && v->type == RPT_JFALSE)))
		return v;
	diag_set(d, path, o ? (int)o->line : 0, "\"%s\" is %s", key,
		 v ? "not of the expected type" : "missing");
	return NULL;
}

static double num(const struct rpt_jval *o, const char *key)
{
	const struct rpt_jval *v = rpt_jget(o, key);

	return v && v->type == RPT_JNUM ? v->num : 0;
}

/* "shard": null or {"index": K, "count": N}; all reports alike. */
static int take_shard(struct rpt_merge *m, const char *path, const struct rpt_jval *root,
		      struct diag *d)
{
	const struct rpt_jval *s = rpt_jget(root, "shard"), *k, *n;
	int sharded = s && s->type == RPT_JOBJ;

	if (!s || (!sharded && s->type != RPT_JNULL))
		return diag_set(d, path, 0, "\"shard\" is missing (a report of sipbench %s "
				"or later is needed)", PACKAGE_VERSION);
	if (sharded && rpt_jget(s, "merged"))
		return diag_set(d, path, (int)s->line, "already a merged report: merge the "
				"shards' own reports");
	if (m->sharded >= 0 && m->sharded != sharded)
		return diag_set(d, path, 0, "%s, but %s is %s: merge the shards of one run, or "
				"unsharded runs", sharded ? "a shard" : "not a shard", m->first,
				m->sharded ? "a shard" : "not");
	m->sharded = sharded;
	m->gen_shards[m->nin] = -1;
	if (!sharded)
		return 0;
	if (!(k = need(path, s, "index", RPT_JNUM, d)) || !(n = need(path, s, "count", RPT_JNUM, d)))
		return EINVAL;
	if (!k->is_uint || !n->is_uint || !n->u || k->u >= n->u || n->u > 100000)
		return diag_set(d, path, (int)s->line, "\"shard\": want 0 <= index < count");
	if (m->shard_count && n->u != m->shard_count)
		return diag_set(d, path, (int)s->line, "shard %llu of %llu, but %s is of %u "
				"shards", k->u, n->u, m->first, m->shard_count);
	m->shard_count = (unsigned)n->u;
	m->merged[m->nmerged++] = (unsigned)k->u;
	m->gen_shards[m->nin] = (int)k->u;
	return 0;
}

/* "2026-12-02T00:34:05Z" -> microseconds since the epoch. */
static int parse_started(const char *s, uint64_t *us)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*us = (uint64_t)t * 1000000u;
	return 0;
}

/* target, local, started, elapsed, stopped_by, exit_status. */
static int take_run(struct rpt_merge *m, const char *path, const struct rpt_jval *root,
		    struct diag *d)
{
	const struct rpt_jval *st = need(path, root, "started", RPT_JSTR, d);
	const struct rpt_jval *el = st ? need(path, root, "elapsed_s", RPT_JNUM, d) : NULL;
	const struct rpt_jval *ex = el ? need(path, root, "exit_status", RPT_JNUM, d) : NULL;
	const struct rpt_jval *tg = rpt_jget(root, "target"), *lo = rpt_jget(root, "local");
	const struct rpt_jval *sb = rpt_jget(root, "stopped_by");
	uint64_t start, el_us;

	if (!ex)
		return EINVAL;
	if (parse_started(st->str, &start))
		return diag_set(d, path, (int)st->line, "\"started\": not a time as "
				"YYYY-MM-DDTHH:MM:SSZ");
	el_us = (uint64_t)(el->num * 1e6 + 0.5);
	if (!m->nin || start < m->start_unix_us)
		m->start_unix_us = start;
	if (el_us > m->elapsed_us)
		m->elapsed_us = el_us;
	if (!m->nin && tg && tg->type == RPT_JSTR && !(m->remote = strdup(tg->str)))
		return ENOMEM;
	if (!m->nin && lo && lo->type == RPT_JSTR) {
		const char *colon = strrchr(lo->str, ':');

		snprintf(m->local_ip, sizeof(m->local_ip), "%.*s",
			 (int)(colon ? (size_t)(colon - lo->str) : strlen(lo->str)), lo->str);
		m->local_port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	}
	if (!m->stopped_by[0] && sb && sb->type == RPT_JSTR)
		snprintf(m->stopped_by, sizeof(m->stopped_by), "%s", sb->str);
	if (ex->num == 97)
		m->signalled = 1;
	return 0;
}

/* -timeout_error and -timeout, as each report says them: the merged run
 * is judged with them (rpt_judge). */
static void note_timeout(struct rpt_merge *m, const struct rpt_jval *root)
{
	const struct rpt_jval *te = rpt_jget(root, "timeout_error");
	const struct rpt_jval *sb = rpt_jget(root, "stopped_by");

	if (te && te->type == RPT_JTRUE)
		m->timeout_error = 1;
	if (sb && sb->type == RPT_JSTR && !strcmp(sb->str, "-timeout"))
		m->timed_out = 1;
}

/* The fleet's generator: sums, the worst of each, the first verdict. */
static void take_generator(struct rpt_merge *m, const struct rpt_jval *g, int shard)
{
	struct rpt_gen *s = &m->gen;
	const struct rpt_jval *b = rpt_jget(g, "bottleneck"), *why = rpt_jget(g, "verdict");
	const struct rpt_jval *c = rpt_jget(g, "connections");
	double drops = num(g, "udp_drops"), lag = num(g, "max_lag_ms") * 1000.0;

	s->cpu_s += num(g, "cpu_s");
	s->cpu_share += num(g, "cpu_share");     /* cores the fleet used */
	if (lag > (double)s->max_lag_us)
		s->max_lag_us = (uint64_t)lag;
	s->late_ticks += (uint64_t)num(g, "late_ticks");
	s->not_started += (uint64_t)num(g, "not_started");
	s->udp_drops = drops < 0 || (m->nin && s->udp_drops < 0) ? -1 :
		       s->udp_drops + (long long)drops;
	if (num(g, "held_back_s") > s->held_s)
		s->held_s = num(g, "held_back_s");
	if (rpt_jget(g, "min_rate_share") && num(g, "min_rate_share") < s->min_rate_share)
		s->min_rate_share = num(g, "min_rate_share");
	if (c && c->type == RPT_JOBJ) {
		s->stream = 1;
		s->conns_out += (unsigned long long)num(c, "opened");
		s->conns_in += (unsigned long long)num(c, "accepted");
		s->conns_lost += (unsigned long long)num(c, "lost");
		s->stream_errors += (unsigned long long)num(c, "broken");
	}
	if (b && b->type == RPT_JTRUE && !s->bottleneck) {
		s->bottleneck = 1;
		if (shard >= 0)
			snprintf(s->why, sizeof(s->why), "shard %d: %s", shard,
				 why && why->type == RPT_JSTR ? why->str : "a bottleneck");
		else
			snprintf(s->why, sizeof(s->why), "report %u: %s", m->nin + 1,
				 why && why->type == RPT_JSTR ? why->str : "a bottleneck");
	}
}

/* The limits by name; judged again on the merged figures at the end
 * (rpt_merge_result), so only the names matter here. */
static void take_limits(struct rpt_merge *m, const struct rpt_jval *root)
{
	const struct rpt_jval *lim = rpt_jget(root, "limits");
	unsigned i, j;

	for (i = 0; lim && lim->type == RPT_JARR && i < lim->n; i++) {
		const struct rpt_jval *n = rpt_jget(lim->items[i], "limit");
		const struct rpt_jval *b = rpt_jget(lim->items[i], "broken");

		if (!n || n->type != RPT_JSTR)
			continue;
		for (j = 0; j < m->nlimits && strcmp(m->limits[j].name, n->str); j++)
			;
		if (j == m->nlimits && m->nlimits < RPT_MAX_LIMITS)
			snprintf(m->limits[m->nlimits++].name, sizeof(m->limits[0].name), "%s",
				 n->str);
		if (j < m->nlimits && b && b->type == RPT_JTRUE)
			m->limits[j].broken = 1;
	}
}

static int grow(struct rpt_merge *m)
{
	size_t n = m->nin + 1;
	struct rpt_jval **r = realloc(m->roots, n * sizeof(*r));
	const struct rpt_jval **g;
	int *gs;
	unsigned *mg;

	if (r)
		m->roots = r;
	g = r ? realloc(m->gens, n * sizeof(*g)) : NULL;
	if (g)
		m->gens = g;
	gs = g ? realloc(m->gen_shards, n * sizeof(*gs)) : NULL;
	if (gs)
		m->gen_shards = gs;
	mg = gs ? realloc(m->merged, n * sizeof(*mg)) : NULL;
	if (mg)
		m->merged = mg;
	return mg ? 0 : ENOMEM;
}

int rpt_merge_add(struct rpt_merge *m, const char *path, struct rpt_jval *root,
		  struct diag *d)
{
	const struct rpt_jval *g;
	int err;

	if (grow(m)) {
		rpt_jfree(root);
		return ENOMEM;
	}
	m->roots[m->nin] = root;   /* owned from here on */
	if (!m->nin)
		m->first = path;
	err = rpt_mread_counts(m, path, root, d);
	if (!err)
		err = take_shard(m, path, root, d);
	if (!err)
		err = take_run(m, path, root, d);
	if (!err && !(g = need(path, root, "generator", RPT_JOBJ, d)))
		err = EINVAL;
	if (err) {
		rpt_jfree(root);
		m->roots[m->nin] = NULL;
		return err;
	}
	note_timeout(m, root);
	take_generator(m, g, m->gen_shards[m->nin]);
	take_limits(m, root);
	m->gens[m->nin++] = g;
	return 0;
}

int rpt_merge_add_file(struct rpt_merge *m, const char *path, struct diag *d)
{
	struct rpt_jval *root;
	int err = rpt_jparse_file(&root, path, d);

	return err ? err : rpt_merge_add(m, path, root, d);
}

/* ---- the merged verdict ------------------------------------------------------- */

static const struct hist *limit_hist(const struct rpt_merge *m, const char *name)
{
	unsigned i;

	if (!strcmp(name, "call_length"))
		return &m->st.call_len;
	for (i = 0; i < m->nrtd; i++)
		if (!strcmp(m->rtd_names[i], name))
			return &m->st.rtd[i];
	return NULL;
}

/* -max_fail_rate and -max_p99 judged on the merged figures, with the
 * names and details a run gives them (verdict.c); another limit stays
 * broken if it broke in a report. */
static void judge_limit(const struct rpt_merge *m, struct rpt_limit *l)
{
	uint64_t ended = m->st.calls_ok + m->st.calls_failed, ms;
	const struct hist *h;
	char name[64];
	double pct;

	if (sscanf(l->name, "-max_fail_rate %lf%%", &pct) == 1) {
		double rate = ended ? (double)m->st.calls_failed / (double)ended : 0;

		snprintf(l->detail, sizeof(l->detail), "%llu of %llu calls failed (%.4g%%)",
			 (unsigned long long)m->st.calls_failed, (unsigned long long)ended,
			 rate * 100);
		l->broken = rate > pct / 100;
	} else if (sscanf(l->name, "-max_p99 %63[^=]=%llums", name,
			  (unsigned long long *)&ms) == 2 && (h = limit_hist(m, name)) != NULL) {
		double p99 = hist_quantile(h, 0.99) / 1000.0;

		if (!h->count) {
			snprintf(l->detail, sizeof(l->detail), "%s has no samples", name);
			l->broken = 1;
			return;
		}
		snprintf(l->detail, sizeof(l->detail), "p99 of %s is %.3f ms (%llu samples)",
			 name, p99, (unsigned long long)h->count);
		l->broken = p99 > (double)ms;
	} else {
		snprintf(l->detail, sizeof(l->detail), "%s", l->broken ? "broken in a report" :
			 "kept in every report");
	}
}

static void warn_shards(const struct rpt_merge *m, FILE *warn)
{
	unsigned k, i, n;

	for (k = 0; warn && k < m->shard_count; k++) {
		for (i = n = 0; i < m->nmerged; i++)
			n += m->merged[i] == k;
		if (n == 0)
			fprintf(warn, "sipbench merge: warning: shard %u of %u is missing: the "
				"totals are not the whole run's\n", k, m->shard_count);
		else if (n > 1)
			fprintf(warn, "sipbench merge: warning: shard %u of %u came %u times: "
				"its calls are counted %u times\n", k, m->shard_count, n, n);
	}
}

void rpt_merge_result(struct rpt_merge *m, struct rpt_run *r, FILE *warn)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->p = &m->p;
	r->st = &m->st;
	r->gen = m->gen;
	r->elapsed_us = m->elapsed_us;
	r->start_unix_us = m->start_unix_us;
	r->scenario_file = m->file;
	r->local_ip = m->local_ip;
	r->local_port = m->local_port;
	r->remote = m->remote;
	r->uas_mode = !m->remote;
	r->stopped_by = m->stopped_by[0] ? m->stopped_by : NULL;
	r->rtd_between = (const char *const *)m->rtd_between;
	r->media = m->have_media ? &m->media : NULL;
	r->shard_count = m->shard_count;
	r->merged = m->merged;
	r->nmerged = m->nmerged;
	r->generators = m->gens;
	r->generator_shards = m->gen_shards;
	r->ngenerators = m->nin;
	for (i = 0; i < m->nlimits; i++) {
		r->limits[i] = m->limits[i];
		judge_limit(m, &r->limits[i]);
	}
	r->nlimits = m->nlimits;
	r->signalled = m->signalled;
	r->timed_out = m->timed_out;
	r->timeout_error = m->timeout_error;
	rpt_judge(r);
	warn_shards(m, warn);
}

/* ---- the command ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "Usage: sipbench merge [-o FILE] REPORT.json...\n\n"
		"Merge the JSON reports (-json) of the shards of one run (-shard K/N), or of\n"
		"runs of one scenario, into one: counts summed, histograms merged bucket by\n"
		"bucket, percentiles from the merged buckets. Prints the summary; -o FILE\n"
		"writes the merged JSON report (-o -: on stdout, the summary then on stderr).\n"
		"Exit status: the merged run's (0, 1, 97, 99), 255 on bad input.\n");
}

static int write_json(const char *path, const struct rpt_run *r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int err;

	if (!f) {
		fprintf(stderr, "sipbench merge: error: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	err = rpt_json(f, r);
	if (f != stdout ? fclose(f) : fflush(f))
		err = err ? err : errno;
	if (err)
		fprintf(stderr, "sipbench merge: error: cannot write %s: %s\n", path,
			strerror(err));
	return err ? -1 : 0;
}

static int merge_files(char **files, unsigned n, const char *out)
{
	struct rpt_merge *m;
	struct rpt_run r;
	struct diag d = {0};
	FILE *sum = out && !strcmp(out, "-") ? stderr : stdout;
	unsigned i;
	int rc = EXIT_FATAL, err = 0;

	if (rpt_merge_alloc(&m))
		return EXIT_FATAL;
	for (i = 0; i < n && !err; i++)
		err = rpt_merge_add_file(m, files[i], &d);
	if (err) {
		if (err == ENOMEM)
			fprintf(stderr, "sipbench merge: error: out of memory\n");
		else
			diag_print(&d);
		goto out;
	}
	rpt_merge_result(m, &r, stderr);
	fprintf(sum, "\nsipbench merge: %u reports", n);
	if (m->shard_count) {
		fprintf(sum, ", shards");
		for (i = 0; i < m->nmerged; i++)
			fprintf(sum, "%s %u", i ? "," : "", m->merged[i]);
		fprintf(sum, " of %u", m->shard_count);
	}
	fprintf(sum, "; exit status %d\n", r.exit_status);
	rpt_summary(sum, &r);
	if (out && write_json(out, &r))
		goto out;
	rc = r.exit_status;
out:
	rpt_merge_free(m);
	return rc;
}

int rpt_merge_main(int argc, char **argv)
{
	const char *out = NULL;
	char **files = calloc((size_t)argc, sizeof(*files));
	unsigned n = 0;
	int i, rc;

	if (!files)
		return EXIT_FATAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-help")) {
			usage(stdout);
			free(files);
			return 0;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "sipbench merge: error: -o needs FILE (- for stdout)\n");
				free(files);
				return EXIT_FATAL;
			}
			out = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sipbench merge: error: unknown option '%s'\n", a);
			usage(stderr);
			free(files);
			return EXIT_FATAL;
		} else {
			files[n++] = argv[i];
		}
	}
	if (!n) {
		fprintf(stderr, "sipbench merge: error: no report given\n");
		usage(stderr);
		free(files);
		return EXIT_FATAL;
	}
	rc = merge_files(files, n, out);
	free(files);
	return rc;
}
