#!/usr/bin/env bash
# Sets up (first run) and runs every test: unit, integration (real training) and e2e (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
exec "${RETRO_ML_VENV:-.venv}/bin/python" -m pytest "$@"
