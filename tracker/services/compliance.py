"""The compliance stage against the database: load facts, evaluate, keep flags by natural key.

`tracker.compliance` decides; ``compliance_facts`` reads what it needs; this module applies
the flag life cycle:

- a new failure is inserted ``open`` (detected_on = as of, run_id = this run);
- an open flag raised again is refreshed (last_seen_run_id, severity, link probability...);
- an open flag whose condition no longer holds is ``resolved`` with the date and the reason,
  never deleted; a resolved flag whose condition returns is opened again;
- a flag an analyst decided (``confirmed``, ``dismissed``, ``actioned``) is never touched;
- evaluating the same run and date twice writes no flag at all.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, select
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
from tracker.compliance.travel_rules import RAISED_BEFORE_TRAVEL
from tracker.models import Flag, Run
from tracker.services.compliance_facts import (
    choose_links_run,
    load_linked_travel,
    load_notification_facts,
    load_offender_facts,
    notifications_statement,
)

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
    return {
        key: _Held(flag_id, status, kind, offender_pk, travel_pk)
        for key, flag_id, status, kind, offender_pk, travel_pk in rows
    }


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
        if flag.status != "open" or key in candidates or flag.kind in RAISED_BEFORE_TRAVEL:
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
