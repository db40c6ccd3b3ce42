#!/bin/sh
# Every option row of src/cli/opts.def appears in man/sipbench.1 and in
# `sipbench --help` (one source, no drift; curl's test1139 idea).
src="${SRCDIR:-.}"
bin="${SIPBENCH:-./src/sipbench}"
[ -x "$bin" ] || { echo "no $bin: build first"; exit 77; }
help=$("$bin" --help) || { echo "--help failed"; exit 1; }
rc=0
for o in $(sed -n 's/^OPT("\([A-Za-z_0-9]*\)".*/\1/p' "$src/src/cli/opts.def"); do
	printf '%s\n' "$help" | grep -qE -- "(^| )-$o( |$)" ||
		{ echo "-$o missing from --help"; rc=1; }
	grep -qE -- "^\.B[IR]? \\\\-$o( |\$)" "$src/man/sipbench.1" ||
		{ echo "-$o missing from man/sipbench.1"; rc=1; }
done
[ $rc = 0 ] && echo "every option is in --help and the man page"
exit $rc
