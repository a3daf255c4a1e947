"""What an analyst sees for one flag: register entry and travel record side by side, each
field's contribution to the match, the notification timeline, the rule and earlier decisions.

Opening it is a consultation under DPA 2018 s.62: ``tracker.services.review.show_flag`` logs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import (
    Alias,
    Decision,
    Document,
    Flag,
    Link,
    Notification,
    Offender,
    ScreeningHit,
    TravelRecord,
    User,
)
from tracker.schemas.explanation import LinkExplanation

TIMELINE_DAYS = 180

# The fields compared by the matcher, with how each side's value is read for display.
SIDE_BY_SIDE = (
    ("family_name", "family name", lambda o: o.family_name, lambda t: t.family_name),
    ("given_names", "given names", lambda o: o.given_names, lambda t: t.given_names),
    ("date_of_birth", "date of birth", lambda o: o.date_of_birth, lambda t: t.date_of_birth),
    (
        "document",
        "document",
        None,
        lambda t: " ".join(str(v) for v in (t.doc_type, t.doc_number, t.doc_issuing_country) if v),
    ),
    ("sex", "sex", lambda o: o.sex, lambda t: t.sex),
    ("nationality", "nationality", lambda o: o.nationalities, lambda t: t.nationality),
)


class FlagNotFound(LookupError):
    pass


@dataclass
class Evidence:
    flag: Flag
    offender: Offender
    aliases: list[Alias]
    documents: list[Document]
    travel: TravelRecord | None
    link: Link | None
    comparison: list[dict] = field(default_factory=list)
    timeline: list[Notification] = field(default_factory=list)
    decisions: list[tuple[Decision, str]] = field(default_factory=list)
    assignee: str | None = None


# Rows of a link's explanation that weigh the whole name or adjust the total rather than compare
# one field side by side.
ADJUSTMENTS = {
    "name_order": "name order",
    "name_frequency": "name frequency",
    "conflict": "conflict rule",
}


def _comparison_rows(
    offender: Offender,
    documents: list[Document],
    travel: TravelRecord,
    explanation: LinkExplanation | None,
) -> list[dict]:
    explained = {row.field: row for row in explanation.fields} if explanation else {}
    rows = []
    for key, label, register_value, travel_value in SIDE_BY_SIDE:
        if register_value is None:
            register_text = "; ".join(
                f"{d.doc_type} {d.doc_number} {d.issuing_country}" for d in documents
            )
        else:
            value = register_value(offender)
            register_text = "" if value is None else str(value)
        value = travel_value(travel)
        compared = explained.get(key)
        rows.append(
            {
                "field": key,
                "label": label,
                "register": register_text,
                "travel": "" if value is None else str(value),
                "level": compared.label if compared else "not compared",
                "weight": compared.weight if compared else None,
            }
        )
    for key, label in ADJUSTMENTS.items():
        if key in explained:
            row = explained[key]
            rows.append(
                {
                    "field": key,
                    "label": label,
                    "register": "",
                    "travel": "",
                    "level": row.label,
                    "weight": row.weight,
                }
            )
    return rows


def _around(flag: Flag, travel: TravelRecord | None) -> date:
    if travel is not None:
        return travel.departure_local_date
    return flag.due_on or flag.detected_on


def load_evidence(session: Session, flag_id: int) -> Evidence:
    """Everything about one flag."""
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise FlagNotFound(f"no flag with id {flag_id}")
    offender = flag.offender
    aliases = list(
        session.scalars(select(Alias).where(Alias.offender_pk == offender.id).order_by(Alias.id))
    )
    documents = list(
        session.scalars(
            select(Document).where(Document.offender_pk == offender.id).order_by(Document.id)
        )
    )
    travel = session.get(TravelRecord, flag.travel_pk) if flag.travel_pk else None
    link = session.get(Link, flag.link_id) if flag.link_id else None
    centre = _around(flag, travel)
    window = timedelta(days=TIMELINE_DAYS)
    timeline = list(
        session.scalars(
            select(Notification)
            .where(Notification.offender_pk == offender.id)
            .where(Notification.notified_on.between(centre - window, centre + window))
            .order_by(Notification.notified_on, Notification.id)
        )
    )
    decisions = [
        (decision, name)
        for decision, name in session.execute(
            select(Decision, User.name)
            .join(User, User.id == Decision.user_id)
            .where(Decision.flag_id == flag.id)
            .order_by(Decision.decided_at, Decision.id)
        )
    ]
    evidence = Evidence(flag, offender, aliases, documents, travel, link, [], timeline, decisions)
    if flag.assigned_to is not None:
        evidence.assignee = session.scalar(select(User.name).where(User.id == flag.assigned_to))
    if travel is not None:
        explanation = link.explanation if link else _screening_explanation(session, flag)
        evidence.comparison = _comparison_rows(offender, documents, travel, explanation)
    return evidence


def _screening_explanation(session: Session, flag: Flag) -> LinkExplanation | None:
    """A flag raised by a screening has no nightly link: its screening hit explains the match."""
    hit_id = (flag.evidence or {}).get("hit_id")
    if flag.screening_id is None or not isinstance(hit_id, int):
        return None
    hit = session.get(ScreeningHit, hit_id)
    return hit.explanation if hit is not None else None


def render_evidence(evidence: Evidence) -> str:
    """Plain-text rendering for the terminal."""
    f, o = evidence.flag, evidence.offender
    lines = [
        f"Flag {f.id}: {f.kind} ({f.severity}, {f.status}{', escalated' if f.escalated else ''})",
        f"  {f.summary}",
        f"  rule: {f.rule}",
        f"  due {f.due_on or '-'}, detected {f.detected_on}",
        f"  assigned to {evidence.assignee or '-'}",
        "",
        f"Register entry {o.offender_id}: {o.family_name}, {o.given_names}",
        f"  born {o.date_of_birth}, sex {o.sex or '-'}, nationalities {o.nationalities or '-'}",
        f"  risk {o.risk_level or '-'}, status {o.status}, managed by {o.managing_force}",
    ]
    for a in evidence.aliases:
        lines.append(f"  also known as ({a.kind}): {a.family_name}, {a.given_names}")
    for d in evidence.documents:
        lines.append(
            f"  document {d.doc_type} {d.doc_number} ({d.issuing_country})"
            f"{f', expires {d.expires_on}' if d.expires_on else ''}"
        )
    t = evidence.travel
    if t is not None:
        lines += [
            "",
            f"Travel record {t.source}/{t.record_id}: {t.direction} "
            f"{t.departure_port or t.departure_country} -> {t.arrival_port or t.arrival_country}"
            f" ({t.departure_country} -> {t.arrival_country}) departing "
            f"{t.departure_time.isoformat()} {t.carrier or ''} {t.flight_number or ''}".rstrip(),
            "",
            f"  {'field':<15}{'register':<32}{'travel':<28}{'comparison':<44}{'weight':>8}",
        ]
        for row in evidence.comparison:
            weight = "" if row["weight"] is None else f"{row['weight']:+.2f}"
            lines.append(
                f"  {row['label']:<15}{row['register'][:31]:<32}{row['travel'][:27]:<28}"
                f"{row['level'][:43]:<44}{weight:>8}"
            )
        link = evidence.link
        if link is not None and link.explanation is not None:
            e, used = link.explanation, link.explanation.name_used
            swapped = "; family and given names were swapped by the carrier"
            lines += [
                f"  {'prior':<119}{e.prior_weight:+8.2f}",
                f"  total match weight {e.total_weight:+.2f} -> probability "
                f"{link.match_probability:.4f} (band {link.band})",
                f"  name compared: {used.source} {used.family}, {used.given}"
                f"{swapped if e.order_swapped else ''}",
            ]
    lines += ["", f"Notifications within {TIMELINE_DAYS} days:"]
    if not evidence.timeline:
        lines.append("  none")
    for n in evidence.timeline:
        detail = ""
        if n.kind == "foreign_travel":
            detail = (
                f" departing {n.departure_date}, return {n.return_date or '-'}, to "
                f"{n.destination_countries or '-'}"
            )
        elif n.effective_on:
            detail = f" effective {n.effective_on}"
        lines.append(f"  {n.notified_on} {n.kind} ({n.notification_id}){detail}")
    lines += ["", "Decisions:"]
    if not evidence.decisions:
        lines.append("  none yet")
    for decision, name in evidence.decisions:
        lines.append(
            f"  {decision.decided_at:%Y-%m-%d %H:%M} {name}: {decision.decision} - "
            f"{decision.reason}"
        )
    return "\n".join(lines)
