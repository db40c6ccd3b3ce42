#!/bin/sh
# House style: no unbounded or error-hiding libc calls in src/.
cd "${SRCDIR:-.}" || exit 99
hits=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets|strtok|alloca)\s*\(' \
	src/*.c src/*/*.c src/*/*.h 2>/dev/null | grep -v 'snprintf\|vsnprintf')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
echo "no banned function in src/"
