"""The nightly job: one function that strings the stages together, keyed by a run record.

Stages run in order, each in its own transaction(s): ingest (one per file), match, compliance,
retention, feed, report and exports. Each is idempotent, so a run killed at any point and
started again converges to the state a clean run gives. A lock row keeps runs on one database
one at a time; every stage's counts and timing land in the run record and in a JSON-lines log.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.ingest.quarantine import WHAT_TO_DO
from tracker.models import Flag, Link, Run
from tracker.services.locks import acquire_run_lock
from tracker.settings import SYSTEM_ACTOR, Settings

if TYPE_CHECKING:  # the matcher (pandas, rapidfuzz) loads only when the stage runs
    from tracker.matching.link import LinkSettings

STAGES = ("ingest", "match", "compliance", "retention", "feed", "report", "exports")


class StageFailed(RuntimeError):
    """A stage raised; the run is marked failed and the message names the stage."""


MAX_WARNINGS_KEPT = 200  # in the run record, the log and the report; the file has every one


@dataclass
class NightlyResult:
    run_id: int
    as_of: date
    status: str
    counts: dict = field(default_factory=dict)
    stage_timings: dict = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    error: str | None = None
    log_file: Path | None = None

    def summary(self) -> str:
        """The operator's closing lines: new flags, links, rejects, timings, outputs."""
        c = self.counts
        lines = [f"run {self.run_id} as of {self.as_of}: {self.status}"]
        if self.error:
            lines.append(f"  FAILED: {self.error}")
        ingest = c.get("ingest", {})
        if ingest:
            lines.append(
                f"  ingest      {ingest.get('files', 0)} files, read {ingest.get('read', 0)}, "
                f"loaded {ingest.get('loaded', 0)}, rejected {ingest.get('rejected', 0)}"
                f"{', refused files ' + str(ingest['refused']) if ingest.get('refused') else ''}"
            )
            for reject_file in ingest.get("reject_files", []):
                lines.append(f"    rejected rows in {reject_file}")
            for item in ingest.get("quarantined", []):
                where = (
                    f"moved to {item['moved_to']}"
                    if item["moved_to"]
                    else "left in the inbox, unread"
                )
                lines.append(f"    NOT LOADED {item['file']}: {item['reason']}; {where}")
            if ingest.get("quarantined"):
                lines.append(f"    what to do: {WHAT_TO_DO}")
            if ingest.get("warnings"):
                lines.append(
                    f"    {ingest.get('warning_count', 0)} warning(s) about what was "
                    f"repaired or ignored, in {ingest.get('warnings_file')}"
                )
        links = c.get("match", {}).get("links", {})
        if "match" in c:
            lines.append(
                f"  links       match {links.get('match', 0)}, review {links.get('review', 0)}"
            )
        new = c.get("new_flags", {})
        if "new_flags" in c:
            total = sum(sum(v.values()) for v in new.values())
            lines.append(f"  new flags   {total}")
            for kind, by_severity in sorted(new.items()):
                detail = ", ".join(f"{s} {n}" for s, n in by_severity.items())
                lines.append(f"    {kind:<28} {detail}")
        if "retention" in c:
            lines.append(f"  retention   {_retention_line(c['retention'])}")
        if self.stage_timings:
            timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_timings.items())
            lines.append(f"  timings     {timing}")
        for name, path in self.outputs.items():
            lines.append(f"  {name:<11} {path}")
        if self.log_file:
            lines.append(f"  log         {self.log_file}")
        return "\n".join(lines)


RUN_FOLDER_KINDS = {"archive": "archived run folder", "quarantine": "quarantined run folder"}


def _retention_line(kept: dict) -> str:
    """What retention erased, in one sentence; a kind of run folder only when some went."""
    items = [
        f"{kept.get('erased', 0)} unmatched travel records",
        f"{kept.get('rejects_erased', 0)} rejected rows",
        f"{kept.get('reject_files_erased', 0)} reject files",
    ]
    folders = kept.get("run_folders_erased", {})
    items += [
        f"{folders[kind]} {label}{'s' * (folders[kind] > 1)}"
        for kind, label in RUN_FOLDER_KINDS.items()
        if folders.get(kind)
    ]
    warnings = kept.get("run_folder_files_erased", {}).get("warnings", 0)
    if warnings:
        items.append(f"{warnings} warnings file{'s' * (warnings > 1)}")
    return f"{', '.join(items[:-1])} and {items[-1]} erased"


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


def _archive(files: list[Path], inbox: Path, archive_dir: Path) -> int:
    """Move processed inbox files out of the way, keeping their names (and subfolders)."""
    moved = 0
    for path in files:
        if not path.exists():
            continue
        target = archive_dir / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        moved += 1
    return moved


class Nightly:
    """One run: its record, its log, and the stages in order."""

    def __init__(self, sessions: sessionmaker[Session], options: NightlyOptions):
        self.sessions = sessions
        self.options = options
        self.counts: dict = {}
        self.timings: dict[str, float] = {}
        self.outputs: dict[str, Path] = {}
        self.run_id: int | None = None
        self.log: RunLog | None = None

    # --- the stages ---------------------------------------------------------------------

    def stage_ingest(self) -> dict:
        from tracker.ingest.quarantine import quarantine, write_warnings
        from tracker.ingest.service import ingest_inbox

        o = self.options
        results = ingest_inbox(
            self.sessions,
            o.inbox,
            settings=o.settings,
            actor=SYSTEM_ACTOR,
            run_id=self.run_id,
            progress=o.progress,
            today=o.as_of,
        )
        quarantined = quarantine(
            # --keep-inbox: nothing leaves the inbox, refused files included
            [(r.path, r.refused, not r.skipped and o.archive) for r in results if r.refused],
            o.inbox,
            o.settings.data_dir / "quarantine" / f"run-{self.run_id}",
        )
        archived = 0
        if o.archive:
            archived = _archive(
                [r.path for r in results if not r.refused],
                o.inbox,
                o.settings.data_dir / "archive" / f"run-{self.run_id}",
            )
        rejects = [str(r.reject_file) for r in results if r.reject_file]
        warned = [{"file": r.path.name, "warning": w} for r in results for w in r.warnings]
        warnings_file = write_warnings(warned, o.settings.rejects_dir / f"run-{self.run_id}")
        return {
            "files": len(results),
            "read": sum(r.read for r in results),
            "loaded": sum(r.loaded for r in results),
            "rejected": sum(r.rejected for r in results),
            "refused": sum(1 for r in results if r.refused),
            "archived": archived,
            "reject_files": rejects,
            "quarantined": [q.as_dict() for q in quarantined],
            "warnings": warned[:MAX_WARNINGS_KEPT],  # all of them are in warnings_file
            "warning_count": len(warned),
            "warnings_file": str(warnings_file) if warnings_file else None,
        }

    def stage_match(self) -> dict:
        from tracker.services.linking import run_matching

        with transaction(self.sessions) as s:
            outcome = run_matching(
                s,
                s.get(Run, self.run_id),
                self.options.link_settings,
                retrain=self.options.retrain,
                retrain_after_labels=self.options.settings.matching.retrain_after_labels,
            )
        return {
            "links": outcome.links_by_band,
            "candidate_pairs": outcome.candidate_pairs,
            "model_version": outcome.model_version,
            "model_trained": outcome.trained,
            "retrain_reason": outcome.retrain_reason,
            "timings": outcome.timings,
        }

    def stage_compliance(self) -> dict:
        from tracker.services.compliance import compliance_stage

        with transaction(self.sessions) as s:
            return compliance_stage(s, s.get(Run, self.run_id))

    def stage_retention(self) -> dict:
        from tracker.services.reject_retention import erase_old_rejects
        from tracker.services.retention import erase_unmatched_travel
        from tracker.services.run_folder_retention import erase_old_run_folders

        o = self.options
        with transaction(self.sessions) as s:
            outcome = erase_unmatched_travel(s, o.as_of, o.retention_days, run_id=self.run_id)
        with transaction(self.sessions) as s:
            rejects = erase_old_rejects(
                s, o.settings.rejects_dir, o.as_of, o.retention_days, run_id=self.run_id
            )
        with transaction(self.sessions) as s:
            folders = erase_old_run_folders(
                s, o.settings.data_dir, o.as_of, o.retention_days, run_id=self.run_id
            )
        return {
            "erased": outcome.erased,
            "cutoff": outcome.cutoff.isoformat(),
            "audit_values_erased": outcome.audit_values_erased,
            "rejects_erased": rejects.rows,
            "reject_files_erased": rejects.files,
            "run_folders_erased": folders.folders,
            "run_folder_files_erased": folders.files,
        }

    def stage_feed(self) -> dict:
        from tracker.reports.feed import write_feed

        with transaction(self.sessions) as s:
            paths = write_feed(
                s,
                self.options.outbox,
                self._now(),
                settings=self.options.settings.feed,
                run_id=self.run_id,
            )
        for name, path in paths.items():
            self.outputs[f"feed {name}"] = path
        return {"files": [str(p) for p in paths.values()]}

    def stage_report(self) -> dict:
        from tracker.reports.daily import write_daily_report

        self._save_progress("running")
        out = self.options.outbox / f"daily-report-{self.options.as_of.isoformat()}.html"
        with transaction(self.sessions) as s:
            path = write_daily_report(s, out, self.run_id)
        self.outputs["report"] = path
        return {"file": str(path)}

    def stage_exports(self) -> dict:
        from tracker.review.queue import review_queue
        from tracker.review.render import queue_csv, queue_xlsx

        with transaction(self.sessions) as s:
            page = review_queue(s, page_size=1_000_000)
        stem = self.options.outbox / f"review-queue-{self.options.as_of.isoformat()}"
        csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
        csv_path.write_text(queue_csv(page), encoding="utf-8")
        xlsx_path.write_bytes(queue_xlsx(page))
        self.outputs["queue csv"] = csv_path
        self.outputs["queue xlsx"] = xlsx_path
        return {"open_flags": page.total}

    def _anchor(self) -> str | None:
        """Checkpoint the committed trail outside the database (``TRACKER_DATA_DIR/audit``)
        and export the checkpoint to the outbox; the anchor key is made on the first run only
        (a key lost later is not replaced). A trail that does not verify, or no longer matches
        earlier checkpoints, is not vouched for: the run fails, naming why. Returns that
        error, or None."""
        from tracker.audit import verify_chain
        from tracker.audit_anchor import (
            AnchorError,
            checkpoint_now,
            ensure_key,
            export_checkpoint,
            verify_anchor,
        )

        o = self.options
        try:
            with transaction(self.sessions) as s:
                ensure_key(s, o.settings.keys_dir, o.settings.data_dir, SYSTEM_ACTOR)
            with transaction(self.sessions) as s:
                chain = verify_chain(s)
                if not chain.intact:
                    raise AnchorError(
                        f"the audit trail is broken at entry "
                        f"{chain.first_broken_id}: {chain.problem}; see "
                        "`tracker audit verify`"
                    )
                anchor = verify_anchor(s, o.settings.keys_dir, o.settings.data_dir)
                if not anchor.intact:
                    raise AnchorError(
                        "the audit trail no longer matches its checkpoints: "
                        f"{anchor.describe()}; see `tracker audit verify`"
                    )
                checkpoint = checkpoint_now(
                    s, o.settings.keys_dir, o.settings.data_dir, create=False, actor=SYSTEM_ACTOR
                )
        except (AnchorError, OSError) as exc:
            error = f"audit checkpoint failed: {exc}"
            self.log.write("audit checkpoint failed", error=error)
            return error
        if checkpoint is not None:
            out = o.outbox / f"audit-checkpoint-{o.as_of.isoformat()}.json"
            self.outputs["audit"] = export_checkpoint(checkpoint, out)
            self.log.write(
                "audit checkpoint", event_id=checkpoint.event_id, entry_hash=checkpoint.entry_hash
            )
        return None

    # --- the run ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.options.now or datetime.now(UTC)

    def _save_progress(self, status: str, error: str | None = None) -> None:
        with transaction(self.sessions) as s:
            run = s.get(Run, self.run_id)
            run.status = status
            run.error = error
            run.counts = json.loads(json.dumps(self.counts, default=str))
            run.stage_timings = dict(self.timings)
            if status != "running":
                run.finished_at = datetime.now(UTC)

    def _start(self) -> None:
        o = self.options
        with transaction(self.sessions) as s:
            run = Run(
                kind="nightly",
                as_of=o.as_of,
                actor=SYSTEM_ACTOR,
                inbox=str(o.inbox),
                outbox=str(o.outbox),
            )
            s.add(run)
            s.flush()
            self.run_id = run.id
        self.log = RunLog(o.settings.runs_dir / f"run-{self.run_id}.jsonl", o.echo)
        self.log.write(
            "run started", run=self.run_id, as_of=o.as_of, inbox=o.inbox, outbox=o.outbox
        )

    def execute(self, lock_heartbeat: Callable[[int | None], None]) -> NightlyResult:
        self.options.outbox.mkdir(parents=True, exist_ok=True)
        self._start()
        lock_heartbeat(self.run_id)
        error = None
        for stage in STAGES:
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
                break
            self.timings[stage] = round(time.perf_counter() - started, 3)
            self.log.write(
                "stage finished",
                stage=stage,
                seconds=self.timings[stage],
                counts=self.counts[stage],
            )
            lock_heartbeat(None)
            if stage == "compliance":
                with transaction(self.sessions) as s:
                    self.counts["new_flags"] = _new_flags(s, self.run_id)
                    self.counts["links_total"] = s.scalar(
                        select(func.count()).select_from(Link).where(Link.run_id == self.run_id)
                    )
        if error is None:
            error = self._anchor()
        degraded = bool(self.counts.get("ingest", {}).get("quarantined"))
        status = "failed" if error else "partial" if degraded else "succeeded"
        self._save_progress(status, error)
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
