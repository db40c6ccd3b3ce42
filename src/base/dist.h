/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dist: the random distributions of SIPp's <pause distribution=> and
 * <sample distribution=> (fixed, uniform, normal, lognormal, exponential,
 * weibull, pareto, gpareto, gamma, negbin), with SIPp's parameter names,
 * sampled from random(). Values are whatever unit the caller gives
 * (milliseconds for a pause). */
#ifndef SB_DIST_H
#define SB_DIST_H

enum dist_kind {
	DIST_FIXED, DIST_UNIFORM, DIST_NORMAL, DIST_LOGNORMAL, DIST_EXPONENTIAL,
	DIST_WEIBULL, DIST_PARETO, DIST_GPARETO, DIST_GAMMA, DIST_NEGBIN,
};

struct dist {
	enum dist_kind kind;
	double p[3];  /* the parameters, in the order dist_params() names them */
};

/* The kind named name ("normal"...); -1 when there is none. */
int dist_kind_of(const char *name);

/* The parameter names of kind k, NULL-terminated, in p[]'s order:
 * fixed value; uniform min max; normal and lognormal mean stdev;
 * exponential mean; weibull lambda k; pareto k x_m; gpareto shape scale
 * location; gamma k theta; negbin n p. */
const char *const *dist_params(enum dist_kind k);

/* NULL when d's parameters can be sampled, else what is wrong with them
 * (a negative deviation, a p outside (0, 1]...). */
const char *dist_check(const struct dist *d);

/* One value of d. */
double dist_sample(const struct dist *d);

#endif
