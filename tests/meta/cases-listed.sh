#!/bin/sh
# Every tests/cases/*.xml is listed in tests/cases.am (else make check
# would silently not run it). Fix with: sh tests/gen-cases-am
cd "${SRCDIR:-.}" || exit 99
rc=0
for f in tests/cases/*.xml; do
	grep -q "$f" tests/cases.am || { echo "not in tests/cases.am: $f"; rc=1; }
done
exit $rc
