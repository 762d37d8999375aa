"""A bounded fuzz of every route of the real server: 0 answers >= 500.

The routes come from the app's own URL map (`register_blueprints`), so a new route is fuzzed
without being listed here. From a fixed seed, each request gets a route and method, ids that
exist, are unknown or are malformed, odd query strings, and a body: malformed JSON, nesting
past the limit, wrong types, huge numbers, odd unicode, or an object made of the field names
the API knows with hostile values.

Destructive routes get real ids (runs, videos, imported runs are deleted, cleaned up, renamed),
so the server runs in a sandbox: its data folder, HOME (the OS trash, `~`), the user config
folder (the data folder chosen for the next start) are all under the test's tmp folder, and
every path a body names is in there too. Afterwards the files outside the data folder that the
fuzz could name are checked to be still there. No display and no session bus: reveals, copies
and notifications are 503s, and nothing opens on the machine running the tests.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from flask import Flask

from retro_ml.web.app import register_blueprints
from tests.helpers.api_client import call
from tests.helpers.seeded_runs import Seeded
from tests.helpers.server import LiveServer, start_server

SEED = 14
REQUESTS = 1_200
REFRESH_IDS_EVERY = 100
ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")

MALFORMED_IDS = [
    "nope", "..", "%2e%2e", "..%2f..%2fetc", "a" * 300, "é✓", "%00", "%ff", "null", "-1", "1e309",
    "%20", "0123456789ABCDEF0123", "<script>", "$(rm -rf ~)", "%u0000", "🙂" * 3, "0x12", "[]",
]  # fmt: skip
UNKNOWN_IDS = ["0123456789ab", "ffffffffffff", "000000000000"]
FILE_NAMES = ["app.js", "../../etc/passwd", "%2e%2e/%2e%2e/pyproject.toml", "a/b/c.css", "é.js", "x" * 400, ""]
QUERY_KEYS = [
    "status", "game", "algorithm", "tag", "q", "limit", "tail", "downsample", "keys", "type",
    "favorite", "experiment_id", "refresh", "token", "offset", "sort", "éclair", "",
]  # fmt: skip
QUERY_VALUES = [
    "", "-1", "0", "1", "100001", "1e309", "9" * 5000, "NaN", "true", "false", "maybe", "é✓🙂",
    "\u202e", "a," * 200, ",,,,", "%", "%00", "running", "completed", "ppo", "milestone",
    "../../etc", "x" * 3000, "[]", "{}", "null",
]  # fmt: skip
KNOWN_FIELDS = [
    "name", "tags", "favorite", "folder", "game", "algorithm", "preset", "config", "additional_timesteps",
    "exporter", "destination", "dest", "options", "on_conflict", "ids", "id", "action", "path", "algorithms",
    "dry_run", "checkpoints", "keep_favorites", "videos_older_than_days", "fps", "runs_dir", "theme",
]  # fmt: skip
MALFORMED_BODIES = [
    b"{", b"}", b"{'a': 1}", b"[1,]", b'{"a": 1}{', b"\xff\xfe\x00\x01", b"nul", b'{"a": NaN}', b'{"a": -Infinity}',
    b'{"a": 1e999}', b'{"a": ' + b"9" * 5000 + b"}", b'"\\ud800"', b'{"\\u0000": 1}', b"\x00", b" ", b"",
]  # fmt: skip


@dataclass
class Sandbox:
    root: Path
    data_dir: Path
    home: Path
    outside: Path  # paths the bodies may name: nothing here may be deleted
    models: Path  # a model to import, outside the data folder

    def env(self) -> dict[str, str | None]:
        return {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(self.home),
            "DISPLAY": None,
            "WAYLAND_DISPLAY": None,
            "DBUS_SESSION_BUS_ADDRESS": None,
        }

    def files_outside(self) -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in sorted(self.outside.rglob("*")) if p.is_file()}


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path, tmp_path / "data", tmp_path / "home", tmp_path / "outside", tmp_path / "outside" / "models")
    Seeded(box.data_dir)  # a completed run with a video
    box.home.mkdir()
    (box.outside / "precious").mkdir(parents=True)
    (box.outside / "precious" / "keep.txt").write_text("still here")
    box.models.mkdir()
    from stable_baselines3 import PPO  # discovery reads the zip's `data`: an untrained model will do

    PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16, device="cpu").save(
        box.models / "ppo-BreakoutNoFrameskip-v4.zip"
    )
    return box


@pytest.fixture
def sandboxed_server(sandbox: Sandbox) -> Iterator[LiveServer]:
    server = start_server(sandbox.data_dir, env=sandbox.env())
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"server exited with {code}:\n{server.log_text()}"


def routes() -> list[tuple[str, str]]:
    """(method, rule) for every route of the app, as its URL map has them."""
    app = Flask("route-fuzz")
    register_blueprints(app)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


class Fuzzer:
    def __init__(self, server: LiveServer, sandbox: Sandbox, seed: int) -> None:
        self.server = server
        self.rng = random.Random(seed)
        self.ids: dict[str, list[str]] = {}
        settings = call(server, "GET", "/settings")
        fields = call(server, "GET", "/config-fields")["fields"]
        self.fields = sorted({*KNOWN_FIELDS, *settings["settings"], *(f["name"] for f in fields)})
        self.names = ["breakout", "pong", "ppo", "dqn", "quick", "delete", "tag", "rename", "fail", "video.copy"]
        self.paths = [
            str(sandbox.outside),
            str(sandbox.outside / "new" / "deeper"),
            str(sandbox.models),
            str(sandbox.outside / "precious" / "keep.txt"),
            "~/fuzz",
            "relative/folder",
            "",
        ]
        self.refresh_ids()

    def refresh_ids(self) -> None:
        experiments = call(self.server, "GET", "/experiments")["experiments"]
        videos = call(self.server, "GET", "/videos")["videos"]
        jobs = call(self.server, "GET", "/exports")["jobs"]
        self.ids = {
            "experiment_id": [e["id"] for e in experiments],
            "video_id": [v["id"] for v in videos],
            "job_id": [j["id"] for j in jobs],
        }

    # ---- values ------------------------------------------------------------------------
    def scalar(self) -> Any:
        pick = self.rng.randrange(9)
        if pick == 0:
            return self.rng.choice([0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 10**300, 3])
        if pick == 1:
            return self.rng.choice([1e308, -1e308, 0.5, -0.0, 5e-324, 1.5e10])
        if pick == 2:
            return self.rng.choice([True, False, None])
        if pick == 3:
            return self.rng.choice(["", " ", "é✓🙂", "\u202eevil", "\u0000", "\ud800", "\t\n", "CON", "nul.mp4"])
        if pick == 4:
            return "x" * self.rng.choice([101, 1001, 100_000])
        if pick == 5:
            return self.rng.choice(self.paths)
        if pick == 6:
            return self.rng.choice(self.names)
        if pick == 7:
            return self.rng.choice([*self.ids["experiment_id"], *self.ids["video_id"], *MALFORMED_IDS[:6]] or [""])
        return self.rng.choice(["../../etc/passwd", "/", "%s%n", "{}", "[]", "0x7fffffff", "1e309"])

    def value(self, depth: int = 0) -> Any:
        pick = self.rng.randrange(10)
        if depth < 3 and pick == 0:
            return [self.value(depth + 1) for _ in range(self.rng.randrange(4))]
        if depth < 3 and pick == 1:
            return self.object(depth + 1)
        if pick == 2:  # a long list of small values (a long list of long strings would only be a 413)
            return [self.rng.choice([0, -1, "", "é", None, 10**30]) for _ in range(self.rng.choice([0, 1, 5, 5000]))]
        return self.scalar()

    def object(self, depth: int = 0) -> dict[str, Any]:
        keys = [self.rng.choice(self.fields) for _ in range(self.rng.randrange(1, 5))]
        if self.rng.random() < 0.1:
            keys.append(self.rng.choice(["", "é", "__proto__", "a" * 500]))
        return {key: self.value(depth) for key in keys}

    def body(self) -> tuple[bytes | None, str | None]:
        """(bytes, Content-Type)."""
        pick = self.rng.randrange(12)
        if pick == 0:
            return None, None
        if pick == 1:
            return self.rng.choice(MALFORMED_BODIES), "application/json"
        if pick == 2:
            depth = self.rng.choice([33, 200, 1000, 20_000])
            return ("[" * depth + "]" * depth).encode(), "application/json"
        if pick == 3:
            depth = self.rng.choice([33, 5000])
            return ('{"name": ' * depth + "1" + "}" * depth).encode(), "application/json"
        if pick == 4:
            return json.dumps(self.scalar()).encode(), "application/json"
        if pick == 5:
            return json.dumps(self.object()).encode(), self.rng.choice(
                ["text/plain", "application/x-www-form-urlencoded"]
            )
        if pick == 6:
            return json.dumps([self.object() for _ in range(3)]).encode(), "application/json"
        return json.dumps(self.object()).encode(), "application/json"

    def path_value(self, converter: str | None, name: str) -> str:
        if converter == "path":
            return "/".join(quote(part, safe="%") for part in self.rng.choice(FILE_NAMES).split("/"))
        pick = self.rng.random()
        known = self.ids.get(name, [])
        if known and pick < 0.35:
            return self.rng.choice(known)
        if pick < 0.6:
            return self.rng.choice(UNKNOWN_IDS)
        return quote(self.rng.choice(MALFORMED_IDS), safe="%")

    def url(self, rule: str) -> str:
        path = ARGUMENT.sub(lambda m: self.path_value(m["converter"], m["name"]), rule)
        if self.rng.random() < 0.5:
            pairs = [
                f"{quote(self.rng.choice(QUERY_KEYS))}={quote(self.rng.choice(QUERY_VALUES), safe='%')}"
                for _ in range(self.rng.randrange(1, 4))
            ]
            path += "?" + "&".join(pairs)
        return path


@pytest.mark.fuzz
def test_every_route_answers_malformed_requests_without_a_500(sandboxed_server: LiveServer, sandbox: Sandbox) -> None:
    server = sandboxed_server
    all_routes = routes()
    assert len(all_routes) >= 40 and ("POST", "/api/experiments/import") in all_routes
    outside_before = sandbox.files_outside()
    fuzzer = Fuzzer(server, sandbox, SEED)
    # A real import first, so imported runs with their own model are among the ids.
    call(server, "POST", "/experiments/import", 201, json={"folder": str(sandbox.models)})
    fuzzer.refresh_ids()
    failures: list[str] = []
    statuses: dict[int, int] = {}
    session = requests.Session()
    for number in range(REQUESTS):
        if number % REFRESH_IDS_EVERY == 0:
            fuzzer.refresh_ids()
        method, rule = (
            all_routes[number % len(all_routes)] if number < len(all_routes) else fuzzer.rng.choice(all_routes)
        )
        url = fuzzer.url(rule)
        body, content_type = fuzzer.body()
        headers = dict(server.auth_headers)
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = session.request(method, f"{server.base_url}{url}", data=body, headers=headers, timeout=60)
        except requests.RequestException as error:
            failures.append(f"{method} {url:.300} body={body!r:.300}: no answer ({error})")
            continue
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500 and not _integration_unavailable(response):
            failures.append(f"{method} {url:.300} body={body!r:.300}: {response.status_code} {response.text[:300]}")
    print(f"{REQUESTS} requests over {len(all_routes)} routes, statuses: {dict(sorted(statuses.items()))}")
    assert not failures, "\n".join(failures[:30]) + f"\n{len(failures)} failures\n{server.log_text()[-4000:]}"

    for path, content in outside_before.items():  # nothing outside the data folder was deleted or changed
        assert Path(path).read_bytes() == content, path
    assert (sandbox.models / "ppo-BreakoutNoFrameskip-v4.zip").is_file()
    assert call(server, "GET", "/health")["status"] == "ok"


def _integration_unavailable(response: requests.Response) -> bool:
    """A 503 that says what the OS lacks (no display, no session bus here) is the contract, not a crash."""
    if response.status_code != 503:
        return False
    try:
        return bool(response.json()["error"]["code"] == "integration_unavailable")
    except (ValueError, KeyError, TypeError):
        return False
