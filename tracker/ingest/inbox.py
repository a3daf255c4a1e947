"""The nightly inbox: which file is which kind, and the order they must load in.

Offenders come first because every other kind refers to them; travel comes last. Within a
kind, files load in name order so a night's result never depends on the file system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tracker.ingest.readers import format_of

LOAD_ORDER = ("offenders", "aliases", "documents", "notifications", "travel")


@dataclass
class InboxScan:
    files: list[tuple[str, Path]] = field(default_factory=list)
    """(kind, path) in load order."""
    ignored: list[Path] = field(default_factory=list)
    """Files whose names say nothing the tracker loads (truth files, notes...)."""


def kind_of(path: Path) -> str | None:
    """The input kind a file's name announces, or None when it is not an inbox file."""
    fmt = format_of(path)
    if fmt == "paxlst":
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
        if not path.is_file() or path.name.startswith("."):
            continue
        kind = kind_of(path)
        if kind is None:
            scan.ignored.append(path)
        else:
            found[kind].append(path)
    scan.files = [(kind, path) for kind in LOAD_ORDER for path in found[kind]]
    return scan
