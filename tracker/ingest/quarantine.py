"""Files a night could not read, set aside with their reason so the next night does not trip
on them again and an operator can see what to fix (data contract 1.1: quarantine).

A quarantined file is moved, unread beyond what refused it, to
``TRACKER_DATA_DIR/quarantine/run-<id>/`` with a ``<name>.reason.txt`` beside it. Entries that
are not regular files (a symbolic link could point anywhere) are never moved or opened: they
are reported and left where they are.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tracker.tabular import write_records

WHAT_TO_DO = (
    "fix or replace the file and put it back in the inbox; the next night loads it "
    "(rows already loaded are not loaded twice)"
)


@dataclass(frozen=True)
class Quarantined:
    name: str
    reason: str
    moved_to: Path | None  # None: left in place (not a regular file)

    def as_dict(self) -> dict:
        return {
            "file": self.name,
            "reason": self.reason,
            "moved_to": str(self.moved_to) if self.moved_to else None,
        }


def quarantine(
    refused: list[tuple[Path, str, bool]], inbox: Path, folder: Path
) -> list[Quarantined]:
    """Move each refused file marked to be moved (path, reason, move: a regular file, and the
    inbox may be emptied) into ``folder`` with its reason beside it; report the rest in place."""
    done = []
    for path, reason, regular in refused:
        if not regular or not path.exists():
            done.append(Quarantined(path.name, reason, None))
            continue
        target = folder / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        target.with_name(target.name + ".reason.txt").write_text(
            f"{path.name}: {reason}\nWhat to do: {WHAT_TO_DO}\n", encoding="utf-8"
        )
        done.append(Quarantined(path.name, reason, target))
    return done


def write_warnings(warned: list[dict], folder: Path) -> Path | None:
    """``warnings.csv`` (file, warning) beside the run's reject files: what the loaders
    repaired or ignored (a control count that disagreed, a stray byte), for the sender."""
    if not warned:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warnings.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_records(handle, ("file", "warning"), warned)
    return path
