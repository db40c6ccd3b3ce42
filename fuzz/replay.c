/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay: main() for a fuzz target built without libFuzzer (gcc, `make
 * check`): run each file given, or each file of each directory given,
 * through LLVMFuzzerTestOneInput. A file NAME with a NAME.expect beside
 * it must produce that outcome line (fz_outcome) exactly. Without
 * arguments (the way `make check` runs it) a program named replay_T runs
 * $SRCDIR/fuzz/seeds/T and $SRCDIR/fuzz/regress/T (and $SRCDIR/scenarios
 * for the loader), each of which must exist and hold inputs. Exit 0 when
 * every input ran and matched, 1 otherwise (also when nothing ran); 77
 * when the target cannot run here (LLVMFuzzerInitialize); a crash is a
 * crash. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz/fuzz.h"

static unsigned nrun, nchecked, nbad;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		p[n] = '\0';
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static int is_expect(const char *path)
{
	size_t n = strlen(path);

	return n > 7 && !strcmp(path + n - 7, ".expect");
}

static void run_file(const char *path)
{
	char epath[4096], *data, *want;
	size_t len, wlen;

	if (is_expect(path))
		return;
	data = slurp(path, &len);
	if (!data) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		nbad++;
		return;
	}
	fz_outcome[0] = '\0';
	/* named before it runs: a crash (abort, ASan) then names its input */
	printf("replaying %s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	nrun++;
	if (getenv("FUZZ_SHOW"))
		printf("%s: %s\n", path, fz_outcome);
	snprintf(epath, sizeof(epath), "%s.expect", path);
	want = slurp(epath, &wlen);
	if (!want)
		return;
	while (wlen && (want[wlen - 1] == '\n' || want[wlen - 1] == '\r'))
		want[--wlen] = '\0';
	nchecked++;
	if (strcmp(want, fz_outcome)) {
		fprintf(stderr, "%s:\n  expected: %s\n  got:      %s\n", path, want, fz_outcome);
		nbad++;
	} else {
		printf("ok %s: %s\n", path, fz_outcome);
	}
	free(want);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, i;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name)))
			fz_fail("out of memory");
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			run_file(path);
		free(names[i]);
	}
	free(names);
}

/* a named directory must be there and hold inputs: a renamed or missing
 * seed directory is a failure, not a pass over nothing */
static void run_required_dir(const char *dir)
{
	struct stat st;
	unsigned before = nrun;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: no such directory\n", dir);
		nbad++;
		return;
	}
	run_dir(dir);
	if (nrun == before) {
		fprintf(stderr, "%s: no inputs in it\n", dir);
		nbad++;
	}
}

/* replay_T without arguments: T's seeds and regression inputs */
static void run_defaults(const char *argv0)
{
	const char *src = getenv("SRCDIR"), *base = strrchr(argv0, '/');
	const char *t;
	char dir[4096];

	if (!src || !*src)
		src = ".";
	base = base ? base + 1 : argv0;
	if (strncmp(base, "replay_", 7) || !base[7]) {
		fprintf(stderr, "%s: give files or directories to replay\n", argv0);
		nbad++;
		return;
	}
	t = base + 7;
	snprintf(dir, sizeof(dir), "%s/fuzz/seeds/%s", src, t);
	run_required_dir(dir);
	snprintf(dir, sizeof(dir), "%s/fuzz/regress/%s", src, t);
	run_required_dir(dir);
	if (!strcmp(t, "scenario")) {
		snprintf(dir, sizeof(dir), "%s/scenarios", src);
		run_required_dir(dir);
	}
}

int main(int argc, char **argv)
{
	int i;

	/* a plain build shows a read past the input by a wrong outcome; under
	 * ASan (--enable-sanitizers) exact copies let ASan report it */
#ifndef __SANITIZE_ADDRESS__
	fz_hostile_tail = 1;
#endif
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
		run_defaults(argv[0]);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			nbad++;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("%u inputs replayed, %u outcomes checked, %u wrong\n", nrun, nchecked, nbad);
	return nbad || !nrun ? 1 : 0;
}
