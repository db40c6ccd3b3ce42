/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics: --metrics FILE, the run's counters in the OpenMetrics text
 * format, rewritten every -fd period and at the end. The file is written
 * beside its final name and renamed over it, so a scraper (node
 * exporter's textfile collector, a CI step) never reads half of it. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# TYPE sipbench_%s counter\n# HELP sipbench_%s %s\n"
		"sipbench_%s_total %llu\n", name, name, help, name, (unsigned long long)v);
}

/* A histogram as an OpenMetrics summary: quantiles, sum and count. */
static void summary(FILE *f, const char *label, const char *value, const struct hist *h)
{
	static const double q[] = {0.5, 0.9, 0.99, 0.999};
	unsigned i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		fprintf(f, "sipbench_%s_seconds{%s=\"%s\",quantile=\"%g\"} %.6f\n",
			label[0] == 'r' ? "response_time" : "call_length", label, value, q[i],
			hist_quantile(h, q[i]) / 1e6);
	fprintf(f, "sipbench_%s_seconds_sum{%s=\"%s\"} %.6f\n",
		label[0] == 'r' ? "response_time" : "call_length", label, value,
		(double)h->sum / 1e6);
	fprintf(f, "sipbench_%s_seconds_count{%s=\"%s\"} %llu\n",
		label[0] == 'r' ? "response_time" : "call_length", label, value,
		(unsigned long long)h->count);
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

static void write_all(FILE *f, const struct prog *p, const struct stats *st,
		      uint64_t concurrent, double target_rate)
{
	char name[256];
	unsigned i;

	counter(f, "calls_started", "Calls started.", st->calls_started);
	counter(f, "calls_successful", "Calls that passed every step.", st->calls_ok);
	fprintf(f, "# TYPE sipbench_calls_failed counter\n"
		"# HELP sipbench_calls_failed Calls that failed, by reason.\n");
	for (i = 0; i < FAIL_COUNT; i++)
		fprintf(f, "sipbench_calls_failed_total{reason=\"%s\"} %llu\n",
			stat_fail_name((enum fail_reason)i), (unsigned long long)st->fail[i]);
	counter(f, "messages_sent", "SIP messages sent.", st->tx);
	counter(f, "messages_received", "SIP messages received.", st->rx);
	counter(f, "messages_unparsable", "Datagrams that were not SIP.", st->malformed);
	fprintf(f, "# TYPE sipbench_concurrent_calls gauge\n"
		"# HELP sipbench_concurrent_calls Calls in progress.\n"
		"sipbench_concurrent_calls %llu\n", (unsigned long long)concurrent);
	fprintf(f, "# TYPE sipbench_target_rate gauge\n"
		"# HELP sipbench_target_rate Calls per second asked for.\n"
		"sipbench_target_rate %.3f\n", target_rate);
	fprintf(f, "# TYPE sipbench_response_time_seconds summary\n"
		"# HELP sipbench_response_time_seconds Response-time counters (rtd).\n");
	for (i = 0; i < st->nrtd; i++)
		summary(f, "rtd", p->rtd_names[i], &st->rtd[i]);
	fprintf(f, "# TYPE sipbench_call_length_seconds summary\n"
		"# HELP sipbench_call_length_seconds Call length.\n");
	label_value(p->name ? p->name : "", name, sizeof(name));
	summary(f, "scenario", name, &st->call_len);
	fprintf(f, "# EOF\n");
}

int rpt_metrics(const char *path, const struct prog *p, const struct stats *st,
		uint64_t concurrent, double target_rate)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return errno;
	write_all(f, p, st, concurrent, target_rate);
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
