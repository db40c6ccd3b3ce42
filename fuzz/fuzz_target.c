/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_target: bytes arriving as datagrams at the embedded target (the
 * proxy and registrar of src/target/). The datagrams go to its socket
 * handler (tp_deliver), which stamps the Via, parses strictly and runs
 * the request or response through the proxy. The first byte of an input
 * picks one of two configurations (digest challenges, or no-auth with
 * static locations and forwarding rules), the rest is datagrams
 * separated by FZ_SEP; a target is started for each input and freed
 * after it, so no state leaks from one input to the next. The harness is
 * the downstream side too: the static locations are UDP sockets it
 * reads, and "[branch]" in a datagram becomes the Via branch of the last
 * request the target sent there, so responses reach its client branches
 * (relayed, forwarded on 486, CANCELed). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz/fuzz.h"
#include "loop/loop.h"
#include "sip/msg.h"
#include "target/target.h"

#define MAX_DGRAMS 16

static const char *const conf_text[] = {
	"realm fuzz\nuser alice secret\n",
	"no-auth\nring-timeout 100\nforward-busy bob carol\nforward-noanswer dave erin\n"
	"location alice sip:alice@127.0.0.1:5070\nlocation carol sip:carol@127.0.0.1:5071\n"
	"location erin sip:erin@127.0.0.1:5072\n",
};
#define NCONF (sizeof(conf_text) / sizeof(conf_text[0]))

static struct tgt_conf confs[NCONF];
static struct loop *lp;
#define NDOWN 4
static int down[NDOWN + 1] = {-1, -1, -1, -1, -1};  /* 5070..5072, 5060, fz_peer */
static char branch[128];

static void open_downstream(void)
{
	unsigned i;

	for (i = 0; i < NDOWN; i++) {
		struct sockaddr_in in;

		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in.sin_port = htons((uint16_t)(i < 3 ? 5070 + i : 5060));
		down[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (down[i] < 0 || bind(down[i], (struct sockaddr *)&in, sizeof(in))) {
			/* taken (not isolated): responses just cannot match */
			if (down[i] >= 0)
				close(down[i]);
			down[i] = -1;
		}
	}
	down[NDOWN] = fz_peer_fd();  /* requests routed back upstream */
}

/* Read what the target sent; keep the top Via branch of the last
 * request. */
static void drain(void)
{
	static char pkt[65536];
	unsigned i;

	for (i = 0; i <= NDOWN; i++) {
		ssize_t n;

		while (down[i] >= 0 && (n = recv(down[i], pkt, sizeof(pkt) - 1, 0)) > 0) {
			const char *b, *e;

			pkt[n] = '\0';
			if (!strncmp(pkt, "SIP/2.0 ", 8))
				continue;  /* a response */
			b = strstr(pkt, ";branch=");
			if (!b)
				continue;
			b += 8;
			e = b + strcspn(b, ";,\r\n ");
			snprintf(branch, sizeof(branch), "%.*s", (int)(e - b), b);
		}
	}
}

static void load_conf(struct tgt_conf *c, const char *text)
{
	char path[64];
	struct diag d = {0};
	int fd = memfd_create("fuzz-target.conf", MFD_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fz_fail("cannot write the target configuration");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (tgt_conf_load(c, path, &d))
		fz_fail(d.msg);
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned i;

	(void)argc;
	(void)argv;
	fz_isolate_or_exit();
	if (msg_init() || loop_alloc(&lp))
		fz_fail("no parser or event loop");
	for (i = 0; i < NCONF; i++)
		load_conf(&confs[i], conf_text[i]);
	(void)fz_peer();
	open_downstream();
	return 0;
}

static void deliver(const char *buf, size_t len, void *arg)
{
	char *subst = fz_subst(buf, &len, "[branch]", branch);

	tp_deliver(tgt_sock(arg), subst ? subst : buf, len, fz_peer());
	free(subst);
	loop_run_deferred(lp);  /* the batched sends go out */
	drain();
}

/* The target's counters on one line. */
static void outcome(struct target *tg, unsigned conf, unsigned n)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int k;

	if (!f)
		return;
	tgt_print_stats(tg, f);
	fclose(f);
	k = snprintf(fz_outcome, sizeof(fz_outcome), "conf %u: %u datagrams:", conf, n);
	/* skip the first line (its port changes), squeeze the blanks */
	for (p = strchr(text, '\n'); p && *p && k < (int)sizeof(fz_outcome) - 2; p++) {
		if (*p == ' ' || *p == '\n') {
			if (fz_outcome[k - 1] != ' ')
				fz_outcome[k++] = ' ';
		} else {
			fz_outcome[k++] = *p;
		}
	}
	while (k > 0 && fz_outcome[k - 1] == ' ')
		k--;
	fz_outcome[k] = '\0';
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target *tg;
	struct diag d = {0};
	unsigned conf, n;

	if (!size)
		return 0;
	conf = data[0] % NCONF;
	drain();
	snprintf(branch, sizeof(branch), "none");
	if (tgt_start(&tg, lp, "127.0.0.1", 0, &confs[conf], &d))
		fz_fail(d.msg);
	tgt_set_log(tg, getenv("FUZZ_TRACE") ? stderr : fz_devnull());
	n = fz_each(data + 1, size - 1, MAX_DGRAMS, deliver, tg);
	outcome(tg, conf, n);
	tgt_free(tg);
	if (loop_timer_count(lp))
		fz_fail("timers left running after tgt_free");
	return 0;
}
