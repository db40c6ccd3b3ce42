#!/bin/sh
# Instructions of the built-in uac's own code per call, under callgrind:
# CALLS calls (default 6000) at RATE/s (default 500) against -sn uas on
# loopback; prints the total and the top functions. Start-up is included
# (about 2M instructions), so small runs overstate the per-call figure.
# Usage: sh bench/callgrind-uac.sh [SIPBENCH [CALLS [RATE]]]
set -eu
SB=${1:-src/sipbench}
CALLS=${2:-6000}
RATE=${3:-500}
OUT=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$SB" -sn uas -i 127.0.0.1 -p "$PORT" -m "$CALLS" -nostdin >"$OUT/uas.txt" 2>&1 &
UAS=$!
sleep 0.5
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$SB" -sn uac -i 127.0.0.1 \
	-r "$RATE" -m "$CALLS" -d 0 -nostdin "127.0.0.1:$PORT" >"$OUT/uac.txt" 2>"$OUT/vg.txt"
wait "$UAS" || true
grep -E '^\s*successful' "$OUT/uac.txt"
TOTAL=$(awk '/^(summary|totals):/ {print $2; exit}' "$OUT/cg.out")
echo "instructions: $TOTAL total, $((TOTAL / CALLS)) per call ($CALLS calls at $RATE/s)"
callgrind_annotate "$OUT/cg.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -12
[ -n "${KEEP:-}" ] && echo "kept $OUT/cg.out" || rm -rf "$OUT"
