/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dist: SIPp's pause and sample distributions. SIPp draws them with GSL;
 * the same laws are drawn here from random() by the textbook methods
 * (inversion, Box-Muller, Marsaglia-Tsang for the gamma, a gamma-Poisson
 * mixture for the negative binomial), so a scenario's mean and spread
 * are SIPp's, not its exact sequence. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/dist.h"

static const struct {
	const char *name;
	const char *params[4];
} kinds[] = {
	[DIST_FIXED] = {"fixed", {"value"}},
	[DIST_UNIFORM] = {"uniform", {"min", "max"}},
	[DIST_NORMAL] = {"normal", {"mean", "stdev"}},
	[DIST_LOGNORMAL] = {"lognormal", {"mean", "stdev"}},
	[DIST_EXPONENTIAL] = {"exponential", {"mean"}},
	[DIST_WEIBULL] = {"weibull", {"lambda", "k"}},
	[DIST_PARETO] = {"pareto", {"k", "x_m"}},
	[DIST_GPARETO] = {"gpareto", {"shape", "scale", "location"}},
	[DIST_GAMMA] = {"gamma", {"k", "theta"}},
	[DIST_NEGBIN] = {"negbin", {"n", "p"}},
};

int dist_kind_of(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return (int)i;
	return -1;
}

const char *const *dist_params(enum dist_kind k)
{
	return kinds[k].params;
}

const char *dist_check(const struct dist *d)
{
	const double *p = d->p;

	switch (d->kind) {
	case DIST_UNIFORM:
		return p[1] < p[0] ? "max is below min" : NULL;
	case DIST_NORMAL: case DIST_LOGNORMAL:
		return p[1] < 0 ? "stdev is negative" : NULL;
	case DIST_EXPONENTIAL:
		return p[0] <= 0 ? "mean must be above 0" : NULL;
	case DIST_WEIBULL:
		return p[0] <= 0 || p[1] <= 0 ? "lambda and k must be above 0" : NULL;
	case DIST_PARETO:
		return p[0] <= 0 || p[1] <= 0 ? "k and x_m must be above 0" : NULL;
	case DIST_GPARETO:
		return p[1] <= 0 ? "scale must be above 0" : NULL;
	case DIST_GAMMA:
		return p[0] <= 0 || p[1] <= 0 ? "k and theta must be above 0" : NULL;
	case DIST_NEGBIN:
		return p[0] <= 0 ? "n must be above 0" :
		       !(p[1] > 0 && p[1] <= 1) ? "p must be in (0, 1]" : NULL;
	default:
		return NULL;
	}
}

/* uniform in (0, 1): never 0, so logarithms and powers stay finite */
static double unit(void)
{
	return ((double)random() + 1.0) / ((double)RAND_MAX + 2.0);
}

static double std_normal(void)
{
	return sqrt(-2.0 * log(unit())) * cos(2.0 * M_PI * unit());
}

/* Marsaglia and Tsang (2000); k < 1 through k + 1 and U^(1/k) */
static double std_gamma(double k)
{
	double d, c, x, v, u;

	if (k < 1)
		return std_gamma(k + 1.0) * pow(unit(), 1.0 / k);
	d = k - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			x = std_normal();
			v = 1.0 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = unit();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

/* Knuth's product method for a small mean, a rounded normal beyond */
static double poisson(double mean)
{
	double l, prod = 1.0, n = 0;

	if (mean > 500) {
		double x = floor(mean + sqrt(mean) * std_normal() + 0.5);
		return x > 0 ? x : 0;
	}
	l = exp(-mean);
	while ((prod *= unit()) > l)
		n++;
	return n;
}

double dist_sample(const struct dist *d)
{
	const double *p = d->p;

	switch (d->kind) {
	case DIST_FIXED:
		return p[0];
	case DIST_UNIFORM:
		return p[0] + (p[1] - p[0]) * unit();
	case DIST_NORMAL:
		return p[0] + p[1] * std_normal();
	case DIST_LOGNORMAL:  /* GSL's: exp of a normal (mean, stdev) */
		return exp(p[0] + p[1] * std_normal());
	case DIST_EXPONENTIAL:
		return -p[0] * log(unit());
	case DIST_WEIBULL:
		return p[0] * pow(-log(unit()), 1.0 / p[1]);
	case DIST_PARETO:
		return p[1] * pow(unit(), -1.0 / p[0]);
	case DIST_GPARETO:
		return p[0] == 0 ? p[2] - p[1] * log(unit()) :
		       p[2] + p[1] * (pow(unit(), -p[0]) - 1.0) / p[0];
	case DIST_GAMMA:
		return p[1] * std_gamma(p[0]);
	case DIST_NEGBIN:  /* failures before the n-th success, as GSL's */
		return p[1] >= 1 ? 0 : poisson(std_gamma(p[0]) * (1.0 - p[1]) / p[1]);
	}
	return 0;
}
