"""The nightly job: one function that strings the stages together, keyed by a run record.

Stages run in order, each in its own transaction(s): ingest (one per file), match, compliance,
retention, feed, exports and, once the run's status is final, the report. Each is idempotent,
so a run killed at any point and started again converges to the state a clean run gives. A
lock row keeps runs on one database one at a time; every stage's counts and timing land in
the run record and in a JSON-lines log.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.models import Flag, Link
from tracker.nightly_result import NightlyResult
from tracker.nightly_stages import NightlyStages
from tracker.run_record import RunLog, open_run, save_run
from tracker.services.locks import acquire_run_lock
from tracker.settings import Settings

if TYPE_CHECKING:  # the matcher (pandas, rapidfuzz) loads only when the stage runs
    from tracker.matching.settings import LinkSettings

# The report comes last, after the audit checkpoint, so it shows the run's final status.
STAGES = ("ingest", "match", "compliance", "retention", "feed", "exports", "report")


@dataclass
class NightlyOptions:
    inbox: Path
    as_of: date
    outbox: Path
    settings: Settings
    progress: bool = False
    wait_seconds: float = 0
    retention_days: int = 30
    archive: bool = True
    echo: Callable[[str], None] | None = None
    now: datetime | None = None
    link_settings: LinkSettings | None = None  # bands' thresholds; None: the defaults
    retrain: bool = False  # fit a new matching model even if one is active


def _new_flags(session: Session, run_id: int) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind, severity, n in session.execute(
        select(Flag.kind, Flag.severity, func.count())
        .where(Flag.run_id == run_id)
        .group_by(Flag.kind, Flag.severity)
    ):
        counts.setdefault(kind, {})[severity] = n
    return counts


class Nightly(NightlyStages):
    """One run: its record, its log, and the stages in order."""

    def _start(self) -> None:
        o = self.options
        self._run_id = open_run(self.sessions, o.as_of, o.inbox, o.outbox)
        self._log = RunLog(o.settings.runs_dir / f"run-{self.run_id}.jsonl", o.echo)
        self.log.write(
            "run started", run=self.run_id, as_of=o.as_of, inbox=o.inbox, outbox=o.outbox
        )

    def _run_stage(self, stage: str) -> str | None:
        """Run one stage, recording its counts and timing; the error, if it failed."""
        started = time.perf_counter()
        self.log.write("stage started", stage=stage)
        try:
            self.counts[stage] = getattr(self, f"stage_{stage}")()
        except Exception as exc:  # a failed stage is recorded and reported, not raised
            self.timings[stage] = round(time.perf_counter() - started, 3)
            error = f"stage {stage} failed: {type(exc).__name__}: {exc}"
            self.log.write(
                "stage failed", stage=stage, error=error, traceback=traceback.format_exc()
            )
            return error
        self.timings[stage] = round(time.perf_counter() - started, 3)
        self.log.write(
            "stage finished", stage=stage, seconds=self.timings[stage], counts=self.counts[stage]
        )
        return None

    def execute(self, lock_heartbeat: Callable[[int | None], None]) -> NightlyResult:
        self.options.outbox.mkdir(parents=True, exist_ok=True)
        self._start()
        lock_heartbeat(self.run_id)
        error = None
        for stage in STAGES[:-1]:
            error = self._run_stage(stage)
            if error is not None:
                break
            lock_heartbeat(None)
            if stage == "compliance":
                with transaction(self.sessions) as s:
                    self.counts["new_flags"] = _new_flags(s, self.run_id)
                    self.counts["links_total"] = s.scalar(
                        select(func.count()).select_from(Link).where(Link.run_id == self.run_id)
                    )
        if error is None:
            error = self.anchor_trail()
        degraded = bool(self.counts.get("ingest", {}).get("quarantined"))
        status = "failed" if error else "partial" if degraded else "succeeded"
        if error is None:
            # the report reads the run's final status and every other stage's timing
            save_run(self.sessions, self.run_id, status, None, self.counts, self.timings)
            error = self._run_stage("report")
            status = "failed" if error else status
        save_run(self.sessions, self.run_id, status, error, self.counts, self.timings)
        self.log.write("run finished", status=status, timings=self.timings)
        return NightlyResult(
            self.run_id,
            self.options.as_of,
            status,
            self.counts,
            self.timings,
            self.outputs,
            error,
            self.log.path,
        )


def run_nightly(sessions: sessionmaker[Session], options: NightlyOptions) -> NightlyResult:
    """Take the lock, run every stage, release the lock. Raises LockHeld when another run
    holds it; a failed stage is reported in the result (status ``failed``), not raised."""
    if not options.inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {options.inbox} does not exist")
    with acquire_run_lock(sessions, wait_seconds=options.wait_seconds) as lock:
        return Nightly(sessions, options).execute(lock.heartbeat)


def progress_echo() -> Callable[[str], None] | None:
    """Stage lines on a terminal, silence otherwise (the JSON log always has them)."""
    if sys.stderr.isatty():
        return lambda line: print(line, file=sys.stderr)
    return None
