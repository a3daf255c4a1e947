"""One offender's record on one screen: the register entry, aliases, documents, notifications,
linked travel, flags with their decisions, packages sent, publication history and who has
consulted the record. The CLI and the web both come through ``show_offender``, so opening the
record is logged as a consultation once, the same way, whichever screen asked (DPA 2018 s.62).

The page never widens anyone's access: the restricted register fields follow the flag page's
rule (``tracker.services.review.RESTRICTED_FIELDS``), and the packages, the reasons given for
publishing and the record's audit entries are shown only to roles that may read those elsewhere
(``SECTIONS``); whether the person is on the public feed is public, so everyone sees that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from tracker.access.people import require_actor
from tracker.access.permissions import allowed
from tracker.audit import record_event
from tracker.audit_view import ShownEntry, shown_entries
from tracker.models import (
    Alias,
    AuditEvent,
    Decision,
    Document,
    Flag,
    Link,
    Notification,
    Offender,
    Package,
    PairLabel,
    Publication,
    TravelRecord,
    User,
)
from tracker.services.link_export import latest_run_with_links
from tracker.services.review import RESTRICTED_FIELDS

#: Sections shown only to roles that may read the same thing elsewhere, with that action.
SECTIONS = {
    "packages": "package.list",
    "publication_history": "feed.preview",
    "audit": "audit.read",
}
#: The newest audit entries about the record a supervisor sees on it (the audit log has all).
AUDIT_ENTRIES_SHOWN = 100


class OffenderNotFound(LookupError):
    """No register entry has this reference."""


@dataclass(frozen=True)
class OffenderRecord:
    """Everything about one offender as its reader may see it. ``packages``,
    ``publication_history`` and ``audit`` are None when the reader's role may not see them;
    ``restricted_shown`` names the restricted register fields they may see."""

    offender: Offender
    aliases: list[Alias]
    documents: list[Document]
    notifications: list[Notification]
    travel: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    publication: Publication | None
    publication_history: list[dict[str, Any]] | None
    packages: list[dict[str, Any]] | None
    audit: list[ShownEntry] | None
    restricted_shown: frozenset[str]
    links_run_id: int | None


def _find(session: Session, offender_id: str) -> Offender:
    offender = session.scalars(
        select(Offender).where(Offender.offender_id == offender_id)
    ).one_or_none()
    if offender is None:
        raise OffenderNotFound(f"no register entry {offender_id!r}")
    return offender


def _route(t: TravelRecord) -> str:
    return f"{t.departure_port or t.departure_country} → {t.arrival_port or t.arrival_country}"


def _linked_travel(
    session: Session, offender: Offender, run_id: int | None, flagged: dict[int, list[int]]
) -> list[dict[str, Any]]:
    """This offender's links in the latest run that made links, newest journey first, with
    the analysts' verdict on the pair (a dismissed pair is never linked again)."""
    if run_id is None:
        return []
    statement = (
        select(Link, TravelRecord, PairLabel.label)
        .join(TravelRecord, TravelRecord.id == Link.travel_pk)
        .outerjoin(
            PairLabel,
            and_(PairLabel.travel_pk == Link.travel_pk, PairLabel.offender_pk == Link.offender_pk),
        )
        .where(Link.offender_pk == offender.id, Link.run_id == run_id)
        .order_by(TravelRecord.departure_time.desc(), TravelRecord.id.desc())
    )
    return [
        {
            "travel": f"{t.source}/{t.record_id}",
            "direction": t.direction,
            "departs": t.departure_time,
            "route": _route(t),
            "countries": f"{t.departure_country} → {t.arrival_country}",
            "flight": " ".join(v for v in (t.carrier, t.flight_number) if v),
            "match_probability": link.match_probability,
            "band": link.band,
            "verdict": label or "",
            "flags": flagged.get(t.id, []),
        }
        for link, t, label in session.execute(statement)
    ]


def _flags(session: Session, offender: Offender) -> list[dict[str, Any]]:
    """Every flag on the offender, newest first, each with its decisions in order."""
    assignee = aliased(User)
    rows = session.execute(
        select(Flag, TravelRecord.source, TravelRecord.record_id, assignee.name)
        .outerjoin(TravelRecord, TravelRecord.id == Flag.travel_pk)
        .outerjoin(assignee, assignee.id == Flag.assigned_to)
        .where(Flag.offender_pk == offender.id)
        .order_by(Flag.detected_on.desc(), Flag.id.desc())
    ).all()
    decided: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for decision, name in session.execute(
            select(Decision, User.name)
            .join(User, User.id == Decision.user_id)
            .where(Decision.flag_id.in_([flag.id for flag, *_ in rows]))
            .order_by(Decision.decided_at, Decision.id)
        ):
            decided[decision.flag_id].append(
                {
                    "decided_at": decision.decided_at,
                    "by": name,
                    "decision": decision.decision,
                    "reason": decision.reason,
                }
            )
    return [
        {
            "flag_id": flag.id,
            "kind": flag.kind,
            "severity": flag.severity,
            "status": flag.status,
            "escalated": flag.escalated,
            "due_on": flag.due_on,
            "detected_on": flag.detected_on,
            "match_probability": flag.match_probability,
            "travel": f"{source}/{record_id}" if source else "",
            "travel_pk": flag.travel_pk,
            "assigned_to": assigned or "",
            "summary": flag.summary,
            "decisions": decided.get(flag.id, []),
        }
        for flag, source, record_id, assigned in rows
    ]


def _packages(session: Session, flag_ids: list[int]) -> list[dict[str, Any]]:
    if not flag_ids:
        return []
    statement = (
        select(Package, User.name)
        .join(User, User.id == Package.created_by)
        .where(Package.flag_id.in_(flag_ids))
        .order_by(Package.created_at.desc(), Package.id.desc())
    )
    return [
        {
            "package_id": package.package_uid,
            "flag_id": package.flag_id,
            "destination_country": package.destination_country,
            "destination_agency": package.destination_agency or "",
            "grading": package.grading,
            "handling": package.handling,
            "sent_by": name,
            "sent_at": package.created_at,
        }
        for package, name in session.execute(statement)
    ]


def _publication_history(session: Session, offender: Offender) -> list[dict[str, Any]]:
    """Each approval and withdrawal, from the audit trail (the row keeps only the latest)."""
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "offender",
            AuditEvent.object_id == offender.offender_id,
            AuditEvent.action == "publication",
        )
        .order_by(AuditEvent.id.desc())
    )
    return [
        {
            "at": event.at,
            "by": event.actor,
            "change": (event.details or {}).get("change", ""),
            "reason": event.justification or "",
        }
        for event in session.scalars(statement)
    ]


def _audit(
    session: Session, offender: Offender, flag_ids: list[int], package_ids: list[str]
) -> list[ShownEntry]:
    """The newest entries about the record, its flags and its packages, values redacted as
    on the audit page."""
    about = [
        and_(AuditEvent.object_type == "offender", AuditEvent.object_id == offender.offender_id)
    ]
    if flag_ids:
        about.append(
            and_(AuditEvent.object_type == "flag", AuditEvent.object_id.in_(map(str, flag_ids)))
        )
    if package_ids:
        about.append(
            and_(AuditEvent.object_type == "package", AuditEvent.object_id.in_(package_ids))
        )
    events = session.scalars(
        select(AuditEvent)
        .where(or_(*about))
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_ENTRIES_SHOWN)
    ).all()
    return shown_entries(session, list(events))


def show_offender(session: Session, who: str | None, offender_id: str) -> OffenderRecord:
    """One offender's whole record for ``who``; opening it is a consultation (DPA 2018 s.62).
    A reference with no register entry is refused before anything is logged."""
    actor = require_actor(session, who, "offenders.show")
    offender = _find(session, offender_id)
    flags = _flags(session, offender)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="offender",
        object_id=offender.offender_id,
        justification="offender record opened",
        details={"flags": len(flags)},
    )
    role = actor.role or ""
    shown = frozenset(name for name, action in RESTRICTED_FIELDS.items() if allowed(role, action))
    aliases = session.scalars(
        select(Alias).where(Alias.offender_pk == offender.id).order_by(Alias.id)
    ).all()
    documents = session.scalars(
        select(Document).where(Document.offender_pk == offender.id).order_by(Document.id)
    ).all()
    notifications = session.scalars(
        select(Notification)
        .where(Notification.offender_pk == offender.id)
        .order_by(Notification.notified_on.desc(), Notification.id.desc())
    ).all()
    flagged: dict[int, list[int]] = defaultdict(list)
    for flag in flags:
        if flag["travel_pk"] is not None:
            flagged[flag["travel_pk"]].append(flag["flag_id"])
    run_id = latest_run_with_links(session)
    flag_ids = [flag["flag_id"] for flag in flags]
    packages = _packages(session, flag_ids)
    publication = session.scalars(
        select(Publication).where(Publication.offender_pk == offender.id)
    ).one_or_none()
    return OffenderRecord(
        offender=offender,
        aliases=list(aliases),
        documents=list(documents),
        notifications=list(notifications),
        travel=_linked_travel(session, offender, run_id, flagged),
        flags=flags,
        publication=publication,
        publication_history=(
            _publication_history(session, offender)
            if allowed(role, SECTIONS["publication_history"])
            else None
        ),
        packages=packages if allowed(role, SECTIONS["packages"]) else None,
        audit=(
            _audit(session, offender, flag_ids, [p["package_id"] for p in packages])
            if allowed(role, SECTIONS["audit"])
            else None
        ),
        restricted_shown=shown,
        links_run_id=run_id,
    )
