/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop: epoll event loop with a hierarchical timer wheel (tmr.c). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "loop/loop.h"
#include "loop/tmr_wheel.h"

#define MAX_EVENTS 256

struct fdent {
	loop_fd_h *h;
	void *arg;
	int used;
};

struct loop {
	int epfd;
	struct fdent *fds;
	int nfds;
	struct tmr_wheel wheel;
	loop_tick_h *tick;
	void *tick_arg;
	int stop;
	uint64_t now_us;
	uint64_t batch_us;         /* longest gathering pause, 0 never      */
	uint64_t win_start_us;     /* the current 100 ms busy window        */
	unsigned win_turns;        /* turns that handled events in it       */
	int batching;              /* the last window was busy enough       */
	int backlog;               /* input left waiting this turn          */
	int running;               /* inside loop_run                       */
	struct loop_defer *deferred; /* to run at the end of the turn       */
};

#define BUSY_WINDOW_US 100000

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int loop_alloc(struct loop **lp)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int err = errno;

		free(l);
		return err;
	}
	l->now_us = mono_us();
	tmr_wheel_init(&l->wheel, l->now_us / 1000);
	*lp = l;
	return 0;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->fds);
	free(l);
}

static unsigned to_epoll(unsigned ev)
{
	return (ev & LOOP_READ ? EPOLLIN : 0u) | (ev & LOOP_WRITE ? EPOLLOUT : 0u);
}

int loop_fd_add(struct loop *l, int fd, unsigned events, loop_fd_h *h, void *arg)
{
	struct epoll_event ee = {0};

	if (fd >= l->nfds) {
		int n = l->nfds ? l->nfds : 64;
		struct fdent *f;

		while (n <= fd)
			n *= 2;
		f = realloc(l->fds, (size_t)n * sizeof(*f));
		if (!f)
			return ENOMEM;
		memset(f + l->nfds, 0, (size_t)(n - l->nfds) * sizeof(*f));
		l->fds = f;
		l->nfds = n;
	}
	ee.events = to_epoll(events);
	ee.data.fd = fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ee) < 0)
		return errno;
	l->fds[fd].h = h;
	l->fds[fd].arg = arg;
	l->fds[fd].used = 1;
	return 0;
}

int loop_fd_mod(struct loop *l, int fd, unsigned events)
{
	struct epoll_event ee = {0};

	ee.events = to_epoll(events);
	ee.data.fd = fd;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ee) < 0 ? errno : 0;
}

void loop_fd_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nfds || !l->fds[fd].used)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].used = 0;
	l->fds[fd].h = NULL;
}

void loop_set_tick(struct loop *l, loop_tick_h *h, void *arg)
{
	l->tick = h;
	l->tick_arg = arg;
}

void loop_stop(struct loop *l)
{
	l->stop = 1;
}

uint64_t loop_now_ms(const struct loop *l)
{
	return l->now_us / 1000;
}

uint64_t loop_now_us(const struct loop *l)
{
	return l->now_us;
}

void loop_update_time(struct loop *l)
{
	l->now_us = mono_us();
}

uint64_t loop_timer_count(const struct loop *l)
{
	return l->wheel.count;
}

void tmr_start(struct loop *l, struct tmr *t, uint64_t delay_ms, tmr_h *th, void *arg)
{
	tmr_cancel(t);
	t->th = th;
	t->arg = arg;
	tmr_wheel_add(&l->wheel, t, l->now_us / 1000 + delay_ms);
}

static void dispatch(struct loop *l, const struct epoll_event *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		unsigned e = 0;

		if (fd >= l->nfds || !l->fds[fd].used)
			continue;  /* removed by an earlier handler */
		if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			e |= LOOP_READ;
		if (ev[i].events & EPOLLOUT)
			e |= LOOP_WRITE;
		l->fds[fd].h(fd, e, l->fds[fd].arg);
	}
}

void loop_set_batch(struct loop *l, uint64_t max_us)
{
	l->batch_us = max_us;
}

void loop_note_backlog(struct loop *l)
{
	l->backlog = 1;
}

void loop_defer(struct loop *l, struct loop_defer *d)
{
	if (!l->running) {
		d->h(d->arg);
		return;
	}
	if (d->queued)
		return;
	d->queued = 1;
	d->next = l->deferred;
	l->deferred = d;
}

void loop_run_deferred(struct loop *l)
{
	while (l->deferred) {
		struct loop_defer *d = l->deferred;

		l->deferred = d->next;
		d->queued = 0;
		d->h(d->arg);
	}
}

/* After a turn that handled events, on a busy loop: pause before the next
 * epoll_wait so that the datagrams arriving meanwhile are taken in one
 * wake-up (as SIPp's fixed 1 ms sleep does, but only under load, and
 * never past the next timer). Batching starts after a 100 ms window with
 * more busy turns than pauses would fit in it, and stops after one where
 * fewer than half the pauses found work: at low rates timings stay
 * exact. */
static void gather(struct loop *l, int busy)
{
	uint64_t wait = l->batch_us;
	int64_t next;
	struct timespec ts;

	if (!wait)
		return;
	l->win_turns += busy;
	if (l->now_us - l->win_start_us >= BUSY_WINDOW_US) {
		/* in: more busy turns than pauses would fit; out: fewer
		 * than half the pauses found work */
		l->batching = (uint64_t)l->win_turns * wait * (l->batching ? 2 : 1) >
			      l->now_us - l->win_start_us;
		l->win_start_us = l->now_us;
		l->win_turns = 0;
	}
	if (!busy || !l->batching || l->backlog) {
		l->backlog = 0;
		return;
	}
	next = tmr_wheel_next(&l->wheel, l->now_us / 1000);
	if (next >= 0 && (uint64_t)next * 1000 < wait)
		wait = (uint64_t)next * 1000;
	if (!wait)
		return;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)wait * 1000;
	nanosleep(&ts, NULL);
	l->now_us = mono_us();
}

int loop_run(struct loop *l)
{
	struct epoll_event ev[MAX_EVENTS];

	l->stop = 0;
	l->running = 1;
	while (!l->stop) {
		int64_t wait = tmr_wheel_next(&l->wheel, l->now_us / 1000);
		int n = epoll_wait(l->epfd, ev, MAX_EVENTS, wait < 0 ? -1 : (int)wait);

		if (n < 0 && errno != EINTR) {
			int err = errno;

			loop_run_deferred(l);
			l->running = 0;
			return err;
		}
		l->now_us = mono_us();
		if (n > 0)
			dispatch(l, ev, n);
		tmr_wheel_expire(&l->wheel, l->now_us / 1000);
		if (l->tick)
			l->tick(l->tick_arg);
		loop_run_deferred(l);
		gather(l, n > 0);
	}
	loop_run_deferred(l);
	l->running = 0;
	return 0;
}
