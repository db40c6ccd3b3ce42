/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_scenario: the scenario loader (src/scenario/: the XML document
 * from memory, lenient fix-ups, steps, actions, keyword compilation,
 * labels and flow), fed scenario XML; and the injection-file reader
 * (src/engine/inject.c) for an input whose first line starts as one
 * (SEQUENTIAL, RANDOM or USER). Either loads, or fails with a message
 * that says why: an error without one is a finding too. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include "engine/engine.h"
#include "engine/internal.h"
#include "fuzz/fuzz.h"
#include "scenario/prog.h"

static int inj_fd = -1;

static const char *const set_names[] = {"x", "user"};
static const char *const set_values[] = {"1", "alice"};
static const char *const key_names[] = {"k"};
static const struct scn_opts opts = {
	.set_names = set_names, .nset = 2, .set_values = set_values,
	.key_names = key_names, .nkey = 1,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	inj_fd = memfd_create("fuzz-inject.csv", MFD_CLOEXEC);
	if (inj_fd < 0)
		fz_fail("no memfd");
	return 0;
}

static void injection(const uint8_t *data, size_t size)
{
	char path[64];
	struct inj inj;
	struct diag d = {0};
	unsigned i, r, real, col, fields = 0;
	struct buf b;

	if (ftruncate(inj_fd, 0) || pwrite(inj_fd, data, size, 0) != (ssize_t)size)
		fz_fail("cannot write the memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", inj_fd);
	if (inj_load(&inj, path, &d)) {
		if (!d.msg[0])
			fz_fail("inj_load failed without a message");
		snprintf(fz_outcome, sizeof(fz_outcome), "injection: error: %s", d.msg);
		return;
	}
	/* what the engine does with it: a row per call, fields by column
	 * (a PRINTF file's virtual line v is row v % nrows, formatted) */
	buf_init(&b, 1 << 16);
	for (i = 0; i < inj.nrows + 2; i++) {
		r = inj_next_row(&inj);
		real = (inj.vbase + r * inj.vstride) % inj.nrows;
		for (col = 0; col < 8; col++) {
			if (r >= inj.vrows || col >= inj.ncols[real])
				continue;
			fields++;
			buf_reset(&b);
			(void)inj_field_add(&inj, r, col, &b);  /* may pass b's bound */
		}
	}
	buf_free(&b);
	snprintf(fz_outcome, sizeof(fz_outcome), "injection: %u rows, %u fields read",
		 inj.nrows, fields);
	inj_free(&inj);
}

static int starts_as_injection(const uint8_t *data, size_t size)
{
	static const char *const heads[] = {"SEQUENTIAL", "RANDOM", "USER"};
	unsigned i;

	for (i = 0; i < 3; i++)
		if (size >= strlen(heads[i]) && !strncasecmp((const char *)data, heads[i],
							     strlen(heads[i])))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prog *p = NULL;
	struct diag d = {0};
	char *copy;
	unsigned i, k, nsteps = 0, jumps = 0;

	if (starts_as_injection(data, size)) {
		injection(data, size);
		return 0;
	}
	/* exactly the input's bytes: a read past them is ASan's to report */
	copy = fz_copy(data, size);
	if (scn_load_mem(&p, copy, size, "fuzz.xml", &opts, &d)) {
		if (!d.msg[0])
			fz_fail("scn_load_mem failed without a message");
		if (p)
			fz_fail("scn_load_mem failed but returned a scenario");
		snprintf(fz_outcome, sizeof(fz_outcome), "error: %d: %s", d.line, d.msg);
	} else {
		if (!p || !p->nuas)
			fz_fail("scn_load_mem succeeded without a party");
		for (i = 0; i <= p->nuas; i++) {
			const struct prog_ua *u = i < p->nuas ? &p->uas[i] : &p->init;

			nsteps += u->nsteps;
			for (k = 0; k < u->nsteps; k++) {
				jumps += u->steps[k].next >= 0;
				jumps += u->steps[k].ontimeout >= 0;
			}
		}
		snprintf(fz_outcome, sizeof(fz_outcome), "loaded: %u parties, %u steps, "
			 "%u jumps, %u variables, %s", p->nuas, nsteps, jumps, p->nvars,
			 eng_prog_is_server(p) ? "server" : "client");
		scn_free(p);
	}
	free(copy);
	return 0;
}
