/* SPDX-License-Identifier: GPL-2.0-or-later */
/* term: the final summary printed on stdout at the end of a run. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "media/rtp.h"
#include "report/rpt.h"
#include "scenario/prog.h"
#include "stats/stats.h"
#include "transport/tp.h"

static void step_line(FILE *out, const struct step *st, const struct stat_step *c)
{
	const char *dir;

	switch (st->kind) {
	case STEP_SEND:
		dir = st->msg && st->msg->is_request ? "-> " : "-> ";
		fprintf(out, "  %3u %-3s %-22s %8llu %8s %8llu %8llu %8llu\n", st->index + 1,
			dir, st->display, (unsigned long long)c->sent, "",
			(unsigned long long)c->retrans, (unsigned long long)c->timeouts,
			(unsigned long long)c->unexpected);
		break;
	case STEP_RECV:
		fprintf(out, "  %3u %-3s %-22s %8s %8llu %8llu %8llu %8llu\n", st->index + 1,
			"<- ", st->display, "", (unsigned long long)c->recv,
			(unsigned long long)c->retrans, (unsigned long long)c->timeouts,
			(unsigned long long)c->unexpected);
		break;
	case STEP_SENDCMD:
		fprintf(out, "  %3u %-3s %-22s %8llu %8s %8s %8s %8s\n", st->index + 1, "=> ",
			st->display, (unsigned long long)c->sent, "", "", "", "");
		break;
	case STEP_RECVCMD:
		fprintf(out, "  %3u %-3s %-22s %8s %8llu %8s %8llu %8llu\n", st->index + 1, "<= ",
			st->display, "", (unsigned long long)c->recv, "",
			(unsigned long long)c->timeouts, (unsigned long long)c->unexpected);
		break;
	case STEP_SIGNAL:
		fprintf(out, "  %3u %-3s %-22s %8llu %8s %8s %8s %8s\n", st->index + 1, "",
			st->display, (unsigned long long)c->sent, "", "", "", "");
		break;
	case STEP_WAIT:
		fprintf(out, "  %3u %-3s %-22s %8s %8llu %8s %8llu %8s\n", st->index + 1, "",
			st->display, "", (unsigned long long)c->recv, "",
			(unsigned long long)c->timeouts, "");
		break;
	case STEP_PAUSE:
	case STEP_TIMEWAIT:
	case STEP_NOP:
		fprintf(out, "  %3u %-3s %-22s %8llu %8s %8s %8s %8llu\n", st->index + 1, "",
			st->display, (unsigned long long)c->sent, "", "", "",
			(unsigned long long)c->unexpected);
		break;
	default:
		break;
	}
}

static void steps(FILE *out, const struct rpt_run *r)
{
	unsigned u, i, base = 0;

	fprintf(out, "  %3s %-3s %-22s %8s %8s %8s %8s %8s\n", "#", "", "step",
		"sent", "recv", "retrans", "timeout", "unexp");
	for (u = 0; u < r->p->nuas; u++) {
		const struct prog_ua *pu = &r->p->uas[u];

		if (r->p->nuas > 1 || strcmp(pu->name, "default"))
			fprintf(out, "  party %s\n", pu->name);
		for (i = 0; i < pu->nsteps; i++)
			step_line(out, &pu->steps[i], &r->st->steps[base + i]);
		base += pu->nsteps;
	}
}

/* "INVITE sent (step 1)", with the party when the scenario has several;
 * more steps marking the same end add " or 486 received (step 4)". */
static size_t rtd_ends(const struct prog *p, unsigned rtd, int start, char *out, size_t n)
{
	unsigned u, i, found = 0;
	size_t len = 0;

	out[0] = '\0';
	for (u = 0; u < p->nuas; u++)
		for (i = 0; i < p->uas[u].nsteps && len < n; i++) {
			const struct step *st = &p->uas[u].steps[i];
			char name[64];

			if ((start ? st->start_rtd : st->rtd) != (int)rtd + 1)
				continue;
			snprintf(name, sizeof(name), "%s%s", st->display,
				 st->kind == STEP_SEND ? " sent" : st->kind == STEP_RECV ?
				 " received" : "");
			len += (size_t)snprintf(out + len, n - len, "%s%s (step %u%s%s)",
						found++ ? " or " : "", name, st->index + 1,
						p->nuas > 1 ? ", party " : "",
						p->nuas > 1 ? p->uas[u].name : "");
		}
	return found;
}

void rpt_rtd_between(const struct rpt_run *r, unsigned rtd, char *out, size_t n)
{
	const struct prog *p = r->p;
	char from[160], to[160];

	out[0] = '\0';
	if (r->rtd_between) {
		snprintf(out, n, "%s", r->rtd_between[rtd] ? r->rtd_between[rtd] : "");
		return;
	}
	if (!rtd_ends(p, rtd, 0, to, sizeof(to)))
		return;  /* a merged report's scenario has the names only */
	if (!rtd_ends(p, rtd, 1, from, sizeof(from)))
		snprintf(from, sizeof(from), "the call's start");
	snprintf(out, n, "%s -> %s", from, to);
}

static void ms(FILE *out, const char *name, const struct hist *h)
{
	if (!h->count) {
		fprintf(out, "  %-12s no samples\n", name);
		return;
	}
	fprintf(out, "  %-12s n=%llu mean=%.3f p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f "
		"max=%.3f ms\n", name, (unsigned long long)h->count,
		(double)h->sum / (double)h->count / 1000.0, hist_quantile(h, 0.5) / 1000.0,
		hist_quantile(h, 0.9) / 1000.0, hist_quantile(h, 0.99) / 1000.0,
		hist_quantile(h, 0.999) / 1000.0, h->max / 1000.0);
}

const struct step *rpt_flat_step(const struct prog *p, unsigned flat,
				 const struct prog_ua **pu)
{
	unsigned u;

	for (u = 0; u < p->nuas; u++) {
		if (flat < p->uas[u].nsteps) {
			*pu = &p->uas[u];
			return &p->uas[u].steps[flat];
		}
		flat -= p->uas[u].nsteps;
	}
	return NULL;
}

/* Under a failure reason: where the calls failed, and the first detail. */
static void fail_details(FILE *out, const struct rpt_run *r, enum fail_reason why)
{
	unsigned i;

	for (i = 0; i < r->st->nfail_at; i++) {
		const struct stat_fail_at *f = &r->st->fail_at[i];
		const struct prog_ua *pu = NULL;
		const struct step *st;

		if (f->r != why || !(st = rpt_flat_step(r->p, f->step, &pu)))
			continue;
		fprintf(out, "    at step %u (%s%s%s%s): %s  %llu\n", st->index + 1,
			st->kind == STEP_RECV ? "<- " : st->kind == STEP_SEND ? "-> " : "",
			st->display, r->p->nuas > 1 ? ", party " : "",
			r->p->nuas > 1 ? pu->name : "", f->what, (unsigned long long)f->n);
	}
}

static void calls(FILE *out, const struct rpt_run *r)
{
	const struct stats *st = r->st;
	double secs = (double)r->elapsed_us / 1e6;
	unsigned i;

	fprintf(out, "Calls\n");
	fprintf(out, "  started      %llu\n", (unsigned long long)st->calls_started);
	fprintf(out, "  successful   %llu\n", (unsigned long long)st->calls_ok);
	fprintf(out, "  failed       %llu\n", (unsigned long long)st->calls_failed);
	fprintf(out, "  timed out    %llu\n", (unsigned long long)st->calls_timeout);
	fprintf(out, "  unfinished   %llu\n", (unsigned long long)st->calls_unfinished);
	if (st->calls_unfinished)
		fprintf(out, "    still running when the run ended (%s): ended with BYE or "
			"CANCEL, not failed\n", r->unfinished_why ? r->unfinished_why : "run ended");
	fprintf(out, "  rate         %.1f calls/s\n",
		secs > 0 ? (double)(st->calls_ok + st->calls_failed) / secs : 0);
	for (i = 0; i < FAIL_COUNT; i++)
		if (st->fail[i]) {
			fprintf(out, "  failure: %-34s %llu\n", stat_fail_name(i),
				(unsigned long long)st->fail[i]);
			fail_details(out, r, (enum fail_reason)i);
		}
}

void rpt_summary(FILE *out, const struct rpt_run *r)
{
	unsigned i;

	fprintf(out, "\nsipbench %s: scenario \"%s\" (%s), %s:%u %s %s, %.3f s",
		PACKAGE_VERSION, r->p->name ? r->p->name : "", r->p->file ? r->p->file : "",
		r->local_ip, r->local_port, r->uas_mode ? "<-" : "->",
		r->remote ? r->remote : "any", (double)r->elapsed_us / 1e6);
	if (r->stopped_by)
		fprintf(out, ", stopped by %s", r->stopped_by);
	fprintf(out, "\n\n");
	steps(out, r);
	fprintf(out, "\n");
	calls(out, r);
	fprintf(out, "Response times\n");
	for (i = 0; i < r->st->nrtd; i++) {
		char name[48], between[360];

		snprintf(name, sizeof(name), "rtd %s", r->p->rtd_names[i]);
		rpt_rtd_between(r, i, between, sizeof(between));
		if (between[0])
			fprintf(out, "  %s: %s\n", name, between);
		ms(out, name, &r->st->rtd[i]);
	}
	ms(out, "call length", &r->st->call_len);
	fprintf(out, "    (of the %llu successful calls)\n",
		(unsigned long long)r->st->calls_ok);
	fprintf(out, "Messages\n");
	fprintf(out, "  sent         %llu\n", (unsigned long long)r->st->tx);
	fprintf(out, "  received     %llu\n", (unsigned long long)r->st->rx);
	fprintf(out, "  send errors  %llu\n", (unsigned long long)r->st->tx_errors);
	fprintf(out, "  unparsable   %llu\n", (unsigned long long)r->st->malformed);
	fprintf(out, "  no call      %llu\n", (unsigned long long)r->st->stray);
	fprintf(out, "  repeated     %llu\n", (unsigned long long)r->st->retrans_rx);
	if (r->st->default_sent)
		fprintf(out, "  BYE/CANCEL for failed and unfinished calls %llu\n",
			(unsigned long long)r->st->default_sent);
	if (r->st->icmp)
		fprintf(out, "  ICMP errors  %llu (for messages sent: the target or the "
			"path refused them)\n", (unsigned long long)r->st->icmp);
	if (r->pcap_path)
		fprintf(out, "  captured     %llu (the messages of failed and unfinished calls, "
			"in %s)\n",
			(unsigned long long)r->pcap_msgs, r->pcap_path);
	if (r->media) {
		const struct media_stats *m = r->media;

		fprintf(out, "Media (RTP)\n");
		fprintf(out, "  sent         %llu (%llu pcap plays, %llu to the end)\n",
			(unsigned long long)m->rtp_sent, (unsigned long long)m->plays,
			(unsigned long long)m->plays_done);
		fprintf(out, "  received     %llu\n", (unsigned long long)m->rtp_recv);
		fprintf(out, "  echoed       %llu\n", (unsigned long long)m->rtp_echoed);
		fprintf(out, "  lost         %llu\n", (unsigned long long)m->rtp_lost);
		if (m->no_peer)
			fprintf(out, "  no peer SDP  %llu (plays with no address to send to)\n",
				(unsigned long long)m->no_peer);
		if (m->send_errors)
			fprintf(out, "  send errors  %llu\n", (unsigned long long)m->send_errors);
		if (m->srtp_protected || m->srtp_unprotected || m->srtp_auth_fail ||
		    m->srtp_replay_fail || m->srtp_errors)
			fprintf(out, "  SRTP         %llu protected, %llu authenticated, %llu failed "
				"auth, %llu replayed, %llu other errors\n",
				(unsigned long long)m->srtp_protected,
				(unsigned long long)m->srtp_unprotected,
				(unsigned long long)m->srtp_auth_fail,
				(unsigned long long)m->srtp_replay_fail,
				(unsigned long long)m->srtp_errors);
	}
	fprintf(out, "Generator\n");
	fprintf(out, "  cpu          %.2f s (%.0f%% of one core)\n", r->gen.cpu_s,
		r->gen.cpu_share * 100);
	fprintf(out, "  rate lag     max %.1f ms, %llu ticks later than 10 ms\n",
		(double)r->gen.max_lag_us / 1000.0, (unsigned long long)r->gen.late_ticks);
	if (r->gen.not_started)
		fprintf(out, "  not started  %llu (calls due while sipbench was behind)\n",
			(unsigned long long)r->gen.not_started);
	if (r->gen.stream)
		fprintf(out, "  connections  %llu opened, %llu accepted, %llu lost, %llu "
			"broken (bad framing, TLS)\n", r->gen.conns_out, r->gen.conns_in,
			r->gen.conns_lost, r->gen.stream_errors);
	if (r->gen.udp_drops >= 0)
		fprintf(out, "  udp drops    %lld (datagrams sipbench's sockets dropped: receive "
			"buffers full)\n", r->gen.udp_drops);
	fprintf(out, "  %s\n", r->gen.bottleneck ? r->gen.why : "kept up: the figures are the target's");
	if (r->nlimits) {
		fprintf(out, "Limits\n");
		for (i = 0; i < r->nlimits; i++)
			fprintf(out, "  %s %s: %s\n", r->limits[i].broken ? "limit broken:" :
				"limit kept:  ", r->limits[i].name, r->limits[i].detail);
	}
	fprintf(out, "Verdict\n  exit %d: %s\n", r->exit_status, r->verdict);
	fflush(out);
}

void rpt_step_name(const struct step *st, char *out, size_t n)
{
	snprintf(out, n, "%s%s", st->kind == STEP_RECV ? "<- " : st->kind == STEP_SEND ?
		 "-> " : "", st->display);
}
