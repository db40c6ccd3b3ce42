/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner: the main() every Check unit test shares: run the suite, exit 1
 * when a test failed. */
#ifndef SB_TEST_RUNNER_H
#define SB_TEST_RUNNER_H

#include <check.h>

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
