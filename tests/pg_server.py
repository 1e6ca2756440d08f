"""A throw-away PostgreSQL server for the tests: started in a temporary folder, stopped at the end.

It listens on 127.0.0.1 only, on a free port, with trust authentication for its one login, and
keeps no data after the run (fsync off: a crash loses nothing anyone needs). The server refuses
to run as root, so under root it runs as the ``postgres`` user the Debian package creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

LOGIN = "clinic_tests"
TEMPLATE = "clinic_template"


class NoServer(RuntimeError):
    """PostgreSQL's server programs are not installed on this machine."""


def server_programs() -> Path:
    """The folder holding initdb and pg_ctl: Debian keeps them out of the PATH."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not folders:
        raise NoServer(
            "PostgreSQL's server is not installed: run scripts/system-packages.sh --tests "
            "(Debian package postgresql)."
        )
    return Path(folders[-1])


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running server and the databases made on it for the tests."""

    folder: Path
    port: int
    bin: Path
    template: str = ""  # a migrated, empty database that tests copy
    clinic_template: str = ""  # the same with the test clinic set up, for tests that want one
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{LOGIN}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=LOGIN, dbname="postgres", autocommit=True
        )

    def create(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``); its name."""
        name = f"clinic_{os.getpid()}_{next(self._numbers)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        with self._admin() as admin:
            admin.execute(statement)
        return name

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def mark_template(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        _run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                             "-m", "immediate", "-w", "stop"]))  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _as_owner(command: list[str]) -> list[str]:
        if _as_root():
            return ["runuser", "-u", "postgres", "--", *command]
        return command


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


# Test runs in parallel start a server each: two may be handed the same free port between
# the probe and the server's bind, and the later one then tries the next one it is handed.
START_ATTEMPTS = 3


def start() -> Server:
    """initdb and start a server in a new temporary folder; wait until it accepts connections."""
    programs = server_programs()
    folder = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
    if _as_root():
        shutil.chown(folder, "postgres", "postgres")
    server = Server(folder=folder, port=_free_port(), bin=programs)
    data = folder / "data"
    _run(server._as_owner([str(programs / "initdb"), "-D", str(data), "-U", LOGIN,
                           "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))  # fmt: skip
    attempts_left = START_ATTEMPTS
    while True:
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        try:
            _run(server._as_owner([str(programs / "pg_ctl"), "-D", str(data), "-o", options,
                                   "-l", str(folder / "server.log"), "-w", "start"]))  # fmt: skip
            return server
        except RuntimeError:
            attempts_left -= 1
            if not attempts_left:
                raise
            server.port = _free_port()
