#!/usr/bin/env bash
# Runs the shipped examples and writes results (and yearly paths) into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
mkdir -p out
bin=target/release/yanglao
$bin run data/examples/employees.csv -o out/employees-results.csv --paths out/employees-paths.csv
$bin run data/examples/weifang-tiers.csv --segments data/examples/weifang-tiers-segments.csv \
  -o out/weifang-tiers-results.csv --paths out/weifang-tiers-paths.csv --charts out/charts
# The README's figure: the farmer at every tier.
$bin chart out/weifang-tiers-results.csv --kind compare \
  --id farmer-500 --id farmer-1000 --id farmer-2000 --id farmer-3000 --id farmer-5000 --id farmer-8000 \
  --title "青州果农 54岁起按各档缴费至60岁：月养老金" -o out/weifang-tiers-compare.png
echo "results in out/"
