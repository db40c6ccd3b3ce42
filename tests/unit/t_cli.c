/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_cli: the option table parses straight into the structs that use the
 * values: each kind lands in its row's field of struct eng_opts or
 * struct main_opts, the defaults are the documented ones, the derived
 * fields (grace_given, unpaced) follow what was given, -set and -key
 * fill the loader's and the engine's arrays alike, a SIPp option without
 * effect takes its argument, and a bad value leaves nothing allocated. */
#include "config.h"
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "tests/unit/runner.h"
#include "cli/opts.h"
#include "transport/tp.h"

struct fx {
	struct eng_opts o;
	struct main_opts m;
	struct diag d;
};

/* Parse the NULL-terminated arguments after "sipbench". */
static int parse(struct fx *f, ...)
{
	char *argv[64] = {"sipbench"};
	int argc = 1;
	va_list ap;
	char *a;

	memset(f, 0, sizeof(*f));
	va_start(ap, f);
	while ((a = va_arg(ap, char *)) && argc < 63)
		argv[argc++] = a;
	va_end(ap);
	return cli_parse(&f->o, &f->m, argc, argv, &f->d);
}

START_TEST(defaults_are_the_documented_ones)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, NULL), 0);
	ck_assert_double_eq(f.o.rate, 10);
	ck_assert_uint_eq(f.o.rate_period_ms, 1000);
	ck_assert_str_eq(f.o.local_ip, "127.0.0.1");
	ck_assert_str_eq(f.o.service, "service");
	ck_assert_uint_eq(f.o.media_port, 6000);
	ck_assert_double_lt(f.o.max_fail_rate, 0);
	ck_assert_int_eq(f.o.proto, TP_UDP);
	ck_assert_int_eq(f.o.per_call_socket, 0);
	ck_assert_uint_eq(f.o.reconnect_sleep_ms, 1000);
	ck_assert_int_eq(f.o.reconnect_close, 1);
	ck_assert_uint_eq(f.o.behaviors, BEH_ALL);
	ck_assert_uint_eq(f.o.stat_period_ms, 60000);
	ck_assert_uint_eq(f.o.batch_us, 1000);
	ck_assert_uint_eq(f.o.grace_ms, 5000);
	ck_assert_uint_eq(f.o.rtt_freq, 200);
	ck_assert_int_eq(f.m.error_overwrite, 1);
	ck_assert_int_eq(f.o.grace_given, 0);
	ck_assert_ptr_null(f.o.remote);
	ck_assert_ptr_null(f.m.scenario_file);
	cli_free(&f.o, &f.m);
}
END_TEST

START_TEST(each_kind_lands_in_its_field)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, "-sf", "x.xml", "-au", "alice", "-tls_sni", "pbx.example",
			       "-tls_ca", "ca.pem", "-l", "7", "-r", "2.5", "-rp", "2s",
			       "-timeout", "3", "-t", "wsn", "-timer_resol", "4",
			       "-reconnect_close", "false", "-nd", "-json", "r.json", "-trace_msg",
			       "-fd", "2", "-aa", "--serve", "-grace", "0", "-max_p99", "1=200ms",
			       "-error_overwrite", "false", "-trace_counts", "-log_file", "l.log",
			       "host:5070", NULL), 0);
	ck_assert_str_eq(f.m.scenario_file, "x.xml");             /* STR, main */
	ck_assert_str_eq(f.m.scn.auth_user, "alice");             /* the loader's */
	ck_assert_str_eq(f.o.tls_name, "pbx.example");            /* STR, engine */
	ck_assert_str_eq(f.m.tls_ca, "ca.pem");
	ck_assert_uint_eq(f.o.limit, 7);                          /* UINT */
	ck_assert_double_eq(f.o.rate, 2.5);                       /* DOUBLE */
	ck_assert_uint_eq(f.o.rate_period_ms, 2000);              /* MS, unit s */
	ck_assert_uint_eq(f.o.timeout_ms, 3000);                  /* SEC */
	ck_assert_int_eq(f.o.proto, TP_WS);                       /* CB: two fields */
	ck_assert_int_eq(f.o.per_call_socket, 1);
	ck_assert_uint_eq(f.o.batch_us, 4000);                    /* CB: ms -> us */
	ck_assert_int_eq(f.o.reconnect_close, 0);                 /* KW */
	ck_assert_uint_eq(f.o.behaviors, 0);                      /* CB flag */
	ck_assert_str_eq(f.o.json_path, "r.json");
	ck_assert_int_eq(f.m.trace_msg, 1);                       /* FLAG, main */
	ck_assert_int_eq(f.m.error_overwrite, 0);                 /* KW, main */
	ck_assert_int_eq(f.m.trace_counts, 1);
	ck_assert_str_eq(f.m.log_file, "l.log");
	ck_assert_int_eq(f.o.auto_answer, 1);                     /* FLAG, engine */
	ck_assert_int_eq(f.m.serve, 1);
	ck_assert_uint_eq(f.o.stat_period_ms, 2000);
	ck_assert_uint_eq(f.o.grace_ms, 0);
	ck_assert_int_eq(f.o.grace_given, 1);                     /* given, even 0 */
	ck_assert_uint_eq(f.o.np99, 1);                           /* repeatable */
	ck_assert_ptr_eq(f.o.p99_ms, f.m.p99_ms);
	ck_assert_uint_eq(f.o.p99_ms[0], 200);
	ck_assert_str_eq(f.o.p99_names[0], "1");
	ck_assert_str_eq(f.o.remote, "host:5070");                /* the target */
	cli_free(&f.o, &f.m);
}
END_TEST

START_TEST(users_without_r_is_unpaced)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, "-users", "5", NULL), 0);
	ck_assert_int_eq(f.o.unpaced, 1);
	cli_free(&f.o, &f.m);
	ck_assert_int_eq(parse(&f, "-users", "5", "-r", "10", NULL), 0);
	ck_assert_int_eq(f.o.unpaced, 0);
	cli_free(&f.o, &f.m);
}
END_TEST

START_TEST(set_and_key_fill_loader_and_engine)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, "-set", "a", "1", "-key", "k", "v", "-set", "b", "2", NULL), 0);
	ck_assert_uint_eq(f.m.scn.nset, 2);
	ck_assert_uint_eq(f.o.nset, 2);
	ck_assert_ptr_eq(f.o.set_names, f.m.scn.set_names);
	ck_assert_ptr_eq(f.o.set_values, f.m.scn.set_values);
	ck_assert_str_eq(f.m.scn.set_names[1], "b");
	ck_assert_str_eq(f.o.set_values[1], "2");
	ck_assert_uint_eq(f.m.scn.nkey, 1);
	ck_assert_str_eq(f.m.scn.key_names[0], "k");
	ck_assert_str_eq(f.o.key_values[0], "v");
	cli_free(&f.o, &f.m);
	ck_assert_ptr_null(f.o.set_names);
	ck_assert_ptr_null(f.o.key_values);
}
END_TEST

START_TEST(sipp_option_without_effect_takes_its_argument)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, "-rtp_threadtasks", "4", "-watchdog_interval", "400",
			       "-rtp_threadtasks", "2", "h", NULL), 0);
	ck_assert_str_eq(f.o.remote, "h");
	cli_free(&f.o, &f.m);
}
END_TEST

START_TEST(bad_value_fails_and_frees)
{
	struct fx f;

	ck_assert_int_eq(parse(&f, "-set", "a", "1", "-key", "k", "v", "-mp", "x", NULL), EINVAL);
	ck_assert_str_eq(f.d.msg, "-mp: not a whole number: 'x'");
	ck_assert_ptr_null(f.m.scn.set_names);
	ck_assert_ptr_null(f.o.key_values);
	ck_assert_int_eq(parse(&f, "-reconnect_close", "yes", NULL), EINVAL);
	ck_assert_str_eq(f.d.msg, "-reconnect_close: 'yes' (expected true or false)");
	ck_assert_int_eq(parse(&f, "-key", "k", NULL), EINVAL);
	ck_assert_str_eq(f.d.msg, "-key needs NAME VALUE");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("table");

	tcase_add_test(t, defaults_are_the_documented_ones);
	tcase_add_test(t, each_kind_lands_in_its_field);
	tcase_add_test(t, users_without_r_is_unpaced);
	tcase_add_test(t, set_and_key_fill_loader_and_engine);
	tcase_add_test(t, sipp_option_without_effect_takes_its_argument);
	tcase_add_test(t, bad_value_fails_and_frees);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
