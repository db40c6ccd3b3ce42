/* SPDX-License-Identifier: GPL-2.0-or-later */
/* htab: intrusive chained hash table; doubles when the load passes 1. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include "base/htab.h"

static int grow(struct htab *h)
{
	/* small first: a -t tn call has a table of its own (one connection) */
	unsigned n = h->size ? h->size * 2 : 8, i;
	struct htab_node **b = calloc(n, sizeof(*b));

	if (!b)
		return ENOMEM;
	for (i = 0; i < h->size; i++) {
		struct htab_node *e = h->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->key & (n - 1)];
			b[e->key & (n - 1)] = e;
		}
	}
	free(h->b);
	h->b = b;
	h->size = n;
	return 0;
}

int htab_add(struct htab *h, struct htab_node *n, uint64_t key)
{
	unsigned i;

	if (h->count >= h->size && grow(h))
		return ENOMEM;
	n->key = key;
	i = key & (h->size - 1);
	n->next = h->b[i];
	h->b[i] = n;
	n->linked = 1;
	h->count++;
	return 0;
}

void htab_del(struct htab *h, struct htab_node *n)
{
	struct htab_node **pp;

	if (!n->linked)
		return;
	for (pp = &h->b[n->key & (h->size - 1)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->linked = 0;
			h->count--;
			return;
		}
	}
}

struct htab_node *htab_chain(const struct htab *h, uint64_t key)
{
	return h->size ? h->b[key & (h->size - 1)] : NULL;
}

void htab_free(struct htab *h)
{
	free(h->b);
	h->b = NULL;
	h->size = h->count = 0;
}
