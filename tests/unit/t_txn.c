/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_txn: the transaction schedule (sip/txn.c) on a fake clock: the exact
 * time of every resend and of every timeout or end, for the four kinds of
 * transaction over UDP and over a reliable transport, with the RFC 3261
 * defaults, with T1/T2 changed and with the resends capped. */
#include "config.h"
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "tests/unit/runner.h"
#include "sip/txn.h"

#define MAXF 64

/* A fake clock and what fired on it. */
struct clk {
	uint64_t now;              /* ms                                   */
	uint64_t due;              /* when the armed timer fires; 0 none   */
	uint64_t at[MAXF];
	enum txn_act act[MAXF];
	unsigned n;
};

/* The owner's timer: arm for d ms from now (or cancel, or keep). */
static void arm(struct clk *k, uint32_t d)
{
	if (d == TXN_KEEP)
		return;
	k->due = d == TXN_NEVER ? 0 : k->now + d + 1;  /* +1: 0 is "none" */
}

/* Fire what is armed up to time `until` (UINT64_MAX: until nothing is). */
static void run(struct clk *k, struct txn *t, const struct txn_conf *c, uint64_t until)
{
	while (k->due && k->due - 1 <= until) {
		uint32_t next;

		ck_assert_uint_lt(k->n, MAXF);
		k->now = k->due - 1;
		k->at[k->n] = k->now;
		k->act[k->n++] = txn_fire(t, c, &next);
		arm(k, next);
	}
	if (until != UINT64_MAX)
		k->now = until;
}

/* The fire times of act, in order, against want[0..n). */
static void expect(const struct clk *k, enum txn_act act, const uint64_t *want, unsigned n)
{
	unsigned i, j = 0;

	for (i = 0; i < k->n; i++) {
		if (k->act[i] != act)
			continue;
		ck_assert_msg(j < n, "act %d fired more than %u times (at %llu)", act, n,
			      (unsigned long long)k->at[i]);
		ck_assert_msg(k->at[i] == want[j], "act %d #%u at %llu, want %llu", act, j,
			      (unsigned long long)k->at[i], (unsigned long long)want[j]);
		j++;
	}
	ck_assert_msg(j == n, "act %d fired %u times, want %u", act, j, n);
}

#define EXPECT(k, act, ...) do { \
	static const uint64_t w_[] = { __VA_ARGS__ }; \
	expect(k, act, w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)
#define NONE_OF(k, act) expect(k, act, NULL, 0)

static const struct txn_conf dflt;  /* zeroed: the RFC 3261 values */

START_TEST(ict_udp_a_doubles_b_at_64t1)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_ICT, 0));
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500, 3500, 7500, 15500, 31500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
	ck_assert_uint_eq(t.sent, 6);
	ck_assert_int_eq(t.state, TXN_TERMINATED);
}
END_TEST

START_TEST(ict_reliable_b_only)
{
	struct clk k = {0};
	struct txn t;

	ck_assert_uint_eq(txn_begin(&t, &dflt, TXN_ICT, 1), 32000);
	arm(&k, 32000);
	run(&k, &t, &dflt, UINT64_MAX);
	NONE_OF(&k, TXN_ACT_RESEND);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
}
END_TEST

START_TEST(ict_1xx_stops_a_and_b_then_d)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_ICT, 0));
	run(&k, &t, &dflt, 2000);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_1XX), TXN_NEVER);
	arm(&k, TXN_NEVER);
	run(&k, &t, &dflt, 60000);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500);
	NONE_OF(&k, TXN_ACT_TIMEOUT);
	/* a 486 at 60 s: timer D, > 32 s, then the end */
	arm(&k, txn_event(&t, &dflt, TXN_EV_FINAL));
	ck_assert_int_eq(t.state, TXN_COMPLETED);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), TXN_KEEP);  /* repeated */
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_END, 92000);
	ck_assert_int_eq(t.state, TXN_TERMINATED);
}
END_TEST

START_TEST(ict_d_zero_reliable_and_2xx_ends)
{
	struct txn_conf slow = { .t1_ms = 1000 };
	struct txn t;

	txn_begin(&t, &dflt, TXN_ICT, 1);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), 0);
	txn_begin(&t, &dflt, TXN_ICT, 0);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_2XX), TXN_NEVER);
	ck_assert_int_eq(t.state, TXN_TERMINATED);
	/* D is at least 32 s, 64*T1 when that is longer */
	txn_begin(&t, &slow, TXN_ICT, 0);
	ck_assert_uint_eq(txn_event(&t, &slow, TXN_EV_FINAL), 64000);
}
END_TEST

START_TEST(nict_udp_e_capped_at_t2_f_at_64t1)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_NICT, 0));
	run(&k, &t, &dflt, UINT64_MAX);
	/* waits 500, 1000, 2000, 4000, 4000, ... */
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
	       27500, 31500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
}
END_TEST

START_TEST(nict_1xx_resends_at_t2_then_k)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_NICT, 0));
	run(&k, &t, &dflt, 600);
	/* the armed E (1500) fires as it is, then every T2 */
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_1XX), TXN_KEEP);
	ck_assert_int_eq(t.state, TXN_PROCEEDING);
	run(&k, &t, &dflt, 10000);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500, 5500, 9500);
	arm(&k, txn_event(&t, &dflt, TXN_EV_2XX));
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_END, 15000);  /* K: T4 */
	NONE_OF(&k, TXN_ACT_TIMEOUT);
}
END_TEST

START_TEST(nict_1xx_keeps_f_from_the_first_send)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_NICT, 0));
	run(&k, &t, &dflt, 100);
	txn_event(&t, &dflt, TXN_EV_1XX);
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 4500, 8500, 12500, 16500, 20500, 24500, 28500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
}
END_TEST

START_TEST(nict_reliable_f_only_k_zero)
{
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &dflt, TXN_NICT, 1));
	run(&k, &t, &dflt, UINT64_MAX);
	NONE_OF(&k, TXN_ACT_RESEND);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
	txn_begin(&t, &dflt, TXN_NICT, 1);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), 0);
	txn_begin(&t, &dflt, TXN_NICT, 0);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), 5000);
}
END_TEST

START_TEST(ist_udp_g_capped_at_t2_h_at_64t1)
{
	struct clk k = {0};
	struct txn t;

	ck_assert_uint_eq(txn_begin(&t, &dflt, TXN_IST, 0), TXN_NEVER);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_1XX), TXN_KEEP);
	k.now = 1000;  /* the final response goes at 1 s */
	arm(&k, txn_event(&t, &dflt, TXN_EV_FINAL));
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 1500, 2500, 4500, 8500, 12500, 16500, 20500, 24500,
	       28500, 32500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 33000);  /* H: no ACK */
}
END_TEST

START_TEST(ist_ack_stops_g_then_i)
{
	struct clk k = {0};
	struct txn t;

	txn_begin(&t, &dflt, TXN_IST, 0);
	arm(&k, txn_event(&t, &dflt, TXN_EV_2XX));
	run(&k, &t, &dflt, 2000);
	arm(&k, txn_event(&t, &dflt, TXN_EV_ACK));
	ck_assert_int_eq(t.state, TXN_CONFIRMED);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_ACK), TXN_KEEP);  /* repeated */
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500);
	EXPECT(&k, TXN_ACT_END, 7000);  /* I: T4 */
	NONE_OF(&k, TXN_ACT_TIMEOUT);
}
END_TEST

START_TEST(ist_reliable_h_only_i_zero)
{
	struct clk k = {0};
	struct txn t;

	txn_begin(&t, &dflt, TXN_IST, 1);
	arm(&k, txn_event(&t, &dflt, TXN_EV_FINAL));
	run(&k, &t, &dflt, UINT64_MAX);
	NONE_OF(&k, TXN_ACT_RESEND);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
	txn_begin(&t, &dflt, TXN_IST, 1);
	txn_event(&t, &dflt, TXN_EV_FINAL);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_ACK), 0);
}
END_TEST

START_TEST(nist_j_64t1_udp_zero_reliable)
{
	struct clk k = {0};
	struct txn t;

	ck_assert_uint_eq(txn_begin(&t, &dflt, TXN_NIST, 0), TXN_NEVER);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_1XX), TXN_KEEP);
	k.now = 300;
	arm(&k, txn_event(&t, &dflt, TXN_EV_2XX));
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), TXN_KEEP);
	run(&k, &t, &dflt, UINT64_MAX);
	EXPECT(&k, TXN_ACT_END, 32300);
	NONE_OF(&k, TXN_ACT_RESEND);
	txn_begin(&t, &dflt, TXN_NIST, 1);
	ck_assert_uint_eq(txn_event(&t, &dflt, TXN_EV_FINAL), 0);
}
END_TEST

START_TEST(caps_end_a_request_early_not_a_response)
{
	struct txn_conf c = { .max_inv_rtx = 2, .max_noninv_rtx = 3 };
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &c, TXN_ICT, 0));
	run(&k, &t, &c, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 3500);

	k = (struct clk){0};
	arm(&k, txn_begin(&t, &c, TXN_NICT, 0));
	run(&k, &t, &c, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500, 3500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 7500);

	/* a response stops resending but waits for its ACK until H */
	k = (struct clk){0};
	txn_begin(&t, &c, TXN_IST, 0);
	arm(&k, txn_event(&t, &c, TXN_EV_FINAL));
	run(&k, &t, &c, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 500, 1500);
	EXPECT(&k, TXN_ACT_NONE, 3500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 32000);
}
END_TEST

START_TEST(t1_t2_given_per_run)
{
	struct txn_conf c = { .t1_ms = 100, .t2_ms = 1000, .t4_ms = 2000 };
	struct clk k = {0};
	struct txn t;

	arm(&k, txn_begin(&t, &c, TXN_NICT, 0));
	run(&k, &t, &c, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 100, 300, 700, 1500, 2500, 3500, 4500, 5500);
	EXPECT(&k, TXN_ACT_TIMEOUT, 6400);

	k = (struct clk){0};
	arm(&k, txn_begin(&t, &c, TXN_ICT, 0));
	run(&k, &t, &c, UINT64_MAX);
	EXPECT(&k, TXN_ACT_RESEND, 100, 300, 700, 1500, 3100, 6300);  /* A: no cap */
	EXPECT(&k, TXN_ACT_TIMEOUT, 6400);

	txn_begin(&t, &c, TXN_NICT, 0);
	ck_assert_uint_eq(txn_event(&t, &c, TXN_EV_FINAL), 2000);  /* K: T4 */
	/* D stays above 32 s whatever T1 */
	txn_begin(&t, &c, TXN_ICT, 0);
	ck_assert_uint_eq(txn_event(&t, &c, TXN_EV_FINAL), 32000);
}
END_TEST

START_TEST(timer_table)
{
	static const struct {
		enum txn_timer tm;
		uint32_t udp, rel;
	} want[] = {
		{ TXN_TA, 500, TXN_NEVER }, { TXN_TB, 32000, 32000 },
		{ TXN_TD, 32000, 0 }, { TXN_TE, 500, TXN_NEVER },
		{ TXN_TF, 32000, 32000 }, { TXN_TG, 500, TXN_NEVER },
		{ TXN_TH, 32000, 32000 }, { TXN_TI, 5000, 0 },
		{ TXN_TJ, 32000, 0 }, { TXN_TK, 5000, 0 },
	};
	unsigned i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(txn_timer_ms(&dflt, want[i].tm, 0), want[i].udp);
		ck_assert_uint_eq(txn_timer_ms(&dflt, want[i].tm, 1), want[i].rel);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("txn");
	TCase *c = tcase_create("client");
	TCase *v = tcase_create("server");
	TCase *o = tcase_create("conf");

	tcase_add_test(c, ict_udp_a_doubles_b_at_64t1);
	tcase_add_test(c, ict_reliable_b_only);
	tcase_add_test(c, ict_1xx_stops_a_and_b_then_d);
	tcase_add_test(c, ict_d_zero_reliable_and_2xx_ends);
	tcase_add_test(c, nict_udp_e_capped_at_t2_f_at_64t1);
	tcase_add_test(c, nict_1xx_resends_at_t2_then_k);
	tcase_add_test(c, nict_1xx_keeps_f_from_the_first_send);
	tcase_add_test(c, nict_reliable_f_only_k_zero);
	tcase_add_test(v, ist_udp_g_capped_at_t2_h_at_64t1);
	tcase_add_test(v, ist_ack_stops_g_then_i);
	tcase_add_test(v, ist_reliable_h_only_i_zero);
	tcase_add_test(v, nist_j_64t1_udp_zero_reliable);
	tcase_add_test(o, caps_end_a_request_early_not_a_response);
	tcase_add_test(o, t1_t2_given_per_run);
	tcase_add_test(o, timer_table);
	suite_add_tcase(s, c);
	suite_add_tcase(s, v);
	suite_add_tcase(s, o);
	return run_suite(s);
}
