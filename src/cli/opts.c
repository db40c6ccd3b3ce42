/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts: parse the command line with the table in opts.def, and print the
 * --help built from the same rows. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/opts.h"
#include "transport/tp.h"

/* Bounds that keep the engine's arithmetic on these values in range:
 * calls per rate period (-r, -rate_increase, -rate_max), and a time. */
#define CLI_MAX_RATE 1e6
#define CLI_MAX_TIME_MS 1e12

enum kind { K_NONE, K_STR, K_UINT, K_DOUBLE, K_MS, K_SEC, K_PAIR };
enum cat { CAT_SCENARIO, CAT_LOAD, CAT_NETWORK, CAT_BEHAVIOR, CAT_TRACE, CAT_LIMIT, CAT_TARGET, CAT_MISC, CAT_N };

struct row {
	const char *name;
	enum cli_opt_id id;
	enum kind kind;
	enum cat cat;
	const char *meta;
	const char *help;
};

static const struct row rows[] = {
#define OPT(name, id, kind, cat, meta, help) {name, CLI_OPT_##id, K_##kind, CAT_##cat, meta, help},
#include "cli/opts.def"
#undef OPT
};

static const char *const cat_names[CAT_N] = {
	"Scenario", "Load", "Network", "Behaviour", "Traces, statistics and reports", "Run limits (exit status 1 when one is broken)", "Embedded target", "Other",
};

static void defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->service = "service";
	c->rate = 10;
	c->rate_period_ms = 1000;
	c->local_ip = "127.0.0.1";
	c->media_port = 6000;
	c->max_fail_rate = -1;
	c->tp_mode = TP_MODE_U1;
	c->tp_proto = TP_UDP;
	c->reconnect_sleep_ms = 1000;
	c->reconnect_close = 1;
	c->behaviors = BEH_ALL;
	c->freq_dump_ms = 60000;
	c->timer_resol_ms = 1;
	c->grace_ms = 5000;
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
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].name, arg))
			return &rows[i];
	return NULL;
}

static int parse_uint(const char *opt, const char *s, unsigned *out, struct diag *d)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 0xffffffffUL)
		return diag_set(d, NULL, 0, "-%s: not a whole number: '%s'", opt, s);
	*out = (unsigned)v;
	return 0;
}

static int parse_double(const char *opt, const char *s, double *out, struct diag *d)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		return diag_set(d, NULL, 0, "-%s: not a number: '%s'", opt, s);
	if (v > CLI_MAX_RATE)
		return diag_set(d, NULL, 0, "-%s: at most %.0f, not '%s'", opt, CLI_MAX_RATE, s);
	*out = v;
	return 0;
}

/* A time with an optional unit (ms, s, m, h); unit_ms is the default. */
static int parse_time(const char *opt, const char *s, uint64_t unit_ms, uint64_t *out,
		      struct diag *d)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return diag_set(d, NULL, 0, "-%s: not a time: '%s'", opt, s);
	if (!strcmp(end, "ms"))
		unit_ms = 1;
	else if (!strcmp(end, "s"))
		unit_ms = 1000;
	else if (!strcmp(end, "m"))
		unit_ms = 60000;
	else if (!strcmp(end, "h"))
		unit_ms = 3600000;
	else if (*end)
		return diag_set(d, NULL, 0, "-%s: unknown time unit in '%s' (use ms, s, m or h)",
				opt, s);
	/* converting a double beyond uint64_t's range is undefined (UBSan) */
	if (v * (double)unit_ms > CLI_MAX_TIME_MS)
		return diag_set(d, NULL, 0, "-%s: at most %.0f ms (about 31 years), not '%s'",
				opt, CLI_MAX_TIME_MS, s);
	*out = (uint64_t)(v * (double)unit_ms + 0.5);
	return 0;
}

/* Append a NAME VALUE pair to parallel arrays (-set, -key). */
static int add_pair(const char ***names, const char ***values, unsigned *count,
		    const char *name, const char *value)
{
	const char **n = realloc(*names, (*count + 1) * sizeof(*n));
	const char **v;

	if (!n)
		return ENOMEM;
	*names = n;
	v = realloc(*values, (*count + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	*values = v;
	n[*count] = name;
	v[(*count)++] = value;
	return 0;
}

/* "0.1%" or "0.001": a fraction of the calls. */
static int parse_fail_rate(const char *v, double *out, struct diag *d)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end != v && *end == '%' && !end[1])
		x /= 100.0;
	else if (end == v || *end)
		end = NULL;
	if (!end || errno || x < 0 || x > 1)
		return diag_set(d, NULL, 0, "-max_fail_rate: want a fraction such as 0.1%% "
				"or 0.001, not '%s'", v);
	*out = x;
	return 0;
}

/* NAME=TIME */
static int add_p99(struct config *c, const char *v, struct diag *d)
{
	const char *eq = strchr(v, '=');
	char name[64];

	if (!eq || eq == v || (size_t)(eq - v) >= sizeof(name))
		return diag_set(d, NULL, 0, "-max_p99: want NAME=TIME (e.g. 1=200ms or "
				"call_length=5s), not '%s'", v);
	if (c->np99 == CLI_MAX_P99)
		return diag_set(d, NULL, 0, "-max_p99: at most %d limits", CLI_MAX_P99);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
	snprintf(c->p99_names[c->np99], sizeof(c->p99_names[0]), "%s", name);
	if (parse_time("max_p99", eq + 1, 1, &c->p99_ms[c->np99], d))
		return EINVAL;
	c->np99++;
	return 0;
}

static int set_behaviors(struct config *c, const char *list, struct diag *d)
{
	static const struct { const char *name; unsigned bit; } beh[] = {
		{"all", BEH_ALL}, {"bye", BEH_BYE}, {"abortunexp", BEH_ABORTUNEXP},
		{"pingreply", BEH_PINGREPLY}, {"none", 0},
	};
	char item[32];
	const char *p = list;

	c->behaviors = 0;
	while (*p) {
		size_t n = strcspn(p, ","), i;
		int neg = p[0] == '-';

		snprintf(item, sizeof(item), "%.*s", (int)(n - (size_t)neg), p + neg);
		for (i = 0; i < sizeof(beh) / sizeof(beh[0]); i++)
			if (!strcmp(item, beh[i].name))
				break;
		if (i == sizeof(beh) / sizeof(beh[0]))
			return diag_set(d, NULL, 0, "-default_behaviors: unknown behavior '%s'", item);
		if (neg)
			c->behaviors &= ~beh[i].bit;
		else if (!beh[i].bit)
			c->behaviors = 0;
		else
			c->behaviors |= beh[i].bit;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* -t: u1 un t1 tn l1 ln ws1 wsn wss1 wssn (SIPp's letters, and ours for
 * WebSocket, which SIPp lacks). */
static int parse_transport(struct config *c, const char *v, struct diag *d)
{
	static const struct { const char *name; int proto; } kinds[] = {
		{"u", TP_UDP}, {"t", TP_TCP}, {"l", TP_TLS}, {"ws", TP_WS}, {"wss", TP_WSS},
	};
	size_t n = strlen(v), i;

	for (i = 0; n > 1 && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) != n - 1 || strncmp(v, kinds[i].name, n - 1))
			continue;
		if (v[n - 1] != '1' && v[n - 1] != 'n')
			break;
		c->tp_proto = kinds[i].proto;
		c->tp_mode = v[n - 1] == 'n' ? TP_MODE_UN : TP_MODE_U1;
		return 0;
	}
	return diag_set(d, NULL, 0, "-t: unknown transport '%s' (expected u1, un, t1, tn, l1, "
			"ln, ws1, wsn, wss1 or wssn)", v);
}

static int apply_str(struct config *c, const struct row *r, const char *v, struct diag *d)
{
	switch (r->id) {
	case CLI_OPT_SF: c->scenario_file = v; break;
	case CLI_OPT_SN: c->builtin = v; break;
	case CLI_OPT_SD: c->dump_builtin = v; break;
	case CLI_OPT_INF: c->inf = v; break;
	case CLI_OPT_TARGET_CONF: c->target_conf = v; break;
	case CLI_OPT_JSON: c->json = v; break;
	case CLI_OPT_JUNIT: c->junit = v; break;
	case CLI_OPT_PCAP: c->pcap = v; break;
	case CLI_OPT_METRICS: c->metrics = v; break;
	case CLI_OPT_MAX_FAIL_RATE: return parse_fail_rate(v, &c->max_fail_rate, d);
	case CLI_OPT_MAX_P99: return add_p99(c, v, d);
	case CLI_OPT_SHARD: return cli_shard_parse(c, v, d);
	case CLI_OPT_SERVICE: c->service = v; break;
	case CLI_OPT_AUTH_USER: c->auth_user = v; break;
	case CLI_OPT_AUTH_PASS: c->auth_pass = v; break;
	case CLI_OPT_DOMAIN: c->domain = v; break;
	case CLI_OPT_LOCAL_IP: c->local_ip = v; break;
	case CLI_OPT_MEDIA_IP: c->media_ip = v; break;
	case CLI_OPT_ADVERTISE: c->advertise = v; break;
	case CLI_OPT_MESSAGE_FILE: c->message_file = v; break;
	case CLI_OPT_ERROR_FILE: c->error_file = v; break;
	case CLI_OPT_STAT_FILE: c->stat_file = v; break;
	case CLI_OPT_STAT_DELIMITER:
		if (!*v || strpbrk(v, "\r\n") || strlen(v) > 15)
			return diag_set(d, NULL, 0, "-stat_delimiter: '%s' (expected 1 to 15 "
					"characters, no line break)", v);
		c->stat_delimiter = v;
		break;
	case CLI_OPT_DEFAULT_BEHAVIORS: return set_behaviors(c, v, d);
	case CLI_OPT_TRANSPORT: return parse_transport(c, v, d);
	case CLI_OPT_RECONNECT_CLOSE:
		if (!strcmp(v, "true") || !strcmp(v, "1"))
			c->reconnect_close = 1;
		else if (!strcmp(v, "false") || !strcmp(v, "0"))
			c->reconnect_close = 0;
		else
			return diag_set(d, NULL, 0, "-reconnect_close: '%s' (expected true or false)", v);
		break;
	case CLI_OPT_TLS_CERT: c->tls_cert = v; break;
	case CLI_OPT_TLS_KEY: c->tls_key = v; break;
	case CLI_OPT_TLS_CA: c->tls_ca = v; break;
	case CLI_OPT_TLS_VERSION: c->tls_version = v; break;
	case CLI_OPT_TLS_SNI: c->tls_sni = v; break;
	case CLI_OPT_WS_PATH: c->ws_path = v; break;
	default: break;
	}
	return 0;
}

static int apply_num(struct config *c, const struct row *r, const char *v, struct diag *d)
{
	switch (r->id) {
	case CLI_OPT_RATE:
		c->rate_given = 1;
		return parse_double(r->name, v, &c->rate, d);
	case CLI_OPT_USERS: return parse_uint(r->name, v, &c->users, d);
	case CLI_OPT_RATE_INCREASE: return parse_double(r->name, v, &c->rate_increase, d);
	case CLI_OPT_RATE_MAX: return parse_double(r->name, v, &c->rate_max, d);
	case CLI_OPT_LIMIT: return parse_uint(r->name, v, &c->limit, d);
	case CLI_OPT_MAX_CALLS: return parse_uint(r->name, v, &c->max_calls, d);
	case CLI_OPT_LOCAL_PORT:
		/* 0 is the default's "5060 or the next free port": given, it
		 * would hide a typo, and a uas on an unknown port is unreachable */
		if (parse_uint(r->name, v, &c->local_port, d))
			return EINVAL;
		return c->local_port ? 0 : diag_set(d, NULL, 0, "-p 0: give a port from 1 "
						    "to 65535 (without -p: 5060, or the next "
						    "free port)");
	case CLI_OPT_MEDIA_PORT: return parse_uint(r->name, v, &c->media_port, d);
	case CLI_OPT_MAX_RETRANS: return parse_uint(r->name, v, &c->max_retrans, d);
	case CLI_OPT_MAX_RECONNECT: return parse_uint(r->name, v, &c->max_reconnect, d);
	case CLI_OPT_RECONNECT_SLEEP: return parse_time(r->name, v, 1, &c->reconnect_sleep_ms, d);
	case CLI_OPT_DURATION: return parse_time(r->name, v, 1, &c->pause_ms, d);
	case CLI_OPT_TIMER_RESOL: return parse_time(r->name, v, 1, &c->timer_resol_ms, d);
	case CLI_OPT_RATE_PERIOD: return parse_time(r->name, v, 1, &c->rate_period_ms, d);
	case CLI_OPT_RECV_TIMEOUT: return parse_time(r->name, v, 1, &c->recv_timeout_ms, d);
	case CLI_OPT_TIMEOUT: return parse_time(r->name, v, 1000, &c->timeout_ms, d);
	case CLI_OPT_GRACE: c->grace_given = 1; return parse_time(r->name, v, 1000, &c->grace_ms, d);
	case CLI_OPT_FREQ_DUMP: return parse_time(r->name, v, 1000, &c->freq_dump_ms, d);
	default: return apply_str(c, r, v, d);
	}
}

static void apply_flag(struct config *c, const struct row *r)
{
	switch (r->id) {
	case CLI_OPT_TIMEOUT_ERROR: c->timeout_error = 1; break;
	case CLI_OPT_AUTO_ANSWER: c->auto_answer = 1; break;
	case CLI_OPT_RTP_ECHO: c->rtp_echo = 1; break;
	case CLI_OPT_NO_DEFAULT: c->behaviors = 0; break;
	case CLI_OPT_TRACE_MSG: c->trace_msg = 1; break;
	case CLI_OPT_TRACE_ERR: c->trace_err = 1; break;
	case CLI_OPT_TRACE_STAT: c->trace_stat = 1; break;
	case CLI_OPT_BACKGROUND: c->background = 1; break;
	case CLI_OPT_SERVE: c->serve = 1; break;
	case CLI_OPT_NO_RATE_QUIT: c->no_rate_quit = 1; break;
	case CLI_OPT_NO_BACKOFF: c->no_backoff = 1; break;
	case CLI_OPT_NOSTDIN: c->nostdin = 1; break;
	case CLI_OPT_TLS_NO_VERIFY: c->tls_no_verify = 1; break;
	case CLI_OPT_HELP: c->help = 1; break;
	case CLI_OPT_VERSION: c->version = 1; break;
	default: break;
	}
}

static int check(struct config *c, struct diag *d)
{
	if (c->scenario_file && c->builtin)
		return diag_set(d, NULL, 0, "-sf and -sn both given: choose one scenario");
	if (c->rate <= 0)
		return diag_set(d, NULL, 0, "-r: the rate must be above 0");
	if (!c->rate_period_ms)
		return diag_set(d, NULL, 0, "-rp: the rate period must be above 0");
	if (c->local_port > 65535 || c->media_port > 65535)
		return diag_set(d, NULL, 0, "-p/-mp: a port is at most 65535");
	if (!c->freq_dump_ms)
		return diag_set(d, NULL, 0, "-fd: the period must be above 0");
	return cli_shard_resolve(c, d);
}

static int parse_args(struct config *c, int argc, char **argv, struct diag *d)
{
	int i, err;

	for (i = 1; i < argc; i++) {
		const struct row *r = find(argv[i]);

		if (!r) {
			if (argv[i][0] == '-' && argv[i][1])
				return diag_set(d, NULL, 0, "unknown option '%s' (see --help)", argv[i]);
			if (c->remote)
				return diag_set(d, NULL, 0, "more than one target: '%s' and '%s'",
						c->remote, argv[i]);
			c->remote = argv[i];
			continue;
		}
		if (r->kind == K_NONE) {
			apply_flag(c, r);
			continue;
		}
		if (i + 1 >= argc || (r->kind == K_PAIR && i + 2 >= argc))
			return diag_set(d, NULL, 0, "-%s needs %s", r->name, r->meta);
		if (r->kind == K_PAIR) {
			if (r->id == CLI_OPT_KEY ?
			    add_pair(&c->key_names, &c->key_values, &c->nkey, argv[i + 1], argv[i + 2]) :
			    add_pair(&c->set_names, &c->set_values, &c->nset, argv[i + 1], argv[i + 2]))
				return diag_set(d, NULL, 0, "out of memory");
			i += 2;
			continue;
		}
		err = apply_num(c, r, argv[++i], d);
		if (err)
			return err;
	}
	return check(c, d);
}

int cli_parse(struct config *c, int argc, char **argv, struct diag *d)
{
	int err;

	defaults(c);
	err = parse_args(c, argc, argv, d);
	if (err)
		cli_free(c);
	return err;
}

void cli_free(struct config *c)
{
	free(c->set_names);
	free(c->set_values);
	free(c->key_names);
	free(c->key_values);
	c->set_names = c->set_values = c->key_names = c->key_values = NULL;
	c->nset = c->nkey = 0;
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
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
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
