"""The compliance stage against the database: load facts, evaluate, keep flags by natural key.

`tracker.compliance` decides; this module moves data in and out with a handful of set-based
queries (never one per offender) and applies the flag life cycle:

- a new failure is inserted ``open`` (detected_on = as of, run_id = this run);
- an open flag raised again is refreshed (last_seen_run_id, severity, link probability...);
- an open flag whose condition no longer holds is ``resolved`` with the date and the reason,
  never deleted; a resolved flag whose condition returns is opened again;
- a flag an analyst decided (``confirmed``, ``dismissed``, ``actioned``) is never touched;
- evaluating the same run and date twice writes no flag at all.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.compliance import (
    CustodyPeriod,
    Evaluator,
    FlagCandidate,
    NotificationFacts,
    OffenderEvaluation,
    OffenderFacts,
    TravelFacts,
    resolution_reason,
)
from tracker.countries import country_list
from tracker.models import Flag, Link, Notification, Offender, PairLabel, Run, TravelRecord
from tracker.models.enums import SEVERITIES
from tracker.tabular import csv_text, plain

FLAG_EXPORT_COLUMNS = (
    "flag_id",
    "kind",
    "severity",
    "status",
    "offender_id",
    "travel_source",
    "travel_record_id",
    "notification_id",
    "match_probability",
    "due_on",
    "detected_on",
    "run_id",
    "summary",
)
DECIDED_STATUSES = ("confirmed", "dismissed", "actioned")
#: Columns a refresh may change on an open flag; anything else is fixed when it is raised.
REFRESHED_FIELDS = (
    "severity",
    "match_probability",
    "link_id",
    "travel_pk",
    "notification_pk",
    "due_on",
    "rule",
    "summary",
    "evidence",
)
WRITE_BATCH = 5000


# --- loading the facts ----------------------------------------------------------------------


def _fetch(session: Session, statement) -> list[tuple]:
    """All rows of a Core select as plain tuples, straight from the driver.

    A million notifications through SQLAlchemy's typed rows costs seconds; the driver's own
    cursor (in the session's transaction) costs a fraction. Values come back as the driver
    gives them, so dates and instants go through :class:`_Values`. Only integers are ever
    bound, rendered by SQLAlchemy itself.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


class _Values:
    """Driver values to Python: SQLite keeps dates as ISO text and instants as naive UTC text;
    PostgreSQL's driver already gives dates and aware datetimes."""

    def __init__(self, session: Session):
        self.text = session.connection().dialect.name == "sqlite"

    def date(self, value) -> date | None:
        if value is None or not self.text:
            return value
        return date.fromisoformat(value)

    @staticmethod
    def instant(value) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def load_offender_facts(session: Session) -> list[OffenderFacts]:
    statement = select(
        Offender.id,
        Offender.offender_id,
        Offender.date_of_birth,
        Offender.requirement_start,
        Offender.notification_period,
        Offender.jurisdiction,
        Offender.tier,
        Offender.risk_level,
        Offender.status,
        Offender.wanted_since,
        Offender.fixed_abode,
    ).order_by(Offender.id)
    v = _Values(session)
    return [
        OffenderFacts(
            pk,
            oid,
            v.date(dob),
            v.date(start),
            period,
            jurisdiction or "uk-ew",
            tier,
            risk,
            status or "active",
            v.date(wanted),
            True if abode is None else bool(abode),
        )
        for pk, oid, dob, start, period, jurisdiction, tier, risk, status, wanted, abode in _fetch(
            session, statement
        )
    ]


def notifications_statement(
    as_of: date | None = None, clock_only: Iterable[str] = (), keep_from: date | None = None
):
    """The notifications the evaluator needs. With ``clock_only`` kinds (see
    ``Evaluator.clock_only_kinds``), those made before ``keep_from`` are left out except each
    offender's latest one as of ``as_of``: twenty years of yearly notifications are a million
    rows, and only the last restarts the clock."""
    columns = (
        Notification.offender_pk,
        Notification.id,
        Notification.notification_id,
        Notification.kind,
        Notification.notified_on,
        Notification.notified_at,
        Notification.effective_on,
        Notification.departure_date,
        Notification.return_date,
        Notification.destination_countries,
        Notification.departure_port,
        Notification.arrival_port,
    )
    clock_only = sorted(clock_only)
    if not clock_only or as_of is None:
        return select(*columns)
    latest = (
        select(
            Notification.offender_pk.label("offender_pk"),
            func.max(Notification.notified_on).label("notified_on"),
        )
        .where(Notification.kind.in_(clock_only), Notification.notified_on <= as_of)
        .group_by(Notification.offender_pk)
        .subquery()
    )
    return (
        select(*columns)
        .outerjoin(latest, latest.c.offender_pk == Notification.offender_pk)
        .where(
            or_(
                Notification.kind.not_in(clock_only),
                Notification.notified_on >= (keep_from or as_of),
                Notification.notified_on == latest.c.notified_on,
            )
        )
    )


def load_notification_facts(session: Session, statement=None) -> dict[int, list[NotificationFacts]]:
    """Notifications grouped by offender (the largest table the stage reads: the conversions
    are inlined on purpose)."""
    text = _Values(session).text
    day = date.fromisoformat
    instant = _Values.instant
    grouped: dict[int, list[NotificationFacts]] = defaultdict(list)
    rows = _fetch(session, statement if statement is not None else notifications_statement())
    for (
        offender_pk,
        pk,
        nid,
        kind,
        on,
        at,
        effective,
        departure,
        back,
        destinations,
        dep_port,
        arr_port,
    ) in rows:
        if text:
            on = day(on)
            effective = effective and day(effective)
            departure = departure and day(departure)
            back = back and day(back)
        grouped[offender_pk].append(
            NotificationFacts(
                pk,
                nid,
                kind,
                on,
                at and instant(at),
                effective,
                departure,
                back,
                country_list(destinations) if destinations else (),
                dep_port,
                arr_port,
            )
        )
    return grouped


def load_linked_travel(session: Session, links_run_id: int | None) -> dict[int, list[TravelFacts]]:
    """The run's links of both bands with their travel records, grouped by offender; a pair an
    analyst labelled as not a match is left out."""
    grouped: dict[int, list[TravelFacts]] = defaultdict(list)
    if links_run_id is None:
        return grouped
    dismissed = exists().where(
        PairLabel.travel_pk == Link.travel_pk,
        PairLabel.offender_pk == Link.offender_pk,
        PairLabel.label == "non_match",
    )
    statement = (
        select(
            Link.offender_pk,
            TravelRecord.id,
            TravelRecord.source,
            TravelRecord.record_id,
            TravelRecord.direction,
            TravelRecord.departure_local_date,
            TravelRecord.departure_time,
            TravelRecord.departure_port,
            TravelRecord.arrival_port,
            TravelRecord.departure_country,
            TravelRecord.arrival_country,
            Link.id,
            Link.match_probability,
            Link.band,
        )
        .join(TravelRecord, TravelRecord.id == Link.travel_pk)
        .where(Link.run_id == int(links_run_id), ~dismissed)
    )
    v = _Values(session)
    for offender_pk, pk, source, record_id, direction, day, instant, *rest in _fetch(
        session, statement
    ):
        grouped[offender_pk].append(
            TravelFacts(pk, source, record_id, direction, v.date(day), v.instant(instant), *rest)
        )
    return grouped


def choose_links_run(session: Session, run: Run) -> int | None:
    """This run's links; when it made none (an evaluation-only run), the latest run's that did."""
    has_links = session.scalar(select(exists().where(Link.run_id == run.id)))
    if has_links:
        return run.id
    return session.scalar(select(func.max(Link.run_id)).where(Link.run_id <= run.id))


# --- the outcome ----------------------------------------------------------------------------


@dataclass
class ComplianceOutcome:
    """What one evaluation did, by kind (and severity for new flags)."""

    run_id: int
    as_of: date
    links_run_id: int | None
    offenders: int = 0
    excluded: int = 0
    raised: Counter = field(default_factory=Counter)  # (kind, severity) -> n
    refreshed: Counter = field(default_factory=Counter)  # kind -> n (open, seen again)
    reopened: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    decided_untouched: int = 0
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.raised or self.reopened or self.resolved or self.refreshed)

    def as_counts(self) -> dict:
        """JSON-ready figures for the run record and the audit entry."""
        raised: dict[str, dict[str, int]] = defaultdict(dict)
        for (kind, severity), n in sorted(self.raised.items()):
            raised[kind][severity] = n
        return {
            "as_of": self.as_of.isoformat(),
            "links_run_id": self.links_run_id,
            "offenders": self.offenders,
            "excluded": self.excluded,
            "raised": dict(raised),
            "raised_total": sum(self.raised.values()),
            "refreshed": dict(self.refreshed),
            "reopened": dict(self.reopened),
            "resolved": dict(self.resolved),
            "decided_untouched": self.decided_untouched,
            "problems": len(self.problems),
            "timings": self.timings,
        }


# --- evaluating -----------------------------------------------------------------------------


def evaluate_all(
    evaluator: Evaluator,
    offenders: list[OffenderFacts],
    notifications: dict[int, list[NotificationFacts]],
    travel: dict[int, list[TravelFacts]],
    as_of: date,
    custody: dict[int, list[CustodyPeriod]] | None = None,
) -> list[OffenderEvaluation]:
    """Every offender through the evaluator, with its own notifications, travel and custody."""
    custody = custody or {}
    return [
        evaluator.evaluate(
            o,
            notifications.get(o.offender_pk, ()),
            travel.get(o.offender_pk, ()),
            as_of,
            custody.get(o.offender_pk, ()),
        )
        for o in offenders
    ]


@dataclass(frozen=True, slots=True)
class _Held:
    """A flag already in the table: what deciding its fate needs."""

    id: int
    status: str
    kind: str
    offender_pk: int
    travel_pk: int | None


def _held_flags(session: Session) -> dict[str, _Held]:
    rows = session.execute(
        select(Flag.flag_key, Flag.id, Flag.status, Flag.kind, Flag.offender_pk, Flag.travel_pk)
    )
    return {key: _Held(*rest) for key, *rest in rows}


def _open_values(session: Session) -> dict[int, dict]:
    """The refreshable columns of every open flag, to write only what changed."""
    columns = [getattr(Flag, name) for name in REFRESHED_FIELDS]
    rows = session.execute(
        select(Flag.id, Flag.last_seen_run_id, *columns).where(Flag.status == "open")
    )
    return {
        row[0]: {"last_seen_run_id": row[1], **dict(zip(REFRESHED_FIELDS, row[2:], strict=True))}
        for row in rows
    }


def _candidate_values(candidate: FlagCandidate) -> dict:
    return {name: getattr(candidate, name) for name in REFRESHED_FIELDS}


def _same(stored: dict, fresh: dict) -> bool:
    for name, value in fresh.items():
        old = stored.get(name)
        if name == "match_probability" and old is not None and value is not None:
            if abs(old - value) > 1e-12:
                return False
        elif old != value:
            return False
    return True


FLAGS = Flag.__table__


def _write(session: Session, statement, rows: list[dict]) -> None:
    """Core executemany in batches: several times faster on PostgreSQL than the ORM's bulk
    modes, and nothing here needs the ORM (the rows are plain dicts)."""
    for start in range(0, len(rows), WRITE_BATCH):
        session.execute(statement, rows[start : start + WRITE_BATCH])


def _update_by_id():
    """UPDATE flags ... WHERE id = :flag_pk; the SET columns come from each row's keys."""
    return FLAGS.update().where(FLAGS.c.id == bindparam("flag_pk"))


def evaluate_compliance(
    session: Session,
    run: Run,
    as_of: date | None = None,
    *,
    evaluator: Evaluator | None = None,
    custody: dict[int, list[CustodyPeriod]] | None = None,
    links_run_id: int | None = None,
) -> ComplianceOutcome:
    """Evaluate every offender as of ``as_of`` (default: the run's date) and bring the flags
    table into line, in the caller's transaction.

    Custody history is not in the data contract: the nightly job passes none, and an offender
    whose status is ``in_custody`` gets no flags. ``custody`` (offender pk -> periods) is for
    callers that hold such history.
    """
    as_of = as_of or run.as_of
    evaluator = evaluator or Evaluator()
    started = time.perf_counter()
    chosen_links = links_run_id if links_run_id is not None else choose_links_run(session, run)
    outcome = ComplianceOutcome(run.id, as_of, chosen_links)

    offenders = load_offender_facts(session)
    travel = load_linked_travel(session, chosen_links)
    first_departure = min(
        (r.departure_local_date for rs in travel.values() for r in rs), default=None
    )
    notifications = load_notification_facts(
        session, notifications_statement(as_of, evaluator.clock_only_kinds(), first_departure)
    )
    loaded = time.perf_counter()
    evaluations = evaluate_all(evaluator, offenders, notifications, travel, as_of, custody)
    evaluated = time.perf_counter()

    outcome.offenders = len(evaluations)
    outcome.excluded = sum(1 for e in evaluations if e.excluded is not None)
    outcome.problems = [p for e in evaluations for p in e.problems]
    _apply(session, run, as_of, evaluations, outcome)
    outcome.timings = {
        "load": round(loaded - started, 3),
        "evaluate": round(evaluated - loaded, 3),
        "write": round(time.perf_counter() - evaluated, 3),
    }
    _audit(session, run, outcome)
    return outcome


def _apply(
    session: Session,
    run: Run,
    as_of: date,
    evaluations: list[OffenderEvaluation],
    outcome: ComplianceOutcome,
) -> None:
    """Insert, refresh, reopen and resolve flags so the table matches the candidates."""
    held = _held_flags(session)
    open_values = _open_values(session)
    now = datetime.now(UTC)
    candidates: dict[str, FlagCandidate] = {}
    for evaluation in evaluations:
        for candidate in evaluation.candidates:
            candidates.setdefault(candidate.flag_key, candidate)

    new_rows, refresh_rows, reopen_rows = [], [], []
    seen_again: list[int] = []  # open, unchanged: only last_seen_run_id moves on
    for key, candidate in candidates.items():
        flag = held.get(key)
        values = _candidate_values(candidate)
        if flag is None:
            new_rows.append(
                {
                    "flag_key": key,
                    "kind": candidate.kind,
                    "status": "open",
                    "offender_pk": candidate.offender_pk,
                    "detected_on": as_of,
                    "run_id": run.id,
                    "last_seen_run_id": run.id,
                    **values,
                }
            )
            outcome.raised[(candidate.kind, candidate.severity)] += 1
        elif flag.status == "open":
            stored = open_values.get(flag.id, {})
            if not _same(stored, values):
                refresh_rows.append(
                    {"flag_pk": flag.id, "last_seen_run_id": run.id, "updated_at": now, **values}
                )
                outcome.refreshed[candidate.kind] += 1
            elif stored.get("last_seen_run_id") != run.id:
                seen_again.append(flag.id)
                outcome.refreshed[candidate.kind] += 1
        elif flag.status == "resolved":
            reopen_rows.append(
                {
                    "flag_pk": flag.id,
                    "status": "open",
                    "resolved_on": None,
                    "resolved_reason": None,
                    "last_seen_run_id": run.id,
                    "updated_at": now,
                    **values,
                }
            )
            outcome.reopened[candidate.kind] += 1
        else:
            outcome.decided_untouched += 1

    by_offender = {e.offender_pk: e for e in evaluations}
    resolve_rows = []
    for key, flag in held.items():
        if flag.status != "open" or key in candidates:
            continue
        evaluation = by_offender.get(flag.offender_pk) or OffenderEvaluation(
            flag.offender_pk, excluded="the offender is no longer evaluated"
        )
        why = resolution_reason(flag.kind, evaluation, flag.travel_pk)
        resolve_rows.append(
            {
                "flag_pk": flag.id,
                "status": "resolved",
                "resolved_on": as_of,
                "resolved_reason": f"condition no longer holds as of {as_of}: {why}",
                "last_seen_run_id": run.id,
                "updated_at": now,
            }
        )
        outcome.resolved[flag.kind] += 1

    _write(session, FLAGS.insert(), new_rows)
    for rows in (refresh_rows, reopen_rows, resolve_rows):
        _write(session, _update_by_id(), rows)
    for start in range(0, len(seen_again), WRITE_BATCH):
        chunk = seen_again[start : start + WRITE_BATCH]
        session.execute(
            FLAGS.update()
            .where(FLAGS.c.id.in_(chunk))
            .values(last_seen_run_id=run.id, updated_at=now)
        )


def _audit(session: Session, run: Run, outcome: ComplianceOutcome) -> None:
    """One entry for the evaluation (it combines register, notifications and travel), and one
    for the flags it changed, if any: counts, never one entry per flag."""
    counts = outcome.as_counts()
    record_event(
        session,
        actor=run.actor,
        action="combination",
        object_type="flags",
        object_id=run.id,
        justification=f"compliance evaluation as of {outcome.as_of}: register, notifications "
        "and linked travel against the jurisdiction profiles",
        details={
            k: counts[k]
            for k in ("as_of", "links_run_id", "offenders", "excluded", "raised", "raised_total")
        },
        run_id=run.id,
    )
    if outcome.refreshed or outcome.reopened or outcome.resolved:
        record_event(
            session,
            actor=run.actor,
            action="alteration",
            object_type="flags",
            object_id=run.id,
            justification=f"flags brought up to date as of {outcome.as_of}",
            details={k: counts[k] for k in ("as_of", "refreshed", "reopened", "resolved")},
            run_id=run.id,
        )


def compliance_stage(session: Session, run: Run) -> dict:
    """The nightly job's compliance stage: evaluate as of the run's date, return its counts."""
    return evaluate_compliance(session, run).as_counts()


# --- reading flags back ---------------------------------------------------------------------


@dataclass(frozen=True)
class FlagFilters:
    """``flags list`` / ``flags export`` filters; empty means any."""

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    force: str | None = None
    since: date | None = None


SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=Flag.severity, else_=99)


def flag_rows(session: Session, filters: FlagFilters, order: str = "id") -> list[dict]:
    """Flags in the contract's columns (plus ``managing_force``), filtered.

    ``order='queue'``: most severe first, then the oldest deadline (most urgent); else by id.
    """
    statement = (
        select(
            Flag.id.label("flag_id"),
            Flag.kind,
            Flag.severity,
            Flag.status,
            Offender.offender_id,
            TravelRecord.source.label("travel_source"),
            TravelRecord.record_id.label("travel_record_id"),
            Notification.notification_id,
            Flag.match_probability,
            Flag.due_on,
            Flag.detected_on,
            Flag.run_id,
            Flag.summary,
            Offender.managing_force,
        )
        .join(Offender, Offender.id == Flag.offender_pk)
        .outerjoin(TravelRecord, TravelRecord.id == Flag.travel_pk)
        .outerjoin(Notification, Notification.id == Flag.notification_pk)
    )
    conditions = []
    if filters.kinds:
        conditions.append(Flag.kind.in_(filters.kinds))
    if filters.statuses:
        conditions.append(Flag.status.in_(filters.statuses))
    if filters.severities:
        conditions.append(Flag.severity.in_(filters.severities))
    if filters.force:
        conditions.append(func.lower(Offender.managing_force) == filters.force.strip().lower())
    if filters.since:
        conditions.append(Flag.detected_on >= filters.since)
    if conditions:
        statement = statement.where(and_(*conditions))
    if order == "queue":
        statement = statement.order_by(SEVERITY_RANK, Flag.due_on.is_(None), Flag.due_on, Flag.id)
    else:
        statement = statement.order_by(Flag.id)
    return [dict(row._mapping) for row in session.execute(statement)]


def render_flags(rows: list[dict], fmt: str) -> str:
    """The contract's flags export: exactly its columns, as CSV or a JSON array."""
    records = [{c: plain(row[c]) for c in FLAG_EXPORT_COLUMNS} for row in rows]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    return csv_text(FLAG_EXPORT_COLUMNS, records)


TABLE_COLUMNS = (
    ("flag_id", "ID"),
    ("severity", "SEVERITY"),
    ("kind", "KIND"),
    ("status", "STATUS"),
    ("offender_id", "OFFENDER"),
    ("managing_force", "FORCE"),
    ("due_on", "DUE"),
    ("detected_on", "DETECTED"),
    ("match_probability", "P"),
    ("summary", "SUMMARY"),
)
SUMMARY_WIDTH = 90


def _cell(name: str, value) -> str:
    if value is None:
        return "-"
    if name == "match_probability":
        return f"{value:.2f}"
    text = str(plain(value))
    if name == "summary" and len(text) > SUMMARY_WIDTH:
        return text[: SUMMARY_WIDTH - 1] + "…"
    return text


def render_flag_table(rows: list[dict]) -> str:
    """A readable table, one flag a line, summaries shortened (the export has them whole)."""
    if not rows:
        return "no flags match\n"
    cells = [[_cell(name, row[name]) for name, _ in TABLE_COLUMNS] for row in rows]
    headers = [title for _, title in TABLE_COLUMNS]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"{len(rows)} flag{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines) + "\n"
