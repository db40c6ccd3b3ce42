/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_pingpong: the physical ceiling of this machine for a SIP-like load.
 * Two processes on loopback bounce datagrams of a SIP message's size for
 * a fixed time, 32 in flight: first one syscall per datagram
 * (sendto/recvfrom), then batches (sendmmsg/recvmmsg). Prints datagrams/s
 * for each.
 *   udp_pingpong [seconds] [size]        (defaults: 3 s, 500 bytes)    */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int udp_socket(struct sockaddr_in *a)
{
	socklen_t l = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = {1, 0};

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(fd, (struct sockaddr *)a, &l)) {
		perror("udp socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The echo side: send back whatever comes, until a 1 s silence. */
static void echo(int fd, int batched)
{
	static char buf[BATCH][2048];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH];
	int i, n;

	for (;;) {
		if (!batched) {
			struct sockaddr_in f;
			socklen_t fl = sizeof(f);
			ssize_t r = recvfrom(fd, buf[0], sizeof(buf[0]), 0, (struct sockaddr *)&f, &fl);

			if (r < 0)
				return;
			sendto(fd, buf[0], (size_t)r, 0, (struct sockaddr *)&f, fl);
			continue;
		}
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		sendmmsg(fd, m, (unsigned)n, 0);
	}
}

/* The pinging side: keep `depth` datagrams in flight for `secs`. */
static double ping(int fd, const struct sockaddr_in *to, int batched, int depth, double secs,
		   size_t size)
{
	static char buf[BATCH][2048];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	unsigned long long got = 0;
	double t0 = now(), t;
	int i, n;

	memset(buf, 'x', sizeof(buf));
	memset(m, 0, sizeof(m));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = size;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_name = (void *)to;
		m[i].msg_hdr.msg_namelen = sizeof(*to);
	}
	for (i = 0; i < depth; i++)
		sendto(fd, buf[0], size, 0, (const struct sockaddr *)to, sizeof(*to));
	while ((t = now()) - t0 < secs) {
		if (!batched) {
			if (recv(fd, buf[0], sizeof(buf[0]), 0) < 0)
				break;
			got++;
			sendto(fd, buf[0], size, 0, (const struct sockaddr *)to, sizeof(*to));
			continue;
		}
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_len = sizeof(buf[i]);
			m[i].msg_hdr.msg_name = NULL;
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			break;
		got += (unsigned long long)n;
		for (i = 0; i < n; i++) {
			iov[i].iov_len = size;
			m[i].msg_hdr.msg_name = (void *)to;
			m[i].msg_hdr.msg_namelen = sizeof(*to);
		}
		sendmmsg(fd, m, (unsigned)n, 0);
	}
	return (double)got / (now() - t0);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	size_t size = argc > 2 ? (size_t)atoi(argv[2]) : 500;
	int batched;

	if (secs <= 0 || secs > 60 || size < 1 || size > 2000) {
		fprintf(stderr, "usage: udp_pingpong [seconds 0-60] [size 1-2000]\n");
		return 2;
	}
	for (batched = 0; batched < 2; batched++) {
		struct sockaddr_in a, b;
		int fa = udp_socket(&a), fb = udp_socket(&b);
		pid_t pid = fork();

		if (pid == 0) {
			close(fa);
			echo(fb, batched);
			_exit(0);
		}
		close(fb);
		printf("%-34s %10.0f datagrams/s (each way, %zu bytes)\n",
		       batched ? "recvmmsg/sendmmsg, 32 in flight:" : "recvfrom/sendto, 32 in flight:",
		       ping(fa, &b, batched, BATCH, secs, size), size);
		fflush(stdout);
		close(fa);
		waitpid(pid, NULL, 0);
	}
	return 0;
}
