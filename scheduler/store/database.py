"""Opening the clinic's database: checks, connection settings, migrations and transactions."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from scheduler import APP_NAME, private_files
from scheduler.store import migrations, network_fs, opening, postgres, privacy
from scheduler.store.errors import DatabaseError
from scheduler.store.location import resolve_database_url, sqlite_path

BUSY_TIMEOUT_MS = 5000


@dataclass
class Database:
    """An open clinic database. Every user action runs in one ``transaction()``."""

    engine: Engine
    url: URL
    backup_path: Path | None = None  # the copy taken before the last upgrade, if any
    # Set when an existing database file may be read by other users of the computer.
    exposure_warning: str | None = None
    # A SQLite file whose integrity check was left for after start (``check_later``).
    unchecked_file: Path | None = None

    def __post_init__(self) -> None:
        self._write_sessions = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: commits when the block ends, rolls everything back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock
        before reading, so a check made inside it (is this chair still free?) cannot be
        overtaken by another workstation before the write.
        """
        with self._write_sessions() as db, db.begin():
            yield db

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A look at the data. Nothing is committed: closing the session ends its transaction.

        Objects read keep their loaded values afterwards (closing detaches without expiring),
        so a screen may use them once the block has ended; unloaded relationships it must load
        inside.
        """
        with self._read_sessions() as db:
            yield db

    @property
    def description(self) -> str:
        """Where the data lives, for the status bar and messages (no password)."""
        path = sqlite_path(self.url)
        return str(path) if path else self.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def open_database(
    given: str | None = None,
    *,
    now: dt.datetime | None = None,
    create: bool = True,
    check_later: bool = False,
) -> Database:
    """Open (upgrading as needed) the database named by ``given`` or the default.

    A SQLite file is examined read-only first (``opening.examine``), so nothing is written
    to a file that is missing, damaged, of another application or of a newer version.
    ``create=False`` refuses a missing path instead of making a new database there.
    ``check_later`` leaves the integrity check of a file needing no upgrade to the caller
    (``opening.damage_found``, named by ``unchecked_file``): it reads the whole file, which
    takes seconds for years of history, and the desk runs it once its window is shown.
    Raises ``DatabaseError`` with one sentence saying why.
    """
    url = resolve_database_url(given)
    path = sqlite_path(url)
    exposed = None
    unchecked = None
    if path is not None:
        shared = network_fs.network_refusal(path)
        if shared:
            raise DatabaseError(shared)
        existed = path.exists()
        examined = opening.examine(
            path,
            create=create,
            is_known=migrations.is_known,
            check_later_at=migrations.head_revision() if check_later else None,
        )
        unchecked = None if examined.checked else path
        exposed = privacy.exposure_warning(path) if existed else None
        if examined.revision not in (None, migrations.head_revision()) and not (
            opening.writable(path)
        ):
            raise DatabaseError(
                f"The database {path} needs an upgrade, but it is read-only here; nothing "
                "was changed. Ask for write access to it and its folder."
            )
    engine = _create_engine(url)
    try:
        backup = _migrate(engine, url, now or dt.datetime.now(dt.UTC))
    except DatabaseError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        if path is not None and isinstance(exc.orig, sqlite3.Error):
            raise opening.explain_sqlite(exc.orig, path) from exc
        raise DatabaseError(f"Cannot open the database {_shown(url)}: {exc.orig}") from exc
    return Database(
        engine=engine,
        url=url,
        backup_path=backup,
        exposure_warning=exposed,
        unchecked_file=unchecked,
    )


def _shown(url: URL) -> str:
    path = sqlite_path(url)
    return str(path) if path else url.render_as_string(hide_password=True)


def _create_engine(url: URL) -> Engine:
    # SQL parameters are patient data: they must never reach a log line or an error message.
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(
                url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
            )
            event.listen(engine, "connect", _configure_sqlite_connection)
            event.listen(engine, "begin", _begin_sqlite_transaction)
            return engine
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        if url.get_backend_name() == "postgresql":
            postgres.configure_engine(engine)
        return engine
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"Cannot use the database URL {_shown(url)}: {exc}") from exc


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own implicit transactions are turned off so that ``_begin_sqlite_transaction``
    # decides how each transaction starts (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite_transaction(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _migrate(engine: Engine, url: URL, now: dt.datetime) -> Path | None:
    """Bring the schema to the newest revision, first copying aside a SQLite file holding data."""
    with engine.connect() as conn:
        current = migrations.current_revision(conn)
        tables = set(inspect(conn).get_table_names())
    head = migrations.head_revision()
    if current is None and tables - {"alembic_version"}:
        raise DatabaseError(
            f"{_shown(url)} holds tables but is not an {APP_NAME} database; "
            "choose another file or a new one."
        )
    if current is not None and not migrations.is_known(current):
        raise DatabaseError(
            f"{_shown(url)} was written by a newer version of {APP_NAME} "
            f"(schema {current}). Install the newer version to open it; "
            "nothing was changed."
        )
    if current == head:
        return None
    backup = None
    path = sqlite_path(url)
    if current is not None and path is not None:
        backup = _copy_aside(path, current, now)
    try:
        # As a write (the write lock first): two desks opening a new server database at once
        # build its schema one after the other, and the second finds it built.
        with engine.execution_options(immediate=True).begin() as conn:
            migrations.upgrade(conn)
    except BaseException:
        # The upgrade rolled back, so the database is as it was: the copy is not needed.
        if backup is not None:
            _remove_copy(backup)
        raise
    return backup


def _copy_aside(path: Path, revision: str, now: dt.datetime) -> Path:
    """Copy a database before upgrading it, with SQLite's backup API (safe while in WAL mode)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}.bak")
    try:
        private_files.private_file(target)
        source = sqlite3.connect(path)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (OSError, sqlite3.Error) as exc:
        # A full disk, say: a half-written copy is no backup, and must not be mistaken for one.
        _remove_copy(target)
        reason = exc.strerror if isinstance(exc, OSError) else opening.explain_sqlite(exc, path)
        raise DatabaseError(
            f"Cannot copy {path} aside before upgrading it ({reason}); nothing was changed."
        ) from exc
    return target


def _remove_copy(target: Path) -> None:
    for leftover in (target, target.with_name(f"{target.name}-journal")):
        leftover.unlink(missing_ok=True)
