#!/bin/sh
# sipbench and SIPp side by side on this machine: highest clean rate per
# client/server pair, CPU per 1,000 calls, RSS per 10,000 calls,
# instructions per call, then the raw UDP ceiling (bench/udp_pingpong).
# Loopback only, bounded in time (about 15 minutes with the defaults;
# --quick: about 3), every process stopped by its pid.
#   sh bench/compare.sh [--quick] [--window S] [--rates R1,R2,...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}
$cc -O2 -o "$top/bench/udp_pingpong" "$top/bench/udp_pingpong.c"
python3 "$top/bench/compare.py" "$@"
echo
echo "UDP ceiling of this machine (bench/udp_pingpong):"
"$top/bench/udp_pingpong" 3 500
