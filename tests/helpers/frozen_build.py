"""Builds the one-folder app from build.spec into a cache folder, once per set of inputs.

The build is reused while what decides its contents is unchanged (see inputs_hash; a stamp file holds
the hash), so re-running the packaging tests takes seconds.
`python -m tests.helpers.frozen_build` builds (or reuses) it from a shell and prints the timing.
Cache folder: RETRO_ML_FROZEN_CACHE, else build/frozen-test/ in the checkout (gitignored).
RETRO_ML_FROZEN_APP=<dist/RetroMLTrainer> tests an app folder built by other means (no build at all);
RETRO_ML_FROZEN_REUSE=1 uses a cached build even when its inputs changed (iterating on the test).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "RetroMLTrainer"
CLI_NAME = "retro-ml.exe" if os.name == "nt" else "retro-ml"


@dataclass(frozen=True)
class FrozenBuild:
    folder: Path  # dist/RetroMLTrainer
    build_seconds: float | None  # None when an up-to-date build was reused
    stamp: dict

    @property
    def cli(self) -> Path:
        return self.folder / CLI_NAME

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file() and not p.is_symlink())


def cache_dir() -> Path:
    return Path(os.environ.get("RETRO_ML_FROZEN_CACHE") or ROOT / "build" / "frozen-test")


def _import_lines(path: Path) -> bytes:
    """A module's import statements: what decides which packages the bundle needs."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(ln.strip() for ln in lines if ln.lstrip().startswith(("import ", "from "))).encode()


def inputs_hash() -> str:
    """What decides the bundle's contents: the spec, packaging/, pyproject, the installed packages,
    the backend's module names and import lines, and the UI's file names.

    Editing a function body or a UI file does not force a rebuild (the build under test is then a
    little behind the working tree: the test checks the packaging, CI always builds fresh)."""
    digest = hashlib.sha256()
    fixed = [ROOT / "build.spec", ROOT / "pyproject.toml", *sorted((ROOT / "packaging").rglob("*"))]
    for path in fixed:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    backend = ROOT / "backend" / "retro_ml"
    for path in sorted(backend.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            if path.suffix == ".py":
                digest.update(_import_lines(path))
            else:
                digest.update(path.read_bytes())  # data files (presets.json)
    ui = ROOT / "ui"
    for path in sorted(ui.rglob("*")):
        if path.is_file() and "node_modules" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
    digest.update((ui / "package-lock.json").read_bytes())
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    digest.update(freeze.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:20]


def build(force: bool = False) -> FrozenBuild:
    given = os.environ.get("RETRO_ML_FROZEN_APP")  # an app folder built elsewhere (the Windows CI job)
    if given:
        return FrozenBuild(Path(given).resolve(), None, {})
    cache = cache_dir()
    folder = cache / "dist" / APP_NAME
    stamp_file = cache / "stamp.json"
    wanted = inputs_hash()
    try:
        stamp = json.loads(stamp_file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        stamp = {}
    stale_ok = os.environ.get("RETRO_ML_FROZEN_REUSE") == "1"  # use the cached build even if inputs changed
    if not force and (stamp.get("inputs") == wanted or stale_ok) and (folder / CLI_NAME).exists():
        return FrozenBuild(folder, None, stamp)
    cache.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)
    log = cache / "pyinstaller.log"
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(cache / "dist"),
        "--workpath",
        str(cache / "work"),
        str(ROOT / "build.spec"),
    ]
    if os.name != "nt":
        command = ["nice", "-n", "19", *command]
    started = time.monotonic()
    with log.open("w") as out:
        result = subprocess.run(
            command, cwd=ROOT, env={**os.environ, "RETRO_ML_BUILD": "onedir"}, stdout=out, stderr=subprocess.STDOUT
        )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"PyInstaller failed (exit {result.returncode}); end of {log}:\n{tail}")
    stamp = {"inputs": wanted, "build_seconds": round(seconds, 1), "built_at": time.time()}
    stamp_file.write_text(json.dumps(stamp))
    return FrozenBuild(folder, seconds, stamp)


if __name__ == "__main__":
    made = build(force="--force" in sys.argv)
    took = "reused" if made.build_seconds is None else f"built in {made.build_seconds:.0f} s"
    print(f"{made.folder}: {took}, {made.size_bytes() / 2**20:.0f} MiB")
