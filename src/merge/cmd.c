/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd: `sipbench merge`, its options and output: the reports added in
 * order (merge.c), the summary, the merged JSON report (-o). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "merge/merge_int.h"

#define EXIT_FATAL 255

static void usage(FILE *f)
{
	fprintf(f, "Usage: sipbench merge [-o FILE] REPORT.json...\n\n"
		"Merge the JSON reports (-json) of the shards of one run (-shard K/N), or of\n"
		"runs of one scenario, into one: counts summed, histograms merged bucket by\n"
		"bucket, percentiles from the merged buckets. Prints the summary; -o FILE\n"
		"writes the merged JSON report (-o -: on stdout, the summary then on stderr).\n"
		"Exit status: the merged run's (0, 1, 97, 99), 255 on bad input.\n");
}

static int write_json(const char *path, const struct rpt_run *r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int err;

	if (!f) {
		fprintf(stderr, "sipbench merge: error: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	err = rpt_json(f, r);
	if (f != stdout ? fclose(f) : fflush(f))
		err = err ? err : errno;
	if (err)
		fprintf(stderr, "sipbench merge: error: cannot write %s: %s\n", path,
			strerror(err));
	return err ? -1 : 0;
}

static int merge_files(char **files, unsigned n, const char *out)
{
	struct mrg *m;
	struct rpt_run r;
	struct diag d = {0};
	FILE *sum = out && !strcmp(out, "-") ? stderr : stdout;
	unsigned i;
	int rc = EXIT_FATAL, err = 0;

	if (mrg_alloc(&m))
		return EXIT_FATAL;
	for (i = 0; i < n && !err; i++)
		err = mrg_add_file(m, files[i], &d);
	if (err) {
		if (err == ENOMEM)
			fprintf(stderr, "sipbench merge: error: out of memory\n");
		else
			diag_print(&d);
		goto out;
	}
	mrg_result(m, &r, stderr);
	fprintf(sum, "\nsipbench merge: %u reports", n);
	if (m->shard_count) {
		fprintf(sum, ", shards");
		for (i = 0; i < m->nmerged; i++)
			fprintf(sum, "%s %u", i ? "," : "", m->merged[i]);
		fprintf(sum, " of %u", m->shard_count);
	}
	fprintf(sum, "; exit status %d\n", r.exit_status);
	rpt_summary(sum, &r);
	if (out && write_json(out, &r))
		goto out;
	rc = r.exit_status;
out:
	mrg_free(m);
	return rc;
}

int mrg_main(int argc, char **argv)
{
	const char *out = NULL;
	char **files = calloc((size_t)argc, sizeof(*files));
	unsigned n = 0;
	int i, rc;

	if (!files)
		return EXIT_FATAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-help")) {
			usage(stdout);
			free(files);
			return 0;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "sipbench merge: error: -o needs FILE (- for stdout)\n");
				free(files);
				return EXIT_FATAL;
			}
			out = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sipbench merge: error: unknown option '%s'\n", a);
			usage(stderr);
			free(files);
			return EXIT_FATAL;
		} else {
			files[n++] = argv[i];
		}
	}
	if (!n) {
		fprintf(stderr, "sipbench merge: error: no report given\n");
		usage(stderr);
		free(files);
		return EXIT_FATAL;
	}
	rc = merge_files(files, n, out);
	free(files);
	return rc;
}
