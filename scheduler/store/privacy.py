"""Whether the clinic database on disk is open to other users of this computer.

Making files and folders owner-only is ``scheduler.private_files``, which every layer uses;
this is the database's own check when it is opened.
"""

from __future__ import annotations

import stat
from pathlib import Path

from scheduler.private_files import POSIX


def exposure_warning(path: Path) -> str | None:
    """One sentence when other users of this computer may read or change ``path``, else None."""
    if not POSIX:
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"Other users of this computer can open the clinic database {path} (permissions "
        f"{mode:o}); to keep patient data private, run: chmod 600 {path}"
    )
