"""What a page may show of a record: explicit allow-lists per role, never a model dumped.

The register's restricted fields stay out of every page: the home address and postcode never
leave the system's own processing, and the offence category is shown only to those the service
names (``tracker.services.review.RESTRICTED_FIELDS``: the roles that build packages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.models import Notification, Offender, TravelRecord
from tracker.review.evidence import Evidence
from tracker.web.waterfall import Waterfall, build_waterfall

REGISTER_FIELDS = (
    ("offender_id", "register reference"),
    ("family_name", "family name"),
    ("given_names", "given names"),
    ("date_of_birth", "date of birth"),
    ("sex", "sex"),
    ("nationalities", "nationalities"),
    ("risk_level", "risk level"),
    ("status", "status"),
    ("managing_force", "managing force"),
    ("jurisdiction", "rule profile"),
    ("requirement_start", "requirement start"),
    ("notification_period", "notification period"),
)
# Shown only when the service says the reader's role may see them.
RESTRICTED_FIELDS = (("offence_category", "offence category"),)

TRAVEL_FIELDS = (
    ("family_name", "family name"),
    ("given_names", "given names"),
    ("date_of_birth", "date of birth"),
    ("sex", "sex"),
    ("nationality", "nationality"),
    ("direction", "direction"),
    ("departure_port", "from"),
    ("arrival_port", "to"),
    ("departure_country", "departure country"),
    ("arrival_country", "arrival country"),
    ("departure_time", "departs"),
    ("carrier", "carrier"),
    ("flight_number", "flight"),
)


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    return value.isoformat() if isinstance(value, date) else str(value)


def register_view(offender: Offender, restricted_shown: frozenset[str]) -> list[tuple[str, str]]:
    """The register entry's fields, with the restricted ones in ``restricted_shown``."""
    rows = [(label, _text(getattr(offender, name))) for name, label in REGISTER_FIELDS]
    for name, label in RESTRICTED_FIELDS:
        if name in restricted_shown:
            rows.append((label, _text(getattr(offender, name))))
    return rows


def travel_view(travel: TravelRecord) -> list[tuple[str, str]]:
    rows = [("record", f"{travel.source}/{travel.record_id}")]
    rows += [(label, _text(getattr(travel, name))) for name, label in TRAVEL_FIELDS]
    document = " ".join(
        v for v in (travel.doc_type, travel.doc_number, travel.doc_issuing_country) if v
    )
    rows.append(("document", document or "–"))
    return rows


@dataclass(frozen=True)
class TimelineEvent:
    on: date
    what: str
    detail: str
    kind: str  # notification, travel, deadline, detected


def _notification_detail(n: Notification) -> str:
    if n.kind == "foreign_travel":
        return (
            f"departing {_text(n.departure_date)}, return {_text(n.return_date)}, to "
            f"{n.destination_countries or '–'}"
        )
    if n.kind == "travel_return" and n.return_date:
        return f"returned {n.return_date.isoformat()}"
    if n.effective_on:
        return f"effective {n.effective_on.isoformat()}"
    return ""


def timeline(evidence: Evidence) -> list[TimelineEvent]:
    """The notifications around the travel, with the travel, the deadline and the detection."""
    events = [
        TimelineEvent(
            n.notified_on,
            f"{n.kind.replace('_', ' ')} notification",
            f"{n.notification_id} {_notification_detail(n)}".strip(),
            "notification",
        )
        for n in evidence.timeline
    ]
    t = evidence.travel
    if t is not None:
        events.append(
            TimelineEvent(
                t.departure_local_date,
                f"travel {t.direction}",
                f"{t.departure_port or t.departure_country} → {t.arrival_port or t.arrival_country}"
                f" {t.carrier or ''} {t.flight_number or ''}".strip(),
                "travel",
            )
        )
    flag = evidence.flag
    if flag.due_on:
        events.append(TimelineEvent(flag.due_on, "deadline", flag.rule, "deadline"))
    events.append(
        TimelineEvent(flag.detected_on, "flag raised", flag.kind.replace("_", " "), "detected")
    )
    order = {"notification": 0, "travel": 1, "deadline": 2, "detected": 3}
    return sorted(events, key=lambda e: (e.on, order[e.kind]))


def waterfall(evidence: Evidence) -> Waterfall | None:
    link = evidence.link
    if link is None or link.explanation is None:
        return None
    return build_waterfall(
        link.explanation.prior_weight,
        evidence.comparison,
        link.explanation.total_weight,
        link.match_probability,
    )


def name_note(evidence: Evidence) -> str | None:
    """Which register name was compared, and whether the carrier swapped the name parts."""
    explanation = evidence.link.explanation if evidence.link else None
    source = explanation.name_used.source if explanation else None
    if explanation is None or not source:
        return None
    used = explanation.name_used
    note = f"compared as {used.family}, {used.given} (from the {source.replace('_', ' ')})"
    if explanation.order_swapped:
        note += "; the carrier swapped family and given names"
    return note
