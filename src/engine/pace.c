/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pace: how much of the asked call rate to start now. Past saturation a
 * generator that keeps starting calls at the asked rate only fills the
 * socket buffers; the datagrams they then drop come back as
 * retransmissions and the achieved rate collapses (SIPp's behaviour).
 * So the time to the first answer of each request is watched: when it
 * climbs well above its unloaded value, answers are queueing, and the
 * start rate is cut to a little less than the rate at which calls were
 * being answered (what the target and sipbench actually sustain), so the
 * queues drain; while answers come fast, it climbs back slowly to the
 * asked rate. Off with -no_backoff. */
#include "config.h"
#include <string.h>
#include "engine/internal.h"

#define PACE_MIN_SAMPLES  16       /* before the unloaded time is known   */
#define PACE_COOLDOWN_US  100000   /* after a cut, let the queues drain    */
#define PACE_STEP_US      50000    /* between two increases                */
#define PACE_FLOOR        0.02     /* never below 2% of the asked rate     */
#define PACE_SLACK_US     20000    /* queueing worth reacting to           */
#define PACE_WINDOW_US    100000   /* for the rate of answered calls      */

void eng_pace_init(struct pace *p, int off)
{
	memset(p, 0, sizeof(*p));
	p->factor = p->min_factor = 1.0;
	p->off = off;
}

void eng_pace_answered(struct pace *p, uint64_t now_us)
{
	if (!p->win_start_us)
		p->win_start_us = now_us;
	p->win_calls++;
	if (now_us - p->win_start_us >= PACE_WINDOW_US) {
		p->answered_per_s = (double)p->win_calls * 1e6 / (double)(now_us - p->win_start_us);
		p->win_start_us = now_us;
		p->win_calls = 0;
	}
}

void eng_pace_sample(struct pace *p, uint64_t rtt_us)
{
	/* an EWMA with weight 1/8, as TCP's smoothed RTT (RFC 6298) */
	p->ewma_us = p->samples ? p->ewma_us - p->ewma_us / 8 + rtt_us / 8 : rtt_us;
	p->samples++;
	if (p->samples >= PACE_MIN_SAMPLES && (!p->base_us || p->ewma_us < p->base_us))
		p->base_us = p->ewma_us;
}

static int congested(const struct pace *p)
{
	uint64_t limit = p->base_us * 4 > p->base_us + PACE_SLACK_US ?
			 p->base_us * 4 : p->base_us + PACE_SLACK_US;

	return p->base_us && p->ewma_us > limit;
}

int eng_pace_update(struct pace *p, double asked_per_s, uint64_t now_us)
{
	double f = p->factor, sustained;

	if (p->off || now_us < p->hold_until_us)
		return 0;
	if (congested(p)) {
		/* 95% of what was answered lately, and a cut in any case */
		sustained = asked_per_s > 0 ? 0.95 * p->answered_per_s / asked_per_s : 0;
		f = sustained > 0 && sustained < f * 0.95 ? sustained : f * 0.95;
		if (f < PACE_FLOOR)
			f = PACE_FLOOR;
		p->hold_until_us = now_us + PACE_COOLDOWN_US;
		if (p->ewma_us > p->worst_us)
			p->worst_us = p->ewma_us;
	} else if (f < 1.0 && now_us >= p->next_up_us) {
		f = f + 0.01 > 1.0 ? 1.0 : f + 0.01;
		p->next_up_us = now_us + PACE_STEP_US;
	}
	if (f == p->factor)
		return 0;
	/* time spent below the asked rate */
	if (p->factor < 1.0)
		p->held_us += now_us - p->changed_us;
	p->changed_us = now_us;
	p->factor = f;
	if (f < p->min_factor)
		p->min_factor = f;
	return 1;
}

void eng_pace_finish(struct pace *p, uint64_t now_us)
{
	if (p->factor < 1.0)
		p->held_us += now_us - p->changed_us;
	p->changed_us = now_us;
}
