/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registrar: the target's location table (REGISTER, static bindings from
 * -target_conf, the sweep that frees expired bindings) and its digest
 * challenges, with nonces that verify without a table. Routing a request
 * to a binding is fwd.c's. The clock is passed in (now_ms, the loop's)
 * so a unit test can move it. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sip/auth.h"
#include "sip/via.h"
#include "target/internal.h"

/* ---- location --------------------------------------------------------------- */

/* user's binding, live or expired (an expired one is reused in place). */
static struct ploc *loc_lookup(struct target *tg, const char *user, size_t len)
{
	uint64_t k = tgt_key(user, len);
	struct htab_node *n;

	for (n = htab_chain(&tg->by_user, k); n; n = n->next) {
		struct ploc *l = LST_ENTRY(n, struct ploc, node);

		if (n->key == k && strlen(l->user) == len && !memcmp(l->user, user, len))
			return l;
	}
	return NULL;
}

struct ploc *tgt_loc_find(struct target *tg, const char *user, size_t len, uint64_t now_ms)
{
	struct ploc *l = loc_lookup(tg, user, len);

	return l && l->expires_ms > now_ms ? l : NULL;
}

unsigned tgt_loc_sweep(struct target *tg, uint64_t now_ms)
{
	unsigned i, freed = 0;

	for (i = 0; i < tg->by_user.size; i++) {
		struct htab_node *n = tg->by_user.b[i], *next;

		for (; n; n = next) {
			struct ploc *l = LST_ENTRY(n, struct ploc, node);

			next = n->next;
			if (l->expires_ms <= now_ms) {
				htab_del(&tg->by_user, &l->node);
				free(l);
				tg->n.expired++;
				freed++;
			}
		}
	}
	return freed;
}

/* Expired bindings are freed every TGT_SWEEP_MS: per-call users (a1, a2,
 * ...) would otherwise keep one each for ever. Static ones never expire. */
static void on_sweep(void *arg)
{
	struct target *tg = arg;

	tgt_loc_sweep(tg, loop_now_ms(tg->loop));
	tmr_start(tg->loop, &tg->sweep, TGT_SWEEP_MS, on_sweep, tg);
}

void tgt_loc_start(struct target *tg)
{
	tmr_start(tg->loop, &tg->sweep, TGT_SWEEP_MS, on_sweep, tg);
}

int tgt_loc_add_static(struct target *tg, const char *user, const char *uri, struct diag *d)
{
	struct ploc *l = calloc(1, sizeof(*l));
	char host[128];
	unsigned port;

	if (!l)
		return ENOMEM;
	snprintf(l->user, sizeof(l->user), "%s", user);
	snprintf(l->contact, sizeof(l->contact), "%s", uri);
	l->expires_ms = UINT64_MAX;
	if (tgt_uri_hostport(uri, strlen(uri), host, sizeof(host), &port) ||
	    tgt_addr_of(tg, &l->addr, host, port)) {
		free(l);
		return diag_set(d, NULL, 0, "location %s: cannot use the address of '%s'",
				user, uri);
	}
	if (htab_add(&tg->by_user, &l->node, tgt_key(l->user, strlen(l->user)))) {
		free(l);
		return ENOMEM;
	}
	return 0;
}

void tgt_loc_clear(struct target *tg)
{
	unsigned i;

	tmr_cancel(&tg->sweep);
	for (i = 0; i < tg->by_user.size; i++) {
		while (tg->by_user.b[i]) {
			struct ploc *l = LST_ENTRY(tg->by_user.b[i], struct ploc, node);

			htab_del(&tg->by_user, &l->node);
			free(l);
		}
	}
	htab_free(&tg->by_user);
}

/* ---- digest ------------------------------------------------------------------- */

/* A fresh nonce: the time and a keyed hash of it, so any nonce the
 * target gave out in the last TGT_NONCE_LIFE_S verifies without a table. */
static void make_nonce(const struct target *tg, time_t now, char *out, size_t n)
{
	char in[64];
	int k = snprintf(in, sizeof(in), "%lx:%x", (unsigned long)now & 0xffffffffUL, tg->token);

	snprintf(out, n, "%08lx%016llx", (unsigned long)now & 0xffffffffUL,
		 (unsigned long long)msg_hash(in, (size_t)k));
}

static int nonce_ok(const struct target *tg, const char *nonce)
{
	char want[64], hex[9], *end;
	long ts;
	time_t now = time(NULL);

	if (strlen(nonce) != 24)
		return 0;
	memcpy(hex, nonce, 8);
	hex[8] = '\0';
	ts = strtol(hex, &end, 16);
	if (*end || ts > (long)now || (long)now - ts > TGT_NONCE_LIFE_S)
		return 0;
	make_nonce(tg, (time_t)ts, want, sizeof(want));
	return !strcmp(want, nonce);
}

int tgt_authorized(struct target *tg, const struct msg *m, struct msg_pl user)
{
	char name[128], nonce[256];
	const char *pass;

	if (tg->conf->no_auth)
		return 1;
	if (!auth_cred_param(m, "username", name, sizeof(name)) ||
	    !auth_cred_param(m, "nonce", nonce, sizeof(nonce)) || !nonce_ok(tg, nonce))
		return 0;
	if (strlen(name) != user.len || memcmp(name, user.p, user.len))
		return 0;
	pass = tgt_conf_password(tg->conf, name, strlen(name));
	return pass && auth_verify(m, name, pass);
}

void tgt_challenge(struct target *tg, const struct msg *m, const struct tp_addr *from, int proxy)
{
	char nonce[64], hdr[320];

	make_nonce(tg, time(NULL), nonce, sizeof(nonce));
	snprintf(hdr, sizeof(hdr), "%s: Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", "
		 "algorithm=MD5\r\n", proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
		 tg->conf->realm, nonce);
	tg->n.challenged++;
	tgt_reply(tg, m, from, proxy ? 407 : 401, proxy ? "Proxy Authentication Required" :
		  "Unauthorized", hdr);
}

/* ---- REGISTER ------------------------------------------------------------------ */

static long expires_of(const struct msg *m, struct msg_pl contact)
{
	const char *e = contact.len ? memmem(contact.p, contact.len, "expires=", 8) : NULL;
	struct msg_pl h;

	if (e)
		return strtol(e + 8, NULL, 10);
	h = msg_hdr_first(m, "Expires", 7);
	return h.len ? strtol(h.p, NULL, 10) : 3600;
}

/* A REGISTER's reply when it queries or removes rather than binds, or
 * 0 when it binds. l: user's live binding, or NULL. */
static int query_or_remove(struct target *tg, const struct msg *m, const struct tp_addr *from,
			   struct ploc *l, long exp, struct msg_pl contact)
{
	char extra[400];

	if (!contact.len) {           /* a query: the bindings */
		extra[0] = '\0';
		if (l)
			snprintf(extra, sizeof(extra), "Contact: <%s>;expires=%llu\r\n", l->contact,
				 (unsigned long long)(l->expires_ms - loop_now_ms(tg->loop)) / 1000);
		tgt_reply(tg, m, from, 200, "OK", extra);
		return 1;
	}
	if (exp <= 0 || (contact.len == 1 && contact.p[0] == '*')) {
		if (l)
			l->expires_ms = 0;
		tgt_reply(tg, m, from, 200, "OK", NULL);
		return 1;
	}
	return 0;
}

/* Bind user to the Contact URI uri (host:port parsed) for exp seconds. */
static void bind_user(struct target *tg, const struct msg *m, const struct tp_addr *from,
		      struct msg_pl user, struct msg_pl uri, const char *host, unsigned port,
		      long exp)
{
	struct ploc *l = loc_lookup(tg, user.p, user.len);
	struct tp_addr via_addr;
	char extra[400];

	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l || htab_add(&tg->by_user, &l->node, tgt_key(user.p, user.len))) {
			free(l);
			tgt_reply(tg, m, from, 500, "Out Of Memory", NULL);
			return;
		}
		memcpy(l->user, user.p, user.len);
	}
	snprintf(l->contact, sizeof(l->contact), "%.*s", (int)uri.len, uri.p);
	/* A UA whose Via asked for rport, or was not where it said (we added
	 * received=), is reached where its REGISTER came from: a NAT's
	 * public side, as Kamailio's received_avp does. */
	if (msg_via_public(m, &via_addr) == 0 || tgt_addr_of(tg, &l->addr, host, port))
		l->addr = *from;
	l->expires_ms = loop_now_ms(tg->loop) + (uint64_t)exp * 1000;
	tg->n.registered++;
	snprintf(extra, sizeof(extra), "Contact: <%s>;expires=%ld\r\n", l->contact, exp);
	tgt_reply(tg, m, from, 200, "OK", extra);
}

void tgt_register(struct target *tg, const struct msg *m, const struct tp_addr *from)
{
	struct msg_pl to = msg_hdr_first(m, "To", 2);
	struct msg_pl user = tgt_uri_user(to.p, to.len), contact = msg_hdr_first(m, "Contact", 7);
	struct msg_pl uri = msg_contact_uri(m);
	struct ploc *l;
	char host[128];
	unsigned port;
	long exp;

	if (!user.len || user.len >= sizeof(l->user)) {
		tgt_reply(tg, m, from, 400, "Bad To User", NULL);
		return;
	}
	if (!tgt_conf_password(tg->conf, user.p, user.len)) {
		tgt_reply(tg, m, from, 403, "Unknown User", NULL);
		return;
	}
	if (!tgt_authorized(tg, m, user)) {
		tgt_challenge(tg, m, from, 0);
		return;
	}
	l = tgt_loc_find(tg, user.p, user.len, loop_now_ms(tg->loop));
	exp = expires_of(m, contact);
	if (query_or_remove(tg, m, from, l, exp, contact))
		return;
	if (!uri.len || uri.len >= sizeof(l->contact) ||
	    tgt_uri_hostport(uri.p, uri.len, host, sizeof(host), &port)) {
		tgt_reply(tg, m, from, 400, "Bad Contact", NULL);
		return;
	}
	bind_user(tg, m, from, user, uri, host, port, exp);
}
