/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shard: -shard K/N, one of N processes that together make one run. The
 * index may come from the environment (a Kubernetes indexed Job sets
 * JOB_COMPLETION_INDEX); the run's load options are then this shard's
 * share of the whole: see docs/design.md, "Sharded runs". */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "cli/internal.h"

#define MAX_SHARDS 100000u

/* A whole number in [0, max], all of s. */
static int whole(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* The index from $SIPBENCH_SHARD, else $JOB_COMPLETION_INDEX. */
static int index_from_env(struct eng_opts *c, const char **from, struct diag *d)
{
	const char *name = "SIPBENCH_SHARD", *v = getenv(name);

	if (!v || !*v) {
		name = "JOB_COMPLETION_INDEX";
		v = getenv(name);
	}
	if (!v || !*v)
		return diag_set(d, NULL, 0, "-shard %u: no shard index: give -shard K/%u, or set "
				"SIPBENCH_SHARD or JOB_COMPLETION_INDEX", c->shard_count,
				c->shard_count);
	if (whole(v, MAX_SHARDS, &c->shard_index))
		return diag_set(d, NULL, 0, "-shard %u: %s='%.40s' is not a shard index "
				"(0 to %u)", c->shard_count, name, v, c->shard_count - 1);
	*from = name;
	return 0;
}

/* -shard K/N, or N alone (K from the environment, at resolve). */
int cli_cb_shard(struct cli_dst *t, const char *opt, char *const *args, struct diag *d)
{
	struct eng_opts *c = t->eng;
	const char *v = args[0], *slash = strchr(v, '/');
	char k[24];
	int bad;

	if (!slash) {
		/* N alone: the index comes from the environment, at resolve */
		c->shard_index = UINT32_MAX;
		bad = whole(v, MAX_SHARDS, &c->shard_count);
	} else if ((size_t)(slash - v) < sizeof(k)) {
		snprintf(k, sizeof(k), "%.*s", (int)(slash - v), v);
		bad = whole(k, MAX_SHARDS, &c->shard_index) ||
		      whole(slash + 1, MAX_SHARDS, &c->shard_count);
	} else {
		bad = 1;
	}
	if (bad || !c->shard_count) {
		c->shard_count = 0;
		return diag_set(d, NULL, 0, "-shard: want K/N (shard K of N, K from 0 to N-1) "
				"or N (K from $SIPBENCH_SHARD or $JOB_COMPLETION_INDEX), N from 1 "
				"to %u, not '%s'", MAX_SHARDS, v);
	}
	return 0;
}

/* n split in N shares, the first n % N one larger: shard K's. */
static unsigned share(unsigned n, unsigned k, unsigned count)
{
	return n / count + (k < n % count);
}

int cli_shard_resolve(struct eng_opts *c, struct diag *d)
{
	const char *from = NULL;
	unsigned k, n = c->shard_count;

	if (!n)
		return 0;
	if (c->shard_index == UINT32_MAX && index_from_env(c, &from, d))
		return EINVAL;
	k = c->shard_index;
	if (k >= n)
		return diag_set(d, NULL, 0, "-shard: index %u%s%s is not below the shard "
				"count %u (indexes run from 0 to %u)", k, from ? " from $" : "",
				from ? from : "", n, n - 1);
	if (c->max_calls && c->max_calls < n)
		return diag_set(d, NULL, 0, "-shard %u/%u: -m %u gives some shards no call "
				"(want -m of at least %u)", k, n, c->max_calls, n);
	c->rate /= n;
	c->rate_increase /= n;
	c->rate_max /= n;
	c->max_calls = share(c->max_calls, k, n);
	if (c->limit)
		c->limit = share(c->limit, k, n) ? share(c->limit, k, n) : 1;
	if (c->users)
		c->users = share(c->users, k, n) ? share(c->users, k, n) : 1;
	return 0;
}
