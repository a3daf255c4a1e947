"""The managers' figures of a run: the daily report as a page, its charts, and as a file.

Counts only, so reading them is not logged; the permission table still decides who may.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.reports import daily


def read_run_figures(session: Session, who: str | None, run_id: int | None) -> daily.DailyFigures:
    """The daily report's figures of ``run_id`` (default: the latest run)."""
    require_actor(session, who, "report.read")
    return daily.collect_daily_figures(session, run_id)


def write_daily_report(session: Session, who: str | None, out: Path, run_id: int | None) -> Path:
    """`tracker report daily`: the self-contained HTML report of a run, written to ``out``."""
    require_actor(session, who, "report.read")
    return daily.write_daily_report(session, out, run_id)
