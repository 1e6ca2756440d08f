"""Looking at a database file before anything changes it: whose it is, its version, its health.

Opening a SQLite file used to switch it to WAL mode and run the migrations first, so a file of
another application, of a newer version or a damaged one was changed before it was refused.
Here the file is opened read-only (SQLite's ``mode=ro``) and checked: the header, our revision
table, the revision, and ``PRAGMA quick_check``. Only a file that passes may be written to.
A missing file is created only when the caller says so (first start, ``demo``, ``init``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from scheduler import APP_NAME, private_files
from scheduler.program import program_name
from scheduler.store.errors import DatabaseError, Fault, fault_of, is_busy

SQLITE_HEADER = b"SQLite format 3\x00"
REVISION_TABLE = "alembic_version"
LOCK_WAIT_S = 5.0
# Files up to this size are checked on opening, even by the desk: a quarter of a second at most
# on a slow machine. Bigger ones (years of history) may be checked after the window is up.
CHECK_LATER_BYTES = 64 * 1024 * 1024

log = logging.getLogger(__name__)


class DamagedDatabase(DatabaseError):
    """The file is a SQLite database whose pages fail SQLite's own integrity check."""


class MissingDatabase(DatabaseError):
    """No database at the path given, and the caller did not ask for a new one."""


@dataclass(frozen=True)
class Examined:
    """What a look at a database file found."""

    revision: str | None  # None for a new, empty database
    check_seconds: float  # how long the integrity check took
    checked: bool = True  # False when the integrity check was left for later


def examine(
    path: Path,
    *,
    create: bool,
    is_known: Callable[[str], bool],
    check_later_at: str | None = None,
) -> Examined:
    """Refuse a file that is not ours, too new or damaged, before anything writes to it.

    ``create`` allows a missing (or empty) file to become a new database; the folder and the
    file are then made owner-only. ``is_known`` says whether a schema revision ships with
    this version of the app. With ``check_later_at`` (the newest revision) a big file
    already at it skips the integrity check, which reads every page (seconds for years of
    history): the desk runs it (``damage_found``) once its window is up. A file to be
    upgraded, or small enough to check in a moment, is checked here.
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not path.exists():
        if not create:
            raise MissingDatabase(missing_message(path))
        _create(path)
        return Examined(None, 0.0)
    size = _size(path)
    if size == 0:
        if not create:
            raise MissingDatabase(
                f"{path} is an empty file, not a clinic database. Check the path, or make a "
                f"new clinic database there with: {program_name()} init --db {path}"
            )
        return Examined(None, 0.0)
    check_header(path)
    return _look_inside(path, is_known, check_later_at if size > CHECK_LATER_BYTES else None)


def missing_message(path: Path) -> str:
    """The sentence for a path with no database: which part is missing, and how to make one."""
    where = "file" if path.parent.is_dir() else "folder"
    missing = path if where == "file" else _first_missing(path.parent)
    return (
        f"There is no database at {path} (no {where} {missing}). Check the path; to start a "
        f"new clinic there, run: {program_name()} init --db {path}"
    )


def _first_missing(folder: Path) -> Path:
    while not folder.parent.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _create(path: Path) -> None:
    try:
        private_files.private_folder(path.parent)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the folder for {path}: {exc.strerror}") from exc
    try:
        # Created here, owner-only, before SQLite opens it: SQLite gives its -wal and -shm
        # files the database file's permissions.
        private_files.private_file(path)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the database {path}: {exc.strerror}") from exc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DatabaseError(f"Cannot read the database {path}: {exc.strerror}.") from exc


def check_header(path: Path) -> None:
    """Refuse a file that does not start as every SQLite database does."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"Cannot read the database {path}: {exc.strerror}.") from exc
    if header != SQLITE_HEADER:
        raise DatabaseError(f"{path} is not a SQLite database file.")


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path``, not even to change its journal mode.

    When no other connection has the file open (no ``-wal`` or ``-journal`` beside it), it is
    opened as immutable as well: SQLite then creates no ``-wal`` and ``-shm`` files, so a file
    that is refused is left exactly as it was found, with nothing new beside it.
    """
    busy = any(path.with_name(path.name + end).exists() for end in ("-wal", "-journal"))
    flags = "mode=ro" if busy else "mode=ro&immutable=1"
    connection = sqlite3.connect(f"{path.as_uri()}?{flags}", uri=True, timeout=LOCK_WAIT_S)
    connection.isolation_level = None
    return connection


def _look_inside(
    path: Path, is_known: Callable[[str], bool], check_later_at: str | None
) -> Examined:
    try:
        with closing(read_only(path)) as connection:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if tables and REVISION_TABLE not in tables:
                raise DatabaseError(
                    f"{path} holds tables but is not an {APP_NAME} database; nothing was "
                    "changed. Choose another file or a new one."
                )
            if tables:
                row = connection.execute(f"SELECT version_num FROM {REVISION_TABLE}").fetchone()
                revision = row[0] if row else None
            if revision is not None and not is_known(revision):
                raise DatabaseError(
                    f"{path} was written by a newer version of {APP_NAME} (schema {revision}). "
                    "Install the newer version to open it; nothing was changed."
                )
            if revision is not None and revision == check_later_at:
                return Examined(revision, 0.0, checked=False)
            started = time.perf_counter()
            problems = integrity_problems(connection, full=False)
            seconds = time.perf_counter() - started
    except sqlite3.DatabaseError as exc:
        raise explain_sqlite(exc, path) from exc
    log.info("integrity quick check took %.3f s", seconds)
    if problems:
        raise DamagedDatabase(damaged_message(path, problems[0]))
    return Examined(revision, seconds)


def damage_found(path: Path) -> str | None:
    """The integrity check left for later: the sentence for a damaged file, None when sound.

    Reads every page through its own read-only connection, so it may run in a worker thread
    while the desk is in use (SQLite lets other threads run while it reads).
    """
    started = time.perf_counter()
    try:
        with closing(read_only(path)) as connection:
            problems = integrity_problems(connection, full=False)
    except sqlite3.DatabaseError as exc:
        return str(explain_sqlite(exc, path))
    log.info("integrity quick check (after start) took %.3f s", time.perf_counter() - started)
    return damaged_message(path, problems[0]) if problems else None


def integrity_problems(connection: sqlite3.Connection, *, full: bool) -> list[str]:
    """SQLite's findings about damaged pages and indexes: empty when the file is sound."""
    pragma = "integrity_check" if full else "quick_check"
    rows = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
    return [] if rows == ["ok"] else rows


def damaged_message(path: Path, detail: str) -> str:
    """The sentence for a damaged file: what is wrong and how to get the clinic back."""
    lines = [line for line in detail.splitlines() if line.strip() and "***" not in line]
    detail = lines[0] if lines else "SQLite reports damage"
    return (
        f"The database {path} is damaged ({detail}); nothing was read or changed. Restore "
        f"your latest backup copy of it (or a {path.name}.before-upgrade-….bak copy beside it) "
        "and open that; keep the damaged file for your IT support."
    )


def explain_sqlite(exc: sqlite3.Error, path: Path) -> DatabaseError:
    """Turn SQLite's own error into one sentence a desk can show (locked, damaged, read-only…).

    The kind of fault comes from SQLite's result code (``errors.fault_of``); its message only
    goes into the sentence where no plainer words exist.
    """
    text = str(exc)
    fault = fault_of(exc)
    if fault is Fault.BUSY:
        return DatabaseError(
            f"The database {path} is busy on another workstation; nothing was changed. "
            "Try again in a moment."
        )
    if fault is Fault.DAMAGED:
        return DamagedDatabase(damaged_message(path, text))
    if fault is Fault.READ_ONLY:
        return DatabaseError(
            f"The database {path} is read-only here; nothing was changed. Ask for write "
            "access to it (and to its folder)."
        )
    if fault is Fault.FULL:
        return DatabaseError(
            f"The disk holding {path} is full; nothing was changed. Free some space and try again."
        )
    if fault is Fault.CANNOT_OPEN:
        return DatabaseError(
            f"Cannot open the database {path} (no permission to read it, or to use its "
            "folder); nothing was changed."
        )
    return DatabaseError(f"Cannot use the database {path}: {text}.")


def writable(path: Path) -> bool:
    """Whether this user may change the file and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def write_lock_free(path: Path) -> bool:
    """Whether a write could start on ``path`` right now (no other workstation is saving).

    Asks SQLite for the write lock without waiting and gives it straight back, so a caller
    that must not block (the desk's window) can poll instead of sitting in the busy timeout.
    """
    try:
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return False
        raise
    return True
