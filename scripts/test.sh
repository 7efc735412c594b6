#!/usr/bin/env bash
# The project's test command (README): formatting, lints, unit + integration tests, the
# same tests again with the `portable` feature (no AVX2 code; results must not change).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --all-targets --features portable -- -D warnings
cargo test --locked
cargo test --locked --features portable
