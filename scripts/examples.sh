#!/usr/bin/env bash
# Runs the shipped examples and writes results (and yearly paths) into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
mkdir -p out
bin=target/release/yanglao
$bin run data/examples/employees.csv -o out/employees-results.csv --paths out/employees-paths.csv
$bin run data/examples/weifang-tiers.csv --segments data/examples/weifang-tiers-segments.csv \
  -o out/weifang-tiers-results.csv --paths out/weifang-tiers-paths.csv
echo "results in out/"
