"""Retention of a night's run folders: the inbox files it archived and the files it quarantined
hold, whole, the same passengers' details as the records loaded from them, and its warnings file
names what was in them. They are kept as long as an unmatched travel record, then erased, and
the erasure is logged (domain.md s.6).

A folder ``run-<id>`` is old when run ``<id>`` started before the cutoff or, with no such run
(a restored copy, a run row that is gone), when nothing in it was written since. Symbolic links
are removed as links, never followed; nothing outside the data folder is deleted, and the
current run's folders are left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.models import Run
from tracker.services.reject_retention import inside_folder
from tracker.services.retention import retention_cutoff

WHOLE_FOLDERS = ("archive", "quarantine")  # under the data folder: a night's folder, erased whole
REJECTS = "rejects"  # the night's reject files are reject_retention's; its warnings file is ours
WARNINGS_FILE = "warnings.csv"  # tracker.ingest.quarantine.write_warnings
RUN_FOLDER = re.compile(r"run-([0-9]{1,18})")
MAX_DEPTH = 32  # an inbox's subfolders, mirrored; anything deeper is left (and the folder kept)
RUN_IDS_PER_QUERY = 500


@dataclass
class RunFolderErasure:
    cutoff: date
    folders: dict[str, int] = field(default_factory=dict)  # kind -> run folders erased
    files: dict[str, int] = field(default_factory=dict)  # kind -> files (and links) erased

    def details(self) -> dict:
        return {
            "cutoff": self.cutoff.isoformat(),
            **{
                kind: {"folders": self.folders[kind], "files": self.files[kind]}
                for kind in self.folders
            },
        }


def _run_folders(root: Path, current_run_id: int | None) -> dict[int, Path]:
    """The real folders named ``run-<id>`` directly under ``root`` (a link is not one), but the
    current run's."""
    if root.is_symlink() or not root.is_dir():
        return {}
    found = {}
    with os.scandir(root) as entries:
        for entry in entries:
            match = RUN_FOLDER.fullmatch(entry.name)
            if match and entry.is_dir(follow_symlinks=False):
                run_id = int(match.group(1))
                if run_id != current_run_id:
                    found[run_id] = Path(entry.path)
    return found


def _contents(folder: Path, depth: int = 0) -> tuple[list[Path], list[Path]]:
    """A folder's files and links, and its subfolders deepest first, without following links."""
    files: list[Path] = []
    folders: list[Path] = []
    if depth >= MAX_DEPTH:
        return files, folders
    with os.scandir(folder) as entries:
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                inner_files, inner_folders = _contents(path, depth + 1)
                files += inner_files
                folders += [*inner_folders, path]
            else:
                files.append(path)
    return files, folders


def _newest_change(folder: Path) -> float:
    """When its newest file was written (a link's own time, not its target's); an empty
    folder's own time."""
    files, _ = _contents(folder)
    return max((path.lstat().st_mtime for path in files), default=folder.lstat().st_mtime)


def _started_before(session: Session, run_ids: list[int], before: datetime) -> dict[int, bool]:
    """For each run that has a row: did it start before ``before``."""
    started = {}
    for i in range(0, len(run_ids), RUN_IDS_PER_QUERY):
        chunk = run_ids[i : i + RUN_IDS_PER_QUERY]
        for run_id, started_at in session.execute(
            select(Run.id, Run.started_at).where(Run.id.in_(chunk))
        ):
            started[run_id] = started_at < before
    return started


def _old_folders(session: Session, folders: dict[int, Path], before: datetime) -> list[Path]:
    started = _started_before(session, sorted(folders), before)
    limit = before.timestamp()
    old = []
    for run_id, folder in sorted(folders.items()):
        if started[run_id] if run_id in started else _newest_change(folder) < limit:
            old.append(folder)
    return old


def _erase_folder(folder: Path, data_dir: Path) -> int:
    """Delete a run folder and everything in it, links as links; how many files went."""
    if not inside_folder(folder, data_dir):
        return 0
    files, folders = _contents(folder)
    erased = 0
    for path in files:
        if inside_folder(path.parent, data_dir):
            path.unlink(missing_ok=True)
            erased += 1
    for path in [*folders, folder]:
        # something left (too deep, or written meanwhile): the next night tries again
        with contextlib.suppress(OSError):
            path.rmdir()
    return erased


def _erase_warnings(folder: Path, data_dir: Path) -> tuple[int, int]:
    """A run's warnings file, then its rejects folder if that left it empty."""
    path = folder / WARNINGS_FILE
    if not inside_folder(folder, data_dir) or not (path.is_file() or path.is_symlink()):
        return 0, 0
    path.unlink()
    try:
        folder.rmdir()
    except OSError:  # reject files still there: reject_retention judges them by their load
        return 1, 0
    return 1, 1


def erase_old_run_folders(
    session: Session,
    data_dir: Path,
    as_of: date,
    days: int,
    actor: str = "system",
    run_id: int | None = None,
) -> RunFolderErasure:
    """Erase the archive and quarantine folders, and the warnings files, of runs older than
    ``days`` before ``as_of``; one audit entry records how many and the cutoff. Files go before
    the transaction commits, as with reject files."""
    cutoff = retention_cutoff(as_of, days)
    before = datetime.combine(cutoff, time(), tzinfo=UTC)
    outcome = RunFolderErasure(cutoff)
    for kind in WHOLE_FOLDERS:
        old = _old_folders(session, _run_folders(data_dir / kind, run_id), before)
        outcome.files[kind] = sum(_erase_folder(folder, data_dir) for folder in old)
        outcome.folders[kind] = sum(1 for folder in old if not folder.exists())
    rejects = _old_folders(session, _run_folders(data_dir / REJECTS, run_id), before)
    warnings = [_erase_warnings(folder, data_dir) for folder in rejects]
    outcome.files["warnings"] = sum(files for files, _ in warnings)
    outcome.folders["warnings"] = sum(folders for _, folders in warnings)
    record_event(
        session,
        actor=actor,
        action="erasure",
        object_type="run_folders",
        justification=f"retention: a run's archived, quarantined and warnings files are kept "
        f"{days} days",
        details=outcome.details(),
        run_id=run_id,
    )
    return outcome
