/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts: the option table of opts.def, the parser that stores each value
 * straight into its field (struct eng_opts or struct main_opts), and the
 * --help built from the same rows. */
#include "config.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/internal.h"
#include "transport/tp.h"

enum kind { K_FLAG, K_STR, K_UINT, K_DOUBLE, K_MS, K_SEC, K_KW, K_CB, K_IGNORE };
enum cat { CAT_SCENARIO, CAT_LOAD, CAT_NETWORK, CAT_BEHAVIOR, CAT_TRACE, CAT_LIMIT, CAT_TARGET, CAT_MISC, CAT_SIPP, CAT_N };
enum dst { DST_NONE, DST_ENG, DST_MAIN };

struct row {
	const char *name;
	enum kind kind;
	enum cat cat;
	enum dst dst;
	size_t off;                 /* of the field in the dst struct         */
	const struct cli_kws *kws;  /* K_KW                                   */
	cli_cb *cb;                 /* K_CB                                   */
	const char *meta;
	const char *help;
};

/* The rows. */
#define E(f)        .dst = DST_ENG, .off = offsetof(struct eng_opts, f)
#define M(f)        .dst = DST_MAIN, .off = offsetof(struct main_opts, f)
#define EKW(f, w)   E(f), .kws = &w
#define MKW(f, w)   M(f), .kws = &w
#define FN(fn)      .cb = fn
#define NONE        .dst = DST_NONE
static const struct row rows[] = {
#define OPT(n, k, c, field, mv, h) \
	{.name = n, .kind = K_##k, .cat = CAT_##c, field, .meta = mv, .help = h},
#include "cli/opts.def"
#undef OPT
};
#undef E
#undef M
#undef EKW
#undef MKW
#undef FN
#undef NONE

/* The same rows again, checked at build time: a field's type fits its
 * kind (offsetof alone would take any). */
#define E(f)        ((struct eng_opts *)0)->f
#define M(f)        ((struct main_opts *)0)->f
#define EKW(f, w)   E(f)
#define MKW(f, w)   M(f)
#define FN(fn)      (short)0
#define NONE        (char)0
#define FITS(x, k) _Generic((x), \
	char: (k) == K_IGNORE, \
	short: (k) == K_CB, \
	int: (k) == K_FLAG || (k) == K_KW, \
	unsigned: (k) == K_UINT, \
	double: (k) == K_DOUBLE, \
	uint64_t: (k) == K_MS || (k) == K_SEC, \
	const char *: (k) == K_STR, \
	default: 0)
#define OPT(name, kind, cat, field, meta, help) \
	_Static_assert(FITS(field, K_##kind), "-" name ": the field does not fit the kind " #kind);
#include "cli/opts.def"
#undef OPT
#undef FITS
#undef E
#undef M
#undef EKW
#undef MKW
#undef FN
#undef NONE

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *const cat_names[CAT_N] = {
	"Scenario", "Load", "Network", "Behaviour", "Traces, statistics and reports", "Run limits (exit status 1 when one is broken)", "Embedded target", "Other", "SIPp options accepted without effect (a warning)",
};

/* The defaults that are not zero. */
static void defaults(struct eng_opts *o, struct main_opts *m)
{
	memset(o, 0, sizeof(*o));
	memset(m, 0, sizeof(*m));
	o->service = "service";
	o->rate = 10;
	o->rtt_freq = 200;
	m->error_overwrite = m->message_overwrite = m->shortmessage_overwrite = 1;
	m->log_overwrite = m->screen_overwrite = m->calldebug_overwrite = 1;
	o->rate_period_ms = 1000;
	o->local_ip = "127.0.0.1";
	o->media_port = 6000;
	o->rtp_payload = 8;
	o->max_fail_rate = -1;
	o->proto = TP_UDP;
	o->reconnect_sleep_ms = 1000;
	o->reconnect_close = 1;
	o->behaviors = BEH_ALL;
	o->stat_period_ms = 60000;
	o->screen_period_ms = 1000;
	o->batch_us = 1000;
	o->grace_ms = 5000;
}

static const struct row *find(const char *arg)
{
	size_t i;

	if (arg[0] != '-' || !arg[1])
		return NULL;
	arg += arg[1] == '-' ? 2 : 1;
	if (!strcmp(arg, "h"))
		arg = "help";
	else if (!strcmp(arg, "v"))
		arg = "version";
	for (i = 0; i < NROWS; i++)
		if (!strcmp(rows[i].name, arg))
			return &rows[i];
	return NULL;
}

/* How many arguments a row takes: the words of its metavar. */
static int arity(const struct row *r)
{
	const char *p = r->meta;
	int n = 0;

	while (p && *p) {
		n++;
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	return n;
}

static int store_kw(const struct row *r, const char *v, int *out, struct diag *d)
{
	const struct cli_kw *k;

	for (k = r->kws->kw; k->word; k++) {
		if (!strcmp(k->word, v)) {
			*out = k->value;
			return 0;
		}
	}
	return diag_set(d, NULL, 0, "-%s: '%s' (expected %s)", r->name, v, r->kws->expected);
}

/* Put one option's value where its row says. */
static int store(struct cli_dst *t, const struct row *r, char *const *args, struct diag *d)
{
	char *base = r->dst == DST_ENG ? (char *)t->eng : (char *)t->main;
	void *f = base + r->off;

	switch (r->kind) {
	case K_FLAG: *(int *)f = 1; return 0;
	case K_STR: *(const char **)f = args[0]; return 0;
	case K_UINT: return cli_uint(r->name, args[0], f, d);
	case K_DOUBLE: return cli_double(r->name, args[0], f, d);
	case K_MS: return cli_time(r->name, args[0], 1, f, d);
	case K_SEC: return cli_time(r->name, args[0], 1000, f, d);
	case K_KW: return store_kw(r, args[0], f, d);
	case K_CB: return r->cb(t, r->name, args, d);
	case K_IGNORE: return 0;
	}
	return 0;
}

/* Was the option of this name on the command line? */
static int given(const unsigned char *seen, const char *name)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (!strcmp(rows[i].name, name))
			return seen[i];
	return 0;
}

/* What holds between options, once all are read. */
static int check(struct cli_dst *t, const unsigned char *seen, struct diag *d)
{
	struct eng_opts *o = t->eng;

	if (t->main->scenario_file && t->main->builtin)
		return diag_set(d, NULL, 0, "-sf and -sn both given: choose one scenario");
	if (o->rate <= 0)
		return diag_set(d, NULL, 0, "-r: the rate must be above 0");
	if (!o->rate_period_ms)
		return diag_set(d, NULL, 0, "-rp: the rate period must be above 0");
	if (o->local_port > 65535 || o->media_port > 65535 || o->max_rtp_port > 65535)
		return diag_set(d, NULL, 0, "-p/-mp/-min_rtp_port/-max_rtp_port: a port is at "
				"most 65535");
	if (o->max_rtp_port && o->max_rtp_port < o->media_port)
		return diag_set(d, NULL, 0, "-max_rtp_port %u is below -min_rtp_port/-mp %u",
				o->max_rtp_port, o->media_port);
	if (o->rtp_payload > 127)
		return diag_set(d, NULL, 0, "-rtp_payload: a payload type is 0 to 127");
	if (o->rtp_buffsize > 64u << 20)
		return diag_set(d, NULL, 0, "-rtp_buffsize: at most 64 MB");
	if (!o->stat_period_ms)
		return diag_set(d, NULL, 0, "-fd: the period must be above 0");
	if (!o->screen_period_ms)
		return diag_set(d, NULL, 0, "-f: the period must be above 0");
	o->grace_given = given(seen, "grace");
	o->unpaced = o->users && !given(seen, "r");
	return cli_shard_resolve(o, d);
}

static int parse_args(struct cli_dst *t, int argc, char **argv, struct diag *d)
{
	unsigned char seen[NROWS] = {0};
	int i, err;

	for (i = 1; i < argc; i++) {
		const struct row *r = find(argv[i]);
		int n;

		if (!r) {
			if (argv[i][0] == '-' && argv[i][1])
				return diag_set(d, NULL, 0, "unknown option '%s' (see --help)", argv[i]);
			if (t->eng->remote)
				return diag_set(d, NULL, 0, "more than one target: '%s' and '%s'",
						t->eng->remote, argv[i]);
			t->eng->remote = argv[i];
			continue;
		}
		n = arity(r);
		if (i + n >= argc)
			return diag_set(d, NULL, 0, "-%s needs %s", r->name, r->meta);
		if (r->kind == K_IGNORE && !seen[r - rows])
			diag_warn(NULL, 0, "-%s: a SIPp option without effect in sipbench, ignored",
				  r->name);
		seen[r - rows] = 1;
		err = store(t, r, argv + i + 1, d);
		if (err)
			return err;
		i += n;
	}
	return check(t, seen, d);
}

int cli_parse(struct eng_opts *o, struct main_opts *m, int argc, char **argv,
	      struct diag *d)
{
	struct cli_dst t = {o, m};
	int err;

	defaults(o, m);
	err = parse_args(&t, argc, argv, d);
	if (err)
		cli_free(o, m);
	return err;
}

void cli_free(struct eng_opts *o, struct main_opts *m)
{
	free((void *)m->scn.set_names);
	free((void *)m->scn.set_values);
	free((void *)m->scn.key_names);
	free((void *)o->key_values);
	m->scn.set_names = m->scn.set_values = m->scn.key_names = o->key_values = NULL;
	o->set_names = o->set_values = NULL;
	m->scn.nset = m->scn.nkey = o->nset = 0;
}

void cli_help(FILE *f)
{
	size_t i;
	int cat;

	fprintf(f, "Usage: sipbench [options] [host[:port]]\n\n"
		"Run a SIP scenario (SIPp's XML language) as many concurrent calls\n"
		"against host:port, check every response and its timing, and report.\n"
		"A scenario that starts with <recv> answers calls instead of placing them.\n"
		"Options take one dash or two (-sf or --sf).\n");
	for (cat = 0; cat < CAT_N; cat++) {
		fprintf(f, "\n%s:\n", cat_names[cat]);
		for (i = 0; i < NROWS; i++) {
			char left[48];

			if ((int)rows[i].cat != cat)
				continue;
			snprintf(left, sizeof(left), "-%s%s%s", rows[i].name,
				 rows[i].meta ? " " : "", rows[i].meta ? rows[i].meta : "");
			fprintf(f, "  %-24s %s\n", left, rows[i].help);
		}
	}
	fprintf(f, "\nExit status: 0 passed (no call failed, or every run limit kept; calls\n"
		"left unfinished by -timeout do not fail it), 1 failed, 97 stopped by a\n"
		"signal, 99 no call processed, 255 fatal error (bad option, scenario or\n"
		"injection file, an output file that cannot be written).\n");
}
