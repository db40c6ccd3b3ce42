#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/run.sh: `make fuzz` and `make fuzz-build` (fuzz/README.md). Builds
# the library and the fuzz targets with clang and libFuzzer, ASan and
# UBSan, into $BUILDDIR/fuzz-build/, apart from the normal build; then
# (unless the first argument is "build") runs each target for FUZZ_TIME
# seconds over a corpus made from the seeds, and fails on any finding.
# Make passes: CC SRCDIR BUILDDIR CPPFLAGS LIBS SOURCES TARGETS FUZZ_TIME
# FUZZ_ARGS.
set -u
mode=${1:-run}
CC=${CC:-clang}
FUZZ_TIME=${FUZZ_TIME:-60}
out="$BUILDDIR/fuzz-build"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 $san -Wall -Wno-unused-parameter"

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: no $CC (install clang)"; exit 1; }
mkdir -p "$out/obj" "$out/artifacts" || exit 1

# Compile one source when its object is older than it or than any header
# of src/ and fuzz/ (a header change rebuilds everything: simple, and the
# whole library takes well under a minute).
newest_h=$(ls -t "$SRCDIR"/src/*/*.h "$SRCDIR"/fuzz/*.h "$BUILDDIR/config.h" | head -n 1)
compile() {  # source object extra-flags
	if [ ! -f "$2" ] || [ "$1" -nt "$2" ] || [ "$newest_h" -nt "$2" ]; then
		mkdir -p "$(dirname "$2")"
		echo "  CC (fuzz) $1"
		# shellcheck disable=SC2086
		$CC $cflags $3 $CPPFLAGS -c "$1" -o "$2" || exit 1
	fi
}

objs=""
for s in $SOURCES; do
	case $s in *.c) ;; *) continue ;; esac
	o="$out/obj/${s%.c}.o"
	compile "$SRCDIR/$s" "$o" "-fsanitize=fuzzer-no-link"
	objs="$objs $o"
done
compile "$SRCDIR/fuzz/common.c" "$out/obj/fuzz/common.o" "-fsanitize=fuzzer-no-link"
for t in $TARGETS; do
	compile "$SRCDIR/fuzz/fuzz_$t.c" "$out/obj/fuzz/fuzz_$t.o" \
		"-fsanitize=fuzzer-no-link -DFZ_SRCDIR=\"$SRCDIR\""
	echo "  LD (fuzz) fuzz_$t"
	# shellcheck disable=SC2086
	$CC $cflags -fsanitize=fuzzer -o "$out/fuzz_$t" "$out/obj/fuzz/fuzz_$t.o" \
		"$out/obj/fuzz/common.o" $objs $LIBS || exit 1
done
case $mode in *build) exit 0 ;; esac

# The corpus of each target: its seeds, plus the shipped and built-in
# scenarios (scenario) and the RFC 4475/5118 torture messages (engine,
# target, stream), which need the target's leading selector byte. What
# earlier runs found stays in the corpus.
seed() {  # target name selector-octal file
	printf "\\$3" >"$out/corpus/$1/$2"
	cat "$4" >>"$out/corpus/$1/$2"
}
for t in $TARGETS; do
	mkdir -p "$out/corpus/$t"
	cp "$SRCDIR/fuzz/seeds/$t"/* "$out/corpus/$t/" 2>/dev/null
	cp "$SRCDIR/fuzz/regress/$t"/* "$out/corpus/$t/" 2>/dev/null
	rm -f "$out/corpus/$t"/*.expect
done
for f in "$SRCDIR"/scenarios/*.xml; do
	cp "$f" "$out/corpus/scenario/shipped-$(basename "$f")"
done
for n in uac uas regexp branchc branchs; do
	"$BUILDDIR/src/sipbench" -sd "$n" >"$out/corpus/scenario/builtin-$n.xml" 2>/dev/null ||
		rm -f "$out/corpus/scenario/builtin-$n.xml"
done
for f in "$SRCDIR"/tests/torture/*.sip; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .sip)
	seed engine "torture-$b-0" 000 "$f"
	seed engine "torture-$b-1" 001 "$f"
	seed target "torture-$b-0" 000 "$f"
	seed target "torture-$b-1" 001 "$f"
	seed stream "torture-$b" 000 "$f"
done

status=0
for t in $TARGETS; do
	echo "fuzz: fuzz_$t for $FUZZ_TIME s ($(ls "$out/corpus/$t" | wc -l) inputs in the corpus)"
	# -close_fd_mask=3: the targets' own output (warnings of the
	# scenario loader) is off; libFuzzer's and the sanitizers' is not
	# shellcheck disable=SC2086
	"$out/fuzz_$t" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -dict="$SRCDIR/fuzz/sip.dict" -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" ${FUZZ_ARGS:-} \
		"$out/corpus/$t" >"$out/$t.log" 2>&1
	rc=$?
	tail -n 20 "$out/$t.log" | grep -E '^(#[0-9]+|stat::|Done|==|SUMMARY)' | tail -n 12
	if [ $rc -ne 0 ]; then
		echo "fuzz: fuzz_$t FAILED (exit $rc): see $out/$t.log and $out/artifacts/"
		status=1
	fi
done
exit $status
