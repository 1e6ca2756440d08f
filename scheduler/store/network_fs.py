"""Whether a SQLite file would live on a network file system, where SQLite must not be used.

SQLite's WAL mode keeps its lock state in shared memory on one computer, and even its rollback
mode relies on the network file system's locking, which NFS and SMB servers get wrong often
enough to damage a database. Several workstations share a PostgreSQL server instead.

The decision functions take the mount table as text, so they are tested with made-up tables.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PureWindowsPath

# File system types (as Linux's mountinfo and macOS's mount name them) that reach another machine.
NETWORK_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "afpfs",
        "webdav", "davfs", "ceph", "glusterfs", "lustre", "gpfs", "9p", "ocfs2", "gfs2",
        "fuse.sshfs", "fuse.glusterfs", "fuse.smbnetfs", "fuse.rclone", "fuse.davfs2",
    }
)  # fmt: skip
WINDOWS_DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive


def _unescape(field: str) -> str:
    """Mount points in mountinfo write space, tab, newline and backslash as octal escapes."""
    for escape, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(escape, char)
    return field


def linux_mounts(mountinfo: str) -> list[tuple[str, str]]:
    """(mount point, file system type) for each line of /proc/self/mountinfo."""
    mounts = []
    for line in mountinfo.splitlines():
        before, sep, after = line.partition(" - ")
        fields = before.split()
        if not sep or len(fields) < 5 or not after.split():
            continue
        mounts.append((_unescape(fields[4]), after.split()[0]))
    return mounts


def macos_mounts(mount_output: str) -> list[tuple[str, str]]:
    """(mount point, file system type) for each line of macOS's ``mount`` output:
    ``//nurse@fileserver/clinic on /Volumes/clinic (smbfs, nodev, nosuid, mounted by nurse)``."""
    mounts = []
    for line in mount_output.splitlines():
        _, on, rest = line.partition(" on ")
        point, paren, options = rest.rpartition(" (")
        if on and paren:
            mounts.append((point, options.split(",")[0].strip(" )")))
    return mounts


def filesystem_type(path: Path, mounts: list[tuple[str, str]]) -> str | None:
    """The type of the file system holding ``path``: the mount with the longest matching point."""
    best: tuple[int, str] | None = None
    text = str(path)
    for point, kind in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), kind)
    return best[1] if best else None


def is_network_type(kind: str | None) -> bool:
    return kind is not None and (kind in NETWORK_TYPES or kind.split(".")[0] in NETWORK_TYPES)


def is_unc_path(path: str) -> bool:
    r"""A Windows path on another machine: ``\\fileserver\clinic\clinic.sqlite3``."""
    return PureWindowsPath(path).drive.startswith(("\\\\", "//"))


def _existing(path: Path) -> Path:
    """The path itself or, for a file not yet created, the nearest folder above it that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve()
    return path


def _windows_remote_drive(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = PureWindowsPath(path).drive
    if not drive:
        return False
    kernel = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
    return bool(kernel.GetDriveTypeW(drive + "\\") == WINDOWS_DRIVE_REMOTE)


def network_kind(path: Path, platform: str = sys.platform) -> str | None:
    """A name for the network file system ``path`` is on, or None on a local disk."""
    if platform == "win32":  # pragma: no cover - Windows only
        if is_unc_path(str(path)):
            return "a network share"
        return "a network drive" if _windows_remote_drive(path) else None
    place = _existing(path)
    try:
        if platform.startswith("linux"):
            mounts = linux_mounts(Path("/proc/self/mountinfo").read_text(encoding="utf-8"))
        elif platform == "darwin":  # pragma: no cover - macOS only
            mounts = macos_mounts(
                subprocess.run(["/sbin/mount"], capture_output=True, text=True, check=False).stdout
            )
        else:  # pragma: no cover - other systems are not checked
            return None
    except OSError:
        return None
    kind = filesystem_type(place, mounts)
    return kind if is_network_type(kind) else None


def refusal(path: Path, kind: str) -> str:
    """The sentence that refuses a SQLite file on a network file system."""
    where = kind if kind.startswith("a ") else f"a network file system ({kind})"
    return (
        f"{path} is on {where}; SQLite cannot share a database file safely over a network and "
        "the clinic's data could be damaged. Keep the file on this computer's own disk, or let "
        'several workstations share a PostgreSQL server (README, "Several workstations").'
    )


def network_refusal(path: Path) -> str | None:
    """Why ``path`` must not hold a SQLite database, or None when it is on a local disk."""
    kind = network_kind(path)
    return refusal(path, kind) if kind else None
