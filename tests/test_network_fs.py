"""A SQLite file on a network file system is refused; the decision tested on made-up mounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.store import DatabaseError, open_database
from scheduler.store.network_fs import (
    filesystem_type,
    is_network_type,
    is_unc_path,
    linux_mounts,
    macos_mounts,
    network_kind,
    refusal,
)
from tests.conftest import NOW

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
30 22 0:25 / /home rw,relatime shared:2 - ext4 /dev/sda2 rw
41 22 0:40 / /srv/clinic rw,relatime shared:20 - nfs4 fileserver:/export/clinic rw,vers=4.2
42 41 0:41 / /srv/clinic/local rw,relatime shared:21 - tmpfs tmpfs rw
43 22 0:42 / /mnt/front\\040desk rw,relatime shared:22 - cifs //fileserver/desk rw
44 22 0:43 / /mnt/laptop rw,relatime shared:23 - fuse.sshfs nurse@laptop:/ rw
"""

MACOS_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
//nurse@fileserver/clinic on /Volumes/clinic (smbfs, nodev, nosuid, mounted by nurse)
fileserver:/export on /Volumes/export share (nfs, asynchronous)
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/home/desk/clinic.sqlite3", "ext4"),
        ("/srv/clinic/clinic.sqlite3", "nfs4"),
        ("/srv/clinic/local/clinic.sqlite3", "tmpfs"),  # a local mount inside the share
        ("/srv/clinical/clinic.sqlite3", "ext4"),  # a name starting alike is not inside
        ("/mnt/front desk/clinic.sqlite3", "cifs"),
        ("/mnt/laptop/c.sqlite3", "fuse.sshfs"),
    ],
)
def test_linux_mount_table_names_the_file_system(path: str, kind: str) -> None:
    assert filesystem_type(Path(path), linux_mounts(MOUNTINFO)) == kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/Users/desk/clinic.sqlite3", "apfs"),
        ("/Volumes/clinic/clinic.sqlite3", "smbfs"),
        ("/Volumes/export share/clinic.sqlite3", "nfs"),
    ],
)
def test_macos_mount_output_names_the_file_system(path: str, kind: str) -> None:
    assert filesystem_type(Path(path), macos_mounts(MACOS_MOUNT)) == kind


def test_which_file_systems_count_as_network() -> None:
    for kind in ("nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "ceph"):
        assert is_network_type(kind), kind
    for local in ("ext4", "xfs", "btrfs", "apfs", "tmpfs", "overlay", "fuse.portal", None):
        assert not is_network_type(local), local


def test_windows_unc_paths_are_network() -> None:
    assert is_unc_path(r"\\fileserver\clinic\clinic.sqlite3")
    assert is_unc_path("//fileserver/clinic/clinic.sqlite3")
    assert not is_unc_path(r"C:\Users\desk\clinic.sqlite3")


def test_the_refusal_says_why_and_points_to_postgresql() -> None:
    sentence = refusal(Path("/srv/clinic/clinic.sqlite3"), "nfs4")
    assert sentence.startswith("/srv/clinic/clinic.sqlite3 is on a network file system (nfs4);")
    assert "PostgreSQL" in sentence
    assert '"Several workstations"' in sentence
    assert sentence.count(".") >= 1


def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    assert network_kind(tmp_path / "clinic.sqlite3") is None


def test_opening_a_file_on_a_network_share_is_refused_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    table = f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n41 22 0:40 / {share} rw - nfs4 srv:/x rw\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: table)
    with pytest.raises(DatabaseError, match=r"is on a network file system \(nfs4\)"):
        open_database(str(share / "clinic.sqlite3"), now=NOW)
    assert list(share.iterdir()) == []
