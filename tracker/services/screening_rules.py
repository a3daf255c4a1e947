"""The rules for the offenders a screening hit, against the database: each hit's facts
loaded (offender, notifications, the booked travel), the pre-departure flag raised or found
by its key, and a level-one alert raised where the offender's profile says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.compliance.facts import FlagCandidate, TravelFacts
from tracker.compliance.profile import Profile, load_profiles
from tracker.models import Flag, Notification, Screening, ScreeningHit, TravelRecord
from tracker.screening.rules import compliant_notice, level_one_reason, pending_departure
from tracker.services.alerts import raise_level_one
from tracker.services.compliance_facts import (
    load_notification_facts,
    load_offender_facts,
    notifications_statement,
)


@dataclass
class RulesOutcome:
    """What the rules raised: flags by id, and the level-one decisions (flag id, reason)."""

    flags: list[int]
    level_one: list[tuple[int, str]]
    alerts: list[int]
    unflagged: list[tuple[int, str]]  # (hit id, reason): level one, but no flag to alert on


@cache
def _profiles() -> dict[str, Profile]:
    return load_profiles()


def run_hit_rules(
    session: Session, screening: Screening, hits: list[ScreeningHit], now: datetime
) -> RulesOutcome:
    """Pre-departure flags and level-one alerts for the hits of a screening."""
    outcome = RulesOutcome([], [], [], [])
    if not hits:
        return outcome
    offenders = {o.offender_pk: o for o in load_offender_facts(session, _pks(hits, "offender"))}
    notices = load_notification_facts(
        session,
        notifications_statement().where(
            Notification.offender_pk.in_(sorted(offenders)), Notification.kind == "foreign_travel"
        ),
    )
    travel, flights = _travel_facts(session, hits)
    decided: list[tuple[ScreeningHit, FlagCandidate | None, str | None]] = []
    for hit in hits:
        offender, booked = offenders[hit.offender_pk], travel[hit.id]
        profile = _profiles()[offender.jurisdiction]
        held = notices.get(hit.offender_pk, [])
        candidate = pending_departure(profile, offender, booked, held, now)
        notified, _ = compliant_notice(profile, booked, held)
        reason = level_one_reason(profile, offender, hit.band, booked, now, notified=notified)
        decided.append((hit, candidate, reason))
    flags = _raised(session, [(c, hit) for hit, c, _ in decided if c is not None], screening, now)
    outcome.flags = sorted({flag.id for flag in flags.values()})
    wanted = _open_wanted_flags(
        session, [hit.offender_pk for hit, c, reason in decided if reason and c is None]
    )
    for hit, candidate, reason in decided:
        if reason is None:
            continue
        flag = flags[candidate.flag_key] if candidate else wanted.get(hit.offender_pk)
        if flag is None:  # nothing a person would decide: the decision is kept, no alert
            outcome.unflagged.append((hit.id, reason))
            continue
        outcome.level_one.append((flag.id, reason))
        booked = travel[hit.id]
        alert = _raise_alert(session, flag, screening, reason, booked, flights[hit.id], now)
        if alert is not None:
            outcome.alerts.append(alert)
    return outcome


def _open_wanted_flags(session: Session, offender_pks: list[int]) -> dict[int, Flag]:
    """Each offender's open whereabouts flag (the night's, for a wanted person): what a
    level-one hit that raised no pre-departure flag is about."""
    if not offender_pks:
        return {}
    found: dict[int, Flag] = {}
    for flag in session.scalars(
        select(Flag)
        .where(
            Flag.offender_pk.in_(sorted(set(offender_pks))),
            Flag.kind == "whereabouts_unknown",
            Flag.status == "open",
        )
        .order_by(Flag.id)
    ):
        found.setdefault(flag.offender_pk, flag)
    return found


def _raise_alert(
    session: Session,
    flag: Flag,
    screening: Screening,
    reason: str,
    booked: TravelFacts,
    flight: str | None,
    now: datetime,
) -> int | None:
    """The level-one alert for the flag, through the alerts use case (which audits it and
    hands it to delivery once the transaction commits)."""
    alert = raise_level_one(
        session,
        flag,
        screening_id=screening.id,
        reason=reason,
        flight=flight,
        departure_time=booked.departure_time,
        now=now,
    )
    return int(alert.id)


def _pks(hits: list[ScreeningHit], side: str) -> list[int]:
    return sorted({hit.offender_pk if side == "offender" else hit.travel_pk for hit in hits})


def _travel_facts(
    session: Session, hits: list[ScreeningHit]
) -> tuple[dict[int, TravelFacts], dict[int, str | None]]:
    """The booked travel of each hit (by hit id), with the hit as its link, and its flight."""
    rows = {
        record.id: record
        for record in session.scalars(
            select(TravelRecord).where(TravelRecord.id.in_(_pks(hits, "travel")))
        )
    }
    facts, flights = {}, {}
    for hit in hits:
        r = rows[hit.travel_pk]
        flights[hit.id] = f"{r.carrier or ''}{r.flight_number or ''}" or None
        facts[hit.id] = TravelFacts(
            r.id,
            r.source,
            r.record_id,
            r.direction,
            r.departure_local_date,
            r.departure_time,
            r.departure_port,
            r.arrival_port,
            r.departure_country,
            r.arrival_country,
            None,
            hit.match_probability,
            hit.band,
        )
    return facts, flights


def _raised(
    session: Session,
    candidates: list[tuple[FlagCandidate, ScreeningHit]],
    screening: Screening,
    now: datetime,
) -> dict[str, Flag]:
    """The flag of each candidate's key: the one held (raised by an earlier screening of the
    same booking), or a new open one naming this screening and hit (no run raised it)."""
    keys = sorted({candidate.flag_key for candidate, _ in candidates})
    if not keys:
        return {}
    held = {
        flag.flag_key: flag for flag in session.scalars(select(Flag).where(Flag.flag_key.in_(keys)))
    }
    new = []
    for candidate, hit in candidates:
        if candidate.flag_key in held:
            continue
        flag = held[candidate.flag_key] = Flag(
            flag_key=candidate.flag_key,
            kind=candidate.kind,
            severity=candidate.severity,
            status="open",
            offender_pk=candidate.offender_pk,
            travel_pk=candidate.travel_pk,
            match_probability=candidate.match_probability,
            due_on=candidate.due_on,
            detected_on=now.date(),
            run_id=None,
            screening_id=screening.id,
            rule=candidate.rule,
            summary=candidate.summary,
            evidence={**candidate.evidence, "screening_id": screening.id, "hit_id": hit.id},
        )
        new.append(flag)
    session.add_all(new)
    session.flush()
    return held
