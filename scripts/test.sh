#!/usr/bin/env bash
# The project's test command (README): formatting, lints, unit + integration tests of every
# crate of the workspace, the same tests again with the `portable` feature (no AVX2 code;
# results must not change).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked --workspace --all-targets --features portable -- -D warnings
cargo test --locked --workspace
cargo test --locked --workspace --features portable
