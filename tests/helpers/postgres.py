"""A real PostgreSQL server for tests: Debian's binaries, a cluster in a temp dir, 127.0.0.1 and a free port.

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user
(Debian's package makes it), else to a `retro-pg` system user made for it; as anyone else it is
the test's own. Password authentication (scram) for every TCP connection, so a wrong password is
refused like on a real server. `scripts/setup.sh dev` installs the `postgresql` package.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "retro"


@dataclass
class PostgresServer:
    port: int
    password: str
    folder: Path
    pg_bin: Path
    run_as: str | None  # the system user the server runs as (None: this process's user)

    def url(self, database: str, password: str | None = None, port: int | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{SUPERUSER}:{secret}@127.0.0.1:{port or self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database; its URL (password included)."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.pg_bin / tool), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        env = {**os.environ, "PGPASSWORD": self.password}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result


def find_pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "retro-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "retro-pg"], check=True)
    return "retro-pg"


def start_postgres(pg_bin: Path) -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="retro-ml-pg-"))
    user = server_user()
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(free_port(), secrets.token_urlsafe(12), folder, pg_bin, user)
    password_file = folder / "password"
    password_file.write_text(server.password)
    if user is not None:
        os.chown(password_file, pwd.getpwnam(user).pw_uid, -1)
    data = folder / "data"
    server._run(
        "initdb", "-D", str(data), "-U", SUPERUSER, f"--pwfile={password_file}",
        "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync",
    )  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories='{folder}' -c fsync=off"
    server._run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w", "start")
    return server
