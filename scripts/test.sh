#!/usr/bin/env bash
# The project's test command (README): formatting, lints, unit + integration tests of the
# workspace, the same tests again with the `portable` feature (no AVX2 code; results must
# not change), then the Python package's tests (pytest) in the virtual environment that
# scripts/python-env.sh creates (.venv, packages from PyPI, the extension built into it).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked --workspace --all-targets --features portable -- -D warnings
cargo test --locked --workspace
cargo test --locked --workspace --features portable

scripts/python-env.sh
# The Python tests compare with the command line that cargo test has just built.
status=0
YANGLAO_BIN="$PWD/target/debug/yanglao" .venv/bin/python -m pytest -q crates/yanglao-py/tests || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: the Python tests are missing" >&2
fi
exit "$status"
