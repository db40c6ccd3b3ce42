/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf: a bounded, growable byte buffer (curl's dynbuf idea). Appends past
 * the bound fail with ENOSPC; on ENOMEM the contents are freed. The data is
 * always NUL-terminated after the last byte. */
#ifndef SB_BUF_H
#define SB_BUF_H

#include <stddef.h>

struct buf {
	char *data;    /* owned; NULL until the first append            */
	size_t len;    /* bytes used, excluding the trailing NUL        */
	size_t cap;    /* bytes allocated                               */
	size_t max;    /* hard bound on len                             */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);         /* len = 0, keeps memory */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Detach the data (caller frees); the buf is left empty. */
char *buf_take(struct buf *b);

#endif
