"""The doctor's report: one shape for every check, shared by the CLI and Settings."""

from __future__ import annotations

from pathlib import Path

from retro_ml.commands.info import doctor as doctor_command
from retro_ml.platform import current_platform
from retro_ml.services.system import STATUSES, run_doctor, summary


def test_every_check_has_the_same_shape(tmp_path: Path) -> None:
    checks = run_doctor(tmp_path, current_platform(), runs_dir=tmp_path / "elsewhere")
    ids = [c.id for c in checks]
    assert {"roms", "torch", "cuda", "ffmpeg", "notifications", "clipboard", "reveal", "disk"} <= set(ids)
    assert len(ids) == len(set(ids))
    for check in checks:
        data = check.to_dict()
        assert set(data) == {"id", "label", "status", "detail", "fix"}
        assert data["status"] in STATUSES and data["label"] and data["detail"]
    by_id = {c.id: c for c in checks}
    assert by_id["roms"].status == "ok" and "games in" in by_id["roms"].detail
    assert by_id["torch"].status == "ok" and "torch " in by_id["torch"].detail
    assert by_id["ffmpeg"].status == "ok" and "libx264" in by_id["ffmpeg"].detail
    assert summary(checks) in STATUSES


def test_summary_is_the_worst_status() -> None:
    from retro_ml.services.system import Check

    ok, warn, err = (Check("a", "A", s, "d") for s in STATUSES)
    assert summary([ok]) == "ok" and summary([ok, warn]) == "warning" and summary([warn, err, ok]) == "error"


def test_cli_prints_the_same_checks(tmp_path: Path, capsys) -> None:
    import argparse

    code = doctor_command(argparse.Namespace(data_dir=tmp_path))
    out = capsys.readouterr().out
    checks = run_doctor(tmp_path, current_platform())
    for check in checks:
        assert check.label in out
    assert code == (1 if summary(checks) == "error" else 0)
