"""Writing a batch of files all-or-nothing: staged under hidden names, then renamed together.

A staged file is named ``.<name>.<pid>-<random>.part``. The process id lets the next run in
the same folder tell the leftovers of a run that was killed (its process is gone) from the
files of a run still going, and remove them: a killed print run must not leave patient
letters lying about under hidden names.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import ServiceError
from scheduler.private_files import PRIVATE_FILE, private_folder

_PART = re.compile(r"^\..+\.(?P<pid>\d+)-[0-9a-f]+\.part$")


@dataclass
class Staged:
    """Files written under temporary names; ``publish`` names them, ``discard`` removes the rest."""

    out_dir: Path
    pending: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, final)

    def publish(self) -> dict[str, Path]:
        """Rename every file to its name (atomic within a folder); the names by file name."""
        try:
            for temp, final in self.pending:
                os.replace(temp, final)
        except OSError as exc:
            raise _refusal(self.out_dir, exc) from exc
        published = {final.name: final for _temp, final in self.pending}
        self.pending = []
        return published

    def discard(self) -> None:
        """Remove whatever was not published (after a failure); harmless after ``publish``."""
        for temp, _final in self.pending:
            temp.unlink(missing_ok=True)
        self.pending = []


def stage_files(out_dir: Path, documents: dict[str, bytes]) -> Staged:
    """Write every document into ``out_dir`` under a hidden temporary name, or none of them."""
    try:
        private_folder(out_dir)  # a new letters folder is the owner's alone, like the letters
        remove_leftovers(out_dir)
    except OSError as exc:
        raise ServiceError(
            f"Cannot use {out_dir} for letters: {exc.strerror or exc}. Nothing was printed."
        ) from exc
    staged = Staged(out_dir)
    try:
        for name, data in documents.items():
            temp = out_dir / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part"
            staged.pending.append((temp, out_dir / name))
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
    except OSError as exc:
        staged.discard()
        raise _refusal(out_dir, exc) from exc
    return staged


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the staged files of runs whose process has ended (killed mid-run)."""
    removed = []
    for entry in _staged_names(out_dir.iterdir()):
        match = _PART.match(entry.name)
        if match and not _alive(int(match["pid"])):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _staged_names(entries: Iterable[Path]) -> list[Path]:
    return [entry for entry in entries if entry.name.startswith(".") and entry.suffix == ".part"]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process, still running
    except OSError:
        return False
    return True


def _refusal(out_dir: Path, exc: OSError) -> ServiceError:
    return ServiceError(
        f"Cannot write letters to {out_dir}: {exc.strerror or exc}. "
        "Nothing was printed or recorded."
    )
