#!/usr/bin/env bash
# Installs everything the tests need into the current python3: samroi (editable) with its
# test and export extras, and a CPU-capable torch. Safe to re-run; it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

"$PYTHON" - <<'PY' || { echo "samroi needs Python >= 3.10 (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
import sys; sys.exit(sys.version_info < (3, 10))
PY

# The Fiji plugin's GUI and macro tests run real ImageJ windows on a virtual display (Xvfb) and
# drive them with real mouse events (xdotool); Debian packages, installed when missing.
missing=()
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
command -v xdotool >/dev/null || missing+=(xdotool)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing ${missing[*]} from Debian's packages"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
  wheel=$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ]; then
    echo "installing torch from $wheel"
    "$PYTHON" -m pip install --disable-pip-version-check -q "$wheel"
  else
    echo "installing torch from PyPI (a large download; it runs on the CPU)"
    "$PYTHON" -m pip install --disable-pip-version-check -q "torch>=2.1"
  fi
fi
"$PYTHON" -m pip install --disable-pip-version-check -q -e ".[torch,dev]"
