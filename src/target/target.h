/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target: the embedded reference proxy + registrar (design.md section 5).
 * A small RFC 3261 stateful proxy on UDP, TCP, TLS, WS or WSS (one of
 * them, the run's), for tests and demos, not for
 * production: digest challenges (401 on REGISTER, 407 on a new INVITE),
 * a location table, 100 Trying, 482 on a loop, 483 at Max-Forwards 0,
 * Record-Route, relayed responses and CANCEL, forwarding on busy (486)
 * and on no answer (ring timer -> CANCEL -> new branch). It runs on the
 * caller's event loop, in the sipbench process or alone (--serve). */
#ifndef SB_TARGET_H
#define SB_TARGET_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"

struct loop;
struct target;
struct tp_tls;
struct tp_sock;

/* A forwarding rule: calls to user go to `to` on busy or no answer. */
struct tgt_fwd {
	char *user, *to;
	int on_busy;          /* else on no answer */
};

/* A user with its own password. */
struct tgt_user {
	char *name, *pass;
};

struct tgt_conf {
	char *realm;               /* digest realm (default "sipbench")       */
	char *password;            /* any user not listed (default "password") */
	struct tgt_user *users;
	unsigned nusers;
	int users_only;            /* only listed users may register/call     */
	struct tgt_fwd *fwd;
	unsigned nfwd;
	struct tgt_user *statics;  /* permanent bindings: name -> pass as URI */
	unsigned nstatics;
	uint64_t ring_ms;          /* no-answer timer (default 4000 ms)       */
	int no_auth;               /* challenge nothing                       */
	int local_only;            /* forward to loopback addresses only, and
	                              never look a name up (but "localhost") */
	/* set by the caller, not by the file */
	int proto;                 /* enum tp_proto (default UDP)             */
	struct tp_tls *tls;        /* TLS, WSS: the target's own contexts     */
};

/* Defaults, then the file (NULL: none). A bad line fills d with
 * "file:line: what" and returns EINVAL. */
int tgt_conf_load(struct tgt_conf *c, const char *path, struct diag *d);
void tgt_conf_free(struct tgt_conf *c);
/* The password of user, or NULL when users_only and it is not listed. */
const char *tgt_conf_password(const struct tgt_conf *c, const char *user, size_t len);
/* Where calls to user go on busy (on_busy) or no answer, or NULL. */
const char *tgt_conf_forward(const struct tgt_conf *c, const char *user, size_t len,
			     int on_busy);

/* Start the target on ip:port (port 0: any free port) on loop l. c must
 * outlive it. Returns 0, or an errno with d filled. */
int tgt_start(struct target **tp, struct loop *l, const char *ip, unsigned port,
	      const struct tgt_conf *c, struct diag *d);
void tgt_free(struct target *t);
unsigned tgt_port(const struct target *t);
/* Its socket (fuzz/ delivers messages to it with tp_deliver). */
struct tp_sock *tgt_sock(const struct target *t);
/* -trace_msg for the target's own traffic (NULL: off). */
void tgt_set_log(struct target *t, FILE *msg_log);
/* Its counters, as a short block of text. */
void tgt_print_stats(const struct target *t, FILE *out);

#endif
