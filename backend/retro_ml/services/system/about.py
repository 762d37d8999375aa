"""About: the app's version, where its docs are, and the licences of what it bundles."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from retro_ml import __version__

MAX_LICENSE_TEXT = 60


def _licence_of(meta: Any) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    classifiers = [c for c in classifiers if c != "OSI Approved"]
    if classifiers:
        return ", ".join(dict.fromkeys(classifiers))
    text = (meta.get("License") or "").strip()
    if text and text.upper() != "UNKNOWN":
        first = text.splitlines()[0].strip()
        return first if len(first) <= MAX_LICENSE_TEXT else first[: MAX_LICENSE_TEXT - 1] + "…"
    return "not stated"


def python_packages() -> list[dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name or name.lower() in found:
            continue
        found[name.lower()] = {"name": name, "version": dist.version, "license": _licence_of(dist.metadata)}
    return sorted(found.values(), key=lambda p: p["name"].lower())


def npm_packages(node_modules: Path) -> list[dict[str, str]]:
    manifests = [*node_modules.glob("*/package.json"), *node_modules.glob("@*/*/package.json")]
    packages = []
    for manifest in manifests:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        licence = data.get("license")
        if isinstance(licence, dict):
            licence = licence.get("type")
        packages.append(
            {
                "name": str(data.get("name", manifest.parent.name)),
                "version": str(data.get("version", "")),
                "license": str(licence or "not stated"),
            }
        )
    return sorted(packages, key=lambda p: p["name"].lower())


def about(ui_root: Path, data_dir: Path) -> dict[str, Any]:
    project = ui_root.parent
    links = [
        {"label": "README", "path": str(project / "README.md")},
        {"label": "HTTP and events contract", "path": str(project / "docs" / "CONTRACT.md")},
        {"label": "Data folder", "path": str(data_dir)},
    ]
    return {
        "name": "Retro ML Trainer",
        "version": __version__,
        "license": "MIT",
        "links": [link for link in links if Path(link["path"]).exists()],
        "python_packages": python_packages(),
        "npm_packages": npm_packages(ui_root / "node_modules"),
    }
