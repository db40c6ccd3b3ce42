/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nfq-delay: a fixed delay for the fault cases where the kernel has no
 * netem. Takes the packets an iptables NFQUEUE rule queues to QUEUE and
 * accepts each one DELAY_MS after it arrived, in arrival order, so every
 * packet the rule matches is held the same time and none is lost or
 * reordered. Built only for the tests (check_PROGRAMS), when
 * libnetfilter_queue is there.
 *
 *   nfq-delay QUEUE DELAY_MS
 *
 * Prints "nfq-delay: queue Q bound" once it takes packets (the case
 * waits for that line), and on SIGTERM or SIGINT, after accepting what it
 * still holds: "nfq-delay: N packets held D ms, at most L us late", then
 * exits 0. A queue in another network namespace is another queue: each
 * case's namespace has its own. */
#define _GNU_SOURCE   /* ppoll */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define HELD_MAX 65536     /* packets held at once */

struct held {
	uint32_t id;
	uint64_t due_us;
};

static struct held ring[HELD_MAX];
static unsigned head, count;
static uint64_t delay_us, total, late_max_us, overflow;
static volatile sig_atomic_t stop;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *m, struct nfq_data *nfa,
		     void *arg)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;

	(void)m;
	(void)arg;
	if (!ph)
		return 0;
	id = ntohl(ph->packet_id);
	if (count == HELD_MAX) {
		/* cannot hold it: let it through now, and say so at the end */
		overflow++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL) < 0 ? -1 : 0;
	}
	ring[(head + count) % HELD_MAX].id = id;
	ring[(head + count) % HELD_MAX].due_us = now_us() + delay_us;
	count++;
	total++;
	return 0;
}

/* Accept what is due (everything when all). */
static void release(struct nfq_q_handle *qh, int all)
{
	uint64_t now = now_us();

	while (count && (all || ring[head].due_us <= now)) {
		if (!all && now - ring[head].due_us > late_max_us)
			late_max_us = now - ring[head].due_us;
		if (nfq_set_verdict(qh, ring[head].id, NF_ACCEPT, 0, NULL) < 0)
			fprintf(stderr, "nfq-delay: verdict failed: %s\n", strerror(errno));
		head = (head + 1) % HELD_MAX;
		count--;
	}
}

int main(int argc, char **argv)
{
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	struct sigaction sa;
	char buf[65536] __attribute__((aligned));
	unsigned long qnum, ms;
	char *end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: nfq-delay QUEUE DELAY_MS\n");
		return 2;
	}
	qnum = strtoul(argv[1], &end, 10);
	if (*end || qnum > 65535) {
		fprintf(stderr, "nfq-delay: bad queue number '%s'\n", argv[1]);
		return 2;
	}
	ms = strtoul(argv[2], &end, 10);
	if (*end || ms > 60000) {
		fprintf(stderr, "nfq-delay: bad delay '%s' (0 to 60000 ms)\n", argv[2]);
		return 2;
	}
	delay_us = ms * 1000u;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	h = nfq_open();
	if (!h) {
		fprintf(stderr, "nfq-delay: nfq_open: %s\n", strerror(errno));
		return 1;
	}
	qh = nfq_create_queue(h, (uint16_t)qnum, on_packet, NULL);
	if (!qh) {
		fprintf(stderr, "nfq-delay: cannot bind queue %lu: %s\n", qnum, strerror(errno));
		nfq_close(h);
		return 1;
	}
	/* the verdict needs only the packet's id */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0 ||
	    nfq_set_queue_maxlen(qh, HELD_MAX) < 0) {
		fprintf(stderr, "nfq-delay: cannot set up queue %lu: %s\n", qnum, strerror(errno));
		nfq_destroy_queue(qh);
		nfq_close(h);
		return 1;
	}
	fd = nfq_fd(h);
	printf("nfq-delay: queue %lu bound\n", qnum);
	fflush(stdout);

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts = { 1, 0 }, *tp = &ts;
		int n;

		if (count) {
			uint64_t now = now_us(), due = ring[head].due_us;
			uint64_t wait = due > now ? due - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000u);
			ts.tv_nsec = (long)(wait % 1000000u) * 1000;
		}
		n = ppoll(&pfd, 1, tp, NULL);
		if (n > 0) {
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (r > 0)
				nfq_handle_packet(h, buf, (int)r);
			else if (r < 0 && errno == ENOBUFS)
				fprintf(stderr, "nfq-delay: the kernel dropped packets (ENOBUFS)\n");
		}
		release(qh, 0);
	}
	release(qh, 1);
	printf("nfq-delay: %llu packets held %lu ms, at most %llu us late\n",
	       (unsigned long long)total, ms, (unsigned long long)late_max_us);
	if (overflow)
		printf("nfq-delay: %llu packets let through undelayed (more than %u held)\n",
		       (unsigned long long)overflow, HELD_MAX);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
