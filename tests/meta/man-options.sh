#!/bin/sh
# The OPTIONS section of sipbench(1) is what tools/gen-man-options makes
# from src/cli/opts.def: edit the table or the tool's EXTRA, never the
# section by hand (a hand edit is lost at the next regeneration).
src=$(cd "${SRCDIR:-.}" && pwd) || exit 99
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/cli" "$tmp/man"
cp "$src/src/cli/opts.def" "$src/src/cli/opts.c" "$tmp/src/cli/" &&
	cp "$src/man/sipbench.1" "$tmp/man/" || exit 99
(cd "$tmp" && python3 "$src/tools/gen-man-options") || exit 99
if ! diff -u "$src/man/sipbench.1" "$tmp/man/sipbench.1"; then
	echo "man/sipbench.1's OPTIONS differ from tools/gen-man-options' output (above):"
	echo "move the hand-written text into opts.def or the tool's EXTRA, then run it"
	exit 1
fi
echo "man/sipbench.1's OPTIONS are generated from opts.def"
