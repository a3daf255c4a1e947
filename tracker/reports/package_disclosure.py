"""Recording a package sent: the flag actioned, the package and disclosure rows, and the one
audit entry (DPA 2018 s.62 and s.72-78: who sent what, to which country and agency, and why)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from tracker.access.people import Actor
from tracker.audit import record_event
from tracker.db import changed_rows
from tracker.models import Disclosure, Flag, Package
from tracker.reports.package_facts import PackageFacts, PackageRefused, PackageRequest
from tracker.reports.package_folder import BuiltPackage


def mark_actioned(session: Session, flag_id: int, now: datetime) -> None:
    """Confirmed -> actioned, only if still confirmed: two officers cannot both send it."""
    result = session.execute(
        update(Flag)
        .where(Flag.id == flag_id, Flag.status == "confirmed")
        .values(status="actioned", updated_at=now)
    )
    if changed_rows(result) != 1:
        raise PackageRefused(f"flag {flag_id} changed while the package was built; try again")


def record_disclosure(
    session: Session,
    actor: Actor,
    request: PackageRequest,
    built: BuiltPackage,
    facts: PackageFacts,
    created_at: datetime,
    folder: Path,
) -> Package:
    """The package row, the disclosure log row and the one audit entry (DPA 2018 s.62, s.72-78:
    who, to which country and agency, when, what and why)."""
    package = Package(
        package_uid=built.package_id,
        flag_id=request.flag_id,
        destination_country=request.country,
        destination_agency=request.agency,
        grading=request.grading,
        handling=request.handling,
        conditions=request.conditions,
        created_by=actor.user_id,
        created_at=created_at,
        path=str(folder.resolve()),
        zip_sha256=built.zip_sha256,
        key_id=built.key_id,
    )
    session.add(package)
    session.flush()
    session.add(
        Disclosure(
            package_id=package.id,
            recipient_country=request.country,
            recipient_agency=request.agency,
            user_id=actor.user_id,
            disclosed_at=created_at,
            justification=request.reason,
            fields_sent=built.fields_sent,
        )
    )
    record_event(
        session,
        actor=actor.name,
        action="disclosure",
        object_type="package",
        object_id=built.package_id,
        justification=request.reason,
        details={
            "package_id": built.package_id,
            "flag_id": request.flag_id,
            "flag_status": "confirmed -> actioned",
            "offender_id": facts.offender.offender_id,
            "recipient_country": request.country,
            "recipient_agency": request.agency,
            "grading": request.grading,
            "handling": request.handling,
            "conditions": request.conditions,
            "fields_sent": built.fields_sent,
            "zip_sha256": built.zip_sha256,
            "key_id": built.key_id,
        },
    )
    session.flush()
    return package
