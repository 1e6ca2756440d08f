"""The files the desk ships inside its package: fonts, letter wording, icons and the style sheet.

They live in this package (``scheduler/resources/…``) and are found through
``importlib.resources``, never by walking up from a source file, so an installed wheel, an
editable install, the source folder and a desktop bundle all find them the same way. Every
supported installation keeps them as plain files on disk, which reportlab (fonts), Qt (icons)
and Alembic (migrations) need.

A shipped file that is not there is a fault of the installation, not of the clinic's wording
or settings: ``MissingResource`` says so, naming the file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from scheduler import APP_NAME
from scheduler.errors import ServiceError


class MissingResource(ServiceError):
    """A file that ships with the desk is missing: the installation is incomplete."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        super().__init__(
            f"The installation is missing {name} (looked in {folder}); install {APP_NAME} again."
        )


def shipped(*parts: str) -> Path:
    """Where a shipped file or folder belongs (``shipped("fonts", "DejaVuSans.ttf")``)."""
    return Path(str(resources.files(__name__))).joinpath(*parts)


def shipped_file(*parts: str) -> Path:
    """A shipped file that must be there; ``MissingResource`` names it otherwise."""
    return required_file(shipped(*parts), "/".join(parts))


def required_file(path: Path, name: str | None = None) -> Path:
    """``path`` if it is a file; else ``MissingResource`` naming it (``name``, else its own)."""
    if not path.is_file():
        raise MissingResource(name or path.name, path.parent)
    return path
