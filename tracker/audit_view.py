"""The audit trail as people read it (web page and ``tracker audit log``): restricted values
never shown, only the names of the fields that changed.

The data contract marks the home address and postcode "restricted: never leaves the system";
dates of birth and document numbers identify a person outright; and a traveller who matched
no one is a member of the public whose details are kept only briefly (domain.md s.6). Readers
of the audit log need to know *what* changed, not those values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit_chain import VALUES_DIGEST
from tracker.models import AuditEvent, AuditEventValues

REDACTED = "[restricted]"
ERASED = "[erased]"
# Restricted whatever the entry is about: address, postcode, date of birth, documents.
RESTRICTED_FIELDS = frozenset(
    {
        "address_line",
        "postcode",
        "date_of_birth",
        "doc_number",
        "doc_numbers",
        "passport_number",
    }
)
# A travel record is a member of the public until matched: all their personal details.
TRAVELLER_FIELDS = RESTRICTED_FIELDS | frozenset(
    {
        "family_name",
        "given_names",
        "sex",
        "nationality",
        "doc_type",
        "doc_issuing_country",
        "booking_ref",
    }
)
RESTRICTED_BY_OBJECT = {"travel_record": TRAVELLER_FIELDS}


def restricted_fields(object_type: str) -> frozenset[str]:
    return RESTRICTED_BY_OBJECT.get(object_type, RESTRICTED_FIELDS)


@overload
def redacted(value: dict, restricted: frozenset[str], marker: str = REDACTED) -> dict: ...
@overload
def redacted(value: object, restricted: frozenset[str], marker: str = REDACTED) -> object: ...
def redacted(value: object, restricted: frozenset[str], marker: str = REDACTED) -> object:
    """``value`` with every restricted key's value replaced by ``marker``, at any depth: an
    alteration's ``changes: {postcode: {old, new}}`` keeps ``postcode`` and loses both values."""
    if isinstance(value, dict):
        return {
            key: (
                marker
                if key in restricted and item is not None
                else redacted(item, restricted, marker)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redacted(item, restricted, marker) for item in value]
    return value


def shown_object_id(object_type: str, object_id: str | None) -> str | None:
    """A document's key holds its number (``P|123456789|GBR``): shown without it."""
    if object_type == "document" and object_id:
        doc_type, _, rest = object_id.partition("|")
        _, _, country = rest.rpartition("|")
        return f"{doc_type}|{REDACTED}|{country}"
    return object_id


def shown_details(event: AuditEvent, values: dict | None) -> dict:
    """The entry's details with its kept values joined back (or marked erased), redacted."""
    details = {key: value for key, value in (event.details or {}).items() if key != VALUES_DIGEST}
    if VALUES_DIGEST in (event.details or {}):
        if values is None:
            details["values"] = ERASED
        else:
            details.update({key: value for key, value in values.items() if key != "salt"})
    return redacted(details, restricted_fields(event.object_type))


@dataclass(frozen=True)
class ShownEntry:
    """One entry as a reader sees it."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    justification: str | None
    details: dict

    @property
    def object(self) -> str:
        return f"{self.object_type}:{self.object_id or ''}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "justification": self.justification,
            "details": self.details,
        }


def kept_values(session: Session, event_ids: list[int]) -> dict[int, dict]:
    """The values kept beside these entries (those not erased yet)."""
    found: dict[int, dict] = {}
    for start in range(0, len(event_ids), 1000):
        batch = event_ids[start : start + 1000]
        found.update(
            dict(
                session.execute(
                    select(AuditEventValues.event_id, AuditEventValues.payload).where(
                        AuditEventValues.event_id.in_(batch)
                    )
                ).all()
            )
        )
    return found


def shown_entries(session: Session, events: list[AuditEvent]) -> list[ShownEntry]:
    """Entries ready to display: values joined, restricted fields and numbers hidden."""
    values = kept_values(session, [event.id for event in events])
    return [
        ShownEntry(
            event.id,
            event.at,
            event.actor,
            event.action,
            event.object_type,
            shown_object_id(event.object_type, event.object_id),
            event.justification,
            shown_details(event, values.get(event.id)),
        )
        for event in events
    ]
