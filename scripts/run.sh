#!/usr/bin/env bash
# Sets up (first run) and starts Retro ML Trainer: a window with a display, else a headless server + URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec "${RETRO_ML_VENV:-.venv}/bin/retro-ml" "$@"
