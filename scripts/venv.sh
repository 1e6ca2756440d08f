#!/usr/bin/env bash
# Creates .venv and installs the project into it, again only when pyproject.toml has changed.
# Usage: scripts/venv.sh [EXTRA]   (EXTRA: "test" for the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

extra="${1:-}"
python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
    "$python" -m venv .venv
fi
spec="."
[[ -n "$extra" ]] && spec=".[$extra]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extra:-app}"
if [[ ! -f "$stamp" ]]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e "$spec"
    touch "$stamp"
fi
