/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge: the reports added one by one: their run-level facts (shards,
 * times, generator, limits, exit status), and the merged verdict. The
 * counters and histograms are read in counts.c, the command is cmd.c. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "merge/merge_int.h"

int mrg_alloc(struct mrg **mp)
{
	struct mrg *m = calloc(1, sizeof(*m));

	if (!m)
		return ENOMEM;
	m->sharded = -1;
	m->gen.min_rate_share = 1;
	*mp = m;
	return 0;
}

void mrg_free(struct mrg *m)
{
	unsigned i;

	if (!m)
		return;
	for (i = 0; i < m->nin; i++)
		free(m->gens[i]);
	for (i = 0; i < m->nuas; i++)
		free((char *)m->uas[i].name);
	for (i = 0; m->rtd_names && i < m->nrtd; i++)
		free(m->rtd_names[i]);
	for (i = 0; m->rtd_between && i < m->nrtd; i++)
		free(m->rtd_between[i]);
	free(m->rtd_between);
	stat_free(&m->st);
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

/* A number member, 0 if it is none. */
static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* A string member, or NULL. */
static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "shard": null or {"index": K, "count": N}; all reports alike. */
static int take_shard(struct mrg *m, const char *path, const json_t *root,
		      struct diag *d)
{
	struct mrd rd = {path, d, "shard"};
	const json_t *s = json_object_get(root, "shard");
	int sharded = json_is_object(s);
	uint64_t k, n;

	if (!sharded && !json_is_null(s))
		return diag_set(d, path, 0, "\"shard\" is missing (a report of sipbench %s "
				"or later is needed)", PACKAGE_VERSION);
	if (sharded && json_object_get(s, "merged"))
		return diag_set(d, path, 0, "already a merged report: merge the shards' own "
				"reports");
	if (m->sharded >= 0 && m->sharded != sharded)
		return diag_set(d, path, 0, "%s, but %s is %s: merge the shards of one run, or "
				"unsharded runs", sharded ? "a shard" : "not a shard", m->first,
				m->sharded ? "a shard" : "not");
	m->sharded = sharded;
	m->gen_shards[m->nin] = -1;
	if (!sharded)
		return 0;
	if (!mrg_field(&rd, s, "index", JSON_REAL) || !mrg_field(&rd, s, "count", JSON_REAL))
		return EINVAL;
	if (mrg_uint(json_object_get(s, "index"), &k) ||
	    mrg_uint(json_object_get(s, "count"), &n) || !n || k >= n || n > 100000)
		return diag_set(d, path, 0, "\"shard\": want 0 <= index < count");
	if (m->shard_count && n != m->shard_count)
		return diag_set(d, path, 0, "shard %llu of %llu, but %s is of %u shards",
				(unsigned long long)k, (unsigned long long)n, m->first,
				m->shard_count);
	m->shard_count = (unsigned)n;
	m->merged[m->nmerged++] = (unsigned)k;
	m->gen_shards[m->nin] = (int)k;
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
static int take_run(struct mrg *m, const struct mrd *rd, const json_t *root)
{
	const json_t *st = mrg_field(rd, root, "started", JSON_STRING);
	const json_t *el = st ? mrg_field(rd, root, "elapsed_s", JSON_REAL) : NULL;
	const json_t *ex = el ? mrg_field(rd, root, "exit_status", JSON_REAL) : NULL;
	const char *tg = str(root, "target"), *lo = str(root, "local");
	const char *sb = str(root, "stopped_by");
	uint64_t start, el_us;

	if (!ex)
		return EINVAL;
	if (parse_started(json_string_value(st), &start))
		return diag_set(rd->d, rd->path, 0, "\"started\": not a time as "
				"YYYY-MM-DDTHH:MM:SSZ");
	el_us = (uint64_t)(json_number_value(el) * 1e6 + 0.5);
	if (!m->nin || start < m->start_unix_us)
		m->start_unix_us = start;
	if (el_us > m->elapsed_us)
		m->elapsed_us = el_us;
	if (!m->nin && tg && !(m->remote = strdup(tg)))
		return ENOMEM;
	if (!m->nin && lo) {
		const char *colon = strrchr(lo, ':');

		snprintf(m->local_ip, sizeof(m->local_ip), "%.*s",
			 (int)(colon ? (size_t)(colon - lo) : strlen(lo)), lo);
		m->local_port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	}
	if (!m->stopped_by[0] && sb)
		snprintf(m->stopped_by, sizeof(m->stopped_by), "%s", sb);
	if (json_number_value(ex) == 97)
		m->signalled = 1;
	return 0;
}

/* -timeout_error and -timeout, as each report says them: the merged run
 * is judged with them (rpt_judge). */
static void note_timeout(struct mrg *m, const json_t *root)
{
	const char *sb = str(root, "stopped_by");

	if (json_is_true(json_object_get(root, "timeout_error")))
		m->timeout_error = 1;
	if (sb && !strcmp(sb, "-timeout"))
		m->timed_out = 1;
}

/* The fleet's generator: sums, the worst of each, the first verdict. */
static void take_generator(struct mrg *m, const json_t *g, int shard)
{
	struct rpt_gen *s = &m->gen;
	const char *why = str(g, "verdict");
	const json_t *c = json_object_get(g, "connections");
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
	if (json_object_get(g, "min_rate_share") && num(g, "min_rate_share") < s->min_rate_share)
		s->min_rate_share = num(g, "min_rate_share");
	if (json_is_object(c)) {
		s->stream = 1;
		s->conns_out += (unsigned long long)num(c, "opened");
		s->conns_in += (unsigned long long)num(c, "accepted");
		s->conns_lost += (unsigned long long)num(c, "lost");
		s->stream_errors += (unsigned long long)num(c, "broken");
	}
	if (json_is_true(json_object_get(g, "bottleneck")) && !s->bottleneck) {
		s->bottleneck = 1;
		if (shard >= 0)
			snprintf(s->why, sizeof(s->why), "shard %d: %s", shard,
				 why ? why : "a bottleneck");
		else
			snprintf(s->why, sizeof(s->why), "report %u: %s", m->nin + 1,
				 why ? why : "a bottleneck");
	}
}

/* The limits by name; judged again on the merged figures at the end
 * (mrg_result), so only the names matter here. */
static void take_limits(struct mrg *m, const json_t *root)
{
	const json_t *lim = json_object_get(root, "limits");
	size_t i;
	unsigned j;

	for (i = 0; i < json_array_size(lim); i++) {
		const json_t *l = json_array_get(lim, i);
		const char *n = str(l, "limit");

		if (!n)
			continue;
		for (j = 0; j < m->nlimits && strcmp(m->limits[j].name, n); j++)
			;
		if (j == m->nlimits && m->nlimits < RPT_MAX_LIMITS)
			snprintf(m->limits[m->nlimits++].name, sizeof(m->limits[0].name), "%s", n);
		if (j < m->nlimits && json_is_true(json_object_get(l, "broken")))
			m->limits[j].broken = 1;
	}
}

static int grow(struct mrg *m)
{
	size_t n = m->nin + 1;
	char **g = realloc(m->gens, n * sizeof(*g));
	int *gs;
	unsigned *mg;

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

/* One report's tree into m; the tree is the caller's. */
static int add_root(struct mrg *m, const char *path, const json_t *root, struct diag *d)
{
	struct mrd rd = {path, d, ""};
	const json_t *g = NULL;
	int err;

	if (grow(m))
		return ENOMEM;
	if (!m->nin)
		m->first = path;
	err = mrg_read_counts(m, path, root, d);
	if (!err)
		err = take_shard(m, path, root, d);
	if (!err)
		err = take_run(m, &rd, root);
	if (!err && !(g = mrg_field(&rd, root, "generator", JSON_OBJECT)))
		err = EINVAL;
	if (!err && !(m->gens[m->nin] = mrg_text(g)))
		err = ENOMEM;
	if (err)
		return err;
	note_timeout(m, root);
	take_generator(m, g, m->gen_shards[m->nin]);
	take_limits(m, root);
	m->nin++;
	return 0;
}

int mrg_add_mem(struct mrg *m, const char *path, const char *text, size_t len,
		struct diag *d)
{
	json_t *root = NULL;
	int err = mrg_load(&root, path, text, len, d);

	if (!err)
		err = add_root(m, path, root, d);
	json_decref(root);
	return err;
}

int mrg_add_file(struct mrg *m, const char *path, struct diag *d)
{
	return mrg_add_mem(m, path, NULL, 0, d);
}

/* ---- the merged verdict ------------------------------------------------------- */

static const struct hist *limit_hist(const struct mrg *m, const char *name)
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
static void judge_limit(const struct mrg *m, struct rpt_limit *l)
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

static void warn_shards(const struct mrg *m, FILE *warn)
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

void mrg_result(struct mrg *m, struct rpt_run *r, FILE *warn)
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
	r->generators = (const char *const *)m->gens;
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
