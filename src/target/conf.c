/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf: the embedded target's small configuration file. One directive a
 * line, words separated by blanks, '#' starts a comment:
 *   realm NAME                  password PASS
 *   user NAME PASS              users-only
 *   forward-busy USER TO        forward-noanswer USER TO
 *   ring-timeout MS             no-auth
 *   location USER URI           (a permanent registration)
 *   local-only                  (forward to loopback addresses only)    */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "target/target.h"

#define MAX_WORDS 4

static int grow(void **arr, unsigned n, size_t size)
{
	void *p = realloc(*arr, (n + 1) * size);

	if (!p)
		return ENOMEM;
	*arr = p;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int add_user(struct tgt_user **arr, unsigned *n, char **w)
{
	struct tgt_user *u;

	if (grow((void **)arr, *n, sizeof(**arr)))
		return ENOMEM;
	u = &(*arr)[*n];
	u->name = strdup(w[1]);
	u->pass = strdup(w[2]);
	if (!u->name || !u->pass) {
		free(u->name);
		free(u->pass);
		return ENOMEM;
	}
	(*n)++;
	return 0;
}

static int add_fwd(struct tgt_conf *c, char **w, int on_busy)
{
	struct tgt_fwd *f;

	if (grow((void **)&c->fwd, c->nfwd, sizeof(*c->fwd)))
		return ENOMEM;
	f = &c->fwd[c->nfwd];
	f->user = strdup(w[1]);
	f->to = strdup(w[2]);
	f->on_busy = on_busy;
	if (!f->user || !f->to) {
		free(f->user);
		free(f->to);
		return ENOMEM;
	}
	c->nfwd++;
	return 0;
}

/* One directive: its words, their count. */
static int directive(struct tgt_conf *c, char **w, int n, const char *path, int line,
		     struct diag *d)
{
	static const struct {
		const char *name;
		int nargs;
	} known[] = {
		{"realm", 1}, {"password", 1}, {"user", 2}, {"users-only", 0},
		{"forward-busy", 2}, {"forward-noanswer", 2}, {"ring-timeout", 1},
		{"no-auth", 0}, {"location", 2}, {"local-only", 0},
	};
	unsigned i;
	char *end;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(w[0], known[i].name))
			break;
	if (i == sizeof(known) / sizeof(known[0]))
		return diag_set(d, path, line, "unknown directive '%s' (known: realm, "
				"password, user, users-only, forward-busy, forward-noanswer, "
				"ring-timeout, no-auth, location, local-only)", w[0]);
	if (n - 1 != known[i].nargs)
		return diag_set(d, path, line, "'%s' takes %d argument%s, not %d", w[0],
				known[i].nargs, known[i].nargs == 1 ? "" : "s", n - 1);
	switch (i) {
	case 0:
		return set_str(&c->realm, w[1]);
	case 1:
		return set_str(&c->password, w[1]);
	case 2:
		return add_user(&c->users, &c->nusers, w);
	case 3:
		c->users_only = 1;
		return 0;
	case 4:
	case 5:
		return add_fwd(c, w, i == 4);
	case 6:
		errno = 0;
		c->ring_ms = strtoull(w[1], &end, 10);
		if (errno || *end || !c->ring_ms)
			return diag_set(d, path, line, "ring-timeout: not a number of "
					"milliseconds: '%s'", w[1]);
		return 0;
	case 7:
		c->no_auth = 1;
		return 0;
	case 9:
		c->local_only = 1;
		return 0;
	default:
		if (strncmp(w[2], "sip:", 4))
			return diag_set(d, path, line, "location: not a sip: URI: '%s'", w[2]);
		return add_user(&c->statics, &c->nstatics, w);
	}
}

int tgt_conf_load(struct tgt_conf *c, const char *path, struct diag *d)
{
	char line[1024];
	struct stat sb;
	FILE *f;
	int lineno = 0, err = 0;

	memset(c, 0, sizeof(*c));
	c->ring_ms = 4000;
	if (set_str(&c->realm, "sipbench") || set_str(&c->password, "password"))
		return ENOMEM;
	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return diag_set(d, path, 0, "cannot read the target configuration: %s",
				strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return diag_set(d, path, 0, "is a directory, not a target configuration");
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *w[MAX_WORDS + 1], *save = NULL, *tok, *hash = strchr(line, '#');
		int n = 0;

		lineno++;
		if (hash)
			*hash = '\0';
		for (tok = strtok_r(line, " \t\r\n", &save); tok && n <= MAX_WORDS;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = tok;
		if (n > MAX_WORDS)
			err = diag_set(d, path, lineno, "too many words");
		else if (n)
			err = directive(c, w, n, path, lineno, d);
	}
	fclose(f);
	if (err == ENOMEM)
		diag_set(d, path, lineno, "out of memory");
	return err;
}

void tgt_conf_free(struct tgt_conf *c)
{
	unsigned i;

	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].pass);
	}
	for (i = 0; i < c->nstatics; i++) {
		free(c->statics[i].name);
		free(c->statics[i].pass);
	}
	free(c->statics);
	for (i = 0; i < c->nfwd; i++) {
		free(c->fwd[i].user);
		free(c->fwd[i].to);
	}
	free(c->users);
	free(c->fwd);
	free(c->realm);
	free(c->password);
	memset(c, 0, sizeof(*c));
}

static int same(const char *s, const char *p, size_t len)
{
	return strlen(s) == len && !memcmp(s, p, len);
}

const char *tgt_conf_password(const struct tgt_conf *c, const char *user, size_t len)
{
	unsigned i;

	for (i = 0; i < c->nusers; i++)
		if (same(c->users[i].name, user, len))
			return c->users[i].pass;
	return c->users_only ? NULL : c->password;
}

const char *tgt_conf_forward(const struct tgt_conf *c, const char *user, size_t len,
			     int on_busy)
{
	unsigned i;

	for (i = 0; i < c->nfwd; i++)
		if (c->fwd[i].on_busy == on_busy && same(c->fwd[i].user, user, len))
			return c->fwd[i].to;
	return NULL;
}
