/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list: intrusive circular doubly linked list (no allocation). Embed a
 * struct lst_node in the owner; recover the owner with LST_ENTRY. */
#ifndef SB_LIST_H
#define SB_LIST_H

#include <stddef.h>

struct lst_node {
	struct lst_node *prev, *next;
};

#define LST_ENTRY(node, type, member) \
	((type *)((char *)(node) - offsetof(type, member)))

static inline void lst_init(struct lst_node *head)
{
	head->prev = head->next = head;
}

static inline int lst_empty(const struct lst_node *head)
{
	return head->next == head;
}

/* A node that is not linked has prev == next == NULL (zeroed memory). */
static inline int lst_linked(const struct lst_node *n)
{
	return n->next != NULL;
}

static inline void lst_append(struct lst_node *head, struct lst_node *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void lst_unlink(struct lst_node *n)
{
	if (!n->next)
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

#endif
