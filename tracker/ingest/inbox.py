"""The nightly inbox: which file is which kind, and the order they must load in.

Offenders come first because every other kind refers to them; travel comes last. Within a
kind, files load in name order so a night's result never depends on the file system.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from tracker.ingest.formats import format_of

LOAD_ORDER = ("offenders", "aliases", "documents", "notifications", "travel")


@dataclass
class InboxScan:
    files: list[tuple[str, Path]] = field(default_factory=list)
    """(kind, path) in load order."""
    ignored: list[Path] = field(default_factory=list)
    """Files whose names say nothing the tracker loads (truth files, notes...)."""
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    """Entries named like inbox files that are not regular files, with the reason: never read
    (a symbolic link could point anywhere on the machine)."""


def kind_of(path: Path) -> str | None:
    """The input kind a file's name announces, or None when it is not an inbox file."""
    fmt = format_of(path)
    if fmt in ("paxlst", "pnrgov"):
        return "travel"
    if fmt is None:
        return None
    name = path.name.lower()
    return next((kind for kind in LOAD_ORDER if name.startswith(kind)), None)


def scan_inbox(folder: Path) -> InboxScan:
    """Every loadable file of ``folder`` (not its subfolders), in load order."""
    scan = InboxScan()
    found: dict[str, list[Path]] = {kind: [] for kind in LOAD_ORDER}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith("."):
            continue
        kind = kind_of(path)
        not_regular = _not_a_regular_file(path)
        if not_regular:
            if kind is not None:
                scan.skipped.append((path, not_regular))
            continue
        if kind is None:
            scan.ignored.append(path)
        else:
            found[kind].append(path)
    scan.files = [(kind, path) for kind in LOAD_ORDER for path in found[kind]]
    return scan


def _not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` is not a regular file, looked at without following a link; None if it is."""
    try:
        mode = path.lstat().st_mode
    except OSError:  # gone since the folder was listed (a sender renaming a temporary file)
        return "gone before it could be read: skipped"
    if stat.S_ISLNK(mode):
        return "a symbolic link, not a regular file: skipped unread"
    if stat.S_ISDIR(mode):
        return "a folder, not a regular file: skipped"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, pipe or socket): skipped unread"
    return None
