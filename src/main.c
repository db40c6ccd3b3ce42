/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main: argv -> struct eng_opts + struct main_opts -> scenario -> run ->
 * exit status. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/opts.h"
#include "engine/engine.h"
#include "loop/loop.h"
#include "merge/merge.h"
#include "report/rpt.h"
#include "scenario/builtin.h"
#include "scenario/prog.h"
#include "sip/msg.h"
#include "target/target.h"
#include "transport/tp.h"

#define EXIT_FATAL 255

static int load_scenario(const struct main_opts *m, struct prog **pp, struct diag *d)
{
	const char *xml;
	char name[64];

	if (m->scenario_file)
		return scn_load_file(pp, m->scenario_file, &m->scn, d);
	xml = scn_builtin(m->builtin ? m->builtin : "uac");
	if (!xml)
		return diag_set(d, NULL, 0, "-sn: unknown built-in scenario '%s'", m->builtin);
	snprintf(name, sizeof(name), "<built-in %s>", m->builtin ? m->builtin : "uac");
	return scn_load_mem(pp, xml, strlen(xml), name, &m->scn, d);
}

/* SIPp's name of a trace file: <scenario>_<pid>_<suffix>. */
static void log_name(const struct main_opts *m, const char *suffix, char *path, size_t len)
{
	const char *base = m->scenario_file ? m->scenario_file : m->builtin ? m->builtin : "uac";
	const char *slash = strrchr(base, '/');
	size_t n;

	base = slash ? slash + 1 : base;
	n = strcspn(base, ".");
	snprintf(path, len, "%.*s_%d_%s", (int)n, base, (int)getpid(), suffix);
}

static FILE *open_log_mode(const char *opt, const char *given, const struct main_opts *m,
			   const char *suffix, const char *mode)
{
	struct diag d = {0};
	char path[512];
	FILE *f;

	if (!given) {
		log_name(m, suffix, path, sizeof(path));
		given = path;
	}
	if (rpt_out_check(opt, given, 0, &d)) {
		diag_print(&d);
		return NULL;
	}
	f = fopen(given, mode);
	if (!f)
		fprintf(stderr, "sipbench: error: %s %s: cannot write: %s\n", opt, given,
			strerror(errno));
	return f;
}

static FILE *open_log(const char *opt, const char *given, const struct main_opts *m,
		      const char *suffix)
{
	return open_log_mode(opt, given, m, suffix, "w");
}

/* A trace file replaced (overwrite, the default) or appended to. */
static FILE *open_log_ow(const char *opt, const char *given, const struct main_opts *m,
			 const char *suffix, int overwrite)
{
	return open_log_mode(opt, given, m, suffix, overwrite ? "w" : "a");
}

/* Every output file of the run, checked (reports) or opened (traces)
 * before the first message: a run whose verdict cannot be written does
 * not start (exit 255, the file and the reason named). */
static int open_outputs(struct eng_opts *o, const struct main_opts *m)
{
	struct diag d = {0};

	if (rpt_out_check("-json", o->json_path, 0, &d) ||
	    rpt_out_check("-junit", o->junit_path, 0, &d) ||
	    rpt_out_check("-metrics", o->metrics_path, 1, &d) ||
	    rpt_out_check("-pcap", o->pcap_path, 0, &d)) {
		diag_print(&d);
		return -1;
	}
	if (m->trace_msg &&
	    !(o->msg_log = open_log_ow("-message_file", m->message_file, m, "messages.log",
				       m->message_overwrite)))
		return -1;
	if (m->trace_calldebug &&
	    !(o->calldebug_log = open_log_ow("-calldebug_file", m->calldebug_file, m,
					     "calldebug.log", m->calldebug_overwrite)))
		return -1;
	if (m->trace_err &&
	    !(o->err_log = open_log_mode("-error_file", m->error_file, m, "errors.log",
					 m->error_overwrite ? "w" : "a")))
		return -1;
	if (m->trace_stat && !(o->stat_csv = open_log("-stf", m->stat_file, m, ".csv")))
		return -1;
	if (m->trace_logs && !(o->act_log = open_log_ow("-log_file", m->log_file, m, "logs.log",
							  m->log_overwrite)))
		return -1;
	if (m->trace_shortmsg &&
	    !(o->short_log = open_log_ow("-shortmessage_file", m->shortmessage_file, m,
					 "shortmessages.log", m->shortmessage_overwrite)))
		return -1;
	if (m->trace_counts && !(o->counts_csv = open_log("-trace_counts", NULL, m, "counts.csv")))
		return -1;
	if (m->trace_screen &&
	    !(o->screen_log = open_log_ow("-screen_file", m->screen_file, m, "screen.log",
					  m->screen_overwrite)))
		return -1;
	if (m->trace_rtt && !(o->rtt_csv = open_log("-trace_rtt", NULL, m, "rtt.csv")))
		return -1;
	if (m->trace_error_codes &&
	    !(o->codes_csv = open_log("-trace_error_codes", NULL, m, "error_codes.csv")))
		return -1;
	return 0;
}

/* Close a trace file; a write that failed (a full disk) is said: -1. */
static int close_log(FILE *f, const char *opt)
{
	int err;

	if (!f)
		return 0;
	errno = 0;
	err = fflush(f) || ferror(f) ? (errno ? errno : -1) : 0;
	if (fclose(f) && !err)
		err = errno ? errno : -1;
	if (err)
		fprintf(stderr, "sipbench: error: %s: a write failed%s%s\n", opt,
			err > 0 ? ": " : " (the file is incomplete)", err > 0 ? strerror(err) : "");
	return err ? -1 : 0;
}

static int close_logs(struct eng_opts *o)
{
	int bad = close_log(o->msg_log, "-message_file");

	bad |= close_log(o->err_log, "-error_file");
	bad |= close_log(o->stat_csv, "-stf");
	bad |= close_log(o->act_log, "-log_file");
	bad |= close_log(o->short_log, "-shortmessage_file");
	bad |= close_log(o->counts_csv, "-trace_counts");
	bad |= close_log(o->codes_csv, "-trace_error_codes");
	bad |= close_log(o->rtt_csv, "-trace_rtt");
	bad |= close_log(o->screen_log, "-screen_file");
	bad |= close_log(o->calldebug_log, "-calldebug_file");
	o->calldebug_log = NULL;
	o->msg_log = o->err_log = o->stat_csv = NULL;
	o->act_log = o->short_log = o->counts_csv = o->codes_csv = o->rtt_csv = NULL;
	o->screen_log = NULL;
	return bad;
}

/* -bg: the parent prints the child's pid and returns 1; the child 0. */
static int fork_to_background(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("sipbench: fork");
		return 0;
	}
	if (pid > 0) {
		printf("sipbench running in the background, pid %d\n", (int)pid);
		return 1;
	}
	setsid();
	return 0;
}

static int uses_tls(const struct eng_opts *o)
{
	return o->proto == TP_TLS || o->proto == TP_WSS;
}

/* The TLS contexts of -tls_*: a server's (which requires client
 * certificates when given -tls_ca), or a client's. */
static int make_tls(const struct main_opts *m, int server, struct tp_tls **tp, struct diag *d)
{
	struct tp_tls_conf tc = {m->tls_cert, m->tls_key, m->tls_ca, m->tls_version,
				 !m->tls_no_verify, server && m->tls_ca};

	return tp_tls_new(tp, &tc, d);
}

/* The embedded target on ip:port (port 0: any), from -target_conf, on
 * the transport of -t. With TLS it presents -tls_cert, or a self-signed
 * certificate that trust (the engine's contexts, or NULL) then accepts. */
static int start_target(const struct eng_opts *o, const struct main_opts *m, struct loop *l,
			const char *ip, unsigned port, struct tgt_conf *tc, struct target **tp,
			struct tp_tls *trust)
{
	struct diag d = {0};

	if (tgt_conf_load(tc, m->target_conf, &d))
		goto fail;
	tc->proto = o->proto;
	if (uses_tls(o)) {
		struct tp_tls_conf tlc = {m->tls_cert, m->tls_key, NULL, m->tls_version, 1, 0};

		if (tp_tls_new(&tc->tls, &tlc, &d) || (trust && tp_tls_trust(trust, tc->tls, &d)))
			goto fail;
	}
	if (tgt_start(tp, l, ip, port, tc, &d))
		goto fail;
	return 0;
fail:
	diag_print(&d);
	return -1;
}

static volatile sig_atomic_t serve_stop;

static void on_serve_signal(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static void serve_tick(void *arg)
{
	if (serve_stop)
		loop_stop(arg);
}

/* --serve: only the embedded target, until SIGINT or SIGTERM. */
static int serve(const struct eng_opts *o, const struct main_opts *m)
{
	struct tp_addr a;
	struct diag d = {0};
	struct loop *l = NULL;
	struct target *t = NULL;
	struct tgt_conf tc;
	FILE *msg_log = NULL;
	char ip[64];
	int rc = EXIT_FATAL;

	memset(&tc, 0, sizeof(tc));
	if (m->trace_msg &&
	    !(msg_log = open_log("-message_file", m->message_file, m, "messages.log")))
		return EXIT_FATAL;
	if (tp_addr_parse(&a, o->remote ? o->remote : "127.0.0.1", tp_proto_port(o->proto), &d)) {
		diag_print(&d);
		goto out;
	}
	tp_addr_ip(&a, ip, sizeof(ip));
	if (loop_alloc(&l) || start_target(o, m, l, ip, tp_addr_port(&a), &tc, &t, NULL))
		goto out;
	tgt_set_log(t, msg_log);
	signal(SIGINT, on_serve_signal);
	signal(SIGTERM, on_serve_signal);
	loop_set_tick(l, serve_tick, l);
	loop_set_batch(l, o->batch_us);
	printf("sipbench %s: embedded reference target (a test target, not for production) "
	       "on %s %s:%u; Ctrl-C stops it\n", PACKAGE_VERSION, tp_proto_param(o->proto), ip,
	       tgt_port(t));
	fflush(stdout);
	if (!loop_run(l))
		rc = 0;
	tgt_print_stats(t, stdout);
out:
	tgt_free(t);
	tp_tls_free(tc.tls);
	tgt_conf_free(&tc);
	loop_free(l);
	if (close_log(msg_log, "-message_file"))
		rc = EXIT_FATAL;
	return rc;
}

/* The run of p. o is the command line's, main adds what it made: the
 * trace files, the TLS contexts, the embedded target's loop and address. */
static int run(struct eng_opts *o, const struct main_opts *m, struct prog *p)
{
	struct eng *e = NULL;
	struct diag d = {0};
	struct loop *l = NULL;
	struct target *t = NULL;
	struct tgt_conf tc;
	char remote[80], screen[512];
	int rc = EXIT_FATAL;

	memset(&tc, 0, sizeof(tc));
	log_name(m, "screen.log", screen, sizeof(screen));
	o->screen_path = m->screen_file ? m->screen_file : screen;  /* SIGUSR2 */
	o->keyboard = !m->nostdin && !m->background && isatty(STDIN_FILENO);
	o->progress = m->background ? NULL : stderr;
	if (open_outputs(o, m))
		goto out;
	if (uses_tls(o) && make_tls(m, eng_prog_is_server(p), &o->tls, &d)) {
		diag_print(&d);
		goto out;
	}
	if (!o->remote && !eng_prog_is_server(p)) {
		/* no target: the embedded one, on loopback, for one call
		 * unless -m, -timeout or a ramp says how long to run */
		/* on the loopback of the family of -i */
		int v6 = o->local_ip && strchr(o->local_ip, ':');

		if (loop_alloc(&l) ||
		    start_target(o, m, l, v6 ? "::1" : "127.0.0.1", 0, &tc, &t, o->tls))
			goto out;
		tgt_set_log(t, o->msg_log);
		snprintf(remote, sizeof(remote), v6 ? "[::1]:%u" : "127.0.0.1:%u", tgt_port(t));
		o->remote = remote;
		o->loop = l;
		if (!o->max_calls && !o->timeout_ms && !(o->rate_increase > 0))
			o->max_calls = 1;
	}
	if (eng_alloc(&e, o, p, &d)) {
		diag_print(&d);
		goto out;
	}
	if (m->background && fork_to_background())
		return 0;
	signal(SIGINT, eng_signal_stop);
	signal(SIGTERM, eng_signal_stop);
	signal(SIGUSR1, eng_signal_user);
	signal(SIGUSR2, eng_signal_user);
	signal(SIGPIPE, SIG_IGN);
	rc = eng_run(e, stdout);
	if (t)
		tgt_print_stats(t, stdout);
out:
	eng_free(e);
	tgt_free(t);
	tp_tls_free(tc.tls);
	tgt_conf_free(&tc);
	tp_tls_free(o->tls);
	o->tls = NULL;
	o->remote = NULL;
	o->loop = NULL;
	loop_free(l);
	if (close_logs(o))
		rc = EXIT_FATAL;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "sipbench: error: the summary could not be written to standard "
			"output\n");
		rc = EXIT_FATAL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct eng_opts o;
	struct main_opts m;
	struct diag d = {0};
	struct prog *p = NULL;
	int rc;

	/* no argument at all: the usage, as SIPp (which exits 99 there) */
	if (argc < 2) {
		cli_help(stdout);
		return 99;
	}
	/* subcommands come before the options */
	if (!strcmp(argv[1], "merge"))
		return mrg_main(argc - 1, argv + 1);
	if (cli_parse(&o, &m, argc, argv, &d)) {
		diag_print(&d);
		return EXIT_FATAL;
	}
	rc = 0;
	if (m.help) {
		cli_help(stdout);
		goto out;
	}
	if (m.version) {
		printf("sipbench %s\n", PACKAGE_VERSION);
		goto out;
	}
	if (m.dump_builtin) {
		const char *xml = scn_builtin(m.dump_builtin);

		if (!xml) {
			fprintf(stderr, "sipbench: error: -sd: unknown built-in scenario '%s'\n",
				m.dump_builtin);
			rc = EXIT_FATAL;
			goto out;
		}
		fputs(xml, stdout);
		goto out;
	}
	if (m.serve) {
		rc = msg_init() ? EXIT_FATAL : serve(&o, &m);
		goto out;
	}
	if (msg_init() || load_scenario(&m, &p, &d)) {
		diag_print(&d);
		rc = EXIT_FATAL;
		goto out;
	}
	rc = run(&o, &m, p);
	scn_free(p);
out:
	cli_free(&o, &m);
	return rc;
}
