#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-native: Go's sync.Map benchmark shapes, natively, on syncmap
# (the core built in userspace), Go's own sync.Map (Debian's golang-go),
# liburcu's cds_lfht and an rwlock hash map, 1 and 2 threads, one run;
# then SPEC section 6 P1-P5 with tools/bench/kernel's workloads on syncmap,
# cds_lfht (for rhashtable), mutex, rwlock and sharded maps (syncmap-spec);
# prints both tables of ns/op and ratios and the targets, saves CSV and an
# SVG plot under build/bench-native/<date>/ (and build/bench-native/latest).
#
# Usage: scripts/bench-native.sh [-t MS] [-T "1 2"] [-s shape,...] [-q] [-p 12345]
#   -t MS   time per cell (default 300)
#   -q      SPEC part in its quick profile (small sizes, 3 repetitions)
#   -p N..  SPEC targets to run (default 12345; -p "" for none)

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
src=$top/tools/testing/userspace
out=$top/build/userspace
ms=300 threads="1 2" shapes= spec=() ptests=12345
while getopts t:T:s:qp: o; do
	case $o in
	t) ms=$OPTARG ;;
	T) threads=$OPTARG ;;
	s) shapes=$OPTARG ;;
	q) spec+=(-q) ;;
	p) ptests=$OPTARG ;;
	*) sed -n '3,15s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
ksrc=${KSRC:-$("$here/lab-kernel.sh" --source | tail -n1)}
make -C "$src" -j2 --no-print-directory OUT="$out" KSRC="$ksrc" bench >&2
res=$top/build/bench-native/$(date +%Y%m%d-%H%M%S)
mkdir -p "$res"
ln -sfn "$(basename "$res")" "$top/build/bench-native/latest"
args=(-t "$ms" -T "$threads")
[[ -z $shapes ]] || args+=(-s "$shapes")
{
	echo "# $(uname -r), $(nproc) CPUs, $(go version 2>/dev/null)"
	echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$res/machine.txt" >&2
"$out/bench/syncmap-bench" "${args[@]}" | tee "$res/c.csv" >&2
"$out/bench/gomap" "${args[@]}" | tee "$res/go.csv" >&2
spec_csv=()
if [[ -n $ptests ]]; then
	"$out/bench/syncmap-spec" "${spec[@]}" -p "$ptests" | tee "$res/spec-raw.csv" >&2
	spec_csv=("$res/spec-raw.csv")
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$res/machine.txt" >&2
python3 "$src/bench/report.py" "$res" "$res/c.csv" "$res/go.csv" "${spec_csv[@]}" | tee "$res/table.txt"
