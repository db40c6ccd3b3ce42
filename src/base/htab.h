/* SPDX-License-Identifier: GPL-2.0-or-later */
/* htab: an intrusive chained hash table keyed by a 64-bit hash. The
 * owner embeds struct htab_node and compares its own key material when
 * walking a chain; nothing is allocated per entry. */
#ifndef SB_HTAB_H
#define SB_HTAB_H

#include <stdint.h>

struct htab_node {
	struct htab_node *next;
	uint64_t key;
	int linked;
};

struct htab {
	struct htab_node **b;
	unsigned size, count;     /* size is 0 or a power of two */
};

/* Link n under key (grows the table as needed). 0 or ENOMEM. */
int htab_add(struct htab *h, struct htab_node *n, uint64_t key);
/* Unlink n if linked. */
void htab_del(struct htab *h, struct htab_node *n);
/* The first node of key's chain (walk ->next, checking ->key). */
struct htab_node *htab_chain(const struct htab *h, uint64_t key);
void htab_free(struct htab *h);

#endif
