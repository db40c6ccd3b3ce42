/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge: the rule that turns a run's counts and limits into its exit
 * status and a one-line reason, for a run (engine/verdict.c) and for
 * merged runs (merge.c) alike, so that the exit status, the summary, the
 * JSON and the JUnit file never disagree. The rule is sipbench(1)'s
 * EXIT STATUS: the limits decide. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "report/rpt.h"
#include "stats/stats.h"

static int is_fail_budget(const struct rpt_limit *l)
{
	return !strncmp(l->name, "-max_fail_rate", 14);
}

int rpt_fail_budget(const struct rpt_run *r)
{
	unsigned i;

	for (i = 0; i < r->nlimits; i++)
		if (is_fail_budget(&r->limits[i]))
			return 1;
	return 0;
}

void rpt_judge(struct rpt_run *r)
{
	const struct stats *st = r->st;
	uint64_t ended = st->calls_ok + st->calls_failed;
	char *why = r->verdict;
	size_t n = sizeof(r->verdict);
	unsigned i;

	r->exit_status = 1;
	if (r->signalled) {
		r->exit_status = 97;
		snprintf(why, n, "stopped by %s", r->stopped_by ? r->stopped_by : "a signal");
		return;
	}
	if (!ended && !st->calls_unfinished) {
		r->exit_status = 99;
		snprintf(why, n, "no call was processed");
		return;
	}
	if (r->timeout_error && (r->timed_out || st->calls_unfinished)) {
		snprintf(why, n, "-timeout_error: %s, %llu calls unfinished",
			 r->timed_out ? "-timeout ended the run" : "the run ended",
			 (unsigned long long)st->calls_unfinished);
		return;
	}
	if (st->calls_failed && !rpt_fail_budget(r)) {
		snprintf(why, n, "%llu of %llu calls failed (no -max_fail_rate: none may fail)",
			 (unsigned long long)st->calls_failed, (unsigned long long)ended);
		return;
	}
	for (i = 0; i < r->nlimits; i++)
		if (r->limits[i].broken) {
			snprintf(why, n, "limit broken: %s: %s", r->limits[i].name,
				 r->limits[i].detail);
			return;
		}
	r->exit_status = 0;
	if (r->nlimits)
		snprintf(why, n, "passed: every limit kept");
	else
		snprintf(why, n, "passed: no call failed");
}
