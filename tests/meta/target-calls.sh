#!/bin/sh
# The files of src/target/ (docs/internals/target.md), of src/scenario/
# (docs/internals/prog.md), of src/engine/ (docs/internals/engine.md)
# and of src/merge/ (docs/internals/merge.md) call one way: per folder,
# the graph "file -> file whose prefixed function it calls", read from
# the objects with nm, has no cycle. A cycle fails with the edges.
# Calls through a function pointer (the engine's struct eng_hooks) are
# not edges: they are the way up.
status=0
check() { # folder prefix-regexp object-that-must-exist [ignored-edge ...]
	dir="${BUILDDIR:-.}/src/$1"
	[ -f "$dir/$3.o" ] || { echo "no $dir/$3.o: build first"; exit 77; }
	folder=$1 prefix=$2
	shift 3
	defs=$(for o in "$dir"/*.o; do
		nm -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" '$2 == "T" { print $3, f }'
	done)
	edges=$(for o in "$dir"/*.o; do
		f=$(basename "$o" .o)
		for u in $(nm -u "$o" | awk -v p="^$prefix" '$2 ~ p { print $2 }'); do
			echo "$defs" | awk -v u="$u" -v f="$f" '$1 == u && $2 != f { print f, $2 }'
		done
	done | sort -u)
	for ign in "$@"; do
		echo "$edges" | grep -qx "$ign" &&
			echo "src/$folder/: edge '$ign' ignored for now (see below)"
		edges=$(echo "$edges" | grep -vx "$ign")
	done
	if [ -z "$edges" ]; then
		echo "no calls between the files of src/$folder/ found"
		status=1
	elif ! echo "$edges" | tsort >/dev/null 2>&1; then
		echo "src/$folder/ has a cycle among these calls:"
		echo "$edges"
		status=1
	else
		echo "src/$folder/ calls one way ($(echo "$edges" | wc -l) edges)"
	fi
}
check target tgt_ proxy
check scenario scn_ scenario
check engine '(eng_|ua_|var_|rend_|inj_)' engine
check merge mrg_ merge
exit $status
