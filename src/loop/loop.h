/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop: the event loop (epoll) with a hierarchical timer wheel. One loop
 * runs the whole process; nothing here allocates per event. The clock is
 * monotonic and cached once per iteration (loop_now_*). */
#ifndef SB_LOOP_H
#define SB_LOOP_H

#include <stdint.h>
#include "base/list.h"

struct loop;
struct tmr_wheel;

enum {
	LOOP_READ  = 1u << 0,
	LOOP_WRITE = 1u << 1,
};

/* Called when fd is ready; events is a mask of LOOP_READ/LOOP_WRITE. */
typedef void (loop_fd_h)(int fd, unsigned events, void *arg);
/* Called once per loop iteration, after fd events and timers ran. */
typedef void (loop_tick_h)(void *arg);
/* Timer expiry handler. The timer is no longer running when it is called,
 * so the handler may restart it. */
typedef void (tmr_h)(void *arg);

/* A timer, embedded in its owner (no allocation). Zeroed memory or
 * tmr_init() gives a stopped timer. */
struct tmr {
	struct lst_node le;   /* link in a wheel slot; unlinked = stopped */
	uint64_t expires_ms;  /* absolute, loop clock                     */
	tmr_h *th;
	void *arg;
	struct tmr_wheel *wheel;  /* set while running                    */
};

/* Work put off to the end of the loop turn (before the loop polls or
 * pauses again), embedded in its owner: sends gathered during a turn go
 * out in one system call. */
typedef void (loop_defer_h)(void *arg);
struct loop_defer {
	struct loop_defer *next;
	loop_defer_h *h;
	void *arg;
	int queued;
};

int loop_alloc(struct loop **lp);
void loop_free(struct loop *l);

/* Run d->h(d->arg) once at the end of this turn (again if queued again).
 * Outside loop_run, call it at once. */
void loop_defer(struct loop *l, struct loop_defer *d);
/* Run what is deferred now (an owner about to go away calls it). */
void loop_run_deferred(struct loop *l);

/* Watch fd for events; arg is handed back to h. One registration per fd. */
int loop_fd_add(struct loop *l, int fd, unsigned events, loop_fd_h *h, void *arg);
int loop_fd_mod(struct loop *l, int fd, unsigned events);
void loop_fd_del(struct loop *l, int fd);

void loop_set_tick(struct loop *l, loop_tick_h *h, void *arg);

/* Run until loop_stop() is called. Blocks in epoll_wait no longer than the
 * next timer's expiry; never wakes on a fixed tick. Returns 0, or errno if
 * epoll fails (EINTR is retried after the tick handler ran). */
int loop_run(struct loop *l);
/* Batching under load: after a turn that handled events, when the last
 * 100 ms saw more such turns than one per max_us, wait up to max_us
 * (never past the next timer) before polling again, so one wake-up takes
 * in several datagrams. 0 (the default) turns it off. */
void loop_set_batch(struct loop *l, uint64_t max_us);
/* A handler stopped with input still waiting: the loop polls again at
 * once instead of pausing to gather. */
void loop_note_backlog(struct loop *l);
void loop_stop(struct loop *l);

/* Monotonic clock, cached at the start of each iteration. */
uint64_t loop_now_ms(const struct loop *l);
uint64_t loop_now_us(const struct loop *l);
/* Refresh the cached clock now (cheap; used after long work). */
void loop_update_time(struct loop *l);

/* Timers. Resolution is 1 ms; delay 0 fires on the next iteration.
 * tmr_start on a running timer restarts it. O(1) start and cancel. */
void tmr_init(struct tmr *t);
void tmr_start(struct loop *l, struct tmr *t, uint64_t delay_ms, tmr_h *th, void *arg);
void tmr_cancel(struct tmr *t);
static inline int tmr_isrunning(const struct tmr *t) { return lst_linked(&t->le); }
/* Number of running timers (for tests and statistics). */
uint64_t loop_timer_count(const struct loop *l);

#endif
