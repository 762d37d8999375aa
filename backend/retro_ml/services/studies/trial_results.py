"""What a trial's run says of it: its evaluations (from the run folder's events.jsonl, so they can be
caught up after the app was closed) and the value Optuna is told when it completes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from retro_ml.run_contract import EVENTS_FILE


def trial_value(intermediate: dict[int, float], final_metrics: dict[str, Any] | None) -> float | None:
    """The last evaluation's mean score, else the run's final mean reward, else None."""
    if intermediate:
        return float(intermediate[max(intermediate)])
    reward = (final_metrics or {}).get("mean_reward")
    return float(reward) if isinstance(reward, (int, float)) else None


def read_trial_evaluations(run_dir: Path) -> list[dict[str, Any]]:
    """The `trial_evaluation` reports of a run folder's events.jsonl (unreadable lines skipped)."""
    try:
        text = (run_dir / EVENTS_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    reports = []
    for line in text.splitlines():
        if '"trial_evaluation"' not in line:
            continue
        try:
            report = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(report, dict) and report.get("type") == "trial_evaluation":
            reports.append(report)
    return reports
