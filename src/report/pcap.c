/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap: see pcap.h. The only file that writes with libpcap (pcap_dump*);
 * media/pcap_play.c is the only one that reads. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include "report/pcap.h"
#include "transport/tp.h"

struct rpt_pcap {
	pcap_t *p;
	pcap_dumper_t *d;
	uint64_t written;
	uint16_t ip_id;
};

int rpt_pcap_open(struct rpt_pcap **cp, const char *path, struct diag *d)
{
	struct rpt_pcap *c = calloc(1, sizeof(*c));

	if (!c)
		return ENOMEM;
	c->p = pcap_open_dead(DLT_RAW, 65535);
	if (c->p)
		c->d = pcap_dump_open(c->p, path);
	if (!c->d) {
		diag_set(d, NULL, 0, "--pcap %s: %s", path,
			 c->p ? pcap_geterr(c->p) : "cannot start libpcap");
		if (c->p)
			pcap_close(c->p);
		free(c);
		return EIO;
	}
	*cp = c;
	return 0;
}

int rpt_pcap_close(struct rpt_pcap *c)
{
	int err = 0;

	if (!c)
		return 0;
	errno = 0;
	if (pcap_dump_flush(c->d) || ferror(pcap_dump_file(c->d)))
		err = errno ? errno : EIO;
	pcap_dump_close(c->d);
	pcap_close(c->p);
	free(c);
	return err;
}

static int v4(const struct tp_addr *a, uint32_t *ip, uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;

	if (a->ss.ss_family != AF_INET)
		return 0;
	*ip = sin->sin_addr.s_addr;
	*port = ntohs(sin->sin_port);
	return 1;
}

void rpt_pcap_hold(struct rpt_pcap_list *l, const void *buf, size_t len,
		   const struct tp_addr *src, const struct tp_addr *dst, int sent)
{
	char ip[64];
	struct rpt_pcap_msg *m;
	struct timeval tv;

	if (l->n >= RPT_PCAP_PER_CALL || len > 65000)
		return;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return;
	m->v4 = v4(src, &m->src_ip, &m->src_port) && v4(dst, &m->dst_ip, &m->dst_port);
	m->sent = sent;
	tp_addr_ip(sent ? dst : src, ip, sizeof(ip));
	snprintf(m->peer, sizeof(m->peer), "%s:%u", ip, tp_addr_port(sent ? dst : src));
	gettimeofday(&tv, NULL);
	m->unix_us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	m->len = len;
	memcpy(m->data, buf, len);
	m->next = NULL;
	if (!l->head)
		l->tail = &l->head;
	*l->tail = m;
	l->tail = &m->next;
	l->n++;
}

static uint16_t ip_checksum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One datagram as IPv4 + UDP (checksum 0: none) + payload. */
static void dump_one(struct rpt_pcap *c, const struct rpt_pcap_msg *m)
{
	uint8_t pkt[28 + 65000];
	struct pcap_pkthdr h;
	size_t total = 28 + m->len;
	uint16_t ck;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;                          /* IPv4, 20-byte header */
	put16(pkt + 2, (uint16_t)total);
	put16(pkt + 4, c->ip_id++);
	pkt[8] = 64;                            /* TTL */
	pkt[9] = 17;                            /* UDP */
	memcpy(pkt + 12, &m->src_ip, 4);
	memcpy(pkt + 16, &m->dst_ip, 4);
	ck = ip_checksum(pkt, 20);
	put16(pkt + 10, ck);
	put16(pkt + 20, m->src_port);
	put16(pkt + 22, m->dst_port);
	put16(pkt + 24, (uint16_t)(8 + m->len));
	memcpy(pkt + 28, m->data, m->len);
	h.ts.tv_sec = (time_t)(m->unix_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(m->unix_us % 1000000u);
	h.caplen = h.len = (bpf_u_int32)total;
	pcap_dump((u_char *)c->d, &h, pkt);
	c->written++;
}

void rpt_pcap_write(struct rpt_pcap *c, struct rpt_pcap_list *l)
{
	struct rpt_pcap_msg *m;

	for (m = l->head; m; m = m->next)
		if (m->v4)
			dump_one(c, m);
	rpt_pcap_drop(l);
}

void rpt_pcap_drop(struct rpt_pcap_list *l)
{
	struct rpt_pcap_msg *m = l->head, *next;

	for (; m; m = next) {
		next = m->next;
		free(m);
	}
	l->head = NULL;
	l->tail = &l->head;
	l->n = 0;
}

uint64_t rpt_pcap_count(const struct rpt_pcap *c)
{
	return c ? c->written : 0;
}
