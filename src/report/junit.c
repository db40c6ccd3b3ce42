/* SPDX-License-Identifier: GPL-2.0-or-later */
/* junit: the final report as JUnit XML (--junit), written with libxml2's
 * text writer. One testsuite for the run: a testcase "calls", one per
 * failed call (the first STAT_FAILED_CALLS of them, each with its reason
 * and step), one for the failed calls beyond those, one per run limit,
 * and the verdict (rpt_judge). It fails exactly when the exit status is
 * 1 (an <error> for 97 and 99: the run did not complete), so CI sees the
 * exit status's verdict: under -max_fail_rate the failed calls are listed
 * as passed testcases, the limit judging them. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <libxml/xmlwriter.h>
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"

#define X(s) ((const xmlChar *)(s))

static int attr(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int attr(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	char v[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return xmlTextWriterWriteAttribute(w, X(name), X(v)) < 0;
}

/* How a testcase ends: passed (with what to say in <system-out>, if
 * anything), failed, or in error (the run did not complete). */
enum tc_kind { TC_PASS, TC_FAIL, TC_ERROR };

/* <testcase name=...> with a <failure> or <error message= type=>text, or
 * when passed, text as <system-out>. */
static int testcase(xmlTextWriterPtr w, const char *cls, const char *name, enum tc_kind k,
		    const char *type, const char *msg, const char *text)
{
	int err = 0;

	err |= xmlTextWriterStartElement(w, X("testcase")) < 0;
	err |= attr(w, "classname", "%s", cls);
	err |= attr(w, "name", "%s", name);
	if (k != TC_PASS) {
		err |= xmlTextWriterStartElement(w, X(k == TC_FAIL ? "failure" : "error")) < 0;
		err |= attr(w, "type", "%s", type);
		err |= attr(w, "message", "%s", msg);
		if (text)
			err |= xmlTextWriterWriteString(w, X(text)) < 0;
		err |= xmlTextWriterEndElement(w) < 0;
	} else if (msg || text) {
		err |= xmlTextWriterStartElement(w, X("system-out")) < 0;
		if (msg)
			err |= xmlTextWriterWriteString(w, X(msg)) < 0;
		if (msg && text)
			err |= xmlTextWriterWriteString(w, X("\n")) < 0;
		if (text)
			err |= xmlTextWriterWriteString(w, X(text)) < 0;
		err |= xmlTextWriterEndElement(w) < 0;
	}
	err |= xmlTextWriterEndElement(w) < 0;
	return err;
}

/* Each failed call: a failure, or under -max_fail_rate (which judges the
 * failed calls together) a passed testcase that says how it failed. */
static int failed_calls(xmlTextWriterPtr w, const struct rpt_run *r, const char *cls)
{
	enum tc_kind k = rpt_fail_budget(r) ? TC_PASS : TC_FAIL;
	const struct stats *st = r->st;
	char name[160], msg[512], step[96];
	unsigned i;
	int err = 0;

	for (i = 0; i < st->nfailed && !err; i++) {
		const struct stat_failed_call *fc = &st->failed[i];
		const struct prog_ua *pu = NULL;
		const struct step *s = rpt_flat_step(r->p, fc->step, &pu);

		if (s)
			rpt_step_name(s, step, sizeof(step));
		snprintf(name, sizeof(name), "call #%llu (%s)", (unsigned long long)fc->number,
			 fc->call_id);
		snprintf(msg, sizeof(msg), "%s at step %u (%s%s%s): %s",
			 stat_fail_name(fc->r), s ? s->index + 1 : 0, s ? step : "?",
			 r->p->nuas > 1 && pu ? ", party " : "", r->p->nuas > 1 && pu ? pu->name : "",
			 fc->what);
		err = testcase(w, cls, name, k, stat_fail_name(fc->r), msg, NULL);
	}
	if (!err && st->calls_failed > st->nfailed) {
		snprintf(name, sizeof(name), "%llu more failed calls",
			 (unsigned long long)(st->calls_failed - st->nfailed));
		err = testcase(w, cls, name, k, "calls", "failed calls beyond the first ones "
			       "listed; see the summary's failures by reason", NULL);
	}
	return err;
}

/* The verdict's kind: it fails exactly when the exit status is 1. */
static enum tc_kind verdict_kind(const struct rpt_run *r)
{
	return r->exit_status == 0 ? TC_PASS : r->exit_status == 1 ? TC_FAIL : TC_ERROR;
}

/* <testsuites> and <testsuite> open, with their counts and properties. */
static int suite_open(xmlTextWriterPtr w, const struct rpt_run *r, unsigned tests,
		      unsigned failures, int errors)
{
	time_t t0 = (time_t)(r->start_unix_us / 1000000u);
	char when[40];
	int err = 0;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime(&t0));
	err |= xmlTextWriterStartElement(w, X("testsuites")) < 0;
	err |= attr(w, "name", "sipbench");
	err |= attr(w, "tests", "%u", tests);
	err |= attr(w, "failures", "%u", failures);
	err |= attr(w, "errors", "%d", errors);
	err |= attr(w, "time", "%.3f", (double)r->elapsed_us / 1e6);
	err |= xmlTextWriterStartElement(w, X("testsuite")) < 0;
	err |= attr(w, "name", "%s", r->p->name ? r->p->name : "scenario");
	err |= attr(w, "tests", "%u", tests);
	err |= attr(w, "failures", "%u", failures);
	err |= attr(w, "errors", "%d", errors);
	err |= attr(w, "skipped", "0");
	err |= attr(w, "time", "%.3f", (double)r->elapsed_us / 1e6);
	err |= attr(w, "timestamp", "%s", when);
	err |= xmlTextWriterStartElement(w, X("properties")) < 0;
	err |= xmlTextWriterStartElement(w, X("property")) < 0;
	err |= attr(w, "name", "target");
	err |= attr(w, "value", "%s", r->remote ? r->remote : "");
	err |= xmlTextWriterEndElement(w) < 0;
	err |= xmlTextWriterStartElement(w, X("property")) < 0;
	err |= attr(w, "name", "scenario_file");
	err |= attr(w, "value", "%s", r->scenario_file ? r->scenario_file : "");
	err |= xmlTextWriterEndElement(w) < 0;
	err |= xmlTextWriterEndElement(w) < 0;
	return err;
}

/* The "calls" testcase: a failure only when calls failed and no
 * -max_fail_rate judges them; its text counts the unfinished calls and
 * the failures by reason. */
static int calls_case(xmlTextWriterPtr w, const struct rpt_run *r, const char *cls)
{
	const struct stats *st = r->st;
	int budget = rpt_fail_budget(r);
	char name[128], msg[256], text[2048];
	size_t tl = 0;
	unsigned i;

	snprintf(msg, sizeof(msg), "%llu of %llu calls failed%s",
		 (unsigned long long)st->calls_failed,
		 (unsigned long long)(st->calls_ok + st->calls_failed),
		 budget ? " (judged by -max_fail_rate)" : "");
	text[0] = '\0';
	if (st->calls_unfinished)
		tl += (size_t)snprintf(text, sizeof(text), "unfinished (still running when the run "
				       "ended: %s): %llu\n", r->unfinished_why ? r->unfinished_why :
				       "run ended", (unsigned long long)st->calls_unfinished);
	for (i = 0; i < FAIL_COUNT && tl < sizeof(text) - 100; i++)
		if (st->fail[i])
			tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "%s: %llu\n",
					       stat_fail_name((enum fail_reason)i),
					       (unsigned long long)st->fail[i]);
	snprintf(name, sizeof(name), "calls (%llu started, %llu successful, %llu unfinished)",
		 (unsigned long long)st->calls_started, (unsigned long long)st->calls_ok,
		 (unsigned long long)st->calls_unfinished);
	return testcase(w, cls, name, st->calls_failed && !budget ? TC_FAIL : TC_PASS, "calls",
			st->calls_failed ? msg : NULL, text[0] ? text : NULL);
}

static int suite(xmlTextWriterPtr w, const struct rpt_run *r)
{
	const struct stats *st = r->st;
	unsigned more = st->calls_failed > st->nfailed ? 1 : 0;
	unsigned i, nbroken = 0, tests, failures;
	int budget = rpt_fail_budget(r), err;
	enum tc_kind vk = verdict_kind(r);
	char cls[160], name[128];

	for (i = 0; i < r->nlimits; i++)
		nbroken += r->limits[i].broken != 0;
	/* calls, each failed call, the rest, each limit, the verdict */
	tests = 1 + st->nfailed + more + r->nlimits + 1;
	failures = (st->calls_failed && !budget) + (budget ? 0 : st->nfailed + more) + nbroken +
		   (vk == TC_FAIL);
	snprintf(cls, sizeof(cls), "sipbench.%s", r->p->name ? r->p->name : "scenario");
	err = suite_open(w, r, tests, failures, vk == TC_ERROR);
	err |= calls_case(w, r, cls);
	err |= failed_calls(w, r, cls);
	for (i = 0; i < r->nlimits; i++) {
		snprintf(name, sizeof(name), "limit %s", r->limits[i].name);
		err |= testcase(w, cls, name, r->limits[i].broken ? TC_FAIL : TC_PASS, "limit",
				r->limits[i].detail, NULL);
	}
	snprintf(name, sizeof(name), "verdict (exit status %d)", r->exit_status);
	err |= testcase(w, cls, name, vk, vk == TC_ERROR ? "run" : "verdict", r->verdict, NULL);
	err |= xmlTextWriterEndElement(w) < 0;
	err |= xmlTextWriterEndElement(w) < 0;
	return err;
}

/* Built in memory, then written with stdio: a write that fails (a full
 * disk) is then seen, which libxml2's file output does not report. */
int rpt_junit(const char *path, const struct rpt_run *r)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	FILE *f;
	int err;

	if (!w) {
		xmlBufferFree(buf);
		return ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	err = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	err |= suite(w, r);
	err |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);   /* flushes into buf */
	if (err) {
		xmlBufferFree(buf);
		return EIO;
	}
	f = fopen(path, "w");
	err = f ? 0 : errno;
	if (f && fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), f) !=
	    (size_t)xmlBufferLength(buf))
		err = errno ? errno : EIO;
	if (f && fclose(f) && !err)
		err = errno ? errno : EIO;
	xmlBufferFree(buf);
	return err;
}
