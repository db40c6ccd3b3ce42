#!/bin/sh
# The man pages render without warnings.
src="${SRCDIR:-.}"
command -v groff >/dev/null || { echo "groff not installed"; exit 77; }
out=$(groff -man -ww -z "$src/man/sipbench.1" "$src/man/sipbench-scenario.5" 2>&1)
[ -z "$out" ] || { echo "$out"; exit 1; }
echo "man pages render cleanly"
