"""Keeping patient data private on disk: owner-only folders and files, written whole.

Every layer writes files that hold patient data (the database, letters saved from the
preview, the audit export, the desk's log), so these helpers sit below all of them. A folder
the app creates is 0700 and every file it writes 0600, set explicitly rather than left to the
umask, so another user of the same computer cannot read the clinic's data. On Windows the
folders under the user's profile are private already; the modes are skipped.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import TextIO

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
POSIX = os.name == "posix"


def private_folder(path: Path) -> None:
    """Create ``path`` and any missing parents, each readable by the owner only.

    Folders that already exist are left as they are: a shared folder chosen for the database
    may rightly be open to a group.
    """
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    if not missing and not path.is_dir():
        raise FileExistsError(errno.EEXIST, "a file of that name is in the way", str(path))
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        if POSIX:
            os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is cut by the umask


def _private_handle(path: Path, flags: int) -> int:
    """Open ``path`` (created if missing) with ``flags``, made owner-only whatever it was."""
    handle = os.open(path, flags | os.O_CREAT, PRIVATE_FILE)
    try:
        if POSIX:
            # os.open's mode applies only to a new file, and is cut by the umask.
            os.fchmod(handle, PRIVATE_FILE)
    except BaseException:
        os.close(handle)
        raise
    return handle


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner may read or write it (created empty)."""
    os.close(_private_handle(path, os.O_WRONLY))


def append_private(path: Path) -> TextIO:
    """Open ``path`` to add text at its end (created if missing), readable by its owner only.

    What the file already holds is kept; one left open to others is closed to them first.
    """
    handle = _private_handle(path, os.O_WRONLY | os.O_APPEND)
    try:
        return os.fdopen(handle, "a", encoding="utf-8")
    except BaseException:
        os.close(handle)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file, owner-only, atomically: a reader never sees half of it.

    The data goes to a temporary file in the same folder (created 0600) and is renamed over
    ``path`` once it is on disk.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
