"""The managers' daily report: one self-contained HTML page per run, with charts.

Figures are gathered with grouped queries (never row by row), and the page carries only counts,
categories and flag numbers (linking to the web application): no names, dates of birth or other
personal data leave in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.ingest.quarantine import WHAT_TO_DO
from tracker.models import Alert, Flag, Link, Offender, Reject, Run, SourceFile
from tracker.models.enums import FLAG_KINDS, SEVERITIES
from tracker.reports import charts
from tracker.services.match_health import HealthRow, HealthWindow, match_health

TREND_RUNS = 30
HEALTH_DAYS = 30
CRITICAL_CASES_SHOWN = 50
_QUOTED = re.compile(r"'[^']*'")


class ReportError(LookupError):
    pass


@dataclass
class DailyFigures:
    run: Run
    new_flags: dict[tuple[str, str], int]
    open_flags: dict[tuple[str, str], int]
    open_by_force: dict[str, int]
    links_by_band: dict[str, int]
    probabilities: np.ndarray
    rejects_by_reason: list[tuple[str, str, int]]
    files: list[dict]
    trend: list[dict]
    erased: int
    timings: dict[str, float] = field(default_factory=dict)
    #: Analysts' verdicts on links in the HEALTH_DAYS days to the run's as-of date, per band.
    health: list[HealthRow] = field(default_factory=list)
    #: Inbox files the run could not load: file, reason, where they went (ingest/quarantine).
    quarantined: list[dict] = field(default_factory=list)
    #: What the loaders repaired or ignored: file, warning.
    load_warnings: list[dict] = field(default_factory=list)
    #: Critical flags this run raised (up to CRITICAL_CASES_SHOWN): id, kind, force, dates.
    critical_cases: list[dict] = field(default_factory=list)
    #: The run before this one, and the flags it raised per kind (None: this is the first).
    previous_run: Run | None = None
    previous_new_by_kind: dict[str, int] = field(default_factory=dict)
    #: Level-one alerts raised on the run's as-of day (UTC): id, flag, state, time to acknowledge.
    alerts: list[dict] = field(default_factory=list)

    @property
    def new_by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (kind, _), n in self.new_flags.items():
            totals[kind] = totals.get(kind, 0) + n
        return totals

    def change_in_new(self, kind: str) -> int | None:
        """New flags of ``kind`` against the previous run's (None: no previous run)."""
        if self.previous_run is None:
            return None
        return self.new_by_kind.get(kind, 0) - self.previous_new_by_kind.get(kind, 0)

    @property
    def health_window(self) -> HealthWindow:
        return HealthWindow(self.run.as_of, HEALTH_DAYS)

    @property
    def health_decided(self) -> int:
        return sum(r.decided for r in self.health if r.band == "all")

    @property
    def total_new(self) -> int:
        return sum(self.new_flags.values())

    @property
    def total_open(self) -> int:
        return sum(self.open_flags.values())

    @property
    def new_critical(self) -> int:
        return sum(n for (_, severity), n in self.new_flags.items() if severity == "critical")

    @property
    def open_by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (kind, _), n in self.open_flags.items():
            totals[kind] = totals.get(kind, 0) + n
        return totals

    @property
    def total_rejected(self) -> int:
        return sum(n for _, _, n in self.rejects_by_reason)


def _kind_severity(session: Session, *conditions) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Flag.kind, Flag.severity, func.count())
        .where(*conditions)
        .group_by(Flag.kind, Flag.severity)
    )
    return {(kind, severity): n for kind, severity, n in rows}


def _general_reason(reason: str) -> str:
    """Reasons name the offending value; the report groups them without it."""
    return _QUOTED.sub("…", reason)


def _critical_cases(session: Session, run: Run) -> list[dict]:
    rows = session.execute(
        select(
            Flag.id,
            Flag.kind,
            Flag.status,
            Flag.detected_on,
            Flag.due_on,
            Offender.managing_force,
        )
        .join(Offender, Offender.id == Flag.offender_pk)
        .where(Flag.run_id == run.id, Flag.severity == "critical")
        .order_by(Flag.id)
        .limit(CRITICAL_CASES_SHOWN)
    )
    return [row._asdict() for row in rows]


def _alerts_of_the_day(session: Session, run: Run) -> list[dict]:
    """How fast each level-one alert of the day was taken on (minutes; None: not yet)."""
    start = datetime.combine(run.as_of, time.min, UTC)
    raised = session.scalars(
        select(Alert)
        .where(Alert.raised_at >= start, Alert.raised_at < start + timedelta(days=1))
        .order_by(Alert.id)
        .limit(CRITICAL_CASES_SHOWN)
    )
    return [
        {
            "id": a.id,
            "flag_id": a.flag_id,
            "raised_at": a.raised_at,
            "state": a.state,
            "escalated": a.escalated_at is not None,
            "minutes_to_acknowledge": (
                round((a.acknowledged_at - a.raised_at).total_seconds() / 60, 1)
                if a.acknowledged_at
                else None
            ),
        }
        for a in raised
    ]


def _previous(session: Session, run: Run) -> tuple[Run | None, dict[str, int]]:
    previous = session.scalars(
        select(Run).where(Run.id < run.id).order_by(Run.id.desc()).limit(1)
    ).first()
    if previous is None:
        return None, {}
    by_kind = session.execute(
        select(Flag.kind, func.count()).where(Flag.run_id == previous.id).group_by(Flag.kind)
    )
    return previous, {kind: n for kind, n in by_kind}


def resolve_run(session: Session, run_id: int | None) -> Run:
    if run_id is None:
        run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).first()
        if run is None:
            raise ReportError("no run yet: run `tracker nightly` first")
        return run
    run = session.get(Run, run_id)
    if run is None:
        raise ReportError(f"no run with id {run_id}")
    return run


def collect_daily_figures(session: Session, run_id: int | None = None) -> DailyFigures:
    run = resolve_run(session, run_id)
    new_flags = _kind_severity(session, Flag.run_id == run.id)
    open_flags = _kind_severity(session, Flag.status == "open")
    open_by_force = dict(
        session.execute(
            select(Offender.managing_force, func.count())
            .join(Flag, Flag.offender_pk == Offender.id)
            .where(Flag.status == "open")
            .group_by(Offender.managing_force)
            .order_by(func.count().desc())
        ).all()
    )
    links_by_band = dict(
        session.execute(
            select(Link.band, func.count()).where(Link.run_id == run.id).group_by(Link.band)
        ).all()
    )
    probabilities = np.array(
        session.scalars(select(Link.match_probability).where(Link.run_id == run.id)).all(),
        dtype=float,
    )
    grouped: dict[tuple[str, str], int] = {}
    for column, reason, n in session.execute(
        select(Reject.column, Reject.reason, func.count())
        .join(SourceFile, SourceFile.id == Reject.source_file_id)
        .where(SourceFile.run_id == run.id)
        .group_by(Reject.column, Reject.reason)
    ):
        key = (column or "(whole row)", _general_reason(reason))
        grouped[key] = grouped.get(key, 0) + n
    rejects = sorted(((c, r, n) for (c, r), n in grouped.items()), key=lambda x: -x[2])
    files = [
        {
            "name": f.name,
            "kind": f.kind,
            "read": f.rows_read,
            "loaded": f.rows_loaded,
            "rejected": f.rows_rejected,
            "error": f.error,
            "reject_file": f.reject_file,
        }
        for f in session.scalars(
            select(SourceFile).where(SourceFile.run_id == run.id).order_by(SourceFile.id)
        )
    ]
    recent = list(
        session.scalars(
            select(Run).where(Run.id <= run.id).order_by(Run.id.desc()).limit(TREND_RUNS)
        )
    )[::-1]
    new_per_run = dict(
        session.execute(
            select(Flag.run_id, func.count())
            .where(Flag.run_id.in_([r.id for r in recent]))
            .group_by(Flag.run_id)
        ).all()
    )
    links_per_run = dict(
        session.execute(
            select(Link.run_id, func.count())
            .where(Link.run_id.in_([r.id for r in recent]))
            .group_by(Link.run_id)
        ).all()
    )
    trend = [
        {
            "run_id": r.id,
            "as_of": r.as_of,
            "new_flags": new_per_run.get(r.id, 0),
            "links": links_per_run.get(r.id, 0),
        }
        for r in recent
    ]
    erased = int((run.counts or {}).get("retention", {}).get("erased", 0))
    previous, previous_new_by_kind = _previous(session, run)
    return DailyFigures(
        run,
        new_flags,
        open_flags,
        open_by_force,
        links_by_band,
        probabilities,
        rejects,
        files,
        trend,
        erased,
        dict(run.stage_timings or {}),
        [r for r in match_health(session, run.as_of, HEALTH_DAYS) if r.by == "band"],
        list((run.counts or {}).get("ingest", {}).get("quarantined", [])),
        list((run.counts or {}).get("ingest", {}).get("warnings", [])),
        _critical_cases(session, run),
        previous,
        previous_new_by_kind,
        _alerts_of_the_day(session, run),
    )


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("tracker", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def _readable_keys(values: Mapping[str, float]) -> dict[str, float]:
    return {charts.readable(key): value for key, value in values.items()}


# The report's charts in page order, each drawn from the figures: the printable page draws
# them all, the web page one image at a time.
DAILY_CHARTS: dict[str, Callable[[DailyFigures], str]] = {
    "new_flags": lambda figures: charts.stacked_by_severity(figures.new_flags, "New flags by kind"),
    "open_flags": lambda figures: charts.stacked_by_severity(
        figures.open_flags, "Open flags by kind"
    ),
    "trend": lambda figures: charts.trend(
        figures.trend, f"New flags and links, last {len(figures.trend)} runs"
    ),
    "by_force": lambda figures: charts.bars(figures.open_by_force, "Open flags by managing force"),
    "bands": lambda figures: charts.bars(_readable_keys(figures.links_by_band), "Links by band"),
    "probabilities": lambda figures: charts.histogram(
        figures.probabilities, "Match probability of links"
    ),
    "rejects": lambda figures: charts.bars(
        {f"{c}: {r}"[:60]: n for c, r, n in figures.rejects_by_reason[:15]},
        "Rejected rows by reason",
        colour="#a61e4d",
    ),
    "timings": lambda figures: charts.bars(
        _readable_keys(figures.timings), "Stage timings", unit="seconds", colour="#555"
    ),
}
CHART_NAMES = tuple(DAILY_CHARTS)


def charts_to_show(figures: DailyFigures) -> tuple[str, ...]:
    """The charts worth drawing: a trend needs two runs at least (the page says so instead)."""
    return tuple(n for n in CHART_NAMES if n != "trend" or len(figures.trend) >= 2)


def draw_chart(figures: DailyFigures, name: str) -> str:
    """One chart of the report by name (KeyError for a name not in ``CHART_NAMES``)."""
    return DAILY_CHARTS[name](figures)


def render_daily_report(
    figures: DailyFigures, generated_at: datetime | None = None, web_url: str = ""
) -> str:
    """The printable page; flag numbers link to ``web_url`` + ``/flags/ID`` (unset: relative
    to the web application's root, where the page is also served)."""
    svg = {name: DAILY_CHARTS[name](figures) for name in charts_to_show(figures)}
    return (
        _environment()
        .get_template("daily_report.html")
        .render(
            figures=figures,
            svg=svg,
            kinds=FLAG_KINDS,
            severities=SEVERITIES,
            what_to_do=WHAT_TO_DO,
            readable=charts.readable,
            web_url=web_url.rstrip("/"),
            generated_at=(generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def write_daily_report(
    session: Session, out: Path, run_id: int | None = None, web_url: str = ""
) -> Path:
    figures = collect_daily_figures(session, run_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_daily_report(figures, web_url=web_url), encoding="utf-8")
    return out
