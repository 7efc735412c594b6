#!/usr/bin/env bash
# The project's test command (README): formatting, lints, unit + integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
