#!/usr/bin/env bash
# The Python side: creates the virtual environment .venv (if missing), installs the
# packages of crates/yanglao-py/requirements-dev.txt from PyPI, and builds the extension
# into it (maturin develop --release). Needs python3 (3.11 or later) with venv and pip.
# Usage: scripts/python-env.sh            then .venv/bin/python -c 'import yanglao'
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
export VIRTUAL_ENV="$PWD/.venv"
req=crates/yanglao-py/requirements-dev.txt
# Installed once; again only when the requirements change.
stamp=.venv/.requirements
if ! cmp -s "$req" "$stamp"; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
# --release: the measurements and the 1M-row tests need the optimised pipeline.
.venv/bin/maturin develop --release --locked --manifest-path crates/yanglao-py/Cargo.toml ${MATURIN_FEATURES:+--features "$MATURIN_FEATURES"}
