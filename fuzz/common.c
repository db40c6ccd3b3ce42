/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common: network isolation, the peer address, input splitting. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz/fuzz.h"

char fz_outcome[512];

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

int fz_isolate(void)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWNET)) {
		/* not privileged: a user namespace first, mapping us to root */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
			fprintf(stderr, "fuzz: cannot enter a network namespace: %s\n",
				strerror(errno));
			return -1;
		}
		(void)write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", uid);
		(void)write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", gid);
		(void)write_file("/proc/self/gid_map", map);
	}
	if (lo_up()) {
		fprintf(stderr, "fuzz: cannot bring up the loopback interface: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

void fz_isolate_or_exit(void)
{
	if (fz_isolate() && !getenv("FUZZ_NO_ISOLATION")) {
		fprintf(stderr, "fuzz: not fuzzing outside a network namespace: inputs may "
			"name any address (FUZZ_NO_ISOLATION=1 overrides)\n");
		exit(77);
	}
}

static int peer_fd = -1;

int fz_peer_fd(void)
{
	(void)fz_peer();
	return peer_fd;
}

const struct tp_addr *fz_peer(void)
{
	static struct tp_addr a;
	int fd = peer_fd;

	if (fd < 0) {
		struct sockaddr_in in;
		socklen_t len = sizeof(in);
		int small = 4096;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) ||
		    getsockname(fd, (struct sockaddr *)&in, &len))
			fz_fail("cannot bind the peer socket on 127.0.0.1");
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		memcpy(&a.ss.in, &in, sizeof(in));
		a.len = sizeof(in);
		(void)fcntl(fd, F_SETFL, O_NONBLOCK);
		peer_fd = fd;
	}
	return &a;
}

FILE *fz_devnull(void)
{
	static FILE *f;

	if (!f && !(f = fopen("/dev/null", "w")))
		fz_fail("cannot open /dev/null");
	return f;
}

int fz_hostile_tail;

char *fz_copy(const void *data, size_t len)
{
	static const char tail[] = "\r\n\r\n]]>-->>\r\n\r\n";
	size_t extra = fz_hostile_tail ? sizeof(tail) : 0;
	char *p = malloc(len + extra ? len + extra : 1);

	if (!p)
		fz_fail("out of memory");
	memcpy(p, data, len);
	memcpy(p + len, tail, extra);
	return p;
}

char *fz_subst(const char *buf, size_t *len, const char *key, const char *value)
{
	const size_t kl = strlen(key), vl = strlen(value);
	const char *p, *end = buf + *len, *hit;
	char *out, *o;
	size_t n = 0;

	for (p = buf; (hit = memmem(p, (size_t)(end - p), key, kl)); p = hit + kl)
		n++;
	if (!n)
		return NULL;
	out = o = malloc(*len + n * vl + 1);
	if (!out)
		fz_fail("out of memory");
	for (p = buf; (hit = memmem(p, (size_t)(end - p), key, kl)); p = hit + kl) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, value, vl);
		o += vl;
	}
	memcpy(o, p, (size_t)(end - p));
	o += end - p;
	*len = (size_t)(o - out);
	o = fz_copy(out, *len);  /* exactly its bytes (and the replay's tail) */
	free(out);
	return o;
}

unsigned fz_each(const uint8_t *data, size_t size, unsigned max, fz_dgram_h *h, void *arg)
{
	const uint8_t *end = data + size;
	unsigned n = 0;

	while (data < end && n < max) {
		const uint8_t *sep = memchr(data, FZ_SEP, (size_t)(end - data));
		size_t len = (size_t)((sep ? sep : end) - data);
		char *copy = fz_copy(data, len);

		h(copy, len, arg);
		free(copy);
		n++;
		data += len + (sep != NULL);
	}
	return n;
}

void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}
