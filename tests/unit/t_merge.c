/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_merge: sipbench merge: bad JSON is refused with file, line and
 * column; two reports merged equal the report of the union of their
 * calls, byte for byte from "calls" to "messages";
 * percentiles come from the merged buckets; reports of another scenario
 * or layout, or with buckets that do not add up, are refused. */
#include "config.h"
#include <check.h>
#include <errno.h>
#include "tests/unit/runner.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "merge/merge.h"
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

static struct diag d;

/* A bad report: refused with the file, the line and column where its
 * JSON breaks (jansson's), and words of the reason. */
static void load_bad(const char *text, int line, int col, const char *words)
{
	struct mrg *m;

	ck_assert_int_eq(mrg_alloc(&m), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(mrg_add_mem(m, "t.json", text, strlen(text), &d), EINVAL);
	ck_assert_str_eq(d.file, "t.json");
	ck_assert_msg(d.line == line && d.col == col, "%d:%d, expected %d:%d (%s)", d.line,
		      d.col, line, col, d.msg);
	ck_assert_msg(strstr(d.msg, words) != NULL, "'%s' lacks '%s'", d.msg, words);
	mrg_free(m);
}

START_TEST(json_errors)
{
	load_bad("{\n  \"a\": tru\n}", 2, 10, "invalid token near 'tru'");
	load_bad("{\"sipbench\": \"0.1.0\",\n  \"calls\": [1, 2,]\n}\n", 2, 18,
		 "unexpected token near ']'");
	load_bad("{\"a\": 1, \"a\": 2}", 1, 12, "duplicate object key");
	load_bad("{} {}", 1, 4, "end of file expected");
	load_bad("[18446744073709551616]", 1, 21, "too big integer");
	/* a tree, but no report: no place, the reason */
	load_bad("{\"a\": 1}", 0, 0, "not a sipbench JSON report");
}
END_TEST

/* ---- merge ------------------------------------------------------------------ */

static const char scn_xml[] =
	"<scenario name=\"t\">\n"
	"<send start_rtd=\"1\"><![CDATA[\nOPTIONS sip:x@[remote_ip] SIP/2.0\n"
	"Call-ID: [call_id]\nContent-Length: 0\n]]></send>\n"
	"<recv response=\"200\" rtd=\"1\"/>\n"
	"<pause milliseconds=\"10\"/>\n"
	"</scenario>\n";

static struct prog *load_prog(const char *xml)
{
	struct prog *p = NULL;

	memset(&d, 0, sizeof(d));
	ck_assert_msg(scn_load_mem(&p, xml, strlen(xml), "t.xml", NULL, &d) == 0, "%s", d.msg);
	return p;
}

/* Calls numbered from..to: rtd 100*i+7 us, length 1000*i us; every
 * fifth fails with an unexpected message at step 2. */
static void add_calls(struct stats *st, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i <= to; i++) {
		st->calls_started++;
		st->steps[0].sent++;
		st->tx++;
		if (i % 5 == 0) {
			st->calls_failed++;
			st->fail[FAIL_UNEXPECTED]++;
			stat_fail_note(st, FAIL_UNEXPECTED, 1, "got 500");
			st->steps[1].unexpected++;
		} else {
			st->calls_ok++;
			st->steps[1].recv++;
			st->rx++;
			ck_assert_int_eq(hist_add(&st->rtd[0], 100 * (uint64_t)i + 7), 0);
		}
		ck_assert_int_eq(hist_add(&st->call_len, 1000 * (uint64_t)i), 0);
	}
}

/* The JSON report of st, as a run writes it, in memory. */
static char *report(const struct prog *p, const struct stats *st, int shard, unsigned n,
		    size_t *len)
{
	struct rpt_run r;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.st = st;
	r.elapsed_us = 2000000;
	r.start_unix_us = 1700000000ull * 1000000;
	r.scenario_file = "t.xml";
	r.local_ip = "127.0.0.1";
	r.local_port = 5070;
	r.remote = "127.0.0.1:5060";
	r.exit_status = st->calls_failed ? 1 : 0;
	r.gen.min_rate_share = 1;
	r.shard_index = shard >= 0 ? (unsigned)shard : 0;
	r.shard_count = shard >= 0 ? n : 0;
	ck_assert_int_eq(rpt_json(f, &r), 0);
	fclose(f);
	return text;
}

static int add_report(struct mrg *m, const char *name, const char *text)
{
	memset(&d, 0, sizeof(d));
	return mrg_add_mem(m, name, text, strlen(text), &d);
}

/* The text of a report from "calls" to the line before "generator". */
static char *section(const char *text)
{
	const char *a = strstr(text, "  \"calls\""), *b = strstr(text, "  \"generator\"");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	return strndup(a, (size_t)(b - a));
}

START_TEST(merge_equals_union)
{
	struct prog *p = load_prog(scn_xml);
	struct stats a, b, u;
	struct mrg *m;
	struct rpt_run r;
	char *ta, *tb, *tu, *tm, *su, *sm;
	size_t la, lb, lu, lm;
	FILE *f;
	unsigned i;

	ck_assert_uint_eq(p->nrtds, 1);
	ck_assert_int_eq(stat_init(&a, 3, 1), 0);
	ck_assert_int_eq(stat_init(&b, 3, 1), 0);
	ck_assert_int_eq(stat_init(&u, 3, 1), 0);
	add_calls(&a, 1, 600);        /* two shards of different sizes and */
	add_calls(&b, 601, 1000);     /* value ranges                     */
	add_calls(&u, 1, 1000);       /* and the one run over all calls   */
	ta = report(p, &a, 0, 2, &la);
	tb = report(p, &b, 1, 2, &lb);
	tu = report(p, &u, -1, 0, &lu);
	ck_assert_int_eq(mrg_alloc(&m), 0);
	ck_assert_int_eq(add_report(m, "a.json", ta), 0);
	ck_assert_int_eq(add_report(m, "b.json", tb), 0);
	mrg_result(m, &r, NULL);
	ck_assert_uint_eq(r.st->calls_started, 1000);
	ck_assert_uint_eq(r.st->calls_failed, 200);
	ck_assert_uint_eq(r.st->fail[FAIL_UNEXPECTED], 200);
	ck_assert_uint_eq(r.st->fail_at[0].n, 200);
	ck_assert_int_eq(r.exit_status, 1);
	ck_assert_uint_eq(r.nmerged, 2);
	ck_assert_uint_eq(r.shard_count, 2);
	/* the histograms: the union's, bucket for bucket */
	ck_assert_uint_eq(r.st->rtd[0].count, u.rtd[0].count);
	ck_assert_uint_eq(r.st->rtd[0].sum, u.rtd[0].sum);
	ck_assert_uint_eq(r.st->rtd[0].min, u.rtd[0].min);
	ck_assert_uint_eq(r.st->rtd[0].max, u.rtd[0].max);
	for (i = 0; i < HIST_BUCKETS; i++) {
		ck_assert_uint_eq(r.st->rtd[0].bucket[i], u.rtd[0].bucket[i]);
		ck_assert_uint_eq(r.st->call_len.bucket[i], u.call_len.bucket[i]);
	}
	ck_assert_uint_eq(hist_quantile(&r.st->rtd[0], 0.99), hist_quantile(&u.rtd[0], 0.99));
	/* the report written from the merge: the union's, byte for byte */
	f = open_memstream(&tm, &lm);
	ck_assert_int_eq(rpt_json(f, &r), 0);
	fclose(f);
	su = section(tu);
	sm = section(tm);
	ck_assert_str_eq(sm, su);
	ck_assert_ptr_nonnull(strstr(tm, "\"shard\": {\"merged\": [0, 1], \"count\": 2}"));
	free(su);
	free(sm);
	free(tm);
	mrg_free(m);
	free(ta);
	free(tb);
	free(tu);
	stat_free(&a);
	stat_free(&b);
	stat_free(&u);
	scn_free(p);
}
END_TEST

/* A report of t with one rtd histogram given as its JSON text. */
static char *with_hist(const char *hist)
{
	struct prog *p = load_prog(scn_xml);
	struct stats s;
	size_t len;
	char *text, *a, *b, *out;

	ck_assert_int_eq(stat_init(&s, 3, 1), 0);
	add_calls(&s, 1, 4);
	text = report(p, &s, -1, 0, &len);
	a = strstr(text, "{\"name\": \"1\"");
	b = strchr(strstr(a, "\"buckets\""), '}') + 1;
	ck_assert_int_ne(asprintf(&out, "%.*s%s%s", (int)(a - text), text, hist, b), -1);
	free(text);
	stat_free(&s);
	scn_free(p);
	return out;
}

START_TEST(percentiles_from_buckets)
{
	/* 90 samples of 10 us, 10 of 1000 us (bucket 506 holds 1000..1003):
	 * p50 = 10, p90 = 10, p99 = 1000 + 4/2, clamped to max 1001 */
	char *t = with_hist("{\"name\": \"1\", \"count\": 100, \"sum_us\": 10910, \"min_us\": "
			    "10, \"max_us\": 1001, \"buckets\": [[10, 90], [506, 10]]}");
	struct mrg *m;
	struct rpt_run r;

	ck_assert_int_eq(mrg_alloc(&m), 0);
	ck_assert_int_eq(add_report(m, "p.json", t), 0);
	mrg_result(m, &r, NULL);
	ck_assert_uint_eq(hist_quantile(&r.st->rtd[0], 0.5), 10);
	ck_assert_uint_eq(hist_quantile(&r.st->rtd[0], 0.9), 10);
	ck_assert_uint_eq(hist_quantile(&r.st->rtd[0], 0.99), 1001);
	ck_assert_uint_eq(r.st->rtd[0].sum, 10910);
	ck_assert_int_eq(r.shard_count, 0);
	ck_assert_int_eq(r.nmerged, 0);
	mrg_free(m);
	free(t);
}
END_TEST

static void merge_bad(const char *first, const char *second, const char *words)
{
	struct mrg *m;

	ck_assert_int_eq(mrg_alloc(&m), 0);
	if (first)
		ck_assert_int_eq(add_report(m, "a.json", first), 0);
	ck_assert_int_eq(add_report(m, "b.json", second), EINVAL);
	ck_assert_str_eq(d.file, "b.json");
	ck_assert_msg(strstr(d.msg, words) != NULL, "'%s' lacks '%s'", d.msg, words);
	mrg_free(m);
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	ck_assert_ptr_nonnull(at);
	ck_assert_int_ne(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to,
				  at + strlen(from)), -1);
	return out;
}

/* The verdict rule (rpt_judge, sipbench(1) EXIT STATUS), one run each. */
static int judged(uint64_t ok, uint64_t failed, uint64_t unfinished, const char *limit,
		  int broken, int timed_out, int timeout_error, int signalled, char *why)
{
	struct stats st;
	struct rpt_run r;

	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	st.calls_ok = ok;
	st.calls_failed = failed;
	st.calls_unfinished = unfinished;
	st.calls_started = ok + failed + unfinished;
	r.st = &st;
	if (limit) {
		snprintf(r.limits[0].name, sizeof(r.limits[0].name), "%s", limit);
		snprintf(r.limits[0].detail, sizeof(r.limits[0].detail), "detail");
		r.limits[0].broken = broken;
		r.nlimits = 1;
	}
	r.timed_out = timed_out;
	r.timeout_error = timeout_error;
	r.signalled = signalled;
	r.stopped_by = "signal SIGINT";
	rpt_judge(&r);
	strcpy(why, r.verdict);
	return r.exit_status;
}

START_TEST(verdict_rule)
{
	char why[320];

	ck_assert_int_eq(judged(100, 0, 0, NULL, 0, 0, 0, 0, why), 0);
	ck_assert_str_eq(why, "passed: no call failed");
	ck_assert_int_eq(judged(99, 1, 0, NULL, 0, 0, 0, 0, why), 1);
	ck_assert_str_eq(why, "1 of 100 calls failed (no -max_fail_rate: none may fail)");
	/* a budget judges the failed calls: 17 of 100 within 50% pass */
	ck_assert_int_eq(judged(83, 17, 0, "-max_fail_rate 50%", 0, 0, 0, 0, why), 0);
	ck_assert_str_eq(why, "passed: every limit kept");
	ck_assert_int_eq(judged(83, 17, 0, "-max_fail_rate 5%", 1, 0, 0, 0, why), 1);
	ck_assert_str_eq(why, "limit broken: -max_fail_rate 5%: detail");
	/* -max_p99 is no failure budget */
	ck_assert_int_eq(judged(99, 1, 0, "-max_p99 1=200ms", 0, 0, 0, 0, why), 1);
	ck_assert_int_eq(judged(100, 0, 0, "-max_p99 1=200ms", 1, 0, 0, 0, why), 1);
	/* unfinished calls are no failure, but for -timeout_error */
	ck_assert_int_eq(judged(0, 0, 20, NULL, 0, 1, 0, 0, why), 0);
	ck_assert_int_eq(judged(0, 0, 20, NULL, 0, 1, 1, 0, why), 1);
	ck_assert_str_eq(why, "-timeout_error: -timeout ended the run, 20 calls unfinished");
	ck_assert_int_eq(judged(5, 0, 0, NULL, 0, 1, 1, 0, why), 1);
	ck_assert_int_eq(judged(0, 0, 5, NULL, 0, 0, 1, 0, why), 1);
	ck_assert_str_eq(why, "-timeout_error: the run ended, 5 calls unfinished");
	ck_assert_int_eq(judged(5, 0, 0, NULL, 0, 0, 1, 0, why), 0);
	/* a signal, and nothing processed */
	ck_assert_int_eq(judged(5, 5, 5, NULL, 0, 0, 0, 1, why), 97);
	ck_assert_str_eq(why, "stopped by signal SIGINT");
	ck_assert_int_eq(judged(0, 0, 0, NULL, 0, 0, 0, 0, why), 99);
	ck_assert_int_eq(judged(0, 0, 0, "-max_fail_rate 1%", 0, 1, 1, 0, why), 99);
}
END_TEST

START_TEST(merge_refuses)
{
	struct prog *p = load_prog(scn_xml);
	struct prog *q = load_prog("<scenario name=\"t\">\n<send><![CDATA[\nOPTIONS sip:x "
				   "SIP/2.0\nCall-ID: [call_id]\n]]></send>\n"
				   "<recv response=\"202\" rtd=\"true\"/>\n"
				   "<pause milliseconds=\"10\"/>\n</scenario>\n");
	struct stats s;
	size_t len;
	char *good, *other, *bad;

	ck_assert_int_eq(stat_init(&s, 3, 1), 0);
	add_calls(&s, 1, 10);
	good = report(p, &s, -1, 0, &len);
	other = report(q, &s, -1, 0, &len);
	merge_bad(good, other, "step 2 is default \"<- 202\" here, default \"<- 200\" in "
		  "a.json: not the same scenario");
	bad = replace(good, "\"hist_sub_bits\": 7", "\"hist_sub_bits\": 6");
	merge_bad(NULL, bad, "histogram layout 6/40");
	free(bad);
	bad = replace(good, "\"count\": 8,", "\"count\": 9,");
	merge_bad(NULL, bad, "the buckets hold 8 samples, \"count\" says 9");
	free(bad);
	bad = replace(good, "\"shard\": null", "\"shard\": {\"index\": 3, \"count\": 3}");
	merge_bad(NULL, bad, "want 0 <= index < count");
	free(bad);
	bad = replace(good, "\"failed_at\"", "\"failed_here\"");
	merge_bad(NULL, bad, "\"failed_at\" is missing");
	free(bad);
	bad = replace(good, "\"shard\": null", "\"shard\": {\"index\": 0, \"count\": 2}");
	merge_bad(good, bad, "a shard, but a.json is not");
	free(bad);
	merge_bad(NULL, "[1, 2]", "not a sipbench JSON report");
	free(good);
	free(other);
	stat_free(&s);
	scn_free(p);
	scn_free(q);
}
END_TEST

/* JSON is UTF-8: a report's strings are (a character cut by a bounded
 * buffer, or a peer's Latin-1, becomes U+FFFD), so merge reads them. */
START_TEST(reports_are_utf8)
{
	struct prog *p = load_prog(scn_xml);
	struct stats s;
	struct mrg *m;
	struct rpt_run r;
	size_t len;
	char *t;

	ck_assert_int_eq(stat_init(&s, 3, 1), 0);
	add_calls(&s, 1, 10);
	snprintf(s.fail_at[0].what, sizeof(s.fail_at[0].what), "got \xe9t\xe9 caf\xc3\xa9 \xc3");
	t = report(p, &s, -1, 0, &len);
	ck_assert_ptr_nonnull(strstr(t, "\"got \\ufffdt\\ufffd caf\xc3\xa9 \\ufffd\""));
	ck_assert_int_eq(mrg_alloc(&m), 0);
	ck_assert_msg(add_report(m, "u.json", t) == 0, "%s", d.msg);
	mrg_result(m, &r, NULL);
	ck_assert_str_eq(r.st->fail_at[0].what,
			 "got \xef\xbf\xbdt\xef\xbf\xbd caf\xc3\xa9 \xef\xbf\xbd");
	mrg_free(m);
	free(t);
	stat_free(&s);
	scn_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, json_errors);
	tcase_add_test(tc, merge_equals_union);
	tcase_add_test(tc, percentiles_from_buckets);
	tcase_add_test(tc, merge_refuses);
	tcase_add_test(tc, verdict_rule);
	tcase_add_test(tc, reports_are_utf8);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
