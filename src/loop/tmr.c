/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmr: a hierarchical timer wheel (Varghese & Lauck). Level L slot i
 * holds timers whose expiry is 256^L..256^(L+1) ticks away; when the
 * lower level wraps, the next slot of the level above is cascaded down.
 * Start and cancel are O(1); see docs/internals/timers.md. */
#include "config.h"
#include <stddef.h>
#include <stdint.h>
#include "loop/tmr_wheel.h"

#define BITS 8
#define MASK (TMR_SLOTS - 1)

void tmr_wheel_init(struct tmr_wheel *w, uint64_t now_ms)
{
	unsigned l, s;

	w->cur = now_ms;
	w->count = 0;
	lst_init(&w->due);
	for (l = 0; l < TMR_LEVELS; l++) {
		for (s = 0; s < TMR_SLOTS; s++)
			lst_init(&w->slot[l][s]);
		for (s = 0; s < TMR_SLOTS / 64; s++)
			w->occ[l][s] = 0;
	}
}

static void mark(struct tmr_wheel *w, const struct lst_node *head)
{
	size_t i;

	if (head == &w->due)
		return;
	i = (size_t)(head - &w->slot[0][0]);
	w->occ[i / TMR_SLOTS][(i % TMR_SLOTS) / 64] |= 1ull << (i % 64);
}

void tmr_init(struct tmr *t)
{
	t->le.prev = t->le.next = NULL;
	t->th = NULL;
	t->arg = NULL;
	t->expires_ms = 0;
	t->wheel = NULL;
}

static struct lst_node *slot_for(struct tmr_wheel *w, uint64_t exp)
{
	uint64_t delta;
	unsigned l;

	if (exp <= w->cur)
		return &w->due;
	delta = exp - w->cur;
	for (l = 0; l < TMR_LEVELS - 1; l++)
		if (delta < (1ull << (BITS * (l + 1))))
			return &w->slot[l][(exp >> (BITS * l)) & MASK];
	if (delta >= (1ull << (BITS * TMR_LEVELS)))
		exp = w->cur + (1ull << (BITS * TMR_LEVELS)) - 1;
	return &w->slot[TMR_LEVELS - 1][(exp >> (BITS * (TMR_LEVELS - 1))) & MASK];
}

void tmr_wheel_add(struct tmr_wheel *w, struct tmr *t, uint64_t exp_ms)
{
	struct lst_node *head = slot_for(w, exp_ms);

	t->expires_ms = exp_ms;
	t->wheel = w;
	lst_append(head, &t->le);
	mark(w, head);
	w->count++;
}

void tmr_cancel(struct tmr *t)
{
	if (!lst_linked(&t->le))
		return;
	lst_unlink(&t->le);
	t->wheel->count--;
}

static uint64_t next_tick_scan(const struct tmr_wheel *w, struct tmr_wheel *w_mut);

static void cascade(struct tmr_wheel *w, unsigned level)
{
	struct lst_node *head = &w->slot[level][(w->cur >> (BITS * level)) & MASK];

	while (!lst_empty(head)) {
		struct tmr *t = LST_ENTRY(head->next, struct tmr, le);
		struct lst_node *to = slot_for(w, t->expires_ms);

		lst_unlink(&t->le);
		lst_append(to, &t->le);
		mark(w, to);
	}
}

static void fire_all(struct tmr_wheel *w, struct lst_node *head)
{
	while (!lst_empty(head)) {
		struct tmr *t = LST_ENTRY(head->next, struct tmr, le);

		lst_unlink(&t->le);
		w->count--;
		t->th(t->arg);
	}
}

static void tick(struct tmr_wheel *w)
{
	unsigned l;

	w->cur++;
	/* cascade from the highest level that wrapped, down to level 1 */
	for (l = 1; l < TMR_LEVELS; l++)
		if ((w->cur & ((1ull << (BITS * l)) - 1)) != 0)
			break;
	while (--l >= 1)
		cascade(w, l);
	fire_all(w, &w->slot[0][w->cur & MASK]);
}

void tmr_wheel_expire(struct tmr_wheel *w, uint64_t now_ms)
{
	struct lst_node due;

	/* take the due list as it is now: what handlers add waits a turn */
	lst_init(&due);
	if (!lst_empty(&w->due)) {
		due.next = w->due.next;
		due.prev = w->due.prev;
		due.next->prev = &due;
		due.prev->next = &due;
		lst_init(&w->due);
	}
	fire_all(w, &due);
	if (!w->count) {
		if (now_ms > w->cur)
			w->cur = now_ms;
		return;
	}
	while (w->cur < now_ms) {
		uint64_t at = next_tick_scan(w, w);

		/* nothing fires or cascades before at: skip the empty ticks */
		if (at > w->cur + 1) {
			w->cur = at - 1 < now_ms ? at - 1 : now_ms;
			continue;
		}
		tick(w);
	}
}

/* The first non-empty slot, level by level, gives a lower bound on the
 * next expiry: a timer in level L slot (block b) expires no earlier than
 * b << (8 * L); the smallest over the levels is the bound (a slot of the
 * next lap at one level may come after a slot of a higher level). k = 256 is
 * the current block's own slot, which holds only timers of the next lap.
 * UINT64_MAX when no timer runs. */
/* The first slot of level l at or after slot `from` (circularly) whose
 * bit is set and which really holds a timer, as a distance 0..255 from
 * `from`; -1 when none. Stale bits met on the way are cleared when the
 * wheel may be changed (w_mut). */
static int first_busy(const struct tmr_wheel *w, struct tmr_wheel *w_mut, unsigned l,
		      unsigned from)
{
	unsigned pass, i;

	for (pass = 0; pass < 2; pass++) {
		unsigned lo = pass ? 0 : from, hi = pass ? from : TMR_SLOTS;

		for (i = lo; i < hi;) {
			uint64_t bits = w->occ[l][i / 64] >> (i % 64);
			unsigned s;

			if (!bits) {
				i = (i / 64 + 1) * 64;
				continue;
			}
			s = i + (unsigned)__builtin_ctzll(bits);
			if (s >= hi)
				break;
			if (!lst_empty(&w->slot[l][s]))
				return (int)((s - from) & MASK);
			if (w_mut)
				w_mut->occ[l][s / 64] &= ~(1ull << (s % 64));
			i = s + 1;
		}
	}
	return -1;
}

static uint64_t next_tick_scan(const struct tmr_wheel *w, struct tmr_wheel *w_mut)
{
	uint64_t best = UINT64_MAX;
	unsigned l;

	if (!w->count)
		return UINT64_MAX;
	if (!lst_empty(&w->due))
		return w->cur;
	for (l = 0; l < TMR_LEVELS; l++) {
		uint64_t base = w->cur >> (BITS * l);
		int d = first_busy(w, w_mut, l, (unsigned)((base + 1) & MASK));

		if (d >= 0 && ((base + 1 + (uint64_t)d) << (BITS * l)) < best)
			best = (base + 1 + (uint64_t)d) << (BITS * l);
	}
	return best == UINT64_MAX ? w->cur + 1 : best;
}

static uint64_t next_tick(const struct tmr_wheel *w)
{
	return next_tick_scan(w, NULL);
}

int64_t tmr_wheel_next(const struct tmr_wheel *w, uint64_t now_ms)
{
	uint64_t at = next_tick(w);

	if (at == UINT64_MAX)
		return -1;
	return at > now_ms ? (int64_t)(at - now_ms) : 0;
}
