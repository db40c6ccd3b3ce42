#!/bin/sh
# A bounded soak run: basic-call at a steady rate against the embedded
# target (sipbench --serve) for 10 minutes, RSS of both processes sampled
# every 10 s; fails when either grows after the warm-up. Loopback only.
#   sh bench/soak.sh [--minutes M] [--rate R] [--interval S] [--warmup S]
#                    [--growth PCT] [--csv FILE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$top/bench/soak.py" "$@"
