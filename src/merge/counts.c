/* SPDX-License-Identifier: GPL-2.0-or-later */
/* counts: one JSON report into the merge: checks it is of the same
 * scenario and histogram layout, then adds its counters and buckets. The
 * first report gives the scenario (steps, counters) that reports are
 * written with (a struct prog of names only). Members are read through
 * read.c's typed getters; an error names the element (rd->at). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/rtp.h"
#include "merge/merge_int.h"

static int dup_str(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : ENOMEM;
}

/* rd->at = "array[i]" */
static void at(struct mrd *rd, const char *array, size_t i)
{
	snprintf(rd->at, sizeof(rd->at), "%s[%zu]", array, i);
}

/* ---- the scenario: steps and counters --------------------------------------- */

static const char *const kinds[] = {
	[STEP_SEND] = "send", [STEP_RECV] = "recv", [STEP_PAUSE] = "pause",
	[STEP_NOP] = "nop", [STEP_LABEL] = "label", [STEP_TIMEWAIT] = "timewait",
	[STEP_SIGNAL] = "signal", [STEP_WAIT] = "wait",
		[STEP_SENDCMD] = "sendCmd", [STEP_RECVCMD] = "recvCmd",
};

static int step_kind(const char *s, enum step_kind *k)
{
	unsigned i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i] && !strcmp(kinds[i], s)) {
			*k = (enum step_kind)i;
			return 0;
		}
	return -1;
}

/* One step of the first report, into m->steps[i] (party names kept). */
static int take_step(struct mrg *m, struct mrd *rd, const json_t *s, unsigned i)
{
	const char *party, *kind, *name;
	uint64_t index;
	struct step *st = &m->steps[i];

	if (mrg_get_str(rd, s, "party", &party) || mrg_get_str(rd, s, "kind", &kind) ||
	    mrg_get_str(rd, s, "step", &name) || mrg_get_u64(rd, s, "index", &index))
		return EINVAL;
	if (!party || !kind || !name || step_kind(kind, &st->kind) || !index)
		return mrg_bad(rd, "a step without party, kind, name or index");
	/* rpt_step_name gives back the name from kind and display */
	if ((st->kind == STEP_SEND && !strncmp(name, "-> ", 3)) ||
	    (st->kind == STEP_RECV && !strncmp(name, "<- ", 3)))
		name += 3;
	snprintf(st->display, sizeof(st->display), "%s", name);
	st->index = (unsigned)index - 1;
	if (!m->nuas || strcmp(m->uas[m->nuas - 1].name, party)) {
		struct prog_ua *u = &m->uas[m->nuas++];

		if (!(u->name = strdup(party)))
			return ENOMEM;
		u->steps = st;
	}
	m->uas[m->nuas - 1].nsteps++;
	return 0;
}

static int take_rtd_names(struct mrg *m, struct mrd *rd, const json_t *rts)
{
	size_t i, n = json_array_size(rts);
	const char *name;

	m->rtd_names = calloc(n ? n : 1, sizeof(*m->rtd_names));
	m->rtd_between = calloc(n ? n : 1, sizeof(*m->rtd_between));
	if (!m->rtd_names || !m->rtd_between)
		return ENOMEM;
	m->nrtd = (unsigned)n;
	for (i = 0; i < n; i++) {
		const json_t *o = json_array_get(rts, i);
		const json_t *b = json_object_get(o, "between");

		at(rd, "response_times", i);
		if (mrg_get_str(rd, o, "name", &name))
			return EINVAL;
		if (dup_str(&m->rtd_names[i], name ? name : ""))
			return ENOMEM;
		/* what it measures, as the first report says (optional) */
		if (dup_str(&m->rtd_between[i], json_is_string(b) ? json_string_value(b) : ""))
			return ENOMEM;
	}
	rd->at[0] = '\0';
	return 0;
}

/* The first report: the scenario every later one must match. */
static int take_scenario(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *steps = mrg_field(rd, root, "steps", JSON_ARRAY);
	const json_t *rts = mrg_field(rd, root, "response_times", JSON_ARRAY);
	const char *name, *file;
	size_t i, n = json_array_size(steps);
	int err;

	if (!steps || !rts || mrg_get_str(rd, root, "scenario", &name) ||
	    mrg_get_str(rd, root, "scenario_file", &file))
		return EINVAL;
	m->steps = calloc(n ? n : 1, sizeof(*m->steps));
	m->uas = calloc(n ? n : 1, sizeof(*m->uas));
	if (!m->steps || !m->uas || dup_str(&m->name, name ? name : "") ||
	    dup_str(&m->file, file))
		return ENOMEM;
	m->nsteps = (unsigned)n;
	for (i = 0; i < n; i++) {
		at(rd, "steps", i);
		if ((err = take_step(m, rd, json_array_get(steps, i), (unsigned)i)) != 0)
			return err;
	}
	rd->at[0] = '\0';
	if ((err = take_rtd_names(m, rd, rts)) != 0)
		return err;
	if (stat_init(&m->st, m->nsteps, m->nrtd))
		return ENOMEM;
	m->p.name = m->name;
	m->p.file = m->file;
	m->p.uas = m->uas;
	m->p.nuas = m->nuas;
	m->p.rtd_names = m->rtd_names;
	m->p.nrtds = m->nrtd;
	return 0;
}

/* A later report: the same steps, in order, and the same counters. */
static int same_scenario(const struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *steps = mrg_field(rd, root, "steps", JSON_ARRAY);
	const json_t *rts = mrg_field(rd, root, "response_times", JSON_ARRAY);
	const char *name;
	char want[96];
	unsigned i, u = 0, base = 0;

	if (!steps || !rts || mrg_get_str(rd, root, "scenario", &name))
		return EINVAL;
	if (strcmp(name ? name : "", m->name))
		return diag_set(rd->d, rd->path, 0, "scenario \"%s\", not \"%s\" as in %s",
				name ? name : "", m->name, m->first);
	if (json_array_size(steps) != m->nsteps || json_array_size(rts) != m->nrtd)
		return diag_set(rd->d, rd->path, 0, "%zu steps and %zu response-time "
				"counters, not %u and %u as in %s: not the same scenario",
				json_array_size(steps), json_array_size(rts), m->nsteps, m->nrtd,
				m->first);
	for (i = 0; i < m->nsteps; i++) {
		const json_t *s = json_array_get(steps, i);
		const char *party, *kind, *sname;

		while (i >= base + m->uas[u].nsteps)
			base += m->uas[u++].nsteps;
		rpt_step_name(&m->steps[i], want, sizeof(want));
		at(rd, "steps", i);
		if (mrg_get_str(rd, s, "party", &party) || mrg_get_str(rd, s, "kind", &kind) ||
		    mrg_get_str(rd, s, "step", &sname))
			return EINVAL;
		if (!party || !kind || !sname || strcmp(party, m->uas[u].name) ||
		    strcmp(kind, kinds[m->steps[i].kind]) || strcmp(sname, want))
			return diag_set(rd->d, rd->path, 0, "step %u is %s \"%s\" "
					"here, %s \"%s\" in %s: not the same scenario", i + 1,
					party ? party : "?", sname ? sname : "?", m->uas[u].name,
					want, m->first);
	}
	for (i = 0; i < m->nrtd; i++) {
		at(rd, "response_times", i);
		if (mrg_get_str(rd, json_array_get(rts, i), "name", &name))
			return EINVAL;
		if (strcmp(name ? name : "", m->rtd_names[i]))
			return mrg_bad(rd, "response-time counter \"%s\", not \"%s\" as in %s",
				       name ? name : "", m->rtd_names[i], m->first);
	}
	rd->at[0] = '\0';
	return 0;
}

/* ---- histograms ---------------------------------------------------------------- */

/* A histogram of the report into h (emptied first): count, sum, min,
 * max and its buckets, which must add up to the count. */
static int read_hist(struct mrd *rd, const json_t *o, struct hist *h)
{
	const json_t *bs = mrg_field(rd, o, "buckets", JSON_ARRAY);
	uint64_t total = 0, b, n;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (!bs || mrg_get_u64(rd, o, "count", &h->count) ||
	    mrg_get_u64(rd, o, "sum_us", &h->sum) || mrg_get_u64(rd, o, "min_us", &h->min) ||
	    mrg_get_u64(rd, o, "max_us", &h->max))
		return EINVAL;
	if (!(h->bucket = calloc(HIST_BUCKETS, sizeof(*h->bucket))))
		return ENOMEM;
	for (i = 0; i < json_array_size(bs); i++) {
		const json_t *p = json_array_get(bs, i);

		if (json_array_size(p) != 2 || mrg_uint(json_array_get(p, 0), &b) ||
		    mrg_uint(json_array_get(p, 1), &n) || b >= HIST_BUCKETS ||
		    n > UINT32_MAX - h->bucket[b])
			return mrg_bad(rd, "bucket %zu: a bucket must be [index below %u, count]",
				       i, HIST_BUCKETS);
		h->bucket[b] += (uint32_t)n;
		total += n;
	}
	if (total != h->count)
		return mrg_bad(rd, "the buckets hold %llu samples, \"count\" says %llu",
			       (unsigned long long)total, (unsigned long long)h->count);
	return 0;
}

static int merge_hist(struct mrd *rd, const json_t *o, struct hist *into)
{
	struct hist h;
	int err = read_hist(rd, o, &h);

	if (!err)
		err = hist_merge(into, &h);
	hist_free(&h);
	return err;
}

static int add_hists(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *rts = json_object_get(root, "response_times");
	const json_t *cl = mrg_field(rd, root, "call_length", JSON_OBJECT);
	unsigned i;
	int err;

	for (i = 0; i < m->nrtd; i++) {
		at(rd, "response_times", i);
		if ((err = merge_hist(rd, json_array_get(rts, i), &m->st.rtd[i])) != 0)
			return err;
	}
	rd->at[0] = '\0';
	if (!cl)
		return EINVAL;
	snprintf(rd->at, sizeof(rd->at), "call_length");
	err = merge_hist(rd, cl, &m->st.call_len);
	rd->at[0] = '\0';
	return err;
}

/* ---- counters ----------------------------------------------------------------- */

static int reason_of(const char *name, enum fail_reason *r)
{
	unsigned i;

	for (i = 0; i < FAIL_COUNT; i++)
		if (!strcmp(stat_fail_name((enum fail_reason)i), name)) {
			*r = (enum fail_reason)i;
			return 0;
		}
	return -1;
}

static int add_calls(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *c = mrg_field(rd, root, "calls", JSON_OBJECT);
	const json_t *fl = mrg_field(rd, root, "failures", JSON_ARRAY);
	size_t i;

	if (!c || !fl || mrg_add_u64(rd, c, "started", &m->st.calls_started) ||
	    mrg_add_u64(rd, c, "successful", &m->st.calls_ok) ||
	    mrg_add_u64(rd, c, "failed", &m->st.calls_failed) ||
	    mrg_add_u64(rd, c, "timed_out", &m->st.calls_timeout) ||
	    (json_object_get(c, "unfinished") &&
	     mrg_add_u64(rd, c, "unfinished", &m->st.calls_unfinished)))
		return EINVAL;
	for (i = 0; i < json_array_size(fl); i++) {
		const json_t *o = json_array_get(fl, i);
		const char *name;
		enum fail_reason r;

		at(rd, "failures", i);
		if (mrg_get_str(rd, o, "reason", &name))
			return EINVAL;
		if (!name || reason_of(name, &r))
			return mrg_bad(rd, "unknown failure reason \"%s\"", name ? name : "");
		if (mrg_add_u64(rd, o, "calls", &m->st.fail[r]))
			return EINVAL;
	}
	rd->at[0] = '\0';
	return 0;
}

/* The flattened index of step (party, index), or -1. */
static int flat_step(const struct mrg *m, const char *party, uint64_t index)
{
	unsigned u, base = 0;

	for (u = 0; u < m->nuas; base += m->uas[u++].nsteps)
		if (!strcmp(m->uas[u].name, party) && index >= 1 && index <= m->uas[u].nsteps)
			return (int)(base + index - 1);
	return -1;
}

/* failed_at, by (reason, step, detail): the first STAT_FAIL_AT kept, as
 * a run keeps them (the rest are in the failures by reason). */
static int add_fail_at(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *fa = mrg_field(rd, root, "failed_at", JSON_ARRAY);
	size_t i;
	unsigned j;

	for (i = 0; fa && i < json_array_size(fa); i++) {
		const json_t *o = json_array_get(fa, i);
		const char *reason, *party, *detail;
		uint64_t index, n;
		enum fail_reason r;
		int flat;

		at(rd, "failed_at", i);
		if (mrg_get_str(rd, o, "reason", &reason) || mrg_get_str(rd, o, "party", &party) ||
		    mrg_get_str(rd, o, "detail", &detail) || mrg_get_u64(rd, o, "index", &index) ||
		    mrg_get_u64(rd, o, "calls", &n))
			return EINVAL;
		if (!reason || reason_of(reason, &r) || !party ||
		    (flat = flat_step(m, party, index)) < 0)
			return mrg_bad(rd, "a failure at an unknown reason or step");
		for (j = 0; j < m->st.nfail_at; j++) {
			struct stat_fail_at *f = &m->st.fail_at[j];

			if (f->r == r && f->step == (unsigned)flat &&
			    !strncmp(f->what, detail ? detail : "", sizeof(f->what) - 1))
				break;
		}
		if (j == STAT_FAIL_AT)
			continue;
		if (j == m->st.nfail_at) {
			m->st.nfail_at++;
			m->st.fail_at[j].r = r;
			m->st.fail_at[j].step = (unsigned)flat;
			snprintf(m->st.fail_at[j].what, sizeof(m->st.fail_at[j].what), "%s",
				 detail ? detail : "");
		}
		m->st.fail_at[j].n += n;
	}
	rd->at[0] = '\0';
	return fa ? 0 : EINVAL;
}

static int add_steps(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *steps = json_object_get(root, "steps");
	unsigned i;

	for (i = 0; i < m->nsteps; i++) {
		const json_t *s = json_array_get(steps, i);
		struct stat_step *c = &m->st.steps[i];

		at(rd, "steps", i);
		if (mrg_add_u64(rd, s, "sent", &c->sent) ||
		    mrg_add_u64(rd, s, "received", &c->recv) ||
		    mrg_add_u64(rd, s, "retransmissions", &c->retrans) ||
		    mrg_add_u64(rd, s, "timeouts", &c->timeouts) ||
		    mrg_add_u64(rd, s, "unexpected", &c->unexpected))
			return EINVAL;
	}
	rd->at[0] = '\0';
	return 0;
}

/* The "srtp" object next to "media" (reports before SRTP have none). */
static int add_srtp(struct mrd *rd, const json_t *o, struct media_stats *ms)
{
	if (!o)
		return 0;
	snprintf(rd->at, sizeof(rd->at), "srtp");
	return mrg_add_u64(rd, o, "protected", &ms->srtp_protected) ||
	       mrg_add_u64(rd, o, "authenticated", &ms->srtp_unprotected) ||
	       mrg_add_u64(rd, o, "auth_failed", &ms->srtp_auth_fail) ||
	       mrg_add_u64(rd, o, "replayed", &ms->srtp_replay_fail) ||
	       mrg_add_u64(rd, o, "errors", &ms->srtp_errors) ? EINVAL : 0;
}

static int add_messages(struct mrg *m, struct mrd *rd, const json_t *root)
{
	const json_t *o = mrg_field(rd, root, "messages", JSON_OBJECT);
	const json_t *me = json_object_get(root, "media");
	struct media_stats *ms = &m->media;

	if (!o || mrg_add_u64(rd, o, "sent", &m->st.tx) ||
	    mrg_add_u64(rd, o, "received", &m->st.rx) ||
	    mrg_add_u64(rd, o, "send_errors", &m->st.tx_errors) ||
	    mrg_add_u64(rd, o, "unparsable", &m->st.malformed) ||
	    mrg_add_u64(rd, o, "no_call", &m->st.stray) ||
	    mrg_add_u64(rd, o, "repeated", &m->st.retrans_rx) ||
	    mrg_add_u64(rd, o, "default_bye_cancel", &m->st.default_sent))
		return EINVAL;
	if (!me)
		return 0;
	m->have_media = 1;
	snprintf(rd->at, sizeof(rd->at), "media");
	return mrg_add_u64(rd, me, "rtp_sent", &ms->rtp_sent) ||
	       mrg_add_u64(rd, me, "rtp_received", &ms->rtp_recv) ||
	       mrg_add_u64(rd, me, "rtp_echoed", &ms->rtp_echoed) ||
	       mrg_add_u64(rd, me, "rtp_lost", &ms->rtp_lost) ||
	       mrg_add_u64(rd, me, "plays", &ms->plays) ||
	       mrg_add_u64(rd, me, "plays_done", &ms->plays_done) ||
	       mrg_add_u64(rd, me, "no_peer", &ms->no_peer) ||
	       mrg_add_u64(rd, me, "send_errors", &ms->send_errors) ||
	       mrg_add_u64(rd, me, "sockets", &ms->sockets) ||
	       add_srtp(rd, json_object_get(root, "srtp"), ms) ? EINVAL : 0;
}

int mrg_read_counts(struct mrg *m, const char *path, const json_t *root, struct diag *d)
{
	struct mrd rd = {path, d, ""};
	uint64_t bits, max_exp;
	int err;

	if (!json_object_get(root, "sipbench"))
		return diag_set(d, path, 0, "not a sipbench JSON report");
	if (mrg_get_u64(&rd, root, "hist_sub_bits", &bits) ||
	    mrg_get_u64(&rd, root, "hist_max_exp", &max_exp))
		return EINVAL;
	if (bits != HIST_SUB_BITS || max_exp != HIST_MAX_EXP)
		return diag_set(d, path, 0, "histogram layout %llu/%llu (sub-bucket bits/top "
				"exponent), this sipbench merges %d/%d only",
				(unsigned long long)bits, (unsigned long long)max_exp,
				HIST_SUB_BITS, HIST_MAX_EXP);
	err = m->nin ? same_scenario(m, &rd, root) : take_scenario(m, &rd, root);
	if (!err)
		err = add_calls(m, &rd, root);
	if (!err)
		err = add_fail_at(m, &rd, root);
	if (!err)
		err = add_steps(m, &rd, root);
	if (!err)
		err = add_messages(m, &rd, root);
	if (!err)
		err = add_hists(m, &rd, root);
	return err;
}
