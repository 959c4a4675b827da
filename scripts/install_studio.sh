#!/usr/bin/env bash
# Install the Label Studio server into <repo>/.venv-studio, apart from the project venv
# (its pinned Django/DRF stack must not mix with ours). Idempotent: does nothing when the
# wanted version is already installed there.
#
# Usage: bash scripts/install_studio.sh [VENV_DIR]  # default <repo>/.venv-studio
#        PYTHON=/path/to/python bash scripts/install_studio.sh
# Leaves VENV_DIR/.installed as a marker for make.
set -euo pipefail

LS_VERSION="${LS_VERSION:-1.23.2}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$REPO/.venv-studio}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"

if [ -x "$VENV/bin/label-studio" ] && \
   [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" = "$LS_VERSION" ]; then
    echo "label-studio $LS_VERSION already installed in $VENV"
    touch "$VENV/.installed"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "label-studio==$LS_VERSION"
touch "$VENV/.installed"
echo "label-studio $LS_VERSION installed in $VENV (binary: $VENV/bin/label-studio)"
