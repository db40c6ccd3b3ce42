/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz: what the libFuzzer targets share (fuzz/README.md). Each target
 * defines LLVMFuzzerInitialize and LLVMFuzzerTestOneInput; clang's
 * -fsanitize=fuzzer supplies main() for `make fuzz`, replay.c supplies
 * one for the gcc build that `make check` replays the corpus with. */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "transport/tp.h"

/* Datagrams in one input are separated by this byte (ASCII RS), so one
 * input can carry a whole dialog: INVITE, ACK, BYE. */
#define FZ_SEP '\x1e'

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Move the process into a network namespace of its own with only a
 * loopback interface, so that whatever address an input names (a Via,
 * a Contact, a host name to resolve) no packet leaves the machine.
 * Returns 0, or -1 when the kernel refuses (message on stderr). */
int fz_isolate(void);
/* fz_isolate, or exit 77 (skipped) unless FUZZ_NO_ISOLATION is set. */
void fz_isolate_or_exit(void);

/* The address the fuzzed messages come from: a UDP socket on 127.0.0.1
 * that nobody reads (answers sent to it fill its buffer, then drop). */
const struct tp_addr *fz_peer(void);
int fz_peer_fd(void);

/* /dev/null, opened once: trace output goes there. */
FILE *fz_devnull(void);

/* A copy of data[0..len) in a malloc'd block (free it). Under libFuzzer
 * the block is exactly len bytes, so ASan reports any read past the
 * input; in the replay (fz_hostile_tail set) the copy is followed by
 * CR LF, "]]>", "-->" and a NUL, so that code which reads past the end
 * (stale bytes of a receive buffer) behaves visibly wrong in a plain
 * gcc build too. */
char *fz_copy(const void *data, size_t len);
extern int fz_hostile_tail;

/* Call h on each datagram of data (split at FZ_SEP), at most max of them,
 * each in a block of its own (fz_copy). Returns how many. */
typedef void (fz_dgram_h)(const char *buf, size_t len, void *arg);
unsigned fz_each(const uint8_t *data, size_t size, unsigned max, fz_dgram_h *h, void *arg);

/* buf with each key replaced by value, in a block of its own (fz_copy;
 * *len updated), or NULL when buf holds no key. */
char *fz_subst(const char *buf, size_t *len, const char *key, const char *value);

/* What the last input did, one line (for fuzz/regress/NAME.expect),
 * written by each target into fz_outcome. */
extern char fz_outcome[512];

/* A broken invariant: print it and abort (a finding). */
void fz_fail(const char *what) __attribute__((noreturn));

#endif
