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
# The README's reform figure: the example reform, its change by scenario and patch.
$bin run data/examples/weifang-tiers.csv --segments data/examples/weifang-tiers-segments.csv \
  --reform data/examples/reform-resident.toml -o out/weifang-tiers-reform.csv
$bin chart out/weifang-tiers-reform.csv --kind reform \
  --title "示例改革(2027起):基础养老金最低标准+20、潍坊缴费补贴翻倍" -o out/reform-resident.png
# An explanation of one row, as Markdown.
$bin explain data/examples/employees.csv --id flex-0.6-15y --format markdown > out/explain-flex-0.6-15y.md
echo "results in out/"
