/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_play: read a capture for replay (see pcap_play.h). The only file
 * that calls libpcap's offline reader; frames are taken apart here with
 * bounds checks on every header. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "media/pcap_play.h"

/* Link types we take apart (pcap-linktype(7)); DLT_ numbers differ
 * between systems for some, LINKTYPE_ numbers are what files hold. */
#define LT_NULL 0
#define LT_ETHERNET 1
#define LT_RAW 101
#define LT_LINUX_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_LINUX_SLL2 276

struct growing {
	struct media_pkt *pkts;
	unsigned n, cap;
	unsigned char *data;
	size_t used, dcap;
};

/* Offset of the IP header in a frame, and its version; -1: not IP. */
static long ip_start(int lt, const unsigned char *f, size_t n)
{
	unsigned et;

	switch (lt) {
	case LT_RAW: case LT_IPV4: case LT_IPV6:
		return 0;
	case LT_NULL:
		return n >= 4 ? 4 : -1;
	case LT_ETHERNET: {
		size_t o = 12;

		if (n < 14)
			return -1;
		et = (unsigned)f[o] << 8 | f[o + 1];
		while ((et == 0x8100 || et == 0x88a8) && n >= o + 6) {  /* 802.1Q tags */
			o += 4;
			et = (unsigned)f[o] << 8 | f[o + 1];
		}
		return et == 0x0800 || et == 0x86dd ? (long)o + 2 : -1;
	}
	case LT_LINUX_SLL:
		if (n < 16)
			return -1;
		et = (unsigned)f[14] << 8 | f[15];
		return et == 0x0800 || et == 0x86dd ? 16 : -1;
	case LT_LINUX_SLL2:
		if (n < 20)
			return -1;
		et = (unsigned)f[0] << 8 | f[1];
		return et == 0x0800 || et == 0x86dd ? 20 : -1;
	default:
		return -1;
	}
}

/* The UDP header of an IP packet: offset, or -1 (not UDP, a fragment
 * after the first, too short). */
static long udp_start(const unsigned char *ip, size_t n)
{
	if (n >= 20 && ip[0] >> 4 == 4) {
		size_t ihl = (size_t)(ip[0] & 15) * 4;

		if (ihl < 20 || n < ihl + 8 || ip[9] != 17 || ((ip[6] & 0x1f) | ip[7]))
			return -1;
		return (long)ihl;
	}
	/* IPv6 without extension headers: what RTP captures hold */
	if (n >= 48 && ip[0] >> 4 == 6 && ip[6] == 17)
		return 40;
	return -1;
}

static int add(struct growing *g, uint64_t t_us, const unsigned char *p, size_t len,
	       unsigned dport)
{
	if (g->n == g->cap) {
		unsigned c = g->cap ? g->cap * 2 : 256;
		struct media_pkt *v = realloc(g->pkts, c * sizeof(*v));

		if (!v)
			return ENOMEM;
		g->pkts = v;
		g->cap = c;
	}
	if (g->used + len > g->dcap) {
		size_t c = g->dcap ? g->dcap * 2 : 65536;
		unsigned char *v;

		while (c < g->used + len)
			c *= 2;
		if (!(v = realloc(g->data, c)))
			return ENOMEM;
		g->data = v;
		g->dcap = c;
	}
	memcpy(g->data + g->used, p, len);
	g->pkts[g->n].t_us = t_us;
	g->pkts[g->n].off = (uint32_t)g->used;
	g->pkts[g->n].len = (uint16_t)len;
	g->pkts[g->n].port_off = (int32_t)dport;  /* made relative at the end */
	g->used += len;
	g->n++;
	return 0;
}

/* One frame: its UDP payload is added, anything else is skipped. */
static int frame(struct growing *g, int lt, const struct pcap_pkthdr *h,
		 const unsigned char *f, uint64_t *t0)
{
	long ip = ip_start(lt, f, h->caplen), udp;
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	size_t ulen;

	if (ip < 0 || h->caplen < h->len)
		return 0;  /* not IP, or cut short by the capture's snap length */
	udp = udp_start(f + ip, h->caplen - (size_t)ip);
	if (udp < 0)
		return 0;
	f += ip + udp;
	ulen = (size_t)f[4] << 8 | f[5];
	if (ulen < 8 || ulen > h->caplen - (size_t)(ip + udp))
		return 0;
	if (!g->n)
		*t0 = t;
	return add(g, t >= *t0 ? t - *t0 : 0, f + 8, ulen - 8, (unsigned)f[2] << 8 | f[3]);
}

static int read_all(pcap_t *p, struct growing *g, struct diag *d, const char *path)
{
	struct pcap_pkthdr *h;
	const unsigned char *f;
	int lt = pcap_datalink(p), rc, err;
	uint64_t t0 = 0;

	if (lt != LT_NULL && lt != LT_ETHERNET && lt != LT_RAW && lt != LT_LINUX_SLL &&
	    lt != LT_IPV4 && lt != LT_IPV6 && lt != LT_LINUX_SLL2)
		return diag_set(d, NULL, 0, "%s: link type %d is not one sipbench plays "
				"(Ethernet, Linux cooked, raw IP, loopback)", path, lt);
	while ((rc = pcap_next_ex(p, &h, &f)) == 1)
		if ((err = frame(g, lt, h, f, &t0)))
			return err;
	if (rc == PCAP_ERROR)
		return diag_set(d, NULL, 0, "%s: %s", path, pcap_geterr(p));
	if (!g->n)
		return diag_set(d, NULL, 0, "%s: no UDP packet to play", path);
	return 0;
}

int media_pcap_read(struct media_pcap **pcp, const char *path, struct diag *d)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct growing g = {0};
	struct media_pcap *pc = NULL;
	pcap_t *p = pcap_open_offline(path, ebuf);
	unsigned i, first;
	int err;

	if (!p)
		return diag_set(d, NULL, 0, "cannot read pcap %s: %s", path, ebuf), EIO;
	err = read_all(p, &g, d, path);
	pcap_close(p);
	if (!err && !(pc = calloc(1, sizeof(*pc))))
		err = ENOMEM;
	if (!err && !(pc->path = strdup(path)))
		err = ENOMEM;
	if (err) {
		free(pc);
		free(g.pkts);
		free(g.data);
		return err;
	}
	first = (unsigned)g.pkts[0].port_off;
	for (i = 0; i < g.n; i++)
		g.pkts[i].port_off -= (int32_t)first;
	pc->pkts = g.pkts;
	pc->n = g.n;
	pc->data = g.data;
	pc->dur_us = g.pkts[g.n - 1].t_us;
	*pcp = pc;
	return 0;
}

void media_pcap_free(struct media_pcap *pc)
{
	if (!pc)
		return;
	free(pc->path);
	free(pc->pkts);
	free(pc->data);
	free(pc);
}
