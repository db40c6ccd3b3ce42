#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/replay.sh (make check): each fuzz target, built with gcc, runs its
# seeds and regression inputs (fuzz/seeds/T, fuzz/regress/T); a
# regression input with a .expect file must give that outcome exactly.
# A crash, a broken invariant of the target or a wrong outcome fails.
src="${SRCDIR:-.}"
build="${BUILDDIR:-.}"
status=0
for t in engine target scenario stream; do
	prog="$build/fuzz/replay_$t"
	[ -x "$prog" ] || { echo "no $prog: build it first (make check)"; exit 1; }
	extra=
	[ $t = scenario ] && extra="$src/scenarios"
	"$prog" "$src/fuzz/seeds/$t" "$src/fuzz/regress/$t" $extra >"$build/fuzz/replay_$t.out" 2>&1
	rc=$?
	[ $rc -eq 77 ] && { echo "replay_$t: skipped (no network namespace)"; exit 77; }
	[ $rc -eq 0 ] || status=1
	echo "replay_$t (exit $rc): $(tail -n 1 "$build/fuzz/replay_$t.out")"
	[ $rc -eq 0 ] || cat "$build/fuzz/replay_$t.out"
done
exit $status
