#!/usr/bin/env bash
# End-to-end figures: rows/s on a generated 1M-row file, the read-parse-rewrite floor of the
# same file in the same run, and peak RSS at 10k and 1M rows. Usage: scripts/bench.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release --locked >/dev/null 2>&1
bin=target/release/yanglao
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$bin gen --n "$n" --seed 1 -o "$tmp/big.csv" 2>/dev/null
$bin gen --n 10000 --seed 1 -o "$tmp/small.csv" 2>/dev/null
measure() { # label, args...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" 2>"$tmp/err" >/dev/null || true
  read -r secs kb <"$tmp/time"
  printf '%-28s %8.2f s  %8.1f MB  %s\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')" "$(grep -o '([0-9]* rows/s)' "$tmp/err" || true)"
  echo "$secs" >"$tmp/$label.secs"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
measure floor-$n $bin run "$tmp/big.csv" -o "$tmp/floor.csv" --floor
measure run-$n $bin run "$tmp/big.csv" -o "$tmp/out.csv"
measure run-10000 $bin run "$tmp/small.csv" -o "$tmp/out-small.csv"
run=$(cat "$tmp/run-$n.secs"); floor=$(cat "$tmp/floor-$n.secs")
awk -v n="$n" -v r="$run" -v f="$floor" 'BEGIN{printf "rows/s: %.0f   run / floor: %.2f\n", n/r, r/f}'
