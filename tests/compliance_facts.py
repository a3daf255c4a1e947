"""Builders of the evaluator's plain facts, so a rule test says only the dates that matter."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time

from tracker.compliance import (
    CustodyPeriod,
    Evaluator,
    NotificationFacts,
    OffenderEvaluation,
    OffenderFacts,
    TravelFacts,
)

_ids = itertools.count(1)
EVALUATOR = Evaluator()


def offender(**values) -> OffenderFacts:
    """An active, medium-risk uk-ew offender with an indefinite requirement from 2020."""
    n = next(_ids)
    defaults = {
        "offender_pk": n,
        "offender_id": f"VR-{n:07d}",
        "date_of_birth": date(1980, 1, 1),
        "requirement_start": date(2020, 1, 6),
        "notification_period": "indefinite",
        "risk_level": "medium",
    }
    return OffenderFacts(**{**defaults, **values})


def note(kind: str, notified_on: date, **values) -> NotificationFacts:
    n = next(_ids)
    if isinstance(values.get("destination_countries"), str):
        values["destination_countries"] = tuple(values["destination_countries"].split("|"))
    return NotificationFacts(
        pk=n, notification_id=f"N-{n:06d}", kind=kind, notified_on=notified_on, **values
    )


def leg(
    direction: str, day: date, band: str = "match", probability: float = 0.98, **values
) -> TravelFacts:
    """A linked travel record leaving (``out``) or returning to (``in``) the UK on ``day``."""
    n = next(_ids)
    abroad = values.pop("abroad", "THA")
    defaults = {
        "departure_port": "LHR" if direction == "out" else "BKK",
        "arrival_port": "BKK" if direction == "out" else "LHR",
        "departure_country": "GBR" if direction == "out" else abroad,
        "arrival_country": abroad if direction == "out" else "GBR",
        "departure_time": datetime.combine(day, time(10, 0), tzinfo=UTC),
    }
    return TravelFacts(
        travel_pk=n,
        source="api-test",
        record_id=f"R{n:06d}",
        direction=direction,
        departure_local_date=day,
        link_id=n,
        match_probability=probability,
        band=band,
        **{**defaults, **values},
    )


def history(start: date) -> list[NotificationFacts]:
    """A timely initial notification on the requirement start."""
    return [note("initial", start, effective_on=start)]


def evaluate(
    person: OffenderFacts,
    notes=(),
    travel=(),
    *,
    as_of: date,
    custody: tuple[CustodyPeriod, ...] = (),
) -> OffenderEvaluation:
    return EVALUATOR.evaluate(person, notes, travel, as_of, custody)


def kinds(result: OffenderEvaluation) -> list[str]:
    return sorted(c.kind for c in result.candidates)


def only(result: OffenderEvaluation, kind: str):
    found = [c for c in result.candidates if c.kind == kind]
    assert len(found) == 1, f"expected one {kind}, got {kinds(result)}"
    return found[0]
