/* SPDX-License-Identifier: GPL-2.0-or-later */
/* junit: the final report as JUnit XML (--junit), written with libxml2's
 * text writer. One testsuite for the run: a testcase "calls" that fails
 * when any call failed, one testcase per failed call (the first
 * STAT_FAILED_CALLS of them, each with its reason and step), one for the
 * failed calls beyond those, and one per run limit. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
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

/* <testcase name=...> with an optional <failure message= type=>text. */
static int testcase(xmlTextWriterPtr w, const char *cls, const char *name,
		    const char *fail_type, const char *fail_msg, const char *text)
{
	int err = 0;

	err |= xmlTextWriterStartElement(w, X("testcase")) < 0;
	err |= attr(w, "classname", "%s", cls);
	err |= attr(w, "name", "%s", name);
	if (fail_msg) {
		err |= xmlTextWriterStartElement(w, X("failure")) < 0;
		err |= attr(w, "type", "%s", fail_type);
		err |= attr(w, "message", "%s", fail_msg);
		if (text)
			err |= xmlTextWriterWriteString(w, X(text)) < 0;
		err |= xmlTextWriterEndElement(w) < 0;
	}
	err |= xmlTextWriterEndElement(w) < 0;
	return err;
}

static int failed_calls(xmlTextWriterPtr w, const struct rpt_run *r, const char *cls)
{
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
		err = testcase(w, cls, name, stat_fail_name(fc->r), msg, NULL);
	}
	if (!err && st->calls_failed > st->nfailed) {
		snprintf(name, sizeof(name), "%llu more failed calls",
			 (unsigned long long)(st->calls_failed - st->nfailed));
		err = testcase(w, cls, name, "calls", "failed calls beyond the first ones "
			       "listed; see the summary's failures by reason", NULL);
	}
	return err;
}

static int suite(xmlTextWriterPtr w, const struct rpt_run *r)
{
	const struct stats *st = r->st;
	uint64_t more = st->calls_failed > st->nfailed ? 1 : 0;
	unsigned i, nbroken = 0, tests, failures;
	time_t t0 = (time_t)(r->start_unix_us / 1000000u);
	char when[40], cls[160], msg[256], text[2048];
	const char *name = r->p->name ? r->p->name : "scenario";
	size_t tl = 0;
	int err = 0;

	for (i = 0; i < r->nlimits; i++)
		nbroken += r->limits[i].broken != 0;
	tests = 1 + st->nfailed + (unsigned)more + r->nlimits;
	failures = (st->calls_failed ? 1 : 0) + st->nfailed + (unsigned)more + nbroken;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime(&t0));
	snprintf(cls, sizeof(cls), "sipbench.%s", name);

	err |= xmlTextWriterStartElement(w, X("testsuites")) < 0;
	err |= attr(w, "name", "sipbench");
	err |= attr(w, "tests", "%u", tests);
	err |= attr(w, "failures", "%u", failures);
	err |= attr(w, "errors", "0");
	err |= attr(w, "time", "%.3f", (double)r->elapsed_us / 1e6);
	err |= xmlTextWriterStartElement(w, X("testsuite")) < 0;
	err |= attr(w, "name", "%s", name);
	err |= attr(w, "tests", "%u", tests);
	err |= attr(w, "failures", "%u", failures);
	err |= attr(w, "errors", "0");
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

	snprintf(msg, sizeof(msg), "%llu of %llu calls failed",
		 (unsigned long long)st->calls_failed,
		 (unsigned long long)(st->calls_ok + st->calls_failed));
	text[0] = '\0';
	for (i = 0; i < FAIL_COUNT && tl < sizeof(text) - 100; i++)
		if (st->fail[i])
			tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "%s: %llu\n",
					       stat_fail_name((enum fail_reason)i),
					       (unsigned long long)st->fail[i]);
	{
		char cname[96];

		snprintf(cname, sizeof(cname), "calls (%llu started, %llu successful)",
			 (unsigned long long)st->calls_started, (unsigned long long)st->calls_ok);
		err |= testcase(w, cls, cname, "calls", st->calls_failed ? msg : NULL, text);
	}
	err |= failed_calls(w, r, cls);
	for (i = 0; i < r->nlimits; i++) {
		char lname[128];

		snprintf(lname, sizeof(lname), "limit %s", r->limits[i].name);
		err |= testcase(w, cls, lname, "limit",
				r->limits[i].broken ? r->limits[i].detail : NULL, NULL);
	}
	err |= xmlTextWriterEndElement(w) < 0;
	err |= xmlTextWriterEndElement(w) < 0;
	return err;
}

int rpt_junit(const char *path, const struct rpt_run *r)
{
	xmlTextWriterPtr w = xmlNewTextWriterFilename(path, 0);
	int err;

	if (!w)
		return errno ? errno : EIO;
	xmlTextWriterSetIndent(w, 1);
	err = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	err |= suite(w, r);
	err |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	return err ? EIO : 0;
}
