"""The folder `tracker watch` screens: which files have arrived whole, and where each goes
once screened (``screened/``) or refused (``failed/`` with a reason file beside it).

A file is taken when it is a regular file (never a symbolic link: it could point anywhere on
the machine) with a manifest's ending, and its size and time are the same as at the last
poll: a sender still writing it is left until the next one. Names a sender writes to first
(``.part``, ``.tmp``, hidden files) are never taken; a file moved in whole is seen whole.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_TYPES = {
    ".csv": "text/csv",
    ".jsonl": "application/x-ndjson",
    ".edi": "application/edifact",
    ".paxlst": "application/edifact",
    ".pnr": "application/edifact",
}
SCREENED, FAILED = "screened", "failed"
REASON_SUFFIX = ".reason.txt"
NOTE_SUFFIX = ".screened.txt"
PNR_NOT_KEPT = (
    "screened as screening {id}; the PNRGOV file itself is not kept: a PNR holds contact "
    "and payment details the tracker never stores (its travellers are in the database)\n"
)


def content_type_of(path: Path) -> str | None:
    """The content type a manifest file's ending says, or None."""
    return MANIFEST_TYPES.get(path.suffix.lower())


@dataclass
class WatchedFolder:
    """The inbox and what the last poll saw of each candidate: (size, mtime)."""

    inbox: Path
    seen: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def arrived(self) -> list[Path]:
        """Files unchanged since the last poll, in name order (each poll remembers what it
        saw, so a file is taken on the poll after it stopped growing)."""
        now: dict[Path, tuple[int, int]] = {}
        for entry in sorted(self.inbox.iterdir()):
            if entry.name.startswith(".") or content_type_of(entry) is None:
                continue
            try:
                status = entry.lstat()
            except OSError:
                continue  # gone meanwhile
            if stat.S_ISREG(status.st_mode):
                now[entry] = (status.st_size, status.st_mtime_ns)
        ready = [path for path, shape in now.items() if self.seen.get(path) == shape]
        self.seen = {path: shape for path, shape in now.items() if path not in ready}
        return ready

    def skipped(self) -> list[Path]:
        """Entries with a manifest's ending that are not regular files (never read)."""
        return [
            entry
            for entry in sorted(self.inbox.iterdir())
            if content_type_of(entry) is not None
            and not stat.S_ISREG(entry.lstat().st_mode)
            and not entry.name.startswith(".")
        ]

    def drop_screened_pnr(self, path: Path, screening_id: int) -> Path:
        """A screened PNRGOV file is deleted, a note left in ``screened/`` in its place (a PNR
        holds contact and payment details that must not lie about on disk)."""
        note = self.move(path, SCREENED, f"s{screening_id}")
        note.unlink()
        written = note.with_name(note.name + NOTE_SUFFIX)
        written.write_text(PNR_NOT_KEPT.format(id=screening_id), "utf-8")
        return written

    def move(self, path: Path, outcome: str, prefix: str, reason: str | None = None) -> Path:
        """Move ``path`` into ``screened/`` or ``failed/`` (named ``<prefix>-<name>``, never
        over another file), with the reason beside a failed one."""
        folder = self.inbox / outcome
        folder.mkdir(exist_ok=True)
        target = folder / f"{prefix}-{path.name}"
        counter = 1
        while target.exists():
            counter += 1
            target = folder / f"{prefix}-{counter}-{path.name}"
        path.rename(target)
        if reason is not None:
            target.with_name(target.name + REASON_SUFFIX).write_text(reason + "\n", "utf-8")
        return target
