/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mread: one JSON report into the merge: checks it is of the same
 * scenario and histogram layout, then adds its counters and buckets. The
 * first report gives the scenario (steps, counters) that reports are
 * written with (a struct prog of names only). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/rtp.h"
#include "report/merge_int.h"

/* ---- reading fields, each error naming the file and line ------------------- */

struct rd {
	const char *path;
	struct diag *d;
};

static const struct rpt_jval *field(const struct rd *rd, const struct rpt_jval *o,
				    const char *key, enum rpt_jtype t)
{
	const struct rpt_jval *v = rpt_jget(o, key);

	if (v && (v->type == t || (t == RPT_JTRUE && v->type == RPT_JFALSE)))
		return v;
	diag_set(rd->d, rd->path, o ? (int)o->line : 0, "\"%s\" is %s (a report of "
		 "sipbench %s or later is needed)", key, v ? "not of the expected type" :
		 "missing", PACKAGE_VERSION);
	return NULL;
}

static int get_u64(const struct rd *rd, const struct rpt_jval *o, const char *key,
		   uint64_t *out)
{
	const struct rpt_jval *v = field(rd, o, key, RPT_JNUM);

	if (!v)
		return EINVAL;
	if (!v->is_uint)
		return diag_set(rd->d, rd->path, (int)v->line, "\"%s\": want a whole number "
				"of at least 0", key);
	*out = v->u;
	return 0;
}

static int add_u64(const struct rd *rd, const struct rpt_jval *o, const char *key,
		   uint64_t *sum)
{
	uint64_t v = 0;

	if (get_u64(rd, o, key, &v))
		return EINVAL;
	*sum += v;
	return 0;
}

/* A string, or NULL for null; a missing member is an error. */
static int get_str(const struct rd *rd, const struct rpt_jval *o, const char *key,
		   const char **out)
{
	const struct rpt_jval *v = rpt_jget(o, key);

	if (v && v->type == RPT_JNULL) {
		*out = NULL;
		return 0;
	}
	if (!(v = field(rd, o, key, RPT_JSTR)))
		return EINVAL;
	*out = v->str;
	return 0;
}

static int dup_str(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : ENOMEM;
}

/* ---- the scenario: steps and counters --------------------------------------- */

static const char *const kinds[] = {
	[STEP_SEND] = "send", [STEP_RECV] = "recv", [STEP_PAUSE] = "pause",
	[STEP_NOP] = "nop", [STEP_LABEL] = "label", [STEP_TIMEWAIT] = "timewait",
	[STEP_SIGNAL] = "signal", [STEP_WAIT] = "wait",
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
static int take_step(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *s,
		     unsigned i)
{
	const char *party, *kind, *name;
	uint64_t index;
	struct step *st = &m->steps[i];

	if (get_str(rd, s, "party", &party) || get_str(rd, s, "kind", &kind) ||
	    get_str(rd, s, "step", &name) || get_u64(rd, s, "index", &index))
		return EINVAL;
	if (!party || !kind || !name || step_kind(kind, &st->kind) || !index)
		return diag_set(rd->d, rd->path, (int)s->line, "a step without party, kind, "
				"name or index");
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

static int take_rtd_names(struct rpt_merge *m, const struct rd *rd,
			  const struct rpt_jval *rts)
{
	unsigned i;
	const char *name;

	m->rtd_names = calloc(rts->n ? rts->n : 1, sizeof(*m->rtd_names));
	m->rtd_between = calloc(rts->n ? rts->n : 1, sizeof(*m->rtd_between));
	if (!m->rtd_names || !m->rtd_between)
		return ENOMEM;
	m->nrtd = rts->n;
	for (i = 0; i < rts->n; i++) {
		const struct rpt_jval *b = rpt_jget(rts->items[i], "between");

		if (get_str(rd, rts->items[i], "name", &name))
			return EINVAL;
		if (dup_str(&m->rtd_names[i], name ? name : ""))
			return ENOMEM;
		/* what it measures, as the first report says (optional) */
		if (dup_str(&m->rtd_between[i], b && b->type == RPT_JSTR ? b->str : ""))
			return ENOMEM;
	}
	return 0;
}

/* The first report: the scenario every later one must match. */
static int take_scenario(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *steps = field(rd, root, "steps", RPT_JARR);
	const struct rpt_jval *rts = field(rd, root, "response_times", RPT_JARR);
	const char *name, *file;
	unsigned i;
	int err;

	if (!steps || !rts || get_str(rd, root, "scenario", &name) ||
	    get_str(rd, root, "scenario_file", &file))
		return EINVAL;
	m->steps = calloc(steps->n ? steps->n : 1, sizeof(*m->steps));
	m->uas = calloc(steps->n ? steps->n : 1, sizeof(*m->uas));
	if (!m->steps || !m->uas || dup_str(&m->name, name ? name : "") ||
	    dup_str(&m->file, file))
		return ENOMEM;
	m->nsteps = steps->n;
	for (i = 0; i < steps->n; i++)
		if ((err = take_step(m, rd, steps->items[i], i)) != 0)
			return err;
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
static int same_scenario(const struct rpt_merge *m, const struct rd *rd,
			 const struct rpt_jval *root)
{
	const struct rpt_jval *steps = field(rd, root, "steps", RPT_JARR);
	const struct rpt_jval *rts = field(rd, root, "response_times", RPT_JARR);
	const char *name;
	char want[96];
	unsigned i, u = 0, base = 0;

	if (!steps || !rts || get_str(rd, root, "scenario", &name))
		return EINVAL;
	if (strcmp(name ? name : "", m->name))
		return diag_set(rd->d, rd->path, 0, "scenario \"%s\", not \"%s\" as in %s",
				name ? name : "", m->name, m->first);
	if (steps->n != m->nsteps || rts->n != m->nrtd)
		return diag_set(rd->d, rd->path, (int)steps->line, "%u steps and %u response-"
				"time counters, not %u and %u as in %s: not the same scenario",
				steps->n, rts->n, m->nsteps, m->nrtd, m->first);
	for (i = 0; i < steps->n; i++) {
		const struct rpt_jval *s = steps->items[i];
		const char *party, *kind, *sname;

		while (i >= base + m->uas[u].nsteps)
			base += m->uas[u++].nsteps;
		rpt_step_name(&m->steps[i], want, sizeof(want));
		if (get_str(rd, s, "party", &party) || get_str(rd, s, "kind", &kind) ||
		    get_str(rd, s, "step", &sname))
			return EINVAL;
		if (!party || !kind || !sname || strcmp(party, m->uas[u].name) ||
		    strcmp(kind, kinds[m->steps[i].kind]) || strcmp(sname, want))
			return diag_set(rd->d, rd->path, (int)s->line, "step %u is %s \"%s\" "
					"here, %s \"%s\" in %s: not the same scenario", i + 1,
					party ? party : "?", sname ? sname : "?", m->uas[u].name,
					want, m->first);
	}
	for (i = 0; i < rts->n; i++) {
		if (get_str(rd, rts->items[i], "name", &name))
			return EINVAL;
		if (strcmp(name ? name : "", m->rtd_names[i]))
			return diag_set(rd->d, rd->path, (int)rts->items[i]->line, "response-time "
					"counter \"%s\", not \"%s\" as in %s", name ? name : "",
					m->rtd_names[i], m->first);
	}
	return 0;
}

/* ---- histograms ---------------------------------------------------------------- */

/* A histogram of the report into h (emptied first): count, sum, min,
 * max and its buckets, which must add up to the count. */
static int read_hist(const struct rd *rd, const struct rpt_jval *o, struct hist *h)
{
	const struct rpt_jval *bs = field(rd, o, "buckets", RPT_JARR);
	uint64_t total = 0;
	unsigned i;

	memset(h, 0, sizeof(*h));
	if (!bs || get_u64(rd, o, "count", &h->count) || get_u64(rd, o, "sum_us", &h->sum) ||
	    get_u64(rd, o, "min_us", &h->min) || get_u64(rd, o, "max_us", &h->max))
		return EINVAL;
	if (!(h->bucket = calloc(HIST_BUCKETS, sizeof(*h->bucket))))
		return ENOMEM;
	for (i = 0; i < bs->n; i++) {
		const struct rpt_jval *p = bs->items[i];

		if (p->type != RPT_JARR || p->n != 2 || !p->items[0]->is_uint ||
		    !p->items[1]->is_uint || p->items[0]->u >= HIST_BUCKETS ||
		    p->items[1]->u > UINT32_MAX - h->bucket[p->items[0]->u])
			return diag_set(rd->d, rd->path, (int)p->line, "a bucket must be "
					"[index below %u, count]", HIST_BUCKETS);
		h->bucket[p->items[0]->u] += (uint32_t)p->items[1]->u;
		total += p->items[1]->u;
	}
	if (total != h->count)
		return diag_set(rd->d, rd->path, (int)bs->line, "the buckets hold %llu samples, "
				"\"count\" says %llu", (unsigned long long)total,
				(unsigned long long)h->count);
	return 0;
}

static int merge_hist(const struct rd *rd, const struct rpt_jval *o, struct hist *into)
{
	struct hist h;
	int err = read_hist(rd, o, &h);

	if (!err)
		err = hist_merge(into, &h);
	hist_free(&h);
	return err;
}

static int add_hists(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *rts = rpt_jget(root, "response_times");
	const struct rpt_jval *cl = field(rd, root, "call_length", RPT_JOBJ);
	unsigned i;
	int err;

	for (i = 0; i < m->nrtd; i++)
		if ((err = merge_hist(rd, rts->items[i], &m->st.rtd[i])) != 0)
			return err;
	return cl ? merge_hist(rd, cl, &m->st.call_len) : EINVAL;
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

static int add_calls(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *c = field(rd, root, "calls", RPT_JOBJ);
	const struct rpt_jval *fl = field(rd, root, "failures", RPT_JARR);
	unsigned i;

	if (!c || !fl || add_u64(rd, c, "started", &m->st.calls_started) ||
	    add_u64(rd, c, "successful", &m->st.calls_ok) ||
	    add_u64(rd, c, "failed", &m->st.calls_failed) ||
	    add_u64(rd, c, "timed_out", &m->st.calls_timeout) ||
	    (rpt_jget(c, "unfinished") && add_u64(rd, c, "unfinished", &m->st.calls_unfinished)))
		return EINVAL;
	for (i = 0; i < fl->n; i++) {
		const char *name;
		enum fail_reason r;

		if (get_str(rd, fl->items[i], "reason", &name))
			return EINVAL;
		if (!name || reason_of(name, &r))
			return diag_set(rd->d, rd->path, (int)fl->items[i]->line, "unknown failure "
					"reason \"%s\"", name ? name : "");
		if (add_u64(rd, fl->items[i], "calls", &m->st.fail[r]))
			return EINVAL;
	}
	return 0;
}

/* The flattened index of step (party, index), or -1. */
static int flat_step(const struct rpt_merge *m, const char *party, uint64_t index)
{
	unsigned u, base = 0;

	for (u = 0; u < m->nuas; base += m->uas[u++].nsteps)
		if (!strcmp(m->uas[u].name, party) && index >= 1 && index <= m->uas[u].nsteps)
			return (int)(base + index - 1);
	return -1;
}

/* failed_at, by (reason, step, detail): the first STAT_FAIL_AT kept, as
 * a run keeps them (the rest are in the failures by reason). */
static int add_fail_at(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *fa = field(rd, root, "failed_at", RPT_JARR);
	unsigned i, j;

	for (i = 0; fa && i < fa->n; i++) {
		const struct rpt_jval *o = fa->items[i];
		const char *reason, *party, *detail;
		uint64_t index, n;
		enum fail_reason r;
		int flat;

		if (get_str(rd, o, "reason", &reason) || get_str(rd, o, "party", &party) ||
		    get_str(rd, o, "detail", &detail) || get_u64(rd, o, "index", &index) ||
		    get_u64(rd, o, "calls", &n))
			return EINVAL;
		if (!reason || reason_of(reason, &r) || !party ||
		    (flat = flat_step(m, party, index)) < 0)
			return diag_set(rd->d, rd->path, (int)o->line, "a failure at an unknown "
					"reason or step");
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
	return fa ? 0 : EINVAL;
}

static int add_steps(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *steps = rpt_jget(root, "steps");
	unsigned i;

	for (i = 0; i < m->nsteps; i++) {
		const struct rpt_jval *s = steps->items[i];
		struct stat_step *c = &m->st.steps[i];

		if (add_u64(rd, s, "sent", &c->sent) || add_u64(rd, s, "received", &c->recv) ||
		    add_u64(rd, s, "retransmissions", &c->retrans) ||
		    add_u64(rd, s, "timeouts", &c->timeouts) ||
		    add_u64(rd, s, "unexpected", &c->unexpected))
			return EINVAL;
	}
	return 0;
}

static int add_messages(struct rpt_merge *m, const struct rd *rd, const struct rpt_jval *root)
{
	const struct rpt_jval *o = field(rd, root, "messages", RPT_JOBJ);
	const struct rpt_jval *me = rpt_jget(root, "media");
	struct media_stats *ms = &m->media;

	if (!o || add_u64(rd, o, "sent", &m->st.tx) || add_u64(rd, o, "received", &m->st.rx) ||
	    add_u64(rd, o, "send_errors", &m->st.tx_errors) ||
	    add_u64(rd, o, "unparsable", &m->st.malformed) ||
	    add_u64(rd, o, "no_call", &m->st.stray) ||
	    add_u64(rd, o, "repeated", &m->st.retrans_rx) ||
	    add_u64(rd, o, "default_bye_cancel", &m->st.default_sent))
		return EINVAL;
	if (!me)
		return 0;
	m->have_media = 1;
	return add_u64(rd, me, "rtp_sent", &ms->rtp_sent) ||
	       add_u64(rd, me, "rtp_received", &ms->rtp_recv) ||
	       add_u64(rd, me, "rtp_echoed", &ms->rtp_echoed) ||
	       add_u64(rd, me, "rtp_lost", &ms->rtp_lost) ||
	       add_u64(rd, me, "plays", &ms->plays) ||
	       add_u64(rd, me, "plays_done", &ms->plays_done) ||
	       add_u64(rd, me, "no_peer", &ms->no_peer) ||
	       add_u64(rd, me, "send_errors", &ms->send_errors) ||
	       add_u64(rd, me, "sockets", &ms->sockets) ? EINVAL : 0;
}

int rpt_mread_counts(struct rpt_merge *m, const char *path, const struct rpt_jval *root,
		     struct diag *d)
{
	struct rd rd = {path, d};
	uint64_t bits, max_exp;
	int err;

	if (root->type != RPT_JOBJ || !rpt_jget(root, "sipbench"))
		return diag_set(d, path, (int)root->line, "not a sipbench JSON report");
	if (get_u64(&rd, root, "hist_sub_bits", &bits) ||
	    get_u64(&rd, root, "hist_max_exp", &max_exp))
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
