/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics: --metrics FILE, the run's counters in the OpenMetrics text
 * format, rewritten every -fd period and at the end. The file is written
 * beside its final name and renamed over it, so a scraper (node
 * exporter's textfile collector, a CI step) never reads half of it.
 * With -shard every sample also carries shard="K" and scenario="...",
 * so that Prometheus sums a fleet with `sum without (shard)`; the
 * response times are then also a histogram, which sums too (quantiles
 * of a summary do not). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

/* The labels every sample carries ("" unless sharded), with a trailing
 * comma when there are some, for "{" ALL "other=...}". */
struct mlabels {
	char all[400];
};

/* name{labels} or name with no braces when there are none. */
static void sample(FILE *f, const struct mlabels *l, const char *name, const char *more)
{
	size_t n = strlen(l->all);

	if (!n && !more[0]) {
		fprintf(f, "%s ", name);
		return;
	}
	/* drop the trailing comma of all when more is empty */
	fprintf(f, "%s{%.*s%s} ", name, (int)(more[0] ? n : n - 1), l->all, more);
}

/* label="value" (none when label is NULL), then extra (may be ""). */
static void pair(char *out, size_t n, const char *label, const char *value, const char *extra)
{
	snprintf(out, n, "%s%s%s%s%s%s", label ? label : "", label ? "=\"" : "",
		 label ? value : "", label ? "\"" : "", label && extra[0] ? "," : "", extra);
}

static void counter(FILE *f, const struct mlabels *l, const char *name, const char *help,
		    uint64_t v)
{
	char full[128];

	fprintf(f, "# TYPE sipbench_%s counter\n# HELP sipbench_%s %s\n", name, name, help);
	snprintf(full, sizeof(full), "sipbench_%s_total", name);
	sample(f, l, full, "");
	fprintf(f, "%llu\n", (unsigned long long)v);
}

/* A histogram's _sum and _count samples. */
static void sum_count(FILE *f, const struct mlabels *l, const char *metric, const char *label,
		      const char *value, const struct hist *h)
{
	char name[128], more[320];

	pair(more, sizeof(more), label, value, "");
	snprintf(name, sizeof(name), "sipbench_%s_seconds_sum", metric);
	sample(f, l, name, more);
	fprintf(f, "%.6f\n", (double)h->sum / 1e6);
	snprintf(name, sizeof(name), "sipbench_%s_seconds_count", metric);
	sample(f, l, name, more);
	fprintf(f, "%llu\n", (unsigned long long)h->count);
}

/* A histogram as an OpenMetrics summary: quantiles, sum and count. */
static void summary(FILE *f, const struct mlabels *l, const char *metric, const char *label,
		    const char *value, const struct hist *h)
{
	static const double q[] = {0.5, 0.9, 0.99, 0.999};
	char name[128], more[320];
	unsigned i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		snprintf(name, sizeof(name), "sipbench_%s_seconds", metric);
		char qs[32];

		snprintf(qs, sizeof(qs), "quantile=\"%g\"", q[i]);
		pair(more, sizeof(more), label, value, qs);
		sample(f, l, name, more);
		fprintf(f, "%.6f\n", hist_quantile(h, q[i]) / 1e6);
	}
	sum_count(f, l, metric, label, value, h);
}

/* The same histogram with fixed bounds, cumulative: a log-linear bucket
 * counts below a bound when its midpoint is (the value hist_quantile
 * gives for it), so a count is off only by samples within 1% of the
 * bound. */
static void buckets(FILE *f, const struct mlabels *l, const char *metric, const char *label,
		    const char *value, const struct hist *h)
{
	static const uint64_t le_us[] = {1000, 2000, 5000, 10000, 20000, 50000, 100000,
					 200000, 500000, 1000000, 2000000, 5000000, 10000000};
	static const char *const le_s[] = {"0.001", "0.002", "0.005", "0.01", "0.02", "0.05",
					   "0.1", "0.2", "0.5", "1.0", "2.0", "5.0", "10.0"};
	char name[128], more[320];
	unsigned i, b = 0;
	uint64_t below = 0, width, low;

	snprintf(name, sizeof(name), "sipbench_%s_seconds_bucket", metric);
	for (i = 0; i < sizeof(le_us) / sizeof(le_us[0]); i++) {
		for (; h->bucket && b < HIST_BUCKETS; b++) {
			low = hist_bucket_low(b, &width);
			if (low + width / 2 > le_us[i])
				break;
			below += h->bucket[b];
		}
		char les[32];

		snprintf(les, sizeof(les), "le=\"%s\"", le_s[i]);
		pair(more, sizeof(more), label, value, les);
		sample(f, l, name, more);
		fprintf(f, "%llu\n", (unsigned long long)below);
	}
	pair(more, sizeof(more), label, value, "le=\"+Inf\"");
	sample(f, l, name, more);
	fprintf(f, "%llu\n", (unsigned long long)h->count);
	sum_count(f, l, metric, label, value, h);
}

/* A label value with its quotes and backslashes escaped. */
static void label_value(const char *s, char *out, size_t n)
{
	size_t o = 0;

	for (; *s && o + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s == '\n' ? ' ' : *s;
	}
	out[o] = '\0';
}

static void gauges(FILE *f, const struct mlabels *l, uint64_t concurrent, double target_rate)
{
	fprintf(f, "# TYPE sipbench_concurrent_calls gauge\n"
		"# HELP sipbench_concurrent_calls Calls in progress.\n");
	sample(f, l, "sipbench_concurrent_calls", "");
	fprintf(f, "%llu\n", (unsigned long long)concurrent);
	fprintf(f, "# TYPE sipbench_target_rate gauge\n"
		"# HELP sipbench_target_rate Calls per second asked for.\n");
	sample(f, l, "sipbench_target_rate", "");
	fprintf(f, "%.3f\n", target_rate);
}

static void write_all(FILE *f, const struct prog *p, const struct stats *st,
		      uint64_t concurrent, double target_rate, const char *shard)
{
	struct mlabels l;
	char name[256], more[320];
	unsigned i;

	label_value(p->name ? p->name : "", name, sizeof(name));
	l.all[0] = '\0';
	if (shard)
		snprintf(l.all, sizeof(l.all), "shard=\"%s\",scenario=\"%s\",", shard, name);
	counter(f, &l, "calls_started", "Calls started.", st->calls_started);
	counter(f, &l, "calls_successful", "Calls that passed every step.", st->calls_ok);
	counter(f, &l, "calls_unfinished", "Calls still running when the run ended (not "
		"failed).", st->calls_unfinished);
	fprintf(f, "# TYPE sipbench_calls_failed counter\n"
		"# HELP sipbench_calls_failed Calls that failed, by reason.\n");
	for (i = 0; i < FAIL_COUNT; i++) {
		snprintf(more, sizeof(more), "reason=\"%s\"", stat_fail_name((enum fail_reason)i));
		sample(f, &l, "sipbench_calls_failed_total", more);
		fprintf(f, "%llu\n", (unsigned long long)st->fail[i]);
	}
	counter(f, &l, "messages_sent", "SIP messages sent.", st->tx);
	counter(f, &l, "messages_received", "SIP messages received.", st->rx);
	counter(f, &l, "messages_unparsable", "Datagrams that were not SIP.", st->malformed);
	gauges(f, &l, concurrent, target_rate);
	fprintf(f, "# TYPE sipbench_response_time_seconds summary\n"
		"# HELP sipbench_response_time_seconds Response-time counters (rtd).\n");
	for (i = 0; i < st->nrtd; i++)
		summary(f, &l, "response_time", "rtd", p->rtd_names[i], &st->rtd[i]);
	fprintf(f, "# TYPE sipbench_call_length_seconds summary\n"
		"# HELP sipbench_call_length_seconds Call length.\n");
	/* sharded, the scenario label is already on every sample */
	summary(f, &l, "call_length", shard ? NULL : "scenario", name, &st->call_len);
	if (shard) {
		fprintf(f, "# TYPE sipbench_response_time_hist_seconds histogram\n"
			"# HELP sipbench_response_time_hist_seconds Response-time counters "
			"(rtd), as buckets a fleet can add up.\n");
		for (i = 0; i < st->nrtd; i++)
			buckets(f, &l, "response_time_hist", "rtd", p->rtd_names[i], &st->rtd[i]);
		fprintf(f, "# TYPE sipbench_call_length_hist_seconds histogram\n"
			"# HELP sipbench_call_length_hist_seconds Call length, as buckets.\n");
		buckets(f, &l, "call_length_hist", NULL, NULL, &st->call_len);
	}
	fprintf(f, "# EOF\n");
}

int rpt_metrics(const char *path, const struct prog *p, const struct stats *st,
		uint64_t concurrent, double target_rate, const char *shard)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return errno;
	write_all(f, p, st, concurrent, target_rate, shard);
	if (ferror(f))
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		remove(tmp);
	return err;
}
