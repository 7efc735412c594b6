#!/usr/bin/env bash
# End-to-end figures: rows/s on a generated 1M-row file, the read-parse-rewrite floor of the
# same file, and peak RSS at 10k and 1M rows.
# Usage: scripts/bench.sh [ROWS] [REPEAT]
#
# Shared machines are noisy (the same run varies by ±15% from minute to minute), so the floor
# and the full run are measured REPEAT times (default 3), interleaved, and the fastest of
# each is reported with every individual time; the ratio is fastest run / fastest floor,
# followed by the median of the paired ratios (each run over the floor just before it).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
repeat=${2:-3}
cargo build --release --locked >/dev/null 2>&1
bin=target/release/yanglao
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$bin gen --n "$n" --seed 1 -o "$tmp/big.csv" 2>/dev/null
$bin gen --n 10000 --seed 1 -o "$tmp/small.csv" 2>/dev/null
measure() { # label, args... → appends "secs kb" to $tmp/label
  local label=$1; shift
  # Each run starts with no dirty pages left by the one before (their write-back would
  # otherwise land in whichever run comes next).
  sync
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" 2>"$tmp/err" >/dev/null || true
  cat "$tmp/time" >>"$tmp/$label"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for _ in $(seq "$repeat"); do
  measure floor $bin run "$tmp/big.csv" -o "$tmp/floor.csv" --floor
  measure run $bin run "$tmp/big.csv" -o "$tmp/out.csv"
done
measure small $bin run "$tmp/small.csv" -o "$tmp/out-small.csv"
report() { # label rows
  awk -v label="$1" -v n="$2" '
    { t[NR] = $1; if (NR == 1 || $1 < best) best = $1; if ($2 > kb) kb = $2 }
    END { all = ""; for (i = 1; i <= NR; i++) all = all sprintf(" %.2f", t[i]);
          printf "%-10s %9d rows  fastest %6.2f s (%7.0f rows/s)  peak RSS %5.1f MB  runs:%s\n", label, n, best, n / best, kb / 1024, all }' "$tmp/$1"
}
report floor "$n"
report run "$n"
report small 10000
floor=$(sort -n "$tmp/floor" | head -1 | cut -d' ' -f1)
run=$(sort -n "$tmp/run" | head -1 | cut -d' ' -f1)
awk -v n="$n" -v r="$run" -v f="$floor" 'BEGIN{printf "rows/s: %.0f   run / floor: %.2f (fastest / fastest)\n", n/r, r/f}'
# Each run over the floor measured just before it, and the median of those ratios: slow
# drifts of the machine cancel within a pair.
paste -d' ' "$tmp/floor" "$tmp/run" | awk '{ printf "%.4f\n", $3 / $1 }' | sort -n | awk '
  { r[NR] = $1; all = all sprintf(" %.2f", $1) }
  END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
        printf "paired run / floor: median %.2f  (sorted:%s)\n", m, all }'
