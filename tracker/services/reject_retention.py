"""Retention of rejected rows: a reject keeps a row whole, so it holds the same personal details
as the record it would have been (a passenger's names, date of birth, passport). It is kept for
the sender to correct from, as long as an unmatched travel record, then erased from the
``rejects`` table and from the reject files, and the erasure is logged (domain.md s.6)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.db import changed_rows
from tracker.ingest.rejects import REJECT_SUFFIX
from tracker.models import Reject, SourceFile
from tracker.services.retention import retention_cutoff

PARTIAL_SUFFIX = REJECT_SUFFIX + ".partial"  # left by a load that died mid-way


@dataclass
class RejectErasure:
    rows: int
    files: int
    cutoff: date


def inside_folder(path: Path, folder: Path) -> bool:
    """Only files under the rejects folder are ever deleted, whatever a database row says."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _recorded_files(session: Session, rejects_dir: Path, before: datetime) -> set[Path]:
    """Reject files of loads before ``before``, as their source-file rows name them; the rows
    then name none."""
    paths = set()
    for source in session.scalars(
        select(SourceFile).where(SourceFile.loaded_at < before, SourceFile.reject_file.is_not(None))
    ):
        assert source.reject_file is not None  # the query asked for rows that name one
        path = Path(source.reject_file)
        if inside_folder(path, rejects_dir):
            paths.add(path)
        source.reject_file = None
    return paths


def _stray_files(rejects_dir: Path, before: datetime) -> set[Path]:
    """Reject files no row names any more (an interrupted load's, a restored backup's) last
    written before ``before``."""
    if not rejects_dir.is_dir():
        return set()
    limit = before.timestamp()
    return {
        path
        for pattern in (f"*{REJECT_SUFFIX}", f"*{PARTIAL_SUFFIX}")
        for path in rejects_dir.rglob(pattern)
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < limit
    }


def _delete_files(paths: set[Path], rejects_dir: Path) -> int:
    deleted = 0
    for path in sorted(paths):
        if path.exists():
            path.unlink()
            deleted += 1
        folder = path.parent
        if folder != rejects_dir and inside_folder(folder, rejects_dir):
            with contextlib.suppress(OSError):  # only when nothing else is left in it
                os.rmdir(folder)
    return deleted


def erase_old_rejects(
    session: Session,
    rejects_dir: Path,
    as_of: date,
    days: int,
    actor: str = "system",
    run_id: int | None = None,
) -> RejectErasure:
    """Erase rejected rows and reject files older than ``days`` before ``as_of``; one audit
    entry records how many. Files go before the transaction commits: a failed commit leaves
    rows that the next run erases."""
    cutoff = retention_cutoff(as_of, days)
    before = datetime.combine(cutoff, time(), tzinfo=UTC)
    rows = changed_rows(
        session.execute(
            delete(Reject).where(Reject.created_at < before),
            execution_options={"synchronize_session": False},
        )
    )
    paths = _recorded_files(session, rejects_dir, before) | _stray_files(rejects_dir, before)
    session.flush()
    files = _delete_files(paths, rejects_dir)
    record_event(
        session,
        actor=actor,
        action="erasure",
        object_type="rejects",
        justification=f"retention: rejected rows are kept {days} days",
        details={"rows": rows, "files": files, "cutoff": cutoff.isoformat()},
        run_id=run_id,
    )
    return RejectErasure(rows, files, cutoff)
