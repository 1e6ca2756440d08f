"""The README's "Several workstations" recipe, followed on a throw-away server: a login of its
own, an empty database it owns, the first desk builds the schema, the clinic moved in by copy-to,
the password kept in a pgpass file."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.store import migrations, open_database
from tests.pg_server import LOGIN, Server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def main_py(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip


def as_admin(server: Server, program: str, *args: str) -> None:
    """createuser / createdb as the README runs them, here against the throw-away server."""
    subprocess.run(
        [str(server.bin / program), "-h", "127.0.0.1", "-p", str(server.port), "-U", LOGIN, *args],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def test_a_login_and_an_empty_database_for_the_desks(pg_server: Server, tmp_path: Path) -> None:
    as_admin(pg_server, "createuser", "desk")
    as_admin(pg_server, "createdb", "--owner", "desk", "clinic_ws")
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:clinic_ws:desk:the-password\n")
    pgpass.chmod(0o600)
    env = {**os.environ, "PGPASSFILE": str(pgpass)}
    url = f"postgresql+psycopg://desk@127.0.0.1:{pg_server.port}/clinic_ws"
    try:
        lite = str(tmp_path / "clinic.sqlite3")
        assert main_py("--db", lite, "demo", "--today", "2026-11-16", env=env).returncode == 0
        copied = main_py("--db", lite, "copy-to", url, env=env)
        assert copied.returncode == 0, copied.stderr
        env["SCHEDULER_DB"] = url
        day = main_py("sessions", "--date", "2026-11-17", "--json", env=env)
        assert day.returncode == 0, day.stderr
        assert day.stdout == main_py("--db", lite, "sessions", "--date", "2026-11-17",
                                     "--json", env=env).stdout  # fmt: skip
        assert main_py("audit", "verify", env=env).returncode == 0
    finally:
        pg_server.drop("clinic_ws")


def _open(url: str) -> None:
    open_database(url).close()


def test_desks_opening_a_new_database_at_once_build_its_schema_once(pg_server: Server) -> None:
    name = pg_server.create()  # empty: no template
    url = pg_server.url(name)
    try:
        context = multiprocessing.get_context("spawn")
        desks = [context.Process(target=_open, args=(url,)) for _ in range(3)]
        for desk in desks:
            desk.start()
        for desk in desks:
            desk.join(timeout=120)
            assert desk.exitcode == 0
        database = open_database(url)
        try:
            with database.engine.connect() as conn:
                assert migrations.current_revision(conn) == migrations.head_revision()
        finally:
            database.close()
    finally:
        pg_server.drop(name)
