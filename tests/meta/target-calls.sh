#!/bin/sh
# The files of src/target/ (docs/internals/target.md), of src/scenario/
# (docs/internals/prog.md) and of src/merge/ (docs/internals/merge.md)
# call one way: per folder,
# the graph "file -> file whose prefixed function it calls", read from
# the objects with nm, has no cycle. A cycle fails with the edges.
status=0
check() { # folder prefix object-that-must-exist
	dir="${BUILDDIR:-.}/src/$1"
	[ -f "$dir/$3.o" ] || { echo "no $dir/$3.o: build first"; exit 77; }
	defs=$(for o in "$dir"/*.o; do
		nm -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" '$2 == "T" { print $3, f }'
	done)
	edges=$(for o in "$dir"/*.o; do
		f=$(basename "$o" .o)
		for u in $(nm -u "$o" | awk -v p="^$2" '$2 ~ p { print $2 }'); do
			echo "$defs" | awk -v u="$u" -v f="$f" '$1 == u && $2 != f { print f, $2 }'
		done
	done | sort -u)
	if [ -z "$edges" ]; then
		echo "no calls between the files of src/$1/ found"
		status=1
	elif ! echo "$edges" | tsort >/dev/null 2>&1; then
		echo "src/$1/ has a cycle among these calls:"
		echo "$edges"
		status=1
	else
		echo "src/$1/ calls one way ($(echo "$edges" | wc -l) edges)"
	fi
}
check target tgt_ proxy
check scenario scn_ scenario
check merge mrg_ merge
exit $status
