"""What a package is built from: the officer's request, and the rows of a confirmed travel flag.

Only a flag an analyst or supervisor confirmed can be packaged; anything else is refused with
its kind and status named. The rows gathered here are the raw material; what of them may leave
is decided by the allow-list in ``package_content``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.countries import clean_country_code
from tracker.models import (
    Alias,
    Decision,
    Document,
    Flag,
    Link,
    Notification,
    Offender,
    Package,
    TravelRecord,
)
from tracker.models.enums import HandlingCode
from tracker.schemas.package import GradingIntelligence, GradingSource


class PackageRefused(Exception):
    """The package may not be built (wrong flag, state changed, no key)."""


@dataclass(frozen=True)
class PackageRequest:
    """What the liaison officer asked for, every option checked (``packages.make_request``)."""

    flag_id: int
    country: str
    agency: str
    reason: str
    source: GradingSource
    intelligence: GradingIntelligence
    handling: HandlingCode
    conditions: str | None
    out_dir: Path

    @property
    def grading(self) -> str:
        return f"{self.source}{self.intelligence}"


@dataclass
class PackageFacts:
    """The rows a package is picked from (the picking itself is ``assemble_package``)."""

    flag: Flag
    offender: Offender
    aliases: list[Alias]
    documents: list[Document]
    travel: TravelRecord
    link: Link | None
    notification: Notification | None
    confirmed_on: date | None


def packageable_flag(session: Session, flag_id: int) -> Flag:
    """A confirmed travel flag, locked; anything else is refused, naming kind and status."""
    flag = session.get(Flag, flag_id, with_for_update=True)
    if flag is None:
        raise PackageRefused(f"no flag with id {flag_id}")
    if flag.travel_pk is None:
        raise PackageRefused(
            f"flag {flag_id} ({flag.kind}, {flag.status}) has no travel record: packages are "
            "built for travel flags only"
        )
    if flag.status == "actioned":
        earlier = session.scalars(
            select(Package).where(Package.flag_id == flag_id).order_by(Package.id.desc())
        ).first()
        sent = (
            f": package {earlier.package_uid} went to {earlier.destination_country} on "
            f"{earlier.created_at:%Y-%m-%d}"
            if earlier
            else ""
        )
        raise PackageRefused(f"flag {flag_id} ({flag.kind}) is already actioned{sent}")
    if flag.status != "confirmed":
        raise PackageRefused(
            f"flag {flag_id} ({flag.kind}) is {flag.status}: only a flag an analyst or "
            "supervisor confirmed can be packaged (tracker review decide --decision confirm)"
        )
    return flag


def gather_facts(session: Session, flag: Flag) -> PackageFacts:
    """The rows of a flag ``packageable_flag`` let through (so its travel record exists)."""
    offender = flag.offender
    travel = session.get(TravelRecord, flag.travel_pk) if flag.travel_pk is not None else None
    if travel is None:
        raise LookupError(f"flag {flag.id} has no travel record: packageable_flag lets none by")
    aliases = session.scalars(
        select(Alias).where(Alias.offender_pk == offender.id).order_by(Alias.id)
    )
    documents = session.scalars(
        select(Document).where(Document.offender_pk == offender.id).order_by(Document.id)
    )
    confirmed_at = session.scalar(
        select(Decision.decided_at)
        .where(Decision.flag_id == flag.id, Decision.decision == "confirm")
        .order_by(Decision.decided_at.desc())
        .limit(1)
    )
    link = session.get(Link, flag.link_id) if flag.link_id else None
    notification = session.get(Notification, flag.notification_pk) if flag.notification_pk else None
    return PackageFacts(
        flag=flag,
        offender=offender,
        aliases=list(aliases),
        documents=list(documents),
        travel=travel,
        link=link,
        notification=notification,
        confirmed_on=confirmed_at.date() if confirmed_at else None,
    )


def country_warnings(request: PackageRequest, travel: TravelRecord) -> list[str]:
    if request.country != clean_country_code(travel.arrival_country):
        return [
            f"flag {request.flag_id}'s travel arrived in {travel.arrival_country}, but the "
            f"package goes to {request.country}: check the destination"
        ]
    return []
