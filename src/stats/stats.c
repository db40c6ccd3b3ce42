/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats: counters and log-linear histograms. A value v below HIST_SUB
 * has its own bucket; above, the bucket is (exponent, top 7 bits), so a
 * bucket's width is under 1/128 of its value. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "stats/stats.h"

static const char *const fail_names[FAIL_COUNT] = {
	[FAIL_UNEXPECTED] = "unexpected message",
	[FAIL_RECV_TIMEOUT] = "receive timeout",
	[FAIL_MAX_RETRANS] = "max retransmissions (no response)",
	[FAIL_REGEXP] = "regexp check failed",
	[FAIL_ACTION] = "error action",
	[FAIL_SEND] = "send failed (transport error)",
	[FAIL_AUTH] = "authentication failed",
	[FAIL_TOO_SLOW] = "too slow (max_time)",
	[FAIL_INTERNAL] = "internal error",
	[FAIL_UNREACHABLE] = "unreachable (ICMP error)",
};

const char *stat_fail_name(enum fail_reason r)
{
	return (unsigned)r < FAIL_COUNT ? fail_names[r] : "?";
}

void stat_fail_note(struct stats *s, enum fail_reason r, unsigned step, const char *what)
{
	struct stat_fail_at *f;
	unsigned i;

	if (!what)
		what = "";
	for (i = 0; i < s->nfail_at; i++) {
		f = &s->fail_at[i];
		if (f->r == r && f->step == step && !strncmp(f->what, what, sizeof(f->what) - 1)) {
			f->n++;
			return;
		}
	}
	if (s->nfail_at == STAT_FAIL_AT)
		return;
	f = &s->fail_at[s->nfail_at++];
	f->r = r;
	f->step = step;
	f->n = 1;
	snprintf(f->what, sizeof(f->what), "%s", what);
}

void stat_failed_call(struct stats *s, uint64_t number, const char *call_id,
		      enum fail_reason r, unsigned step, const char *what)
{
	struct stat_failed_call *f;

	if (s->nfailed == STAT_FAILED_CALLS)
		return;
	if (!s->failed && !(s->failed = calloc(STAT_FAILED_CALLS, sizeof(*s->failed))))
		return;
	f = &s->failed[s->nfailed++];
	f->number = number;
	snprintf(f->call_id, sizeof(f->call_id), "%s", call_id ? call_id : "-");
	f->r = r;
	f->step = step;
	snprintf(f->what, sizeof(f->what), "%s", what ? what : "");
}

static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e > HIST_MAX_EXP)
		return HIST_BUCKETS - 1;
	return HIST_SUB * (e - HIST_SUB_BITS + 1) +
	       (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

uint64_t hist_bucket_low(unsigned b, uint64_t *width)
{
	unsigned e;

	if (b < HIST_SUB) {
		*width = 1;
		return b;
	}
	e = b / HIST_SUB + HIST_SUB_BITS - 1;
	*width = 1ull << (e - HIST_SUB_BITS);
	return (1ull << e) + (uint64_t)(b % HIST_SUB) * *width;
}

int hist_add(struct hist *h, uint64_t v)
{
	if (!h->bucket) {
		h->bucket = calloc(HIST_BUCKETS, sizeof(*h->bucket));
		if (!h->bucket)
			return ENOMEM;
	}
	h->bucket[bucket_of(v)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->sumsq += (double)v * (double)v;
	if (h->rep) {
		unsigned i = 0;

		while (i < h->rep->nbound && v >= h->rep->bound[i])
			i++;
		h->rep->n[i]++;
	}
	return 0;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, width, low;
	unsigned b;

	if (!h->count || !h->bucket)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			break;
	}
	low = hist_bucket_low(b, &width);
	low += width / 2;
	if (low > h->max)
		low = h->max;
	if (low < h->min)
		low = h->min;
	return low;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned b;

	if (!src->count)
		return 0;
	if (!dst->bucket) {
		dst->bucket = calloc(HIST_BUCKETS, sizeof(*dst->bucket));
		if (!dst->bucket)
			return ENOMEM;
	}
	for (b = 0; b < HIST_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h->bucket);
	if (h->rep) {
		free(h->rep->bound);
		free(h->rep->n);
		free(h->rep);
	}
	memset(h, 0, sizeof(*h));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int hist_set_rep(struct hist *h, const int *ms, unsigned n)
{
	struct hist_rep *r;
	unsigned i;

	if (!n || h->rep)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r) {
		r->bound = calloc(n, sizeof(*r->bound));
		r->n = calloc(n + 1, sizeof(*r->n));
	}
	if (!r || !r->bound || !r->n) {
		if (r) {
			free(r->bound);
			free(r->n);
		}
		free(r);
		return ENOMEM;
	}
	for (i = 0; i < n; i++)
		r->bound[i] = ms[i] > 0 ? (uint64_t)ms[i] * 1000 : 0;
	qsort(r->bound, n, sizeof(*r->bound), cmp_u64);
	r->nbound = n;
	h->rep = r;
	return 0;
}

int stat_set_reps(struct stats *s, const int *rt_ms, unsigned nrt, const int *cl_ms,
		  unsigned ncl)
{
	unsigned i;
	int err = 0;

	for (i = 0; !err && i < s->nrtd; i++)
		err = hist_set_rep(&s->rtd[i], rt_ms, nrt);
	return err ? err : hist_set_rep(&s->call_len_ended, cl_ms, ncl);
}

int stat_init(struct stats *s, unsigned nsteps, unsigned nrtd)
{
	memset(s, 0, sizeof(*s));
	s->steps = calloc(nsteps ? nsteps : 1, sizeof(*s->steps));
	s->rtd = calloc(nrtd ? nrtd : 1, sizeof(*s->rtd));
	if (!s->steps || !s->rtd) {
		stat_free(s);
		return ENOMEM;
	}
	s->nsteps = nsteps;
	s->nrtd = nrtd;
	return 0;
}

int stat_set_gen(struct stats *s, unsigned n)
{
	s->gen = calloc(n ? n : 1, sizeof(*s->gen));
	if (!s->gen)
		return ENOMEM;
	s->ngen = n;
	return 0;
}

void stat_free(struct stats *s)
{
	unsigned i;

	if (s->rtd)
		for (i = 0; i < s->nrtd; i++)
			hist_free(&s->rtd[i]);
	hist_free(&s->call_len);
	hist_free(&s->call_len_ended);
	hist_free(&s->call_setup);
	free(s->steps);
	free(s->gen);
	free(s->rtd);
	free(s->failed);
	s->failed = NULL;
	s->steps = NULL;
	s->rtd = NULL;
}
