"""Loading contract files by hand (`tracker ingest`): the register is personal data, so only
an admin loads it outside the nightly job, which acts as the system."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tracker.access.people import require_actor
from tracker.ingest import FileResult, ingest_files
from tracker.settings import Settings


def load_files_by_hand(
    session: Session,
    who: str | None,
    kind: str,
    paths: list[Path],
    *,
    settings: Settings,
    progress: bool = False,
) -> list[FileResult]:
    """Load ``paths`` of one ``kind`` as ``who`` (an admin). Each file loads in its own
    transaction (all or nothing per file), beside the caller's session, and each load is
    audited as a collection by ``who``."""
    actor = require_actor(session, who, "ingest.run")
    loads = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
    return ingest_files(loads, kind, paths, settings=settings, actor=actor.name, progress=progress)
