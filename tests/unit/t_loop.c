/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_loop: the timer wheel driven by an injected clock (order, no early
 * expiry, FIFO, cancel and restart from handlers, delay 0, long delays,
 * a million timers), and the epoll loop with a pipe and loop_stop. */
#include "config.h"
#include <check.h>
#include "tests/unit/runner.h"
#include <stdlib.h>
#include <unistd.h>
#include "loop/loop.h"
#include "loop/tmr_wheel.h"

struct probe {
	struct tmr t;
	uint64_t exp;
	int id;
};

static uint64_t now;
/* order: the first 64 ids fired; fired: every timer that fired, and
 * fired_even those of them with an even id (the cancelled ones, below) */
static int order[64], norder, early, fired, fired_even;
static uint64_t last_exp;

static void record(void *arg)
{
	struct probe *p = arg;

	if (now < p->exp || p->exp < last_exp)
		early++;
	last_exp = p->exp;
	fired++;
	if (p->id % 2 == 0)
		fired_even++;
	if (norder < 64)
		order[norder++] = p->id;
}

static void reset(struct tmr_wheel *w, uint64_t start)
{
	now = start;
	norder = early = fired = fired_even = 0;
	last_exp = 0;
	tmr_wheel_init(w, start);
}

static void add(struct tmr_wheel *w, struct probe *p, uint64_t delay, int id, tmr_h *h)
{
	tmr_init(&p->t);
	p->t.th = h;
	p->t.arg = p;
	p->exp = now + delay;
	p->id = id;
	tmr_wheel_add(w, &p->t, p->exp);
}

/* advance the clock the way the loop does: to the next expiry */
static void run_until_empty(struct tmr_wheel *w, uint64_t limit)
{
	while (w->count && now < limit) {
		int64_t n = tmr_wheel_next(w, now);

		now += n > 0 ? (uint64_t)n : 1;
		tmr_wheel_expire(w, now);
	}
}

START_TEST(random_order_never_early)
{
	static struct probe p[20000];
	struct tmr_wheel w;
	int i;

	reset(&w, 1000);
	srandom(7);
	for (i = 0; i < 20000; i++)
		add(&w, &p[i], (uint64_t)(random() % (i % 7 ? 3000 : 400000)), i, record);
	run_until_empty(&w, 10000000);
	ck_assert_int_eq(early, 0);
	ck_assert_uint_eq(w.count, 0);
	/* every timer fired once: none dropped, none twice */
	ck_assert_int_eq(fired, 20000);
}
END_TEST

START_TEST(fifo_on_equal_expiry)
{
	struct probe p[5];
	struct tmr_wheel w;
	int i;

	reset(&w, 0);
	for (i = 0; i < 5; i++)
		add(&w, &p[i], 10, i, record);
	run_until_empty(&w, 100);
	ck_assert_int_eq(norder, 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(order[i], i);
}
END_TEST

static struct tmr_wheel *cur_w;
static struct probe victims[2];

static void cancel_other(void *arg)
{
	(void)arg;
	tmr_cancel(&victims[1].t);
	record(&victims[0]);
}

START_TEST(cancel_inside_handler)
{
	struct tmr_wheel w;

	reset(&w, 0);
	cur_w = &w;
	add(&w, &victims[0], 5, 0, cancel_other);
	add(&w, &victims[1], 5, 1, record);
	run_until_empty(&w, 100);
	ck_assert_int_eq(fired, 1);
	ck_assert_int_eq(norder, 1);
	ck_assert_int_eq(order[0], 0);
	ck_assert(!tmr_isrunning(&victims[1].t));
}
END_TEST

static int restarts;

static void restart_self(void *arg)
{
	struct probe *p = arg;

	if (++restarts < 3) {
		p->exp = now;
		tmr_wheel_add(cur_w, &p->t, now);  /* delay 0 */
	}
}

START_TEST(delay_zero_waits_a_turn)
{
	struct probe p;
	struct tmr_wheel w;

	reset(&w, 50);
	cur_w = &w;
	restarts = 0;
	add(&w, &p, 0, 0, restart_self);
	ck_assert_int_eq(tmr_wheel_next(&w, now), 0);
	tmr_wheel_expire(&w, now);
	/* the restarted timer must not have run inside the same pass */
	ck_assert_int_eq(restarts, 1);
	tmr_wheel_expire(&w, now);
	ck_assert_int_eq(restarts, 2);
}
END_TEST

START_TEST(long_delays_all_levels)
{
	static const uint64_t delays[] = {1, 255, 256, 65535, 65536, 16777215,
					  16777216, 4000000000ULL};
	struct probe p[8];
	struct tmr_wheel w;
	int i;

	reset(&w, 123456);
	for (i = 0; i < 8; i++)
		add(&w, &p[i], delays[i], i, record);
	run_until_empty(&w, 123456 + 5000000000ULL);
	ck_assert_int_eq(early, 0);
	ck_assert_int_eq(norder, 8);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(order[i], i);
}
END_TEST

START_TEST(million_timers)
{
	struct probe *p = calloc(1000000, sizeof(*p));
	struct tmr_wheel w;
	int i;

	reset(&w, 0);
	for (i = 0; i < 1000000; i++)
		add(&w, &p[i], (uint64_t)(i % 60000), i, record);
	ck_assert_uint_eq(w.count, 1000000);
	for (i = 0; i < 1000000; i += 2)
		tmr_cancel(&p[i].t);
	ck_assert_uint_eq(w.count, 500000);
	run_until_empty(&w, 100000);
	ck_assert_uint_eq(w.count, 0);
	ck_assert_int_eq(early, 0);
	/* the 500,000 left fired, the cancelled (even ids) did not */
	ck_assert_int_eq(fired, 500000);
	ck_assert_int_eq(fired_even, 0);
	free(p);
}
END_TEST

static int pipe_reads;

static void on_pipe(int fd, unsigned ev, void *arg)
{
	char c;

	ck_assert(ev & LOOP_READ);
	if (read(fd, &c, 1) == 1)
		pipe_reads++;
	loop_stop(arg);
}

static void write_pipe(void *arg)
{
	int *fds = arg;

	ck_assert_int_eq(write(fds[1], "x", 1), 1);
}

START_TEST(loop_fd_and_timer)
{
	struct loop *l;
	struct tmr t;
	int fds[2];

	ck_assert_int_eq(loop_alloc(&l), 0);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(loop_fd_add(l, fds[0], LOOP_READ, on_pipe, l), 0);
	tmr_init(&t);
	tmr_start(l, &t, 20, write_pipe, fds);
	ck_assert_uint_eq(loop_timer_count(l), 1);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(pipe_reads, 1);
	ck_assert_uint_eq(loop_timer_count(l), 0);
	loop_fd_del(l, fds[0]);
	close(fds[0]);
	close(fds[1]);
	loop_free(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_order_never_early);
	tcase_add_test(tc, fifo_on_equal_expiry);
	tcase_add_test(tc, cancel_inside_handler);
	tcase_add_test(tc, delay_zero_waits_a_turn);
	tcase_add_test(tc, long_delays_all_levels);
	tcase_add_test(tc, million_timers);
	tcase_add_test(tc, loop_fd_and_timer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
