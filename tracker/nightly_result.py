"""What a night did, as the run returns it and as the operator reads it at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.ingest.quarantine import WHAT_TO_DO


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
