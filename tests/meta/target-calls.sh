#!/bin/sh
# The files of src/target/ call one way (docs/internals/target.md): the
# graph "file -> file whose tgt_ function it calls", read from the
# objects with nm, has no cycle. A cycle fails with the edges.
dir="${BUILDDIR:-.}/src/target"
[ -f "$dir/proxy.o" ] || { echo "no $dir/proxy.o: build first"; exit 77; }
defs=$(for o in "$dir"/*.o; do
	nm -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" '$2 == "T" { print $3, f }'
done)
edges=$(for o in "$dir"/*.o; do
	f=$(basename "$o" .o)
	for u in $(nm -u "$o" | awk '$2 ~ /^tgt_/ { print $2 }'); do
		echo "$defs" | awk -v u="$u" -v f="$f" '$1 == u && $2 != f { print f, $2 }'
	done
done | sort -u)
[ -n "$edges" ] || { echo "no calls between the files of src/target/ found"; exit 1; }
if ! echo "$edges" | tsort >/dev/null 2>&1; then
	echo "src/target/ has a cycle among these calls:"
	echo "$edges"
	exit 1
fi
echo "src/target/ calls one way ($(echo "$edges" | wc -l) edges)"
