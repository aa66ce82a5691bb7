#!/usr/bin/env bash
# The whole test suite: Python (pytest) and Java (Maven, which also starts real Python workers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-dev.sh
export PYTHON=${PYTHON:-python3}
"$PYTHON" -m pytest -q tests/python
mvn -B -ntp verify -Dsamroi.python="$(command -v "$PYTHON")"
