#!/usr/bin/env bash
# Every benchmark, each printing its numbers side by side with a baseline measured in the same run.
# Run as modules from the checkout, so they import the tests' helpers as tests.helpers.<module>.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${RETRO_ML_VENV:-.venv}/bin/python"
"$PY" -m bench.startup "$@"
echo
"$PY" -m bench.click_to_progress
echo
"$PY" -m bench.store_and_metrics
echo
"$PY" -m bench.models_list
echo
"$PY" -m bench.video_recorder
