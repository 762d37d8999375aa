"""Listing a run folder and tailing its worker log, on real files (symlinks, partial files, big logs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.artifacts import GROUPS, MAX_TAIL, RunArtifacts, parse_tail


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "runs" / "0123456789ab"
    (run / "checkpoints").mkdir(parents=True)
    (run / "videos").mkdir()
    (run / "model.zip").write_bytes(b"m" * 5000)
    for step in (1536, 128, 256):
        (run / "checkpoints" / f"step_{step}.zip").write_bytes(b"c" * step)
    (run / "videos" / "milestone_050.mp4").write_bytes(b"v" * 300)
    (run / "videos" / "milestone_050.png").write_bytes(b"p" * 20)
    (run / "videos" / ".milestone_100.mp4.x1y2.part").write_bytes(b"half")
    (run / "metrics.jsonl").write_text('{"timestep": 1}\n')
    (run / "worker.log").write_text("one\ntwo\n")
    (run / "events.jsonl").write_text("{}\n")
    (run / "config.json").write_text("{}")
    (run / "STOP").write_text("")
    (run / "tensorboard" / "PPO_1").mkdir(parents=True)
    (run / "tensorboard" / "PPO_1" / "events.out.tfevents.1.host").write_bytes(b"t" * 7)
    return run


def test_files_are_grouped_with_sizes_and_times(run_dir: Path) -> None:
    listing = RunArtifacts().list(run_dir)
    groups = listing["groups"]
    assert list(groups) == list(GROUPS)
    assert [e["path"] for e in groups["model"]] == ["model.zip"]
    assert groups["model"][0]["size_bytes"] == 5000
    assert groups["model"][0]["modified"].endswith("Z")
    # Natural order: step_128, step_256, step_1536.
    assert [e["name"] for e in groups["checkpoints"]] == ["step_128.zip", "step_256.zip", "step_1536.zip"]
    assert [(e["path"], e["kind"]) for e in groups["videos"]] == [
        ("videos/milestone_050.mp4", "video"),
        ("videos/milestone_050.png", "thumbnail"),
    ]
    assert [e["path"] for e in groups["metrics"]] == ["metrics.jsonl", "tensorboard/PPO_1/events.out.tfevents.1.host"]
    assert sorted(e["name"] for e in groups["logs"]) == ["events.jsonl", "worker.log"]
    assert [e["name"] for e in groups["config"]] == ["config.json"]
    assert [e["name"] for e in groups["other"]] == ["STOP"]
    on_disk = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file() and not p.name.endswith(".part"))
    assert listing["total_bytes"] == on_disk
    assert listing["file_count"] == 12


def test_symlinks_out_of_the_run_folder_are_never_followed(run_dir: Path, tmp_path: Path) -> None:
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    (secret_dir / "secret.txt").write_text("private")
    os.symlink(secret_dir / "secret.txt", run_dir / "link.txt")
    os.symlink(secret_dir, run_dir / "videos" / "linked")
    listing = RunArtifacts().list(run_dir)
    paths = [e["path"] for entries in listing["groups"].values() for e in entries]
    assert not any("link" in p or "secret" in p for p in paths)
    (run_dir / "worker.log").unlink()
    os.symlink(secret_dir / "secret.txt", run_dir / "worker.log")
    assert RunArtifacts().log_tail(run_dir).lines == []


def test_a_missing_folder_or_log_is_empty_not_an_error(tmp_path: Path) -> None:
    listing = RunArtifacts().list(tmp_path / "nope")
    assert listing["total_bytes"] == 0 and all(not v for v in listing["groups"].values())
    tail = RunArtifacts().log_tail(tmp_path / "nope")
    assert tail.to_dict() == {"lines": [], "truncated": False, "size": 0}


def test_log_tail_returns_the_last_lines(run_dir: Path) -> None:
    log = run_dir / "worker.log"
    log.write_text("".join(f"line {i} {'x' * 50}\n" for i in range(20_000)))
    tail = RunArtifacts().log_tail(run_dir, 3)
    assert [line.split()[1] for line in tail.lines] == ["19997", "19998", "19999"]
    assert tail.truncated and tail.size == log.stat().st_size
    everything = RunArtifacts().log_tail(run_dir, MAX_TAIL)
    assert len(everything.lines) == MAX_TAIL and everything.lines[0].startswith("line 15000 ")
    log.write_text("only\nthree\nlines")  # no final newline
    short = RunArtifacts().log_tail(run_dir, 200)
    assert short.lines == ["only", "three", "lines"] and not short.truncated
    log.write_text("a\nb\n")
    assert RunArtifacts().log_tail(run_dir, 2).to_dict()["truncated"] is False
    assert RunArtifacts().log_tail(run_dir, 1).lines == ["b"]


def test_undecodable_bytes_do_not_break_the_tail(run_dir: Path) -> None:
    (run_dir / "worker.log").write_bytes(b"ok\n\xff\xfe bad\n")
    assert RunArtifacts().log_tail(run_dir).lines[0] == "ok"


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "5001", "1.5"])
def test_bad_tail_values_name_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_tail(raw)
    assert caught.value.field == "tail"


def test_tail_defaults() -> None:
    assert parse_tail(None) == 200 and parse_tail("") == 200 and parse_tail("5000") == 5000
