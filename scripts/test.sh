#!/usr/bin/env bash
# Sets up (first run) and runs every test: unit, integration (real training) and e2e (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
VENV_BIN="${RETRO_ML_VENV:-.venv}/bin"
"$VENV_BIN/ruff" check backend tests bench
"$VENV_BIN/ruff" format --check --quiet backend tests bench
"$VENV_BIN/mypy"
(cd ui && npm test --silent)  # the UI's pure helpers, on Node's own test runner
# Two workers, whole files each (module-scoped servers stay in one worker): most tests wait on
# training workers, servers and the browser, so two at a time finish sooner even on 2 cores.
# RETRO_ML_TEST_WORKERS=0 runs everything in this process.
exec "$VENV_BIN/python" -m pytest -n "${RETRO_ML_TEST_WORKERS:-2}" --dist loadfile "$@"
