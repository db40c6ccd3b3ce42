/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmr_wheel: the timer wheel behind loop.c, with the clock passed in so
 * unit tests can drive it. 4 levels of 256 slots, 1 ms per tick. */
#ifndef SB_TMR_WHEEL_H
#define SB_TMR_WHEEL_H

#include <stdint.h>
#include "base/list.h"
#include "loop/loop.h"

#define TMR_LEVELS 4
#define TMR_SLOTS 256

struct tmr_wheel {
	uint64_t cur;                               /* last tick processed  */
	uint64_t count;                             /* running timers       */
	struct lst_node due;                        /* expiry <= cur        */
	struct lst_node slot[TMR_LEVELS][TMR_SLOTS];
	/* slots that may hold timers: set when one is added, cleared when
	 * the slot is found empty (a cancel leaves its bit until then) */
	uint64_t occ[TMR_LEVELS][TMR_SLOTS / 64];
};

void tmr_wheel_init(struct tmr_wheel *w, uint64_t now_ms);
/* Add a stopped timer t (th/arg already set) to expire at tick exp_ms. */
void tmr_wheel_add(struct tmr_wheel *w, struct tmr *t, uint64_t exp_ms);
/* Run every timer due by now_ms. Timers added while it runs with an
 * expiry <= now_ms run on the next call, never in this one. */
void tmr_wheel_expire(struct tmr_wheel *w, uint64_t now_ms);
/* Milliseconds from now_ms until the next expiry (a lower bound), 0 if
 * one is due, -1 if no timer runs. */
int64_t tmr_wheel_next(const struct tmr_wheel *w, uint64_t now_ms);

#endif
