"""A package on disk: written owner-only under hidden names and renamed into place, so a
reader never sees half a package; removed again if its record does not commit."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tracker.reports.package_facts import PackageRefused

FOLDER_MODE = 0o700
FILE_MODE = 0o600


@dataclass
class BuiltPackage:
    package_id: str
    flag_id: int
    folder: Path
    zip_path: Path
    zip_sha256: str
    key_id: str
    country: str
    agency: str
    fields_sent: list[str]
    warnings: list[str] = field(default_factory=list)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def make_private_folder(path: Path) -> None:
    """Create ``path`` and any missing parent owner-only (0700, whatever the umask): a folder
    listing package names must not be readable by other accounts. Existing folders are left
    as they are (``--out`` may name a shared folder the tracker does not own)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        folder.chmod(FOLDER_MODE)
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))


def tighten_own_folder(path: Path) -> None:
    """Make a folder that is the tracker's own (the web application's packages folder)
    owner-only, also when an earlier version created it world-listable."""
    make_private_folder(path)
    status = path.stat()
    if status.st_uid == os.geteuid() and status.st_mode & 0o077:
        path.chmod(FOLDER_MODE)


def write_package(
    out_dir: Path, package_id: str, files: Mapping[str, bytes], archive: bytes
) -> tuple[Path, Path]:
    """Written beside the target under hidden names, then renamed: a reader never sees half a
    package. Owner-only, as the files hold personal data."""
    try:
        make_private_folder(out_dir)
    except OSError as exc:
        raise PackageRefused(f"cannot create {out_dir}: {exc.strerror}") from exc
    folder, zip_path = out_dir / package_id, out_dir / f"{package_id}.zip"
    staging = out_dir / f".{package_id}.partial"
    zip_staging = out_dir / f".{package_id}.zip.partial"
    try:
        staging.mkdir(mode=FOLDER_MODE)
        staging.chmod(FOLDER_MODE)  # whatever the umask
        for name, data in files.items():
            _write_private(staging / name, data)
        _write_private(zip_staging, archive)
        os.replace(staging, folder)
        os.replace(zip_staging, zip_path)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        zip_staging.unlink(missing_ok=True)
        raise PackageRefused(f"cannot write the package under {out_dir}: {exc}") from exc
    return folder, zip_path


def discard_package(built: BuiltPackage) -> None:
    """Remove a package's files when its database record did not commit."""
    shutil.rmtree(built.folder, ignore_errors=True)
    built.zip_path.unlink(missing_ok=True)
