/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile: the run's output files (-json, -junit, -metrics, -pcap and the
 * trace files) checked before the first message is sent, so that no load
 * runs whose report cannot be written. Writes that fail later (a disk
 * that fills during the run) are the writers' to report. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/diag.h"
#include "report/rpt.h"

/* Open path for appending (created when missing; O_NONBLOCK: a FIFO with
 * no reader is refused, not waited on) and write nothing to it: Linux
 * then runs the file's own write check, which refuses /proc files
 * (EIO) and a full device (ENOSPC) that open() alone accepts as root.
 * A file made for the probe is removed again. Returns 0 or an errno. */
static int probe(const char *path)
{
	struct stat sb;
	int existed = stat(path, &sb) == 0, fd, err = 0;

	if (existed && S_ISDIR(sb.st_mode))
		return EISDIR;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno;
	if (write(fd, "", 0) < 0)
		err = errno;
	close(fd);
	if (!existed)
		unlink(path);
	return err;
}

int rpt_out_check(const char *opt, const char *path, int replaced, struct diag *d)
{
	char tmp[4096];
	struct stat sb;
	int err;

	if (!path)
		return 0;
	if (replaced) {
		if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
			return diag_set(d, NULL, 0, "%s %s: cannot write: %s", opt, path,
					S_ISDIR(sb.st_mode) ? strerror(EISDIR) : "not a regular "
					"file (it is written aside and renamed over)");
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
			return diag_set(d, NULL, 0, "%s %s: cannot write: %s", opt, path,
					strerror(ENAMETOOLONG));
		if ((err = probe(tmp)) != 0)
			return diag_set(d, NULL, 0, "%s %s: cannot write %s: %s", opt, path, tmp,
					strerror(err));
	}
	if ((err = probe(path)) != 0)
		return diag_set(d, NULL, 0, "%s %s: cannot write: %s", opt, path, strerror(err));
	return 0;
}
