"""A night's own record: its row in ``runs`` (status, counts, timings) and its JSON-lines log,
for operators and monitoring."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.models import Run
from tracker.settings import SYSTEM_ACTOR


class RunLog:
    """A JSON-lines log per run: one line per stage event, for operators and monitoring."""

    def __init__(self, path: Path, echo: Callable[[str], None] | None = None):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.echo = echo

    def write(self, event: str, **values) -> None:
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **values}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")
        if self.echo:
            text = " ".join(
                f"{k}={v}" for k, v in values.items() if k not in ("counts", "traceback")
            )
            self.echo(f"[{entry['at']}] {event} {text}".rstrip())


def open_run(sessions: sessionmaker[Session], as_of: date, inbox: Path, outbox: Path) -> int:
    """A new nightly run's record; its id keys everything the run does."""
    with transaction(sessions) as s:
        run = Run(
            kind="nightly",
            as_of=as_of,
            actor=SYSTEM_ACTOR,
            inbox=str(inbox),
            outbox=str(outbox),
        )
        s.add(run)
        s.flush()
        return run.id


def stored_run(session: Session, run_id: int) -> Run:
    """The run's row; a missing one is a bug (runs are never deleted while they run)."""
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"run {run_id} has no record")
    return run


def save_run(
    sessions: sessionmaker[Session],
    run_id: int,
    status: str,
    error: str | None,
    counts: dict,
    timings: dict[str, float],
) -> None:
    """The run's status, counts and timings as they stand; finished unless still running."""
    with transaction(sessions) as s:
        run = stored_run(s, run_id)
        run.status = status
        run.error = error
        run.counts = json.loads(json.dumps(counts, default=str))
        run.stage_timings = dict(timings)
        if status != "running":
            run.finished_at = datetime.now(UTC)
