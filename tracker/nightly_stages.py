"""What each stage of the night does, in its own transaction(s), keyed by the run.

Every stage is idempotent: run again, it converges to the state a clean run gives. Their
counts go into the run record; files they write are named in ``outputs``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.run_record import RunLog, stored_run
from tracker.settings import SYSTEM_ACTOR

if TYPE_CHECKING:
    from tracker.pipeline import NightlyOptions

MAX_WARNINGS_KEPT = 200  # in the run record, the log and the report; the file has every one


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


class NightlyStages:
    """The stages of one run (``stage_<name>``) and the audit checkpoint after them."""

    def __init__(self, sessions: sessionmaker[Session], options: NightlyOptions):
        self.sessions = sessions
        self.options = options
        self.counts: dict = {}
        self.timings: dict[str, float] = {}
        self.outputs: dict[str, Path] = {}
        self._run_id: int | None = None
        self._log: RunLog | None = None

    @property
    def run_id(self) -> int:
        """The run record's id, set when the run starts."""
        if self._run_id is None:
            raise RuntimeError("the nightly run has not started: it has no run record yet")
        return self._run_id

    @property
    def log(self) -> RunLog:
        """The run's JSON-lines log, opened when the run starts."""
        if self._log is None:
            raise RuntimeError("the nightly run has not started: it has no log yet")
        return self._log

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
                stored_run(s, self.run_id),
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
            return compliance_stage(s, stored_run(s, self.run_id))

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

        # the pipeline saved the run's final status and timings just before this stage
        out = self.options.outbox / f"daily-report-{self.options.as_of.isoformat()}.html"
        with transaction(self.sessions) as s:
            path = write_daily_report(
                s, out, self.run_id, web_url=self.options.settings.web.base_url
            )
        self.outputs["report"] = path
        return {"file": str(path)}

    def stage_exports(self) -> dict:
        from tracker.review.queue import QUEUE_COLUMNS, review_queue
        from tracker.tabular import render

        with transaction(self.sessions) as s:
            page = review_queue(s, page_size=1_000_000)
        stem = self.options.outbox / f"review-queue-{self.options.as_of.isoformat()}"
        csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
        csv_path.write_text(render(page.rows, QUEUE_COLUMNS, "csv"), encoding="utf-8")
        xlsx_path.write_bytes(render(page.rows, QUEUE_COLUMNS, "xlsx", sheet="review queue"))
        self.outputs["queue csv"] = csv_path
        self.outputs["queue xlsx"] = xlsx_path
        return {"open_flags": page.total}

    def anchor_trail(self) -> str | None:
        """Checkpoint the committed trail outside the database (``TRACKER_DATA_DIR/audit``)
        and export the checkpoint to the outbox; the anchor key is made on the first run only
        (a key lost later is not replaced). A trail that does not verify, or no longer matches
        earlier checkpoints, is not vouched for: the run fails, naming why. Returns that
        error, or None."""
        from tracker.audit import verify_chain
        from tracker.audit_anchor import (
            checkpoint_now,
            ensure_key,
            export_checkpoint,
            verify_anchor,
        )
        from tracker.audit_anchor_key import AnchorError

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

    def _now(self) -> datetime:
        return self.options.now or datetime.now(UTC)
