#!/usr/bin/env bash
# Sets up (first run) and runs every test: unit, integration (real training) and e2e (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
(cd ui && npm test --silent)  # the UI's pure helpers, on Node's own test runner
exec "${RETRO_ML_VENV:-.venv}/bin/python" -m pytest "$@"
